// SPDX-License-Identifier: MIT
// What a request must pass before the emulator runs its operation: the Host, the target, the
// signature (with coswire::verify_request), the session token and its expiry, the Date, names
// sent once, and the body against Content-Length and Content-MD5.
#pragma once

#include <coswire/crypto/md5.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/detail/decimal.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/http_string.hpp>
#include <coswire/sign/verify.hpp>
#include <coswire/testing/emulator/options.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/time/http_date.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// The Host (none → 400 MissingHost; one other than the bucket's → 403 AccessDenied, unless
/// `other_host_served`: the caller serves it too) and the target (400 InvalidURI).
inline refusal check_host_and_target(const testing::emulator_options& options, const exchange& x, bool other_host_served = false) {
    const std::optional<std::string_view> host = x.header("Host");
    if (!host || host->empty()) return error_reply(x, 400, "MissingHost", "The request has no Host header.");
    if (!other_host_served && !iequals(*host, options.host))
        return error_reply(x, 403, "AccessDenied", "This endpoint serves only " + options.host + ".");
    if (!x.target_ok) return error_reply(x, 400, "InvalidURI", "Couldn't parse the specified URI.");
    return std::nullopt;
}

inline const credentials* find_credentials(const testing::emulator_options& options, std::string_view secret_id) noexcept {
    for (const credentials& c : options.accepted)
        if (c.secret_id == secret_id) return &c;
    return nullptr;
}

/// Whether the windows of a signature that verify_request found expired start after `now`, to
/// tell "too early" (a skewed client clock) from "too late". verify_request has already refused
/// every request in which this reading could differ from its own (several Authorization
/// headers, both forms).
inline bool signed_for_later(const signable_request& request, std::int64_t now) {
    std::optional<authorization_fields> fields;
    for (const header_field& h : request.headers)
        if (iequals(h.name, "Authorization"))
            if (auto parsed = parse_authorization(trim_blanks(h.value))) fields = std::move(*parsed);
    if (!fields)
        if (auto presigned = parse_presigned_query(request.params); presigned && *presigned) fields = std::move(**presigned);
    return fields && (now < fields->q_sign_time.start || now < fields->q_key_time.start);
}

/// 403 RequestTimeTooSkewed (`too_early`, counted in `faults.clock_skew`) or AccessDenied
/// "Request has expired", both with ServerTime.
inline http_response time_refusal(const exchange& x, bool too_early, testing::fault_counters& faults) {
    const std::array<error_field, 1> server_time{{{"ServerTime", format_iso8601(x.now)}}};
    if (!too_early) return error_reply(x, 403, "AccessDenied", "Request has expired", server_time);
    ++faults.clock_skew;
    return error_reply(x, 403, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large.",
                       server_time);
}

/// What follows a good signature by `creds`: the session `token` sent (header, query parameter
/// or form field) must be the credentials' own, and permanent credentials must send none (403
/// InvalidAccessKeyId); a key at or past its emulator_options::credential_expiry → 400 ExpiredToken.
inline refusal check_session(const testing::emulator_options& options, const credentials& creds, std::optional<std::string_view> token,
                             const exchange& x) {
    const std::string_view expected = creds.session_token.reveal();
    const bool token_ok = expected.empty() ? !token : (token && constant_time_equal(*token, expected));
    if (!token_ok)
        return error_reply(x, 403, "InvalidAccessKeyId",
                           expected.empty() ? "A security token was sent with permanent credentials."
                                            : "The security token is missing or does not match the SecretId.");
    // Checked once the signature and token hold, so only the key's holder learns it has expired;
    // ExpiredToken is COS's code for it (docs/protocol/errors.md#error-codes).
    if (const auto expiry = options.credential_expiry.find(creds.secret_id); expiry != options.credential_expiry.end() && x.now >= expiry->second)
        return error_reply(x, 400, "ExpiredToken", "The temporary credentials of this request have expired.");
    return std::nullopt;
}

