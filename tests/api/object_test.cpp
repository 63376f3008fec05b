// SPDX-License-Identifier: MIT
#include <coswire/api/object.hpp>

#include <coswire/sign/request.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../support/bytes.hpp"
#include "../support/cos.hpp"

using coswire::errc;
using coswire::http_request;
using coswire::result;

using test_support::bytes_of;

using test_support::doc_endpoint;

namespace {

// The documentation's credentials and bucket (docs/protocol/test-vectors.md#documented-put-example).
coswire::credentials doc_credentials() {
    return {.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q", .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz")};
}

// "name" or "name=value" for every query parameter, in order.
std::vector<std::string> params_of(const http_request& r) {
    std::vector<std::string> out;
    for (const auto& p : r.query) out.push_back(p.name + (p.value ? "=" + *p.value : ""));
    return out;
}

// The Authorization of `r` signed with the doc credentials at `time`.
std::string sign_doc(http_request r, coswire::key_time time, coswire::sign_options options = {},
                     const coswire::credentials& creds = doc_credentials()) {
    auto s = coswire::signer::create(creds, time);
    REQUIRE(s);
    auto parts = coswire::authorize(r, *s, options);
    REQUIRE(parts);
    return std::string(r.header("Authorization").value_or(""));
}

std::string signature_of(const std::string& authorization) {
    const auto at = authorization.find("q-signature=");
    return at == std::string::npos ? std::string() : authorization.substr(at + 12);
}

}  // namespace

TEST_CASE("make_put_object_request: reproduces the documented PUT and its signatures") {
    static constexpr std::string_view content = "ObjectContent";
    coswire::put_object_params p;
    p.key = "exampleobject(腾讯云)";
    p.payload = {bytes_of(content)};
    p.compute_content_md5 = true;
    p.attributes.content_type = "text/plain";
    p.attributes.acl = "private";
    p.attributes.grant_read = "uin=\"100000000011\"";
    auto r = coswire::make_put_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->method == "PUT");
    CHECK(r->path == "/exampleobject(腾讯云)");
    CHECK(r->target() == "/exampleobject%28%E8%85%BE%E8%AE%AF%E4%BA%91%29");
    CHECK(r->header("Content-Length") == "13");
    CHECK(r->header("Content-MD5") == "mQ/fVh815F3k6TAUm8m0eg==");
    CHECK(r->body.empty());
    CHECK(r->body_bytes().data() == bytes_of(content).data());  // borrowed, not copied

    SUBCASE("the SDK header selection (no Date)") {
        CHECK(signature_of(sign_doc(*r, {1557989151, 1557996351})) == "fc4e4717b501da12715d5fc84a4880a87ad2b7ab");
    }
    SUBCASE("every header signed, Date included, gives the documented Authorization") {
        p.attributes.extra_headers.push_back({"Date", "Thu, 16 May 2019 06:45:51 GMT"});
        auto dated = coswire::make_put_object_request(doc_endpoint(), p);
        REQUIRE(dated);
        CHECK(sign_doc(*dated, {1557989151, 1557996351}, {.headers = coswire::header_selection::all}) ==
              "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989151;1557996351&"
              "q-key-time=1557989151;1557996351&q-header-list=content-length;content-md5;content-type;date;host;"
              "x-cos-acl;x-cos-grant-read&q-url-param-list=&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172");
    }
}

TEST_CASE("make_put_object_request: an owned body is copied and measured like a borrowed one") {
    coswire::put_object_params p;
    p.key = "notes/a.txt";
    p.body = "ObjectContent";
    p.content_md5 = "mQ/fVh815F3k6TAUm8m0eg==";
    auto r = coswire::make_put_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->body == "ObjectContent");
    CHECK(r->payload.bytes.empty());
    CHECK(r->header("Content-Length") == "13");
    CHECK(r->header("Content-MD5") == "mQ/fVh815F3k6TAUm8m0eg==");
}

