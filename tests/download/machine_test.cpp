// SPDX-License-Identifier: MIT
#include <coswire/download/machine.hpp>

#include "../support/sinks.hpp"

#include <doctest/doctest.h>

#include <coswire/crypto/crc64.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::http_request;
using coswire::http_response;
using coswire::step;
using coswire::step_kind;

using test_support::random_text;
using test_support::buffer_sink;
using test_support::string_sink;

namespace {

const coswire::credentials creds{.secret_id = "AKIDdlmachine", .secret_key = coswire::secret_string("dl-machine-secret")};
constexpr std::uint64_t part = 64 * 1024;

coswire::operation_context make_context(std::uint32_t max_attempts = 4) {
    return {coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, [] { return std::int64_t{1700000000}; },
            coswire::client_options{.max_attempts = max_attempts}};
}

/// Plays COS for one object by hand: reads the Range a request asks for and makes the answer.
struct object_answers {
    std::string data;
    std::string etag = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    bool send_crc = true;

    /// The first and last byte a GET asks for.
    static std::pair<std::uint64_t, std::uint64_t> asked(const http_request& r) {
        const std::string_view range = r.header("Range").value();
        REQUIRE(range.substr(0, 6) == "bytes=");
        const std::size_t dash = range.find('-');
        return {std::stoull(std::string(range.substr(6, dash - 6))), std::stoull(std::string(range.substr(dash + 1)))};
    }

