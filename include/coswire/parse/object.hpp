// SPDX-License-Identifier: MIT
// Response parsers for the object operations (PUT, GET, HEAD, DELETE Object) and GET Bucket
// (List Objects v1), with the pagination step of GET Bucket (docs/protocol/objects.md, docs/protocol/headers.md#response-headers, docs/protocol/encoding-type.md, docs/protocol/xml.md#element-order-and-repetition).
//
// Choices where the spec is silent:
// - 304 Not Modified (GET/HEAD with If-None-Match / If-Modified-Since) is a result with
//   not_modified = true, not an error; 412 and every other status >= 300 is the COS error.
// - A 206 must carry a parsable Content-Range; the body length is not compared with
//   Content-Length or the range, because a transport may have decoded a Content-Encoding.
// - HEAD 200 must carry Content-Length (the object size is what HEAD is for).
// - A 2xx whose body is <Error> is the COS error for PUT, HEAD and DELETE Object and GET Bucket,
//   whose success bodies are empty or known; GET Object's body is the object and is never read
//   as an error (docs/protocol/multipart.md#error-in-a-200). A single-value header sent twice is
//   malformed (check_single_value_headers).
// - ListBucketResult must carry IsTruncated, and each Contents its Key and Size; other elements
//   are optional and unknown ones are ignored. A truncated page must let the listing move
//   forward (a NextMarker, else a last key or common prefix, after Marker), or it is
//   malformed: following it would loop forever.
// - With url encoding announced, Key, Prefix, Marker, NextMarker and CommonPrefixes/Prefix are
//   percent-decoded once (`+` stays `+`); Delimiter is left as sent, as the Python SDK does.
// - LastModified in a listing is ISO 8601; the asctime form of old examples is accepted too.
#pragma once

#include <coswire/api/object.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/parse/xml_fields.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// The answer to PUT Object: ETag (raw and unquoted), x-cos-hash-crc64ecma, x-cos-version-id,
/// x-cos-request-id and the SSE echo, as parsed by parse_object_headers.
struct put_object_result {
    object_headers headers{};  ///< everything the 200 said
};

/// A parsed `Content-Range: bytes first-last/total` (0-based, inclusive).
struct content_range {
    std::uint64_t first = 0;             ///< the first byte sent
    std::uint64_t last = 0;              ///< the last byte sent, inclusive
    std::optional<std::uint64_t> total{};  ///< the object size; nullopt when the server sent `*`
};

/// The headers GET and HEAD Object return besides object_headers; empty when absent.
struct object_details {
    std::string cache_control{};        ///< Cache-Control, stored or overridden (response-cache-control)
    std::string content_disposition{};  ///< Content-Disposition
    std::string content_encoding{};     ///< Content-Encoding
    std::string content_language{};     ///< Content-Language
    std::string expires{};              ///< Expires, verbatim
    std::string storage_tier{};         ///< x-cos-storage-tier (INTELLIGENT_TIERING objects)
    std::string restore{};              ///< x-cos-restore: ongoing-request="..."[, expiry-date="..."]
    std::string restore_status{};       ///< x-cos-restore-status
    /// x-cos-object-type: "appendable" for an object made by APPEND Object, "normal" otherwise
    /// (docs/protocol/append.md#object-type); empty when COS did not send it.
    std::string object_type{};
};

/// The answer to GET Object.
struct get_object_result {
    int status = 0;             ///< 200, 206 (a range) or 304
    bool not_modified = false;  ///< 304: the If-None-Match / If-Modified-Since condition did not hold
    object_headers headers{};     ///< note: crc64 is the whole object's, also for a range (docs/protocol/objects.md#get-object)
    object_details details{};     ///< Cache-Control, Content-Disposition, ..., x-cos-storage-tier
    std::optional<content_range> range{};  ///< set exactly when status is 206
    std::string body{};                    ///< the bytes; empty on 304
};

/// The answer to HEAD Object.
struct head_object_result {
    bool not_modified = false;      ///< 304
    object_headers headers{};         ///< ETag, CRC-64, Last-Modified, storage class, metadata, ...
    object_details details{};         ///< Cache-Control, ..., x-cos-restore
    std::uint64_t content_length = 0;  ///< the object size (Content-Length); 0 on 304
};

/// The answer to DELETE Object.
struct delete_object_result {
    std::string request_id{};      ///< x-cos-request-id
    std::string version_id{};      ///< x-cos-version-id (versioned buckets)
    bool delete_marker = false;  ///< x-cos-delete-marker: a delete marker was created or removed
};

