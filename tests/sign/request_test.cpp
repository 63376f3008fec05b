// SPDX-License-Identifier: MIT
#include <coswire/sign/request.hpp>

#include <doctest/doctest.h>

#include "vectors.hpp"

using coswire::http_request;
using coswire::secret_string;

namespace {
http_request m7_request() {
    http_request r;
    r.method = "GET";
    r.host = std::string(vectors::doc_host);
    r.path = "/a/b c.txt";
    r.wire_path = "/a/b%20c.txt";
    r.headers = {{"Host", r.host}, {"Range", "bytes=0-9"}};
    return r;
}
}  // namespace

TEST_CASE("authorize: adds the session token header and the Authorization it covers (M7)") {
    const auto doc = vectors::doc_credentials();
    const coswire::credentials sts{doc.secret_id, doc.secret_key, secret_string("tok/EN+123==")};
    auto s = coswire::signer::create(sts, vectors::multipart_time);
    REQUIRE(s);
    http_request r = m7_request();
    auto parts = coswire::authorize(r, *s);
    REQUIRE(parts);
    CHECK(r.header("x-cos-security-token") == "tok/EN+123==");
    CHECK(r.header("Authorization") == parts->authorization);
    CHECK(parts->signature == "3088d5e53aa24233eebc08b3cfe9db477ecf6810");

    auto again = coswire::authorize(r, *s);
    REQUIRE_FALSE(again);
    CHECK(again.error().argument == "request");
}

TEST_CASE("authorize: refuses a request without Host and leaves it unchanged on failure") {
    const auto creds = vectors::doc_credentials();
    auto s = coswire::signer::create(creds, vectors::multipart_time);
    REQUIRE(s);
    http_request r = m7_request();
    r.headers.erase(r.headers.begin());
    CHECK(coswire::authorize(r, *s).error().argument == "request");
    http_request bad = m7_request();
    bad.headers.push_back({"x-cos-meta-a", "line\nbreak"});
    const auto before = bad.headers.size();
    CHECK(coswire::authorize(bad, *s).error().argument == "headers");
    CHECK(bad.headers.size() == before);
}

TEST_CASE("presigned_url: M8, host only, session token signed") {
    const auto doc = vectors::doc_credentials();
    const coswire::credentials sts{doc.secret_id, doc.secret_key, secret_string("tok/EN+123==")};
    auto s = coswire::signer::create(sts, vectors::multipart_time);
    REQUIRE(s);
    http_request r;
    r.method = "GET";
    r.host = std::string(vectors::doc_host);
    r.path = std::string(vectors::multipart_path);
    r.wire_path = "/doc/%E5%A4%A7%E6%96%87%E4%BB%B6%20v1%2Bfinal.bin";
    r.headers = {{"Host", r.host}, {"User-Agent", "not signed"}};
    CHECK(coswire::presigned_url(r, *s).value() ==
          "https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/doc/%E5%A4%A7%E6%96%87%E4%BB%B6%20v1%2Bfinal.bin?"
          "x-cos-security-token=tok%2FEN%2B123%3D%3D&q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&"
          "q-sign-time=1700000000%3B1700003600&q-key-time=1700000000%3B1700003600&q-header-list=host&"
          "q-url-param-list=x-cos-security-token&q-signature=e91bbb641d061a4b8d1bbfb29b0512d4e4e3d345");
}
