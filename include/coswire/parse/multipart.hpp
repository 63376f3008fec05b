// SPDX-License-Identifier: MIT
// Response parsers for every multipart-upload operation, with the pagination steps of List Parts
// and List Multipart Uploads (docs/protocol/multipart.md, docs/protocol/errors.md#errors-inside-a-200, docs/protocol/encoding-type.md, docs/protocol/xml.md#element-order-and-repetition).
//
// Choices where the spec is silent:
// - Success statuses: 200 everywhere, and 204 or 200 for Abort. Complete and Upload Part - Copy
//   may answer 200 with an <Error> body (docs/protocol/errors.md#errors-inside-a-200): that is the error, as in the Go and C++ SDKs.
//   So is a 2xx <Error> body for every other operation here: their success bodies are empty or
//   a known document, so an <Error> root cannot be a success (docs/protocol/multipart.md).
// - Required, else malformed_response naming the element: Initiate's UploadId (checked with
//   validate_upload_id, since it is sent back verbatim); the ETag of Upload Part (header),
//   Upload Part - Copy and Complete (body); IsTruncated of both listings; each Part's
//   PartNumber (1-10000), ETag and Size; each Upload's Key and UploadId. Everything else is
//   optional and unknown elements are ignored.
// - A truncated listing page must let the listing move forward, or following it would loop
//   forever: List Parts needs NextPartNumberMarker (else the last part listed) above
//   PartNumberMarker; List Multipart Uploads needs NextKeyMarker (else the last upload or common
//   prefix listed) after KeyMarker, or the same key with a new upload id.
// - With url encoding announced (EncodingType, Encoding-Type or Encoding-type = "url", any
//   case), the fields docs/protocol/encoding-type.md lists are percent-decoded exactly once after the whole body is read (the
//   announcement may follow them); `+` stays `+`; Delimiter is kept as sent, as the Python SDK
//   does.
// - Timestamps (LastModified, Initiated) are ISO 8601; the asctime form of old examples
//   ("Wed Jan 18 16:04:17 2017") is accepted too.
// - NoSuchUpload (Abort of an unknown/finished upload, a retried Complete, docs/protocol/multipart.md#complete-multipart-upload, #abort-multipart-upload) stays the
//   service error; test for it with is_cos_error(e, cos_errc::no_such_upload).
#pragma once

#include <coswire/api/limits.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/detail/decimal.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/parse/xml_fields.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// What Initiate Multipart Upload answered (InitiateMultipartUploadResult, docs/protocol/multipart.md#initiate-multipart-upload).
struct initiate_multipart_upload_result {
    std::string request_id{};  ///< x-cos-request-id
    std::string bucket{};      ///< <name>-<appid>
    std::string key{};         ///< the object key, as COS echoed it
    std::string upload_id{};   ///< opaque; pass it to every later call of this upload
};

/// What Upload Part answered (docs/protocol/multipart.md#upload-part): the part's ETag for Complete and its CRC-64 for checking.
struct upload_part_result {
    std::string request_id{};              ///< x-cos-request-id
    std::string etag_raw{};                ///< ETag header as sent, quotes included
    std::string etag{};                    ///< the same without its quotes (hex MD5 unless SSE-KMS/SSE-C)
    std::optional<std::uint64_t> crc64{};  ///< x-cos-hash-crc64ecma of the part (CRC-64/XZ), when sent
    /// x-cos-server-side-encryption and x-cos-server-side-encryption-customer-algorithm: how COS
    /// encrypted the part, which decides whether `etag` is an MD5 (a bucket default encryption
    /// shows here even when the request asked for none).
    std::string server_side_encryption{};
    std::string sse_customer_algorithm{};
};

/// What Upload Part - Copy answered (CopyPartResult, docs/protocol/multipart.md#upload-part-copy).
struct upload_part_copy_result {
    std::string request_id{};                     ///< x-cos-request-id
    std::string etag_raw{};                       ///< the part's ETag as listed, quotes included
    std::string etag{};                           ///< the same without its quotes
    std::optional<std::int64_t> last_modified{};  ///< Unix seconds
    std::optional<std::uint64_t> crc64{};         ///< x-cos-hash-crc64ecma of the copied part
    std::string source_version_id{};              ///< x-cos-copy-source-version-id (versioned source)
};