/// One Contents entry of a GET Bucket page.
struct object_summary {
    std::string key{};                           ///< decoded when the page is url-encoded
    std::optional<std::int64_t> last_modified{}; ///< Unix seconds, when listed
    std::string etag_raw{};                      ///< ETag as listed, quotes included
    std::string etag{};                          ///< ETag without its quotes
    std::uint64_t size = 0;                    ///< bytes (64-bit: objects exceed 4 GiB)
    object_owner owner{};                        ///< Owner, when listed
    std::string storage_class{};  ///< as listed (STANDARD, STANDARD_IA, ARCHIVE, ...)
    std::string storage_tier{};   ///< INTELLIGENT_TIERING objects only
};

/// One page of GET Bucket (ListBucketResult). Key-like fields are decoded when COS announced
/// encoding-type=url.
struct list_objects_result {
    std::string request_id{};     ///< x-cos-request-id
    std::string bucket_region{};  ///< x-cos-bucket-region
    std::string name{};           ///< the bucket, <name>-<appid>
    std::string encoding_type{};  ///< "url" when COS encoded the key-like fields
    std::string prefix{};         ///< the prefix asked for
    std::string marker{};         ///< the marker asked for
    std::string next_marker{};    ///< when truncated: where the next page starts
    std::string delimiter{};      ///< as sent, never decoded
    std::optional<std::uint64_t> max_keys{};     ///< MaxKeys, when listed
    bool is_truncated = false;                 ///< IsTruncated: another page follows
    std::vector<object_summary> contents{};      ///< the Contents entries, in listed order
    std::vector<std::string> common_prefixes{};  ///< each CommonPrefixes/Prefix, in listed order
};

/// Parses `bytes first-last/total` (RFC 9110 section 14.4; the unit in any case, `*` for an unknown
/// total). Errors: malformed_response naming "Content-Range" for any other form, last < first,
/// or a total not greater than last.
inline result<content_range> parse_content_range(std::string_view text) {
    const auto fail = [&](std::string_view why) {
        return make_error(errc::malformed_response, "Content-Range",
                          "'" + std::string(text.substr(0, 80)) + "' " + std::string(why));
    };
    if (!detail::istarts_with(text, "bytes ")) return fail("does not start with 'bytes '");
    const std::string_view spec = text.substr(6);
    const std::size_t dash = spec.find('-');
    const std::size_t slash = spec.find('/');
    if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash)
        return fail("is not of the form bytes first-last/total");
    auto first = detail::parse_decimal(spec.substr(0, dash), "Content-Range");
    auto last = detail::parse_decimal(spec.substr(dash + 1, slash - dash - 1), "Content-Range");
    if (!first || !last) return fail("has a range that is not two decimal numbers");
    content_range out{*first, *last, std::nullopt};
    if (out.last < out.first) return fail("ends before it starts");
    if (const std::string_view total = spec.substr(slash + 1); total != "*") {
        auto size = detail::parse_decimal(total, "Content-Range");
        if (!size) return fail("has a total that is neither a decimal number nor '*'");
        if (*size <= out.last) return fail("reaches past the total size");
        out.total = *size;
    }
    return out;
}

namespace detail {

inline object_details parse_object_details(const http_response& r) {
    object_details out;
    const auto take = [&](std::string_view name, std::string& slot) {
        if (auto v = r.header(name)) slot = std::string(*v);
    };
    take("Cache-Control", out.cache_control);
    take("Content-Disposition", out.content_disposition);
    take("Content-Encoding", out.content_encoding);
    take("Content-Language", out.content_language);
    take("Expires", out.expires);
    take("x-cos-storage-tier", out.storage_tier);
    take("x-cos-restore", out.restore);
    take("x-cos-restore-status", out.restore_status);
    take("x-cos-object-type", out.object_type);
    return out;
}

/// What GET and HEAD Object answers share: one of the `expected` statuses, not_modified for a
/// 304, the object headers and details. `check_error_body` as for expect_status: HEAD's body is
/// empty, GET's is the user's. Errors: expect_status's, parse_object_headers's.
template <class Result>
result<void> parse_object_read(const http_response& r, std::initializer_list<int> expected, bool check_error_body, Result& out) {
    if (auto ok = expect_status(r, expected, check_error_body); !ok) return ok;
    out.not_modified = r.status == 304;
    if (auto ok = store(parse_object_headers(r), out.headers); !ok) return ok;
    out.details = parse_object_details(r);
    return {};
}

/// Everything of a GET Object answer but the body, which the two public overloads copy or move.
inline result<get_object_result> parse_get_object_without_body(const http_response& r) {
    get_object_result out;
    // The body is the user's bytes: an object may well hold an <Error> document.
    if (auto ok = parse_object_read(r, {200, 206, 304}, false, out); !ok) return std::move(ok).error();
    out.status = r.status;
    if (r.status == 206) {
        const auto range = r.header("Content-Range");
        if (!range) return make_error(errc::malformed_response, "Content-Range", "is missing from a 206 answer");
        auto parsed = parse_content_range(*range);
        if (!parsed) return std::move(parsed).error();
        out.range = *parsed;
    }
    return out;
}

/// Where the page after `page` starts: NextMarker, or, when COS left it out, the last entry the
/// page covered (the greater of the last key and the last common prefix); empty when there is
/// none.
inline std::string list_continuation_marker(const list_objects_result& page) {
    if (!page.next_marker.empty()) return page.next_marker;
    std::string marker = page.contents.empty() ? std::string() : page.contents.back().key;
    if (!page.common_prefixes.empty() && page.common_prefixes.back() > marker) marker = page.common_prefixes.back();
    return marker;
}

}  // namespace detail

