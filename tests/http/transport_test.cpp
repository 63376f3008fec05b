// SPDX-License-Identifier: MIT
#include <coswire/http/transport.hpp>

#include <doctest/doctest.h>

#include <coswire/testing/fake_transport.hpp>

#include <coswire/crypto/crc64.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace {
struct lambda_holder {
    int calls = 0;
    coswire::result<coswire::http_response> operator()(const coswire::http_request&) {
        ++calls;
        return coswire::http_response{.status = 204};
    }
};
struct wrong_return {
    coswire::http_response operator()(const coswire::http_request&) { return {}; }
};
}  // namespace

static_assert(coswire::transport<coswire::testing::fake_transport>);
static_assert(coswire::transport<lambda_holder>);
static_assert(!coswire::transport<int>);
static_assert(!coswire::transport<wrong_return>, "a transport must report failures as values");

TEST_CASE("transport: a lambda qualifies and is called with the request") {
    auto logging = [](const coswire::http_request& r) -> coswire::result<coswire::http_response> {
        return coswire::http_response{200, {}, r.method};
    };
    static_assert(coswire::transport<decltype(logging)>);
    coswire::http_request r;
    r.method = "HEAD";
    CHECK(logging(r)->body == "HEAD");
}

TEST_CASE("fake_transport: replays canned responses in order and records requests with their payload") {
    coswire::testing::fake_transport t;
    t.respond(200, {{"ETag", "\"e\""}}).respond(coswire::make_error(coswire::errc::transport_failure, "transport", "reset"));
    coswire::http_request r;
    r.method = "PUT";
    const std::string data = "bytes";
    r.payload.bytes = std::as_bytes(std::span(data.data(), data.size()));
    CHECK(t(r)->status == 200);
    CHECK(t(r).error().reason == "reset");
    CHECK(t(r).error().reason == "no canned response left");
    REQUIRE(t.requests().size() == 3);
    CHECK(t.requests()[0].body == "bytes");
    CHECK(t.pending() == 0);
}

namespace {
/// A response_sink that records what it was given, refusing body bytes after `limit`.
struct recording_sink {
    std::vector<int> heads;
    std::string body;
    std::size_t calls = 0;
    std::size_t limit = SIZE_MAX;
    coswire::response_sink sink() {
        return {
            .head = [this](const coswire::http_response& h) -> coswire::result<void> {
                heads.push_back(h.status);
                if (!h.body.empty()) return coswire::make_error(coswire::errc::malformed_response, "head", "carries a body");
                return {};
            },
            .body = [this](std::span<const std::byte> b) -> coswire::result<void> {
                ++calls;
                if (body.size() + b.size() > limit) return coswire::make_error(coswire::errc::limit_exceeded, "sink", "full");
                body.append(reinterpret_cast<const char*>(b.data()), b.size());
                return {};
            },
        };
    }
};
}  // namespace

static_assert(coswire::streaming_transport<coswire::testing::fake_transport>);
static_assert(!coswire::streaming_transport<lambda_holder>, "one call operator is the simple transport");

TEST_CASE("send_streaming: a plain transport's answer reaches the sink as a head and one body piece") {
    lambda_holder plain;
    auto with_body = [](const coswire::http_request&) -> coswire::result<coswire::http_response> {
        return coswire::http_response{200, {{"ETag", "\"e\""}}, "hello"};
    };
    recording_sink rec;
    auto sink = rec.sink();
    auto head = coswire::send_streaming(with_body, coswire::http_request{}, sink);
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(head->body.empty());
    CHECK(head->header("ETag") == "\"e\"");
    CHECK(rec.heads == std::vector<int>{200});
    CHECK(rec.body == "hello");
    recording_sink empty;
    auto empty_sink = empty.sink();
    REQUIRE(coswire::send_streaming(plain, coswire::http_request{}, empty_sink));
    CHECK(empty.heads == std::vector<int>{204});
    CHECK(empty.calls == 0);
}

TEST_CASE("fake_transport: streams a canned body in pieces, and a sink's refusal ends the answer with its error") {
    coswire::testing::fake_transport t;
    t.piece_size(4).respond(206, {{"Content-Range", "bytes 0-9/10"}}, "0123456789").respond(200, {}, "abcdefgh");
    recording_sink rec;
    auto sink = rec.sink();
    auto head = coswire::send_streaming(t, coswire::http_request{}, sink);
    REQUIRE(head);
    CHECK(head->status == 206);
    CHECK(rec.body == "0123456789");
    CHECK(rec.calls == 3);
    recording_sink small;
    small.limit = 5;
    auto small_sink = small.sink();
    auto refused = coswire::send_streaming(t, coswire::http_request{}, small_sink);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().argument == "sink");
    CHECK(small.body == "abcd");
}

TEST_CASE("send_streaming: a streaming transport that breaks the contract is a transport_failure") {
    struct body_first {
        coswire::result<coswire::http_response> operator()(const coswire::http_request&) { return coswire::http_response{.status = 200}; }
        coswire::result<coswire::http_response> operator()(const coswire::http_request&, coswire::response_sink& s) {
            const std::byte b{1};
            if (auto ok = s.body({&b, 1}); !ok) return std::move(ok).error();
            return coswire::http_response{.status = 200};
        }
    } broken;
    static_assert(coswire::streaming_transport<body_first>);
    recording_sink rec;
    auto sink = rec.sink();
    auto r = coswire::send_streaming(broken, coswire::http_request{}, sink);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == coswire::errc::transport_failure);
    CHECK(rec.body.empty());
}

