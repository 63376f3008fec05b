// SPDX-License-Identifier: MIT
// The XML reader's fast scanning, each routine next to the plain loop it must agree with: the
// end of a run of plain character data, of layout whitespace, of a simple start tag's name, the
// compare of an end tag's name, and the decoding of character data with references. The fast
// ones are always inlined, as they were when they lived inside the reader: called out of line,
// g++ 12 left the ListParts walk 18 % slower. The reader calls the fast ones where COS bodies spend their
// time; tests/xml/scan_test.cpp holds each equal to its plain twin on every input it generates.
#pragma once

#include <coswire/config.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/characters.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if COSWIRE_SSE2
#include <emmintrin.h>
#endif

namespace coswire::detail {

/// End of the plain character data of doc starting at `from`: the first '<', '&', CR or ']'
/// (xml_text_stop_byte), or doc.size(). One byte at a time.
constexpr std::size_t xml_plain_run_end_bytewise(std::string_view doc, std::size_t from) noexcept {
    while (from < doc.size() && (xml_byte_class(doc[from]) & xml_text_stop_byte) == 0) ++from;
    return from;
}

/// xml_plain_run_end_bytewise, faster. With SSE2, sixteen bytes are compared at once while that
/// many remain (the run may end anywhere in them); otherwise, and for the last bytes, one table
/// lookup per byte, four per loop trip, which beats word-at-a-time tests on the short runs of
/// COS bodies.
[[gnu::always_inline]] inline std::size_t xml_plain_run_end(std::string_view doc, std::size_t from) noexcept {
    const std::size_t n = doc.size();
    const auto* d = reinterpret_cast<const unsigned char*>(doc.data());
#if COSWIRE_SSE2
    const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&'), cr = _mm_set1_epi8('\r'), bracket = _mm_set1_epi8(']');
    for (; n - from >= 16; from += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + from));
        const __m128i stops = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, amp)),
                                           _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, bracket)));
        if (const int mask = _mm_movemask_epi8(stops); mask != 0)
            return from + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
#endif
    constexpr auto stop = xml_text_stop_byte;
    const auto& cls = xml_byte_classes;
    for (; n - from >= 4; from += 4) {
        if (cls[d[from]] & stop) return from;
        if (cls[d[from + 1]] & stop) return from + 1;
        if (cls[d[from + 2]] & stop) return from + 2;
        if (cls[d[from + 3]] & stop) return from + 3;
    }
    return xml_plain_run_end_bytewise(doc, from);
}

/// End of the XML whitespace of doc starting at `from`. One byte at a time.
constexpr std::size_t xml_space_run_end_bytewise(std::string_view doc, std::size_t from) noexcept {
    while (from < doc.size() && (xml_byte_class(doc[from]) & xml_space_byte) != 0) ++from;
    return from;
}

/// xml_space_run_end_bytewise, faster on the layout between tags: it is a few bytes, so with
/// SSE2 one sixteen-byte compare usually finds its end, and the loop finishes longer runs.
[[gnu::always_inline]] inline std::size_t xml_space_run_end(std::string_view doc, std::size_t from) noexcept {
#if COSWIRE_SSE2
    if (doc.size() - from >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(doc.data() + from));
        const __m128i spaces = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                                            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
        const auto mask = static_cast<unsigned>(_mm_movemask_epi8(spaces));
        from += static_cast<std::size_t>(__builtin_ctz(~mask));  // bit 16 of ~mask stops it
    }
#endif
    return xml_space_run_end_bytewise(doc, from);
}

/// For a start tag of the simplest shape, `<Name>` with a name of plain name bytes
/// (xml_plain_name_byte: no prefix) starting at `from`: the offset of its '>', when the name
/// starts with a name start byte, is 1 to max_name_length bytes long, and '>' directly follows.
/// doc.size() otherwise (the reader then takes its general path). One byte at a time.
constexpr std::size_t xml_simple_tag_end_bytewise(std::string_view doc, std::size_t from, std::size_t max_name_length) noexcept {
    const std::size_t n = doc.size();
    if (from >= n || max_name_length == 0 || !is_xml_name_start(doc[from]) || doc[from] == ':') return n;
    const std::size_t stop = n - from > max_name_length ? from + max_name_length : n;
    std::size_t end = from + 1;
    while (end < stop && (xml_byte_class(doc[end]) & xml_plain_name_byte) != 0) ++end;
    return end < n && doc[end] == '>' ? end : n;
}

#if COSWIRE_SSE2
/// One bit per byte of v: a plain name byte (xml_plain_name_byte: letter, digit, '_', '-', '.'
/// or non-ASCII). Signed compares serve because every ASCII byte is positive and every
/// non-ASCII one negative; OR-ing 0x20 folds capitals onto small letters and nothing else onto them.
inline unsigned xml_plain_name_mask16(__m128i v) noexcept {
    const auto in_range = [](__m128i x, char lo, char hi) {
        return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(lo - 1))),
                             _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>(hi + 1))));
    };
    const __m128i letters = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z');
    const __m128i others = _mm_or_si128(_mm_or_si128(in_range(v, '0', '9'), in_range(v, '-', '.')),
                                        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')), _mm_cmplt_epi8(v, _mm_setzero_si128())));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(letters, others)));
}
#endif

