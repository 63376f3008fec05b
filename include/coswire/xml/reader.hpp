// SPDX-License-Identifier: MIT
// xml::reader: a pull reader with explicit limits for the XML that COS sends (XML 1.0 with
// namespaces, no DTD), following the parsing rules of docs/protocol/xml.md.
#pragma once

#include <coswire/config.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

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

struct reader_access;

}  // namespace coswire::detail

namespace coswire::xml {

/// Bounds on what a reader accepts; crossing one gives errc::limit_exceeded. The defaults fit
/// every COS response with room to spare (a 1000-entry listing is about 500 KB).
struct limits {
    std::size_t max_document_size = std::size_t{16} << 20;  ///< bytes of input
    std::size_t max_depth = 32;            ///< elements open at once (the root counts as 1)
    std::size_t max_name_length = 256;     ///< bytes of an element, attribute or PI name, prefix included
    std::size_t max_text_length = std::size_t{1} << 20;  ///< decoded bytes of one text event
};

/// What an event reports.
enum class event_kind {
    start_element,  ///< `<Name ...>` or `<Name/>`; a self-closed element is followed by its end_element
    end_element,    ///< `</Name>`, or the end of a self-closed element
    text,           ///< character data inside the root element, never empty
    end_document,   ///< the root element closed and only whitespace, comments or PIs followed
};

/// One step through the document. Views point into the document or into the reader's text
/// buffer, and stay valid until the reader is advanced again (next, read_text, skip_element).
struct event {
    event_kind kind = event_kind::end_document;
    std::string_view name{};   ///< start/end: the local name (prefix stripped), e.g. "ETag"
    std::string_view text{};   ///< text: the decoded character data (entities, CDATA, CR LF -> LF)
    std::size_t depth = 0;   ///< start/end: depth of that element (root = 1); text: of its parent
    std::size_t offset = 0;  ///< byte offset where the construct starts
};

/// A pull reader over a complete UTF-8 document; no DOM, no allocation per element.
///
/// Accepts: an optional BOM, leading whitespace (COS streams spaces before the Complete Multipart
/// Upload result, docs/protocol/xml.md#leading-whitespace-and-prolog), an optional XML declaration with
/// either quote style (encoding, if given, must be UTF-8), comments, processing instructions, elements
/// with attributes (checked, then skipped), character data, the five predefined entities, decimal and
/// hexadecimal character references, CDATA sections. Rejects, as errc::malformed_response with the byte
/// offset: DOCTYPE (no DTD, so no entity-expansion attacks), undefined entities, references to code
/// points that are not XML characters, invalid UTF-8 and control characters, mismatched or missing end
/// tags, text or a second element outside the root, and any construct cut short. Text that is one
/// contiguous run of the document (plain character data, or a single CDATA section) is returned as a
/// view into it; text assembled from several pieces, references or CR line ends is decoded into one
/// buffer the reader reuses.
///
/// Won't: resolve namespace prefixes (names match by local name; prefixes are not checked against
/// declarations), detect duplicate attributes, or expose attribute values.
class reader {
public:
    /// Reads `document`, which must outlive the reader. Checks nothing until the first next().
    explicit reader(std::string_view document, limits lim = {}) noexcept : doc_(document), limits_(lim) {}

    /// Pulls the next event. Errors: malformed_response (offset in error.size and the reason),
    /// limit_exceeded. After an error every later call returns that same error; after
    /// end_document every later call returns end_document again.
    result<event> next();

    /// Right after a start_element: reads up to and including that element's end tag and returns
    /// its text, merged from all its character data, references and CDATA, untrimmed (the text
    /// of `<A>  x </A>` is "  x "; of `<A/>` is ""). A child element gives malformed_response at
    /// the child's offset, leaving the reader at the child's start_element. Called at any other
    /// time: invalid_argument, and nothing is read. The view lives until the reader advances.
    result<std::string_view> read_text();

    /// Right after a start_element: skips the rest of that element, its end tag included.
    /// Called at any other time: invalid_argument, and nothing is read.
    result<void> skip_element();

    /// Number of open elements: 1 after the root's start_element, 0 after its end_element.
    std::size_t depth() const noexcept { return open_.size(); }

    /// Byte offset of the last event returned; lets callers place errors about a value they read.
    std::size_t offset() const noexcept { return offset_; }

private:
    friend struct detail::reader_access;

    struct open_element {
        std::string_view qname{};  // as written, prefix included: end tags must repeat it exactly
        std::string_view local{};  // qname without its prefix
        std::size_t offset{};
    };
    enum class stage { start, prolog, content, epilog, done };
    // One text event being gathered: its only piece while it is a view into stable memory,
    // else the pieces are concatenated in buffer_.
    struct text_run {
        std::string_view single{};
        bool buffered = false;
        std::size_t offset = 0;
    };

