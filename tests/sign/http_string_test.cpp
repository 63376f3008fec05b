// SPDX-License-Identifier: MIT
#include <coswire/sign/http_string.hpp>

#include <doctest/doctest.h>

#include "vectors.hpp"

#include <string>
#include <vector>

using coswire::canonicalize;
using coswire::errc;
using coswire::header_field;
using coswire::header_selection;
using coswire::query_param;
using coswire::sign_options;
using coswire::signable_request;

namespace {
constexpr sign_options all_headers{header_selection::all, {}};
}

TEST_CASE("http_string: the documented PUT example, every header signed") {
    auto c = canonicalize(vectors::put_request, all_headers);
    REQUIRE(c);
    CHECK(coswire::header_list(*c) == "content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read");
    CHECK(coswire::url_param_list(*c).empty());
    CHECK(coswire::http_string(*c) ==
          "put\n/exampleobject(腾讯云)\n\ncontent-length=13&content-md5=mQ%2FfVh815F3k6TAUm8m0eg%3D%3D&"
          "content-type=text%2Fplain&date=Thu%2C%2016%20May%202019%2006%3A45%3A51%20GMT&"
          "host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com&x-cos-acl=private&"
          "x-cos-grant-read=uin%3D%22100000000011%22\n");
}

TEST_CASE("http_string: the standard selection leaves Date out, like the official SDKs") {
    auto c = canonicalize(vectors::put_request, {});
    REQUIRE(c);
    CHECK(coswire::header_list(*c) == "content-length;content-md5;content-type;host;x-cos-acl;x-cos-grant-read");
}

TEST_CASE("http_string: the documented GET example sorts and encodes its parameters") {
    auto c = canonicalize(vectors::get_request, all_headers);
    REQUIRE(c);
    CHECK(coswire::url_param_list(*c) == "response-cache-control;response-content-type");
    CHECK(coswire::http_string(*c) ==
          "get\n/exampleobject(腾讯云)\nresponse-cache-control=max-age%3D600&response-content-type=application%2Foctet-stream\n"
          "date=Thu%2C%2016%20May%202019%2006%3A55%3A53%20GMT&host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com\n");
}

TEST_CASE("http_string: a valueless parameter signs as name=") {
    const std::array<query_param, 1> params{{{"uploads", std::nullopt}}};
    const std::array<header_field, 1> headers{{{"Host", "h"}}};
    auto c = canonicalize({"POST", "/k", params, headers}, {});
    REQUIRE(c);
    CHECK(coswire::http_string(*c) == "post\n/k\nuploads=\nhost=h\n");
}

TEST_CASE("http_string: names are encoded, then lower-cased, then sorted by bytes") {
    const std::array<query_param, 3> params{{{"a/x", "1"}, {"a-x", "2"}, {"B", "3"}}};
    auto c = canonicalize({"GET", "/o", params, {}}, {});
    REQUIRE(c);
    CHECK(coswire::url_param_list(*c) == "a%2fx;a-x;b");
    CHECK(coswire::http_string(*c) == "get\n/o\na%2fx=1&a-x=2&b=3\n\n");
}

TEST_CASE("http_string: header values are trimmed and a tab inside is encoded") {
    const std::array<header_field, 2> headers{{{"x-cos-meta-a", "  one\ttwo \t"}, {"Host", "h"}}};
    auto c = canonicalize({"GET", "/", {}, headers}, {});
    REQUIRE(c);
    CHECK(coswire::http_string(*c) == "get\n/\n\nhost=h&x-cos-meta-a=one%09two\n");
}

TEST_CASE("http_string: selection — standard, all, or a listed set") {
    const std::array<header_field, 5> headers{{
        {"Host", "h"}, {"User-Agent", "ua"}, {"X-COS-Meta-Tag", "t"}, {"x-ci-thing", "c"}, {"Pic-Operations", "{}"}}};
    auto standard = canonicalize({"GET", "/", {}, headers}, {});
    REQUIRE(standard);
    CHECK(coswire::header_list(*standard) == "host;pic-operations;x-ci-thing;x-cos-meta-tag");
    auto all = canonicalize({"GET", "/", {}, headers}, all_headers);
    REQUIRE(all);
    CHECK(coswire::header_list(*all) == "host;pic-operations;user-agent;x-ci-thing;x-cos-meta-tag");
    const std::array<std::string_view, 2> listed{"user-agent", "HOST"};
    auto some = canonicalize({"GET", "/", {}, headers}, {header_selection::listed, listed});
    REQUIRE(some);
    CHECK(coswire::header_list(*some) == "host;user-agent");
}