TEST_CASE("make_put_object_request: a pulled body is measured from its reader, hashed through it, and left unread otherwise") {
    int reads = 0;
    const coswire::body_reader reader{
        .size = 13,
        .read = [&reads](std::uint64_t offset, std::span<std::byte> into) -> coswire::result<void> {
            static constexpr std::string_view text = "ObjectContent";
            if (offset > text.size() || into.size() > text.size() - offset)
                return coswire::make_error(errc::invalid_argument, "offset", "past the end");
            ++reads;
            std::memcpy(into.data(), text.data() + offset, into.size());
            return {};
        }};
    auto plain = coswire::make_put_object_request(doc_endpoint(), {.key = "notes/a.txt", .reader = reader});
    REQUIRE(plain);
    CHECK(plain->body_is_pulled());
    CHECK(plain->body.empty());
    CHECK(plain->header("Content-Length") == "13");
    CHECK_FALSE(plain->header("Content-MD5"));
    CHECK(reads == 0);

    auto hashed = coswire::make_put_object_request(doc_endpoint(), {.key = "notes/a.txt", .reader = reader, .compute_content_md5 = true});
    REQUIRE(hashed);
    CHECK(hashed->header("Content-MD5") == "mQ/fVh815F3k6TAUm8m0eg==");
    CHECK(reads == 1);

    // Over 5 GiB is refused from the size alone, before any read.
    auto huge = coswire::make_put_object_request(
        doc_endpoint(), {.key = "huge.bin", .reader = {.size = coswire::max_put_object_size + 1, .read = reader.read}, .compute_content_md5 = true});
    REQUIRE_FALSE(huge);
    CHECK(huge.error().code == errc::limit_exceeded);
    CHECK(reads == 1);
}

TEST_CASE("make_put_object_request: an empty object has Content-Length 0 and the MD5 of nothing") {
    coswire::put_object_params p;
    p.key = "folder/";
    p.compute_content_md5 = true;
    auto r = coswire::make_put_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->header("Content-Length") == "0");
    CHECK(r->header("Content-MD5") == "1B2M2Y8AsgTpgAmY7PhCfg==");  // base64 of d41d8cd9...
    CHECK_FALSE(r->header("x-cos-forbid-overwrite"));
    CHECK_FALSE(r->header("x-cos-traffic-limit"));
}

TEST_CASE("make_put_object_request: forbid-overwrite, traffic limit at both ends, metadata and storage class") {
    coswire::put_object_params p;
    p.key = "a.bin";
    p.body = "x";
    p.forbid_overwrite = true;
    p.attributes.storage_class = "STANDARD_IA";
    p.attributes.metadata = {{"Author", "me"}};
    for (std::uint64_t limit : {coswire::min_traffic_limit, coswire::max_traffic_limit}) {
        p.traffic_limit = limit;
        auto r = coswire::make_put_object_request(doc_endpoint(), p);
        REQUIRE(r);
        CHECK(r->header("x-cos-forbid-overwrite") == "true");
        CHECK(r->header("x-cos-traffic-limit") == std::to_string(limit));
        CHECK(r->header("x-cos-storage-class") == "STANDARD_IA");
        CHECK(r->header("x-cos-meta-Author") == "me");
        CHECK_FALSE(r->header("Content-MD5"));
    }
}

TEST_CASE("make_get_object_request: reproduces the documented GET and its signatures") {
    coswire::get_object_params p;
    p.key = "exampleobject(腾讯云)";
    p.overrides.content_type = "application/octet-stream";
    p.overrides.cache_control = "max-age=600";
    auto r = coswire::make_get_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->method == "GET");
    CHECK(r->target() ==
          "/exampleobject%28%E8%85%BE%E8%AE%AF%E4%BA%91%29"
          "?response-cache-control=max-age%3D600&response-content-type=application%2Foctet-stream");
    CHECK(signature_of(sign_doc(*r, {1557989753, 1557996953})) == "cf18ded2f669fcafa4b98e02c2a3fdb2b2e55c43");
    r->headers.push_back({"Date", "Thu, 16 May 2019 06:55:53 GMT"});
    CHECK(sign_doc(*r, {1557989753, 1557996953}, {.headers = coswire::header_selection::all}) ==
          "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989753;1557996953&"
          "q-key-time=1557989753;1557996953&q-header-list=date;host&"
          "q-url-param-list=response-cache-control;response-content-type&"
          "q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012");
}

TEST_CASE("make_get_object_request: a ranged GET with a session token reproduces the multipart vector M7") {
    coswire::get_object_params p;
    p.key = "a/b c.txt";
    p.range = coswire::byte_range{0, 9};
    auto r = coswire::make_get_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->target() == "/a/b%20c.txt");
    CHECK(r->header("Range") == "bytes=0-9");
    const auto doc = doc_credentials();
    const coswire::credentials sts{doc.secret_id, doc.secret_key, coswire::secret_string("tok/EN+123==")};
    const std::string auth = sign_doc(*r, {1700000000, 1700003600}, {}, sts);
    CHECK(auth.find("q-header-list=host;range;x-cos-security-token&") != std::string::npos);
    CHECK(signature_of(auth) == "3088d5e53aa24233eebc08b3cfe9db477ecf6810");
}

