// SPDX-License-Identifier: MIT
#include <coswire/sign/authorization.hpp>

#include <doctest/doctest.h>

#include "vectors.hpp"

#include <array>
#include <random>
#include <string>
#include <vector>

using coswire::credentials;
using coswire::errc;
using coswire::header_field;
using coswire::header_selection;
using coswire::key_time;
using coswire::query_param;
using coswire::secret_string;
using coswire::sign_options;
using coswire::signable_request;

namespace {
constexpr sign_options all_headers{.headers = header_selection::all};

std::string authorization(const signable_request& r, const credentials& c, key_time t, const sign_options& o = {}) {
    auto parts = coswire::sign(r, c, t, o);
    REQUIRE(parts);
    return parts->authorization;
}
}  // namespace

TEST_CASE("sign: Tencent's documented PUT example (every header, then the SDK selection)") {
    auto parts = coswire::sign(vectors::put_request, vectors::doc_credentials(), vectors::put_time, all_headers);
    REQUIRE(parts);
    CHECK(parts->authorization ==
          "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989151;1557996351&"
          "q-key-time=1557989151;1557996351&q-header-list=content-length;content-md5;content-type;date;host;"
          "x-cos-acl;x-cos-grant-read&q-url-param-list=&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172");
    CHECK(parts->string_to_sign == "sha1\n1557989151;1557996351\n8b2751e77f43a0995d6e9eb9477f4b685cca4172\n");
    CHECK(parts->signature == "3b8851a11a569213c17ba8fa7dcf2abec6935172");

    auto sdk = coswire::sign(vectors::put_request, vectors::doc_credentials(), vectors::put_time);
    REQUIRE(sdk);
    CHECK(sdk->header_list == "content-length;content-md5;content-type;host;x-cos-acl;x-cos-grant-read");
    CHECK(sdk->signature == "fc4e4717b501da12715d5fc84a4880a87ad2b7ab");
}

TEST_CASE("sign: Tencent's documented GET example with response-* parameters") {
    CHECK(authorization(vectors::get_request, vectors::doc_credentials(), vectors::get_time, all_headers) ==
          "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989753;1557996953&"
          "q-key-time=1557989753;1557996953&q-header-list=date;host&q-url-param-list=response-cache-control;"
          "response-content-type&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012");
    auto sdk = coswire::sign(vectors::get_request, vectors::doc_credentials(), vectors::get_time);
    REQUIRE(sdk);
    CHECK(sdk->header_list == "host");
    CHECK(sdk->signature == "cf18ded2f669fcafa4b98e02c2a3fdb2b2e55c43");
}

TEST_CASE("sign: the Go SDK's published vectors G1-G3") {
    const credentials g1{.secret_id = "QmFzZTY0IGlzIGEgZ2VuZXJp", .secret_key = secret_string("AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM")};
    const std::array<header_field, 3> h1{{{"Host", "testbucket-125000000.cos.ap-guangzhou.myqcloud.com"},
                                          {"x-cos-content-sha1", "db8ac1c259eb89d4a131b253bacfca5f319d54f2"},
                                          {"x-cos-stroage-class", "nearline"}}};
    auto p1 = coswire::sign({.method = "PUT", .path = "/testfile2", .headers = h1}, g1, {1480932292, 1481012292});
    REQUIRE(p1);
    CHECK(p1->header_list == "host;x-cos-content-sha1;x-cos-stroage-class");
    CHECK(p1->signature == "ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a");

    const credentials g2{.secret_id = "QmFzZTY0IGlzIGEgZ*******", .secret_key = secret_string("ZfbOA78asKUYBcXFrJD0a1I*******")};
    auto p2 = coswire::sign({.method = "PUT", .path = "/test.jpg"}, g2, {1622702557, 1622706157});
    REQUIRE(p2);
    CHECK(p2->signature == "820975b5a8eccce9455b94d4ebed14d66654bf3c");
    const std::array<query_param, 1> q3{{{"test", "params"}}};
    auto p3 = coswire::sign({.method = "PUT", .path = "/test.jpg", .params = q3}, g2, {1622702557, 1622706157});
    REQUIRE(p3);
    CHECK(p3->signature == "7757e84ed5f8953eafc30afcd2a5d1ad68e00d67");
}

TEST_CASE("sign: the C++ SDK's published vectors C1-C3 (path 'xxxx' taken verbatim)") {
    const credentials c{.secret_id = "access_key_test", .secret_key = secret_string("secret_key_test")};
    const key_time t{1502493430, 1502573430};
    const std::array<query_param, 2> params{{{"first_param", "first_value"}, {"second_param", "second_value"}}};
    const std::array<header_field, 2> headers{{{"host", "hostname_test"}, {"x-cos-meta-xx", "meta_test"}}};
    auto c1 = coswire::sign({"GET", "xxxx", params, headers}, c, t);
    REQUIRE(c1);
    CHECK(c1->header_list == "host;x-cos-meta-xx");
    CHECK(c1->url_param_list == "first_param;second_param");
    CHECK(c1->signature == "7686473b75487163d6e204d3c68e5c3b74e06164");
    CHECK(coswire::sign({.method = "GET", .path = "xxxx", .headers = headers}, c, t)->signature == "8e196637993353bdff2466e0d34034130c9a2aca");
    CHECK(coswire::sign({.method = "GET", .path = "xxxx"}, c, t)->signature == "122c75ad3f7c230b8cc88f4f38410b9d3d347997");
}

