// SPDX-License-Identifier: MIT
// Redacting session tokens out of canonical strings (HttpString, FormatString) before they are
// stored in an error or shown: a token is a credential, and COS echoes it in its FormatString.
#pragma once

#include <coswire/detail/ascii.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace coswire::detail {

/// Replaces the value of every `x-cos-security-token=` / `x-ci-security-token=` pair (names in
/// any case, values up to the next '&' or newline) with "***". Idempotent, so a string that was
/// redacted where it was stored compares equal with one redacted again where it is diagnosed.
inline std::string redact_tokens(std::string_view s) {
    static constexpr std::array<std::string_view, 2> names = {"x-cos-security-token=", "x-ci-security-token="};
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
