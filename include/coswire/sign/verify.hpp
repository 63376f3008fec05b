// SPDX-License-Identifier: MIT
// The server side of q-sign-algorithm=sha1: parse an Authorization value or a presigned query,
// refuse what is ambiguous or oversized, recompute the signature from the request as received,
// compare in constant time, check the window, and say what the signature covered
// (docs/protocol/verification.md). For emulators and COS-compatible gateways.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/detail/decimal.hpp>
#include <coswire/detail/query.hpp>
#include <coswire/detail/redact.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/sign/authorization.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/http_string.hpp>
#include <coswire/sign/signer.hpp>
#include <coswire/time/key_time.hpp>

#include <array>
#include <concepts>
#include <initializer_list>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coswire {

/// The seven q-* fields of a signature, as a server reads them.
struct authorization_fields {
    std::string secret_id{};                 ///< q-ak
    key_time q_sign_time{};                  ///< q-sign-time (enters StringToSign)
    key_time q_key_time{};                   ///< q-key-time (derives SignKey)
    std::vector<std::string> header_list{};  ///< q-header-list, split at ';'
    std::vector<std::string> param_list{};   ///< q-url-param-list, split at ';'
    std::string signature{};                 ///< q-signature, 40 lower-case hex
};

/// The limits and the policy of verify_request.
struct verify_options {
    /// The longest q-sign-time / q-key-time window accepted, in seconds; 0 accepts any. COS
    /// accepts any window (its documentation signs until the year 3001), but a signature is a
    /// bearer credential: the bound limits how long a leaked URL stays useful. Seven days, the
    /// longest `coswire presign --expires` makes.
    std::int64_t max_window_seconds = 7 * 24 * 3600;
    /// COS checks only what the lists name, so whoever holds a presigned URL may add unsigned
    /// parameters (`response-content-type`) and headers (`x-cos-acl`). true refuses a request
    /// carrying any query parameter, or any x-cos-* / x-ci-* header, that the signature does not
    /// cover.
    bool refuse_unsigned = false;
    /// The longest signature text read (the Authorization value, or the presigned query's q-*
    /// values together); anything longer is refused before it is parsed.
    std::size_t max_signature_bytes = 16 * 1024;
    /// The most headers plus query parameters a request may have for its signature to be checked.
    std::size_t max_fields = 1024;
};

/// What a verified signature covered, so a gateway can tell what the holder of a presigned URL
/// could have added: only the names listed here were checked.
struct verified_signature {
    std::string secret_id{};                    ///< q-ak
    key_time q_sign_time{};                     ///< the window StringToSign carried
    key_time q_key_time{};                      ///< the window the sign key was derived for
    std::vector<std::string> signed_headers{};  ///< q-header-list: lower(enc(name)), each matched by exactly one header
    std::vector<std::string> signed_params{};   ///< q-url-param-list: the same for query parameters
    bool presigned = false;                   ///< read from the query, not from an Authorization header
};

