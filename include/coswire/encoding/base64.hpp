// SPDX-License-Identifier: MIT
// Base64 with the standard alphabet and padding (RFC 4648 section 4), as Content-MD5 needs
// (docs/protocol/integrity.md#md5-and-content-md5).
#pragma once

#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

namespace coswire {

namespace detail {

inline constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Sextet value of each byte, -1 for bytes outside the alphabet (including '=').
constexpr std::array<std::int8_t, 256> make_base64_values() noexcept {
    std::array<std::int8_t, 256> values{};
    values.fill(-1);
    for (std::size_t i = 0; i < base64_alphabet.size(); ++i)
        values[static_cast<unsigned char>(base64_alphabet[i])] = static_cast<std::int8_t>(i);
    return values;
}

inline constexpr std::array<std::int8_t, 256> base64_values = make_base64_values();

/// Writes base64_encoded_size(in.size()) chars to `out`, which must have room for them.
constexpr void base64_encode_unchecked(std::span<const std::uint8_t> in, char* out) noexcept {
    const auto sextet = [](std::uint32_t group, int shift) { return base64_alphabet[(group >> shift) & 0x3Fu]; };
    std::size_t i = 0;
    for (; in.size() - i >= 3; i += 3) {
        const std::uint32_t group =
            (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | std::uint32_t{in[i + 2]};
        *out++ = sextet(group, 18);
        *out++ = sextet(group, 12);
        *out++ = sextet(group, 6);
        *out++ = sextet(group, 0);
    }
    // RFC 4648 section 4: a final group of 1 or 2 bytes is zero-filled to whole sextets and padded
    // with '=' to 4 characters.
    if (const std::size_t rest = in.size() - i; rest != 0) {
        const std::uint32_t group = (std::uint32_t{in[i]} << 16) | (rest == 2 ? std::uint32_t{in[i + 1]} << 8 : 0u);
        *out++ = sextet(group, 18);
        *out++ = sextet(group, 12);
        *out++ = rest == 2 ? sextet(group, 6) : '=';
        *out++ = '=';
    }
}

/// The error base64_decode reports for the character at `offset`; error::size carries the
/// offset too, so a response parser can relabel it as malformed_response.
inline error base64_char_error(std::size_t offset, std::string_view what) {
    error e = make_error(errc::invalid_argument, "base64_text",
                         "character at offset " + std::to_string(offset) + " " + std::string(what));
    e.size = offset;
    return e;
}

}  // namespace detail

/// Length of the padded base64 text for `n` bytes: 4·ceil(n/3). Exact for every size an object
/// can have; an `n` whose encoding would not fit in std::size_t gives SIZE_MAX.
constexpr std::size_t base64_encoded_size(std::size_t n) noexcept {
    const std::size_t groups = n / 3 + (n % 3 != 0 ? 1 : 0);
    return groups > std::numeric_limits<std::size_t>::max() / 4 ? std::numeric_limits<std::size_t>::max()
                                                                 : groups * 4;
}

/// Base64 of `data` (standard alphabet, '=' padding, no line breaks).
inline std::string base64_encode(std::span<const std::uint8_t> data) {
    std::string out(base64_encoded_size(data.size()), '\0');
    detail::base64_encode_unchecked(data, out.data());
    return out;
}

/// Base64 of raw bytes; same text as the std::uint8_t overload.
inline std::string base64_encode(std::span<const std::byte> data) {
    return base64_encode(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

/// Base64 of the bytes of `text`.
inline std::string base64_encode(std::string_view text) {
    return base64_encode(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

/// Base64 of `data` into `out`, for callers that must not allocate. Returns the number of chars
/// written, base64_encoded_size(data.size()). If `out` is shorter, writes nothing and fails with
/// buffer_too_small naming "out", error::size = the size needed; it never truncates.
inline result<std::size_t> base64_encode_to(std::span<const std::uint8_t> data, std::span<char> out) {
    const std::size_t needed = base64_encoded_size(data.size());
    if (out.size() < needed) {
        error e = make_error(errc::buffer_too_small, "out",
                             "needs " + std::to_string(needed) + " chars, has " + std::to_string(out.size()));
        e.size = needed;
        return e;
    }
    detail::base64_encode_unchecked(data, out.data());
    return needed;
}

/// Base64 of a fixed-size value without allocating, e.g. a 16-byte MD5 to the 24 chars of a
/// Content-MD5 header; works in constant expressions.
template <std::size_t N>
constexpr std::array<char, base64_encoded_size(N)> base64_encode(const std::array<std::uint8_t, N>& data) noexcept {
    std::array<char, base64_encoded_size(N)> out{};
    detail::base64_encode_unchecked(data, out.data());
    return out;
}

/// Decodes padded standard-alphabet base64 to its bytes. Strict, so each byte string has exactly
/// one accepted text: the length must be a multiple of 4; only A-Z a-z 0-9 + / are allowed, plus
/// one or two '=' that end the text; the unused low bits of the last character before the padding
/// must be zero (RFC 4648 section 3.5). No whitespace, line breaks or URL-safe alphabet.
/// Errors are invalid_argument naming "base64_text"; for a bad character the reason and
/// error::size give its offset.
inline result<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0)
        return make_error(errc::invalid_argument, "base64_text",
                          "length " + std::to_string(text.size()) + " is not a multiple of 4");
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
    const std::size_t data_chars = text.size() - pad;

    std::string out(text.size() / 4 * 3 - pad, '\0');
    std::size_t written = 0;
    std::uint32_t bits = 0;  // sextets not yet emitted as bytes, low `bit_count` bits
    int bit_count = 0;
    for (std::size_t i = 0; i < data_chars; ++i) {
        const std::int8_t v = detail::base64_values[static_cast<unsigned char>(text[i])];
        if (v < 0)
            return detail::base64_char_error(i, text[i] == '=' ? "is padding before the end of the text"
                                                               : "is not in the base64 alphabet");
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        bit_count += 6;
        if (bit_count >= 8) {
            bit_count -= 8;
            out[written++] = static_cast<char>((bits >> bit_count) & 0xFFu);
            bits &= (std::uint32_t{1} << bit_count) - 1;
        }
    }
    if (bits != 0)
        return detail::base64_char_error(data_chars - 1, "has non-zero bits that the padding discards");
    return out;
}

}  // namespace coswire