    result<event> advance();
    void skip_layout() noexcept;
    enum class child_step { start, end, other };
    child_step next_child(std::string_view& local) noexcept;
    // next_child's start: opens the element whose tag `<Name>` spans [tag, close].
    child_step open_child(std::size_t tag, std::size_t close, std::string_view& local) noexcept {
        local = slice(tag + 1, close);
        open_.push_back(open_element{local, local, tag});
        pos_ = close + 1;
        offset_ = tag;
        at_start_ = true;
        return child_step::start;
    }
    // End of the plain character data starting at `from`: the first '<', '&', CR or ']', or the
    // end of input. With SSE2, sixteen bytes are compared at once while that many remain in the
    // document (the run may end anywhere in them); otherwise, and for the last bytes, one table
    // lookup per byte (four per loop trip) beats word-at-a-time tests on the short runs of COS
    // bodies.
    std::size_t plain_run_end(std::size_t from) const noexcept {
        const std::size_t n = doc_.size();
        const auto* d = reinterpret_cast<const unsigned char*>(doc_.data());
#if COSWIRE_SSE2
        const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&'), cr = _mm_set1_epi8('\r'),
                      bracket = _mm_set1_epi8(']');
        for (; n - from >= 16; from += 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + from));
            const __m128i stops = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, amp)),
                                               _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, bracket)));
            if (const int mask = _mm_movemask_epi8(stops); mask != 0)
                return from + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
        }
#endif
        constexpr auto stop = detail::xml_text_stop_byte;
        const auto& cls = detail::xml_byte_classes;
        for (; n - from >= 4; from += 4) {
            if (cls[d[from]] & stop) return from;
            if (cls[d[from + 1]] & stop) return from + 1;
            if (cls[d[from + 2]] & stop) return from + 2;
            if (cls[d[from + 3]] & stop) return from + 3;
        }
        while (from < n && (cls[d[from]] & stop) == 0) ++from;
        return from;
    }
#if COSWIRE_SSE2
    // One bit per byte of the 16 at p: XML whitespace (a fast end for the layout between tags).
    static unsigned space_mask16(const char* p) noexcept {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i spaces = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                                            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
        return static_cast<unsigned>(_mm_movemask_epi8(spaces));
    }
    // One bit per byte of v: a plain name byte (xml_plain_name_byte: letter, digit, '_', '-', '.'
    // or non-ASCII). Signed compares serve because every ASCII byte is positive and every
    // non-ASCII one negative; OR-ing 0x20 folds capitals onto small letters and nothing else onto them.
    static unsigned plain_name_mask16(__m128i v) noexcept {
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
    // doc_[from, to) without substr's range check; callers stay within doc_.
    std::string_view slice(std::size_t from, std::size_t to) const noexcept { return {doc_.data() + from, to - from}; }
    // Whether `</qname>` of the innermost element starts at p. Names are short, so they are
    // compared a word at a time (the last word overlapping the one before) rather than with a
    // call to memcmp.
    bool at_end_tag_of_innermost(std::size_t p) const noexcept {
        const std::string_view qname = open_.back().qname;
        const std::size_t size = qname.size();
        if (doc_.size() - p <= size + 2 || doc_[p] != '<' || doc_[p + 1] != '/' || doc_[p + 2 + size] != '>')
            return false;
        const char* a = doc_.data() + p + 2;
        const char* b = qname.data();
        if (size >= 8) {
            for (std::size_t i = 0; i + 8 < size; i += 8)
                if (detail::load_word8(a + i) != detail::load_word8(b + i)) return false;
            return detail::load_word8(a + size - 8) == detail::load_word8(b + size - 8);
        }
        if (size >= 4) return load_word4(a) == load_word4(b) && load_word4(a + size - 4) == load_word4(b + size - 4);
        for (std::size_t i = 0; i < size; ++i)
            if (a[i] != b[i]) return false;
        return true;
    }
    static std::uint32_t load_word4(const char* p) noexcept {
        std::uint32_t w;
        std::memcpy(&w, p, sizeof w);
        return w;
    }
    bool read_text_fast(std::string_view& chars);
    result<void> begin();
    result<void> declaration();
    result<event> root();
    result<event> content();
    result<void> skip_misc();
    result<void> comment();
    result<void> processing_instruction();
    result<std::string_view> text();
    result<void> append(text_run& run, std::string_view piece, bool stable);
    result<std::size_t> reference(std::array<char, 4>& out);
    result<event> start_tag();
    result<void> attribute(std::size_t tag_offset);
    result<event> end_tag();
    event close_innermost(std::size_t at);
    result<std::string_view> name(std::size_t at, std::string_view what, std::size_t* prefix_size = nullptr) const;
    error unsupported_markup() const;
    error misuse(std::string_view function) const;

    std::size_t skip_space() noexcept {
        const std::size_t from = pos_;
        while (pos_ < doc_.size() && detail::is_xml_space(doc_[pos_])) ++pos_;
        return pos_ - from;
    }
    // Whether the literal s (without its terminator) starts at pos_; pos_ never exceeds
    // doc_.size(). A template so the comparison unrolls instead of calling memcmp.
    template <std::size_t N>
    bool at(const char (&s)[N]) const noexcept {
        if (doc_.size() - pos_ < N - 1) return false;
        for (std::size_t i = 0; i + 1 < N; ++i)
            if (doc_[pos_ + i] != s[i]) return false;
        return true;
    }

    std::string_view doc_;
    limits limits_;
    std::size_t pos_ = 0;
    std::size_t offset_ = 0;
    stage stage_ = stage::start;
    bool pending_end_ = false;  // a self-closed element still owes its end_element
    bool at_start_ = false;     // the last event returned was a start_element
    std::vector<open_element> open_;
    std::string buffer_;
    std::optional<error> failed_;
};

inline result<event> reader::next() {
    if (failed_) return *failed_;
    result<event> ev = advance();
    if (!ev) {
        failed_ = ev.error();
        at_start_ = false;
        return ev;
    }
    at_start_ = ev->kind == event_kind::start_element;
    offset_ = ev->offset;
    return ev;
}

