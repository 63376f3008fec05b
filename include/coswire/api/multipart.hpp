// SPDX-License-Identifier: MIT
// Request builders for every multipart-upload operation: Initiate, Upload Part, Upload Part -
// Copy, Complete, Abort, List Parts, List Multipart Uploads (docs/protocol/multipart.md).
//
// Choices where Tencent's pages are silent:
// - Upload ids are opaque; what is sent back must be non-empty printable ASCII without spaces.
// - Complete refuses an empty, unsorted or duplicated part list, numbers outside 1..10000 and
//   missing ETags before anything is sent; gaps are left to COS
//   (docs/protocol/multipart.md#complete-multipart-upload). ETags go out quoted (quotes added when
//   missing), written as &quot; by xml::writer, which is the same XML text; Content-MD5 of the body is
//   always sent (the Go SDK does so for XML bodies).
// - Upload Part - Copy needs a closed range (bytes=first-last, at most 5 GB) and a source host
//   without port; the time conditions are Unix seconds sent as IMF-fixdates.
// - max-parts and max-uploads are 1..1000 (the SDKs' cap); upload-id-marker without key-marker
//   (ignored by COS) and an empty delimiter are refused rather than silently meaning nothing.
// - Listings ask for encoding-type=url by default (docs/protocol/encoding-type.md), so any key survives
//   the XML.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/limits.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/request.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/writer.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

// The limits checked here (max_part_number, max_part_size, max_list_parts_page,
// max_list_uploads_page) live in api/limits.hpp with the rest of COS's numbers.

/// Checks an upload id before it is echoed to COS: non-empty printable ASCII without spaces
/// (COS ids are 74 hex digits, docs/protocol/multipart.md#initiate-multipart-upload, but coswire stores
/// them opaquely and checks only what could break the query or the signature). Errors: invalid_argument
/// naming `argument`.
inline result<void> validate_upload_id(std::string_view upload_id, std::string_view argument = "upload_id") {
    if (upload_id.empty()) return make_error(errc::invalid_argument, argument, "must not be empty");
    for (std::size_t i = 0; i < upload_id.size(); ++i) {
        const char c = upload_id[i];
        if (c <= ' ' || c > '~')
            return make_error(errc::invalid_argument, argument,
                              "must be printable ASCII without spaces, bad byte at offset " + std::to_string(i));
    }
    return {};
}

/// Checks a part number: 1 to 10000 (docs/protocol/multipart.md#part-limits). Errors: invalid_argument naming "part_number".
inline result<void> validate_part_number(std::uint32_t part_number) {
    if (part_number == 0 || part_number > max_part_number)
        return make_error(errc::invalid_argument, "part_number",
                          "is " + std::to_string(part_number) + ", must be 1 to 10000");
    return {};
}

