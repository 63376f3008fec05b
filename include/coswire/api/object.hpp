// SPDX-License-Identifier: MIT
// Request builders for the object operations (PUT, GET, HEAD, DELETE Object) and GET Bucket
// (List Objects v1) (docs/protocol/objects.md).
//
// Choices where Tencent's pages are silent:
// - Conditional ETags (If-Match, If-None-Match) are sent verbatim: pass the quoted ETag as COS
//   sent it (object_headers::etag_raw); coswire does not add or strip quotes.
// - PUT Object refuses bodies over 5 GiB (5 × 2^30 bytes, the SDKs' reading of "5 GB") with
//   limit_exceeded before anything is sent; COS would answer 400 EntityTooLarge.
// - Optional text arguments that are set must not be empty (an empty versionId, ETag or
//   response-* override means nothing to COS); GET Bucket's prefix, delimiter and marker are
//   plain strings where empty means "not sent", which is what they mean to COS too.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/limits.hpp>
#include <coswire/api/request.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/time/http_date.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

// The limits checked here (max_put_object_size, min/max_traffic_limit, max_list_objects_keys)
// live in api/limits.hpp with the rest of COS's numbers.

/// Preconditions for GET and HEAD Object (docs/protocol/objects.md#get-object). If-None-Match /
/// If-Modified-Since that do not hold give 304 Not Modified; If-Match / If-Unmodified-Since give 412
/// PreconditionFailed.
struct object_conditions {
    std::optional<std::string> if_match{};             ///< If-Match: an ETag, quotes included
    std::optional<std::string> if_none_match{};        ///< If-None-Match: an ETag, quotes included
    std::optional<std::int64_t> if_modified_since{};   ///< If-Modified-Since, Unix seconds
    std::optional<std::int64_t> if_unmodified_since{}; ///< If-Unmodified-Since, Unix seconds
};

/// One byte range, 0-based and inclusive like HTTP's `Range: bytes=first-last`; without `last`
/// it reaches to the end of the object (`bytes=first-`). COS serves a single range only
/// (docs/protocol/objects.md#get-object).
struct byte_range {
    std::uint64_t first = 0;            ///< the first byte, 0-based
    std::optional<std::uint64_t> last{};  ///< the last byte, inclusive; nullopt: to the end
};

/// The response-* query parameters of GET Object, which make COS answer with these header values
/// instead of the stored ones (docs/protocol/objects.md#get-object). They are signed, so such a request
/// cannot be anonymous.
struct response_overrides {
    std::optional<std::string> cache_control{};        ///< response-cache-control
    std::optional<std::string> content_disposition{};  ///< response-content-disposition
    std::optional<std::string> content_encoding{};     ///< response-content-encoding
    std::optional<std::string> content_language{};     ///< response-content-language
    std::optional<std::string> content_type{};         ///< response-content-type
    std::optional<std::string> expires{};              ///< response-expires
};

/// PUT Object (docs/protocol/objects.md#put-object): uploads one object of at most 5 GiB in a single request.
struct put_object_params {
    std::string key{};  ///< the object key (docs/protocol/endpoints.md#object-keys), UTF-8, at most 850 bytes
    /// The body, borrowed: the caller keeps the bytes alive until the request has been sent.
    /// Use it for anything large; set at most one of `payload`, `body` and `reader` (none: an
    /// empty object).
    payload_view payload{};
    /// The body, owned; copied into the request. Convenient for small texts.
    std::string body{};
    /// The body, pulled: the transport reads it as it sends (docs/transport.md#pulled-request-bodies),
    /// so a large file need not be in memory. One of payload, body and reader.
    body_reader reader{};
    object_attributes attributes{};  ///< headers stored with the object (Content-Type, metadata, ACL, ...)
    /// Content-MD5 (base64 of the binary MD5, 24 characters) given by the caller, e.g. computed
    /// while the file was read. COS checks it against the body (400 BadDigest).
    std::optional<std::string> content_md5{};
    /// Compute Content-MD5 from the body (one pass over it); not together with content_md5.
    bool compute_content_md5 = false;
    /// x-cos-forbid-overwrite: true, so COS refuses to replace an existing key.
    bool forbid_overwrite = false;
    /// x-cos-traffic-limit in bit/s, min_traffic_limit..max_traffic_limit.
    std::optional<std::uint64_t> traffic_limit{};
    object_key_options key_options{};  ///< whether dot segments are allowed
};

