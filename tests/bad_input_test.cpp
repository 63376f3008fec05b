// SPDX-License-Identifier: MIT
// Issue 6: one table over every public builder and parser. Each row feeds one invalid input and
// states the error kind and the argument the error must name; every error must also be one
// printable line (no CR, LF or NUL reaches a log through an error), carry a reason and repeat
// no secret.
#include <coswire/coswire.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/bytes.hpp"

using coswire::errc;
using coswire::error;
using coswire::http_response;

using test_support::bytes_of;

namespace {

/// One invalid input: what it is, the error it must produce, and the call that produces it.
/// Errors shaped for a gateway to send back (service_error from the verifier) name the
/// request as their argument; `mentions` is then what their message must point at.
struct bad_input {
    std::string_view what;
    errc code;
    std::string_view argument;
    std::function<std::optional<error>()> call;
    std::string_view mentions = {};
};

template <class T>
std::optional<error> failure_of(coswire::result<T> r) {
    if (r) return std::nullopt;
    return std::move(r).error();
}

/// `P` default-initialised, then set up by `set` (designated initializers trip g++ 12's
/// -Wmissing-field-initializers).
template <class P, class Set>
P with(Set set) {
    P p{};
    set(p);
    return p;
}

// Secrets the signing rows use; no error may repeat them.
constexpr std::string_view test_secret = "bad-input-secret-key";
constexpr std::string_view test_token = "bad-input-session-token";

coswire::endpoint bucket() { return coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(); }

http_response xml_response(int status, std::string body) {
    http_response r;
    r.status = status;
    r.headers = {{"Content-Type", "application/xml"}, {"x-cos-request-id", "NjE2YjJhNWRfMjBiMjU4NjRfYTM3Nl8x"}};
    r.body = std::move(body);
    return r;
}

http_response headers_response(std::vector<coswire::http_header> headers) {
    http_response r;
    r.status = 200;
    r.headers = std::move(headers);
    return r;
}

// The object-key rows every key-taking builder shares; `build` gets the key to try.
template <class Build>
void add_key_rows(std::vector<bad_input>& rows, std::string_view op, Build build) {
    rows.push_back({op, errc::invalid_argument, "object_key", [=] { return build(""); }});
    rows.push_back({op, errc::invalid_argument, "object_key", [=] { return build("a\r\nb"); }});
    rows.push_back({op, errc::invalid_argument, "object_key", [=] { return build(std::string("a\0b", 3)); }});
    rows.push_back({op, errc::invalid_argument, "object_key", [=] { return build("\xff\xfe"); }});
    rows.push_back({op, errc::invalid_argument, "object_key", [=] { return build("a/../b"); }});
    rows.push_back({op, errc::limit_exceeded, "object_key", [=] { return build(std::string(851, 'k')); }});
}

// The header rows for builders that take extra headers (CR, LF, NUL in values; non-token names).
template <class Build>
void add_header_rows(std::vector<bad_input>& rows, std::string_view op, std::string_view argument, Build build) {
    rows.push_back({op, errc::invalid_argument, argument, [=] { return build({"x-cos-meta-a", "v\r\nInjected: 1"}); }});
    rows.push_back({op, errc::invalid_argument, argument, [=] { return build({"x-cos-meta-a", "v\nw"}); }});
    rows.push_back({op, errc::invalid_argument, argument, [=] { return build({"x-cos-meta-a", std::string("v\0w", 3)}); }});
    rows.push_back({op, errc::invalid_argument, argument, [=] { return build({"bad name", "v"}); }});
    rows.push_back({op, errc::invalid_argument, argument, [=] { return build({"", "v"}); }});
}

std::vector<bad_input> table() {
    using namespace coswire;
    std::vector<bad_input> rows;
    auto add = [&rows](std::string_view what, errc code, std::string_view argument, std::function<std::optional<error>()> call,
                       std::string_view mentions = {}) { rows.push_back({what, code, argument, std::move(call), mentions}); };

    // Endpoints.
    add("empty bucket", errc::invalid_argument, "bucket", [] { return failure_of(make_endpoint("", "ap-beijing")); });
    add("bucket without APPID", errc::invalid_argument, "bucket", [] { return failure_of(make_endpoint("examplebucket", "ap-beijing")); });
    add("upper-case bucket", errc::invalid_argument, "bucket", [] { return failure_of(make_endpoint("Example-1250000000", "ap-beijing")); });
    add("bucket with CR", errc::invalid_argument, "bucket", [] { return failure_of(make_endpoint("a\r-1250000000", "ap-beijing")); });
    add("empty region", errc::invalid_argument, "region", [] { return failure_of(make_endpoint("examplebucket-1250000000", "")); });
    add("region with space", errc::invalid_argument, "region", [] { return failure_of(make_endpoint("examplebucket-1250000000", "ap beijing")); });
    add("region with LF", errc::invalid_argument, "region", [] { return failure_of(make_endpoint("examplebucket-1250000000", "ap-\nbeijing")); });
    add("empty custom domain", errc::invalid_argument, "domain", [] { return failure_of(make_custom_endpoint("")); });
    add("custom domain with CRLF", errc::invalid_argument, "domain", [] { return failure_of(make_custom_endpoint("cdn.example.com\r\nX: y")); });

    // Object keys, through map_object_key and every builder that takes a key.
    add_key_rows(rows, "map_object_key", [](std::string k) { return failure_of(map_object_key(k)); });
    add_key_rows(rows, "put object", [](std::string k) { return failure_of(make_put_object_request(bucket(), with<put_object_params>([&](put_object_params& p) { p.key = k; }))); });
    add_key_rows(rows, "get object", [](std::string k) { return failure_of(make_get_object_request(bucket(), with<get_object_params>([&](get_object_params& p) { p.key = k; }))); });
    add_key_rows(rows, "head object", [](std::string k) { return failure_of(make_head_object_request(bucket(), with<head_object_params>([&](head_object_params& p) { p.key = k; }))); });
    add_key_rows(rows, "delete object", [](std::string k) { return failure_of(make_delete_object_request(bucket(), with<delete_object_params>([&](delete_object_params& p) { p.key = k; }))); });
    add_key_rows(rows, "initiate", [](std::string k) { return failure_of(make_initiate_multipart_upload_request(bucket(), with<initiate_multipart_upload_params>([&](initiate_multipart_upload_params& p) { p.key = k; }))); });
    add_key_rows(rows, "upload part", [](std::string k) {
        return failure_of(make_upload_part_request(bucket(), with<upload_part_params>([&](upload_part_params& p) { p.key = k; p.upload_id = "u1"; p.part_number = 1; })));
    });
    add_key_rows(rows, "complete", [](std::string k) {
        return failure_of(make_complete_multipart_upload_request(bucket(), with<complete_multipart_upload_params>([&](complete_multipart_upload_params& p) { p.key = k; p.upload_id = "u1"; p.parts = {{1, "\"e\""}}; })));
    });
    add_key_rows(rows, "abort", [](std::string k) { return failure_of(make_abort_multipart_upload_request(bucket(), with<abort_multipart_upload_params>([&](abort_multipart_upload_params& p) { p.key = k; p.upload_id = "u1"; }))); });
    add_key_rows(rows, "list parts", [](std::string k) { return failure_of(make_list_parts_request(bucket(), with<list_parts_params>([&](list_parts_params& p) { p.key = k; p.upload_id = "u1"; }))); });

    // Headers the caller supplies: attributes, metadata, extra headers, conditions.
    add_header_rows(rows, "put extra header", "extra_headers", [](http_header h) {
        put_object_params p; p.key = "k";
        p.attributes.extra_headers = {std::move(h)};
        return failure_of(make_put_object_request(bucket(), p));
    });
    add_header_rows(rows, "upload part extra header", "extra_headers", [](http_header h) {
        return failure_of(make_upload_part_request(bucket(), with<upload_part_params>([&](upload_part_params& p) { p.key = "k"; p.upload_id = "u1"; p.part_number = 1; p.extra_headers = {std::move(h)}; })));
    });
    add("Content-Type with CRLF", errc::invalid_argument, "content_type", [] {
        put_object_params p; p.key = "k";
        p.attributes.content_type = "text/plain\r\nX-Injected: 1";
        return failure_of(make_put_object_request(bucket(), p));
    });
    add("storage class with LF", errc::invalid_argument, "storage_class", [] {
        initiate_multipart_upload_params p; p.key = "k";
        p.attributes.storage_class = "STANDARD\n";
        return failure_of(make_initiate_multipart_upload_request(bucket(), p));
    });
    add("metadata name not a token", errc::invalid_argument, "metadata", [] {
        put_object_params p; p.key = "k";
        p.attributes.metadata = {{"my key", "v"}};
        return failure_of(make_put_object_request(bucket(), p));
    });
    add("metadata value with NUL", errc::invalid_argument, "metadata", [] {
        put_object_params p; p.key = "k";
        p.attributes.metadata = {{"owner", std::string("a\0b", 3)}};
        return failure_of(make_put_object_request(bucket(), p));
    });
    add("If-Match with CR", errc::invalid_argument, "if_match", [] {
        get_object_params p; p.key = "k";
        p.conditions.if_match = "\"abc\"\r";
        return failure_of(make_get_object_request(bucket(), p));
    });
    add("version id with LF", errc::invalid_argument, "version_id", [] {
        return failure_of(make_head_object_request(bucket(), with<head_object_params>([&](head_object_params& p) { p.key = "k"; p.version_id = "v\n1"; })));
    });
    add("response-content-type with CRLF", errc::invalid_argument, "response_content_type", [] {
        get_object_params p; p.key = "k";
        p.overrides.content_type = "a\r\nb";
        return failure_of(make_get_object_request(bucket(), p));
    });
    add("both body and payload", errc::invalid_argument, "body", [] {
        return failure_of(make_put_object_request(bucket(), with<put_object_params>([&](put_object_params& p) { p.key = "k"; p.payload = {bytes_of("x")}; p.body = "y"; })));
    });
    add("Content-MD5 not base64", errc::invalid_argument, "content_md5", [] {
        put_object_params p; p.key = "k"; p.body = "x";
        p.content_md5 = "not base64!";
        return failure_of(make_put_object_request(bucket(), p));
    });

    // Ranges and numbers.
    add("range first > last", errc::invalid_argument, "range", [] {
        return failure_of(make_get_object_request(bucket(), with<get_object_params>([&](get_object_params& p) { p.key = "k"; p.range = byte_range{10, 5}; })));
    });
    add("copy range first > last", errc::invalid_argument, "range", [] {
        upload_part_copy_params p; p.key = "k"; p.upload_id = "u1"; p.part_number = 1; p.source = bucket(); p.source_key = "s";
        p.range = byte_range{10, 5};
        return failure_of(make_upload_part_copy_request(bucket(), p));
    });
    add("copy range without end", errc::invalid_argument, "range", [] {
        upload_part_copy_params p; p.key = "k"; p.upload_id = "u1"; p.part_number = 1; p.source = bucket(); p.source_key = "s";
        p.range = byte_range{10, std::nullopt};
        return failure_of(make_upload_part_copy_request(bucket(), p));
    });
    add("copy source key empty", errc::invalid_argument, "source_key", [] {
        return failure_of(make_upload_part_copy_request(bucket(), with<upload_part_copy_params>([&](upload_part_copy_params& p) { p.key = "k"; p.upload_id = "u1"; p.part_number = 1; p.source = bucket(); p.source_key = ""; })));
    });
    add("copy source without host", errc::invalid_argument, "source", [] {
        return failure_of(make_upload_part_copy_request(bucket(), with<upload_part_copy_params>([&](upload_part_copy_params& p) { p.key = "k"; p.upload_id = "u1"; p.part_number = 1; p.source = {}; p.source_key = "s"; })));
    });
    add("traffic limit 0", errc::invalid_argument, "traffic_limit", [] {
        return failure_of(make_put_object_request(bucket(), with<put_object_params>([&](put_object_params& p) { p.key = "k"; p.traffic_limit = 0; })));
    });
    add("traffic limit too high", errc::invalid_argument, "traffic_limit", [] {
        return failure_of(make_get_object_request(bucket(), with<get_object_params>([&](get_object_params& p) { p.key = "k"; p.traffic_limit = std::uint64_t{1} << 40; })));
    });
    add("max-keys 0", errc::invalid_argument, "max_keys", [] { return failure_of(make_list_objects_request(bucket(), with<list_objects_params>([&](list_objects_params& p) { p.max_keys = 0; }))); });
    add("max-keys 1001", errc::invalid_argument, "max_keys", [] { return failure_of(make_list_objects_request(bucket(), with<list_objects_params>([&](list_objects_params& p) { p.max_keys = 1001; }))); });
    add("prefix not UTF-8", errc::invalid_argument, "prefix", [] { return failure_of(make_list_objects_request(bucket(), with<list_objects_params>([&](list_objects_params& p) { p.prefix = "\xc3"; }))); });
    add("max-parts 0", errc::invalid_argument, "max_parts", [] {
        return failure_of(make_list_parts_request(bucket(), with<list_parts_params>([&](list_parts_params& p) { p.key = "k"; p.upload_id = "u1"; p.max_parts = 0; })));
    });
    add("max-parts 1001", errc::invalid_argument, "max_parts", [] {
        return failure_of(make_list_parts_request(bucket(), with<list_parts_params>([&](list_parts_params& p) { p.key = "k"; p.upload_id = "u1"; p.max_parts = 1001; })));
    });
    add("max-uploads 0", errc::invalid_argument, "max_uploads", [] { return failure_of(make_list_multipart_uploads_request(bucket(), with<list_multipart_uploads_params>([&](list_multipart_uploads_params& p) { p.max_uploads = 0; }))); });
    add("key-marker not UTF-8", errc::invalid_argument, "key_marker", [] {
        return failure_of(make_list_multipart_uploads_request(bucket(), with<list_multipart_uploads_params>([&](list_multipart_uploads_params& p) { p.key_marker = "\xe4\xb8"; })));
    });

    // Multipart: part numbers, upload ids, the Complete list.
    add("part number 0", errc::invalid_argument, "part_number", [] {
        return failure_of(make_upload_part_request(bucket(), with<upload_part_params>([&](upload_part_params& p) { p.key = "k"; p.upload_id = "u1"; p.part_number = 0; })));
    });
    add("part number 10001", errc::invalid_argument, "part_number", [] {
        return failure_of(make_upload_part_request(bucket(), with<upload_part_params>([&](upload_part_params& p) { p.key = "k"; p.upload_id = "u1"; p.part_number = 10001; })));
    });
    add("copy part number 10001", errc::invalid_argument, "part_number", [] {
        return failure_of(make_upload_part_copy_request(bucket(), with<upload_part_copy_params>([&](upload_part_copy_params& p) { p.key = "k"; p.upload_id = "u1"; p.part_number = 10001; p.source = bucket(); p.source_key = "s"; })));
    });
    add("empty upload id", errc::invalid_argument, "upload_id", [] {
        return failure_of(make_upload_part_request(bucket(), with<upload_part_params>([&](upload_part_params& p) { p.key = "k"; p.upload_id = ""; p.part_number = 1; })));
    });
    add("upload id with a space", errc::invalid_argument, "upload_id", [] {
        return failure_of(make_abort_multipart_upload_request(bucket(), with<abort_multipart_upload_params>([&](abort_multipart_upload_params& p) { p.key = "k"; p.upload_id = "u1 x"; })));
    });
    add("upload id with CRLF", errc::invalid_argument, "upload_id", [] {
        return failure_of(make_list_parts_request(bucket(), with<list_parts_params>([&](list_parts_params& p) { p.key = "k"; p.upload_id = "u1\r\n"; })));
    });
    add("Complete without parts", errc::invalid_argument, "parts", [] {
        return failure_of(make_complete_multipart_upload_request(bucket(), with<complete_multipart_upload_params>([&](complete_multipart_upload_params& p) { p.key = "k"; p.upload_id = "u1"; p.parts = {}; })));
    });
    add("Complete part number 0", errc::invalid_argument, "parts", [] {
        return failure_of(make_complete_multipart_upload_request(bucket(), with<complete_multipart_upload_params>([&](complete_multipart_upload_params& p) { p.key = "k"; p.upload_id = "u1"; p.parts = {{0, "\"e\""}}; })));
    });
    add("Complete parts out of order", errc::invalid_argument, "parts", [] {
        return failure_of(make_complete_multipart_upload_request(bucket(), with<complete_multipart_upload_params>([&](complete_multipart_upload_params& p) { p.key = "k"; p.upload_id = "u1"; p.parts = {{2, "\"e\""}, {1, "\"f\""}}; })));
    });
    add("Complete empty ETag", errc::invalid_argument, "parts", [] {
        return failure_of(make_complete_multipart_upload_request(bucket(), with<complete_multipart_upload_params>([&](complete_multipart_upload_params& p) { p.key = "k"; p.upload_id = "u1"; p.parts = {{1, ""}}; })));
    });
    add("part size below 1 MiB", errc::invalid_argument, "preferred_part_size", [] { return failure_of(plan_parts(100 << 20, (1 << 20) - 1)); });
    add("part size above 5 GiB", errc::invalid_argument, "preferred_part_size", [] {
        return failure_of(plan_parts(100 << 20, (std::uint64_t{5} << 30) + 1));
    });
    add("object above the COS maximum", errc::limit_exceeded, "object_size", [] { return failure_of(plan_parts(~std::uint64_t{0})); });

    // Encodings and dates.
    add("percent escape %zz", errc::invalid_argument, "encoded_text", [] { return failure_of(percent_decode("a%zz")); });
    add("percent escape cut short", errc::invalid_argument, "encoded_text", [] { return failure_of(percent_decode("a%4")); });
    add("lone percent", errc::invalid_argument, "encoded_text", [] { return failure_of(percent_decode("%")); });
    add("base64 of bad length", errc::invalid_argument, "base64_text", [] { return failure_of(base64_decode("abc")); });
    add("base64 padding inside", errc::invalid_argument, "base64_text", [] { return failure_of(base64_decode("ab=c")); });
    add("hex odd length", errc::invalid_argument, "hex_text", [] { return failure_of(from_hex("abc")); });
    add("hex non-digit", errc::invalid_argument, "hex_text", [] { return failure_of(from_hex("zz")); });
    add("HTTP date empty", errc::invalid_argument, "http_date", [] { return failure_of(parse_http_date("")); });
    add("HTTP date 32 Nov", errc::invalid_argument, "http_date", [] { return failure_of(parse_http_date("Tue, 32 Nov 2026 10:00:00 GMT")); });
    add("ISO 8601 month 13", errc::invalid_argument, "timestamp", [] { return failure_of(parse_iso8601("2026-13-01T00:00:00.000Z")); });
    add("key time start > end", errc::invalid_argument, "key_time", [] { return failure_of(validate_key_time(key_time{20, 10})); });
    add("negative key time", errc::invalid_argument, "key_time", [] { return failure_of(validate_key_time(key_time{-1, 10})); });

    // Signing.
    static const header_field host[] = {{"Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"}};
    static const credentials creds{.secret_id = "AKIDexample", .secret_key = secret_string(std::string(test_secret))};
    const key_time window{1700000000, 1700000900};
    add("empty method", errc::invalid_argument, "method", [=] { return failure_of(sign({.method = "", .path = "/k", .headers = host}, creds, window)); });
    add("method not a token", errc::invalid_argument, "method", [=] { return failure_of(sign({.method = "GE T", .path = "/k", .headers = host}, creds, window)); });
    add("path not UTF-8", errc::invalid_argument, "path", [=] { return failure_of(sign({.method = "GET", .path = "/\xff", .headers = host}, creds, window)); });
    add("signed header value with CR", errc::invalid_argument, "headers", [=] {
        static const header_field h[] = {{"Host", "a\rb"}};
        return failure_of(sign({.method = "GET", .path = "/k", .headers = h}, creds, window));
    });
    add("signed header name not a token", errc::invalid_argument, "headers", [=] {
        static const header_field h[] = {{"Bad Name", "v"}};
        return failure_of(sign({.method = "GET", .path = "/k", .headers = h}, creds, window));
    });
    add("signed header twice", errc::invalid_argument, "headers", [=] {
        static const header_field h[] = {{"Host", "a"}, {"host", "b"}};
        return failure_of(sign({.method = "GET", .path = "/k", .headers = h}, creds, window));
    });
    add("parameter name not UTF-8", errc::invalid_argument, "params", [=] {
        static const query_param q[] = {{"\xc0", std::nullopt}};
        return failure_of(sign({"GET", "/k", q, host}, creds, window));
    });
    add("empty SecretId", errc::invalid_argument, "secret_id", [=] {
        return failure_of(sign({.method = "GET", .path = "/k", .headers = host}, credentials{.secret_id = "", .secret_key = secret_string("s")}, window));
    });
    add("SecretId with ';'", errc::invalid_argument, "secret_id", [=] {
        return failure_of(sign({.method = "GET", .path = "/k", .headers = host}, credentials{.secret_id = "AKID;x", .secret_key = secret_string("s")}, window));
    });
    add("empty SecretKey", errc::invalid_argument, "secret_key", [=] {
        return failure_of(sign({.method = "GET", .path = "/k", .headers = host}, credentials{.secret_id = "AKID", .secret_key = secret_string("")}, window));
    });
    add("session token with LF", errc::invalid_argument, "session_token", [=] {
        return failure_of(sign({.method = "GET", .path = "/k", .headers = host}, credentials{"AKID", secret_string(std::string(test_secret)), secret_string(std::string(test_token) + "\n")}, window));
    });
    add("signing into a too small buffer", errc::buffer_too_small, "out", [=] {
        char tiny[8];
        return failure_of(sign_to(tiny, {"GET", "/k", {}, host}, creds, window));
    });
    add("presign with reversed window", errc::invalid_argument, "key_time", [=] {
        return failure_of(presign({.method = "GET", .path = "/k", .headers = host}, creds, key_time{20, 10}));
    });

    // Verification input from untrusted clients.
    add("Authorization empty", errc::service_error, "request", [] { return failure_of(parse_authorization("")); }, "q-sign-algorithm");
    add("Authorization without q-signature", errc::service_error, "request", [] {
        return failure_of(parse_authorization("q-sign-algorithm=sha1&q-ak=AKID&q-sign-time=1;2&q-key-time=1;2&q-header-list=&q-url-param-list="));
    }, "q-signature");
    add("Authorization with reversed key time", errc::service_error, "request", [] {
        return failure_of(parse_authorization(
            "q-sign-algorithm=sha1&q-ak=AKID&q-sign-time=1;2&q-key-time=9;2&q-header-list=&q-url-param-list=&q-signature=0"));
    }, "q-key-time");
    add("Authorization with MD5", errc::service_error, "request", [] {
        return failure_of(parse_authorization("q-sign-algorithm=md5&q-ak=AKID"));
    }, "q-sign-algorithm");
    add("presigned query with q-signature twice", errc::service_error, "request", [] {
        static const query_param q[] = {{"q-sign-algorithm", "sha1"}, {"q-signature", "a"}, {"q-signature", "b"}};
        return failure_of(parse_presigned_query(q));
    }, "q-signature");

    // Responses from the network.
    add("ListParts truncated", errc::malformed_response, "document", [] {
        return failure_of(parse_list_parts_response(xml_response(200, "<ListPartsResult><Bucket>b</Bucket><Part><PartNumber>1")));
    });
    add("ListParts size too big", errc::malformed_response, "Size", [] {
        return failure_of(parse_list_parts_response(xml_response(200,
            "<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag><Size>99999999999999999999999</Size></Part></ListPartsResult>")));
    });
    add("ListParts negative size", errc::malformed_response, "Size", [] {
        return failure_of(parse_list_parts_response(xml_response(200,
            "<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag><Size>-1</Size></Part></ListPartsResult>")));
    });
    add("ListParts part number 0", errc::malformed_response, "PartNumber", [] {
        return failure_of(parse_list_parts_response(xml_response(200,
            "<ListPartsResult><Part><PartNumber>0</PartNumber><ETag>\"e\"</ETag><Size>1</Size></Part></ListPartsResult>")));
    });
    add("ListBucketResult wrong root", errc::malformed_response, "document", [] {
        return failure_of(parse_list_objects_response(xml_response(200, "<Other/>")));
    });
    add("ListMultipartUploads bad entity", errc::malformed_response, "document", [] {
        return failure_of(parse_list_multipart_uploads_response(xml_response(200, "<ListMultipartUploadsResult>&bogus;</ListMultipartUploadsResult>")));
    });
    add("Initiate without UploadId", errc::malformed_response, "UploadId", [] {
        return failure_of(parse_initiate_multipart_upload_response(xml_response(200,
            "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key></InitiateMultipartUploadResult>")));
    });
    add("Complete document not XML", errc::malformed_response, "document", [] {
        return failure_of(parse_complete_multipart_upload_response(xml_response(200, "not xml")));
    });
    add("XML nested too deep", errc::limit_exceeded, "document", [] {
        std::string deep = "<ListBucketResult>";
        for (int i = 0; i < 100; ++i) deep += "<Contents>";
        return failure_of(parse_list_objects_response(xml_response(200, deep)));
    });
    add("XML over 16 MiB", errc::limit_exceeded, "document", [] {
        return failure_of(parse_list_parts_response(xml_response(200, "<ListPartsResult>" + std::string(17 << 20, ' ') + "</ListPartsResult>")));
    });
    add("Content-Length negative", errc::malformed_response, "Content-Length", [] {
        return failure_of(parse_head_object_response(headers_response({{"Content-Length", "-5"}, {"ETag", "\"e\""}})));
    });
    add("Content-Length over 2^64", errc::malformed_response, "Content-Length", [] {
        return failure_of(parse_head_object_response(headers_response({{"Content-Length", "18446744073709551616"}, {"ETag", "\"e\""}})));
    });
    add("CRC-64 header not a number", errc::malformed_response, "x-cos-hash-crc64ecma", [] {
        return failure_of(parse_put_object_response(headers_response({{"ETag", "\"e\""}, {"x-cos-hash-crc64ecma", "12x"}})));
    });
    add("Last-Modified not a date", errc::malformed_response, "Last-Modified", [] {
        return failure_of(parse_head_object_response(headers_response({{"Content-Length", "1"}, {"Last-Modified", "yesterday"}})));
    });
    add("Content-Range backwards", errc::malformed_response, "Content-Range", [] {
        http_response r = headers_response({{"Content-Length", "1"}, {"Content-Range", "bytes 5-3/10"}});
        r.status = 206;
        return failure_of(parse_get_object_response(r));
    });
    // A header that carries one value, sent twice: which one is meant cannot be told.
    add("Content-Length twice", errc::malformed_response, "Content-Length", [] {
        return failure_of(parse_head_object_response(headers_response({{"Content-Length", "1"}, {"content-length", "2"}})));
    });
    add("ETag twice on Upload Part", errc::malformed_response, "ETag", [] {
        return failure_of(parse_upload_part_response(headers_response({{"ETag", "\"a\""}, {"ETag", "\"b\""}})));
    });
    add("CRC-64 twice on PUT", errc::malformed_response, "x-cos-hash-crc64ecma", [] {
        return failure_of(parse_put_object_response(
            headers_response({{"ETag", "\"e\""}, {"x-cos-hash-crc64ecma", "1"}, {"X-Cos-Hash-Crc64ecma", "1"}})));
    });
    add("x-cos-delete-marker twice", errc::malformed_response, "x-cos-delete-marker", [] {
        return failure_of(parse_delete_object_response(headers_response({{"x-cos-delete-marker", "true"}, {"x-cos-delete-marker", "false"}})));
    });
    // Server-side encryption; the SSE-C key is the test secret, which no error may repeat.
    const auto sse_c = [](std::string_view key) {
        return coswire::server_side_encryption{.mode = coswire::sse_mode::customer, .customer_key = coswire::secret_string(key)};
    };
    add("SSE-C key not 32 bytes", errc::invalid_argument, "customer_key",
        [=] { return failure_of(server_side_encryption_headers(sse_c(test_secret))); });
    add("SSE-KMS context not a JSON object", errc::invalid_argument, "kms_context", [] {
        return failure_of(server_side_encryption_headers({.mode = coswire::sse_mode::kms, .kms_context = "[]"}));
    });
    add("SSE-COS for a copy source", errc::invalid_argument, "mode",
        [] { return failure_of(server_side_encryption_headers({}, coswire::sse_target::copy_source)); });
    add("GET Object with a short SSE-C key", errc::invalid_argument, "encryption", [=] {
        return failure_of(make_get_object_request(bucket(), with<get_object_params>([&](auto& p) {
                                                      p.key = "k";
                                                      p.encryption = sse_c(test_secret);
                                                  })));
    });
    add("HEAD Object with SSE-KMS", errc::invalid_argument, "encryption", [] {
        return failure_of(make_head_object_request(bucket(), with<head_object_params>([](auto& p) {
                                                       p.key = "k";
                                                       p.encryption = coswire::server_side_encryption{.mode = coswire::sse_mode::kms};
                                                   })));
    });
    add("copy with an SSE-COS source", errc::invalid_argument, "source_encryption", [] {
        return failure_of(make_put_object_copy_request(bucket(), with<put_object_copy_params>([](auto& p) {
                                                           p.key = "k";
                                                           p.source = bucket();
                                                           p.source_key = "s";
                                                           p.source_encryption = coswire::server_side_encryption{};
                                                       })));
    });

    // Object ACL.
    add("PUT Object acl with nothing to set", errc::invalid_argument, "acl",
        [] { return failure_of(make_put_object_acl_request(bucket(), with<put_object_acl_params>([](auto& p) { p.key = "k"; }))); });
    add("PUT Object acl with a bucket-only canned ACL", errc::invalid_argument, "acl", [] {
        return failure_of(make_put_object_acl_request(bucket(), with<put_object_acl_params>([](auto& p) {
                                                          p.key = "k";
                                                          p.acl = "public-read-write";
                                                      })));
    });
    add("PUT Object acl grant id with a quote", errc::invalid_argument, "grant_read", [] {
        return failure_of(make_put_object_acl_request(bucket(), with<put_object_acl_params>([](auto& p) {
                                                          p.key = "k";
                                                          p.grant_read = {"1\""};
                                                      })));
    });
    add("GET Object acl without a key", errc::invalid_argument, "object_key",
        [] { return failure_of(make_get_object_acl_request(bucket(), {})); });
    add("GET Object acl unknown permission", errc::malformed_response, "Permission", [] {
        return failure_of(parse_get_object_acl_response(xml_response(
            200, "<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>1</ID></Grantee><Permission>WRITE</Permission>"
                 "</Grant></AccessControlList></AccessControlPolicy>")));
    });

    // POST Object forms and presigned URLs sign with the test secret and token.
    const coswire::credentials presign_creds{.secret_id = "AKIDx", .secret_key = secret_string(test_secret),
                                             .session_token = secret_string(test_token)};
    // POST Object forms.
    add("POST form expiration not UTC", errc::invalid_argument, "expiration", [=] {
        return failure_of(make_post_object_form(bucket(), presign_creds, with<post_object_params>([](auto& p) {
                                                    p.key = "k";
                                                    p.expiration = "2030-01-01T08:00:00+08:00";
                                                    p.time = {1, 2};
                                                })));
    });
    add("POST form field that coswire sets", errc::invalid_argument, "fields", [=] {
        return failure_of(make_post_object_form(bucket(), presign_creds, with<post_object_params>([](auto& p) {
                                                    p.key = "k";
                                                    p.expiration = "2030-01-01T00:00:00Z";
                                                    p.time = {1, 2};
                                                    p.fields = {{"policy", "x"}};
                                                })));
    });
    add("POST form size range upside down", errc::invalid_argument, "content_length_range", [=] {
        return failure_of(make_post_object_form(bucket(), presign_creds, with<post_object_params>([](auto& p) {
                                                    p.key = "k";
                                                    p.expiration = "2030-01-01T00:00:00Z";
                                                    p.time = {1, 2};
                                                    p.content_length_range = post_content_length_range{.min = 9, .max = 1};
                                                })));
    });

    // Presigned object URLs.
    add("presign with a negative start", errc::invalid_argument, "start", [=] {
        return failure_of(presign_object(bucket(), presign_creds, with<presign_object_params>([](auto& p) {
                                             p.key = "k";
                                             p.start = -1;
                                             p.lifetime = 60;
                                         })));
    });
    add("presign without a lifetime", errc::invalid_argument, "lifetime", [=] {
        return failure_of(presign_object(bucket(), presign_creds, with<presign_object_params>([](auto& p) { p.key = "k"; })));
    });
    add("presign a q-* parameter", errc::invalid_argument, "params", [=] {
        return failure_of(presign_object(bucket(), presign_creds, with<presign_object_params>([](auto& p) {
                                             p.key = "k";
                                             p.lifetime = 60;
                                             p.params = {{"q-signature", "x"}};
                                         })));
    });

    // A 2xx whose body is <Error>, for operations whose success body is empty or a known document.
    const std::string hidden = "<Error><Code>InternalError</Code><Message>m</Message></Error>";
    add("PUT Object 200 with <Error>", errc::service_error, "response", [hidden] {
        return failure_of(parse_put_object_response(xml_response(200, hidden)));
    });
    add("Upload Part 200 with <Error>", errc::service_error, "response", [hidden] {
        return failure_of(parse_upload_part_response(xml_response(200, hidden)));
    });
    add("Abort 204 with <Error>", errc::service_error, "response", [hidden] {
        return failure_of(parse_abort_multipart_upload_response(xml_response(204, hidden)));
    });
    return rows;
}

bool one_printable_line(std::string_view s) {
    for (char c : s)
        if (c == '\r' || c == '\n' || c == '\0') return false;
    return true;
}

}  // namespace

TEST_CASE("every builder and parser names the argument and the kind of a bad input") {
    const std::vector<bad_input> rows = table();
    MESSAGE(rows.size() << " bad inputs");
    CHECK(rows.size() >= 150);
    for (const bad_input& row : rows) {
        CAPTURE(row.what);
        const std::optional<error> e = row.call();
        CHECK_MESSAGE(e.has_value(), "accepted");
        if (!e) continue;
        CHECK(to_string(e->code) == to_string(row.code));
        CHECK(e->argument == row.argument);
        CHECK_FALSE(e->reason.empty());
        const std::string text = coswire::describe(*e);
        CHECK(one_printable_line(text));
        CHECK(text.find(test_secret) == std::string::npos);
        CHECK(text.find(test_token) == std::string::npos);
        if (e->service) {
            CHECK(text.find(e->service->code) != std::string::npos);
            CHECK(e->reason.find(row.mentions) != std::string::npos);
        } else {
            CHECK(text.find(row.argument) != std::string::npos);
        }
    }
}
