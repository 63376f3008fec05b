// SPDX-License-Identifier: MIT
// What every response parser shares: status checks that turn COS errors into error values,
// ETag unquoting, decimal numbers, the request id, the headers of object responses and the
// owner of listed entries (COS-PROTOCOL.md §3.2, §4.2, §7.3, §9).
#pragma once

#include <coswire/detail/ascii.hpp>
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
/// returned unchanged. Header ETags carry quotes; XML ETags arrive as &quot;...&quot; (§9).
constexpr std::string_view unquote_etag(std::string_view etag) noexcept {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return etag.substr(1, etag.size() - 2);
    return etag;
}

/// Unsigned decimal text without sign, blanks or overflow. Errors: malformed_response naming
/// `argument`.
inline result<std::uint64_t> parse_decimal(std::string_view text, std::string_view argument) {
    if (text.empty()) return make_error(errc::malformed_response, argument, "is empty, expected a decimal number");
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (!detail::is_digit(c))
            return make_error(errc::malformed_response, argument, "'" + std::string(text.substr(0, 40)) + "' is not a decimal number");
        const auto digit = static_cast<std::uint64_t>(c - '0');
        // 19 digits always fit in 64 bits: only the 20th and later need the overflow check.
        if (i >= 19 && v > (UINT64_MAX - digit) / 10)
            return make_error(errc::malformed_response, argument, "'" + std::string(text.substr(0, 40)) + "' overflows 64 bits");
        v = v * 10 + digit;
    }
    return v;
}

/// "true"/"false" in any case (§9). Errors: malformed_response naming `argument`.
inline result<bool> parse_boolean(std::string_view text, std::string_view argument) {
    if (detail::iequals(text, "true")) return true;
    if (detail::iequals(text, "false")) return false;
    return make_error(errc::malformed_response, argument, "'" + std::string(text.substr(0, 40)) + "' is not true or false");
}

/// The owner of a listed object or upload (Owner, Initiator).
struct object_owner {
    std::string id;            ///< ID, e.g. "1250000000" or "qcs::cam::uin/...:uin/..."
    std::string display_name;  ///< DisplayName
};

/// The headers of object responses (PUT, GET, HEAD, Upload Part, Complete), parsed.
struct object_headers {
    std::string request_id;                   ///< x-cos-request-id
    std::string etag_raw;                     ///< ETag as sent, quotes included
    std::string etag;                         ///< ETag without its quotes
    std::optional<std::uint64_t> crc64;       ///< x-cos-hash-crc64ecma (CRC-64/XZ), when present
    std::optional<std::uint64_t> content_length;
    std::optional<std::int64_t> last_modified;  ///< Unix seconds
    std::string content_type;
    std::string version_id;                   ///< x-cos-version-id
    std::string storage_class = "STANDARD";   ///< x-cos-storage-class; COS omits it for STANDARD
    std::string server_side_encryption;       ///< x-cos-server-side-encryption
    /// x-cos-meta-* headers as (suffix, value), in the order received.
    std::vector<std::pair<std::string, std::string>> metadata;
};

/// Reads object_headers from a response. Errors: malformed_response naming the header whose
/// value does not parse ("x-cos-hash-crc64ecma", "Content-Length", "Last-Modified").
inline result<object_headers> parse_object_headers(const http_response& r) {
    object_headers out;
    for (const http_header& h : r.headers) {
        const std::string_view name = h.name;
        if (detail::iequals(name, "x-cos-request-id")) out.request_id = h.value;
        else if (detail::iequals(name, "ETag")) {
            out.etag_raw = h.value;
            out.etag = std::string(unquote_etag(h.value));
        } else if (detail::iequals(name, "x-cos-hash-crc64ecma")) {
            auto v = parse_decimal(h.value, "x-cos-hash-crc64ecma");
            if (!v) return std::move(v).error();
            out.crc64 = *v;
        } else if (detail::iequals(name, "Content-Length")) {
            auto v = parse_decimal(h.value, "Content-Length");
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

/// Succeeds when r.status is one of `expected`; otherwise the COS error it stands for. With
/// `check_error_body` (Complete Multipart Upload, Upload Part - Copy, PUT Object - Copy, which
/// may answer 200 and report failure in the body, §4.2), a 2xx whose root is <Error> fails too.
inline result<void> expect_status(const http_response& r, std::initializer_list<int> expected, bool check_error_body = false) {
    bool ok = false;
    for (int s : expected) ok = ok || r.status == s;
    if (!ok || (check_error_body && has_error_body(r))) return parse_error_response(r);
    return {};
}

}  // namespace coswire