inline result<event> reader::advance() {
    if (stage_ == stage::start) {
        if (auto ok = begin(); !ok) return std::move(ok).error();
        stage_ = stage::prolog;
    }
    if (stage_ == stage::prolog) return root();
    if (stage_ == stage::content) return content();
    if (stage_ == stage::epilog) {
        if (auto ok = skip_misc(); !ok) return std::move(ok).error();
        if (pos_ < doc_.size())
            return detail::xml_error(errc::malformed_response, pos_,
                                     "only whitespace, comments and processing instructions may follow the root element");
        stage_ = stage::done;
    }
    return event{event_kind::end_document, {}, {}, 0, doc_.size()};
}

inline result<void> reader::begin() {
    if (doc_.size() > limits_.max_document_size)
        return detail::xml_error(errc::limit_exceeded, limits_.max_document_size,
                                 "the document is larger than max_document_size (" +
                                     std::to_string(limits_.max_document_size) + " bytes)");
    // Checking the characters once up front lets every later step assume whole UTF-8
    // characters and no forbidden control bytes.
    if (const std::size_t bad = detail::xml_text_error_offset(doc_); bad != doc_.size())
        return detail::xml_error(errc::malformed_response, bad,
                                 "byte 0x" + detail::to_hex_upper(static_cast<std::uint8_t>(doc_[bad]), 2) +
                                     " is invalid UTF-8 or a character XML 1.0 does not allow");
    if (at("\xEF\xBB\xBF")) pos_ = 3;  // UTF-8 byte order mark
    // Strictly the declaration comes first, but COS streams keep-alive whitespace ahead of it
    // while Complete Multipart Upload runs (docs/protocol/xml.md#leading-whitespace-and-prolog).
    skip_space();
    if (at("<?xml") && doc_.size() - pos_ > 5 && detail::is_xml_space(doc_[pos_ + 5])) return declaration();
    return {};
}

// XMLDecl ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>' (XML 1.0 section 2.8); each part is
// S name S? '=' S? quoted value, in this order. COS writes version='1.0' encoding='utf-8'.
inline result<void> reader::declaration() {
    static constexpr std::array<std::string_view, 3> keys{"version", "encoding", "standalone"};
    const std::size_t start = pos_;
    pos_ += 5;
    std::size_t next_key = 0;
    for (;;) {
        const std::size_t spaces = skip_space();
        if (at("?>")) break;
        if (pos_ == doc_.size()) return detail::xml_error(errc::malformed_response, start, "unterminated XML declaration");
        const std::size_t key_at = pos_;
        while (pos_ < doc_.size() && detail::is_alpha(doc_[pos_])) ++pos_;
        const std::string_view key = doc_.substr(key_at, pos_ - key_at);
        std::size_t index = next_key;
        while (index < keys.size() && keys[index] != key) ++index;
        if (spaces == 0 || index == keys.size() || (next_key == 0 && index != 0))
            return detail::xml_error(errc::malformed_response, key_at,
                                     "expected version, then optionally encoding and standalone, in the XML declaration");
        next_key = index + 1;
        skip_space();
        if (!at("=")) return detail::xml_error(errc::malformed_response, pos_, "expected '=' in the XML declaration");
        ++pos_;
        skip_space();
        if (!at("\"") && !at("'"))
            return detail::xml_error(errc::malformed_response, pos_, "expected a quoted value in the XML declaration");
        const std::size_t close = doc_.find(doc_[pos_], pos_ + 1);
        if (close == std::string_view::npos)
            return detail::xml_error(errc::malformed_response, start, "unterminated XML declaration");
        const std::string_view value = doc_.substr(pos_ + 1, close - pos_ - 1);
        const std::size_t value_at = pos_;
        pos_ = close + 1;
        bool valid = false;
        if (index == 0) {  // VersionNum ::= '1.' [0-9]+
            valid = value.size() > 2 && value.starts_with("1.");
            for (std::size_t i = 2; valid && i < value.size(); ++i) valid = detail::is_digit(value[i]);
        } else if (index == 1) {
            valid = detail::iequals(value, "utf-8");
        } else {
            valid = value == "yes" || value == "no";
        }
        if (!valid)
            return detail::xml_error(errc::malformed_response, value_at,
                                     "unsupported " + std::string(key) + " in the XML declaration (need version 1.x, encoding UTF-8, standalone yes or no)");
    }
    if (next_key == 0) return detail::xml_error(errc::malformed_response, start, "the XML declaration has no version");
    pos_ += 2;
    return {};
}

inline result<event> reader::root() {
    if (auto ok = skip_misc(); !ok) return std::move(ok).error();
    if (pos_ == doc_.size()) return detail::xml_error(errc::malformed_response, pos_, "the document has no root element");
    if (at("<!")) return unsupported_markup();
    if (!at("<")) return detail::xml_error(errc::malformed_response, pos_, "text is not allowed before the root element");
    return start_tag();
}