/// What Complete Multipart Upload answered (CompleteMultipartUploadResult, docs/protocol/multipart.md#complete-multipart-upload).
struct complete_multipart_upload_result {
    std::string request_id{};              ///< x-cos-request-id
    std::string location{};                ///< http://<host>/<key>
    std::string bucket{};
    std::string key{};
    std::string etag_raw{};                ///< "<32 hex>-<part count>", quotes included; opaque (docs/protocol/integrity.md#etag)
    std::string etag{};                    ///< the same without its quotes
    /// x-cos-hash-crc64ecma: CRC-64 of the whole object, sent only when every part had one;
    /// compare it with crc64_combine over the parts (docs/protocol/integrity.md#combining-crc-64-values).
    std::optional<std::uint64_t> crc64{};
    std::string version_id{};              ///< x-cos-version-id (versioned buckets)
};

/// What Abort Multipart Upload answered (docs/protocol/multipart.md#abort-multipart-upload): nothing but the request id.
struct abort_multipart_upload_result {
    std::string request_id{};  ///< x-cos-request-id
};

/// One Part of a List Parts page.
struct listed_part {
    std::uint32_t part_number = 0;              ///< 1 to 10000
    std::optional<std::int64_t> last_modified{};  ///< Unix seconds
    std::string etag_raw{};                       ///< quotes included, as Complete wants it
    std::string etag{};                           ///< without quotes
    std::uint64_t size = 0;                     ///< bytes
};

/// One page of List Parts (ListPartsResult, docs/protocol/multipart.md#list-parts).
struct list_parts_result {
    std::string request_id{};     ///< x-cos-request-id
    std::string bucket{};
    std::string encoding_type{};  ///< "url" when COS encoded Key
    std::string key{};            ///< decoded when url-encoded
    std::string upload_id{};
    object_owner initiator{};     ///< who started the upload (Initiator{ID, DisplayName})
    object_owner owner{};         ///< Owner{ID, DisplayName}
    std::uint32_t part_number_marker = 0;               ///< this page lists parts above it
    std::optional<std::uint32_t> next_part_number_marker{};  ///< when truncated: where to continue
    std::string storage_class{};  ///< as listed ("Standard" and "STANDARD" both occur)
    std::optional<std::uint64_t> max_parts{};
    bool is_truncated = false;
    std::vector<listed_part> parts{};
};

/// One Upload of a List Multipart Uploads page.
struct multipart_upload_summary {
    std::string key{};                        ///< decoded when url-encoded
    std::string upload_id{};
    std::string storage_class{};
    object_owner initiator{};
    object_owner owner{};
    std::optional<std::int64_t> initiated{};  ///< Unix seconds
};

/// One page of List Multipart Uploads (ListMultipartUploadsResult, docs/protocol/multipart.md#list-multipart-uploads). The fields docs/protocol/encoding-type.md lists are
/// decoded when COS announced url encoding.
struct list_multipart_uploads_result {
    std::string request_id{};  ///< x-cos-request-id
    /// The Date header in Unix seconds, when it parses: the server's clock, the one Initiated
    /// times are on (the driver's cleanup after a failed Initiate measures "just now" with it).
    std::optional<std::int64_t> date{};
    std::string bucket{};
    std::string encoding_type{};
    std::string key_marker{};
    std::string upload_id_marker{};
    std::string next_key_marker{};
    std::string next_upload_id_marker{};
    std::optional<std::uint64_t> max_uploads{};
    bool is_truncated = false;
    std::string prefix{};
    std::string delimiter{};  ///< as sent, never decoded
    std::vector<multipart_upload_summary> uploads{};
    std::vector<std::string> common_prefixes{};
};