/// GET Object (docs/protocol/objects.md#get-object).
struct get_object_params {
    std::string key{};  ///< the object key (docs/protocol/endpoints.md#object-keys)
    std::optional<byte_range> range{};       ///< Range: bytes=first-last (answered with 206)
    response_overrides overrides{};          ///< response-* parameters
    std::optional<std::string> version_id{}; ///< versionId: a specific version
    object_conditions conditions{};          ///< If-* headers
    /// x-cos-traffic-limit in bit/s, min_traffic_limit..max_traffic_limit.
    std::optional<std::uint64_t> traffic_limit{};
    object_key_options key_options{};  ///< whether dot segments are allowed
    /// Further headers, sent last and signed by the standard selection when x-cos-*: e.g. the
    /// x-cos-server-side-encryption-customer-* key headers an SSE-C object needs
    /// (docs/protocol/headers.md#server-side-encryption-headers). Names must be HTTP tokens and must
    /// not repeat a header the builder sets. The last member, with a default, so brace-initialised
    /// params written before it existed stay valid.
    std::vector<http_header> extra_headers{};
    /// The SSE-C key of an object stored with one (sse_mode::customer only; COS decrypts
    /// SSE-COS and SSE-KMS objects by itself).
    std::optional<server_side_encryption> encryption{};
};

/// HEAD Object (docs/protocol/objects.md#head-object).
struct head_object_params {
    std::string key{};  ///< the object key (docs/protocol/endpoints.md#object-keys)
    std::optional<std::string> version_id{}; ///< versionId: a specific version
    object_conditions conditions{};          ///< If-* headers
    object_key_options key_options{};        ///< whether dot segments are allowed
    /// Further headers, as for get_object_params: e.g. the SSE-C key headers (docs/protocol/objects.md#head-object).
    std::vector<http_header> extra_headers{};
    std::optional<server_side_encryption> encryption{};  ///< the SSE-C key, as for get_object_params
};

/// DELETE Object (docs/protocol/objects.md#delete-object).
struct delete_object_params {
    std::string key{};  ///< the object key (docs/protocol/endpoints.md#object-keys)
    std::optional<std::string> version_id{}; ///< versionId: delete that version (or delete marker)
    object_key_options key_options{};        ///< whether dot segments are allowed
    /// Further headers, as for get_object_params.
    std::vector<http_header> extra_headers{};
};

/// GET Bucket, List Objects version 1 (docs/protocol/objects.md#get-bucket). Empty strings are not sent.
struct list_objects_params {
    std::string prefix{};     ///< only keys starting with this
    std::string delimiter{};  ///< group keys sharing prefix + up to the delimiter into CommonPrefixes
    std::string marker{};     ///< list keys after this one (UTF-8 binary order), exclusive
    /// Entries per page, 1..1000, counting Contents and CommonPrefixes; COS's default is 1000.
    std::optional<std::uint32_t> max_keys{};
    /// Send encoding-type=url, so COS percent-encodes keys and the parser decodes them
    /// (docs/protocol/encoding-type.md): keys may hold characters XML 1.0 cannot carry. On by default,
    /// as in the Python SDK.
    bool url_encoding = true;
};

