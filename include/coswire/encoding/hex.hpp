// SPDX-License-Identifier: MIT
// Lower-case hexadecimal text for digests and ETags, and a strict decoder
// (docs/protocol/signing.md#sign-key, docs/protocol/integrity.md#etag).
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coswire {

namespace detail {

/// Decodes text.size() / 2 bytes into `out`, which must have room for them; `text` has even
/// length. Returns the offset of the first character that is not a hex digit, or text.size().
constexpr std::size_t decode_hex_unchecked(std::string_view text, std::uint8_t* out) noexcept {
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int hi = hex_digit_value(text[i]);
        if (hi < 0) return i;
        const int lo = hex_digit_value(text[i + 1]);
        if (lo < 0) return i + 1;
        out[i / 2] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return text.size();
}

/// The error every hex decoder reports for a character that is not a hex digit; error::size
/// carries the offset too, so a response parser can relabel it as malformed_response.
inline error hex_digit_error(std::size_t offset) {
    error e = make_error(errc::invalid_argument, "hex_text",
                         "character at offset " + std::to_string(offset) + " is not a hex digit");
    e.size = offset;
    return e;
}

}  // namespace detail

/// Writes the lower-case hex of `in` to out[0 .. 2·in.size()). Precondition: `out` points to at
/// least 2·in.size() writable chars; nothing else is written and no terminator is added.
constexpr void to_hex_into(std::span<const std::uint8_t> in, char* out) noexcept {
    constexpr std::string_view digits = "0123456789abcdef";
    // Both digits of a byte are looked up before either is stored: a char store may alias the
    // input, and storing in between would force the compiler to reload it.
    for (const std::uint8_t b : in) {
        const char hi = digits[b >> 4], lo = digits[b & 0x0Fu];
        out[0] = hi;
        out[1] = lo;
        out += 2;
    }
}

/// Lower-case hex of a fixed-size digest, e.g. a 20-byte SHA-1 to 40 chars; allocates nothing and
/// works in constant expressions. View it with to_string_view().
template <std::size_t N>
constexpr std::array<char, 2 * N> to_hex(const std::array<std::uint8_t, N>& bytes) noexcept {
    std::array<char, 2 * N> out;  // to_hex_into writes every char, so no zeroing first
    to_hex_into(bytes, out.data());
    return out;
}

/// Lower-case hex of `bytes` as a string of 2·bytes.size() chars.
inline std::string to_hex(std::span<const std::uint8_t> bytes) {
    std::string out(2 * bytes.size(), '\0');
    to_hex_into(bytes, out.data());
    return out;
}

/// Lower-case hex of raw bytes; same text as the std::uint8_t overload.
inline std::string to_hex(std::span<const std::byte> bytes) {
    return to_hex(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

/// Views a fixed-size char array (such as to_hex's result) as text; the view borrows `chars`.
template <std::size_t N>
constexpr std::string_view to_string_view(const std::array<char, N>& chars) noexcept {
    return std::string_view(chars.data(), N);
}

/// Decodes hex text, either case, to bytes. Strict: the length must be even and every character
/// a hex digit; no prefix, whitespace or separators. Errors are invalid_argument naming
/// "hex_text"; for a bad character the reason and error::size give its offset.
inline result<std::vector<std::uint8_t>> from_hex(std::string_view text) {
    if (text.size() % 2 != 0)
        return make_error(errc::invalid_argument, "hex_text",
                          "length " + std::to_string(text.size()) + " is odd; hex needs two digits per byte");
    std::vector<std::uint8_t> out(text.size() / 2);
    if (const std::size_t bad = detail::decode_hex_unchecked(text, out.data()); bad != text.size())
        return detail::hex_digit_error(bad);
    return out;
}

/// Decodes exactly 2·N hex digits, either case, to N bytes, e.g. a 32-digit MD5 ETag to 16 bytes.
/// Errors (invalid_argument, "hex_text"): any other length, or a character that is not a hex
/// digit (offset in the reason and in error::size). Not constexpr because result<T> is not a
/// literal type.
template <std::size_t N>
result<std::array<std::uint8_t, N>> from_hex_array(std::string_view text) {
    if (text.size() != 2 * N)
        return make_error(errc::invalid_argument, "hex_text",
                          "expected " + std::to_string(2 * N) + " hex digits, got " + std::to_string(text.size()));
    std::array<std::uint8_t, N> out{};
    if (const std::size_t bad = detail::decode_hex_unchecked(text, out.data()); bad != text.size())
        return detail::hex_digit_error(bad);
    return out;
}

}  // namespace coswire