TEST_CASE("make_get_object_request: open range, every override, versionId, conditions and traffic limit") {
    coswire::get_object_params p;
    p.key = "doc/大文件 v1+final.bin";
    p.range = coswire::byte_range{1048576, std::nullopt};
    p.overrides = {"no-cache", "attachment; filename=\"a.bin\"", "gzip", "zh-CN", "text/plain",
                   "Thu, 16 May 2019 06:45:51 GMT"};
    p.version_id = "MTg0NDUxNTc1NjIzMTQ1MDAwODg";
    p.conditions.if_match = "\"ee8de918d05640145b18f70f4c3aa602\"";
    p.conditions.if_none_match = "\"22e024392de860289f0baa7d6cf8a549\"";
    p.conditions.if_modified_since = 1557989151;
    p.conditions.if_unmodified_since = 0;
    p.traffic_limit = 1048576;
    auto r = coswire::make_get_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->wire_path == "/doc/%E5%A4%A7%E6%96%87%E4%BB%B6%20v1%2Bfinal.bin");
    CHECK(params_of(*r) == std::vector<std::string>{
                               "versionId=MTg0NDUxNTc1NjIzMTQ1MDAwODg", "response-cache-control=no-cache",
                               "response-content-disposition=attachment; filename=\"a.bin\"",
                               "response-content-encoding=gzip", "response-content-language=zh-CN",
                               "response-content-type=text/plain", "response-expires=Thu, 16 May 2019 06:45:51 GMT"});
    CHECK(r->header("Range") == "bytes=1048576-");
    CHECK(r->header("If-Match") == "\"ee8de918d05640145b18f70f4c3aa602\"");
    CHECK(r->header("If-None-Match") == "\"22e024392de860289f0baa7d6cf8a549\"");
    CHECK(r->header("If-Modified-Since") == "Thu, 16 May 2019 06:45:51 GMT");
    CHECK(r->header("If-Unmodified-Since") == "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK(r->header("x-cos-traffic-limit") == "1048576");
    CHECK(r->body_bytes().empty());
}

TEST_CASE("make_get_object_request: a one-byte range and a plain GET") {
    coswire::get_object_params p;
    p.key = "k";
    p.range = coswire::byte_range{7, 7};
    CHECK(coswire::make_get_object_request(doc_endpoint(), p)->header("Range") == "bytes=7-7");
    p.range.reset();
    auto plain = coswire::make_get_object_request(doc_endpoint(), p);
    REQUIRE(plain);
    CHECK(plain->target() == "/k");
    CHECK(plain->headers.size() == 1);  // Host only
}

TEST_CASE("make_head_object_request: HEAD with versionId and conditions, no body") {
    coswire::head_object_params p;
    p.key = "exampleobject";
    p.version_id = "MTg0NDUxNTc1NjIzMTQ1MDAwODg";
    p.conditions.if_none_match = "\"ee8de918d05640145b18f70f4c3aa602\"";
    p.conditions.if_unmodified_since = 1700000000;
    auto r = coswire::make_head_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->method == "HEAD");
    CHECK(r->target() == "/exampleobject?versionId=MTg0NDUxNTc1NjIzMTQ1MDAwODg");
    CHECK(r->header("If-None-Match") == "\"ee8de918d05640145b18f70f4c3aa602\"");
    CHECK(r->header("If-Unmodified-Since") == "Tue, 14 Nov 2023 22:13:20 GMT");
    CHECK_FALSE(r->header("Range"));
    CHECK(r->body_bytes().empty());
}

TEST_CASE("make_delete_object_request: DELETE of a key and of one version") {
    coswire::delete_object_params p;
    p.key = "a/b c.txt";
    auto r = coswire::make_delete_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->method == "DELETE");
    CHECK(r->target() == "/a/b%20c.txt");
    CHECK(r->query.empty());
    p.version_id = "MTg0NDUxNTc1NjIzMTQ1MDAwODg";
    CHECK(coswire::make_delete_object_request(doc_endpoint(), p)->target() ==
          "/a/b%20c.txt?versionId=MTg0NDUxNTc1NjIzMTQ1MDAwODg");
}