namespace detail {

/// An x-cos-traffic-limit, when set, must be in COS's range (docs/protocol/headers.md#traffic-limit).
/// Errors: invalid_argument naming "traffic_limit".
inline result<void> check_traffic_limit(const std::optional<std::uint64_t>& limit) {
    if (limit && (*limit < min_traffic_limit || *limit > max_traffic_limit))
        return make_error(errc::invalid_argument, "traffic_limit",
                          std::to_string(*limit) + " bit/s is outside COS's range 819200..838860800");
    return {};
}

/// x-cos-traffic-limit, when set, after checking its range.
inline result<void> add_traffic_limit(http_request& r, const std::optional<std::uint64_t>& limit) {
    if (!limit) return {};
    if (auto ok = check_traffic_limit(limit); !ok) return ok;
    return add_header(r, "x-cos-traffic-limit", decimal(*limit), "traffic_limit");
}

/// Refuses an optional text argument that is set but empty (see the header comment).
inline result<void> refuse_empty(const std::optional<std::string>& value, std::string_view argument) {
    if (value && value->empty()) return make_error(errc::invalid_argument, argument, "is set but empty");
    return {};
}

/// A query parameter whose value, when set, must say something and obey the header-value
/// rules: COS echoes response-* values as response headers, and a versionId is never binary.
inline result<void> add_nonempty_param(http_request& r, std::string_view name, const std::optional<std::string>& value,
                                       std::string_view argument) {
    if (auto ok = refuse_empty(value, argument); !ok || !value) return ok;
    if (auto ok = validate_header_value(*value, argument); !ok) return ok;
    return add_param(r, name, *value, argument);
}

/// A header whose value, when set, must say something.
inline result<void> add_nonempty_header(http_request& r, std::string_view name, const std::optional<std::string>& value,
                                        std::string_view argument) {
    if (auto ok = refuse_empty(value, argument); !ok) return ok;
    return add_optional_header(r, name, value, argument);
}

/// A time precondition as an IMF-fixdate; format_http_date only covers years 0001-9999.
inline result<void> add_date_header(http_request& r, std::string_view name, const std::optional<std::int64_t>& seconds,
                                    std::string_view argument) {
    if (!seconds) return {};
    if (*seconds < http_date_min_seconds || *seconds > http_date_max_seconds)
        return make_error(errc::invalid_argument, argument, "is outside the years 0001-9999 an HTTP date can express");
    const http_date_text text = format_http_date(*seconds);
    return add_header(r, name, std::string_view(text.data(), text.size()), argument);
}

/// The If-* headers of GET and HEAD Object, each only when set; with `prefix`
/// "x-cos-copy-source-", the same conditions on the source of a copy
/// (docs/protocol/multipart.md#upload-part-copy). The argument names are the same either way
/// ("if_match", ..., "if_unmodified_since").
inline result<void> add_conditions(http_request& r, const object_conditions& c, std::string_view prefix = {}) {
    const std::string p(prefix);
    if (auto ok = add_nonempty_header(r, p + "If-Match", c.if_match, "if_match"); !ok) return ok;
    if (auto ok = add_nonempty_header(r, p + "If-None-Match", c.if_none_match, "if_none_match"); !ok) return ok;
    if (auto ok = add_date_header(r, p + "If-Modified-Since", c.if_modified_since, "if_modified_since"); !ok) return ok;
    return add_date_header(r, p + "If-Unmodified-Since", c.if_unmodified_since, "if_unmodified_since");
}

/// What GET and HEAD share: the key, versionId and the preconditions.
inline result<http_request> start_object_read(const endpoint& ep, std::string_view method, std::string_view key,
                                              const std::optional<std::string>& version_id,
                                              const object_conditions& conditions, const object_key_options& key_options) {
    auto r = make_object_request(ep, method, key, key_options);
    if (!r) return r;
    if (auto ok = add_nonempty_param(*r, "versionId", version_id, "version_id"); !ok) return std::move(ok).error();
    if (auto ok = add_conditions(*r, conditions); !ok) return std::move(ok).error();
    return r;
}

/// `Range: bytes=first-last` or `bytes=first-`.
inline result<void> add_range(http_request& r, const std::optional<byte_range>& range) {
    if (!range) return {};
    std::string value = "bytes=" + decimal(range->first) + "-";
    if (range->last) {
        if (*range->last < range->first)
            return make_error(errc::invalid_argument, "range",
                              "last (" + decimal(*range->last) + ") is before first (" + decimal(range->first) + ")");
        value += decimal(*range->last);
    }
    return add_header(r, "Range", value, "range");
}

}  // namespace detail

/// PUT /<key> with the body, Content-Length = its size (always set; COS truncates the object to
/// a smaller Content-Length, docs/protocol/objects.md#put-object), Content-MD5 when given or asked for,
/// the attributes, x-cos-forbid-overwrite and x-cos-traffic-limit. The request borrows `payload`.
/// Errors (invalid_argument unless noted): map_object_key's ("object_key"); "body" when more than one
/// of payload, body and reader is set; limit_exceeded "body" over 5 GiB; "content_md5" when it is not base64 of 16 bytes
/// or both MD5 options are set; "traffic_limit" out of range; the attribute's name
/// (add_object_attributes) for a bad attribute, including an extra header that repeats one the builder
/// sets.
inline result<http_request> make_put_object_request(const endpoint& ep, const put_object_params& p) {
    auto r = make_object_request(ep, "PUT", p.key, p.key_options);
    if (!r) return r;
    if (auto ok = detail::set_upload_body(*r, "body", p.body, p.payload, p.reader); !ok) return std::move(ok).error();
    // The builder's own headers go first, so an extra header repeating one of them is reported
    // against extra_headers, the argument that is wrong.
    if (auto ok = detail::add_body_headers(*r, max_put_object_size, "body",
                                           "more than the 5 GiB (5368709120 bytes) a single PUT may carry; use a multipart upload",
                                           p.content_md5, p.compute_content_md5);
        !ok)
        return std::move(ok).error();
    if (p.forbid_overwrite)
        if (auto ok = detail::add_header(*r, "x-cos-forbid-overwrite", "true", "forbid_overwrite"); !ok)
            return std::move(ok).error();
    if (auto ok = detail::add_traffic_limit(*r, p.traffic_limit); !ok) return std::move(ok).error();
    if (auto ok = detail::add_object_attributes(*r, p.attributes); !ok) return std::move(ok).error();
    return r;
}