    /// The head of the 206 answer to `r` (the body is body_for(r)).
    http_response head_for(const http_request& r) const {
        const auto [first, last_asked] = asked(r);
        const std::uint64_t last = std::min<std::uint64_t>(last_asked, data.size() - 1);
        http_response out{206, {}, {}};
        out.headers = {{"Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(data.size())},
                       {"Content-Length", std::to_string(last - first + 1)},
                       {"ETag", "\"" + etag + "\""},
                       {"x-cos-request-id", "rid"}};
        if (send_crc) out.headers.push_back({"x-cos-hash-crc64ecma", std::to_string(coswire::crc64(as_bytes(data)))});
        return out;
    }

    std::string_view body_for(const http_request& r) const {
        const auto [first, last_asked] = asked(r);
        const std::uint64_t last = std::min<std::uint64_t>(last_asked, data.size() - 1);
        return std::string_view(data).substr(first, last - first + 1);
    }

    static std::span<const std::byte> as_bytes(std::string_view s) { return std::as_bytes(std::span<const char>(s.data(), s.size())); }
};

/// Reports a whole streamed answer to step `s`: the head, the body in pieces of `piece` bytes, the end.
template <class Machine>
void answer(Machine& m, const step& s, const http_response& head, std::string_view body, std::size_t piece = 4096) {
    REQUIRE(m.receive_head(s.id, head));
    for (std::size_t at = 0; at < body.size(); at += piece)
        REQUIRE(m.receive_body(s.id, object_answers::as_bytes(body.substr(at, piece))));
    REQUIRE(m.receive(s.id, head));
}

template <class Machine>
void answer(Machine& m, const step& s, const object_answers& cos) {
    answer(m, s, cos.head_for(*s.request), cos.body_for(*s.request));
}

http_response slow_down() {
    return {503, {{"x-cos-request-id", "rid"}}, "<Error><Code>SlowDown</Code><Message>m</Message></Error>"};
}

}  // namespace

static_assert(coswire::step_machine<coswire::download_machine<buffer_sink>>);
static_assert(coswire::step_machine<coswire::download_machine<string_sink>>);

TEST_CASE("download_machine: four ranges in flight, answered out of order and interleaved") {
    auto context = make_context();
    object_answers cos{.data = random_text(5 * part + 7, 1)};
    buffer_sink sink(cos.data.size());
    std::vector<std::uint64_t> progress;
    coswire::download_options options{.part_size = part};
    options.on_progress = [&](const coswire::download_progress& p) {
        CHECK(p.bytes_total == cos.data.size());
        progress.push_back(p.bytes_done);
    };
    coswire::download_machine m(context, "big.bin", sink, options, 4);

    // The first request runs alone and pins the object.
    const step first = m.next();
    REQUIRE(first.kind == step_kind::send);
    CHECK(first.streamed);
    CHECK(first.request->header("Range") == "bytes=0-65535");
    CHECK_FALSE(first.request->header("If-Match"));
    CHECK(m.next().kind == step_kind::idle);
    answer(m, first, cos);

    // Then four at once, each pinned by If-Match; the fifth waits for a free slot.
    std::vector<step> flight;
    for (int i = 0; i < 4; ++i) flight.push_back(m.next());
    CHECK(m.next().kind == step_kind::idle);
    for (std::size_t i = 0; i < flight.size(); ++i) {
        REQUIRE(flight[i].kind == step_kind::send);
        CHECK(flight[i].request->header("If-Match") == "\"" + cos.etag + "\"");
        CHECK(object_answers::asked(*flight[i].request).first == (i + 1) * part);
    }
    // Heads in the order 3, 1, 4, 2; body pieces round robin; ends in the order 2, 4, 1, 3.
    const std::size_t head_order[] = {2, 0, 3, 1};
    for (std::size_t i : head_order) REQUIRE(m.receive_head(flight[i].id, cos.head_for(*flight[i].request)));
    constexpr std::size_t piece = 10000;
    for (std::size_t at = 0; at < part; at += piece)
        for (std::size_t i : head_order) {
            const std::string_view body = cos.body_for(*flight[i].request);
            REQUIRE(m.receive_body(flight[i].id, object_answers::as_bytes(body.substr(at, std::min(piece, body.size() - at)))));
        }
    const std::size_t end_order[] = {1, 3, 0, 2};
    for (std::size_t i : end_order) REQUIRE(m.receive(flight[i].id, cos.head_for(*flight[i].request)));

    // The last, short range, then done: no HEAD, since the first answer carried the CRC-64.
    const step last = m.next();
    REQUIRE(last.kind == step_kind::send);
    CHECK(last.request->header("Range") == "bytes=" + std::to_string(5 * part) + "-" + std::to_string(5 * part + 6));
    answer(m, last, cos);
    CHECK(m.next().kind == step_kind::done);
    auto done = m.take_result();
    REQUIRE_MESSAGE(done, describe(done.error()));
    CHECK(sink.data == cos.data);
    CHECK(sink.written == cos.data.size());
    CHECK(done->crc == coswire::crc_check::verified);
    CHECK(done->crc64 == coswire::crc64(object_answers::as_bytes(cos.data)));
    CHECK(done->ranges == 6);
    CHECK(done->ranges_fetched == 6);
    CHECK(progress.size() == 6);
    CHECK(progress.back() == cos.data.size());
    CHECK(std::is_sorted(progress.begin(), progress.end()));
    CHECK_FALSE(m.may_have_repeated());
}

TEST_CASE("download_machine: a range retried after a 503 and after a connection lost mid-body; the sink sees each byte once") {
    auto context = make_context();
    object_answers cos{.data = random_text(3 * part, 2)};
    buffer_sink sink(cos.data.size());
    coswire::download_machine m(context, "r.bin", sink, {.part_size = part}, 2);
    answer(m, m.next(), cos);
    const step one = m.next();
    const step two = m.next();
    REQUIRE(one.kind == step_kind::send);
    REQUIRE(two.kind == step_kind::send);

    // Range 1: COS asks to slow down; the machine waits, then sends it again marked as a retry.
    const http_response busy = slow_down();
    REQUIRE(m.receive_head(one.id, busy));
    REQUIRE(m.receive_body(one.id, object_answers::as_bytes(busy.body)));
    REQUIRE(m.receive(one.id, http_response{busy.status, busy.headers, {}}));
    // Range 2: half its body, then the connection drops.
    const http_response head_two = cos.head_for(*two.request);
    REQUIRE(m.receive_head(two.id, head_two));
    REQUIRE(m.receive_body(two.id, object_answers::as_bytes(cos.body_for(*two.request).substr(0, part / 2))));
    REQUIRE(m.receive(two.id, coswire::make_error(errc::transport_failure, "transport", "connection reset")));

    const step wait_one = m.next();
    const step wait_two = m.next();
    REQUIRE(wait_one.kind == step_kind::wait);
    REQUIRE(wait_two.kind == step_kind::wait);
    CHECK(m.next().kind == step_kind::idle);
    REQUIRE(m.waited(wait_two.id));
    const step again_two = m.next();
    REQUIRE(again_two.kind == step_kind::send);
    CHECK(again_two.request->header("x-cos-sdk-retry") == "true");
    answer(m, again_two, cos);
    REQUIRE(m.waited(wait_one.id));
    const step again_one = m.next();
    REQUIRE(again_one.kind == step_kind::send);
    answer(m, again_one, cos);

    CHECK(m.next().kind == step_kind::done);
    auto done = m.take_result();
    REQUIRE_MESSAGE(done, describe(done.error()));
    CHECK(sink.data == cos.data);
    CHECK(sink.written == cos.data.size());  // the resent half of range 2 was skipped
    CHECK(done->crc == coswire::crc_check::verified);
    CHECK(m.may_have_repeated());
}

TEST_CASE("download_machine: an object replaced mid-way (412) fails after the ranges in flight finish") {
    auto context = make_context();
    object_answers cos{.data = random_text(4 * part, 3)};
    buffer_sink sink(cos.data.size());
    coswire::download_checkpoint checkpoint;
    coswire::download_machine m(context, "x.bin", sink, {.part_size = part, .checkpoint = &checkpoint}, 2);
    answer(m, m.next(), cos);
    const step one = m.next();
    const step two = m.next();
    const http_response replaced{412, {{"x-cos-request-id", "rid"}},
                                 "<Error><Code>PreconditionFailed</Code><Message>m</Message></Error>"};
    REQUIRE(m.receive_head(one.id, replaced));
    REQUIRE(m.receive_body(one.id, object_answers::as_bytes(replaced.body)));
    REQUIRE(m.receive(one.id, http_response{412, replaced.headers, {}}));
    // No new range starts; the one in flight still counts.
    CHECK(m.next().kind == step_kind::idle);
    answer(m, two, cos);
    CHECK(m.next().kind == step_kind::done);
    auto done = m.take_result();
    REQUIRE_FALSE(done);
    CHECK(done.error().code == errc::object_changed);
    CHECK(done.error().reason.find("range 1: ") == 0);
    REQUIRE(checkpoint.done.size() == 2);
    CHECK(checkpoint.done[0].index == 0);
    CHECK(checkpoint.done[1].index == 2);
}

TEST_CASE("download_machine: a wrong Content-Range or a truncated body fails the range, named") {
    auto context = make_context(1);
    object_answers cos{.data = random_text(2 * part, 4)};
    buffer_sink sink(cos.data.size());
    coswire::download_machine m(context, "k", sink, {.part_size = part});
    answer(m, m.next(), cos);
    const step one = m.next();
    REQUIRE(one.kind == step_kind::send);
    SUBCASE("wrong Content-Range") {
        http_response head = cos.head_for(*one.request);
        head.headers[0].value = "bytes 0-65535/" + std::to_string(cos.data.size());
        auto refused = m.receive_head(one.id, head);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().argument == "Content-Range");
        REQUIRE(m.receive(one.id, std::move(refused).error()));
        CHECK(m.next().kind == step_kind::done);
        auto done = m.take_result();
        REQUIRE_FALSE(done);
        CHECK(done.error().code == errc::malformed_response);
        CHECK(done.error().argument == "Content-Range");
        CHECK(sink.written == part);  // nothing of range 1 reached the sink
    }
    SUBCASE("truncated body") {
        answer(m, one, cos.head_for(*one.request), cos.body_for(*one.request).substr(0, 1000));
        CHECK(m.next().kind == step_kind::done);
        auto done = m.take_result();
        REQUIRE_FALSE(done);
        CHECK(done.error().code == errc::malformed_response);
        CHECK(done.error().argument == "body");
        CHECK(done.error().reason.find("range 1: ") == 0);
    }
    SUBCASE("a body longer than the range") {
        const http_response head = cos.head_for(*one.request);
        REQUIRE(m.receive_head(one.id, head));
        REQUIRE(m.receive_body(one.id, object_answers::as_bytes(cos.body_for(*one.request))));
        auto refused = m.receive_body(one.id, object_answers::as_bytes("x"));
        REQUIRE_FALSE(refused);
        CHECK(refused.error().argument == "body");
    }
}