/// The part count a multipart ETag states: N for "<32 hex>-<N>" (quotes, if any, removed
/// first); nullopt for an ETag of any other form (a single PUT's MD5, an SSE-KMS value, ...).
/// COS documents the form but not the hex digits (docs/protocol/integrity.md#etag), so only N can be checked.
constexpr std::optional<std::uint32_t> etag_part_count(std::string_view etag) noexcept {
    etag = unquote_etag(etag);
    const std::size_t dash = etag.rfind('-');
    const std::size_t digits = etag.size() - dash - 1;
    if (dash != 32 || digits == 0 || digits > 5) return std::nullopt;  // npos is not 32
    for (std::size_t i = 0; i < dash; ++i) {
        const char c = etag[i];
        if (!detail::is_digit(c) && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F')) return std::nullopt;
    }
    const auto n = detail::parse_unsigned_decimal(etag.substr(dash + 1));
    if (!n) return std::nullopt;
    return static_cast<std::uint32_t>(n.value);  // at most 5 digits
}

namespace detail {

/// The element's text as a part number from `lowest` (0 for markers, 1 for parts) to 10000.
inline result<std::uint32_t> read_element_part_number(xml::reader& r, std::string_view element, std::uint32_t lowest) {
    auto v = read_element_decimal(r, element);
    if (!v) return std::move(v).error();
    if (*v < lowest || *v > max_part_number)
        return malformed_element(element, std::to_string(*v) + " is not a part number (" + std::to_string(lowest) + " to 10000)");
    return static_cast<std::uint32_t>(*v);
}

/// What Upload Part - Copy and Complete answers share: a 200 that may still report failure in
/// an <Error> body (docs/protocol/errors.md#errors-inside-a-200), the object headers, and a result document whose root must be `root`
/// (read_result_document). Returns the headers. Errors: expect_status's (with the body check),
/// parse_object_headers's, read_result_document's.
template <class F>
result<object_headers> parse_object_result_document(const http_response& r, std::string_view root, F&& on_child) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    auto headers = parse_object_headers(r);
    if (!headers) return headers;
    if (auto ok = read_result_document(r, root, std::forward<F>(on_child)); !ok) return std::move(ok).error();
    return headers;
}

/// Where the List Parts page after `page` starts: NextPartNumberMarker, else the last part
/// listed, else nothing.
inline std::optional<std::uint32_t> parts_continuation(const list_parts_result& page) {
    if (page.next_part_number_marker) return page.next_part_number_marker;
    if (!page.parts.empty()) return page.parts.back().part_number;
    return std::nullopt;
}

/// Where the List Multipart Uploads page after `page` starts: (NextKeyMarker,
/// NextUploadIdMarker), else the last upload or common prefix listed, whichever sorts later.
inline std::pair<std::string, std::string> uploads_continuation(const list_multipart_uploads_result& page) {
    if (!page.next_key_marker.empty()) return {page.next_key_marker, page.next_upload_id_marker};
    std::pair<std::string, std::string> last;
    if (!page.uploads.empty()) last = {page.uploads.back().key, page.uploads.back().upload_id};
    if (!page.common_prefixes.empty() && page.common_prefixes.back() > last.first) last = {page.common_prefixes.back(), {}};
    return last;
}

/// True when continuing from `next` moves past (key_marker, upload_id_marker): a later key, or
/// the same key with another, non-empty upload id.
inline bool uploads_continuation_advances(const std::pair<std::string, std::string>& next, std::string_view key_marker,
                                          std::string_view upload_id_marker) {
    if (next.first.empty()) return false;
    if (next.first != key_marker) return next.first > key_marker;
    return !next.second.empty() && next.second != upload_id_marker;
}

}  // namespace detail