/// PUT Object: 200 and the object headers. Errors: parse_error_response(r) for any other status
/// or a 200 whose body is <Error> (the success body is empty); malformed_response from
/// parse_object_headers (a bad or repeated header).
inline result<put_object_result> parse_put_object_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    auto headers = parse_object_headers(r);
    if (!headers) return std::move(headers).error();
    return put_object_result{std::move(*headers)};
}

/// GET Object: 200, 206 (range parsed from Content-Range) or 304 (not_modified); copies the body.
/// Errors: parse_error_response(r) for any other status (412 PreconditionFailed, 404 NoSuchKey,
/// 416 InvalidRange, a 302 from origin fetch, ...); malformed_response for a bad or repeated
/// object header or a 206 without a valid Content-Range. A 200 whose body is an <Error> document
/// is returned as the object's bytes: an object may hold any bytes.
inline result<get_object_result> parse_get_object_response(const http_response& r) {
    auto out = detail::parse_get_object_without_body(r);
    if (out && !out->not_modified) out->body = r.body;
    return out;
}

/// The same, moving the body out of `r` instead of copying it.
inline result<get_object_result> parse_get_object_response(http_response&& r) {
    auto out = detail::parse_get_object_without_body(r);
    if (out && !out->not_modified) out->body = std::move(r.body);
    return out;
}

/// HEAD Object: 200 with the object headers and size, or 304 (not_modified). Errors:
/// parse_error_response(r) for any other status (HEAD errors have no body, so their code comes
/// from the status, e.g. 404 → NoSuchResource) or a 200 carrying an <Error> body; malformed_response
/// for a bad or repeated object header or a 200 without Content-Length.
inline result<head_object_result> parse_head_object_response(const http_response& r) {
    head_object_result out;
    if (auto ok = detail::parse_object_read(r, {200, 304}, true, out); !ok) return std::move(ok).error();
    if (!out.not_modified) {
        if (!out.headers.content_length)
            return make_error(errc::malformed_response, "Content-Length", "is missing from a HEAD answer");
        out.content_length = *out.headers.content_length;
    }
    return out;
}

/// DELETE Object: 204 (or 200). Errors: parse_error_response(r) for any other status or a 2xx
/// whose body is <Error> (the success body is empty); malformed_response naming
/// "x-cos-delete-marker" when it is not true/false, or a single-value header that repeats.
inline result<delete_object_result> parse_delete_object_response(const http_response& r) {
    if (auto ok = expect_status(r, {204, 200}, true); !ok) return std::move(ok).error();
    delete_object_result out;
    out.request_id = detail::request_id_of(r);
    if (auto v = r.header("x-cos-version-id")) out.version_id = std::string(*v);
    if (auto v = r.header("x-cos-delete-marker")) {
        auto marker = detail::parse_boolean(*v, "x-cos-delete-marker");
        if (!marker) return std::move(marker).error();
        out.delete_marker = *marker;
    }
    return out;
}

