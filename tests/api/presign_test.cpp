// SPDX-License-Identifier: MIT
#include <coswire/api/presign.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/sign/request.hpp>

#include <string>
#include <string_view>

using coswire::errc;
using coswire::secret_string;
using test_support::doc_endpoint;

namespace {

// The documented credentials (docs/protocol/test-vectors.md#documented-put-example).
coswire::credentials doc_credentials(std::string_view token = {}) {
    return {.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
            .secret_key = secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"),
            .session_token = secret_string(token)};
}

constexpr std::string_view doc_key = "doc/大文件 v1+final.bin";

}  // namespace

TEST_CASE("presign_object: the session-token vector of tests/sign/presign_test.cpp, as one call") {
    auto p = coswire::presign_object(doc_endpoint(), doc_credentials("tok/EN+123=="),
                                     {.key = std::string(doc_key), .start = 1700000000, .lifetime = 3600});
    REQUIRE(p);
    CHECK(p->url ==
          "https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/doc/%E5%A4%A7%E6%96%87%E4%BB%B6%20v1%2Bfinal.bin?"
          "x-cos-security-token=tok%2FEN%2B123%3D%3D&q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&"
          "q-sign-time=1700000000%3B1700003600&q-key-time=1700000000%3B1700003600&q-header-list=host&"
          "q-url-param-list=x-cos-security-token&q-signature=e91bbb641d061a4b8d1bbfb29b0512d4e4e3d345");
    CHECK(p->method == "GET");
    CHECK(p->time.start == 1700000000);
    CHECK(p->time.end == 1700003600);
    REQUIRE(p->headers.size() == 1);
    CHECK(p->headers[0].name == "Host");
}

TEST_CASE("presign_object: the same URL as building the request and presigning it by hand") {
    const coswire::presign_object_params params{.key = "a/b c.txt",
                                                .method = "PUT",
                                                .start = 1622702557,
                                                .lifetime = 600,
                                                .version_id = "MTg0NDUxNzc4ODg2ODEyMzk",
                                                .params = {{"response-content-type", "text/plain"}, {"uploads", std::nullopt}},
                                                .extra_headers = {{"Content-Type", "text/plain"}, {"x-cos-storage-class", "ARCHIVE"}}};
    auto one_call = coswire::presign_object(doc_endpoint(), doc_credentials(), params);
    REQUIRE(one_call);

    auto by_hand = coswire::make_object_request(doc_endpoint(), "PUT", "a/b c.txt");
    REQUIRE(by_hand);
    by_hand->query = {{"versionId", "MTg0NDUxNzc4ODg2ODEyMzk"}, {"response-content-type", "text/plain"}, {"uploads", std::nullopt}};
    by_hand->headers.push_back({"Content-Type", "text/plain"});
    by_hand->headers.push_back({"x-cos-storage-class", "ARCHIVE"});
    const coswire::credentials creds = doc_credentials();
    auto s = coswire::signer::create(creds, {1622702557, 1622703157});
    REQUIRE(s);
    auto url = coswire::presigned_url(*by_hand, *s, {.headers = coswire::header_selection::all});
    REQUIRE(url);
    CHECK(one_call->url == *url);
    // Every header the URL goes with is signed, so none can be changed on the way.
    CHECK(one_call->url.find("q-header-list=content-type%3Bhost%3Bx-cos-storage-class&") != std::string::npos);
    CHECK(one_call->url.find("q-url-param-list=response-content-type%3Buploads%3Bversionid&") != std::string::npos);
    REQUIRE(one_call->headers.size() == 3);
    CHECK(one_call->headers[1].value == "text/plain");
    CHECK(one_call->method == "PUT");
}

TEST_CASE("presign_object: bad arguments are named") {
    const auto refused = [](const coswire::presign_object_params& p, std::string_view argument) {
        auto r = coswire::presign_object(doc_endpoint(), doc_credentials("secret-token"), p);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().argument == argument);
        CHECK(coswire::describe(r.error()).find("secret-token") == std::string::npos);
    };
    refused({.key = "k", .start = -1, .lifetime = 60}, "start");
    refused({.key = "k", .start = 0, .lifetime = 0}, "lifetime");
    refused({.key = "k", .start = INT64_MAX - 10, .lifetime = 60}, "lifetime");
    refused({.key = "", .lifetime = 60}, "object_key");
    refused({.key = "k", .method = "GE T", .lifetime = 60}, "method");
    refused({.key = "k", .lifetime = 60, .version_id = ""}, "version_id");
    refused({.key = "k", .lifetime = 60, .params = {{"q-ak", "x"}}}, "params");
    refused({.key = "k", .lifetime = 60, .params = {{"", "x"}}}, "params");
    refused({.key = "k", .lifetime = 60, .params = {{"a", "\xff"}}}, "params");
    refused({.key = "k", .lifetime = 60, .extra_headers = {{"Host", "other"}}}, "extra_headers");
    refused({.key = "k", .lifetime = 60, .extra_headers = {{"x-cos-meta-a", "v\r\nX: 1"}}}, "extra_headers");
}