/// Initiate Multipart Upload: a 200 InitiateMultipartUploadResult (the body may start with blank
/// lines and lack a prolog). Errors: parse_error_response(r) for any other status or a 200 whose
/// body is <Error>; malformed_response naming "document" (bad XML, another root), "UploadId"
/// (missing, or not something coswire could send back) or a single-value header that repeats;
/// limit_exceeded from the XML reader's limits.
inline result<initiate_multipart_upload_result> parse_initiate_multipart_upload_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    initiate_multipart_upload_result out;
    out.request_id = detail::request_id_of(r);
    auto parsed = detail::read_result_document(r, "InitiateMultipartUploadResult",
                                               [&](std::string_view name, xml::reader& c) -> result<void> {
        if (detail::element_is(name, "Bucket")) return detail::read_element_text(c, out.bucket);
        if (detail::element_is(name, "Key")) return detail::read_element_text(c, out.key);
        if (detail::element_is(name, "UploadId")) return detail::read_element_text(c, out.upload_id);
        return {};
    });
    if (!parsed) return std::move(parsed).error();
    if (auto ok = validate_upload_id(out.upload_id, "UploadId"); !ok)
        return detail::malformed_element("UploadId", "is missing or unusable: " + ok.error().reason);
    return out;
}

/// Upload Part: a 200 with the part's ETag header (and usually x-cos-hash-crc64ecma).
/// Errors: parse_error_response(r) for any other status or a 200 whose body is <Error> (the
/// success body is empty); malformed_response naming "ETag" when it is missing or empty, or the
/// header whose value does not parse ("x-cos-hash-crc64ecma") or repeats.
inline result<upload_part_result> parse_upload_part_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    auto headers = parse_object_headers(r);
    if (!headers) return std::move(headers).error();
    if (headers->etag.empty()) return detail::malformed_element("ETag", "the Upload Part answer has no ETag header");
    return upload_part_result{std::move(headers->request_id), std::move(headers->etag_raw), std::move(headers->etag),
                              headers->crc64, std::move(headers->server_side_encryption),
                              std::move(headers->sse_customer_algorithm)};
}

/// Upload Part - Copy: a 200 CopyPartResult{ETag, LastModified}. Errors: parse_error_response(r)
/// for any other status or a 200 whose body is <Error>; malformed_response naming "document",
/// "ETag" (missing or empty), "LastModified", or a header that does not parse; limit_exceeded.
inline result<upload_part_copy_result> parse_upload_part_copy_response(const http_response& r) {
    upload_part_copy_result out;
    auto headers = detail::parse_object_result_document(r, "CopyPartResult", [&](std::string_view name, xml::reader& c) -> result<void> {
        if (detail::element_is(name, "ETag")) return detail::read_element_etag(c, out.etag_raw, out.etag);
        if (detail::element_is(name, "LastModified")) return detail::store(detail::read_element_time(c, "LastModified"), out.last_modified);
        return {};
    });
    if (!headers) return std::move(headers).error();
    out.request_id = std::move(headers->request_id);
    out.crc64 = headers->crc64;
    if (auto v = r.header("x-cos-copy-source-version-id")) out.source_version_id = std::string(*v);
    if (out.etag.empty()) return detail::malformed_element("ETag", "CopyPartResult has no ETag");
    return out;
}

/// Complete Multipart Upload: a 200 CompleteMultipartUploadResult (leading whitespace, default
/// namespace and &quot;-escaped ETag all accepted), plus the whole-object CRC-64 and version id
/// headers. Errors: parse_error_response(r) for any other status or a 200 whose body is <Error>
/// (COS reports merge failures that way, docs/protocol/multipart.md#complete-multipart-upload); malformed_response naming "document" or "ETag"
/// (missing or empty: the SDKs treat that as failure) or a header that does not parse.
inline result<complete_multipart_upload_result> parse_complete_multipart_upload_response(const http_response& r) {
    complete_multipart_upload_result out;
    auto headers = detail::parse_object_result_document(r, "CompleteMultipartUploadResult",
                                                        [&](std::string_view name, xml::reader& c) -> result<void> {
        if (detail::element_is(name, "Location")) return detail::read_element_text(c, out.location);
        if (detail::element_is(name, "Bucket")) return detail::read_element_text(c, out.bucket);
        if (detail::element_is(name, "Key")) return detail::read_element_text(c, out.key);
        if (detail::element_is(name, "ETag")) return detail::read_element_etag(c, out.etag_raw, out.etag);
        return {};
    });
    if (!headers) return std::move(headers).error();
    out.request_id = std::move(headers->request_id);
    out.crc64 = headers->crc64;
    out.version_id = std::move(headers->version_id);
    if (out.etag.empty()) return detail::malformed_element("ETag", "CompleteMultipartUploadResult has no ETag");
    return out;
}

