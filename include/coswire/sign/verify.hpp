// SPDX-License-Identifier: MIT
// The server side of q-sign-algorithm=sha1: parse an Authorization value or a presigned query,
// recompute the signature from the request as received, compare in constant time, check the
// window (COS-PROTOCOL.md §1.11, §1.14, §1.15, §1.17). For emulators and COS-compatible gateways.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/sign/authorization.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/http_string.hpp>
#include <coswire/sign/signer.hpp>
#include <coswire/time/key_time.hpp>

#include <array>
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coswire {

/// The seven q-* fields of a signature, as a server reads them.
struct authorization_fields {
    std::string secret_id;                 ///< q-ak
    key_time q_sign_time;                  ///< q-sign-time (enters StringToSign)
    key_time q_key_time;                   ///< q-key-time (derives SignKey)
    std::vector<std::string> header_list;  ///< q-header-list, split at ';'
    std::vector<std::string> param_list;   ///< q-url-param-list, split at ';'
    std::string signature;                 ///< q-signature, 40 lower-case hex
};

namespace detail {

inline error access_denied(std::string code, std::string message, int status = 403) {
    error e = make_error(errc::service_error, "request", message);
    e.service = cos_error{status, std::move(code), std::move(message), {}, {}, {}, {}, {}, {}};
    return e;
}

inline result<key_time> parse_key_time(std::string_view text, std::string_view field) {
    const auto semi = text.find(';');
    auto number = [](std::string_view s) -> std::optional<std::int64_t> {
        if (s.empty() || s.size() > 18) return std::nullopt;
        std::int64_t v = 0;
        for (char c : s) {
            if (!is_digit(c)) return std::nullopt;
            v = v * 10 + (c - '0');
        }
        return v;
    };
    if (semi == std::string_view::npos) return access_denied("AccessDenied", std::string(field) + " must be start;end");
    const auto start = number(text.substr(0, semi)), end = number(text.substr(semi + 1));
    if (!start || !end || *start > *end)
        return access_denied("AccessDenied", std::string(field) + " must be start;end in Unix seconds, start <= end");
    return key_time{*start, *end};
}

inline std::vector<std::string> split_list(std::string_view list) {
    std::vector<std::string> out;
    while (!list.empty()) {
        const auto semi = list.find(';');
        out.emplace_back(list.substr(0, semi));
        if (semi == std::string_view::npos) break;
        list.remove_prefix(semi + 1);
    }
    return out;
}

/// The seven fields of a signature, in the order COS writes them.
inline constexpr std::array<std::string_view, 7> signature_field_names = {
    "q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list", "q-signature"};

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
        case 4: out.header_list = split_list(value); break;
        case 5: out.param_list = split_list(value); break;
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

/// The fields (headers or parameters) named by a signature's list, in list order.
template <class Field>
result<std::vector<Field>> select_listed(std::span<const Field> fields, const std::vector<std::string>& list,
                                         std::string_view what) {
    std::vector<Field> out;
    for (const std::string& name : list) {
        if (name.empty()) continue;
        const Field* found = nullptr;
        for (const Field& f : fields)
            if (signed_name_is(f.name, name)) found = &f;
        if (found == nullptr) return access_denied("SignatureDoesNotMatch", std::string(what) + name + " is missing");
        out.push_back(*found);
    }
    return out;
}

}  // namespace detail

/// Parses an Authorization header value: seven name=value fields joined by '&', unencoded.
/// Errors: service_error AccessDenied (403) naming what is missing or malformed.
inline result<authorization_fields> parse_authorization(std::string_view value) {
    authorization_fields out;
    std::array<bool, 7> seen{};
    while (!value.empty()) {
        const auto amp = value.find('&');
        const std::string_view pair = value.substr(0, amp);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) return detail::access_denied("AccessDenied", "Authorization field without '='");
        auto taken = detail::take_field(out, seen, pair.substr(0, eq), pair.substr(eq + 1));
        if (!taken) return std::move(taken).error();
        if (amp == std::string_view::npos) break;
        value.remove_prefix(amp + 1);
    }
    return detail::finish_fields(std::move(out), seen);
}

