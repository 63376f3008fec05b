// SPDX-License-Identifier: MIT
// The COS signing percent-encoder `enc` and its strict decoder
// (docs/protocol/signing.md#percent-encoding, docs/protocol/encoding-type.md#decoding).
#pragma once

#include <coswire/config.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <array>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <string_view>

namespace coswire {

namespace detail {

/// true for the RFC 3986 unreserved bytes that enc leaves as they are; indexed by byte value so
/// the encoder's inner loop is one load per byte.
inline constexpr std::array<bool, 256> unreserved_table = [] {
    std::array<bool, 256> table{};
    for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (char c : std::string_view("-_.~")) table[static_cast<unsigned char>(c)] = true;
    return table;
}();

/// enc writes escapes with upper-case hex digits (docs/protocol/signing.md#percent-encoding).
inline constexpr std::string_view upper_hex_digits = "0123456789ABCDEF";

/// Writes the three bytes `%XX` for byte `c`; returns the end.
constexpr char* write_percent_escape(char c, char* out) noexcept {
    const auto b = static_cast<unsigned char>(c);
    out[0] = '%';
    out[1] = upper_hex_digits[b >> 4];
    out[2] = upper_hex_digits[b & 0x0F];
    return out + 3;
}

}  // namespace detail

/// true when `c` is in the unreserved set `A-Z a-z 0-9 - _ . ~`, which `enc` never escapes.
constexpr bool is_unreserved(char c) noexcept {
    return detail::unreserved_table[static_cast<unsigned char>(c)];
}

/// Length of percent_encode(s): one byte per unreserved byte, three per other byte. Saturates at
/// SIZE_MAX when the true length does not fit in std::size_t (possible only with a 32-bit
/// size_t), so a size check against it fails instead of wrapping.
constexpr std::size_t percent_encoded_size(std::string_view s) noexcept {
    std::size_t escaped = 0;
    for (char c : s) escaped += is_unreserved(c) ? 0 : 1;
    constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
    if (escaped > (max - s.size()) / 2) return max;
    return s.size() + 2 * escaped;
}

/// Writes enc(s) (docs/protocol/signing.md#percent-encoding) at `out` and returns one past the last
/// byte written: each unreserved byte as it is, every other byte as `%XX`. Byte-wise: `s` need not
/// be UTF-8. Precondition (unchecked): `out` has room for percent_encoded_size(s) bytes.
constexpr char* percent_encode_unchecked(std::string_view s, char* out) noexcept {
    for (char c : s) {
        if (is_unreserved(c)) *out++ = c;
        else out = detail::write_percent_escape(c, out);
    }
    return out;
}

/// Appends enc(s) (docs/protocol/signing.md#percent-encoding) to `out` with a single allocation.
/// Byte-wise: `s` need not be UTF-8. A result longer than out.max_size() is a resource failure like
/// running out of memory, and trips COSWIRE_ASSERT rather than truncating.
inline void percent_encode_append(std::string& out, std::string_view s) {
    const std::size_t old_size = out.size();
    const std::size_t added = percent_encoded_size(s);
    COSWIRE_ASSERT(added <= out.max_size() - old_size);
    out.resize(old_size + added);
    percent_encode_unchecked(s, out.data() + old_size);
}

/// enc(s) (docs/protocol/signing.md#percent-encoding): `A-Z a-z 0-9 - _ . ~` unchanged, every other
/// byte `%XX` with upper-case hex (space → `%20`, `/` → `%2F`, `+` → `%2B`). Byte-wise: `s` need not be
/// UTF-8.
inline std::string percent_encode(std::string_view s) {
    std::string out;
    percent_encode_append(out, s);
    return out;
}

/// Writes enc(s) into `out` and returns the number of bytes written. Errors: buffer_too_small
/// (argument "out", error.size = the bytes needed) when `out` is shorter than
/// percent_encoded_size(s); nothing past out.size() is ever written.
inline result<std::size_t> percent_encode_to(std::string_view s, std::span<char> out) {
    const std::size_t needed = percent_encoded_size(s);
    if (needed > out.size()) {
        error e = make_error(errc::buffer_too_small, "out",
                             "needs " + std::to_string(needed) + " bytes, got " + std::to_string(out.size()));
        e.size = needed;
        return e;
    }
    percent_encode_unchecked(s, out.data());
    return needed;
}

/// Strict percent-decoding, the inverse of percent_encode and of COS's `encoding-type=url`
/// fields (docs/protocol/encoding-type.md#decoding): each `%` must be followed by two hex digits
/// (either case); every other byte, `+` included, is copied as it is (a `+` is never a space here). The
/// decoded bytes are not checked for UTF-8 and may contain NUL. Errors: invalid_argument naming
/// `argument`, with the offset of the bad `%` in the reason and in error.size.
inline result<std::string> percent_decode(std::string_view s, std::string_view argument = "encoded_text") {
    std::string out;
    out.reserve(s.size());  // decoding never lengthens
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t found = s.find('%', i);
        const std::size_t percent = found == std::string_view::npos ? s.size() : found;
        out.append(s.substr(i, percent - i));
        if (percent == s.size()) break;
        const int hi = percent + 1 < s.size() ? detail::hex_digit_value(s[percent + 1]) : -1;
        const int lo = percent + 2 < s.size() ? detail::hex_digit_value(s[percent + 2]) : -1;
        if (hi < 0 || lo < 0) {
            error e = make_error(errc::invalid_argument, argument,
                                 "'%' at offset " + std::to_string(percent) + " is not followed by two hex digits");
            e.size = percent;
            return e;
        }
        out += static_cast<char>(hi * 16 + lo);
        i = percent + 3;
    }
    return out;
}

}  // namespace coswire