namespace detail {

inline error access_denied(std::string code, std::string message, int status = 403) {
    error e = make_error(errc::service_error, "request", message);
    e.service = cos_error{.http_status = status, .code = std::move(code), .message = std::move(message)};
    return e;
}

inline result<key_time> parse_key_time(std::string_view text, std::string_view field) {
    const auto semi = text.find(';');
    // Unix seconds: digits only, no sign, within int64.
    auto number = [](std::string_view s) -> std::optional<std::int64_t> {
        const parsed_decimal<std::uint64_t> v = parse_unsigned_decimal(s, std::numeric_limits<std::int64_t>::max());
        if (!v) return std::nullopt;
        return static_cast<std::int64_t>(v.value);
    };
    if (semi == std::string_view::npos) return access_denied("AccessDenied", std::string(field) + " must be start;end");
    const auto start = number(text.substr(0, semi)), end = number(text.substr(semi + 1));
    if (!start || !end || *start > *end)
        return access_denied("AccessDenied", std::string(field) + " must be start;end in Unix seconds, start <= end");
    return key_time{*start, *end};
}

/// Splits a q-header-list / q-url-param-list at ';'. Empty entries are dropped; more than the
/// signer can produce, or one name twice, is refused: a name listed twice has no single meaning.
inline result<std::vector<std::string>> split_list(std::string_view list, std::string_view field) {
    std::vector<std::string> out;
    while (!list.empty()) {
        const auto semi = list.find(';');
        const std::string_view entry = list.substr(0, semi);
        if (!entry.empty()) {
            for (const std::string& seen : out)
                if (seen == entry) return access_denied("AccessDenied", std::string(field) + " lists " + std::string(entry.substr(0, 64)) + " twice");
            if (out.size() == max_signed_fields)
                return access_denied("AccessDenied", std::string(field) + " lists more than " + std::to_string(max_signed_fields) + " names");
            out.emplace_back(entry);
        }
        if (semi == std::string_view::npos) break;
        list.remove_prefix(semi + 1);
    }
    return out;
}

/// The seven fields of a signature, in the order COS writes them.
inline constexpr std::array<std::string_view, 7> signature_field_names = {
    "q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list", "q-signature"};

/// True for a query parameter that carries signature material rather than request meaning.
constexpr bool is_signature_param(std::string_view name) noexcept {
    if (name == "sign") return true;
    for (std::string_view field : signature_field_names)
        if (name == field) return true;
    return false;
}

/// Fills `out` from one decoded name/value pair; false for a name that is not a q-* field.
inline result<bool> take_field(authorization_fields& out, std::array<bool, 7>& seen, std::string_view name, std::string_view value) {
    std::size_t i = 0;
    while (i < signature_field_names.size() && signature_field_names[i] != name) ++i;
    if (i == signature_field_names.size()) return false;
    if (seen[i]) return access_denied("AccessDenied", std::string(name) + " appears twice");
    seen[i] = true;
    switch (i) {
        case 0:
            if (value != "sha1") return access_denied("AccessDenied", "q-sign-algorithm must be sha1");
            break;
        case 1: out.secret_id = std::string(value); break;
        case 2:
        case 3: {
            auto t = parse_key_time(value, name);
            if (!t) return std::move(t).error();
            (i == 2 ? out.q_sign_time : out.q_key_time) = *t;
            break;
        }
        case 4:
        case 5: {
            auto list = split_list(value, name);
            if (!list) return std::move(list).error();
            (i == 4 ? out.header_list : out.param_list) = std::move(*list);
            break;
        }
        default: out.signature = std::string(value); break;
    }
    return true;
}

inline result<authorization_fields> finish_fields(authorization_fields out, const std::array<bool, 7>& seen) {
    for (std::size_t i = 0; i < seen.size(); ++i)
        if (!seen[i]) return access_denied("AccessDenied", "the signature lacks " + std::string(signature_field_names[i]));
    return out;
}

/// Constant-time equality of two strings of public length: the time depends only on the
/// lengths, never on where they differ.
constexpr bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    unsigned diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned>(static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]));
    return diff == 0;
}

/// True when lower(enc(name)) is exactly `listed` (a q-header-list / q-url-param-list entry,
/// which is already in that form and so must not be encoded again).
constexpr bool signed_name_is(std::string_view name, std::string_view listed) noexcept {
    encoded_lower_name n(name);
    std::size_t i = 0;
    while (!n.done())
        if (i == listed.size() || n.next() != listed[i++]) return false;
    return i == listed.size();
}

inline bool is_listed(std::string_view name, const std::vector<std::string>& list) noexcept {
    for (const std::string& listed : list)
        if (signed_name_is(name, listed)) return true;
    return false;
}

/// The fields (headers or parameters) named by a signature's list, in list order. Each listed
/// name must match exactly one field: with two (`Range` twice, `uploadId` and `uploadid`) the
/// signature would vouch for one copy while whoever reads the request may act on the other.
template <class Field>
result<std::vector<Field>> select_listed(std::span<const Field> fields, const std::vector<std::string>& list,
                                         std::string_view what) {
    std::vector<Field> out;
    out.reserve(list.size());
    for (const std::string& name : list) {
        const Field* found = nullptr;
        for (const Field& f : fields) {
            if (!signed_name_is(f.name, name)) continue;
            if (found != nullptr)
                return access_denied("AccessDenied", std::string(what) + name + " appears more than once; a signed name must appear once");
            found = &f;
        }
        if (found == nullptr) return access_denied("SignatureDoesNotMatch", std::string(what) + name + " is missing");
        out.push_back(*found);
    }
    return out;
}

