// SPDX-License-Identifier: MIT
#include <coswire/api/request.hpp>
#include <coswire/sign/authorization.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../support/bytes.hpp"
#include "../support/cos.hpp"

using coswire::errc;
using coswire::http_request;

using test_support::bytes_of;

using test_support::doc_endpoint;

namespace {

std::vector<std::string> header_names(const http_request& r) {
    std::vector<std::string> out;
    for (const auto& h : r.headers) out.push_back(h.name);
    return out;
}

}  // namespace

TEST_CASE("make_object_request and make_bucket_request: the same start, different paths") {
    const auto ep = doc_endpoint();
    auto object = coswire::make_object_request(ep, "PUT", "a b.txt");
    auto bucket = coswire::make_bucket_request(ep, "GET");
    REQUIRE(object);
    REQUIRE(bucket);
    CHECK(object->method == "PUT");
    CHECK(bucket->method == "GET");
    for (const http_request* r : std::initializer_list<const http_request*>{&*object, &*bucket}) {
        CHECK(r->scheme == ep.scheme);
        CHECK(r->host == ep.host);
        CHECK(header_names(*r) == std::vector<std::string>{"Host"});
        CHECK(r->header("Host") == ep.host);
        CHECK(r->query.empty());
        CHECK(r->body_bytes().empty());
    }
    CHECK(object->path == "/a b.txt");
    CHECK(object->wire_path == "/a%20b.txt");
    CHECK(bucket->path == "/");
    CHECK(bucket->wire_path == "/");
    CHECK(coswire::make_object_request(ep, "GET", "").error().argument == "object_key");
}

TEST_CASE("make_object_request: both paths come from one key, with the key options") {
    const auto ep = doc_endpoint();
    auto r = coswire::make_object_request(ep, "GET", "doc/大文件 v1+final.bin");
    REQUIRE(r);
    CHECK(r->path == "/doc/大文件 v1+final.bin");
    CHECK(r->wire_path == "/doc/%E5%A4%A7%E6%96%87%E4%BB%B6%20v1%2Bfinal.bin");
    CHECK(r->target() == r->wire_path);
    CHECK(r->url() == "https://" + ep.host + r->wire_path);
}

TEST_CASE("make_object_request and make_bucket_request refuse a method that is no HTTP token") {
    const auto ep = doc_endpoint();
    for (std::string_view method : {"", "GE T", "GET\r\n", "G(ET", "GET\n"}) {
        auto object = coswire::make_object_request(ep, method, "k");
        auto bucket = coswire::make_bucket_request(ep, method);
        REQUIRE_FALSE(object);
        REQUIRE_FALSE(bucket);
        CHECK(object.error().argument == "method");
        CHECK(bucket.error().argument == "method");
        CHECK(object.error().code == coswire::errc::invalid_argument);
    }
}

TEST_CASE("header values with blanks at either end: the builders refuse them, the signer signs them trimmed") {
    // docs/signing.md#refused-input: a builder never changes a value silently; the signer signs
    // what the server reads once the HTTP stack has dropped the blanks.
    for (std::string_view padded : {" v", "v ", "\tv", " v\t "}) {
        auto refused = coswire::validate_header_value(padded, "metadata");
        REQUIRE_FALSE(refused);
        CHECK(refused.error().argument == "metadata");
        const coswire::credentials creds{.secret_id = "AKIDexample", .secret_key = coswire::secret_string("example-secret")};
        const coswire::key_time window{.start = 1700000000, .end = 1700000900};
        const coswire::header_field as_given[] = {{.name = "Host", .value = "h"}, {.name = "x-cos-meta-a", .value = padded}};
        const coswire::header_field as_read[] = {{.name = "Host", .value = "h"}, {.name = "x-cos-meta-a", .value = "v"}};
        auto given = coswire::sign({.method = "PUT", .path = "/k", .headers = as_given}, creds, window);
        auto read = coswire::sign({.method = "PUT", .path = "/k", .headers = as_read}, creds, window);
        REQUIRE(given);
        REQUIRE(read);
        CHECK(given->authorization == read->authorization);
    }
    CHECK(coswire::validate_header_value("v w", "metadata"));  // blanks inside are the value's
}

TEST_CASE("add_extra_headers: appends in order after what is there; nothing for an empty list") {
    http_request r;
    r.headers.push_back({"Host", "h"});
    REQUIRE(coswire::detail::add_extra_headers(r, {}));
    CHECK(r.headers.size() == 1);
    REQUIRE(coswire::detail::add_extra_headers(r, {{"x-cos-b", "2"}, {"Expect", "100-continue"}, {"x-cos-a", ""}}));
    CHECK(header_names(r) == std::vector<std::string>{"Host", "x-cos-b", "Expect", "x-cos-a"});
}

