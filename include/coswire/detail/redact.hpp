// SPDX-License-Identifier: MIT
// Redacting secrets out of canonical strings (HttpString, FormatString) before they are stored in
// an error or shown: a session token is a credential and an SSE-C key decrypts the object, and
// COS echoes both in its FormatString, since both are signed.
#pragma once

#include <coswire/detail/ascii.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace coswire::detail {

/// Whether a signed header carries an SSE-C key, of the object or of a copy source: its value is
/// as secret as the secret key, so explanations show "***".
constexpr bool is_sse_customer_key_field(std::string_view name) noexcept {
    return iequals(name, "x-cos-server-side-encryption-customer-key") ||
           iequals(name, "x-cos-copy-source-server-side-encryption-customer-key");
}

/// Replaces the value of every `x-cos-security-token=` / `x-ci-security-token=` pair and of
/// every SSE-C key pair (`...server-side-encryption-customer-key=`, which also matches the copy
/// source's) (names in any case, values up to the next '&' or newline) with "***". The key's
/// MD5 (`...-customer-key-md5=`) is left: it identifies the key without revealing it.
/// Idempotent, so a string that was redacted where it was stored compares equal with one
/// redacted again where it is diagnosed.
inline std::string redact_tokens(std::string_view s) {
    static constexpr std::array<std::string_view, 3> names = {"x-cos-security-token=", "x-ci-security-token=",
                                                              "server-side-encryption-customer-key="};
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t matched = 0;
        for (std::string_view name : names)
            if (s.size() - i >= name.size() && iequals(s.substr(i, name.size()), name)) matched = name.size();
        if (matched == 0) {
            out.push_back(s[i++]);
            continue;
        }
        out.append(s.substr(i, matched));
        i += matched;
        while (i < s.size() && s[i] != '&' && s[i] != '\n') ++i;
        out.append("***");
    }
    return out;
}

}  // namespace coswire::detail