inline result<event> reader::content() {
    if (pending_end_) {
        pending_end_ = false;
        return close_innermost(open_.back().offset);
    }
    // Fast path, the usual case: a plain run of character data (maybe empty) up to a start or
    // end tag. It is returned as a view into the document without gathering pieces; anything
    // else (references, CR, ']', comments, PIs, CDATA, the end of input) goes through text().
    const std::size_t n = doc_.size();
    const std::size_t p = plain_run_end(pos_);
    if (n - p >= 2 && doc_[p] == '<' && doc_[p + 1] != '!' && doc_[p + 1] != '?' && p - pos_ <= limits_.max_text_length) {
        if (p != pos_) {
            const event chars{event_kind::text, {}, slice(pos_, p), open_.size(), pos_};
            pos_ = p;
            return chars;
        }
        return doc_[p + 1] == '/' ? end_tag() : start_tag();
    }
    // Markup that is neither a comment, PI nor CDATA (which text() gathers) starts no text.
    if (pos_ == doc_.size() || doc_[pos_] != '<' || doc_.size() - pos_ < 2 || doc_[pos_ + 1] == '!' ||
        doc_[pos_ + 1] == '?') {
        const std::size_t text_at = pos_;
        result<std::string_view> chars = text();
        if (!chars) return std::move(chars).error();
        if (!chars->empty()) return event{event_kind::text, {}, *chars, open_.size(), text_at};
    }
    if (pos_ == doc_.size()) {
        const open_element& innermost = open_.back();
        return detail::xml_error(errc::malformed_response, pos_,
                                 "element <" + std::string(innermost.qname) + "> opened at offset " +
                                     std::to_string(innermost.offset) + " is not closed");
    }
    if (at("</")) return end_tag();
    if (at("<!")) return unsupported_markup();
    return start_tag();
}

// Misc ::= Comment | PI | S (XML 1.0 section 2.8): all that may surround the root element.
inline result<void> reader::skip_misc() {
    for (;;) {
        skip_space();
        if (at("<!--")) {
            if (auto ok = comment(); !ok) return ok;
        } else if (at("<?")) {
            if (auto ok = processing_instruction(); !ok) return ok;
        } else {
            return {};
        }
    }
}

// Comment ::= '<!--' ((Char - '-') | ('-' (Char - '-')))* '-->' : "--" may only end it.
inline result<void> reader::comment() {
    const std::size_t start = pos_;
    const std::size_t dashes = doc_.find("--", pos_ + 4);
    if (dashes == std::string_view::npos || doc_.size() - dashes < 3)
        return detail::xml_error(errc::malformed_response, start, "unterminated comment");
    if (doc_[dashes + 2] != '>')
        return detail::xml_error(errc::malformed_response, dashes, "'--' is not allowed inside a comment");
    pos_ = dashes + 3;
    return {};
}

// PI ::= '<?' PITarget (S (Char* - (Char* '?>' Char*)))? '?>', where PITarget is not "xml" in
// any case: that name is the declaration, which may only open the document.
inline result<void> reader::processing_instruction() {
    const std::size_t start = pos_;
    const result<std::string_view> target = name(pos_ + 2, "processing instruction target");
    if (!target) return target.error();
    if (detail::iequals(*target, "xml"))
        return detail::xml_error(errc::malformed_response, start, "the XML declaration may only open the document");
    pos_ = start + 2 + target->size();
    const std::size_t spaces = skip_space();
    const std::size_t close = doc_.find("?>", pos_);
    if (close == std::string_view::npos)
        return detail::xml_error(errc::malformed_response, start, "unterminated processing instruction");
    if (spaces == 0 && close != pos_)
        return detail::xml_error(errc::malformed_response, pos_, "expected whitespace or '?>' after the processing instruction target");
    pos_ = close + 2;
    return {};
}

// Gathers one text event: character data, references and CDATA sections up to the next tag,
// passing over comments and PIs, so callers never see text split by them.
inline result<std::string_view> reader::text() {
    text_run run;
    run.offset = pos_;
    while (pos_ < doc_.size()) {
        const char c = doc_[pos_];
        if (c == '<') {
            if (at("<!--")) {
                if (auto ok = comment(); !ok) return std::move(ok).error();
            } else if (at("<?")) {
                if (auto ok = processing_instruction(); !ok) return std::move(ok).error();
            } else if (at("<![CDATA[")) {
                const std::size_t body = pos_ + 9;
                const std::size_t close = doc_.find("]]>", body);
                if (close == std::string_view::npos)
                    return detail::xml_error(errc::malformed_response, pos_, "unterminated CDATA section");
                pos_ = close + 3;
                if (auto ok = append(run, doc_.substr(body, close - body), true); !ok) return std::move(ok).error();
            } else {
                break;
            }
        } else if (c == '&') {
            std::array<char, 4> decoded{};
            const result<std::size_t> size = reference(decoded);
            if (!size) return size.error();
            if (auto ok = append(run, std::string_view(decoded.data(), *size), false); !ok) return std::move(ok).error();
        } else if (c == '\r') {
            // XML 1.0 section 2.11: CR LF and a lone CR both reach the application as LF.
            pos_ += (doc_.size() - pos_ > 1 && doc_[pos_ + 1] == '\n') ? 2 : 1;
            if (auto ok = append(run, "\n", true); !ok) return std::move(ok).error();
        } else {
            const std::size_t from = pos_;
            for (;;) {
                while (pos_ < doc_.size() && (detail::xml_byte_class(doc_[pos_]) & detail::xml_text_stop_byte) == 0) ++pos_;
                if (pos_ == doc_.size() || doc_[pos_] != ']') break;
                // CharData excludes "]]>" so that it cannot be mistaken for a CDATA end (section 2.4).
                if (at("]]>")) return detail::xml_error(errc::malformed_response, pos_, "']]>' is not allowed in text");
                ++pos_;
            }
            if (auto ok = append(run, slice(from, pos_), true); !ok) return std::move(ok).error();
        }
    }
    return run.buffered ? std::string_view(buffer_) : run.single;
}