TEST_CASE("http_string: the session token joins the signed headers, or the parameters when presigning") {
    const std::array<header_field, 1> headers{{{"Host", "h"}}};
    auto as_header = canonicalize({"GET", "/a", {}, headers}, {}, "tok/EN+123==");
    REQUIRE(as_header);
    CHECK(coswire::header_list(*as_header) == "host;x-cos-security-token");
    CHECK(coswire::http_string(*as_header) == "get\n/a\n\nhost=h&x-cos-security-token=***\n");

    auto as_param = canonicalize({"GET", "/a", {}, headers}, {}, "tok", coswire::token_placement::query);
    REQUIRE(as_param);
    CHECK(coswire::url_param_list(*as_param) == "x-cos-security-token");

    const std::array<header_field, 2> conflicting{{{"Host", "h"}, {"x-cos-security-token", "other"}}};
    auto bad = canonicalize({"GET", "/a", {}, conflicting}, {}, "SECRET-TOKEN");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().argument == "headers");
    CHECK(bad.error().reason.find("SECRET-TOKEN") == std::string::npos);
    CHECK(bad.error().reason.find("other") == std::string::npos);
}

TEST_CASE("http_string: bad input names the argument") {
    struct bad_case {
        const char* label;
        std::vector<query_param> params;
        std::vector<header_field> headers;
        std::string_view method;
        std::string_view path;
        std::string_view argument;
        errc code;
    };
    const std::string invalid_utf8 = "a\xC3(";
    const std::vector<bad_case> cases = {
        {"empty method", {}, {}, "", "/", "method", errc::invalid_argument},
        {"method with a space", {}, {}, "GE T", "/", "method", errc::invalid_argument},
        {"empty path", {}, {}, "GET", "", "path", errc::invalid_argument},
        {"path with LF", {}, {}, "GET", "/a\nb", "path", errc::invalid_argument},
        {"path not UTF-8", {}, {}, "GET", invalid_utf8, "path", errc::invalid_argument},
        {"empty parameter name", {{"", "v"}}, {}, "GET", "/", "params", errc::invalid_argument},
        {"parameter value not UTF-8", {{"a", invalid_utf8}}, {}, "GET", "/", "params", errc::invalid_argument},
        {"repeated parameter", {{"a", "1"}, {"A", "2"}}, {}, "GET", "/", "params", errc::invalid_argument},
        {"header name with a space", {}, {{"Bad Name", "v"}}, "GET", "/", "headers", errc::invalid_argument},
        {"header name with a colon", {}, {{"Host:", "v"}}, "GET", "/", "headers", errc::invalid_argument},
        {"header value with CR", {}, {{"x-cos-meta-a", "a\rb"}}, "GET", "/", "headers", errc::invalid_argument},
        {"header value with LF", {}, {{"x-cos-meta-a", "a\nb"}}, "GET", "/", "headers", errc::invalid_argument},
        {"header value with NUL", {}, {{"x-cos-meta-a", std::string_view("a\0b", 3)}}, "GET", "/", "headers", errc::invalid_argument},
        {"unsigned header value with LF", {}, {{"User-Agent", "a\nb"}}, "GET", "/", "headers", errc::invalid_argument},
        {"repeated header", {}, {{"Host", "a"}, {"host", "b"}}, "GET", "/", "headers", errc::invalid_argument},
    };
    for (const auto& c : cases) {
        CAPTURE(c.label);
        auto r = canonicalize({c.method, c.path, c.params, c.headers}, all_headers);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == c.code);
        CHECK(r.error().argument == c.argument);
        CHECK_FALSE(r.error().reason.empty());
    }
}

TEST_CASE("http_string: more fields than the signer's capacity is a limit, not a crash") {
    std::vector<std::string> names;
    for (std::size_t i = 0; i <= coswire::max_signed_fields; ++i) names.push_back("p" + std::to_string(i));
    std::vector<query_param> params;
    for (const auto& n : names) params.push_back({n, "v"});
    auto r = canonicalize({"GET", "/", params, {}}, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::limit_exceeded);
    CHECK(r.error().argument == "params");
    params.pop_back();
    CHECK(canonicalize({"GET", "/", params, {}}, {}).has_value());
}