TEST_CASE("make_list_objects_request: asks for url encoding by default and sends only what is set") {
    auto r = coswire::make_list_objects_request(doc_endpoint(), {});
    REQUIRE(r);
    CHECK(r->method == "GET");
    CHECK(r->path == "/");
    CHECK(r->target() == "/?encoding-type=url");

    coswire::list_objects_params p;
    p.url_encoding = false;
    CHECK(coswire::make_list_objects_request(doc_endpoint(), p)->target() == "/");
}

TEST_CASE("make_list_objects_request: prefix, delimiter, marker and max-keys, encoded on the wire") {
    coswire::list_objects_params p;
    p.prefix = "照片/";
    p.delimiter = "/";
    p.marker = "照片/a b+c%25.jpg";
    p.max_keys = 1000;
    auto r = coswire::make_list_objects_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(params_of(*r) == std::vector<std::string>{"prefix=照片/", "delimiter=/", "marker=照片/a b+c%25.jpg",
                                                    "max-keys=1000", "encoding-type=url"});
    CHECK(r->target() ==
          "/?prefix=%E7%85%A7%E7%89%87%2F&delimiter=%2F&marker=%E7%85%A7%E7%89%87%2Fa%20b%2Bc%2525.jpg"
          "&max-keys=1000&encoding-type=url");
    p.max_keys = 1;
    CHECK(coswire::make_list_objects_request(doc_endpoint(), p)->header("Host") ==
          "examplebucket-1250000000.cos.ap-beijing.myqcloud.com");
    const std::string auth = sign_doc(*r, {1700000000, 1700003600});
    CHECK(auth.find("q-url-param-list=delimiter;encoding-type;marker;max-keys;prefix&") != std::string::npos);
}