/// Abort Multipart Upload: 204 (as documented) or 200. Errors: parse_error_response(r) for any
/// other status or a 2xx whose body is <Error> (the success body is empty); a 404 NoSuchUpload
/// (unknown, aborted or completed upload) is that service error: is_cos_error(e,
/// cos_errc::no_such_upload) tells it apart; malformed_response for a repeated single-value header.
inline result<abort_multipart_upload_result> parse_abort_multipart_upload_response(const http_response& r) {
    if (auto ok = expect_status(r, {204, 200}, true); !ok) return std::move(ok).error();
    return abort_multipart_upload_result{detail::request_id_of(r)};
}

/// List Parts: a 200 ListPartsResult page, children in any order, Key decoded when url-encoded.
/// Errors: parse_error_response(r) for any other status or an <Error> body; malformed_response
/// naming "document", the element whose value is bad ("PartNumber", "Size", "LastModified",
/// "PartNumberMarker", "NextPartNumberMarker", "MaxParts", "IsTruncated", "Key") or missing
/// ("IsTruncated", "PartNumber", "ETag", "Size"), or "NextPartNumberMarker" when a truncated
/// page does not move past PartNumberMarker; limit_exceeded.
inline result<list_parts_result> parse_list_parts_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    list_parts_result out;
    out.request_id = detail::request_id_of(r);
    const auto part = [](xml::reader& e, listed_part& p) -> result<void> {
        bool has_number = false, has_size = false;
        auto ok = xml::for_each_child(e, [&](std::string_view name, xml::reader& f) -> result<void> {
            if (detail::element_is(name, "PartNumber")) {
                has_number = true;
                return detail::store(detail::read_element_part_number(f, "PartNumber", 1), p.part_number);
            }
            if (detail::element_is(name, "Size")) {
                has_size = true;
                return detail::store(detail::read_element_decimal(f, "Size"), p.size);
            }
            if (detail::element_is(name, "ETag")) return detail::read_element_etag(f, p.etag_raw, p.etag);
            if (detail::element_is(name, "LastModified")) return detail::store(detail::read_element_time(f, "LastModified"), p.last_modified);
            return {};
        });
        if (!ok) return ok;
        if (!has_number) return detail::malformed_element("PartNumber", "a Part has no PartNumber");
        const auto which = [&p] { return "part " + std::to_string(p.part_number); };  // built only for an error
        if (p.etag.empty()) return detail::malformed_element("ETag", which() + " has no ETag");
        if (!has_size) return detail::malformed_element("Size", which() + " has no Size");
        return {};
    };
    auto parsed = detail::read_listing_document(r, "ListPartsResult", out.is_truncated, out.encoding_type,
                                                [&](std::string_view name, xml::reader& c) -> result<void> {
        if (detail::element_is(name, "Part")) return part(c, out.parts.emplace_back());
        if (detail::element_is(name, "Bucket")) return detail::read_element_text(c, out.bucket);
        if (detail::element_is(name, "Key")) return detail::read_element_text(c, out.key);
        if (detail::element_is(name, "UploadId")) return detail::read_element_text(c, out.upload_id);
        if (detail::element_is(name, "StorageClass")) return detail::read_element_text(c, out.storage_class);
        if (detail::element_is(name, "Initiator")) return detail::read_element_owner(c, out.initiator);
        if (detail::element_is(name, "Owner")) return detail::read_element_owner(c, out.owner);
        if (detail::element_is(name, "PartNumberMarker"))
            return detail::store(detail::read_element_part_number(c, "PartNumberMarker", 0), out.part_number_marker);
        if (detail::element_is(name, "NextPartNumberMarker"))
            return detail::store(detail::read_element_part_number(c, "NextPartNumberMarker", 0), out.next_part_number_marker);
        if (detail::element_is(name, "MaxParts")) return detail::store(detail::read_element_decimal(c, "MaxParts"), out.max_parts);
        return {};
    });
    if (!parsed) return std::move(parsed).error();
    // Decoded only now and exactly once: EncodingType may follow Key (docs/protocol/xml.md#element-order-and-repetition), and a second decoding
    // would corrupt a key holding "%25".
    if (detail::iequals(out.encoding_type, "url"))
        if (auto ok = detail::decode_url_field(out.key, "Key"); !ok) return std::move(ok).error();
    if (out.is_truncated) {
        const auto next = detail::parts_continuation(out);
        if (!next || *next <= out.part_number_marker)
            return detail::malformed_element("NextPartNumberMarker",
                                             "the page is truncated but does not continue past part " +
                                                 std::to_string(out.part_number_marker));
    }
    return out;
}