TEST_CASE("add_extra_headers: the rules add_object_attributes applies, named extra_headers") {
    const std::vector<std::vector<coswire::http_header>> bad = {
        {{"a b", "x"}},          {{"", "x"}},           {{"x:y", "x"}},     {{"AUTHORIZATION", "x"}},
        {{"Host", "x"}},         {{"x-cos-a", "a\nb"}}, {{"x-cos-a", "\xFF"}}, {{"x-cos-a", "x "}},
        {{"x-cos-a", "1"}, {"x-cos-A", "1"}},           {{"host", "h"}},
    };
    for (const auto& headers : bad) {
        CAPTURE(headers.front().name);
        http_request r;
        r.headers.push_back({"Host", "h"});
        auto direct = coswire::detail::add_extra_headers(r, headers);
        REQUIRE_FALSE(direct);
        CHECK(direct.error().code == errc::invalid_argument);
        CHECK(direct.error().argument == "extra_headers");

        // The attributes' extra_headers go through the same function.
        coswire::object_attributes a;
        a.extra_headers = headers;
        http_request s;
        s.headers.push_back({"Host", "h"});
        auto via_attributes = coswire::detail::add_object_attributes(s, a);
        REQUIRE_FALSE(via_attributes);
        CHECK(via_attributes.error().argument == "extra_headers");
        CHECK(via_attributes.error().reason == direct.error().reason);
    }
}

TEST_CASE("content_md5_of: base64 of the binary MD5 (RFC 1321 vectors, the documented PUT example)") {
    CHECK(coswire::detail::content_md5_of({}) == "1B2M2Y8AsgTpgAmY7PhCfg==");
    CHECK(coswire::detail::content_md5_of(bytes_of("ObjectContent")) == "mQ/fVh815F3k6TAUm8m0eg==");
}

namespace {
// A request holding `text` as its body: owned, or pulled through a reader that serves it by position.
http_request with_body(std::string_view text, bool pulled) {
    http_request r;
    if (!pulled) {
        r.body = std::string(text);
        return r;
    }
    r.reader = {.size = text.size(), .read = [t = std::string(text)](std::uint64_t offset, std::span<std::byte> into) -> coswire::result<void> {
                    if (offset > t.size() || into.size() > t.size() - offset)
                        return coswire::make_error(errc::invalid_argument, "offset", "past the end");
                    std::memcpy(into.data(), t.data() + offset, into.size());
                    return {};
                }};
    return r;
}
}  // namespace

TEST_CASE("content_md5_value: none, given, computed (from memory or through a reader), and the refusals") {
    using coswire::detail::content_md5_value;
    for (const bool pulled : {false, true}) {
        CAPTURE(pulled);
        const http_request body = with_body("ObjectContent", pulled);
        auto neither = content_md5_value(std::nullopt, false, body);
        REQUIRE(neither);
        CHECK_FALSE(neither->has_value());
        auto given = content_md5_value(std::string("OScKloo1fSQgfpkRFiUH6w=="), false, body);
        REQUIRE(given);
        CHECK(*given == std::optional<std::string>("OScKloo1fSQgfpkRFiUH6w=="));  // kept verbatim
        auto computed = content_md5_value(std::nullopt, true, body);
        REQUIRE(computed);
        CHECK(*computed == std::optional<std::string>("mQ/fVh815F3k6TAUm8m0eg=="));
    }
    {
        const http_request body = with_body("ObjectContent", false);
        const std::optional<std::string> both = "mQ/fVh815F3k6TAUm8m0eg==";
        CHECK(content_md5_value(both, true, body).error().argument == "content_md5");
        for (const char* bad : {"", "OScKloo1fSQgfpkRFiUH6w=", "OScKloo1fSQgfpkRFiUH6w", "OScKloo1fSQgfpkRFiUH6w!!",
                                "AAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAA", "ee8de918d05640145b18f70f4c3aa602",
                                "OScKloo1fSQgfpkRFiUH6x=="}) {
            CAPTURE(bad);
            auto v = content_md5_value(std::string(bad), false, body);
            REQUIRE_FALSE(v);
            CHECK(v.error().code == errc::invalid_argument);
            CHECK(v.error().argument == "content_md5");
        }
    }
}

TEST_CASE("content_md5_of_body: a pulled body of several 64 KiB pieces hashes as the same bytes in memory, and a reader's error is returned") {
    std::string text(200000, '\0');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i * 7 % 253);
    auto pulled = coswire::detail::content_md5_of_body(with_body(text, true));
    REQUIRE(pulled);
    CHECK(*pulled == coswire::detail::content_md5_of(bytes_of(text)));

    http_request failing;
    failing.reader = {.size = 10, .read = [](std::uint64_t, std::span<std::byte>) -> coswire::result<void> {
                          return coswire::make_error(errc::invalid_argument, "source", "unreadable");
                      }};
    auto e = coswire::detail::content_md5_of_body(failing);
    REQUIRE_FALSE(e);
    CHECK(e.error().argument == "source");
}

