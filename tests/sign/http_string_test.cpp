// SPDX-License-Identifier: MIT
#include <coswire/sign/http_string.hpp>

#include <doctest/doctest.h>

#include "vectors.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using coswire::canonicalize;
using coswire::errc;
using coswire::header_field;
using coswire::header_selection;
using coswire::query_param;
using coswire::sign_options;
using coswire::signable_request;

namespace {
constexpr sign_options all_headers{.headers = header_selection::all};
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
    auto c = canonicalize({.method = "GET", .path = "/o", .params = params}, {});
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
    auto r = canonicalize({.method = "GET", .path = "/", .params = params}, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::limit_exceeded);
    CHECK(r.error().argument == "params");
    params.pop_back();
    CHECK(canonicalize({.method = "GET", .path = "/", .params = params}, {}).has_value());
}

namespace {

// The checks scan_text replaces, written byte by byte as canonicalize used to run them.
coswire::detail::text_scan reference_scan(std::string_view s, coswire::detail::control_bytes controls) {
    using coswire::detail::control_bytes;
    std::size_t control = s.size();
    if (controls != control_bytes::allowed) {
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto u = static_cast<unsigned char>(s[i]);
            if ((u < 0x20 && !(u == '\t' && controls == control_bytes::forbidden_but_htab)) || u == 0x7F) {
                control = i;
                break;
            }
        }
    }
    return {control, coswire::detail::utf8_error_offset(s)};
}

std::string lower_encoded(std::string_view name) {
    std::string out = coswire::percent_encode(name);
    for (char& c : out) c = coswire::detail::to_lower(c);
    return out;
}

// A small deterministic generator, so failures reproduce.
struct xorshift {
    std::uint64_t state = 0x9E3779B97F4A7C15u;
    std::size_t operator()(std::size_t n) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return static_cast<std::size_t>(state % n);
    }
};

}  // namespace

static_assert(coswire::detail::scan_text("plain ascii, longer than eight", coswire::detail::control_bytes::forbidden).control == 30);
static_assert(coswire::detail::scan_text("tab\there", coswire::detail::control_bytes::forbidden_but_htab).control == 8);
static_assert(coswire::detail::scan_text("tab\there", coswire::detail::control_bytes::forbidden).control == 3);
static_assert(coswire::detail::compare_signed_names("a", "B") < 0);  // lower-cased before comparing
static_assert(coswire::detail::compare_signed_names("a b", "a-b") < 0);  // "%20" before "-"
static_assert(coswire::detail::compare_signed_names("ab", "a") > 0);

TEST_CASE("http_string: the one-pass text scan finds what the byte-by-byte checks find") {
    using coswire::detail::control_bytes;
    const std::vector<std::string> pieces = {"a",  "Z",  "~",    " ",          "\t",       "\r", "\n", std::string(1, '\0'),
                                             "\x7F", "\x1F", "\xE8\x85\xBE", "\xF0\x9F\x98\x80", "\xC3(", "\xED\xA0\x80",
                                             "\xC0\xAF", "\xF4\x90\x80\x80", "\xE8\x85", "0123456789abcdef"};
    xorshift rnd;
    for (int iter = 0; iter < 20000; ++iter) {
        std::string s;
        const std::size_t n = rnd(12);
        for (std::size_t i = 0; i < n; ++i) s += rnd(3) == 0 ? pieces[rnd(pieces.size())] : pieces[rnd(4)];
        for (control_bytes mode : {control_bytes::allowed, control_bytes::forbidden, control_bytes::forbidden_but_htab}) {
            const auto got = coswire::detail::scan_text(s, mode);
            const auto want = reference_scan(s, mode);
            CAPTURE(s);
            CHECK(got.control == want.control);
            // Once a control byte is found the scan stops: the UTF-8 answer counts only before it.
            if (want.utf8_error < want.control) CHECK(got.utf8_error == want.utf8_error);
            else CHECK(got.utf8_error >= got.control);
        }
    }
}

TEST_CASE("http_string: signed names compare like their encoded, lower-cased text") {
    const std::vector<std::string> pieces = {"a", "A", "z", "-", "_", ".", "~", "/", "%", " ", "\xE8", "x-cos-", "Content-", "0"};
    xorshift rnd;
    for (int iter = 0; iter < 20000; ++iter) {
        std::string a, b;
        for (std::size_t i = rnd(6); i > 0; --i) a += pieces[rnd(pieces.size())];
        b = rnd(2) == 0 ? a.substr(0, rnd(a.size() + 1)) : std::string();
        for (std::size_t i = rnd(4); i > 0; --i) b += pieces[rnd(pieces.size())];
        const int want = lower_encoded(a).compare(lower_encoded(b));
        const int got = coswire::detail::compare_signed_names(a, b);
        CAPTURE(a);
        CAPTURE(b);
        CHECK((got < 0) == (want < 0));
        CHECK((got == 0) == (want == 0));
    }
}

TEST_CASE("http_string: canonicalize_into fills a reused object exactly like canonicalize") {
    coswire::canonical_request into;
    REQUIRE(coswire::canonicalize_into(into, vectors::get_request, all_headers));
    REQUIRE(coswire::canonicalize_into(into, vectors::put_request, all_headers));  // reuse clears the first
    auto fresh = canonicalize(vectors::put_request, all_headers);
    REQUIRE(fresh);
    CHECK(coswire::http_string(into) == coswire::http_string(*fresh));
    CHECK(coswire::header_list(into) == coswire::header_list(*fresh));
    CHECK(coswire::url_param_list(into) == coswire::url_param_list(*fresh));
    CHECK(into.headers.list_size() == coswire::header_list(into).size());

    const coswire::canonical_request copy = into;  // copies carry every field
    CHECK(coswire::http_string(copy) == coswire::http_string(into));
    coswire::canonical_request assigned;
    assigned = copy;
    CHECK(coswire::header_list(assigned) == coswire::header_list(into));

    auto bad = coswire::canonicalize_into(into, {.method = "GET", .path = "/a\nb"}, all_headers);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().argument == "path");
}

TEST_CASE("http_string: long names and values are written whole") {
    // Built with append: GCC 12 at -O3 warns falsely (-Wrestrict) on "literal" + std::string.
    std::string long_name = "x-cos-meta-";
    long_name.append(700, 'N').append("!");
    std::string long_value(300, 'v');
    long_value.append(" ").append(500, '/');
    const std::array<header_field, 1> headers{{{long_name, long_value}}};
    auto c = canonicalize({"GET", "/", {}, headers}, {});
    REQUIRE(c);
    std::string expected = "get\n/\n\n";
    expected.append(lower_encoded(long_name)).append("=").append(coswire::percent_encode(long_value)).append("\n");
    CHECK(coswire::http_string(*c) == expected);
    CHECK(coswire::header_list(*c) == lower_encoded(long_name));
    CHECK(c->headers.list_size() == lower_encoded(long_name).size());
}
