// SPDX-License-Identifier: MIT
// What the XML reader and writer agree on about characters: which bytes may start or continue a
// name, which code points a document may hold (checked over whole documents, eight or sixteen
// bytes at a time where they are plain ASCII), UTF-8 encoding of references, element names, and
// the error that carries a document offset.
#pragma once

#include <coswire/config.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#if COSWIRE_SSE2
#include <emmintrin.h>
#endif

namespace coswire::detail {

/// XML 1.0 section 2.3 S: space, tab, CR and LF; nothing else counts as whitespace.
constexpr bool is_xml_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/// Byte classes for the reader's scanners, so each byte costs one table load: name characters
/// (XML 1.0 section 2.3; every non-ASCII byte is accepted rather than checking the NameStartChar table:
/// COS names are ASCII, and the document is UTF-8-validated before any name is read, so these
/// bytes always form whole characters), the colon of a qualified name, and the bytes that end
/// a plain run of character data ('<', '&', CR, and ']' for the "]]>" check).
enum xml_byte_class : std::uint8_t {
    xml_name_start_byte = 1,
    xml_name_byte = 2,
    xml_colon_byte = 4,
    xml_text_stop_byte = 8,
    xml_space_byte = 16,
    xml_plain_name_byte = 32,  // a name byte other than ':'
};

inline constexpr std::array<std::uint8_t, 256> xml_byte_classes = [] {
    std::array<std::uint8_t, 256> table{};
    const auto add = [&table](int c, std::uint8_t bits) { table[static_cast<std::size_t>(c)] |= bits; };
    for (int c = 'A'; c <= 'Z'; ++c) add(c, xml_name_start_byte | xml_name_byte);
    for (int c = 'a'; c <= 'z'; ++c) add(c, xml_name_start_byte | xml_name_byte);
    for (int c = 0x80; c <= 0xFF; ++c) add(c, xml_name_start_byte | xml_name_byte);
    for (int c = '0'; c <= '9'; ++c) add(c, xml_name_byte);
    add('_', xml_name_start_byte | xml_name_byte);
    add(':', xml_name_start_byte | xml_name_byte | xml_colon_byte);
    add('-', xml_name_byte);
    add('.', xml_name_byte);
    for (char c : std::string_view("<&\r]")) add(static_cast<unsigned char>(c), xml_text_stop_byte);
    for (char c : std::string_view(" \t\r\n")) add(static_cast<unsigned char>(c), xml_space_byte);
    for (std::size_t c = 0; c < 256; ++c)
        if ((table[c] & xml_name_byte) != 0 && c != ':') table[c] |= xml_plain_name_byte;
    return table;
}();

constexpr std::uint8_t xml_byte_class(char c) noexcept { return xml_byte_classes[static_cast<unsigned char>(c)]; }

/// First character of an XML name (XML 1.0 section 2.3), with the non-ASCII leniency described above.
constexpr bool is_xml_name_start(char c) noexcept { return (xml_byte_class(c) & xml_name_start_byte) != 0; }

/// Any later character of an XML name (section 2.3), with the same non-ASCII leniency.
constexpr bool is_xml_name_char(char c) noexcept { return (xml_byte_class(c) & xml_name_byte) != 0; }

/// Per byte of w (see load_word8): 0x80 where the byte equals c, else 0. Exact: the sum
/// (b & 0x7F) + 0x7F never carries into the next byte.
constexpr std::uint64_t word8_bytes_equal(std::uint64_t w, char c) noexcept {
    const std::uint64_t x = w ^ (word8_ones * static_cast<unsigned char>(c));
    constexpr std::uint64_t low7 = ~word8_high_bits;
    return ~(((x & low7) + low7) | x) & word8_high_bits;
}

/// True when all eight bytes of w are ASCII XML characters: below 0x80, and no control byte
/// other than tab, LF and CR. For bytes below 0x80, b + 0x60 sets bit 7 exactly when b >= 0x20.
constexpr bool word8_is_xml_ascii(std::uint64_t w) noexcept {
    if ((w & word8_high_bits) != 0) return false;
    const std::uint64_t controls = ~(w + 0x60 * word8_ones) & word8_high_bits;
    if (controls == 0) return true;
    const std::uint64_t allowed = word8_bytes_equal(w, '\t') | word8_bytes_equal(w, '\n') | word8_bytes_equal(w, '\r');
    return (controls & ~allowed) == 0;
}

/// XML 1.0 section 2.2 Char: the code points a document may contain (no NUL, no C0 control other than
/// tab, LF and CR, no surrogate, no U+FFFE or U+FFFF, nothing above U+10FFFF).
constexpr bool is_xml_char(std::uint32_t cp) noexcept {
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/// Checks that s[i, until) starts with UTF-8 encoded XML Chars, one at a time after eight-byte
/// runs of ASCII without forbidden control bytes: true with i at or past `until` (the last
/// character may run past it) when they all are, false with i at the first offending byte.
constexpr bool check_xml_chars(std::string_view s, std::size_t& i, std::size_t until) noexcept {
    while (i < until) {
        if (s.size() - i >= 8 && word8_is_xml_ascii(load_word8(s.data() + i))) {
            i += 8;
            continue;
        }
        const auto b = static_cast<std::uint8_t>(s[i]);
        if (b < 0x80) {
            if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') return false;
            ++i;
            continue;
        }
        const std::size_t len = utf8_sequence_size(s, i);
        if (len == 0) return false;
        // U+FFFE and U+FFFF are EF BF BE and EF BF BF; a valid 0xEF lead has two more bytes.
        if (b == 0xEF && static_cast<std::uint8_t>(s[i + 1]) == 0xBF && (static_cast<std::uint8_t>(s[i + 2]) & 0xFE) == 0xBE)
            return false;
        i += len;
    }
    return true;
}

/// Offset of the first byte that does not belong to a UTF-8 encoded XML Char, or s.size() when
/// every byte does. The reader checks whole documents with it and the writer checks text, so
/// whatever the writer emits the reader accepts. One pass: blocks of ASCII without forbidden
/// control bytes are skipped sixteen (SSE2) or eight bytes at a time, anything else is checked
/// a character at a time.
constexpr std::size_t xml_text_error_offset(std::string_view s) noexcept {
    const std::size_t n = s.size();
    std::size_t i = 0;
#if COSWIRE_SSE2
    // A signed compare below 0x20 also flags every byte from 0x80 (negative as a signed char),
    // which check_xml_chars then checks as UTF-8. Tab, LF and CR are the bytes b with b | 4 == 13
    // (tab, CR) or b == 10. Two blocks share one mask test.
    if (!std::is_constant_evaluated()) {
        const auto bad_bytes = [](const char* p) noexcept {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            const __m128i allowed = _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(4)), _mm_set1_epi8('\r')),
                                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
            return _mm_andnot_si128(allowed, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
        };
        while (n - i >= 32) {
            if (_mm_movemask_epi8(_mm_or_si128(bad_bytes(s.data() + i), bad_bytes(s.data() + i + 16))) == 0) {
                i += 32;
            } else if (!check_xml_chars(s, i, i + 32)) {
                return i;
            }
        }
    }
#endif
    return check_xml_chars(s, i, n) ? n : i;
}

/// Writes the code point cp (at most U+10FFFF) as UTF-8 into out; returns the byte count, 1 to 4.
constexpr std::size_t encode_utf8(std::uint32_t cp, std::array<char, 4>& out) noexcept {
    if (cp < 0x80) {
        out[0] = static_cast<char>(cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = static_cast<char>(0xC0 | (cp >> 6));
        out[1] = static_cast<char>(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = static_cast<char>(0xE0 | (cp >> 12));
        out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out[2] = static_cast<char>(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = static_cast<char>(0xF0 | (cp >> 18));
    out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[3] = static_cast<char>(0x80 | (cp & 0x3F));
    return 4;
}

/// Upper-case hexadecimal of v with at least min_digits digits, for error texts ("U+D800").
inline std::string to_hex_upper(std::uint32_t v, std::size_t min_digits) {
    std::string out;
    do {
        out.insert(out.begin(), "0123456789ABCDEF"[v & 0xF]);
        v >>= 4;
    } while (v != 0 || out.size() < min_digits);
    return out;
}

/// An error about the document at byte `offset`: the offset goes both in error::size and, as
/// " at offset N", at the end of the reason, so logs that show only describe() keep it.
inline error xml_error(errc code, std::size_t offset, std::string what) {
    what += " at offset ";
    what += std::to_string(offset);
    error e = make_error(code, "document", std::move(what));
    e.size = offset;
    return e;
}

/// Value of c as a digit in base 16 (hex) or 10, or -1 when it is not one.
constexpr int xml_digit_value(char c, bool hex) noexcept {
    if (is_digit(c)) return c - '0';
    if (!hex) return -1;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Whether an element's local name is `expected`, a literal. What `name == "ETag"` means, but the
/// compare has a constant length the compiler expands inline, where string_view's == calls
/// memcmp for every candidate of the right size: a result parser tries a few per element, and
/// those calls were a tenth of a ListParts parse.
template <std::size_t N>
constexpr bool element_is(std::string_view name, const char (&expected)[N]) noexcept {
    return name.size() == N - 1 && std::char_traits<char>::compare(name.data(), expected, N - 1) == 0;
}

/// The local part of a qualified name: "cos:Key" -> "Key", "Key" -> "Key".
constexpr std::string_view local_name(std::string_view qname) noexcept {
    const std::size_t colon = qname.find(':');
    return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

// Reference ::= '&' Name ';' | '&#' [0-9]+ ';' | '&#x' [0-9a-fA-F]+ ';' (XML 1.0 section 4.1). Without
// a DTD the only entities are lt, gt, amp, quot and apos (section 4.6). Decodes the reference at
// doc[pos] (an '&') into out, returns its byte count and moves pos past the ';'.
inline result<std::size_t> xml_reference(std::string_view doc, std::size_t& pos, std::array<char, 4>& out) {
    const std::size_t start = pos;
    std::size_t p = pos + 1;
    if (p < doc.size() && doc[p] == '#') {
        ++p;
        const bool hex = p < doc.size() && doc[p] == 'x';
        if (hex) ++p;
        const std::size_t digits_at = p;
        std::uint32_t cp = 0;
        while (p < doc.size() && xml_digit_value(doc[p], hex) >= 0) {
            // Stopping as soon as the value passes U+10FFFF keeps cp * 16 + 15 far below 2^32.
            cp = cp * (hex ? 16u : 10u) + static_cast<std::uint32_t>(xml_digit_value(doc[p], hex));
            if (cp > 0x10FFFF)
                return xml_error(errc::malformed_response, start, "character reference beyond U+10FFFF");
            ++p;
        }
        if (p == digits_at || p == doc.size() || doc[p] != ';')
            return xml_error(errc::malformed_response, start, "malformed character reference (expected &#digits; or &#xhex;)");
        if (!is_xml_char(cp))
            return xml_error(errc::malformed_response, start,
                                     "character reference to U+" + to_hex_upper(cp, 4) + ", which XML 1.0 does not allow");
        pos = p + 1;
        return encode_utf8(cp, out);
    }
    // Entity names are read only as far as a short run of ASCII letters, which covers the five
    // predefined names and keeps the name quoted in the error text short.
    constexpr std::size_t longest_quoted_name = 32;
    const std::size_t name_at = p;
    while (p < doc.size() && is_alpha(doc[p]) && p - name_at < longest_quoted_name) ++p;
    if (p == name_at || p == doc.size() || doc[p] != ';')
        return xml_error(errc::malformed_response, start, "'&' must start a reference such as &amp; or &#38;");
    const std::string_view entity(doc.data() + name_at, p - name_at);
    // Dispatch on the first letter so each name is compared with one candidate at most.
    const auto is = [entity](std::string_view name) { return entity.size() == name.size() && entity == name; };
    if (entity[0] == 'q' && is("quot")) out[0] = '"';
    else if (entity[0] == 'a' && is("amp")) out[0] = '&';
    else if (entity[0] == 'l' && is("lt")) out[0] = '<';
    else if (entity[0] == 'g' && is("gt")) out[0] = '>';
    else if (entity[0] == 'a' && is("apos")) out[0] = '\'';
    else
        return xml_error(errc::malformed_response, start,
                                 "undefined entity &" + std::string(entity) + "; (only lt, gt, amp, quot and apos exist without a DTD)");
    pos = p + 1;
    return std::size_t{1};
}

}  // namespace coswire::detail