TEST_CASE("object builders: every bad argument is refused and named") {
    const std::string bad_utf8 = "\xC3\x28";
    const std::string long_key(851, 'k');
    struct bad_case {
        const char* what;
        std::function<result<http_request>()> build;
        std::string_view argument;
        errc code = errc::invalid_argument;
    };
    const auto ep = doc_endpoint();
    const auto put = [&](auto&& edit) {
        return [&ep, edit] {
            coswire::put_object_params p;
            p.key = "k";
            edit(p);
            return coswire::make_put_object_request(ep, p);
        };
    };
    const auto get = [&](auto&& edit) {
        return [&ep, edit] {
            coswire::get_object_params p;
            p.key = "k";
            edit(p);
            return coswire::make_get_object_request(ep, p);
        };
    };
    const auto head = [&](auto&& edit) {
        return [&ep, edit] {
            coswire::head_object_params p;
            p.key = "k";
            edit(p);
            return coswire::make_head_object_request(ep, p);
        };
    };
    const auto del = [&](auto&& edit) {
        return [&ep, edit] {
            coswire::delete_object_params p;
            p.key = "k";
            edit(p);
            return coswire::make_delete_object_request(ep, p);
        };
    };
    const auto list = [&](auto&& edit) {
        return [&ep, edit] {
            coswire::list_objects_params p;
            edit(p);
            return coswire::make_list_objects_request(ep, p);
        };
    };
    static constexpr std::string_view five = "12345";
    const std::vector<bad_case> cases = {
        {"PUT empty key", put([](auto& p) { p.key.clear(); }), "object_key"},
        {"PUT key normalising to /", put([](auto& p) { p.key = "a/.."; }), "object_key"},
        {"PUT key over 850 bytes", put([&](auto& p) { p.key = long_key; }), "object_key", errc::limit_exceeded},
        {"PUT key with LF", put([](auto& p) { p.key = "a\nb"; }), "object_key"},
        {"PUT payload and body", put([](auto& p) { p.body = "x"; p.payload = {bytes_of(five)}; }), "body"},
        {"PUT reader and body", put([](auto& p) { p.body = "x"; p.reader = {.size = 1, .read = [](std::uint64_t, std::span<std::byte>) -> coswire::result<void> { return {}; }}; }), "body"},
        {"PUT reader without read", put([](auto& p) { p.reader = {.size = 1}; }), "body"},
        {"PUT both MD5 options", put([](auto& p) { p.compute_content_md5 = true; p.content_md5 = "mQ/fVh815F3k6TAUm8m0eg=="; }),
         "content_md5"},
        {"PUT MD5 not base64", put([](auto& p) { p.content_md5 = "not base64!"; }), "content_md5"},
        {"PUT MD5 of 15 bytes", put([](auto& p) { p.content_md5 = "AAAAAAAAAAAAAAAAAAAA"; }), "content_md5"},
        {"PUT MD5 hex, not base64", put([](auto& p) { p.content_md5 = "ee8de918d05640145b18f70f4c3aa602"; }), "content_md5"},
        {"PUT traffic limit too low", put([](auto& p) { p.traffic_limit = 819199; }), "traffic_limit"},
        {"PUT traffic limit too high", put([](auto& p) { p.traffic_limit = 838860801; }), "traffic_limit"},
        {"PUT content type with CR LF", put([](auto& p) { p.attributes.content_type = "text/plain\r\nX: y"; }), "content_type"},
        {"PUT metadata with NUL", put([](auto& p) { p.attributes.metadata = {{"a", std::string("x\0y", 3)}}; }), "metadata"},
        {"PUT metadata name with _", put([](auto& p) { p.attributes.metadata = {{"a_b", "x"}}; }), "metadata"},
        {"PUT extra Content-Length", put([](auto& p) { p.attributes.extra_headers = {{"Content-Length", "1"}}; }),
         "extra_headers"},
        {"PUT extra Content-MD5 over a computed one",
         put([](auto& p) { p.compute_content_md5 = true; p.attributes.extra_headers = {{"content-md5", "x"}}; }),
         "extra_headers"},
        {"GET empty key", get([](auto& p) { p.key.clear(); }), "object_key"},
        {"GET key starting with /", get([](auto& p) { p.key = "/a"; }), "object_key"},
        {"GET range last < first", get([](auto& p) { p.range = coswire::byte_range{10, 9}; }), "range"},
        {"GET empty versionId", get([](auto& p) { p.version_id = ""; }), "version_id"},
        {"GET versionId not UTF-8", get([&](auto& p) { p.version_id = bad_utf8; }), "version_id"},
        {"GET empty If-Match", get([](auto& p) { p.conditions.if_match = ""; }), "if_match"},
        {"GET If-None-Match with LF", get([](auto& p) { p.conditions.if_none_match = "\"a\"\n"; }), "if_none_match"},
        {"GET If-Modified-Since before year 1",
         get([](auto& p) { p.conditions.if_modified_since = coswire::http_date_min_seconds - 1; }), "if_modified_since"},
        {"GET If-Unmodified-Since after 9999",
         get([](auto& p) { p.conditions.if_unmodified_since = coswire::http_date_max_seconds + 1; }), "if_unmodified_since"},
        {"GET traffic limit 0", get([](auto& p) { p.traffic_limit = 0; }), "traffic_limit"},
        {"GET empty response-cache-control", get([](auto& p) { p.overrides.cache_control = ""; }), "response_cache_control"},
        {"GET response-content-disposition not UTF-8", get([&](auto& p) { p.overrides.content_disposition = bad_utf8; }),
         "response_content_disposition"},
        {"GET empty response-content-encoding", get([](auto& p) { p.overrides.content_encoding = ""; }),
         "response_content_encoding"},
        {"GET empty response-content-language", get([](auto& p) { p.overrides.content_language = ""; }),
         "response_content_language"},
        {"GET empty response-content-type", get([](auto& p) { p.overrides.content_type = ""; }), "response_content_type"},
        {"GET empty response-expires", get([](auto& p) { p.overrides.expires = ""; }), "response_expires"},
        {"HEAD dot segment", head([](auto& p) { p.key = "a/./b"; }), "object_key"},
        {"HEAD empty versionId", head([](auto& p) { p.version_id = ""; }), "version_id"},
        {"HEAD If-Match with NUL", head([](auto& p) { p.conditions.if_match = std::string("\"a\0\"", 4); }), "if_match"},
        {"HEAD If-Modified-Since too early",
         head([](auto& p) { p.conditions.if_modified_since = INT64_MIN; }), "if_modified_since"},
        {"DELETE key '.'", del([](auto& p) { p.key = "."; }), "object_key"},
        {"DELETE empty versionId", del([](auto& p) { p.version_id = ""; }), "version_id"},
        {"LIST max-keys 0", list([](auto& p) { p.max_keys = 0; }), "max_keys"},
        {"LIST max-keys 1001", list([](auto& p) { p.max_keys = 1001; }), "max_keys"},
        {"LIST prefix not UTF-8", list([&](auto& p) { p.prefix = bad_utf8; }), "prefix"},
        {"LIST delimiter not UTF-8", list([&](auto& p) { p.delimiter = bad_utf8; }), "delimiter"},
        {"LIST marker not UTF-8", list([&](auto& p) { p.marker = bad_utf8; }), "marker"},
    };
    for (const bad_case& c : cases) {
        CAPTURE(c.what);
        const result<http_request> r = c.build();
        REQUIRE_FALSE(r);
        CHECK(r.error().code == c.code);
        CHECK(r.error().argument == c.argument);
        CHECK_FALSE(r.error().reason.empty());
    }
}