TEST_CASE("fake_transport: a 100 MiB generated body crosses without being held") {
    coswire::testing::fake_transport t;
    const std::uint64_t size = std::uint64_t{100} << 20;
    t.respond_repeated(200, {}, "0123456789abcdef!", size);
    std::uint64_t bytes = 0;
    std::uint64_t crc = 0;
    std::size_t largest = 0;
    coswire::response_sink sink{
        .head = [](const coswire::http_response&) -> coswire::result<void> { return {}; },
        .body = [&](std::span<const std::byte> b) -> coswire::result<void> {
            bytes += b.size();
            largest = std::max(largest, b.size());
            crc = coswire::crc64_update(crc, b);
            return {};
        },
    };
    REQUIRE(coswire::send_streaming(t, coswire::http_request{}, sink));
    CHECK(bytes == size);
    CHECK(largest <= 16 * 1024);  // each piece is one bounded buffer, reused
    std::string expected;
    while (expected.size() < 1000) expected += "0123456789abcdef!";
    CHECK(coswire::crc64(std::string_view(expected).substr(0, 1000)) ==
          [&] {
              coswire::testing::fake_transport small;
              small.respond_repeated(200, {}, "0123456789abcdef!", 1000);
              return coswire::crc64(small(coswire::http_request{})->body);
          }());
}

namespace {
// A pulled body that produces byte (offset mod 251) on demand and counts the reads.
struct counting_reader {
    std::uint64_t size = 0;
    int* reads = nullptr;
    coswire::body_reader make() const {
        return {.size = size, .read = [s = size, r = reads](std::uint64_t offset, std::span<std::byte> into) -> coswire::result<void> {
                    if (offset + into.size() > s) return coswire::make_error(coswire::errc::invalid_argument, "offset", "past the end");
                    ++*r;
                    for (std::size_t i = 0; i < into.size(); ++i) into[i] = static_cast<std::byte>((offset + i) % 251);
                    return {};
                }};
    }
};

// Pulls the body in 1000-byte pieces into a checksum, as a socket writer would; never holds it.
struct pulling_transport {
    static constexpr bool pulls_request_body = true;
    std::uint64_t crc = 0;
    std::uint64_t bytes = 0;
    coswire::result<coswire::http_response> operator()(const coswire::http_request& r) {
        if (!r.body_is_pulled()) return coswire::http_response{.status = 400};
        std::vector<std::byte> piece(1000);
        for (std::uint64_t at = 0; at < r.reader.size; at += piece.size()) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), r.reader.size - at));
            if (auto ok = r.reader.read(at, {piece.data(), n}); !ok) return std::move(ok).error();
            crc = coswire::crc64_update(crc, {piece.data(), n});
            bytes += n;
        }
        return coswire::http_response{.status = 200};
    }
};
}  // namespace

static_assert(coswire::body_pulling_transport<pulling_transport>);
static_assert(!coswire::body_pulling_transport<lambda_holder>);

TEST_CASE("send_collected: a pulled body reaches a plain transport read into memory, and a pulling transport as it is") {
    int reads = 0;
    coswire::http_request r{.method = "PUT", .reader = counting_reader{.size = 10000, .reads = &reads}.make()};
    CHECK(r.body_is_pulled());
    CHECK(r.body_size() == 10000);
    CHECK(r.body_bytes().empty());

    coswire::testing::fake_transport fake;
    fake.respond(200);
    REQUIRE(coswire::send_collected(fake, r));
    REQUIRE(fake.requests().size() == 1);
    const std::string& sent = fake.requests()[0].body;
    REQUIRE(sent.size() == 10000);
    CHECK(static_cast<unsigned char>(sent[9999]) == 9999 % 251);
    CHECK(!fake.requests()[0].body_is_pulled());
    CHECK(reads == 1);

    pulling_transport pulling;
    REQUIRE(coswire::send_collected(pulling, r));
    CHECK(pulling.bytes == 10000);
    CHECK(pulling.crc == coswire::crc64_update(0, std::as_bytes(std::span<const char>(sent.data(), sent.size()))));
    CHECK(reads == 11);  // ten pieces, none collected
}

TEST_CASE("send_collected and send_streaming: a reader's error ends the request with that error, before a plain transport is called") {
    coswire::http_request r{.method = "PUT",
                            .reader = {.size = 5, .read = [](std::uint64_t, std::span<std::byte>) -> coswire::result<void> {
                                           return coswire::make_error(coswire::errc::invalid_argument, "source", "disk gone");
                                       }}};
    lambda_holder plain;
    auto collected = coswire::send_collected(plain, r);
    REQUIRE(!collected);
    CHECK(collected.error().argument == "source");
    coswire::response_sink sink{.head = [](const coswire::http_response&) -> coswire::result<void> { return {}; },
                                .body = [](std::span<const std::byte>) -> coswire::result<void> { return {}; }};
    auto streamed = coswire::send_streaming(plain, r, sink);
    REQUIRE(!streamed);
    CHECK(streamed.error().argument == "source");
    CHECK(plain.calls == 0);
}