/// xml_simple_tag_end_bytewise, faster. COS element names are shorter than 16 bytes: with SSE2
/// one compare finds the '>' ending one and every byte before it is checked at once; longer
/// names, and the last bytes of a document, take a table loop four bytes per trip.
[[gnu::always_inline]] inline std::size_t xml_simple_tag_end(std::string_view doc, std::size_t from, std::size_t max_name_length) noexcept {
    const std::size_t n = doc.size();
    const char* d = doc.data();
    // Without the max_name_length check, a limit of 0 would let `stop - end` below wrap around.
    if (from >= n || max_name_length == 0 || !is_xml_name_start(d[from])) return n;
#if COSWIRE_SSE2
    if (n - from >= 16 && max_name_length >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + from));
        const auto closes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('>'))));
        if (closes != 0) {
            const unsigned name_bits = (closes & (0u - closes)) - 1;  // the bytes before the first '>'
            if ((xml_plain_name_mask16(v) & name_bits) != name_bits) return n;
            return from + static_cast<std::size_t>(__builtin_ctz(closes));
        }
    }
#endif
    if (d[from] == ':') return n;
    const std::size_t stop = n - from > max_name_length ? from + max_name_length : n;
    const auto& cls = xml_byte_classes;
    const auto* u = reinterpret_cast<const unsigned char*>(d);
    constexpr auto plain = xml_plain_name_byte;
    std::size_t end = from + 1;
    for (; stop - end >= 4; end += 4) {
        if ((cls[u[end]] & plain) == 0) break;
        if ((cls[u[end + 1]] & plain) == 0) {
            end += 1;
            break;
        }
        if ((cls[u[end + 2]] & plain) == 0) {
            end += 2;
            break;
        }
        if ((cls[u[end + 3]] & plain) == 0) {
            end += 3;
            break;
        }
    }
    while (end < stop && (cls[u[end]] & plain) != 0) ++end;
    return end < n && d[end] == '>' ? end : n;
}

/// Whether the `size` bytes at a and b are equal. Names are short, so they are compared a word
/// at a time (the last word overlapping the one before) rather than with a call to memcmp;
/// string_view's == is the plain twin.
[[gnu::always_inline]] inline bool xml_short_equal(const char* a, const char* b, std::size_t size) noexcept {
    if (size >= 8) {
        for (std::size_t i = 0; i + 8 < size; i += 8)
            if (load_word8(a + i) != load_word8(b + i)) return false;
        return load_word8(a + size - 8) == load_word8(b + size - 8);
    }
    if (size >= 4) {
        const auto word4 = [](const char* p) {
            std::uint32_t w;
            std::memcpy(&w, p, sizeof w);
            return w;
        };
        return word4(a) == word4(b) && word4(a + size - 4) == word4(b + size - 4);
    }
    for (std::size_t i = 0; i < size; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

/// How far xml_decode_text got: the offset where it stopped and the bytes it wrote.
struct xml_decoded_text {
    std::size_t end = 0;
    std::size_t size = 0;
};

/// Decodes the character data of doc from `from` into out: plain runs copied, references
/// (xml_reference) decoded, up to the first byte that is neither (a '<', CR, ']', a reference
/// that is not valid, or the end). out must have room for that many bytes: a reference never
/// decodes to more bytes than it takes. Reference by reference through xml_reference.
inline xml_decoded_text xml_decode_text_bytewise(std::string_view doc, std::size_t from, char* out) {
    xml_decoded_text done{from, 0};
    for (;;) {
        const std::size_t run_end = xml_plain_run_end_bytewise(doc, done.end);
        for (std::size_t i = done.end; i < run_end; ++i) out[done.size++] = doc[i];
        done.end = run_end;
        if (run_end == doc.size() || doc[run_end] != '&') return done;
        std::array<char, 4> decoded{};
        std::size_t after = run_end;
        const result<std::size_t> size = xml_reference(doc, after, decoded);
        if (!size) return done;
        for (std::size_t i = 0; i < *size; ++i) out[done.size++] = decoded[i];
        done.end = after;
    }
}

/// xml_decode_text_bytewise, faster: the five predefined entities are decoded inline, other
/// references through xml_reference, and plain runs are found by xml_plain_run_end and copied
/// whole.
[[gnu::always_inline]] inline xml_decoded_text xml_decode_text(std::string_view doc, std::size_t from, char* out) {
    const std::size_t n = doc.size();
    const char* const d = doc.data();
    char* const out_begin = out;
    // memcpy, not std::copy: this header stays clear of <algorithm>.
    const auto put = [](char* to, const char* bytes, std::size_t size) {
        if (size != 0) std::memcpy(to, bytes, size);
        return to + size;
    };
    std::size_t p = xml_plain_run_end(doc, from);
    out = put(out, d + from, p - from);
    while (p < n && d[p] == '&') {
        const std::size_t left = n - p;
        const auto is = [&](std::string_view entity) { return left >= entity.size() && std::string_view(d + p, entity.size()) == entity; };
        if (left >= 4 && d[p + 2] == 't' && d[p + 3] == ';' && (d[p + 1] == 'l' || d[p + 1] == 'g')) {
            *out++ = d[p + 1] == 'l' ? '<' : '>';
            p += 4;
        } else if (is("&quot;")) {
            *out++ = '"';
            p += 6;
        } else if (is("&amp;")) {
            *out++ = '&';
            p += 5;
        } else if (is("&apos;")) {
            *out++ = '\'';
            p += 6;
        } else {
            std::array<char, 4> decoded{};
            std::size_t after = p;
            const result<std::size_t> size = xml_reference(doc, after, decoded);
            if (!size) break;
            out = put(out, decoded.data(), *size);
            p = after;
        }
        const std::size_t q = xml_plain_run_end(doc, p);
        out = put(out, d + p, q - p);
        p = q;
    }
    return {p, static_cast<std::size_t>(out - out_begin)};
}

}  // namespace coswire::detail