namespace detail {

/// Start of every request that names an upload: `<method> /<key>?[partNumber=N&]uploadId=ID`.
/// partNumber precedes uploadId as in the documentation's request lines
/// (docs/protocol/multipart.md#upload-part); the signature does not depend on the order. Errors: the
/// key's, then part_number's, then upload_id's.
inline result<http_request> start_upload_request(const endpoint& ep, std::string_view method, std::string_view key,
                                                 const object_key_options& key_options, std::string_view upload_id,
                                                 std::optional<std::uint32_t> part_number) {
    auto r = make_object_request(ep, method, key, key_options);
    if (!r) return r;
    if (part_number) {
        if (auto ok = validate_part_number(*part_number); !ok) return std::move(ok).error();
        if (auto ok = add_param(*r, "partNumber", decimal(*part_number), "part_number"); !ok) return std::move(ok).error();
    }
    if (auto ok = validate_upload_id(upload_id); !ok) return std::move(ok).error();
    if (auto ok = add_param(*r, "uploadId", upload_id, "upload_id"); !ok) return std::move(ok).error();
    return r;
}

/// The ETag as the Complete body sends it: quoted, as the SDKs send the Upload Part ETag header
/// verbatim (docs/protocol/multipart.md#complete-multipart-upload); quotes are added when missing.
/// nullopt unless what is inside the quotes is a non-empty RFC 9110 etagc run without spaces (printable
/// ASCII except '"'); COS ETags are hex, optionally followed by "-N".
inline std::optional<std::string> quoted_etag(std::string_view etag) {
    std::string_view inner = etag;
    if (inner.size() >= 2 && inner.front() == '"' && inner.back() == '"') inner = inner.substr(1, inner.size() - 2);
    if (inner.empty()) return std::nullopt;
    for (char c : inner)
        if (c <= ' ' || c > '~' || c == '"') return std::nullopt;
    std::string out;
    out.reserve(inner.size() + 2);
    out += '"';
    out += inner;
    out += '"';
    return out;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Initiate Multipart Upload (docs/protocol/multipart.md#initiate-multipart-upload)

/// Inputs of Initiate Multipart Upload. The attributes (Content-Type, storage class, ACL,
/// x-cos-meta-*, ...) are stored with the object that Complete creates.
struct initiate_multipart_upload_params {
    std::string key{};                  ///< object key (docs/protocol/endpoints.md#object-keys)
    object_attributes attributes{};     ///< every member optional
    object_key_options key_options{};   ///< dot segments, see map_object_key
};

/// `POST /<key>?uploads` (valueless, signs as `uploads=`), `Content-Length: 0`, empty body, and
/// the attributes as headers. Errors: invalid_argument / limit_exceeded naming "object_key",
/// or naming the attribute ("content_type", "metadata", "extra_headers", ...).
inline result<http_request> make_initiate_multipart_upload_request(const endpoint& ep,
                                                                   const initiate_multipart_upload_params& p) {
    auto r = make_object_request(ep, "POST", p.key, p.key_options);
    if (!r) return r;
    if (auto ok = detail::add_param(*r, "uploads", std::nullopt, "uploads"); !ok) return std::move(ok).error();
    if (auto ok = detail::add_header(*r, "Content-Length", "0", "content_length"); !ok) return std::move(ok).error();
    if (auto ok = detail::add_object_attributes(*r, p.attributes); !ok) return std::move(ok).error();
    return r;
}

// ---------------------------------------------------------------------------------------------
// Upload Part (docs/protocol/multipart.md#upload-part)

/// Inputs of Upload Part. The payload is borrowed: keep its bytes alive until the transport has
/// sent them.
struct upload_part_params {
    std::string key{};                  ///< object key given at Initiate
    std::string upload_id{};            ///< from Initiate
    std::uint32_t part_number = 0;    ///< 1 to 10000
    payload_view payload{};             ///< the part's bytes, at most 5 GB (Upload Part has no chunked form)
    /// Or the part's bytes pulled by the transport as it sends (docs/transport.md#pulled-request-bodies).
    body_reader reader{};
    /// Hash the payload and send Content-MD5, so COS refuses a corrupted part with BadDigest.
    bool compute_content_md5 = false;
    /// Or send this precomputed Content-MD5 (24 base64 characters); not together with
    /// compute_content_md5.
    std::optional<std::string> content_md5{};
    std::optional<std::uint64_t> traffic_limit{};  ///< x-cos-traffic-limit, bit/s, 819200 to 838860800
    /// Further headers, e.g. the SSE-C key headers the Initiate call used (docs/protocol/multipart.md#upload-part).
    std::vector<http_header> extra_headers{};
    object_key_options key_options{};
    /// The SSE-C key the Initiate call used, which every part repeats (sse_mode::customer only:
    /// SSE-COS and SSE-KMS are chosen once, at Initiate).
    std::optional<server_side_encryption> encryption{};
};

/// `PUT /<key>?partNumber=N&uploadId=ID` with the payload as the body, `Content-Length`, and
/// optionally `Content-MD5` and `x-cos-traffic-limit`. Errors (invalid_argument unless noted):
/// "object_key", "part_number", "upload_id", "payload" (limit_exceeded above 5 GB),
/// "content_md5" (malformed, or given while compute_content_md5 is set), "traffic_limit",
/// "encryption" (not SSE-C, a bad key, or over http), "extra_headers".
inline result<http_request> make_upload_part_request(const endpoint& ep, const upload_part_params& p) {
    auto r = detail::start_upload_request(ep, "PUT", p.key, p.key_options, p.upload_id, p.part_number);
    if (!r) return r;
    if (auto ok = detail::set_upload_body(*r, "payload", {}, p.payload, p.reader); !ok) return std::move(ok).error();
    if (auto ok = detail::add_body_headers(*r, max_part_size, "payload", "a part holds at most 5 GB (5368709120 bytes)",
                                           p.content_md5, p.compute_content_md5);
        !ok)
        return std::move(ok).error();
    if (auto ok = detail::add_traffic_limit(*r, p.traffic_limit); !ok) return std::move(ok).error();
    if (auto ok = detail::add_encryption(*r, p.encryption, sse_target::object, "encryption", true); !ok)
        return std::move(ok).error();
    if (auto ok = detail::add_extra_headers(*r, p.extra_headers); !ok) return std::move(ok).error();
    return r;
}

// ---------------------------------------------------------------------------------------------
// Upload Part - Copy (docs/protocol/multipart.md#upload-part-copy)

/// Inputs of Upload Part - Copy: which part of which upload to fill from which source object.
struct upload_part_copy_params {
    std::string key{};                  ///< destination key given at Initiate
    std::string upload_id{};            ///< from Initiate
    std::uint32_t part_number = 0;    ///< 1 to 10000
    /// The source bucket, e.g. make_endpoint("srcbucket-1250000000", "ap-guangzhou"): its host
    /// names the source in x-cos-copy-source (scheme and port play no part there).
    endpoint source{};
    std::string source_key{};           ///< the source object's key (docs/protocol/endpoints.md#object-keys)
    std::optional<std::string> source_version_id{};  ///< copy this version (?versionId=)
    /// x-cos-copy-source-range, 0-based and inclusive (`bytes=0-9` is the first ten bytes);
    /// `last` is required here, the header has no open-ended form. Absent: the whole object.
    std::optional<byte_range> range{};
    std::optional<std::string> if_match{};        ///< x-cos-copy-source-If-Match: source ETag, quotes included
    std::optional<std::string> if_none_match{};   ///< x-cos-copy-source-If-None-Match: as if_match
    std::optional<std::int64_t> if_modified_since{};    ///< Unix seconds, sent as an HTTP date
    std::optional<std::int64_t> if_unmodified_since{};  ///< Unix seconds, sent as an HTTP date
    /// Further headers, e.g. x-cos-copy-source-server-side-encryption-customer-* for an SSE-C
    /// source.
    std::vector<http_header> extra_headers{};
    object_key_options key_options{};   ///< applies to key and source_key
    /// The SSE-C key of the source object, sent as x-cos-copy-source-server-side-encryption-customer-*.
    std::optional<server_side_encryption> source_encryption{};
    /// The SSE-C key of the upload being filled, when Initiate used one.
    std::optional<server_side_encryption> encryption{};
};

namespace detail {

/// x-cos-copy-source (docs/protocol/multipart.md#upload-part-copy):
/// `<source host>/<pathenc(source key)>[?versionId=<enc(id)>]`, no scheme. The host must be a bare
/// DNS name: a port or anything else would not name a bucket.
inline result<std::string> part_copy_source_value(const upload_part_copy_params& p) {
    const std::string_view host = p.source.host;
    bool host_ok = !host.empty() && host.front() != '.' && host.front() != '-';
    for (char c : host) host_ok = host_ok && (is_alpha(c) || is_digit(c) || c == '-' || c == '.');
    if (!host_ok)
        return make_error(errc::invalid_argument, "source",
                          "the source host must be a DNS name without scheme or port, e.g. from make_endpoint()");
    auto paths = map_object_key(p.source_key, p.key_options);
    if (!paths) {
        error e = std::move(paths).error();
        e.argument = "source_key";
        return e;
    }
    std::string out(host);
    out += paths->wire_path;  // "/" + pathenc(key)
    if (p.source_version_id) {
        if (auto ok = validate_upload_id(*p.source_version_id, "source_version_id"); !ok) return std::move(ok).error();
        out += "?versionId=";
        percent_encode_append(out, *p.source_version_id);
    }
    return out;
}

}  // namespace detail

/// `PUT /<key>?partNumber=N&uploadId=ID`, `Content-Length: 0`, `x-cos-copy-source`, optional
/// `x-cos-copy-source-range: bytes=first-last` and the conditional copy headers. Errors
/// (invalid_argument unless noted): "object_key", "part_number", "upload_id", "source",
/// "source_key", "source_version_id", "range" (no last byte, first > last; limit_exceeded
/// above 5 GB), "if_match"/"if_none_match" (set but empty, or a bad header value),
/// "if_modified_since"/"if_unmodified_since" (outside years 0001-9999), "source_encryption" and
/// "encryption" (not SSE-C, a bad key, or over http), "extra_headers".
inline result<http_request> make_upload_part_copy_request(const endpoint& ep, const upload_part_copy_params& p) {
    auto r = detail::start_upload_request(ep, "PUT", p.key, p.key_options, p.upload_id, p.part_number);
    if (!r) return r;
    if (auto ok = detail::add_header(*r, "Content-Length", "0", "content_length"); !ok) return std::move(ok).error();
    auto source = detail::part_copy_source_value(p);
    if (!source) return std::move(source).error();
    if (auto ok = detail::add_header(*r, "x-cos-copy-source", *source, "source"); !ok) return std::move(ok).error();
    if (p.range) {
        if (!p.range->last)
            return make_error(errc::invalid_argument, "range", "needs a last byte: x-cos-copy-source-range is bytes=first-last");
        const std::uint64_t first = p.range->first, last = *p.range->last;
        if (first > last)
            return make_error(errc::invalid_argument, "range",
                              "first byte " + detail::decimal(first) + " is after last byte " + detail::decimal(last));
        // Comparing last - first with the limit - 1 cannot wrap, unlike last - first + 1.
        if (last - first > max_part_size - 1)
            return make_error(errc::limit_exceeded, "range", "covers more than 5 GB (5368709120 bytes), the largest part");
        const std::string value = "bytes=" + detail::decimal(first) + "-" + detail::decimal(last);
        if (auto ok = detail::add_header(*r, "x-cos-copy-source-range", value, "range"); !ok) return std::move(ok).error();
    }
    // The same checks as GET's preconditions (object.hpp), under the x-cos-copy-source- names.
    const object_conditions conditions{p.if_match, p.if_none_match, p.if_modified_since, p.if_unmodified_since};
    if (auto ok = detail::add_conditions(*r, conditions, "x-cos-copy-source-"); !ok) return std::move(ok).error();
    if (auto ok = detail::add_encryption(*r, p.source_encryption, sse_target::copy_source, "source_encryption", true); !ok)
        return std::move(ok).error();
    if (auto ok = detail::add_encryption(*r, p.encryption, sse_target::object, "encryption", true); !ok)
        return std::move(ok).error();
    if (auto ok = detail::add_extra_headers(*r, p.extra_headers); !ok) return std::move(ok).error();
    return r;
}

// ---------------------------------------------------------------------------------------------
// Complete Multipart Upload (docs/protocol/multipart.md#complete-multipart-upload)

/// One uploaded part as Complete lists it.
struct completed_part {
    std::uint32_t part_number = 0;  ///< 1 to 10000
    std::string etag{};               ///< the Upload Part ETag, with or without its quotes
};

/// The Complete body (docs/protocol/multipart.md#complete-multipart-upload):
/// `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;…&quot;</ETag></Part>…</CompleteMultipartUpload>`,
/// compact. ETags are sent with their quotes (added when missing); xml::writer escapes them as
/// `&quot;`, which is the same XML text as a literal `"` (the Go SDK's encoder escapes them
/// too). Refuses, before anything is sent, with invalid_argument naming "parts" and saying which
/// index and number: an empty list, more than 10000 parts, a number outside 1..10000, numbers
/// not strictly ascending (out of order or duplicated), a missing/empty/unprintable ETag.
/// Gaps are allowed here; COS decides (InvalidPart,
/// docs/protocol/multipart.md#complete-multipart-upload).
inline result<std::string> make_complete_multipart_upload_body(std::span<const completed_part> parts) {
    if (parts.empty()) return make_error(errc::invalid_argument, "parts", "must list at least one part");
    if (parts.size() > max_part_number)
        return make_error(errc::invalid_argument, "parts", "lists " + std::to_string(parts.size()) + " parts, at most 10000 exist");
    xml::writer w;
    w.start("CompleteMultipartUpload");
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::uint32_t n = parts[i].part_number;
        const auto refuse = [&](std::string_view what) {
            return make_error(errc::invalid_argument, "parts",
                              "part at index " + std::to_string(i) + " (number " + std::to_string(n) + "): " + std::string(what));
        };
        if (n == 0 || n > max_part_number) return refuse("part numbers run from 1 to 10000");
        if (i > 0 && n == parts[i - 1].part_number) return refuse("duplicates the previous part number");
        if (i > 0 && n < parts[i - 1].part_number) return refuse("part numbers must be in ascending order");
        const auto etag = detail::quoted_etag(parts[i].etag);
        if (!etag) return refuse("the ETag is missing, empty, or holds a space, '\"' or a non-printable byte");
        w.start("Part").element("PartNumber", std::to_string(n)).element("ETag", *etag).end();
    }
    w.end();
    return w.finish();
}

/// Inputs of Complete Multipart Upload.
struct complete_multipart_upload_params {
    std::string key{};                     ///< object key given at Initiate
    std::string upload_id{};               ///< from Initiate
    std::vector<completed_part> parts{};   ///< ascending part numbers
    object_key_options key_options{};
};

/// `POST /<key>?uploadId=ID` with the body of make_complete_multipart_upload_body,
/// `Content-Type: application/xml`, `Content-Length` and `Content-MD5` of the body (as the Go SDK
/// sends for XML bodies, so a body corrupted on the way fails with BadDigest instead of completing
/// a wrong object). Errors: "object_key", "upload_id", "parts" (see the body function).
inline result<http_request> make_complete_multipart_upload_request(const endpoint& ep,
                                                                   const complete_multipart_upload_params& p) {
    auto r = detail::start_upload_request(ep, "POST", p.key, p.key_options, p.upload_id, std::nullopt);
    if (!r) return r;
    auto body = make_complete_multipart_upload_body({p.parts.data(), p.parts.size()});
    if (!body) return std::move(body).error();
    detail::set_xml_body(*r, std::move(*body));
    return r;
}

// ---------------------------------------------------------------------------------------------
// Abort Multipart Upload (docs/protocol/multipart.md#abort-multipart-upload)

/// Inputs of Abort Multipart Upload.
struct abort_multipart_upload_params {
    std::string key{};          ///< object key given at Initiate
    std::string upload_id{};    ///< the upload to discard with all its parts
    object_key_options key_options{};
};

/// `DELETE /<key>?uploadId=ID`, no body. Errors: "object_key", "upload_id".
inline result<http_request> make_abort_multipart_upload_request(const endpoint& ep,
                                                                const abort_multipart_upload_params& p) {
    return detail::start_upload_request(ep, "DELETE", p.key, p.key_options, p.upload_id, std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// List Parts (docs/protocol/multipart.md#list-parts)

/// Inputs of List Parts (one page).
struct list_parts_params {
    std::string key{};                               ///< object key given at Initiate
    std::string upload_id{};                         ///< the upload whose parts to list
    std::optional<std::uint32_t> max_parts{};        ///< page size 1 to 1000; COS's default is 1000
    std::optional<std::uint32_t> part_number_marker{};  ///< list parts numbered above it, 0 to 10000
    /// Ask for encoding-type=url so keys with characters XML cannot carry still parse
    /// (docs/protocol/encoding-type.md); the parser decodes what the response announces as encoded.
    bool url_encoding = true;
    object_key_options key_options{};
};

/// `GET /<key>?uploadId=ID[&max-parts=N][&part-number-marker=M][&encoding-type=url]`, in that
/// order (docs/protocol/test-vectors.md#multipart-vectors, M5). Errors: "object_key", "upload_id",
/// "max_parts" (0 or above 1000), "part_number_marker" (above 10000).
inline result<http_request> make_list_parts_request(const endpoint& ep, const list_parts_params& p) {
    auto r = detail::start_upload_request(ep, "GET", p.key, p.key_options, p.upload_id, std::nullopt);
    if (!r) return r;
    if (auto ok = detail::add_page_size_param(*r, "max-parts", p.max_parts, max_list_parts_page, "max_parts"); !ok)
        return std::move(ok).error();
    if (p.part_number_marker) {
        if (*p.part_number_marker > max_part_number)
            return make_error(errc::invalid_argument, "part_number_marker",
                              "is " + std::to_string(*p.part_number_marker) + ", must be 0 to 10000");
        if (auto ok = detail::add_param(*r, "part-number-marker", detail::decimal(*p.part_number_marker), "part_number_marker");
            !ok)
            return std::move(ok).error();
    }
    if (auto ok = detail::add_url_encoding_param(*r, p.url_encoding); !ok) return std::move(ok).error();
    return r;
}

// ---------------------------------------------------------------------------------------------
// List Multipart Uploads (docs/protocol/multipart.md#list-multipart-uploads)

/// Inputs of List Multipart Uploads (one page of a bucket's unfinished uploads).
struct list_multipart_uploads_params {
    std::optional<std::string> prefix{};            ///< only keys starting with it
    std::optional<std::string> delimiter{};         ///< group keys up to it into common prefixes
    std::optional<std::string> key_marker{};        ///< keys after it (and see upload_id_marker)
    /// With key_marker: also uploads of that key whose id is after this one. COS ignores it
    /// without key_marker, so coswire refuses that combination.
    std::optional<std::string> upload_id_marker{};
    std::optional<std::uint32_t> max_uploads{};     ///< page size 1 to 1000; COS's default is 1000
    bool url_encoding = true;                     ///< send encoding-type=url (docs/protocol/encoding-type.md)
};

/// `GET /?uploads[&prefix=][&delimiter=][&key-marker=][&upload-id-marker=][&max-uploads=][&encoding-type=url]`
/// on the bucket. Errors (invalid_argument): "prefix", "delimiter" (empty; omit it instead),
/// "key_marker", "upload_id_marker" (malformed, or without key_marker), "max_uploads" (0 or
/// above 1000); text must be valid UTF-8.
inline result<http_request> make_list_multipart_uploads_request(const endpoint& ep,
                                                                const list_multipart_uploads_params& p) {
    auto started = make_bucket_request(ep, "GET");
    if (!started) return std::move(started).error();
    http_request& r = *started;
    if (auto ok = detail::add_param(r, "uploads", std::nullopt, "uploads"); !ok) return std::move(ok).error();
    if (p.delimiter && p.delimiter->empty())
        return make_error(errc::invalid_argument, "delimiter", "must not be empty; leave it unset instead");
    if (p.upload_id_marker) {
        if (!p.key_marker)
            return make_error(errc::invalid_argument, "upload_id_marker", "is ignored by COS without key_marker");
        if (auto ok = validate_upload_id(*p.upload_id_marker, "upload_id_marker"); !ok) return std::move(ok).error();
    }
    struct text_param {
        std::string_view name{};
        const std::optional<std::string>& value;
        std::string_view argument{};
    };
    const text_param texts[] = {
        {"prefix", p.prefix, "prefix"},
        {"delimiter", p.delimiter, "delimiter"},
        {"key-marker", p.key_marker, "key_marker"},
        {"upload-id-marker", p.upload_id_marker, "upload_id_marker"},
    };
    for (const text_param& t : texts)
        if (t.value)
            if (auto ok = detail::add_param(r, t.name, *t.value, t.argument); !ok) return std::move(ok).error();
    if (auto ok = detail::add_page_size_param(r, "max-uploads", p.max_uploads, max_list_uploads_page, "max_uploads"); !ok)
        return std::move(ok).error();
    if (auto ok = detail::add_url_encoding_param(r, p.url_encoding); !ok) return std::move(ok).error();
    return r;
}

}  // namespace coswire