/// The List Parts request for the page after `page`, whose parsed answer is `result`: the same
/// key, upload id, page size and encoding, with part-number-marker = NextPartNumberMarker (or
/// the last part listed when COS left it out). Pure. nullopt when `result` is not truncated, or
/// when it would not move past the marker `page` requested: the parser only compares with the
/// marker the server echoed, which a lying server can set at will, so a truncated result
/// giving nullopt is malformed, not the last page (list_all_parts treats it so).
inline std::optional<list_parts_params> next_list_parts_params(const list_parts_params& page, const list_parts_result& result) {
    if (!result.is_truncated) return std::nullopt;
    const auto next = detail::parts_continuation(result);
    if (!next || *next <= page.part_number_marker.value_or(0)) return std::nullopt;
    list_parts_params out = page;
    out.part_number_marker = *next;
    return out;
}

/// List Multipart Uploads: a 200 ListMultipartUploadsResult page; self-closed empty markers
/// accepted; the fields docs/protocol/encoding-type.md lists (Upload/Key, Prefix, KeyMarker, NextKeyMarker, UploadIdMarker,
/// NextUploadIdMarker, CommonPrefixes/Prefix) decoded when url-encoded. Errors:
/// parse_error_response(r) for any other status or an <Error> body; malformed_response naming
/// "document", the element whose value is bad ("IsTruncated", "MaxUploads", "Initiated", or a
/// decoded field) or missing ("IsTruncated", "Key", "UploadId"), or "NextKeyMarker" when a
/// truncated page does not move the listing forward; limit_exceeded.
inline result<list_multipart_uploads_result> parse_list_multipart_uploads_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    list_multipart_uploads_result out;
    out.request_id = detail::request_id_of(r);
    if (auto date = r.header("Date"))
        if (auto seconds = parse_http_date(*date)) out.date = *seconds;
    const auto upload = [](xml::reader& e, multipart_upload_summary& u) -> result<void> {
        auto ok = xml::for_each_child(e, [&](std::string_view name, xml::reader& f) -> result<void> {
            if (detail::element_is(name, "Key")) return detail::read_element_text(f, u.key);
            if (detail::element_is(name, "UploadId")) return detail::read_element_text(f, u.upload_id);
            if (detail::element_is(name, "StorageClass")) return detail::read_element_text(f, u.storage_class);
            if (detail::element_is(name, "Initiator")) return detail::read_element_owner(f, u.initiator);
            if (detail::element_is(name, "Owner")) return detail::read_element_owner(f, u.owner);
            if (detail::element_is(name, "Initiated")) return detail::store(detail::read_element_time(f, "Initiated"), u.initiated);
            return {};
        });
        if (!ok) return ok;
        if (u.key.empty()) return detail::malformed_element("Key", "an Upload has no Key");
        if (u.upload_id.empty()) return detail::malformed_element("UploadId", "the Upload of '" + u.key.substr(0, 80) + "' has no UploadId");
        return {};
    };
    auto parsed = detail::read_listing_document(r, "ListMultipartUploadsResult", out.is_truncated, out.encoding_type,
                                                [&](std::string_view name, xml::reader& c) -> result<void> {
        if (detail::element_is(name, "Upload")) return upload(c, out.uploads.emplace_back());
        if (detail::element_is(name, "CommonPrefixes"))
            return xml::for_each_child(c, [&](std::string_view field, xml::reader& p) -> result<void> {
                return field == "Prefix" ? detail::read_element_text(p, out.common_prefixes.emplace_back()) : result<void>{};
            });
        if (detail::element_is(name, "Bucket")) return detail::read_element_text(c, out.bucket);
        if (detail::element_is(name, "KeyMarker")) return detail::read_element_text(c, out.key_marker);
        if (detail::element_is(name, "UploadIdMarker")) return detail::read_element_text(c, out.upload_id_marker);
        if (detail::element_is(name, "NextKeyMarker")) return detail::read_element_text(c, out.next_key_marker);
        if (detail::element_is(name, "NextUploadIdMarker")) return detail::read_element_text(c, out.next_upload_id_marker);
        if (detail::element_is(name, "Prefix")) return detail::read_element_text(c, out.prefix);
        if (detail::element_is(name, "Delimiter")) return detail::read_element_text(c, out.delimiter);
        if (detail::element_is(name, "MaxUploads")) return detail::store(detail::read_element_decimal(c, "MaxUploads"), out.max_uploads);
        return {};
    });
    if (!parsed) return std::move(parsed).error();
    if (detail::iequals(out.encoding_type, "url")) {
        for (auto [field, element] : {std::pair{&out.prefix, "Prefix"}, std::pair{&out.key_marker, "KeyMarker"},
                                      std::pair{&out.next_key_marker, "NextKeyMarker"},
                                      std::pair{&out.upload_id_marker, "UploadIdMarker"},
                                      std::pair{&out.next_upload_id_marker, "NextUploadIdMarker"}})
            if (auto ok = detail::decode_url_field(*field, element); !ok) return std::move(ok).error();
        for (multipart_upload_summary& u : out.uploads)
            if (auto ok = detail::decode_url_field(u.key, "Key"); !ok) return std::move(ok).error();
        for (std::string& p : out.common_prefixes)
            if (auto ok = detail::decode_url_field(p, "Prefix"); !ok) return std::move(ok).error();
    }
    if (out.is_truncated &&
        !detail::uploads_continuation_advances(detail::uploads_continuation(out), out.key_marker, out.upload_id_marker))
        return detail::malformed_element("NextKeyMarker", "the page is truncated but names nowhere after KeyMarker to continue from");
    return out;
}

/// The List Multipart Uploads request for the page after `page`, whose parsed answer is
/// `result`: the same prefix, delimiter, page size and encoding, with key-marker =
/// NextKeyMarker and upload-id-marker = NextUploadIdMarker (unset when empty), both already
/// decoded; when COS left them out, the last upload or common prefix listed. Pure. nullopt when
/// `result` is not truncated or would not move past the markers `page` requested (not the
/// echoed ones): for a truncated result that is malformed, not the end (see
/// list_all_multipart_uploads).
inline std::optional<list_multipart_uploads_params> next_list_multipart_uploads_params(
    const list_multipart_uploads_params& page, const list_multipart_uploads_result& result) {
    if (!result.is_truncated) return std::nullopt;
    auto next = detail::uploads_continuation(result);
    if (!detail::uploads_continuation_advances(next, page.key_marker.value_or(""), page.upload_id_marker.value_or("")))
        return std::nullopt;
    list_multipart_uploads_params out = page;
    out.key_marker = std::move(next.first);
    out.upload_id_marker = next.second.empty() ? std::nullopt : std::optional<std::string>(std::move(next.second));
    return out;
}

}  // namespace coswire
