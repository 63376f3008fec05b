// SPDX-License-Identifier: MIT
// What every response parser shares: status checks that turn COS errors into error values,
// ETag unquoting, decimal numbers, the request id, the headers of object responses and the
// owner of listed entries (docs/protocol/headers.md#response-headers, docs/protocol/integrity.md#etag,
// docs/protocol/xml.md).
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/detail/decimal.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/result.hpp>
#include <coswire/time/http_date.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// Strips exactly one pair of surrounding double quotes: "\"abc\"" -> "abc"; anything else is
/// returned unchanged. Header ETags carry quotes; XML ETags arrive as &quot;...&quot;
/// (docs/protocol/xml.md#entities-and-etags).
constexpr std::string_view unquote_etag(std::string_view etag) noexcept {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return etag.substr(1, etag.size() - 2);
    return etag;
}

namespace detail {

/// Unsigned decimal text without sign, blanks or overflow (detail::parse_unsigned_decimal).
/// Errors: malformed_response naming `argument`.
inline result<std::uint64_t> parse_decimal(std::string_view text, std::string_view argument) {
    const parsed_decimal<std::uint64_t> v = parse_unsigned_decimal(text);
    switch (v.fault) {
        case decimal_fault::none: return v.value;
        case decimal_fault::empty: return make_error(errc::malformed_response, argument, "is empty, expected a decimal number");
        case decimal_fault::not_decimal:
            return make_error(errc::malformed_response, argument, "'" + std::string(text.substr(0, 40)) + "' is not a decimal number");
        case decimal_fault::out_of_range: break;
    }
    return make_error(errc::malformed_response, argument, "'" + std::string(text.substr(0, 40)) + "' overflows 64 bits");
}

/// "true"/"false" in any case (docs/protocol/xml.md#booleans-and-numbers). Errors: malformed_response naming `argument`.
inline result<bool> parse_boolean(std::string_view text, std::string_view argument) {
    if (iequals(text, "true")) return true;
    if (iequals(text, "false")) return false;
    return make_error(errc::malformed_response, argument, "'" + std::string(text.substr(0, 40)) + "' is not true or false");
}

}  // namespace detail

/// The owner of a listed object or upload (Owner, Initiator).
struct object_owner {
    std::string id{};            ///< ID, e.g. "1250000000" or "qcs::cam::uin/...:uin/..."
    std::string display_name{};  ///< DisplayName
};

/// The headers of object responses (PUT, GET, HEAD, Upload Part, Complete), parsed.
struct object_headers {
    std::string request_id{};                   ///< x-cos-request-id
    std::string etag_raw{};                     ///< ETag as sent, quotes included
    std::string etag{};                         ///< ETag without its quotes
    std::optional<std::uint64_t> crc64{};       ///< x-cos-hash-crc64ecma (CRC-64/XZ), when present
    std::optional<std::uint64_t> content_length{};
    std::optional<std::int64_t> last_modified{};  ///< Unix seconds
    std::string content_type{};
    std::string version_id{};                   ///< x-cos-version-id
    std::string storage_class = "STANDARD";   ///< x-cos-storage-class; COS omits it for STANDARD
    std::string server_side_encryption{};       ///< x-cos-server-side-encryption: AES256 or cos/kms
    std::string sse_customer_algorithm{};       ///< x-cos-server-side-encryption-customer-algorithm (SSE-C)
    std::string sse_kms_key_id{};               ///< x-cos-server-side-encryption-cos-kms-key-id (SSE-KMS)
    /// x-cos-server-side-encryption-customer-key-MD5 (SSE-C): which key, compare with the
    /// customer-key-MD5 header coswire sent.
    std::string sse_customer_key_md5{};
    std::optional<std::uint64_t> tagging_count{};  ///< x-cos-tagging-count: how many tags the object has
    /// x-cos-expiration: when a lifecycle rule deletes the object, verbatim
    /// (expiry-date="...", rule-id="..."); empty when no rule applies.
    std::string expiration{};
    /// x-cos-meta-* headers as (suffix, value), in the order received.
    std::vector<std::pair<std::string, std::string>> metadata{};
};

/// The response headers that carry one value: a second copy makes the answer ambiguous (which
/// length, which checksum?), so every parser refuses it instead of picking one
/// (docs/protocol/multipart.md#one-value-headers). List-valued headers (Cache-Control, ...) and
/// x-cos-meta-* are not in it.
inline constexpr std::string_view single_value_response_headers[] = {
    "Content-Length",
    "Content-Type",
    "Content-Range",
    "Content-Encoding",
    "Content-Disposition",
    "Date",
    "ETag",
    "Last-Modified",
    "Expires",
    "x-cos-hash-crc64ecma",
    "x-cos-version-id",
    "x-cos-request-id",
    "x-cos-delete-marker",
    "x-cos-storage-class",
    "x-cos-storage-tier",
    "x-cos-server-side-encryption",
    "x-cos-server-side-encryption-customer-algorithm",
    "x-cos-server-side-encryption-customer-key-MD5",
    "x-cos-server-side-encryption-cos-kms-key-id",
    "x-cos-tagging-count",
    "x-cos-expiration",
    "x-cos-object-type",
    "x-cos-bucket-region",
    "x-cos-copy-source-version-id",
    "x-cos-restore",
    "x-cos-restore-status",
};