/// GET /<key> with versionId, the response-* overrides (in the order of response_overrides),
/// Range, the preconditions (times as IMF-fixdates), x-cos-traffic-limit and the extra headers.
/// Errors (invalid_argument): "object_key" (map_object_key, also limit_exceeded); "version_id",
/// "if_match", "if_none_match" when set but empty or not a valid value; "if_modified_since",
/// "if_unmodified_since" outside years 0001-9999; "range" when last < first; "traffic_limit"
/// out of range; "response_cache_control" ... "response_expires" when set but empty or not a
/// valid header value (COS echoes them as headers); "encryption" when not SSE-C, a bad key, or an SSE-C
/// key over http (detail::add_encryption); "extra_headers" (add_extra_headers), including one that repeats a builder header.
inline result<http_request> make_get_object_request(const endpoint& ep, const get_object_params& p) {
    auto r = detail::start_object_read(ep, "GET", p.key, p.version_id, p.conditions, p.key_options);
    if (!r) return r;
    struct override_param {
        std::string_view name{};
        std::optional<std::string> response_overrides::*member{};
        std::string_view argument{};
    };
    static constexpr override_param overrides[] = {
        {"response-cache-control", &response_overrides::cache_control, "response_cache_control"},
        {"response-content-disposition", &response_overrides::content_disposition, "response_content_disposition"},
        {"response-content-encoding", &response_overrides::content_encoding, "response_content_encoding"},
        {"response-content-language", &response_overrides::content_language, "response_content_language"},
        {"response-content-type", &response_overrides::content_type, "response_content_type"},
        {"response-expires", &response_overrides::expires, "response_expires"},
    };
    for (const override_param& o : overrides)
        if (auto ok = detail::add_nonempty_param(*r, o.name, p.overrides.*o.member, o.argument); !ok)
            return std::move(ok).error();
    if (auto ok = detail::add_range(*r, p.range); !ok) return std::move(ok).error();
    if (auto ok = detail::add_traffic_limit(*r, p.traffic_limit); !ok) return std::move(ok).error();
    if (auto ok = detail::add_encryption(*r, p.encryption, sse_target::object, "encryption", true); !ok)
        return std::move(ok).error();
    if (auto ok = detail::add_extra_headers(*r, p.extra_headers); !ok) return std::move(ok).error();
    return r;
}

/// HEAD /<key> with versionId, the preconditions, the SSE-C key headers and the extra headers.
/// Errors (invalid_argument): "object_key", "version_id", "if_match", "if_none_match",
/// "if_modified_since", "if_unmodified_since", "encryption", "extra_headers", as for make_get_object_request.
inline result<http_request> make_head_object_request(const endpoint& ep, const head_object_params& p) {
    auto r = detail::start_object_read(ep, "HEAD", p.key, p.version_id, p.conditions, p.key_options);
    if (!r) return r;
    if (auto ok = detail::add_encryption(*r, p.encryption, sse_target::object, "encryption", true); !ok)
        return std::move(ok).error();
    if (auto ok = detail::add_extra_headers(*r, p.extra_headers); !ok) return std::move(ok).error();
    return r;
}

/// DELETE /<key>, with versionId when set, and the extra headers.
/// Errors (invalid_argument): "object_key" (map_object_key), "version_id" when set but empty or
/// not a valid header value (validate_header_value); "extra_headers" (add_extra_headers).
inline result<http_request> make_delete_object_request(const endpoint& ep, const delete_object_params& p) {
    auto r = make_object_request(ep, "DELETE", p.key, p.key_options);
    if (!r) return r;
    if (auto ok = detail::add_nonempty_param(*r, "versionId", p.version_id, "version_id"); !ok)
        return std::move(ok).error();
    if (auto ok = detail::add_extra_headers(*r, p.extra_headers); !ok) return std::move(ok).error();
    return r;
}

/// GET / with prefix, delimiter, marker, max-keys (each only when set) and encoding-type=url
/// (unless url_encoding is off), in that order.
/// Errors (invalid_argument): "prefix", "delimiter", "marker" when not UTF-8; "max_keys" outside
/// 1..1000.
inline result<http_request> make_list_objects_request(const endpoint& ep, const list_objects_params& p) {
    auto started = make_bucket_request(ep, "GET");
    if (!started) return std::move(started).error();
    http_request& r = *started;
    const std::pair<std::string_view, const std::string*> texts[] = {
        {"prefix", &p.prefix}, {"delimiter", &p.delimiter}, {"marker", &p.marker}};
    for (const auto& [name, value] : texts)
        if (!value->empty())
            if (auto ok = detail::add_param(r, name, *value, name); !ok) return std::move(ok).error();
    if (auto ok = detail::add_page_size_param(r, "max-keys", p.max_keys, max_list_objects_keys, "max_keys"); !ok)
        return std::move(ok).error();
    if (auto ok = detail::add_url_encoding_param(r, p.url_encoding); !ok) return std::move(ok).error();
    return r;
}

}  // namespace coswire