/// GET Bucket: a 200 ListBucketResult page, decoded as announced by EncodingType (docs/protocol/encoding-type.md).
/// Errors: parse_error_response(r) for a status other than 200 or a 200 whose body is <Error>;
/// malformed_response naming "document" for bad XML or another root, or the element whose value
/// is bad ("IsTruncated", "MaxKeys", "Size", "LastModified", "Key", "Prefix", "Marker",
/// "NextMarker") or missing ("IsTruncated", "Key", "Size"), or "NextMarker" for a truncated page
/// that does not move the listing forward; limit_exceeded from the XML reader's limits.
inline result<list_objects_result> parse_list_objects_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    list_objects_result out;
    out.request_id = detail::request_id_of(r);
    if (auto v = r.header("x-cos-bucket-region")) out.bucket_region = std::string(*v);

    const auto contents = [](xml::reader& e, object_summary& s) -> result<void> {
        bool has_key = false, has_size = false;
        auto ok = xml::for_each_child(e, [&](std::string_view name, xml::reader& f) -> result<void> {
            if (detail::element_is(name, "Key")) {
                has_key = true;
                return detail::read_element_text(f, s.key);
            }
            if (detail::element_is(name, "Size")) {
                has_size = true;
                return detail::store(detail::read_element_decimal(f, "Size"), s.size);
            }
            if (detail::element_is(name, "ETag")) return detail::read_element_etag(f, s.etag_raw, s.etag);
            if (detail::element_is(name, "LastModified")) return detail::store(detail::read_element_time(f, "LastModified"), s.last_modified);
            if (detail::element_is(name, "StorageClass")) return detail::read_element_text(f, s.storage_class);
            if (detail::element_is(name, "StorageTier")) return detail::read_element_text(f, s.storage_tier);
            if (detail::element_is(name, "Owner")) return detail::read_element_owner(f, s.owner);
            return {};
        });
        if (!ok) return ok;
        if (!has_key || s.key.empty()) return detail::malformed_element("Key", "a Contents entry has no Key or an empty one");
        if (!has_size) return detail::malformed_element("Size", "the Contents entry of '" + s.key.substr(0, 80) + "' has no Size");
        return {};
    };

    auto parsed = detail::read_listing_document(r, "ListBucketResult", out.is_truncated, out.encoding_type,
                                                [&](std::string_view name, xml::reader& c) -> result<void> {
        if (detail::element_is(name, "Name")) return detail::read_element_text(c, out.name);
        if (detail::element_is(name, "Prefix")) return detail::read_element_text(c, out.prefix);
        if (detail::element_is(name, "Marker")) return detail::read_element_text(c, out.marker);
        if (detail::element_is(name, "NextMarker")) return detail::read_element_text(c, out.next_marker);
        if (detail::element_is(name, "Delimiter")) return detail::read_element_text(c, out.delimiter);
        if (detail::element_is(name, "MaxKeys")) return detail::store(detail::read_element_decimal(c, "MaxKeys"), out.max_keys);
        if (detail::element_is(name, "Contents")) return contents(c, out.contents.emplace_back());
        if (detail::element_is(name, "CommonPrefixes"))
            return xml::for_each_child(c, [&](std::string_view field, xml::reader& p) -> result<void> {
                return field == "Prefix" ? detail::read_element_text(p, out.common_prefixes.emplace_back()) : result<void>{};
            });
        return {};
    });
    if (!parsed) return std::move(parsed).error();

    // Decoded only now, because EncodingType may come after the fields it applies to (docs/protocol/xml.md#element-order-and-repetition: child
    // order is not fixed), and exactly once, so a key holding "%25" keeps its '%'.
    if (detail::iequals(out.encoding_type, "url")) {
        if (auto ok = detail::decode_url_fields({{&out.prefix, "Prefix"}, {&out.marker, "Marker"}, {&out.next_marker, "NextMarker"}});
            !ok)
            return std::move(ok).error();
        for (object_summary& s : out.contents)
            if (auto ok = detail::decode_url_field(s.key, "Key"); !ok) return std::move(ok).error();
        for (std::string& p : out.common_prefixes)
            if (auto ok = detail::decode_url_field(p, "Prefix"); !ok) return std::move(ok).error();
    }

    if (out.is_truncated) {
        const std::string next = detail::list_continuation_marker(out);
        if (next.empty()) return detail::malformed_element("NextMarker", "the page is truncated but names nowhere to continue from");
        if (next <= out.marker)
            return detail::malformed_element("NextMarker", "the page is truncated but would continue from '" +
                                                               next.substr(0, 80) + "', which is not after its Marker");
    }
    return out;
}

/// The parameters of the page after `page`, whose parsed answer is `result`: the same prefix,
/// delimiter, max-keys and encoding, with marker = NextMarker, or, when COS left it out, the last
/// key (or common prefix) the page listed. Pure. Returns nullopt when `result` is not truncated,
/// and also when it gives no marker after the page.marker that was requested:
/// parse_list_objects_response only compares with the Marker the server echoed, so a truncated
/// result giving nullopt is malformed, not the last page (list_all_objects treats it so).
inline std::optional<list_objects_params> next_list_objects_params(const list_objects_params& page,
                                                                   const list_objects_result& result) {
    if (!result.is_truncated) return std::nullopt;
    std::string marker = detail::list_continuation_marker(result);
    if (marker.empty() || marker <= page.marker) return std::nullopt;
    list_objects_params next = page;
    next.marker = std::move(marker);
    return next;
}

}  // namespace coswire