// `stable` pieces (document bytes, string literals) may be returned as they are while they are
// the only piece; anything else goes through buffer_, which keeps its capacity between events.
inline result<void> reader::append(text_run& run, std::string_view piece, bool stable) {
    if (piece.empty()) return {};
    if (!run.buffered && run.single.empty() && stable) {
        run.single = piece;
    } else {
        if (!run.buffered) {
            buffer_.assign(run.single);
            run.buffered = true;
        }
        buffer_.append(piece);
    }
    if ((run.buffered ? buffer_.size() : run.single.size()) > limits_.max_text_length)
        return detail::xml_error(errc::limit_exceeded, run.offset,
                                 "text is longer than max_text_length (" + std::to_string(limits_.max_text_length) + " bytes)");
    return {};
}

// Reference ::= '&' Name ';' | '&#' [0-9]+ ';' | '&#x' [0-9a-fA-F]+ ';' (XML 1.0 section 4.1). Without
// a DTD the only entities are lt, gt, amp, quot and apos (section 4.6).
inline result<std::size_t> reader::reference(std::array<char, 4>& out) {
    const std::size_t start = pos_;
    std::size_t p = pos_ + 1;
    if (p < doc_.size() && doc_[p] == '#') {
        ++p;
        const bool hex = p < doc_.size() && doc_[p] == 'x';
        if (hex) ++p;
        const std::size_t digits_at = p;
        std::uint32_t cp = 0;
        while (p < doc_.size() && detail::xml_digit_value(doc_[p], hex) >= 0) {
            // Stopping as soon as the value passes U+10FFFF keeps cp * 16 + 15 far below 2^32.
            cp = cp * (hex ? 16u : 10u) + static_cast<std::uint32_t>(detail::xml_digit_value(doc_[p], hex));
            if (cp > 0x10FFFF)
                return detail::xml_error(errc::malformed_response, start, "character reference beyond U+10FFFF");
            ++p;
        }
        if (p == digits_at || p == doc_.size() || doc_[p] != ';')
            return detail::xml_error(errc::malformed_response, start, "malformed character reference (expected &#digits; or &#xhex;)");
        if (!detail::is_xml_char(cp))
            return detail::xml_error(errc::malformed_response, start,
                                     "character reference to U+" + detail::to_hex_upper(cp, 4) + ", which XML 1.0 does not allow");
        pos_ = p + 1;
        return detail::encode_utf8(cp, out);
    }
    // Entity names are read only as far as a short run of ASCII letters, which covers the five
    // predefined names and keeps the name quoted in the error text short.
    constexpr std::size_t longest_quoted_name = 32;
    const std::size_t name_at = p;
    while (p < doc_.size() && detail::is_alpha(doc_[p]) && p - name_at < longest_quoted_name) ++p;
    if (p == name_at || p == doc_.size() || doc_[p] != ';')
        return detail::xml_error(errc::malformed_response, start, "'&' must start a reference such as &amp; or &#38;");
    const std::string_view entity = slice(name_at, p);
    // Dispatch on the first letter so each name is compared with one candidate at most.
    const auto is = [entity](std::string_view name) { return entity.size() == name.size() && entity == name; };
    if (entity[0] == 'q' && is("quot")) out[0] = '"';
    else if (entity[0] == 'a' && is("amp")) out[0] = '&';
    else if (entity[0] == 'l' && is("lt")) out[0] = '<';
    else if (entity[0] == 'g' && is("gt")) out[0] = '>';
    else if (entity[0] == 'a' && is("apos")) out[0] = '\'';
    else
        return detail::xml_error(errc::malformed_response, start,
                                 "undefined entity &" + std::string(entity) + "; (only lt, gt, amp, quot and apos exist without a DTD)");
    pos_ = p + 1;
    return std::size_t{1};
}

// STag ::= '<' Name (S Attribute)* S? '>' and EmptyElemTag ::= '<' Name (S Attribute)* S? '/>'.
inline result<event> reader::start_tag() {
    const std::size_t start = pos_;
    std::size_t prefix_size = 0;
    const result<std::string_view> qname = name(pos_ + 1, "element name", &prefix_size);
    if (!qname) return qname.error();
    pos_ = start + 1 + qname->size();
    for (;;) {
        const std::size_t spaces = skip_space();
        if (pos_ == doc_.size())
            return detail::xml_error(errc::malformed_response, start, "unterminated start tag <" + std::string(*qname) + ">");
        if (at(">")) {
            ++pos_;
            break;
        }
        if (at("/>")) {
            pos_ += 2;
            pending_end_ = true;
            break;
        }
        if (spaces == 0)
            return detail::xml_error(errc::malformed_response, pos_,
                                     "expected whitespace, '>' or '/>' in the start tag <" + std::string(*qname) + ">");
        if (auto ok = attribute(start); !ok) return std::move(ok).error();
    }
    if (open_.size() >= limits_.max_depth)
        return detail::xml_error(errc::limit_exceeded, start,
                                 "elements nest deeper than max_depth (" + std::to_string(limits_.max_depth) + ")");
    const std::string_view local = qname->substr(prefix_size);
    open_.push_back(open_element{*qname, local, start});
    stage_ = stage::content;
    return event{event_kind::start_element, local, {}, open_.size(), start};
}

