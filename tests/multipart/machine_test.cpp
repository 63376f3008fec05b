// SPDX-License-Identifier: MIT
// The upload machine driven by hand: every step answered by the test, in the order it chooses.
#include <coswire/multipart/machine.hpp>

#include <doctest/doctest.h>

#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/hex.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::http_response;
using coswire::step;
using coswire::step_kind;

namespace {

const coswire::credentials creds{.secret_id = "AKIDupm", .secret_key = coswire::secret_string("upload-machine-secret")};
constexpr std::string_view upload_id = "1585130821cbb7df1d11846c073ad648";

/// An object of three 4-byte parts (the last one 3 bytes) and the answers COS would give.
struct fixture {
    std::int64_t now = 1700000000;
    coswire::operation_context context;
    std::string data = "abcdefghijk";
    coswire::memory_source source{std::as_bytes(std::span<const char>(data.data(), data.size()))};
    coswire::part_plan plan{.object_size = 11, .part_size = 4, .part_count = 3};
    std::vector<std::uint32_t> progress;

    explicit fixture(coswire::client_options options = {})
        : context(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, [this] { return now; }, options) {}

    coswire::multipart_upload_machine<coswire::memory_source> machine(std::uint32_t in_flight, coswire::multipart_upload_options o = {}) {
        o.on_progress = [this](const coswire::upload_progress& p) { progress.push_back(p.part_number); };
        return coswire::make_multipart_upload_machine(context, "dir/obj", source, plan, o, in_flight);
    }

    std::string_view part(std::uint32_t n) const { return std::string_view(data).substr((n - 1) * 4, n == 3 ? 3 : 4); }
    static std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span<const char>(s.data(), s.size())); }

    http_response part_answer(std::uint32_t n) const {
        const coswire::md5_digest md5 = coswire::md5_hash(bytes(part(n)));
        return {200,
                {{"ETag", "\"" + coswire::to_hex(std::span<const std::uint8_t>(md5)) + "\""},
                 {"x-cos-hash-crc64ecma", std::to_string(coswire::crc64(bytes(part(n))))},
                 {"x-cos-request-id", "rid"}},
                {}};
    }
    std::string object_crc() const { return std::to_string(coswire::crc64(bytes(data))); }
    static http_response initiated() {
        return {200, {{"Content-Type", "application/xml"}},
                "<InitiateMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket><Key>dir/obj</Key><UploadId>" +
                    std::string(upload_id) + "</UploadId></InitiateMultipartUploadResult>"};
    }
    http_response completed() const {
        return {200, {{"Content-Type", "application/xml"}, {"x-cos-hash-crc64ecma", object_crc()}},
                "<CompleteMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket><Key>dir/obj</Key>"
                "<ETag>&quot;0123456789abcdef0123456789abcdef-3&quot;</ETag></CompleteMultipartUploadResult>"};
    }
    http_response headed() const {
        return {200, {{"Content-Length", "11"}, {"ETag", "\"0123456789abcdef0123456789abcdef-3\""}, {"x-cos-hash-crc64ecma", object_crc()}}, {}};
    }
};

http_response cos_error(int status, const std::string& code) {
    return {status, {{"Content-Type", "application/xml"}, {"x-cos-request-id", "rid"}},
            "<Error><Code>" + code + "</Code><Message>m</Message></Error>"};
}

std::optional<std::string> query(const coswire::http_request& r, std::string_view name) {
    for (const auto& p : r.query)
        if (p.name == name) return p.value.value_or("");
    return std::nullopt;
}

std::uint32_t part_number(const step& s) {
    const auto n = query(*s.request, "partNumber");
    return n ? static_cast<std::uint32_t>(std::stoul(*n)) : 0;
}

/// Asks for the next step and requires it to be a send of `method` (and of part `part`, if not 0).
template <class M>
step expect_send(M& m, std::string_view method, std::uint32_t part = 0) {
    const step s = m.next();
    REQUIRE(s.kind == step_kind::send);
    REQUIRE(s.request != nullptr);
    CHECK(s.request->method == method);
    CHECK(part_number(s) == part);
    return s;
}

