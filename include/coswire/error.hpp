// SPDX-License-Identifier: MIT
// The one error model of the library: what kind of failure, which argument, why, and, when COS
// itself refused, the parsed COS error (docs/protocol/errors.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coswire {

/// The kinds of failure; python-hyper/h11's split plus two.
enum class errc {
    invalid_argument,    ///< the caller misused the API; nothing was sent or changed
    malformed_response,  ///< the peer sent bytes that do not parse
    service_error,       ///< COS answered with an error (see error::service)
    transport_failure,   ///< the user's transport failed (connection, timeout, ...)
    buffer_too_small,    ///< a caller buffer is too small; error::size says how much is needed
    limit_exceeded,      ///< a documented limit (size, count, depth) was exceeded
    cancelled,           ///< the caller asked to stop (e.g. an upload's cancel callback)
    integrity_failure,   ///< data arrived or was stored differently than sent (CRC-64, MD5/ETag)
    object_changed,      ///< the object was replaced while it was being read (its ETag changed)
};

/// Name of an errc value, e.g. "invalid_argument".
constexpr std::string_view to_string(errc code) noexcept {
    switch (code) {
        case errc::invalid_argument: return "invalid_argument";
        case errc::malformed_response: return "malformed_response";
        case errc::service_error: return "service_error";
        case errc::transport_failure: return "transport_failure";
        case errc::buffer_too_small: return "buffer_too_small";
        case errc::limit_exceeded: return "limit_exceeded";
        case errc::cancelled: return "cancelled";
        case errc::integrity_failure: return "integrity_failure";
        case errc::object_changed: return "object_changed";
    }
    return "unknown";
}

/// An error answered by COS: the XML error body (or, for body-less answers such as HEAD 404, what
/// the status line and headers tell). Holds no secret: the session token COS's FormatString
/// echoes is redacted to "***" where the error is made.
struct cos_error {
    int http_status = 0;
    std::string code{};           ///< COS's code string, verbatim (e.g. "NoSuchUpload")
    std::string message{};        ///< human text
    std::string resource{};       ///< bucket or object address, may be empty
    std::string request_id{};     ///< from the body, else the x-cos-request-id header
    std::string trace_id{};       ///< from the body, else the x-cos-trace-id header
    std::optional<std::int64_t> server_time{};  ///< Unix seconds, from ServerTime or Date
    std::string string_to_sign{};  ///< SignatureDoesNotMatch only: the server's StringToSign
    std::string format_string{};   ///< SignatureDoesNotMatch only: the server's HttpString
};

/// A failure. `argument` is a static name such as "object_key" (an index goes in `reason`);
/// `reason` says what was wrong and never holds a secret.
struct error {
    errc code = errc::invalid_argument;
    std::string_view argument{};
    std::string reason{};
    std::optional<cos_error> service{};  ///< set when code == errc::service_error
    std::size_t size = 0;    ///< buffer_too_small: the size needed; malformed_response: byte offset
};

/// Builds an error value without a service part.
inline error make_error(errc code, std::string_view argument, std::string reason) {
    return error{code, argument, std::move(reason), std::nullopt, 0};
}

/// One line for people: "<argument>: <reason>" or, for COS errors,
/// "<Code> (<status>): <message> [request-id <id>]".
inline std::string describe(const error& e) {
    if (e.service) {
        const cos_error& s = *e.service;
        std::string out = s.code.empty() ? std::string("HTTP error") : s.code;
        out += " (" + std::to_string(s.http_status) + "): ";
        out += s.message.empty() ? e.reason : s.message;
        if (!s.request_id.empty()) out += " [request-id " + s.request_id + "]";
        return out;
    }
    std::string out;
    if (!e.argument.empty()) {
        out.append(e.argument);
        out += ": ";
    }
    out += e.reason;
    return out;
}

}  // namespace coswire