/// Under verify_options::refuse_unsigned: the first query parameter, or x-cos-* / x-ci-*
/// header, that the signature does not cover.
inline result<void> refuse_unsigned_fields(const signable_request& request, const verified_signature& covered) {
    for (const query_param& p : request.params)
        if (!is_signature_param(p.name) && !is_listed(p.name, covered.signed_params))
            return access_denied("AccessDenied", "the query parameter " + std::string(p.name.substr(0, 64)) + " is not signed");
    for (const header_field& h : request.headers)
        if ((istarts_with(h.name, "x-cos-") || istarts_with(h.name, "x-ci-")) && !is_listed(h.name, covered.signed_headers))
            return access_denied("AccessDenied", "the header " + std::string(h.name.substr(0, 64)) + " is not signed");
    return {};
}

}  // namespace detail

/// Parses an Authorization header value: seven name=value fields joined by '&', unencoded.
/// Errors: service_error AccessDenied (403) naming what is missing, repeated or malformed.
inline result<authorization_fields> parse_authorization(std::string_view value) {
    authorization_fields out;
    std::array<bool, 7> seen{};
    result<void> read = detail::for_each_query_item(value, [&](const detail::query_item& field) -> result<void> {
        if (!field.value) return detail::access_denied("AccessDenied", "Authorization field without '='");
        auto taken = detail::take_field(out, seen, field.name, *field.value);
        if (!taken) return std::move(taken).error();
        return {};
    });
    if (!read) return std::move(read).error();
    return detail::finish_fields(std::move(out), seen);
}

/// The signature of a presigned request, from its decoded query parameters: the seven q-*
/// parameters, or one `sign` parameter holding a whole Authorization value (Go's SignMerged,
/// the C++ SDK), never both and never `sign` twice. Returns nothing when the query carries no
/// signature.
inline result<std::optional<authorization_fields>> parse_presigned_query(std::span<const query_param> params) {
    authorization_fields out;
    std::array<bool, 7> seen{};
    bool any = false;
    const query_param* merged = nullptr;
    for (const query_param& p : params) {
        if (p.name == "sign") {
            if (merged != nullptr) return detail::access_denied("AccessDenied", "sign appears twice");
            merged = &p;
            continue;
        }
        auto taken = detail::take_field(out, seen, p.name, p.value.value_or(std::string_view{}));
        if (!taken) return std::move(taken).error();
        any = any || *taken;
    }
    if (merged != nullptr) {
        if (any) return detail::access_denied("AccessDenied", "the query carries both sign and q-* fields");
        auto fields = parse_authorization(merged->value.value_or(std::string_view{}));
        if (!fields) return std::move(fields).error();
        return std::optional<authorization_fields>(std::move(*fields));
    }
    if (!any) return std::optional<authorization_fields>();
    auto fields = detail::finish_fields(std::move(out), seen);
    if (!fields) return std::move(fields).error();
    return std::optional<authorization_fields>(std::move(*fields));
}

namespace detail {

/// Where a request's signature is: exactly one Authorization header, or the query, never both;
/// its size is checked before it is parsed.
inline result<std::optional<authorization_fields>> find_signature(const signable_request& request, const verify_options& options,
                                                                  bool& presigned) {
    const header_field* authorization = nullptr;
    for (const header_field& h : request.headers)
        if (iequals(h.name, "Authorization")) {
            if (authorization != nullptr) return access_denied("AccessDenied", "the request carries several Authorization headers");
            authorization = &h;
        }
    std::size_t query_bytes = 0;
    bool query_signed = false;
    for (const query_param& p : request.params)
        if (is_signature_param(p.name)) {
            query_signed = true;
            query_bytes += p.name.size() + p.value.value_or(std::string_view{}).size();
        }
    if (authorization != nullptr && query_signed)
        return access_denied("AccessDenied", "the request carries both an Authorization header and a signature in its query");
    const std::size_t signature_bytes = authorization != nullptr ? authorization->value.size() : query_bytes;
    if (signature_bytes > options.max_signature_bytes)
        return access_denied("AccessDenied", "the signature has " + std::to_string(signature_bytes) + " bytes, more than the " +
                                                 std::to_string(options.max_signature_bytes) + " this verifier reads");
    presigned = authorization == nullptr;
    if (presigned) return parse_presigned_query(request.params);
    auto fields = parse_authorization(trim_blanks(authorization->value));
    if (!fields) return std::move(fields).error();
    return std::optional<authorization_fields>(std::move(*fields));
}

}  // namespace detail