TEST_CASE("sign: derived multipart vectors M1-M7") {
    const auto creds = vectors::doc_credentials();
    const key_time t = vectors::multipart_time;
    const std::string uid(vectors::upload_id);
    const header_field host{"Host", vectors::doc_host};

    SUBCASE("M1 Initiate: valueless 'uploads'") {
        const std::array<query_param, 1> q{{{"uploads", std::nullopt}}};
        const std::array<header_field, 3> h{{host, {"Content-Type", "application/octet-stream"}, {"Content-Length", "0"}}};
        auto p = coswire::sign({"POST", vectors::multipart_path, q, h}, creds, t);
        REQUIRE(p);
        CHECK(p->http_string ==
              "post\n/doc/大文件 v1+final.bin\nuploads=\ncontent-length=0&content-type=application%2Foctet-stream&"
              "host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com\n");
        CHECK(p->signature == "a5d5d5c449b7a331e3ca9bbbc99f5772ad584d0b");
    }
    SUBCASE("M2 Upload Part") {
        const std::array<query_param, 2> q{{{"partNumber", "1"}, {"uploadId", uid}}};
        const std::array<header_field, 3> h{{host, {"Content-Length", "1048576"}, {"Content-MD5", "OScKloo1fSQgfpkRFiUH6w=="}}};
        auto p = coswire::sign({"PUT", vectors::multipart_path, q, h}, creds, t);
        REQUIRE(p);
        CHECK(p->url_param_list == "partnumber;uploadid");
        CHECK(p->signature == "e603e16319d7b1b02aa7e7fda632ec610f4bd988");
    }
    SUBCASE("M3 Complete") {
        const std::array<query_param, 1> q{{{"uploadId", uid}}};
        const std::array<header_field, 4> h{{host, {"Content-Type", "application/xml"}, {"Content-Length", "353"},
                                             {"Content-MD5", "Me/0Gvtc2x4VPIOhoIRllw=="}}};
        auto p = coswire::sign({"POST", vectors::multipart_path, q, h}, creds, t);
        REQUIRE(p);
        CHECK(p->header_list == "content-length;content-md5;content-type;host");
        CHECK(p->signature == "4f4eed05d62cccb32946f20c70d8b8363a24955e");
    }
    SUBCASE("M4 Abort") {
        const std::array<query_param, 1> q{
            {{"uploadId", "1484727270323ddb949d528c629235314a9ead80f0ba5d993a3d76b460e6a9cceb9633b08e"}}};
        const std::array<header_field, 1> h{{host}};
        auto p = coswire::sign({"DELETE", "/exampleobject", q, h}, creds, t);
        REQUIRE(p);
        CHECK(p->url_param_list == "uploadid");
        CHECK(p->signature == "0af9cd7a2893ee7efeb99756a7e942ef536755a1");
    }
    SUBCASE("M5 List Parts") {
        const std::array<query_param, 4> q{
            {{"uploadId", uid}, {"max-parts", "1000"}, {"part-number-marker", "0"}, {"encoding-type", "url"}}};
        const std::array<header_field, 1> h{{host}};
        auto p = coswire::sign({"GET", "/exampleobject", q, h}, creds, t);
        REQUIRE(p);
        CHECK(p->url_param_list == "encoding-type;max-parts;part-number-marker;uploadid");
        CHECK(p->signature == "840b7a8ae1915989d82ce37bbb7be66431116b39");
    }
    SUBCASE("M6 List Multipart Uploads") {
        const std::array<query_param, 5> q{{{"uploads", std::nullopt}, {"prefix", "doc/"}, {"delimiter", "/"},
                                            {"max-uploads", "1000"}, {"encoding-type", "url"}}};
        const std::array<header_field, 1> h{{host}};
        auto p = coswire::sign({"GET", "/", q, h}, creds, t);
        REQUIRE(p);
        CHECK(p->http_string ==
              "get\n/\ndelimiter=%2F&encoding-type=url&max-uploads=1000&prefix=doc%2F&uploads=\n"
              "host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com\n");
        CHECK(p->signature == "5d8b92d2fb0fffb7e207acf78caa8c8d27d5d6c7");
    }
    SUBCASE("M7 session token as a signed header") {
        const credentials sts{creds.secret_id, creds.secret_key, secret_string("tok/EN+123==")};
        const std::array<header_field, 2> h{{host, {"Range", "bytes=0-9"}}};
        auto p = coswire::sign({.method = "GET", .path = "/a/b c.txt", .headers = h}, sts, t);
        REQUIRE(p);
        CHECK(p->header_list == "host;range;x-cos-security-token");
        CHECK(p->signature == "3088d5e53aa24233eebc08b3cfe9db477ecf6810");
        CHECK(p->http_string.find("tok%2FEN") == std::string::npos);
        CHECK(p->http_string.find("x-cos-security-token=***") != std::string::npos);
    }
}