// Attribute ::= Name S? '=' S? AttValue, where AttValue is quoted with " or ', holds no '<', and
// each '&' in it starts a valid reference. The value is checked, not kept.
inline result<void> reader::attribute(std::size_t tag_offset) {
    const result<std::string_view> attr = name(pos_, "attribute name");
    if (!attr) return attr.error();
    pos_ += attr->size();
    const auto cut_short = [&] {
        return detail::xml_error(errc::malformed_response, tag_offset, "unterminated start tag");
    };
    skip_space();
    if (pos_ == doc_.size()) return cut_short();
    if (!at("=")) return detail::xml_error(errc::malformed_response, pos_, "expected '=' after the attribute name");
    ++pos_;
    skip_space();
    if (pos_ == doc_.size()) return cut_short();
    const char quote = doc_[pos_];
    if (quote != '"' && quote != '\'')
        return detail::xml_error(errc::malformed_response, pos_, "attribute values must be quoted");
    ++pos_;
    while (pos_ < doc_.size() && doc_[pos_] != quote) {
        if (doc_[pos_] == '<')
            return detail::xml_error(errc::malformed_response, pos_, "'<' is not allowed in an attribute value");
        if (doc_[pos_] == '&') {
            std::array<char, 4> ignored{};
            if (auto ok = reference(ignored); !ok) return ok.error();
        } else {
            ++pos_;
        }
    }
    if (pos_ == doc_.size()) return cut_short();
    ++pos_;
    return {};
}

// ETag ::= '</' Name S? '>', naming the innermost open element exactly as its start tag did.
inline result<event> reader::end_tag() {
    const std::size_t start = pos_;
    // Usual case: the innermost element's name, already checked at its start tag, directly
    // followed by '>'. Anything else takes the general path, which finds the right error.
    if (at_end_tag_of_innermost(start)) {
        pos_ = start + 3 + open_.back().qname.size();
        return close_innermost(start);
    }
    const result<std::string_view> qname = name(pos_ + 2, "element name");
    if (!qname) return qname.error();
    pos_ = start + 2 + qname->size();
    skip_space();
    if (pos_ == doc_.size()) return detail::xml_error(errc::malformed_response, start, "unterminated end tag");
    if (!at(">")) return detail::xml_error(errc::malformed_response, pos_, "expected '>' to close the end tag");
    ++pos_;
    const open_element& innermost = open_.back();
    if (*qname != innermost.qname)
        return detail::xml_error(errc::malformed_response, start,
                                 "end tag </" + std::string(*qname) + "> does not match <" + std::string(innermost.qname) +
                                     "> opened at offset " + std::to_string(innermost.offset));
    return close_innermost(start);
}

inline event reader::close_innermost(std::size_t at) {
    const std::string_view local = open_.back().local;
    open_.pop_back();
    if (open_.empty()) stage_ = stage::epilog;
    return event{event_kind::end_element, local, {}, open_.size() + 1, at};
}

// Name (XML 1.0 section 2.3) that is also a QName (Namespaces in XML 1.0 section 3): at most one ':',
// with a non-empty part on each side. Sets *prefix_size, when given, to the length of the prefix and
// its colon (0 without one).
inline result<std::string_view> reader::name(std::size_t at, std::string_view what, std::size_t* prefix_size) const {
    std::size_t end = at;
    std::uint8_t seen = 0;  // union of the byte classes, to notice a colon without searching
    if (end < doc_.size() && detail::is_xml_name_start(doc_[end])) {
        seen = detail::xml_byte_class(doc_[end]);
        ++end;
        // Scanning one byte past the limit is enough to know it is crossed.
        const std::size_t stop = doc_.size() - at > limits_.max_name_length + 1 ? at + limits_.max_name_length + 1 : doc_.size();
        while (end < stop) {
            const std::uint8_t c = detail::xml_byte_class(doc_[end]);
            if ((c & detail::xml_name_byte) == 0) break;
            seen |= c;
            ++end;
        }
    }
    const std::size_t size = end - at;
    if (size == 0) return detail::xml_error(errc::malformed_response, at, "missing " + std::string(what));
    if (size > limits_.max_name_length)
        return detail::xml_error(errc::limit_exceeded, at,
                                 std::string(what) + " is longer than max_name_length (" + std::to_string(limits_.max_name_length) + " bytes)");
    const std::string_view qname = slice(at, end);
    if ((seen & detail::xml_colon_byte) == 0) {
        if (prefix_size != nullptr) *prefix_size = 0;
        return qname;
    }
    const std::size_t colon = qname.find(':');
    if (colon == 0 || colon + 1 == size || qname.find(':', colon + 1) != std::string_view::npos)
        return detail::xml_error(errc::malformed_response, at,
                                 std::string(what) + " '" + std::string(qname) + "' is not a valid qualified name");
    if (prefix_size != nullptr) *prefix_size = colon + 1;
    return qname;
}

inline error reader::unsupported_markup() const {
    return detail::xml_error(errc::malformed_response, pos_,
                             at("<!DOCTYPE") ? "DOCTYPE is not supported (no DTD, so no entity declarations)"
                                             : "unexpected markup '<!'");
}

inline error reader::misuse(std::string_view function) const {
    return make_error(errc::invalid_argument, "reader",
                      std::string(function) + " must directly follow a start_element event");
}

