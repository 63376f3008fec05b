// SPDX-License-Identifier: MIT
#include <coswire/transport/httplib.hpp>

#include <doctest/doctest.h>

#include "loopback_server.hpp"

#include <string>
#include <vector>

using coswire::transports::httplib_transport;
using coswire::transports::httplib_transport_options;

namespace {

static_assert(coswire::transport<httplib_transport>);

// cpp-httplib adds these two when the request has none; neither is signed.
const loopback::added_headers added = {"Accept", "User-Agent"};

// connect_timeout 5 s, stall_timeout 2 s.
httplib_transport make(const std::string& connect_to) { return httplib_transport(httplib_transport_options{.connect_to = connect_to, .connect_timeout_seconds = 5, .stall_timeout_seconds = 2}); }

}  // namespace

TEST_CASE("httplib_transport: a signed 2 MiB PUT goes to the override with the signed Host, its headers and its body, unchanged") {
    loopback::check_signed_put(make, added);
}

TEST_CASE("httplib_transport: GET, HEAD, POST and DELETE on one kept-alive connection, sent exactly, responses parsed") {
    loopback::check_methods(make, added, true);
}

TEST_CASE("httplib_transport: a connection the server closed is replaced by a new one") { loopback::check_reconnects_after_close(make); }

TEST_CASE("httplib_transport: a kept-alive connection the server dropped unannounced fails that call; the next one reconnects") {
    loopback::check_after_drop(make, false);
}

TEST_CASE("httplib_transport: without an override the URL is the request's own") { loopback::check_own_url(make); }

TEST_CASE("httplib_transport: a refused connection is a transport_failure naming cpp-httplib's error") {
    CHECK(loopback::check_refused(make).reason == "cpp-httplib: Connection");
}

TEST_CASE("httplib_transport: a server that never answers is a transport_failure after the stall timeout") {
    CHECK(loopback::check_stalled(make).reason == "cpp-httplib: Read");
}

TEST_CASE("httplib_transport: https to a plain HTTP server fails in the TLS handshake, as a value") {
    loopback::server plain({});
    httplib_transport send({.connect_to = "https://127.0.0.1:" + std::to_string(plain.port()), .connect_timeout_seconds = 1,
                            .stall_timeout_seconds = 1});
    auto r = send(coswire::make_head_object_request(loopback::cos_endpoint(), {.key = "k"}).value());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == coswire::errc::transport_failure);
    CHECK(r.error().reason == "cpp-httplib: SSLConnection");
}

TEST_CASE("httplib_transport: a bad connect_to or proxy, a body on GET and an unknown method are refused before sending") {
    loopback::server srv({});
    auto request = loopback::get_request();
    SUBCASE("connect_to") {
        for (const char* bad : {"127.0.0.1:1", "ftp://h", "http://h:0", "http://h:65536", "http://h:x", "http://h/p", "http://"}) {
            CAPTURE(bad);
            auto r = make(bad)(request);
            REQUIRE_FALSE(r);
            CHECK(r.error().code == coswire::errc::invalid_argument);
            CHECK(r.error().argument == "connect_to");
        }
    }
    SUBCASE("proxy") {
        for (const char* bad : {"proxy:3128", "https://proxy:3128", "http://proxy:0", "http://proxy/p"}) {
            CAPTURE(bad);
            httplib_transport t({.connect_to = srv.url(), .proxy = bad});
            auto r = t(request);
            REQUIRE_FALSE(r);
            CHECK(r.error().code == coswire::errc::invalid_argument);
            CHECK(r.error().argument == "proxy");
        }
    }
    SUBCASE("body on GET") {
        request.body = "x";
        auto r = make(srv.url())(request);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "method");
    }
    SUBCASE("unknown method") {
        request.method = "BREW";
        auto r = make(srv.url())(request);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "method");
    }
    CHECK(srv.requests().empty());
}

TEST_CASE("httplib_transport: streams a 100 MiB body to a sink with memory independent of its size") {
    loopback::check_streams_large_body(make);
}

TEST_CASE("httplib_transport: a pulled 24 MiB body is read in pieces as it is sent, and a reader error ends the call with that error") {
    loopback::check_pulled_upload(make);
}

TEST_CASE("httplib_transport: a proxy gets a plain-http request in absolute form, with the signed Host and headers") {
    loopback::check_proxy(
        [](const std::string& proxy) {
            return httplib_transport(httplib_transport_options{.connect_timeout_seconds = 5, .stall_timeout_seconds = 2, .proxy = proxy});
        },
        ":80");
}