/// Finds the secret key of a SecretId; nullptr when the id is unknown.
template <class F>
concept secret_lookup = requires(F& f, std::string_view id) {
    { f(id) } -> std::convertible_to<const secret_string*>;
};

/// Verifies a request as the server received it: `request.path` and `request.params` decoded,
/// headers as sent. The signature comes from the one Authorization header or, without one, from
/// the presigned query. Only the listed headers and parameters are checked (as COS does), each
/// of which must appear exactly once; the q-* parameters and `sign` are never part of the signed
/// set. Returns what the signature covered. Errors (errc::service_error with the cos_error COS
/// would send): 403 AccessDenied (no, several, ambiguous or malformed signature; a signed name
/// repeated; more fields or signature bytes than `options` allow; a window longer than
/// options.max_window_seconds; an unsigned parameter or x-cos-* header under
/// options.refuse_unsigned; outside its window at `now`, message "Request has expired"), 403
/// InvalidAccessKeyId, 403 SignatureDoesNotMatch with StringToSign and FormatString (session
/// tokens shown as ***).
template <secret_lookup Lookup>
result<verified_signature> verify_request(const signable_request& request, Lookup&& lookup, std::int64_t now,
                                          const verify_options& options = {}) {
    if (request.headers.size() + request.params.size() > options.max_fields)
        return detail::access_denied("AccessDenied", "the request has " + std::to_string(request.headers.size() + request.params.size()) +
                                                         " headers and parameters, more than the " + std::to_string(options.max_fields) +
                                                         " this verifier checks");
    bool presigned = false;
    auto found = detail::find_signature(request, options, presigned);
    if (!found) return std::move(found).error();
    if (!*found) return detail::access_denied("AccessDenied", "the request carries no signature");
    authorization_fields& fields = **found;

    const secret_string* secret = lookup(std::string_view(fields.secret_id));
    if (secret == nullptr) return detail::access_denied("InvalidAccessKeyId", "The Access Key Id you provided does not exist.");

    // Gather exactly what the lists name; a listed field the request lacks cannot match.
    auto headers = detail::select_listed(request.headers, fields.header_list, "signed header ");
    if (!headers) return std::move(headers).error();
    auto params = detail::select_listed(request.params, fields.param_list, "signed parameter ");
    if (!params) return std::move(params).error();
    const std::vector<query_param>& selected_params = *params;
    const std::vector<header_field>& selected_headers = *headers;
    const signable_request selected{request.method, request.path, {selected_params.data(), selected_params.size()},
                                    {selected_headers.data(), selected_headers.size()}};
    auto canonical = canonicalize(selected, {.headers = header_selection::all});
    if (!canonical) return detail::access_denied("SignatureDoesNotMatch", canonical.error().reason);

    const string_to_sign_text sts(fields.q_sign_time, http_string_sha1(*canonical));
    const hex_sha1 expected = signature(sign_key(*secret, fields.q_key_time), sts.view());
    if (!detail::constant_time_equal(to_string_view(expected), fields.signature)) {
        error e = detail::access_denied("SignatureDoesNotMatch", "The Signature you specified is invalid.");
        e.service->string_to_sign = std::string(sts.view());
        e.service->format_string = detail::redact_tokens(http_string(*canonical));
        return e;
    }
    for (const key_time& t : {fields.q_sign_time, fields.q_key_time})
        if (options.max_window_seconds > 0 && t.end - t.start > options.max_window_seconds)
            return detail::access_denied("AccessDenied", "the signature is valid for " + std::to_string(t.end - t.start) +
                                                             " seconds, longer than the " + std::to_string(options.max_window_seconds) +
                                                             " this verifier accepts");
    const auto inside = [now](const key_time& t) { return t.start <= now && now <= t.end; };
    if (!inside(fields.q_sign_time) || !inside(fields.q_key_time)) return detail::access_denied("AccessDenied", "Request has expired");

    verified_signature covered{.secret_id = std::move(fields.secret_id),
                               .q_sign_time = fields.q_sign_time,
                               .q_key_time = fields.q_key_time,
                               .signed_headers = std::move(fields.header_list),
                               .signed_params = std::move(fields.param_list),
                               .presigned = presigned};
    if (options.refuse_unsigned)
        if (auto ok = detail::refuse_unsigned_fields(request, covered); !ok) return std::move(ok).error();
    return covered;
}

}  // namespace coswire