TEST_CASE("make_put_object_request: a body over 5 GiB is refused before anything else reads it") {
    if constexpr (sizeof(std::size_t) >= 8) {
        // The view is never dereferenced: the size check comes before the MD5 pass, which this
        // test also asks for to prove that order.
        static constexpr std::byte one[1] = {};
        coswire::put_object_params p;
        p.key = "huge.bin";
        p.payload = {std::span<const std::byte>(one, static_cast<std::size_t>(coswire::max_put_object_size + 1))};
        p.compute_content_md5 = true;
        auto r = coswire::make_put_object_request(doc_endpoint(), p);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::limit_exceeded);
        CHECK(r.error().argument == "body");
    }
}

TEST_CASE("make_put_object_request: a key with dot segments is accepted when the caller opts in") {
    coswire::put_object_params p;
    p.key = "a/./b";
    p.key_options.allow_dot_segments = true;
    auto r = coswire::make_put_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->wire_path == "/a/%2E/b");
    CHECK(r->path == "/a/./b");
}

namespace {

// The SSE-C key headers (docs/protocol/headers.md#server-side-encryption-headers): a 32-byte key (here
// 32 '0' bytes, base64) and the base64 MD5 of that key.
std::vector<coswire::http_header> sse_c_headers() {
    return {{"x-cos-server-side-encryption-customer-algorithm", "AES256"},
            {"x-cos-server-side-encryption-customer-key", "MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA="},
            {"x-cos-server-side-encryption-customer-key-MD5", "zZ5FnqcIqUjVwvWmyog4zw=="}};
}

// The SSE-C headers of `r`, in the order they were added.
std::vector<std::string> sse_c_sent(const http_request& r) {
    std::vector<std::string> out;
    for (const auto& h : r.headers)
        if (h.name.rfind("x-cos-server-side-encryption-customer-", 0) == 0) out.push_back(h.name + ": " + h.value);
    return out;
}

constexpr std::string_view sse_c_header_list =
    "x-cos-server-side-encryption-customer-algorithm;x-cos-server-side-encryption-customer-key;"
    "x-cos-server-side-encryption-customer-key-md5";

}  // namespace

TEST_CASE("make_get_object_request: SSE-C key headers go out last and are signed") {
    coswire::get_object_params p;
    p.key = "secret.bin";
    p.range = coswire::byte_range{0, 9};
    p.traffic_limit = coswire::min_traffic_limit;
    p.extra_headers = sse_c_headers();
    auto r = coswire::make_get_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(sse_c_sent(*r) == std::vector<std::string>{
                                "x-cos-server-side-encryption-customer-algorithm: AES256",
                                "x-cos-server-side-encryption-customer-key: MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=",
                                "x-cos-server-side-encryption-customer-key-MD5: zZ5FnqcIqUjVwvWmyog4zw=="});
    REQUIRE(r->headers.size() == 6);  // Host, Range, x-cos-traffic-limit, then the three extras
    CHECK(r->headers[1].name == "Range");
    CHECK(r->headers[2].name == "x-cos-traffic-limit");
    CHECK(r->headers[3].name == "x-cos-server-side-encryption-customer-algorithm");
    const std::string auth = sign_doc(*r, {1700000000, 1700003600});
    CHECK(auth.find("q-header-list=host;range;" + std::string(sse_c_header_list) + ";x-cos-traffic-limit&") !=
          std::string::npos);
}