TEST_CASE("set_upload_body: one of owned, borrowed and pulled; a reader needs its read function") {
    const auto five = bytes_of("12345");
    const coswire::body_reader reader = with_body("abc", true).reader;
    http_request r;
    CHECK(coswire::detail::set_upload_body(r, "body", "", {five}, {}));
    CHECK(r.body_size() == 5);
    CHECK(coswire::detail::set_upload_body(r, "body", "", {}, reader));
    CHECK(r.body_is_pulled());
    CHECK(r.body_size() == 3);
    CHECK(coswire::detail::set_upload_body(r, "body", "", {}, {}));
    CHECK(r.body_size() == 0);
    CHECK(coswire::detail::set_upload_body(r, "body", "xy", {five}, {}).error().argument == "body");
    CHECK(coswire::detail::set_upload_body(r, "payload", "", {five}, reader).error().argument == "payload");
    CHECK(coswire::detail::set_upload_body(r, "body", "xy", {}, reader).error().argument == "body");
    auto sizeless = coswire::detail::set_upload_body(r, "body", "", {}, {.size = 4});
    REQUIRE_FALSE(sizeless);
    CHECK(sizeless.error().reason == "reader has a size but no read function");
}

TEST_CASE("add_body_headers: Content-Length then Content-MD5, the size checked first") {
    for (const bool pulled : {false, true}) {
        CAPTURE(pulled);
        http_request r = with_body("ObjectContent", pulled);
        REQUIRE(coswire::detail::add_body_headers(r, 13, "body", "too big", std::nullopt, true));
        CHECK(header_names(r) == std::vector<std::string>{"Content-Length", "Content-MD5"});
        CHECK(r.header("Content-Length") == "13");
        CHECK(r.header("Content-MD5") == "mQ/fVh815F3k6TAUm8m0eg==");

        http_request plain;
        REQUIRE(coswire::detail::add_body_headers(plain, 0, "payload", "too big", std::nullopt, false));
        CHECK(header_names(plain) == std::vector<std::string>{"Content-Length"});
        CHECK(plain.header("Content-Length") == "0");

        http_request over = with_body("ObjectContent", pulled);
        auto e = coswire::detail::add_body_headers(over, 12, "payload", "a part holds at most 12 bytes", std::string("not base64"), false);
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::limit_exceeded);
        CHECK(e.error().argument == "payload");
        CHECK(e.error().reason == "is 13 bytes, a part holds at most 12 bytes");
        CHECK(over.headers.empty());

        http_request bad_md5 = with_body("ObjectContent", pulled);
        auto m = coswire::detail::add_body_headers(bad_md5, 13, "body", "too big", std::string("not base64"), false);
        REQUIRE_FALSE(m);
        CHECK(m.error().argument == "content_md5");
        CHECK(bad_md5.headers.empty());  // nothing is added before the MD5 is known to be good
    }
}

TEST_CASE("add_page_size_param: 1 to the largest, unset sends nothing") {
    http_request r;
    REQUIRE(coswire::detail::add_page_size_param(r, "max-keys", std::nullopt, 1000, "max_keys"));
    CHECK(r.query.empty());
    REQUIRE(coswire::detail::add_page_size_param(r, "max-keys", 1u, 1000, "max_keys"));
    REQUIRE(coswire::detail::add_page_size_param(r, "max-parts", 1000u, 1000, "max_parts"));
    REQUIRE(r.query.size() == 2);
    CHECK(r.query[0].name == "max-keys");
    CHECK(r.query[0].value == "1");
    CHECK(r.query[1].name == "max-parts");
    CHECK(r.query[1].value == "1000");
    for (std::uint32_t bad : {0u, 1001u, UINT32_MAX}) {
        CAPTURE(bad);
        auto e = coswire::detail::add_page_size_param(r, "max-uploads", bad, 1000, "max_uploads");
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::invalid_argument);
        CHECK(e.error().argument == "max_uploads");
        CHECK(e.error().reason.find("1 to 1000") != std::string::npos);
    }
    CHECK(r.query.size() == 2);
}

TEST_CASE("add_url_encoding_param: encoding-type=url only when asked for") {
    http_request r;
    REQUIRE(coswire::detail::add_url_encoding_param(r, false));
    CHECK(r.query.empty());
    REQUIRE(coswire::detail::add_url_encoding_param(r, true));
    REQUIRE(r.query.size() == 1);
    CHECK(r.query[0].name == "encoding-type");
    CHECK(r.query[0].value == "url");
}
