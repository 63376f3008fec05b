// SPDX-License-Identifier: MIT
#include <coswire/transport/beast.hpp>

#include <doctest/doctest.h>

#include "loopback_server.hpp"

#include <boost/throw_exception.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

using coswire::transports::beast_transport;
using coswire::transports::beast_transport_options;

// Built with -fno-exceptions, Boost calls these where it would throw; the adapter never gets
// there (it uses error_code overloads and checks header sizes), so reaching one is a bug.
namespace boost {
void throw_exception(const std::exception& e) {
    std::fprintf(stderr, "boost::throw_exception: %s\n", e.what());
    std::abort();
}
void throw_exception(const std::exception& e, const boost::source_location&) { throw_exception(e); }
}  // namespace boost

namespace {

static_assert(coswire::transport<beast_transport>);

// connect_timeout 5 s, stall_timeout 2 s.
beast_transport make(const std::string& connect_to) { return beast_transport(beast_transport_options{.connect_to = connect_to, .connect_timeout_seconds = 5, .stall_timeout_seconds = 2}); }

}  // namespace

TEST_CASE("beast_transport: a signed 2 MiB PUT goes to the override with the signed Host, its headers and its body, unchanged") {
    loopback::check_signed_put(make, {});
}

TEST_CASE("beast_transport: GET, HEAD, POST and DELETE on one kept-alive connection, sent exactly, responses parsed") {
    loopback::check_methods(make, {}, true);
}

TEST_CASE("beast_transport: a connection the server closed is replaced by a new one") { loopback::check_reconnects_after_close(make); }

TEST_CASE("beast_transport: without an override the URL is the request's own") { loopback::check_own_url(make); }

TEST_CASE("beast_transport: a refused connection is a transport_failure naming the step and the cause") {
    CHECK(loopback::check_refused(make).reason == "connect: Connection refused");
}

TEST_CASE("beast_transport: a server that never answers is a transport_failure after the stall timeout") {
    CHECK(loopback::check_stalled(make).reason == "read: Connection timed out");
}

TEST_CASE("beast_transport: https, a bad connect_to and an oversized header are refused before connecting") {
    loopback::server srv({});
    auto request = loopback::get_request();
    SUBCASE("https override") {
        auto r = make("https://127.0.0.1:" + std::to_string(srv.port()))(request);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == coswire::errc::invalid_argument);
        CHECK(r.error().argument == "connect_to");
    }
    SUBCASE("https request without an override") {
        auto r = make("")(request);  // cos_endpoint() is https
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "request");
    }
    SUBCASE("bad connect_to") {
        auto r = make("http://127.0.0.1:99999")(request);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "connect_to");
    }
    SUBCASE("a header value of 64 KiB") {
        request.headers.push_back({"x-cos-meta-big", std::string(65536, 'v')});
        auto r = make(srv.url())(request);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "headers");
    }
    CHECK(srv.requests().empty());
}

TEST_CASE("beast_transport: a kept-alive connection the server dropped unannounced is replaced, the request sent once more") {
    loopback::check_after_drop(make, true);
}

TEST_CASE("beast_transport: streams a 100 MiB body to a sink with memory independent of its size") {
    loopback::check_streams_large_body(make);
}

TEST_CASE("beast_transport: a pulled 24 MiB body is read in pieces as it is sent, and a reader error ends the call with that error") {
    loopback::check_pulled_upload(make);
}
