// SPDX-License-Identifier: MIT
#include <coswire/transport/curl_pool.hpp>

#include <doctest/doctest.h>

#include "loopback_server.hpp"

#include <coswire/api/object.hpp>

#include <atomic>
#include <cstddef>
#include <span>
#include <string>
#include <thread>
#include <vector>

using coswire::transports::curl_pool;
using coswire::transports::curl_transport_options;

namespace {

static_assert(coswire::transport<curl_pool>);
static_assert(coswire::streaming_transport<curl_pool>);
static_assert(coswire::body_pulling_transport<curl_pool>);

// connect_timeout 5 s, stall_timeout 2 s. The pool is neither copied nor moved: it is made in place.
curl_pool make(const std::string& connect_to) {
    return curl_pool({.connect_to = connect_to, .connect_timeout_seconds = 5, .stall_timeout_seconds = 2});
}

}  // namespace

TEST_CASE("curl_pool: one caller at a time gets the same handle, and so the same kept-alive connection") {
    loopback::check_methods(make, {}, true);
}

TEST_CASE("curl_pool: a signed PUT, a streamed 100 MiB body and a pulled 24 MiB body pass through unchanged") {
    loopback::check_signed_put(make, {});
    loopback::check_streams_large_body(make);
    loopback::check_pulled_upload(make);
}

TEST_CASE("curl_pool: 100 requests from 8 threads each get their own answer, over at most 8 reused connections") {
    REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
    loopback::echo_server srv;
    curl_pool pool({.connect_to = srv.url(), .connect_timeout_seconds = 5, .stall_timeout_seconds = 5});
    constexpr int threads = 8;
    constexpr int total = 100;
    std::atomic<int> next{0};
    std::atomic<int> answered{0};
    std::vector<std::string> failures(threads);
    std::vector<std::thread> workers;
    for (int w = 0; w < threads; ++w)
        workers.emplace_back([&, w] {
            for (int i = next++; i < total; i = next++) {
                const std::string key = "object-" + std::to_string(i);
                auto request = coswire::make_get_object_request(loopback::cos_endpoint(), {.key = key});
                if (!request) {
                    failures[w] = request.error().reason;
                    return;
                }
                // Every other call streams, so both calls share the handles.
                std::string streamed;
                coswire::response_sink sink{
                    .head = [](const coswire::http_response&) -> coswire::result<void> { return {}; },
                    .body = [&streamed](std::span<const std::byte> piece) -> coswire::result<void> {
                        streamed.append(reinterpret_cast<const char*>(piece.data()), piece.size());
                        return {};
                    }};
                const bool streaming = i % 2 == 1;
                auto response = streaming ? pool(*request, sink) : pool(*request);
                const std::string body = !response ? std::string() : streaming ? streamed : response->body;
                if (!response || response->status != 200 || body != "/" + key) {
                    failures[w] = key + ": " + (response ? "answered with " + body : response.error().reason);
                    return;
                }
                ++answered;
            }
        });
    for (std::thread& t : workers) t.join();
    for (const std::string& f : failures) CHECK_MESSAGE(f.empty(), f);
    CHECK(answered == total);
    CHECK(srv.requests() == total);
    CHECK(pool.handles() >= 1);
    CHECK(pool.handles() <= static_cast<std::size_t>(threads));
    // Each handle keeps its connection: a connection per request would make 100.
    CHECK(srv.connections() <= static_cast<int>(pool.handles()));
}
