// SPDX-License-Identifier: MIT
#include <coswire/transport/origin.hpp>

#include <doctest/doctest.h>

#include <coswire/api/endpoint.hpp>
#include <coswire/api/object.hpp>

#include <string>
#include <string_view>

using coswire::transports::connect_origin;
using coswire::transports::origin;
using coswire::transports::parse_origin;

TEST_CASE("parse_origin: scheme, host and port, the port defaulting by scheme") {
    CHECK(parse_origin("http://127.0.0.1:9000", "a").value() == origin{.scheme = "http", .host = "127.0.0.1", .port = 9000});
    CHECK(parse_origin("https://cos.ap-beijing.myqcloud.com", "a").value() ==
          origin{.scheme = "https", .host = "cos.ap-beijing.myqcloud.com", .port = 443});
    CHECK(parse_origin("http://example.com", "a").value().port == 80);
    CHECK(parse_origin("http://[::1]:8080", "a").value() == origin{.scheme = "http", .host = "::1", .port = 8080});
    CHECK(parse_origin("https://[2001:db8::1]", "a").value() == origin{.scheme = "https", .host = "2001:db8::1", .port = 443});
    CHECK(parse_origin("http://h:65535", "a").value().port == 65535);
}

TEST_CASE("parse_origin: anything else is invalid_argument naming the argument given") {
    for (std::string_view bad : {"", "example.com", "ftp://h", "http:/h", "http://", "http://h/", "http://h/path",
                                 "http://h?q", "http://h#f", "http://user@h", "http://h:", "http://h:0", "http://h:65536",
                                 "http://h:8o", "http://h:-1", "http://[::1", "http://[::1]x", "http://[]:80", "http://:80",
                                 "http://h:99999999999999999999"}) {
        CAPTURE(bad);
        const auto parsed = parse_origin(bad, "proxy");
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == coswire::errc::invalid_argument);
        CHECK(parsed.error().argument == "proxy");
        CHECK_FALSE(parsed.error().reason.empty());
    }
}

TEST_CASE("connect_origin: the override when given, else the request's own scheme and host") {
    const auto ep = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value();
    const auto request = coswire::make_get_object_request(ep, {.key = "k"}).value();
    const auto own = connect_origin("", request);
    REQUIRE(own);
    CHECK(*own == origin{.scheme = request.scheme, .host = request.host, .port = static_cast<unsigned short>(request.scheme == "https" ? 443 : 80)});
    CHECK(connect_origin("http://127.0.0.1:1", request).value() == origin{.scheme = "http", .host = "127.0.0.1", .port = 1});
    const auto bad = connect_origin("127.0.0.1:1", request);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().argument == "connect_to");
    auto odd = request;
    odd.host = "h/x";
    const auto refused = connect_origin("", odd);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().argument == "request");
}
