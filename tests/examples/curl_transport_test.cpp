// SPDX-License-Identifier: MIT
#include <transports/curl_transport.hpp>

#include <doctest/doctest.h>

#include "loopback_server.hpp"

#include <string>

using coswire::examples::curl_transport;
using coswire::examples::curl_transport_options;

namespace {

static_assert(coswire::transport<curl_transport>);
static_assert(coswire::streaming_transport<curl_transport>);

// connect_timeout 5 s, stall_timeout 2 s.
curl_transport make(const std::string& connect_to) { return curl_transport(curl_transport_options{connect_to, 5, 2}); }

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
