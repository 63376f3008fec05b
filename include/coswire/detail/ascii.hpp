// SPDX-License-Identifier: MIT
// Locale-independent character classes and UTF-8 validation shared by every layer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace coswire::detail {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

/// Copies n chars from `from` to `out` (the ranges must not overlap) and returns out + n. This is
/// std::copy without <algorithm>, whose C++20 ranges half costs every includer compile time;
/// usable in constant expressions, a memcpy at run time.
constexpr char* copy_chars(const char* from, std::size_t n, char* out) noexcept {
    std::char_traits<char>::copy(out, from, n);
    return out + n;
}

/// Value of a hex digit of either case, or -1.
constexpr int hex_digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// ASCII case-insensitive equality (HTTP field names).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    return true;
}

/// ASCII case-insensitive prefix test.
constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

/// RFC 9110 tchar: the characters of a method or field name, indexed by byte value so a name
/// is checked with one load per byte.
inline constexpr std::array<bool, 256> tchar_table = [] {
    std::array<bool, 256> table{};
    for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
    return table;
}();

/// RFC 9110 tchar: the characters of a method or field name.
constexpr bool is_tchar(char c) noexcept { return tchar_table[static_cast<unsigned char>(c)]; }

/// A non-empty RFC 9110 token (method, header name).
constexpr bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(c)) return false;
    return true;
}

/// Length of the well-formed UTF-8 sequence that starts with the non-ASCII byte at s[i], or 0
/// when none does (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
constexpr std::size_t utf8_sequence_size(std::string_view s, std::size_t i) noexcept {
    const auto b0 = static_cast<std::uint8_t>(s[i]);
    std::size_t len = 0;
    std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
    else if (b0 >= 0xE0 && b0 <= 0xEF) { len = 3; if (b0 == 0xE0) lo = 0xA0; if (b0 == 0xED) hi = 0x9F; }
    else if (b0 >= 0xF0 && b0 <= 0xF4) { len = 4; if (b0 == 0xF0) lo = 0x90; if (b0 == 0xF4) hi = 0x8F; }
    else return 0;
    if (s.size() - i < len) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<std::uint8_t>(s[i + k]);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
    }
    return len;
}

/// The eight bytes at p as one word. Only ever tested for "does any byte ...", so the byte
/// order does not matter: the question has the same answer on little- and big-endian hosts.
/// memcpy is the portable unaligned load; it needs only std::uint64_t, so 32-bit hosts work too.
constexpr std::uint64_t load_word8(const char* p) noexcept {
    std::uint64_t w = 0;
    if (std::is_constant_evaluated()) {
        for (int k = 0; k < 8; ++k) w |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[k])) << (8 * k);
    } else {
        std::memcpy(&w, p, sizeof w);
    }
    return w;
}

inline constexpr std::uint64_t word8_ones = 0x0101010101010101u;
inline constexpr std::uint64_t word8_high_bits = 0x8080808080808080u;

/// True when all eight bytes of `w` are ASCII (below 0x80).
constexpr bool word8_is_ascii(std::uint64_t w) noexcept { return (w & word8_high_bits) == 0; }

/// True when all eight bytes of `w` are printable ASCII, 0x20..0x7E. For bytes below 0x80,
/// b + 0x60 sets bit 7 exactly when b >= 0x20, and b + 0x01 exactly when b == 0x7F; neither sum
/// passes 0xFF, so no carry crosses into the next byte and the test is exact.
constexpr bool word8_is_printable_ascii(std::uint64_t w) noexcept {
    return (w & word8_high_bits) == 0 && ((w + 0x60 * word8_ones) & word8_high_bits) == word8_high_bits &&
           ((w + word8_ones) & word8_high_bits) == 0;
}

/// Offset of the first byte that breaks UTF-8 well-formedness (RFC 3629: no overlongs, no
/// surrogates, nothing above U+10FFFF), or s.size() when the whole string is valid. ASCII runs
/// are skipped eight bytes at a time.
constexpr std::size_t utf8_error_offset(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        if (s.size() - i >= 8 && word8_is_ascii(load_word8(s.data() + i))) {
            i += 8;
            continue;
        }
        if (static_cast<std::uint8_t>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t len = utf8_sequence_size(s, i);
        if (len == 0) return i;
        i += len;
    }
    return s.size();
}

/// Which control bytes (below 0x20, and DEL) a piece of text may hold.
enum class control_bytes {
    allowed,             ///< any (query parameters: they are percent-encoded on the wire)
    forbidden,           ///< none (the path)
    forbidden_but_htab,  ///< none but HTAB (header values, RFC 9110 section 5.5)
};

/// What scan_text found: offsets of the first forbidden control byte and of the first byte that
/// breaks UTF-8, each s.size() when there is none.
struct text_scan {
    std::size_t control;
    std::size_t utf8_error;
};

/// One pass over `s` that answers both utf8_error_offset(s) and "where is the first forbidden
/// control byte" (control bytes are ASCII, so they never sit inside a multi-byte sequence).
/// Printable ASCII is skipped eight bytes at a time. When a forbidden control byte is found
/// the scan stops there; utf8_error is then exact only if it is below `control`.
constexpr text_scan scan_text(std::string_view s, control_bytes controls) noexcept {
    const std::size_t n = s.size();
    std::size_t utf8_error = n;
    std::size_t i = 0;
    const auto plain = [controls](std::uint64_t w) {
        return controls == control_bytes::allowed ? word8_is_ascii(w) : word8_is_printable_ascii(w);
    };
    while (i < n) {
        // Eight plain bytes are skipped at once (the last ones as the final, overlapping word);
        // otherwise those eight go through the exact byte-by-byte checks.
        std::size_t limit = n;
        if (n - i >= 8) {
            if (plain(load_word8(s.data() + i))) {
                i += 8;
                continue;
            }
            limit = i + 8;
        } else if (n >= 8 && plain(load_word8(s.data() + n - 8))) {
            break;
        }
        while (i < limit) {  // a UTF-8 sequence may end past `limit`
            const auto b = static_cast<std::uint8_t>(s[i]);
            if (b < 0x80) {
                const bool control = b < 0x20 || b == 0x7F;
                if (control && controls != control_bytes::allowed &&
                    !(b == '\t' && controls == control_bytes::forbidden_but_htab))
                    return {i, utf8_error};
                ++i;
                continue;
            }
            if (utf8_error != n) {  // past the first UTF-8 error only control bytes still matter
                ++i;
                continue;
            }
            const std::size_t len = utf8_sequence_size(s, i);
            if (len == 0) {
                utf8_error = i;
                ++i;
            } else {
                i += len;
            }
        }
    }
    return {n, utf8_error};
}

constexpr bool is_valid_utf8(std::string_view s) noexcept { return utf8_error_offset(s) == s.size(); }

/// Bytes that may never appear in a header value: CR, LF, NUL (and other controls but HTAB).
constexpr bool is_forbidden_in_field_value(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7F;
}

}  // namespace coswire::detail