// The usual shape of an element read with read_text: character data, perhaps with references,
// then the element's own end tag. Reads it and returns true, leaving the reader as the general
// path of read_text would; on anything else (CR, ']', comments, CDATA, a child, a bad reference,
// a limit) restores the position and returns false, and the general path redoes the work and
// reports whatever is wrong.
inline bool reader::read_text_fast(std::string_view& chars) {
    if (pending_end_) return false;
    const std::size_t start = pos_;
    const std::size_t n = doc_.size();
    const char* const d = doc_.data();
    std::size_t p = plain_run_end(start);
    if (p < n && d[p] == '&') {
        // References: decoded into buffer_, which must hold the raw text up to the next '<' (a
        // reference is never shorter than what it decodes to). It only ever grows here, so COS
        // bodies, whose escaped texts are all of a size, stop paying for resize's zero fill.
        const std::size_t lt = doc_.find('<', p);
        if (lt == std::string_view::npos) return false;
        if (buffer_.size() < lt - start) buffer_.resize(lt - start);
        char* const out_begin = buffer_.data();
        // memcpy, not std::copy: this header stays clear of <algorithm>.
        const auto put = [](char* to, const char* from, std::size_t size) {
            if (size != 0) std::memcpy(to, from, size);
            return to + size;
        };
        char* out = put(out_begin, d + start, p - start);
        while (p < n && d[p] == '&') {
            // The five predefined entities inline; anything else through reference().
            const std::size_t left = n - p;
            const auto is = [&](std::string_view entity) {
                return left >= entity.size() && std::string_view(d + p, entity.size()) == entity;
            };
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
                pos_ = p;
                const result<std::size_t> size = reference(decoded);
                if (!size) {
                    pos_ = start;
                    return false;
                }
                out = put(out, decoded.data(), *size);
                p = pos_;
            }
            const std::size_t q = plain_run_end(p);
            out = put(out, d + p, q - p);
            p = q;
        }
        if (p != lt || !at_end_tag_of_innermost(p) || static_cast<std::size_t>(out - out_begin) > limits_.max_text_length) {
            pos_ = start;
            return false;
        }
        chars = std::string_view(out_begin, static_cast<std::size_t>(out - out_begin));
    } else {
        if (!at_end_tag_of_innermost(p) || p - start > limits_.max_text_length) return false;
        chars = p == start ? std::string_view() : slice(start, p);
    }
    pos_ = p + 3 + open_.back().qname.size();
    offset_ = p;  // the end_element the general path would have returned last
    at_start_ = false;
    open_.pop_back();
    if (open_.empty()) stage_ = stage::epilog;
    return true;
}

// Between children, for_each_child ignores text; whitespace right before a start or end tag
// (the layout of every COS body) is passed over here without producing the text event that
// next() would report. Anything else is left to next(), which checks it.
inline void reader::skip_layout() noexcept {
    if (stage_ != stage::content || pending_end_ || failed_) return;
    std::size_t p = pos_;
    while (p < doc_.size() && (detail::xml_byte_class(doc_[p]) & detail::xml_space_byte) != 0) ++p;
    if (p == pos_ || doc_.size() - p < 2 || doc_[p] != '<' || doc_[p + 1] == '!' || doc_[p + 1] == '?' ||
        p - pos_ > limits_.max_text_length)
        return;
    pos_ = p;
    at_start_ = false;
}

// for_each_child's step between children, without building events: after layout whitespace,
// a start tag of the form `<Name>` (no prefix, no attributes, no space) is opened directly and
// its local name returned (start), and the innermost element's own end tag `</Name>` is
// consumed (end); the reader is then left exactly as next() would leave it. Anything else
// (text, markup, attributes, self-closed tags, prefixes, limits, errors) returns other after
// skip_layout, and next() reads it and reports whatever is wrong.
inline reader::child_step reader::next_child(std::string_view& local) noexcept {
    if (stage_ != stage::content || pending_end_ || failed_) return child_step::other;
    const std::size_t n = doc_.size();
    const char* d = doc_.data();
    std::size_t p = pos_;
#if COSWIRE_SSE2
    // Layout is a few bytes: one compare usually finds its end; the loop below finishes longer runs.
    if (n - p >= 16) p += static_cast<std::size_t>(__builtin_ctz(~space_mask16(d + p)));  // bit 16 stops it
#endif
    while (p < n && (detail::xml_byte_class(d[p]) & detail::xml_space_byte) != 0) ++p;
    if (n - p < 2 || d[p] != '<' || p - pos_ > limits_.max_text_length) {
        skip_layout();
        return child_step::other;
    }
    if (d[p + 1] == '/') {
        if (!at_end_tag_of_innermost(p)) {
            skip_layout();
            return child_step::other;
        }
        pos_ = p + 3 + open_.back().qname.size();
        offset_ = p;
        at_start_ = false;
        open_.pop_back();
        if (open_.empty()) stage_ = stage::epilog;
        return child_step::end;
    }
    // The checks of name() and start_tag() for this shape: a name start byte, name bytes up to
    // '>', within max_name_length, and room below max_depth.
    std::size_t end = p + 1;
    if (detail::is_xml_name_start(d[end]) && open_.size() < limits_.max_depth) {
#if COSWIRE_SSE2
        // COS element names are shorter than 16 bytes: find the '>' ending one with a compare
        // and check every byte before it at once. Longer names take the loop.
        if (n - end >= 16 && limits_.max_name_length >= 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + end));
            const unsigned closes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('>'))));
            if (closes != 0) {
                const unsigned name_bits = (closes & (0u - closes)) - 1;  // the bytes before the first '>'
                if ((plain_name_mask16(v) & name_bits) != name_bits) {
                    skip_layout();
                    return child_step::other;
                }
                end += static_cast<std::size_t>(__builtin_ctz(closes));
                return open_child(p, end, local);
            }
        }
