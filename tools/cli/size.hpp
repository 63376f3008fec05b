// SPDX-License-Identifier: MIT
// SIZE arguments of the coswire CLI: plain bytes or a binary suffix (512K, 16M, 1G, 1T).
#pragma once

#include <coswire/detail/decimal.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace cli {

/// `text` as a byte count: decimal digits, optionally followed by one of K, M, G, T (either
/// case), each a power of 1024 (16M = 16 MiB), as coscli and curl's --limit-rate read them.
/// nullopt for anything else: no digits, another suffix, a sign, blanks, or a value past 2^64-1.
inline std::optional<std::uint64_t> parse_size(std::string_view text) {
    unsigned shift = 0;
    if (!text.empty()) {
        switch (text.back()) {
            case 'k': case 'K': shift = 10; break;
            case 'm': case 'M': shift = 20; break;
            case 'g': case 'G': shift = 30; break;
            case 't': case 'T': shift = 40; break;
            default: break;
        }
        if (shift != 0) text.remove_suffix(1);
    }
    if (text.size() > 20) return std::nullopt;  // longer than 2^64-1 is written, even with zeros in front
    const auto value = coswire::detail::parse_unsigned_decimal(text, UINT64_MAX >> shift);
    if (!value) return std::nullopt;
    return value.value << shift;
}

}  // namespace cli
