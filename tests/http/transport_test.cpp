// SPDX-License-Identifier: MIT
#include <coswire/http/transport.hpp>

#include <doctest/doctest.h>

#include <coswire/testing/fake_transport.hpp>

#include <string>

namespace {
struct lambda_holder {
    int calls = 0;
    coswire::result<coswire::http_response> operator()(const coswire::http_request&) {
        ++calls;
        return coswire::http_response{204, {}, {}};
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