TEST_CASE("make_head_object_request: SSE-C key headers after the preconditions, signed") {
    coswire::head_object_params p;
    p.key = "secret.bin";
    p.conditions.if_match = "\"ee8de918d05640145b18f70f4c3aa602\"";
    p.extra_headers = sse_c_headers();
    auto r = coswire::make_head_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->method == "HEAD");
    REQUIRE(r->headers.size() == 5);  // Host, If-Match, then the three extras
    CHECK(r->headers[1].name == "If-Match");
    CHECK(sse_c_sent(*r).size() == 3);
    const std::string auth = sign_doc(*r, {1700000000, 1700003600});
    CHECK(auth.find("q-header-list=host;if-match;" + std::string(sse_c_header_list) + "&") != std::string::npos);
}

TEST_CASE("make_delete_object_request: extra headers are sent after versionId is added") {
    coswire::delete_object_params p;
    p.key = "k";
    p.version_id = "MTg0NDUxNTc1NjIzMTQ1MDAwODg";
    p.extra_headers = {{"x-cos-bypass-governance-retention", "true"}};
    auto r = coswire::make_delete_object_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->target() == "/k?versionId=MTg0NDUxNTc1NjIzMTQ1MDAwODg");
    CHECK(r->header("x-cos-bypass-governance-retention") == "true");
    CHECK(r->headers.size() == 2);
}

TEST_CASE("read builders: without extra headers nothing changes, and positional params still build") {
    // Params brace-initialised before extra_headers existed (as client code does) keep their
    // meaning: extra_headers is the last member and defaults to empty.
    auto head = coswire::make_head_object_request(doc_endpoint(), coswire::head_object_params{.key = "k"});
    REQUIRE(head);
    CHECK(head->headers.size() == 1);  // Host only
    auto del = coswire::make_delete_object_request(doc_endpoint(), coswire::delete_object_params{.key = "k"});
    REQUIRE(del);
    CHECK(del->headers.size() == 1);
}

TEST_CASE("read builders: bad extra headers are refused and named extra_headers") {
    struct bad_case {
        const char* what;
        std::vector<coswire::http_header> extra;
    };
    const std::vector<bad_case> cases = {
        {"name not a token", {{"bad name", "x"}}},
        {"empty name", {{"", "x"}}},
        {"Authorization", {{"Authorization", "q-sign-algorithm=sha1"}}},
        {"Host in another case", {{"host", "evil.example"}}},
        {"value with CR LF", {{"x-cos-server-side-encryption-customer-algorithm", "AES256\r\nX: y"}}},
        {"value with leading blank", {{"x-cos-meta-a", " v"}}},
        {"the same header twice", {{"x-cos-a", "1"}, {"X-Cos-A", "2"}}},
    };
    const auto ep = doc_endpoint();
    for (const bad_case& c : cases) {
        CAPTURE(c.what);
        coswire::get_object_params get;
        get.key = "k";
        get.extra_headers = c.extra;
        coswire::head_object_params head;
        head.key = "k";
        head.extra_headers = c.extra;
        coswire::delete_object_params del;
        del.key = "k";
        del.extra_headers = c.extra;
        for (const result<http_request>& r : {coswire::make_get_object_request(ep, get),
                                              coswire::make_head_object_request(ep, head),
                                              coswire::make_delete_object_request(ep, del)}) {
            REQUIRE_FALSE(r);
            CHECK(r.error().code == errc::invalid_argument);
            CHECK(r.error().argument == "extra_headers");
        }
    }
}

TEST_CASE("read builders: an extra header repeating one the builder set is the extra header's fault") {
    coswire::get_object_params get;
    get.key = "k";
    get.range = coswire::byte_range{0, 0};
    get.extra_headers = {{"range", "bytes=5-9"}};
    auto g = coswire::make_get_object_request(doc_endpoint(), get);
    REQUIRE_FALSE(g);
    CHECK(g.error().argument == "extra_headers");

    coswire::head_object_params head;
    head.key = "k";
    head.conditions.if_none_match = "\"a\"";
    head.extra_headers = {{"If-None-Match", "\"b\""}};
    auto h = coswire::make_head_object_request(doc_endpoint(), head);
    REQUIRE_FALSE(h);
    CHECK(h.error().argument == "extra_headers");

    // A builder error that comes first is still reported as that argument.
    head.conditions.if_none_match = "";
    auto first = coswire::make_head_object_request(doc_endpoint(), head);
    REQUIRE_FALSE(first);
    CHECK(first.error().argument == "if_none_match");
}
