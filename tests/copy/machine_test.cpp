// SPDX-License-Identifier: MIT
// The copy machine driven by hand: every step answered by the test, in the order it chooses.
#include <coswire/copy/machine.hpp>

#include <doctest/doctest.h>

#include <coswire/crypto/crc64.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::http_response;
using coswire::mib;
using coswire::step;
using coswire::step_kind;

namespace {

const coswire::credentials creds{.secret_id = "AKIDcopym", .secret_key = coswire::secret_string("copy-machine-secret")};
constexpr std::string_view upload_id = "1585130821cbb7df1d11846c073ad648";
constexpr std::string_view source_etag = "\"ee8de918d05640145b18f70f4c3aa602\"";
constexpr std::string_view source_host = "sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
constexpr std::string_view destination_host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";
// CRC-64s COS would report for three copied parts of 1 MiB, 1 MiB and 512 KiB; the source's is
// their combination, as it would be for the bytes they hold.
constexpr std::uint64_t part_crc[] = {6701094182323390671u, 4085814139916291200u, 1564134088860173973u};
constexpr std::uint64_t big_size = 2 * mib + 512 * 1024;
const std::uint64_t big_crc =
    coswire::crc64_combine(coswire::crc64_combine(part_crc[0], part_crc[1], mib), part_crc[2], 512 * 1024);

/// A source bucket and a destination bucket, each its own context (as two clients would hold).
struct fixture {
    std::int64_t now = 1700000000;
    coswire::operation_context destination;
    coswire::operation_context source;

    explicit fixture(coswire::client_options options = {})
        : destination(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, [this] { return now; },
                      options),
          source(coswire::make_endpoint("sourcebucket-1250000000", "ap-guangzhou").value(), creds, [this] { return now; },
                 options) {}