/// Initiates and returns the three part steps, all in flight.
template <class M>
std::vector<step> initiate_and_send_parts(M& m, const fixture& f) {
    const step init = expect_send(m, "POST");
    CHECK(query(*init.request, "uploads"));
    REQUIRE(m.receive(init.id, fixture::initiated()));
    std::vector<step> parts;
    for (std::uint32_t n = 1; n <= f.plan.part_count; ++n) parts.push_back(expect_send(m, "PUT", n));
    return parts;
}

}  // namespace

static_assert(coswire::step_machine<coswire::multipart_upload_machine<coswire::memory_source>>);

TEST_CASE("multipart_upload_machine: three parts in flight answered out of order complete in part order") {
    fixture f;
    auto m = f.machine(3);
    const std::vector<step> parts = initiate_and_send_parts(m, f);
    CHECK(parts[0].id != parts[1].id);
    CHECK(parts[1].id != parts[2].id);
    CHECK(m.next().kind == step_kind::idle);  // all three are in flight: nothing else to start
    REQUIRE(m.receive(parts[2].id, f.part_answer(3)));
    CHECK(m.next().kind == step_kind::idle);
    REQUIRE(m.receive(parts[0].id, f.part_answer(1)));
    CHECK(m.next().kind == step_kind::idle);
    REQUIRE(m.receive(parts[1].id, f.part_answer(2)));
    const step complete = expect_send(m, "POST");
    CHECK(query(*complete.request, "uploadId") == std::string(upload_id));
    // The body names the parts 1, 2, 3 in order with the ETags their answers gave.
    const std::string& body = complete.request->body;
    std::size_t at = 0;
    for (std::uint32_t n = 1; n <= 3; ++n) {
        const std::size_t found = body.find("<PartNumber>" + std::to_string(n) + "</PartNumber>", at);
        REQUIRE(found != std::string::npos);
        at = found;
        const std::string md5 = coswire::to_hex(std::span<const std::uint8_t>(coswire::md5_hash(fixture::bytes(f.part(n)))));
        CHECK(body.find(md5, at) != std::string::npos);
    }
    REQUIRE(m.receive(complete.id, f.completed()));
    REQUIRE(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE(r);
    CHECK(r->upload_id == upload_id);
    CHECK(r->parts == 3);
    CHECK(r->crc64 == coswire::crc64(fixture::bytes(f.data)));
    CHECK(r->verified.key_matched);
    CHECK(r->verified.part_count_matched);
    CHECK(f.progress == std::vector<std::uint32_t>{3, 1, 2});
}

TEST_CASE("multipart_upload_machine: a part answered 503 is retried after a wait step, marked as a retry") {
    fixture f;
    auto m = f.machine(2);
    const step init = expect_send(m, "POST");
    REQUIRE(m.receive(init.id, fixture::initiated()));
    const step one = expect_send(m, "PUT", 1);
    const step two = expect_send(m, "PUT", 2);
    REQUIRE(m.receive(two.id, cos_error(503, "ServiceUnavailable")));
    const step wait = m.next();
    REQUIRE(wait.kind == step_kind::wait);
    CHECK(wait.id > two.id);
    CHECK(m.next().kind == step_kind::idle);  // part 1 and the wait are in flight
    REQUIRE(m.waited(wait.id));
    const step again = expect_send(m, "PUT", 2);
    CHECK(again.id != two.id);
    CHECK(again.request->header("x-cos-sdk-retry") == "true");
    CHECK_FALSE(one.request->header("x-cos-sdk-retry"));
    REQUIRE(m.receive(again.id, f.part_answer(2)));
    REQUIRE(m.receive(one.id, f.part_answer(1)));
    const step three = expect_send(m, "PUT", 3);
    REQUIRE(m.receive(three.id, f.part_answer(3)));
    const step complete = expect_send(m, "POST");
    REQUIRE(m.receive(complete.id, f.completed()));
    REQUIRE(m.next().kind == step_kind::done);
    CHECK(m.take_result());
}

TEST_CASE("multipart_upload_machine: a Complete whose answer was lost is settled by HEAD") {
    fixture f;
    auto m = f.machine(3);
    const std::vector<step> parts = initiate_and_send_parts(m, f);
    for (std::uint32_t n = 1; n <= 3; ++n) REQUIRE(m.receive(parts[n - 1].id, f.part_answer(n)));
    const step complete = expect_send(m, "POST");
    REQUIRE(m.receive(complete.id, coswire::make_error(errc::transport_failure, "transport", "connection reset")));
    const step wait = m.next();
    REQUIRE(wait.kind == step_kind::wait);
    REQUIRE(m.waited(wait.id));
    const step retried = expect_send(m, "POST");
    // The first attempt did complete, so the retry finds no such upload.
    REQUIRE(m.receive(retried.id, cos_error(404, "NoSuchUpload")));
    const step head = expect_send(m, "HEAD");
    CHECK(head.request->path == "/dir/obj");
    REQUIRE(m.receive(head.id, f.headed()));
    REQUIRE(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE(r);
    CHECK(r->confirmed_by_head);
    CHECK(r->verified.crc64_from == coswire::crc64_evidence::head_header);
    CHECK(r->verified.size_by_head);
    CHECK(r->etag == "0123456789abcdef0123456789abcdef-3");
}

TEST_CASE("multipart_upload_machine: a part failing for good stops new parts, lets those in flight end, and aborts") {
    fixture f(coswire::client_options{.max_attempts = 1});
    auto m = f.machine(2);
    const step init = expect_send(m, "POST");
    REQUIRE(m.receive(init.id, fixture::initiated()));
    const step one = expect_send(m, "PUT", 1);
    const step two = expect_send(m, "PUT", 2);
    REQUIRE(m.receive(one.id, cos_error(403, "AccessDenied")));
    CHECK(m.next().kind == step_kind::idle);  // part 3 is not started; part 2 is still in flight
    REQUIRE(m.receive(two.id, f.part_answer(2)));
    const step abort = expect_send(m, "DELETE");
    CHECK(query(*abort.request, "uploadId") == std::string(upload_id));
    REQUIRE(m.receive(abort.id, http_response{204, {{"x-cos-request-id", "rid"}}, {}}));
    REQUIRE(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE_FALSE(r);
    CHECK(r.error().reason.find("the upload was aborted") != std::string::npos);
    CHECK(f.progress == std::vector<std::uint32_t>{});
}

TEST_CASE("multipart_upload_machine: misuse is an error value and changes nothing") {
    fixture f;
    auto m = f.machine(3);
    const step init = expect_send(m, "POST");
    const auto refused = [](coswire::result<void> r, std::string_view argument, std::string_view says) {
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().argument == argument);
        CHECK(r.error().reason.find(says) != std::string::npos);
    };
    refused(m.receive(init.id + 7, fixture::initiated()), "step_id", "never issued");
    refused(m.receive(0, fixture::initiated()), "step_id", "never issued");
    refused(m.waited(init.id), "step_id", "is a send step, not a wait step");
    auto early = m.take_result();
    REQUIRE_FALSE(early);
    CHECK(early.error().reason.find("not done yet") != std::string::npos);
    REQUIRE(m.receive(init.id, fixture::initiated()));
    refused(m.receive(init.id, fixture::initiated()), "step_id", "already been answered");
    const std::vector<step> parts{expect_send(m, "PUT", 1), expect_send(m, "PUT", 2), expect_send(m, "PUT", 3)};
    refused(m.receive_head(parts[0].id, f.part_answer(1)), "machine", "not streamed");
    for (std::uint32_t n = 1; n <= 3; ++n) REQUIRE(m.receive(parts[n - 1].id, f.part_answer(n)));
    const step complete = expect_send(m, "POST");
    REQUIRE(m.receive(complete.id, f.completed()));
    REQUIRE(m.next().kind == step_kind::done);
    CHECK(m.next().kind == step_kind::done);  // a step after done is done again
    refused(m.receive(complete.id, f.completed()), "step_id", "already been answered");
    CHECK(m.take_result());
    auto again = m.take_result();
    REQUIRE_FALSE(again);
    CHECK(again.error().reason.find("already taken") != std::string::npos);
}

TEST_CASE("multipart_upload_machine: bad arguments end it at the first step with nothing sent") {
    fixture f;
    auto zero = f.machine(0);
    REQUIRE(zero.next().kind == step_kind::done);
    CHECK(zero.take_result().error().argument == "in_flight");
    f.plan.object_size = 12;
    auto wrong_plan = f.machine(1);
    REQUIRE(wrong_plan.next().kind == step_kind::done);
    CHECK(wrong_plan.take_result().error().argument == "plan");
}
