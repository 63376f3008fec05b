// SPDX-License-Identifier: MIT
// SIZE arguments of the coswire CLI: plain bytes or a binary suffix (512K, 16M, 1G, 1T), and the
// same suffixes on the way out (--human listings).
#pragma once

#include <coswire/detail/decimal.hpp>

#include <cstdint>
#include <optional>
#include <string>
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

/// `bytes` for a person, as `ls -h` prints sizes: below 1024 the plain number, else the largest
/// binary unit (K, M, G, T, P, E) that leaves at least 1, with one decimal below 10 ("1.5M") and
/// none from 10 on ("15M"), rounded to the nearest. A value that rounds up to 1024 of one unit is
/// shown in the next ("1.0M", never "1024K"). Integer arithmetic only, exact up to 2^64-1.
inline std::string human_size(std::uint64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes);
    static constexpr char units[] = "KMGTPE";
    unsigned shift = 10;
    while (shift < 60 && (bytes >> (shift + 10)) != 0) shift += 10;
    for (;; shift += 10) {
        const std::uint64_t whole = bytes >> shift;
        const std::uint64_t rest = bytes & ((std::uint64_t{1} << shift) - 1);  // below 2^60, so rest * 10 fits
        const std::uint64_t half = std::uint64_t{1} << (shift - 1);
        const char unit = units[shift / 10 - 1];
        if (whole < 10) {
            const std::uint64_t tenths = whole * 10 + (rest * 10 + half) / (std::uint64_t{1} << shift);
            if (tenths < 100) return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + unit;
            return "10" + std::string(1, unit);
        }
        const std::uint64_t rounded = whole + (rest >= half ? 1 : 0);
        if (rounded < 1024 || shift == 60) return std::to_string(rounded) + unit;
        // 1023.5 or more of this unit: 1.0 of the next (the loop's next round says so)
    }
}

}  // namespace cli
