// SPDX-License-Identifier: MIT
#include <coswire/sign/presign.hpp>

#include <doctest/doctest.h>

#include "vectors.hpp"

#include <array>
#include <string>

using coswire::credentials;
using coswire::header_field;
using coswire::query_param;
using coswire::secret_string;

TEST_CASE("presign: M8 — the session token becomes a signed query parameter") {
    const auto doc = vectors::doc_credentials();
    const credentials sts{doc.secret_id, doc.secret_key, secret_string("tok/EN+123==")};
    const std::array<header_field, 1> h{{{"Host", vectors::doc_host}}};
    auto p = coswire::presign({"GET", vectors::multipart_path, {}, h}, sts, vectors::multipart_time);
    REQUIRE(p);
    CHECK(p->query ==
          "x-cos-security-token=tok%2FEN%2B123%3D%3D&q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&"
          "q-sign-time=1700000000%3B1700003600&q-key-time=1700000000%3B1700003600&q-header-list=host&"
          "q-url-param-list=x-cos-security-token&q-signature=e91bbb641d061a4b8d1bbfb29b0512d4e4e3d345");
    CHECK(p->parts.http_string.find("tok%2FEN") == std::string::npos);
    CHECK(p->parts.http_string.find("x-cos-security-token=***") != std::string::npos);
}

TEST_CASE("presign: G2/G3 — request parameters come first, q-* values are percent-encoded") {
    const credentials g2{.secret_id = "QmFzZTY0IGlzIGEgZ*******", .secret_key = secret_string("ZfbOA78asKUYBcXFrJD0a1I*******")};
    auto bare = coswire::presign({.method = "PUT", .path = "/test.jpg"}, g2, {1622702557, 1622706157});
    REQUIRE(bare);
    CHECK(bare->query ==
          "q-sign-algorithm=sha1&q-ak=QmFzZTY0IGlzIGEgZ%2A%2A%2A%2A%2A%2A%2A&q-sign-time=1622702557%3B1622706157&"
          "q-key-time=1622702557%3B1622706157&q-header-list=&q-url-param-list=&"
          "q-signature=820975b5a8eccce9455b94d4ebed14d66654bf3c");
    const std::array<query_param, 2> q{{{"test", "params"}, {"uploads", std::nullopt}}};
    auto with_params = coswire::presign({.method = "PUT", .path = "/test.jpg", .params = std::span(q).first(1)}, g2, {1622702557, 1622706157});
    REQUIRE(with_params);
    CHECK(with_params->query.starts_with("test=params&q-sign-algorithm=sha1&"));
    CHECK(with_params->query.ends_with("&q-url-param-list=test&q-signature=7757e84ed5f8953eafc30afcd2a5d1ad68e00d67"));
    auto valueless = coswire::presign({.method = "GET", .path = "/", .params = q}, g2, {1, 2});
    REQUIRE(valueless);
    CHECK(valueless->query.starts_with("test=params&uploads&q-sign-algorithm"));
}

TEST_CASE("presign: refuses parameters that collide with the signature fields") {
    const std::array<query_param, 1> q{{{"q-signature", "x"}}};
    auto p = coswire::presign({.method = "GET", .path = "/k", .params = q}, vectors::doc_credentials(), {1, 2});
    REQUIRE_FALSE(p);
    CHECK(p.error().argument == "params");
}