TEST_CASE("download_machine: without x-cos-hash-crc64ecma it asks a HEAD, and says unchecked when that has none") {
    auto context = make_context();
    object_answers cos{.data = random_text(part + 1, 5), .send_crc = false};
    string_sink sink;
    coswire::download_machine m(context, "old.bin", sink, {.part_size = part});
    answer(m, m.next(), cos);
    answer(m, m.next(), cos);
    const step head = m.next();
    REQUIRE(head.kind == step_kind::send);
    CHECK(head.request->method == "HEAD");
    CHECK(head.request->header("If-Match") == "\"" + cos.etag + "\"");
    http_response stated{200, {{"ETag", "\"" + cos.etag + "\""}, {"Content-Length", std::to_string(cos.data.size())}, {"x-cos-request-id", "rid"}}, {}};
    SUBCASE("none") {
        REQUIRE(m.receive(head.id, stated));
        CHECK(m.next().kind == step_kind::done);
        auto done = m.take_result();
        REQUIRE_MESSAGE(done, describe(done.error()));
        CHECK(done->crc == coswire::crc_check::not_sent);
        CHECK(sink.data == cos.data);
    }
    SUBCASE("a wrong one") {
        stated.headers.push_back({"x-cos-hash-crc64ecma", "12345"});
        REQUIRE(m.receive(head.id, stated));
        CHECK(m.next().kind == step_kind::done);
        auto done = m.take_result();
        REQUIRE_FALSE(done);
        CHECK(done.error().code == errc::integrity_failure);
    }
}