/// The signature, the session token, the key's expiry (emulator_options::credential_expiry) and
/// a Date header more than 15 minutes off.
inline refusal authenticate(const testing::emulator_options& options, const exchange& x, testing::fault_counters& faults) {
    std::vector<query_param> params;
    for (const http_query_param& p : x.params)
        params.push_back({p.name, p.value ? std::optional<std::string_view>(*p.value) : std::nullopt});
    const signable_request signable{x.method, x.path, params, x.headers};
    const auto lookup = [&options](std::string_view id) -> const secret_string* {
        const credentials* c = find_credentials(options, id);
        return c != nullptr ? &c->secret_key : nullptr;
    };
    const result<verified_signature> verified = verify_request(signable, lookup, x.now, options.verify);
    if (!verified) {
        const error& e = verified.error();
        if (!e.service) return error_reply(x, 403, "AccessDenied", e.reason);
        const cos_error& s = *e.service;
        if (s.code == "AccessDenied" && s.message == "Request has expired") return time_refusal(x, signed_for_later(signable, x.now), faults);
        std::vector<error_field> extras;
        if (!s.string_to_sign.empty()) extras.push_back({"StringToSign", s.string_to_sign});
        if (!s.format_string.empty()) extras.push_back({"FormatString", s.format_string});
        return error_reply(x, s.http_status, s.code, s.message, extras);
    }
    const credentials* creds = find_credentials(options, verified->secret_id);
    if (creds == nullptr) return error_reply(x, 403, "AccessDenied", "The signature could not be read back.");
    std::optional<std::string_view> token = x.header("x-cos-security-token");
    if (const http_query_param* p = x.param("x-cos-security-token"); !token && p != nullptr)
        token = p->value ? std::string_view(*p->value) : std::string_view();
    if (refusal r = check_session(options, *creds, token, x)) return r;
    if (const auto date = x.header("Date"))
        if (const result<std::int64_t> sent = parse_http_date(*date)) {
            const std::int64_t now = clamp_time(x.now);
            if (*sent > now + 900 || *sent < now - 900) return time_refusal(x, true, faults);
        }
    return std::nullopt;
}

/// Every name the emulator acts on is read once (exchange::header / param take the first), so
/// a second copy would be a meaning the signature check never saw: refuses any repeated header
/// name (any case) or parameter name (any case, as names are signed).
inline refusal refuse_repeated_names(const exchange& x) {
    for (std::size_t i = 0; i < x.headers.size(); ++i)
        for (std::size_t j = i + 1; j < x.headers.size(); ++j)
            if (iequals(x.headers[i].name, x.headers[j].name))
                return error_reply(x, 400, "InvalidRequest", "The header " + std::string(x.headers[i].name) + " appears more than once.");
    for (std::size_t i = 0; i < x.params.size(); ++i)
        for (std::size_t j = i + 1; j < x.params.size(); ++j)
            if (iequals(x.params[i].name, x.params[j].name))
                return error_reply(x, 400, "InvalidRequest", "The parameter " + x.params[i].name + " appears more than once.");
    return std::nullopt;
}

/// The body against Content-Length (larger → 400 IncompleteBody, smaller → the body is cut to
/// it, docs/protocol/objects.md#put-object) and Content-MD5 (InvalidDigest, BadDigest).
inline refusal read_body(exchange& x) {
    if (const auto length_text = x.header("Content-Length")) {
        const auto length = parse_unsigned_decimal(*length_text);
        if (!length) return invalid_argument(x, "Content-Length is not a decimal number.");
        if (length.value > x.body.size())
            return error_reply(x, 400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");
        x.body = x.body.substr(0, static_cast<std::size_t>(length.value));
    }
    if (const auto md5_text = x.header("Content-MD5")) {
        const result<std::string> sent = base64_decode(*md5_text);
        if (!sent || sent->size() != 16) return error_reply(x, 400, "InvalidDigest", "The Content-MD5 you specified is not valid.");
        const md5_digest actual = md5_hash(x.body);
        if (!std::equal(actual.begin(), actual.end(), sent->begin(), [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }))
            return error_reply(x, 400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
    }
    return std::nullopt;
}

}  // namespace coswire::detail::emu
