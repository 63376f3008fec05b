// SPDX-License-Identifier: MIT
// Locale-independent character classes and UTF-8 validation shared by every layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace coswire::detail {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

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

/// RFC 9110 tchar: the characters of a method or field name.
constexpr bool is_tchar(char c) noexcept {
    if (is_alpha(c) || is_digit(c)) return true;
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~': return true;
        default: return false;
    }
}

/// A non-empty RFC 9110 token (method, header name).
constexpr bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(c)) return false;
    return true;
}

/// Offset of the first byte that breaks UTF-8 well-formedness (RFC 3629: no overlongs, no
/// surrogates, nothing above U+10FFFF), or s.size() when the whole string is valid.
constexpr std::size_t utf8_error_offset(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<std::uint8_t>(s[i]);
        if (b0 < 0x80) { ++i; continue; }
        std::size_t len = 0;
        std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
        else if (b0 >= 0xE0 && b0 <= 0xEF) { len = 3; if (b0 == 0xE0) lo = 0xA0; if (b0 == 0xED) hi = 0x9F; }
        else if (b0 >= 0xF0 && b0 <= 0xF4) { len = 4; if (b0 == 0xF0) lo = 0x90; if (b0 == 0xF4) hi = 0x8F; }
        else return i;
        if (s.size() - i < len) return i;
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<std::uint8_t>(s[i + k]);
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return i;
        }
        i += len;
    }
    return s.size();
}

constexpr bool is_valid_utf8(std::string_view s) noexcept { return utf8_error_offset(s) == s.size(); }

/// Bytes that may never appear in a header value: CR, LF, NUL (and other controls but HTAB).
constexpr bool is_forbidden_in_field_value(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7F;
}

}  // namespace coswire::detail