TEST_CASE("sign: the sorting-divergence vector follows the current documentation") {
    const credentials c{.secret_id = "id", .secret_key = secret_string("k")};
    const std::array<query_param, 3> q{{{"a/x", "1"}, {"a-x", "2"}, {"B", "3"}}};
    auto p = coswire::sign({.method = "GET", .path = "/o", .params = q}, c, {1, 2});
    REQUIRE(p);
    CHECK(p->signature == "392f836fcda3a04480d2c1addf429b3b2fe84552");
}

TEST_CASE("sign_to: writes the same Authorization into a caller buffer, or says how much it needs") {
    const auto creds = vectors::doc_credentials();
    const std::string expected = authorization(vectors::put_request, creds, vectors::put_time);
    std::array<char, 512> buffer{};
    auto n = coswire::sign_to(buffer, vectors::put_request, creds, vectors::put_time);
    REQUIRE(n);
    CHECK(std::string_view(buffer.data(), *n) == expected);

    std::array<char, 64> small{};
    small.fill('#');
    auto too_small = coswire::sign_to(small, vectors::put_request, creds, vectors::put_time);
    REQUIRE_FALSE(too_small);
    CHECK(too_small.error().code == errc::buffer_too_small);
    CHECK(too_small.error().argument == "out");
    CHECK(too_small.error().size == expected.size());
    for (char c : small) CHECK(c == '#');

    std::vector<char> exact(expected.size());
    CHECK(coswire::sign_to(exact, vectors::put_request, creds, vectors::put_time).value() == expected.size());
}

TEST_CASE("signer: a cached signer gives the same result as one-off signing") {
    const auto creds = vectors::doc_credentials();
    auto s = coswire::signer::create(creds, vectors::get_time);
    REQUIRE(s);
    for (int i = 0; i < 3; ++i)
        CHECK(s->authorization(vectors::get_request).value() ==
              authorization(vectors::get_request, creds, vectors::get_time));
}

TEST_CASE("sign: bad credentials and key times name the argument") {
    const signable_request r{.method = "GET", .path = "/"};
    struct bad_case {
        credentials creds;
        key_time time;
        std::string_view argument;
    };
    const std::vector<bad_case> cases = {
        {{"", secret_string("k"), {}}, {1, 2}, "secret_id"},
        {{"id with space", secret_string("k"), {}}, {1, 2}, "secret_id"},
        {{"id&x", secret_string("k"), {}}, {1, 2}, "secret_id"},
        {{"id", secret_string(""), {}}, {1, 2}, "secret_key"},
        {{"id", secret_string("k"), {}}, {3, 2}, "key_time"},
        {{"id", secret_string("k"), {}}, {-1, 2}, "key_time"},
        {{"id", secret_string("k"), secret_string("bad\ntoken")}, {1, 2}, "session_token"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.argument);
        auto p = coswire::sign(r, c.creds, c.time);
        REQUIRE_FALSE(p);
        CHECK(p.error().code == errc::invalid_argument);
        CHECK(p.error().argument == c.argument);
    }
}

TEST_CASE("sign: no output or error ever contains the secret key, sign key or session token") {
    const credentials creds{"AKIDpublic", secret_string("SECRETKEY-zz9"), secret_string("SESSIONTOKEN-qq7")};
    const key_time t{1700000000, 1700000900};
    const std::string sign_key(coswire::to_string_view(coswire::sign_key(creds.secret_key, t)));
    std::vector<std::string> outputs;
    auto ok = coswire::sign({.method = "GET", .path = "/k"}, creds, t);
    REQUIRE(ok);
    outputs = {ok->authorization, ok->header_list, ok->url_param_list, ok->http_string, ok->string_to_sign, ok->signature};
    const std::array<header_field, 2> bad_headers{{{"x-cos-meta-a", "v\r"}, {"x-cos-security-token", "other"}}};
    for (auto r : {coswire::sign({.method = "GET", .path = "/k\n"}, creds, t), coswire::sign({.method = "GET", .path = "/k", .headers = bad_headers}, creds, t),
                   coswire::sign({.method = "", .path = "/k"}, creds, t)}) {
        REQUIRE_FALSE(r);
        outputs.push_back(coswire::describe(r.error()));
    }
    for (const auto& out : outputs) {
        CHECK(out.find("SECRETKEY") == std::string::npos);
        CHECK(out.find("SESSIONTOKEN") == std::string::npos);
        CHECK(out.find(sign_key) == std::string::npos);
    }
}

namespace {
template <class C>
concept can_create_signer = requires(C&& c) { coswire::signer::create(std::forward<C>(c), key_time{}); };
}  // namespace

static_assert(!can_create_signer<credentials>, "a signer must not borrow temporary credentials");
static_assert(can_create_signer<const credentials&>);