TEST_CASE("download_machine: misuse is an error value that changes nothing") {
    auto context = make_context();
    object_answers cos{.data = random_text(2 * part, 6)};
    buffer_sink sink(cos.data.size());
    coswire::download_machine m(context, "k", sink, {.part_size = part});
    CHECK(m.take_result().error().argument == "machine");  // before done
    const step first = m.next();
    CHECK(m.receive(first.id + 7, cos.head_for(*first.request)).error().reason.find("never issued") != std::string::npos);
    CHECK(m.waited(first.id).error().argument == "step_id");  // a send step, not a wait step
    CHECK(m.receive_body(first.id, object_answers::as_bytes("x")).error().argument == "machine");  // body before head
    answer(m, first, cos);
    auto again = m.receive(first.id, cos.head_for(*first.request));
    REQUIRE_FALSE(again);
    CHECK(again.error().reason.find("already been answered") != std::string::npos);
    answer(m, m.next(), cos);
    CHECK(m.next().kind == step_kind::done);
    CHECK(m.next().kind == step_kind::done);  // a step after done is done again
    CHECK(m.waited(99).error().argument == "step_id");
    auto done = m.take_result();
    REQUIRE_MESSAGE(done, describe(done.error()));
    CHECK(sink.data == cos.data);
    CHECK(m.take_result().error().argument == "machine");  // taken twice
}

TEST_CASE("download_machine: bad arguments end it at once, nothing sent") {
    auto context = make_context();
    buffer_sink positional(1);
    string_sink sequential;
    coswire::download_machine zero(context, "k", positional, {}, 0);
    CHECK(zero.next().kind == step_kind::done);
    CHECK(zero.take_result().error().argument == "jobs");
    coswire::download_machine in_order(context, "k", sequential, {}, 2);
    CHECK(in_order.next().kind == step_kind::done);
    CHECK(in_order.take_result().error().argument == "jobs");
    coswire::download_machine small(context, "k", positional, {.part_size = 100});
    CHECK(small.next().kind == step_kind::done);
    CHECK(small.take_result().error().argument == "part_size");
    coswire::download_machine no_key(context, "", positional, {.part_size = part});
    CHECK(no_key.next().kind == step_kind::done);
    CHECK(no_key.take_result().error().code == errc::invalid_argument);
}