/// The signature of a presigned request, from its decoded query parameters: the seven q-*
/// parameters, or one `sign` parameter holding a whole Authorization value (Go's SignMerged,
/// the C++ SDK). Returns nothing when the query carries no signature.
inline result<std::optional<authorization_fields>> parse_presigned_query(std::span<const query_param> params) {
    authorization_fields out;
    std::array<bool, 7> seen{};
    bool any = false;
    for (const query_param& p : params) {
        const std::string_view value = p.value.value_or(std::string_view{});
        if (p.name == "sign") {
            auto merged = parse_authorization(value);
            if (!merged) return std::move(merged).error();
            return std::optional<authorization_fields>(std::move(*merged));
        }
        auto taken = detail::take_field(out, seen, p.name, value);
        if (!taken) return std::move(taken).error();
        any = any || *taken;
    }
    if (!any) return std::optional<authorization_fields>();
    auto fields = detail::finish_fields(std::move(out), seen);
    if (!fields) return std::move(fields).error();
    return std::optional<authorization_fields>(std::move(*fields));
}

/// Finds the secret key of a SecretId; nullptr when the id is unknown.
template <class F>
concept secret_lookup = requires(F& f, std::string_view id) {
    { f(id) } -> std::convertible_to<const secret_string*>;
};

/// Verifies a request as the server received it: `request.path` and `request.params` decoded,
/// headers as sent. The signature comes from the Authorization header or, without one, from the
/// presigned query. Only the listed headers and parameters are checked (as COS does); the
/// q-* parameters and `sign` are never part of the signed set. Errors (errc::service_error with
/// the cos_error COS would send): 403 AccessDenied (no or malformed signature, or outside its
/// window at `now`, message "Request has expired"), 403 InvalidAccessKeyId, 403
/// SignatureDoesNotMatch with StringToSign and FormatString (session tokens shown as ***).
template <secret_lookup Lookup>
result<void> verify_request(const signable_request& request, Lookup&& lookup, std::int64_t now) {
    std::optional<authorization_fields> fields;
    for (const header_field& h : request.headers)
        if (detail::iequals(h.name, "Authorization")) {
            auto parsed = parse_authorization(detail::trim_blanks(h.value));
            if (!parsed) return std::move(parsed).error();
            fields = std::move(*parsed);
        }
    if (!fields) {
        auto presigned = parse_presigned_query(request.params);
        if (!presigned) return std::move(presigned).error();
        fields = std::move(*presigned);
    }
    if (!fields) return detail::access_denied("AccessDenied", "the request carries no signature");

    const secret_string* secret = lookup(std::string_view(fields->secret_id));
    if (secret == nullptr) return detail::access_denied("InvalidAccessKeyId", "The Access Key Id you provided does not exist.");

    // Gather exactly what the lists name; a listed field the request lacks cannot match.
    auto headers = detail::select_listed(request.headers, fields->header_list, "signed header ");
    if (!headers) return std::move(headers).error();
    auto params = detail::select_listed(request.params, fields->param_list, "signed parameter ");
    if (!params) return std::move(params).error();
    const std::vector<query_param>& selected_params = *params;
    const std::vector<header_field>& selected_headers = *headers;
    const signable_request selected{request.method, request.path, {selected_params.data(), selected_params.size()},
                                    {selected_headers.data(), selected_headers.size()}};
    auto canonical = canonicalize(selected, {header_selection::all, {}});
    if (!canonical) return detail::access_denied("SignatureDoesNotMatch", canonical.error().reason);

    const string_to_sign_text sts(fields->q_sign_time, http_string_sha1(*canonical));
    const hex_sha1 expected = signature(sign_key(*secret, fields->q_key_time), sts.view());
    if (!detail::constant_time_equal(to_string_view(expected), fields->signature)) {
        error e = detail::access_denied("SignatureDoesNotMatch", "The Signature you specified is invalid.");
        e.service->string_to_sign = std::string(sts.view());
        e.service->format_string = http_string(*canonical);
        return e;
    }
    const auto inside = [now](const key_time& t) { return t.start <= now && now <= t.end; };
    if (!inside(fields->q_sign_time) || !inside(fields->q_key_time)) return detail::access_denied("AccessDenied", "Request has expired");
    return {};
}

}  // namespace coswire
