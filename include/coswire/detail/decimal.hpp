// SPDX-License-Identifier: MIT
// The one decimal-number reader of the library, its tools and examples: ASCII digits only (no
// locale, sign rules by the caller's choice), overflow checked, and a reason when it refuses.
#pragma once

#include <coswire/detail/ascii.hpp>

#include <cstdint>
#include <limits>
#include <string_view>

namespace coswire::detail {

/// Why a text is not a decimal number in range.
enum class decimal_fault {
    none,         ///< parsed
    empty,        ///< no digit at all ("" or a lone '-')
    not_decimal,  ///< a byte other than a digit (a sign where none is allowed, a blank, junk)
    out_of_range  ///< digits only, but the value is beyond the bounds asked (or 64 bits)
};

/// A parsed number, or why there is none (then `value` is 0).
template <class Number>
struct parsed_decimal {
    Number value = 0;
    decimal_fault fault = decimal_fault::none;

    constexpr explicit operator bool() const noexcept { return fault == decimal_fault::none; }
};

/// One or more ASCII digits and nothing else, at most `max`: no sign, blank, prefix or suffix.
/// Leading zeros are allowed ("007" is 7) and never overflow.
constexpr parsed_decimal<std::uint64_t> parse_unsigned_decimal(std::string_view text,
                                                        std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) noexcept {
    if (text.empty()) return {0, decimal_fault::empty};
    std::uint64_t v = 0;
    bool too_large = false;
    for (const char c : text) {
        if (!is_digit(c)) return {0, decimal_fault::not_decimal};
        const auto digit = static_cast<std::uint64_t>(c - '0');
        // Keep reading after an overflow: junk later in the text is the better reason.
        if (too_large || digit > max || v > (max - digit) / 10) {
            too_large = true;
            continue;
        }
        v = v * 10 + digit;
    }
    if (too_large) return {0, decimal_fault::out_of_range};
    return {v, decimal_fault::none};
}

/// An optional '-' then parse_unsigned_decimal's digits, from `min` to `max`. "+1" and " 1" are
/// refused; "-0" is 0.
constexpr parsed_decimal<std::int64_t> parse_signed_decimal(std::string_view text,
                                                     std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                                                     std::int64_t max = std::numeric_limits<std::int64_t>::max()) noexcept {
    const bool negative = text.starts_with('-');
    if (negative) text.remove_prefix(1);
    // The magnitude's bound: |min| for a negative number (computed without overflowing), max else.
    const std::uint64_t limit = negative ? (min >= 0 ? 0 : static_cast<std::uint64_t>(-(min + 1)) + 1)
                                         : (max < 0 ? 0 : static_cast<std::uint64_t>(max));
    const parsed_decimal<std::uint64_t> magnitude = parse_unsigned_decimal(text, limit);
    if (!magnitude) return {0, magnitude.fault};
    const std::int64_t value =
        negative ? (magnitude.value == 0 ? 0 : -static_cast<std::int64_t>(magnitude.value - 1) - 1) : static_cast<std::int64_t>(magnitude.value);
    if (value < min || value > max) return {0, decimal_fault::out_of_range};
    return {value, decimal_fault::none};
}

}  // namespace coswire::detail