    /// A machine copying src/big.bin to copy/big.bin; a multipart copy in 1 MiB parts unless the
    /// options say otherwise.
    coswire::copy_machine machine(std::uint32_t in_flight, coswire::copy_object_options o = {.threshold = 2 * mib, .part_size = mib}) {
        return {destination, source, "src/big.bin", "copy/big.bin", o, in_flight};
    }
};

http_response with_request_id(int status, std::vector<coswire::http_header> headers, std::string body = {}) {
    headers.push_back({"x-cos-request-id", "rid"});
    return {status, std::move(headers), std::move(body)};
}

http_response source_head(std::uint64_t size, std::uint64_t crc) {
    return with_request_id(200, {{"Content-Length", std::to_string(size)},
                                 {"ETag", std::string(source_etag)},
                                 {"x-cos-hash-crc64ecma", std::to_string(crc)}});
}

http_response initiated() {
    return with_request_id(200, {{"Content-Type", "application/xml"}},
                           "<InitiateMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket><Key>copy/big.bin</Key><UploadId>" +
                               std::string(upload_id) + "</UploadId></InitiateMultipartUploadResult>");
}

http_response part_copied(std::uint32_t n) {
    return with_request_id(200, {{"Content-Type", "application/xml"}, {"x-cos-hash-crc64ecma", std::to_string(part_crc[n - 1])}},
                           "<CopyPartResult><ETag>\"etag-" + std::to_string(n) + "\"</ETag></CopyPartResult>");
}

http_response completed() {
    return with_request_id(200, {{"Content-Type", "application/xml"}, {"x-cos-hash-crc64ecma", std::to_string(big_crc)}},
                           "<CompleteMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket><Key>copy/big.bin</Key>"
                           "<ETag>&quot;aa259a62513358f69e98e72e59856d88-3&quot;</ETag></CompleteMultipartUploadResult>");
}

http_response cos_error(int status, const std::string& code) {
    return with_request_id(status, {{"Content-Type", "application/xml"}}, "<Error><Code>" + code + "</Code><Message>m</Message></Error>");
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
step expect_send(coswire::copy_machine& m, std::string_view method, std::uint32_t part = 0) {
    const step s = m.next();
    REQUIRE(s.kind == step_kind::send);
    REQUIRE(s.request != nullptr);
    CHECK(s.request->method == method);
    CHECK(part_number(s) == part);
    return s;
}

/// HEADs the source, initiates and returns the first `parts` part steps, all in flight.
std::vector<step> start_multipart(coswire::copy_machine& m, std::uint32_t parts) {
    const step head = expect_send(m, "HEAD");
    CHECK(head.request->host == source_host);
    REQUIRE(m.receive(head.id, source_head(big_size, big_crc)));
    const step init = expect_send(m, "POST");
    CHECK(init.request->host == destination_host);
    CHECK(query(*init.request, "uploads"));
    REQUIRE(m.receive(init.id, initiated()));
    std::vector<step> out;
    for (std::uint32_t n = 1; n <= parts; ++n) out.push_back(expect_send(m, "PUT", n));
    return out;
}

}  // namespace

static_assert(coswire::step_machine<coswire::copy_machine>);

TEST_CASE("copy_machine: a small source is one PUT Object - Copy pinned to the HEAD's ETag") {
    fixture f;
    auto m = f.machine(4, {});
    const step head = expect_send(m, "HEAD");
    CHECK(head.request->host == source_host);
    CHECK(head.request->path == "/src/big.bin");
    REQUIRE(m.receive(head.id, source_head(1234, 77)));
    const step copy = expect_send(m, "PUT");
    CHECK(copy.id != head.id);
    CHECK(copy.request->host == destination_host);
    CHECK(copy.request->header("x-cos-copy-source") == std::string(source_host) + "/src/big.bin");
    CHECK(copy.request->header("x-cos-copy-source-If-Match") == source_etag);
    REQUIRE(m.receive(copy.id, with_request_id(200, {{"Content-Type", "application/xml"}},
                                               "<CopyObjectResult><ETag>\"ee8de918d05640145b18f70f4c3aa602\"</ETag>"
                                               "<CRC64>77</CRC64></CopyObjectResult>")));
    REQUIRE(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE(r);
    CHECK_FALSE(r->multipart);
    CHECK(r->size == 1234);
    CHECK(r->etag == "ee8de918d05640145b18f70f4c3aa602");
    CHECK(r->crc64_matched);
    CHECK_FALSE(m.may_have_repeated());
}

TEST_CASE("copy_machine: three parts in flight answered out of order complete in part order") {
    fixture f;
    auto m = f.machine(3);
    const std::vector<step> parts = start_multipart(m, 3);
    const std::string ranges[] = {"bytes=0-1048575", "bytes=1048576-2097151", "bytes=2097152-2621439"};
    for (std::uint32_t n = 1; n <= 3; ++n) {
        CHECK(parts[n - 1].request->header("x-cos-copy-source-range") == ranges[n - 1]);
        CHECK(parts[n - 1].request->header("x-cos-copy-source-If-Match") == source_etag);
        CHECK(query(*parts[n - 1].request, "uploadId") == std::string(upload_id));
    }
    CHECK(parts[0].id != parts[1].id);
    CHECK(parts[1].id != parts[2].id);
    CHECK(m.next().kind == step_kind::idle);  // all three are in flight: nothing else to start
    REQUIRE(m.receive(parts[2].id, part_copied(3)));
    CHECK(m.next().kind == step_kind::idle);
    REQUIRE(m.receive(parts[0].id, part_copied(1)));
    CHECK(m.next().kind == step_kind::idle);
    REQUIRE(m.receive(parts[1].id, part_copied(2)));
    const step complete = expect_send(m, "POST");
    CHECK(query(*complete.request, "uploadId") == std::string(upload_id));
    const std::string& body = complete.request->body;
    std::size_t at = 0;
    for (std::uint32_t n = 1; n <= 3; ++n) {
        const std::size_t found =
            body.find("<PartNumber>" + std::to_string(n) + "</PartNumber><ETag>&quot;etag-" + std::to_string(n) + "&quot;</ETag>", at);
        REQUIRE(found != std::string::npos);
        at = found;
    }
    REQUIRE(m.receive(complete.id, completed()));
    REQUIRE(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE(r);
    CHECK(r->multipart);
    CHECK(r->parts == 3);
    CHECK(r->upload_id == upload_id);
    CHECK(r->etag == "aa259a62513358f69e98e72e59856d88-3");
    CHECK(r->crc64 == big_crc);
    CHECK(r->crc64_matched);
}

TEST_CASE("copy_machine: a part answered 503 is retried after a wait step while another part goes on") {
    fixture f;
    auto m = f.machine(2);
    const std::vector<step> parts = start_multipart(m, 2);
    REQUIRE(m.receive(parts[1].id, cos_error(503, "ServiceUnavailable")));
    const step wait = m.next();
    REQUIRE(wait.kind == step_kind::wait);
    CHECK(wait.id > parts[1].id);
    CHECK(m.next().kind == step_kind::idle);  // part 1 and the wait are in flight
    REQUIRE(m.waited(wait.id));
    const step again = expect_send(m, "PUT", 2);
    CHECK(again.request->header("x-cos-sdk-retry") == "true");
    CHECK_FALSE(parts[0].request->header("x-cos-sdk-retry"));
    REQUIRE(m.receive(again.id, part_copied(2)));
    REQUIRE(m.receive(parts[0].id, part_copied(1)));
    const step three = expect_send(m, "PUT", 3);
    REQUIRE(m.receive(three.id, part_copied(3)));
    const step complete = expect_send(m, "POST");
    REQUIRE(m.receive(complete.id, completed()));
    REQUIRE(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE(r);
    CHECK(r->crc64_matched);
}

TEST_CASE("copy_machine: a source changed mid-copy (412 on If-Match) is said so, the parts in flight end, and the upload is aborted") {
    fixture f;
    auto m = f.machine(2);
    const std::vector<step> parts = start_multipart(m, 2);
    REQUIRE(m.receive(parts[0].id, cos_error(412, "PreconditionFailed")));
    CHECK(m.next().kind == step_kind::idle);  // part 3 is not started; part 2 is still in flight
    REQUIRE(m.receive(parts[1].id, part_copied(2)));
    const step abort = expect_send(m, "DELETE");
    CHECK(query(*abort.request, "uploadId") == std::string(upload_id));
    REQUIRE(m.receive(abort.id, with_request_id(204, {})));
    REQUIRE(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE_FALSE(r);
    CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::precondition_failed));
    CHECK(r.error().reason.find("changed during the copy") != std::string::npos);
    CHECK(r.error().reason.find("the upload was aborted") != std::string::npos);

    SUBCASE("keep_on_failure: no abort") {
        fixture g;
        auto kept = g.machine(1, {.threshold = 2 * mib, .part_size = mib, .keep_on_failure = true});
        const std::vector<step> one = start_multipart(kept, 1);
        REQUIRE(kept.receive(one[0].id, cos_error(412, "PreconditionFailed")));
        REQUIRE(kept.next().kind == step_kind::done);
        CHECK(coswire::is_cos_error(kept.take_result().error(), coswire::cos_errc::precondition_failed));
    }
}

TEST_CASE("copy_machine: a Complete whose answer was lost is settled by a HEAD of the copy") {
    fixture f;
    auto m = f.machine(3);
    const std::vector<step> parts = start_multipart(m, 3);
    for (std::uint32_t n = 1; n <= 3; ++n) REQUIRE(m.receive(parts[n - 1].id, part_copied(n)));
    const step complete = expect_send(m, "POST");
    REQUIRE(m.receive(complete.id, coswire::make_error(errc::transport_failure, "transport", "connection reset")));
    const step wait = m.next();
    REQUIRE(wait.kind == step_kind::wait);
    REQUIRE(m.waited(wait.id));
    const step retried = expect_send(m, "POST");
    // The first attempt did complete, so the retry finds no such upload.
    REQUIRE(m.receive(retried.id, cos_error(404, "NoSuchUpload")));
    const step head = expect_send(m, "HEAD");
    CHECK(head.request->host == destination_host);
    CHECK(head.request->path == "/copy/big.bin");
    REQUIRE(m.receive(head.id, with_request_id(200, {{"Content-Length", std::to_string(big_size)},
                                                     {"ETag", "\"aa259a62513358f69e98e72e59856d88-3\""},
                                                     {"x-cos-hash-crc64ecma", std::to_string(big_crc)}})));
    REQUIRE(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE(r);
    CHECK(r->confirmed_by_head);
    CHECK(r->crc64_matched);
    CHECK(r->etag == "aa259a62513358f69e98e72e59856d88-3");
}

TEST_CASE("copy_machine: misuse is an error value and changes nothing") {
    fixture f;
    auto m = f.machine(3);
    const step head = expect_send(m, "HEAD");
    const auto refused = [](coswire::result<void> r, std::string_view argument, std::string_view says) {
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().argument == argument);
        CHECK(r.error().reason.find(says) != std::string::npos);
    };
    refused(m.receive(head.id + 7, source_head(big_size, big_crc)), "step_id", "never issued");
    refused(m.receive(0, source_head(big_size, big_crc)), "step_id", "never issued");
    refused(m.waited(head.id), "step_id", "is a send step, not a wait step");
    refused(m.receive_head(head.id, source_head(big_size, big_crc)), "machine", "not streamed");
    auto early = m.take_result();
    REQUIRE_FALSE(early);
    CHECK(early.error().reason.find("not done yet") != std::string::npos);
    REQUIRE(m.receive(head.id, source_head(big_size, big_crc)));
    refused(m.receive(head.id, source_head(big_size, big_crc)), "step_id", "already been answered");
    const step init = expect_send(m, "POST");
    REQUIRE(m.receive(init.id, initiated()));
    const std::vector<step> parts{expect_send(m, "PUT", 1), expect_send(m, "PUT", 2), expect_send(m, "PUT", 3)};
    for (std::uint32_t n = 1; n <= 3; ++n) REQUIRE(m.receive(parts[n - 1].id, part_copied(n)));
    refused(m.receive(parts[1].id, part_copied(2)), "step_id", "already been answered");
    const step complete = expect_send(m, "POST");
    REQUIRE(m.receive(complete.id, completed()));
    REQUIRE(m.next().kind == step_kind::done);
    CHECK(m.next().kind == step_kind::done);  // a step after done is done again
    refused(m.receive(complete.id, completed()), "step_id", "already been answered");
    CHECK(m.take_result());
    auto again = m.take_result();
    REQUIRE_FALSE(again);
    CHECK(again.error().reason.find("already taken") != std::string::npos);
}

TEST_CASE("copy_machine: bad arguments end it at the first step with nothing sent") {
    fixture f;
    auto zero = f.machine(0);
    REQUIRE(zero.next().kind == step_kind::done);
    CHECK(zero.take_result().error().argument == "in_flight");
    auto big = f.machine(1, {.threshold = coswire::max_put_object_size + 1});
    REQUIRE(big.next().kind == step_kind::done);
    CHECK(big.take_result().error().argument == "threshold");
}