/// Succeeds when no header of single_value_response_headers appears twice (names compare in any
/// case). Errors: malformed_response naming the repeated header, e.g. "Content-Length".
inline result<void> check_single_value_headers(const http_response& r) {
    for (std::string_view name : single_value_response_headers) {
        bool seen = false;
        for (const http_header& h : r.headers) {
            if (!detail::iequals(h.name, name)) continue;
            if (seen) return make_error(errc::malformed_response, name, "appears more than once in the response, so its value is ambiguous");
            seen = true;
        }
    }
    return {};
}

/// Reads object_headers from a response. Errors: malformed_response naming the header whose
/// value does not parse ("x-cos-hash-crc64ecma", "Content-Length", "Last-Modified",
/// "x-cos-tagging-count") or that
/// appears twice (check_single_value_headers).
inline result<object_headers> parse_object_headers(const http_response& r) {
    if (auto ok = check_single_value_headers(r); !ok) return std::move(ok).error();
    object_headers out;
    for (const http_header& h : r.headers) {
        const std::string_view name = h.name;
        if (detail::iequals(name, "x-cos-request-id")) out.request_id = h.value;
        else if (detail::iequals(name, "ETag")) {
            out.etag_raw = h.value;
            out.etag = std::string(unquote_etag(h.value));
        } else if (detail::iequals(name, "x-cos-hash-crc64ecma")) {
            auto v = detail::parse_decimal(h.value, "x-cos-hash-crc64ecma");
            if (!v) return std::move(v).error();
            out.crc64 = *v;
        } else if (detail::iequals(name, "Content-Length")) {
            auto v = detail::parse_decimal(h.value, "Content-Length");
            if (!v) return std::move(v).error();
            out.content_length = *v;
        } else if (detail::iequals(name, "Last-Modified")) {
            auto v = parse_http_date(h.value);
            if (!v) return make_error(errc::malformed_response, "Last-Modified", v.error().reason);
            out.last_modified = *v;
        } else if (detail::iequals(name, "Content-Type")) out.content_type = h.value;
        else if (detail::iequals(name, "x-cos-version-id")) out.version_id = h.value;
        else if (detail::iequals(name, "x-cos-storage-class")) out.storage_class = h.value;
        else if (detail::iequals(name, "x-cos-server-side-encryption")) out.server_side_encryption = h.value;
        else if (detail::iequals(name, "x-cos-server-side-encryption-customer-algorithm")) out.sse_customer_algorithm = h.value;
        else if (detail::iequals(name, "x-cos-server-side-encryption-customer-key-MD5")) out.sse_customer_key_md5 = h.value;
        else if (detail::iequals(name, "x-cos-server-side-encryption-cos-kms-key-id")) out.sse_kms_key_id = h.value;
        else if (detail::iequals(name, "x-cos-expiration")) out.expiration = h.value;
        else if (detail::iequals(name, "x-cos-tagging-count")) {
            auto v = detail::parse_decimal(h.value, "x-cos-tagging-count");
            if (!v) return std::move(v).error();
            out.tagging_count = *v;
        }
        else if (detail::istarts_with(name, "x-cos-meta-"))
            out.metadata.emplace_back(std::string(name.substr(11)), h.value);
    }
    return out;
}

namespace detail {

/// x-cos-request-id, or empty.
inline std::string request_id_of(const http_response& r) {
    const auto id = r.header("x-cos-request-id");
    return id ? std::string(*id) : std::string();
}

}  // namespace detail

/// Succeeds when r.status is one of `expected` and no single-value header repeats; otherwise the
/// COS error the status stands for, or check_single_value_headers's malformed_response. With
/// `check_error_body`, a 2xx whose root element is <Error> is that COS error too: every parser
/// passes it except GET Object's, whose body is the user's bytes, because an answer whose
/// success body is empty or a known document cannot be a success when it reads <Error>
/// (docs/protocol/multipart.md#error-in-a-200). Headers of error answers are not checked: they
/// only feed the error's diagnostics.
inline result<void> expect_status(const http_response& r, std::initializer_list<int> expected, bool check_error_body = false) {
    bool ok = false;
    for (int s : expected) ok = ok || r.status == s;
    if (!ok || (check_error_body && has_error_body(r))) return parse_error_response(r);
    return check_single_value_headers(r);
}

}  // namespace coswire
