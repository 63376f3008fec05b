// SPDX-License-Identifier: MIT
// Diagnosing SignatureDoesNotMatch: the first difference between COS's own FormatString and
// StringToSign (docs/protocol/signing.md#what-the-server-does) and ours, with the likely cause.
#pragma once

#include <coswire/detail/redact.hpp>
#include <coswire/error.hpp>
#include <coswire/sign/authorization.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace coswire {

namespace detail {

/// Line `index` (0-based) of s, without its '\n'.
inline std::string_view line_of(std::string_view s, std::size_t index) {
    for (std::size_t i = 0; i < index; ++i) {
        const auto nl = s.find('\n');
        if (nl == std::string_view::npos) return {};
        s.remove_prefix(nl + 1);
    }
    return s.substr(0, s.find('\n'));
}

/// A window of `s` around `at`, marked where it is cut.
inline std::string excerpt(std::string_view s, std::size_t at) {
    const std::size_t from = at > 30 ? at - 30 : 0;
    std::string out = from > 0 ? "..." : "";
    out.append(s.substr(from, 60));
    if (from + 60 < s.size()) out += "...";
    return out;
}

/// The name=value pair of an HttpHeaders line that contains byte `at`.
inline std::string_view field_at(std::string_view line, std::size_t at) {
    const std::size_t amp = at == 0 ? std::string_view::npos : line.rfind('&', at - 1);
    return line.substr(amp == std::string_view::npos ? 0 : amp + 1);
}

inline std::string_view path_hint(std::string_view server, std::string_view ours, std::size_t at) {
    const char s = at < server.size() ? server[at] : '\0', o = at < ours.size() ? ours[at] : '\0';
    if (s == ' ' && o == '+')
        return "a '+' in the key reached COS as a space: a raw '+' in the request line is decoded as a "
               "space; send it as %2B (map_object_key's wire_path does)";
    if (s == '+' && o == ' ')
        return "a space in the key was sent as '+': send it as %20 (map_object_key's wire_path does)";
    if (s == '%')
        return "COS saw a percent-escape where the signed path has a raw character: the path was encoded "
               "twice, or the key was signed decoded but sent encoded differently";
    return "the path COS decoded from the request line differs from the signed path: sign \"/\" + the raw "
           "key and send map_object_key's wire_path";
}

}  // namespace detail

/// Explains a SignatureDoesNotMatch: compares the server's FormatString with our HttpString
/// line by line (method, path, parameters, headers), then the StringToSigns, and names the first
/// difference and its likely cause. `server` is the error's cos_error (error::service);
/// `ours` the explanation of the signature that was sent. Session tokens are redacted on both
/// sides; the result contains no secret.
inline std::string diagnose_signature_mismatch(const cos_error& server, const signed_parts& ours) {
    if (server.format_string.empty() && server.string_to_sign.empty())
        return "COS sent neither FormatString nor StringToSign, so the mismatch cannot be located; check the "
               "SecretKey and that every signed header is sent unchanged";
    static constexpr std::array<std::string_view, 4> line_names = {"method", "path", "parameters", "headers"};
    const std::string theirs = detail::redact_tokens(server.format_string);
    if (!theirs.empty() && theirs != ours.http_string) {
        for (std::size_t i = 0; i < line_names.size(); ++i) {
            const std::string_view a = detail::line_of(theirs, i), b = detail::line_of(ours.http_string, i);
            if (a == b) continue;
            std::size_t at = 0;
            while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
            std::string out = "HttpString differs in line " + std::to_string(i + 1) + " (" + std::string(line_names[i]) +
                              ") at byte " + std::to_string(at) + ":\n  COS:    " + detail::excerpt(a, at) +
                              "\n  signed: " + detail::excerpt(b, at) + "\n  likely cause: ";
            switch (i) {
                case 0: out += "the request was sent with a different method than the one signed"; break;
                case 1: out += detail::path_hint(a, b, at); break;
                case 2: out += "the query sent differs from the parameters signed (every parameter is signed, decoded once)"; break;
                default:
                    out += detail::field_at(a, at).starts_with("host=") || detail::field_at(b, at).starts_with("host=")
                               ? "the Host sent differs from the Host signed (sign exactly the Host header, with :port when not the default)"
                               : "a signed header was sent with a different value, or not at all (a proxy or HTTP stack may rewrite it)";
            }
            return out;
        }
        return "HttpString differs after its four lines (trailing content); COS: " + detail::excerpt(theirs, ours.http_string.size());
    }
    if (!server.string_to_sign.empty() && server.string_to_sign != ours.string_to_sign) {
        const std::string_view a = detail::line_of(server.string_to_sign, 1), b = detail::line_of(ours.string_to_sign, 1);
        if (a != b)
            return "StringToSign differs in the key time: COS used " + std::string(a) + ", we signed " + std::string(b) +
                   "; q-sign-time and q-key-time must both carry the signed window";
        return "HttpString matches but the StringToSign hash differs: COS hashed a different HttpString than it "
               "printed; compare the raw request line and headers";
    }
    return "COS computed the same HttpString and StringToSign as we did, so the signature differs only through "
           "the key: the SecretKey does not belong to this SecretId (q-ak), or the key was rotated";
}

}  // namespace coswire
