// SPDX-License-Identifier: MIT
// The pure retry classifier: given a failure, retry it, retry it after correcting the clock, or
// give up (docs/protocol/errors.md#retry-classification,
// docs/protocol/signing.md#validity-and-clock-skew).
#pragma once

#include <coswire/error.hpp>
#include <coswire/parse/error_response.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace coswire {

/// What to do about a failed attempt. Every retry is signed afresh; a request with a body can
/// only be retried when its body can be replayed.
enum class retry_action {
    fail,                   ///< a client error or a misuse: retrying cannot help
    retry,                  ///< transient: back off, then try again
    retry_after_clock_fix,  ///< the signature's time window is off: correct the clock, re-sign, retry
    retry_with_fresh_credentials,  ///< the session token expired: refresh the credentials, re-sign, retry once
};

struct retry_advice {
    retry_action action = retry_action::fail;
    /// For retry_after_clock_fix: the server's time (Unix seconds) when the response proved it
    /// came from COS (it carried x-cos-request-id); absent otherwise.
    std::optional<std::int64_t> server_time{};
    std::string_view why{};  ///< a short static explanation
};

/// Classifies a failure. Retry: transport failures; 5xx (InternalError, ServiceUnavailable,
/// SlowDown, KmsInternalException, KmsFreqControl, ...); 400 RequestTimeout/UserNetworkTooSlow;
/// 409 PathConflict/UploadConflict; InternalError inside a 200. Retry after fixing the clock:
/// 403 RequestTimeTooSkewed and 403 AccessDenied "Request has expired". Retry with fresh
/// credentials: ExpiredToken (400, or 403 in older tables). Everything else fails:
/// other 4xx, malformed responses, misuse, limits.
inline retry_advice retry_advice_for(const error& e) noexcept {
    if (e.code == errc::transport_failure) return {retry_action::retry, std::nullopt, "the transport failed"};
    if (e.code != errc::service_error || !e.service) return {retry_action::fail, std::nullopt, "not a transient failure"};
    const cos_error& s = *e.service;
    const cos_errc code = to_cos_errc(s.code);
    if (code == cos_errc::request_time_too_skewed ||
        (code == cos_errc::access_denied && s.message.find("Request has expired") != std::string_view::npos))
        return {retry_action::retry_after_clock_fix, s.request_id.empty() ? std::nullopt : s.server_time,
                "the signature's time window does not cover the server's clock"};
    if (code == cos_errc::expired_token)
        return {retry_action::retry_with_fresh_credentials, std::nullopt, "the temporary credentials' session token expired"};
    if (s.http_status >= 500) return {retry_action::retry, std::nullopt, "COS reported a server-side failure"};
    switch (code) {
        case cos_errc::slow_down:
        case cos_errc::internal_error:
        case cos_errc::service_unavailable:
            return {retry_action::retry, std::nullopt, "COS asked to slow down or failed internally"};
        case cos_errc::request_timeout:
        case cos_errc::user_network_too_slow:
            return {retry_action::retry, std::nullopt, "the request body arrived too slowly"};
        case cos_errc::path_conflict:
        case cos_errc::upload_conflict:
            return {retry_action::retry, std::nullopt, "a concurrent write to the same key"};
        default:
            break;
    }
    if (s.code == "KmsInternalException" || s.code == "KmsFreqControl")
        return {retry_action::retry, std::nullopt, "the key management service is busy"};
    return {retry_action::fail, std::nullopt, "COS refused the request"};
}

}  // namespace coswire