#endif
        const std::size_t stop = n - end > limits_.max_name_length ? end + limits_.max_name_length : n;
        // Stops at ':' too: a prefixed name takes the general path.
        const auto& cls = detail::xml_byte_classes;
        const auto* u = reinterpret_cast<const unsigned char*>(d);
        constexpr auto plain = detail::xml_plain_name_byte;
        ++end;
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
        if (end < n && d[end] == '>' && d[p + 1] != ':') return open_child(p, end, local);
    }
    skip_layout();
    return child_step::other;
}

inline result<std::string_view> reader::read_text() {
    if (failed_) return *failed_;
    if (!at_start_) return misuse("read_text");
    if (std::string_view chars; read_text_fast(chars)) return chars;
    const std::string_view parent = open_.back().local;
    std::string_view chars;
    for (;;) {
        result<event> ev = next();
        if (!ev) return std::move(ev).error();
        // next() merges all character data up to the next tag, so at most one text event comes.
        if (ev->kind == event_kind::text) {
            chars = ev->text;
        } else if (ev->kind == event_kind::start_element) {
            return detail::xml_error(errc::malformed_response, ev->offset,
                                     "<" + std::string(parent) + "> should hold only text but contains <" + std::string(ev->name) + ">");
        } else {
            return chars;
        }
    }
}

inline result<void> reader::skip_element() {
    if (failed_) return *failed_;
    if (!at_start_) return misuse("skip_element");
    const std::size_t outer = open_.size() - 1;
    while (open_.size() > outer) {
        result<event> ev = next();
        if (!ev) return std::move(ev).error();
    }
    return {};
}

}  // namespace coswire::xml

namespace coswire::detail {

/// The reader internals for_each_child uses.
struct reader_access {
    static void skip_layout(xml::reader& r) noexcept { r.skip_layout(); }
    using child_step = xml::reader::child_step;
    static child_step next_child(xml::reader& r, std::string_view& local) noexcept { return r.next_child(local); }
};

/// Runs handler(local_name, r) for the element whose start_element r just returned, then skips
/// whatever of that element the handler left unread, so handlers only deal with what they know.
template <class F>
result<void> visit_element(xml::reader& r, std::string_view local_name, F& handler) {
    const std::size_t outer = r.depth() - 1;
    if (result<void> ok = handler(local_name, r); !ok) return ok;
    if (r.depth() < outer)
        return make_error(errc::invalid_argument, "handler", "read past the end tag of the element it was given");
    while (r.depth() > outer) {
        result<xml::event> ev = r.next();
        if (!ev) return std::move(ev).error();
    }
    return {};
}

}  // namespace coswire::detail

namespace coswire::xml {

/// For each remaining child element of the innermost open element (call it right after the
/// parent's start_element), calls on_child(local_name, r) with r at the child's start_element;
/// then consumes the parent's end tag. on_child may read the child (read_text, skip_element,
/// for_each_child, next) or leave it, wholly or partly: whatever it leaves is skipped, so unknown
/// children need no code. Text between children (layout whitespace) is ignored.
/// Errors: whatever on_child or the reader returns, first one wins; invalid_argument when no
/// element is open or on_child reads past its child's end tag.
template <class F>
    requires std::is_invocable_r_v<result<void>, F&, std::string_view, reader&>
result<void> for_each_child(reader& r, F&& on_child) {
    if (r.depth() == 0) return make_error(errc::invalid_argument, "reader", "for_each_child needs an open element");
    for (;;) {
        std::string_view child;
        const auto step = detail::reader_access::next_child(r, child);
        if (step == detail::reader_access::child_step::start) {
            if (result<void> ok = detail::visit_element(r, child, on_child); !ok) return ok;
            continue;
        }
        if (step == detail::reader_access::child_step::end) return {};
        result<event> ev = r.next();
        if (!ev) return std::move(ev).error();
        if (ev->kind == event_kind::start_element) {
            if (result<void> ok = detail::visit_element(r, ev->name, on_child); !ok) return ok;
        } else if (ev->kind != event_kind::text) {
            return {};  // the parent's end_element
        }
    }
}

/// Reads a whole document from a fresh reader: pulls the root's start_element, calls
/// on_root(local_name, r) (same contract as for_each_child's on_child; what it leaves of the root
/// is skipped), then requires the end of the document, so trailing garbage is an error.
/// Errors: those of the reader and on_root; invalid_argument when r is not fresh.
template <class F>
    requires std::is_invocable_r_v<result<void>, F&, std::string_view, reader&>
result<void> read_document(reader& r, F&& on_root) {
    result<event> root = r.next();
    if (!root) return std::move(root).error();
    if (root->kind != event_kind::start_element || r.depth() != 1)
        return make_error(errc::invalid_argument, "reader", "read_document needs a reader that has not been advanced");
    if (result<void> ok = detail::visit_element(r, root->name, on_root); !ok) return ok;
    result<event> end = r.next();
    if (!end) return std::move(end).error();
    return {};
}

}  // namespace coswire::xml
