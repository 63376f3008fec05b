// SPDX-License-Identifier: MIT
#include <coswire/transport/curl.hpp>

#include <doctest/doctest.h>

#include "loopback_server.hpp"

#include <string>
#include <utility>
#include <vector>

using coswire::transports::curl_transport;
using coswire::transports::curl_transport_options;

namespace {

static_assert(coswire::transport<curl_transport>);
static_assert(coswire::streaming_transport<curl_transport>);

// connect_timeout 5 s, stall_timeout 2 s.
curl_transport make(const std::string& connect_to) { return curl_transport(curl_transport_options{.connect_to = connect_to, .connect_timeout_seconds = 5, .stall_timeout_seconds = 2}); }

}  // namespace

TEST_CASE("curl_transport: a signed 2 MiB PUT goes to the override with the signed Host, its headers and its body, unchanged") {
    loopback::check_signed_put(make, {});
}

TEST_CASE("curl_transport: GET, HEAD, POST and DELETE on one kept-alive connection, sent exactly, responses parsed") {
    loopback::check_methods(make, {}, true);
}

TEST_CASE("curl_transport: a connection the server closed is replaced by a new one") { loopback::check_reconnects_after_close(make); }

TEST_CASE("curl_transport: a kept-alive connection the server dropped unannounced is replaced, the request sent once more") {
    loopback::check_after_drop(make, true);
}

TEST_CASE("curl_transport: without an override the URL is the request's own") { loopback::check_own_url(make); }

TEST_CASE("curl_transport: a refused connection is a transport_failure carrying curl's message") {
    CHECK(loopback::check_refused(make).reason.find("onnect") != std::string::npos);
}

TEST_CASE("curl_transport: a server that never answers is a transport_failure after the stall timeout") {
    CHECK(loopback::check_stalled(make).reason.find("imeout") != std::string::npos);
}

TEST_CASE("curl_transport: streams a 100 MiB body to a sink with memory independent of its size") {
    loopback::check_streams_large_body(make);
}

TEST_CASE("curl_transport: a collected body is reserved from Content-Length, not grown") {
    loopback::server srv(std::vector<loopback::server::reply>{
        loopback::server::reply("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n", 1000000)});
    auto t = make(srv.url());
    auto got = t(loopback::get_request());
    REQUIRE_MESSAGE(got.has_value(), loopback::reason_of(got));
    CHECK(got->body.size() == 1000000);
    CHECK(got->body.capacity() == 1000000);  // grown by doubling it would be a power-of-two multiple
}

TEST_CASE("curl_transport: a pulled 24 MiB body is read in pieces as it is sent, and a reader error ends the call with that error") {
    loopback::check_pulled_upload(make);
}

TEST_CASE("curl_transport: a proxy gets a plain-http request in absolute form, with the signed Host and headers") {
    loopback::check_proxy(
        [](const std::string& proxy) {
            return curl_transport(curl_transport_options{.connect_timeout_seconds = 5, .stall_timeout_seconds = 2, .proxy = proxy});
        },
        "");
}

TEST_CASE("curl_transport: http2 asks for HTTP/2 only over TLS, so plain http stays HTTP/1.1; a libcurl without it says so") {
    loopback::server srv({loopback::ok("", "one")});
    curl_transport t({.connect_to = srv.url(), .connect_timeout_seconds = 5, .stall_timeout_seconds = 2,
                      .http_version = coswire::transports::curl_http_version::http2});
    auto got = t(loopback::get_request());
    if ((curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP2) == 0) {
        REQUIRE_FALSE(got);
        CHECK(got.error().argument == "http_version");
        return;
    }
    REQUIRE_MESSAGE(got.has_value(), loopback::reason_of(got));
    CHECK(got->body == "one");
    const auto seen = srv.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].request_line().ends_with(" HTTP/1.1"));
}

TEST_CASE("curl_transport: a CA bundle that cannot be read fails the https call before any request is sent") {
    loopback::server srv({});
    curl_transport t({.connect_to = "https://127.0.0.1:" + std::to_string(srv.port()), .connect_timeout_seconds = 5,
                      .stall_timeout_seconds = 2, .ca_bundle = "/nonexistent/coswire-ca.pem"});
    auto got = t(loopback::get_request());
    REQUIRE_FALSE(got);
    CHECK(got.error().code == coswire::errc::transport_failure);
    CHECK_MESSAGE(got.error().reason.find("/nonexistent/coswire-ca.pem") != std::string::npos, got.error().reason);
    CHECK(srv.requests().empty());
}

TEST_CASE("curl_transport: options libcurl would misread are refused, naming the option, and nothing is sent") {
    loopback::server srv({});
    const auto refused = [&](curl_transport_options o) {
        curl_transport t(std::move(o));
        auto got = t(loopback::get_request());
        REQUIRE_FALSE(got);
        CHECK(got.error().code == coswire::errc::invalid_argument);
        return std::string(got.error().argument);
    };
    CHECK(refused({.connect_to = srv.url(), .connect_timeout_seconds = -1}) == "connect_timeout_seconds");
    CHECK(refused({.connect_to = srv.url(), .stall_timeout_seconds = -5}) == "stall_timeout_seconds");
    CHECK(refused({.connect_to = srv.url(), .low_speed_bytes_per_second = 0}) == "low_speed_bytes_per_second");
    CHECK(refused({.connect_to = srv.url() + std::string(1, '\0') + "x"}) == "connect_to");
    CHECK(refused({.connect_to = srv.url(), .proxy = std::string("http://p\0q", 10)}) == "proxy");
    CHECK(refused({.connect_to = srv.url(), .ca_bundle = std::string("a\0b", 3)}) == "ca_bundle");
    CHECK(srv.requests().empty());
}
