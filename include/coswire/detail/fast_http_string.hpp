// SPDX-License-Identifier: MIT
// The signing path's speed-ups, behind the readable one in sign/http_string.hpp and sign/signer.hpp:
// table-driven name order and sizes, sixteen-byte (SSE2) percent-encoding, word-at-a-time
// lower-casing, and the sinks that hash the HttpString while it is written or write the
// Authorization into a buffer. Each gives what the readable code gives, on every input
// (tests/sign/fast_http_string_test.cpp); the signer runs these where they pay.
#pragma once

#include <coswire/config.hpp>
#include <coswire/crypto/sha1.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/encoding/percent.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#if COSWIRE_SSE2
#include <emmintrin.h>
#endif

namespace coswire::detail {

/// One signed name/value pair; `redact` marks a security token, whose value is hashed but
/// never shown in an explanation.
struct signed_field {
    std::string_view name{};
    std::string_view value{};
    bool redact = false;
    bool plain_name = false;  ///< every byte of name is unreserved: its signed form is lower(name)
};

/// Emits lower(enc(name)) one byte at a time, so a name can be compared in its signed form
/// without building it (docs/protocol/signing.md#parameter-list, step 1).
class encoded_lower_name {
public:
    constexpr explicit encoded_lower_name(std::string_view s) noexcept : s_(s) {}
    constexpr bool done() const noexcept { return i_ == s_.size(); }
    constexpr char next() noexcept {
        const auto c = static_cast<unsigned char>(s_[i_]);
        if (is_unreserved(static_cast<char>(c))) {
            ++i_;
            return to_lower(static_cast<char>(c));
        }
        constexpr std::string_view hex = "0123456789abcdef";
        const char out = k_ == 0 ? '%' : hex[k_ == 1 ? (c >> 4) : (c & 0xF)];
        if (++k_ == 3) {
            k_ = 0;
            ++i_;
        }
        return out;
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
    int k_ = 0;
};

namespace fast {

/// What a byte becomes in a signed name: itself lower-cased when unreserved, 0 when enc()
/// escapes it (every escape is "%xx" in a name: lower() reaches the hex digits too). One load
/// answers both questions in the loops below. Never 0 for an unreserved byte.
inline constexpr std::array<char, 256> signed_name_byte = [] {
    std::array<char, 256> table{};
    for (int c = 0; c < 256; ++c)
        if (is_unreserved(static_cast<char>(c))) table[static_cast<std::size_t>(c)] = to_lower(static_cast<char>(c));
    return table;
}();

/// What a byte becomes in an encoded value: itself when unreserved, 0 when escaped.
inline constexpr std::array<char, 256> value_byte = [] {
    std::array<char, 256> table{};
    for (int c = 0; c < 256; ++c)
        if (is_unreserved(static_cast<char>(c))) table[static_cast<std::size_t>(c)] = static_cast<char>(c);
    return table;
}();

/// Byte order of lower(enc(a)) against lower(enc(b)): negative, zero or positive.
constexpr int compare_signed_names(std::string_view a, std::string_view b) noexcept {
    // Fast path: while both bytes are unreserved each stands for itself, lower-cased. The first
    // reserved byte hands the rest to the byte-by-byte encoder; the prefixes compared so far
    // encode identically, so the order of the remainders is the order of the whole names.
    // Equal bytes encode equally, whatever they are, so they are skipped first.
    const std::size_t common = a.size() < b.size() ? a.size() : b.size();
    std::size_t i = 0;
    for (; i < common; ++i) {
        if (a[i] == b[i]) continue;
        const auto la = static_cast<unsigned char>(signed_name_byte[static_cast<unsigned char>(a[i])]);
        const auto lb = static_cast<unsigned char>(signed_name_byte[static_cast<unsigned char>(b[i])]);
        if (la == 0 || lb == 0) break;
        if (la != lb) return la < lb ? -1 : 1;
    }
    if (i == common) return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
    encoded_lower_name x(a.substr(i)), y(b.substr(i));
    while (!x.done() && !y.done()) {
        const auto cx = static_cast<unsigned char>(x.next());
        const auto cy = static_cast<unsigned char>(y.next());
        if (cx != cy) return cx < cy ? -1 : 1;
    }
    return x.done() ? (y.done() ? 0 : -1) : 1;
}

constexpr std::size_t signed_name_size(std::string_view s) noexcept {
    std::size_t n = s.size();
    for (char c : s) n += signed_name_byte[static_cast<unsigned char>(c)] == 0 ? 2 : 0;
    return n;
}

/// Per byte: 1 when it is an RFC 9110 tchar, plus 4 when enc() escapes it (so `>> 1` gives the
/// two extra bytes of its escape).
inline constexpr std::array<std::uint8_t, 256> name_byte_class = [] {
    std::array<std::uint8_t, 256> table{};
    for (std::size_t c = 0; c < 256; ++c)
        table[c] = static_cast<std::uint8_t>((tchar_table[c] ? 1 : 0) | (signed_name_byte[c] == 0 ? 4 : 0));
    return table;
}();

/// signed_name_size(name) when `name` is a non-empty RFC 9110 token, else 0: a header name's
/// check and its signed length in one pass.
constexpr std::size_t token_signed_name_size(std::string_view name) noexcept {
    unsigned all = 1;
    std::size_t n = name.size();
    for (char c : name) {
        const unsigned v = name_byte_class[static_cast<unsigned char>(c)];
        all &= v;
        n += v >> 1;
    }
    return (all & 1) != 0 && !name.empty() ? n : 0;
}

/// Writes enc(s) (docs/protocol/signing.md#percent-encoding) at `out`, or lower(enc(s)) when `Lower` (a
/// signed name: unreserved bytes lower-cased, escapes in lower-case hex), and returns the end. One
/// table load and one store per unreserved byte: signed names and values are short runs, where a bulk
/// copy per run costs more than it saves. Precondition (unchecked): `out` has room for 3 * s.size()
/// bytes.
template <bool Lower>
constexpr char* encode_unchecked(std::string_view s, char* out) noexcept {
    constexpr std::string_view hex = Lower ? "0123456789abcdef" : "0123456789ABCDEF";
    const std::array<char, 256>& bytes = Lower ? signed_name_byte : value_byte;
#if COSWIRE_SSE2
    // Sixteen bytes per step: the block is stored (lower-cased for a name) and `out` advances
    // over its leading unreserved bytes; the first reserved one, if any, is escaped and the
    // next block starts after it. Writing a whole block is within the precondition: 16 bytes
    // remain in s, so out has room for at least 48.
    if (!std::is_constant_evaluated()) {
        const char* p = s.data();
        const char* const end = p + s.size();
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
            const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                                 _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
            // '-', '.' and the digits are 0x2D..0x39 without '/'.
            const __m128i dash_dot_digit = _mm_andnot_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8('/')),
                _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('-' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1))));
            const __m128i other = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')), _mm_cmpeq_epi8(v, _mm_set1_epi8('~')));
            const auto plain = static_cast<unsigned>(
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, dash_dot_digit), other)));
            if constexpr (Lower) {
                const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
                v = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
            }
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
            if (plain == 0xFFFF) {
                p += 16;
                out += 16;
                continue;
            }
            const auto run = static_cast<unsigned>(__builtin_ctz(~plain));
            p += run;
            out += run;
            const auto u = static_cast<unsigned char>(*p++);
            out[0] = '%';
            out[1] = hex[u >> 4];
            out[2] = hex[u & 0xF];
            out += 3;
        }
        s = std::string_view(p, static_cast<std::size_t>(end - p));
    }
#endif
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (const char m = bytes[u]; m != 0) {
            *out++ = m;
            continue;
        }
        out[0] = '%';
        out[1] = hex[u >> 4];
        out[2] = hex[u & 0xF];
        out += 3;
    }
    return out;
}

/// coswire::percent_encode_unchecked, sixteen bytes a step. Precondition (unchecked): `out` has
/// room for 3 * s.size() bytes.
constexpr char* percent_encode_unchecked(std::string_view s, char* out) noexcept { return encode_unchecked<false>(s, out); }

/// Writes lower(enc(name)) at `out` and returns its end. Precondition (unchecked): `out` has
/// room for 3 * name.size() bytes.
constexpr char* write_signed_name_unchecked(std::string_view name, char* out) noexcept {
    return encode_unchecked<true>(name, out);
}

/// Lower-cases the ASCII letters of a word of ASCII bytes: for bytes below 0x80, b + (0x80 - x)
/// sets bit 7 exactly when b >= x, without a carry into the next byte.
template <class Word>
constexpr Word lower_ascii_word(Word w) noexcept {
    constexpr Word ones = static_cast<Word>(~Word{0}) / 0xFF;
    const Word upper = (w + (0x80 - 'A') * ones) & ~(w + (0x80 - 'Z' - 1) * ones) & (0x80 * ones);
    return w | (upper >> 2);
}

template <class Word>
inline void store_lower_ascii_word(const char* from, char* to) noexcept {
    Word w;
    std::memcpy(&w, from, sizeof w);
    w = lower_ascii_word(w);
    std::memcpy(to, &w, sizeof w);
}

/// Writes lower(name) at `out` and returns its end, for a name whose bytes are all unreserved
/// (so lower(enc(name)) is lower(name)): a word at a time, the last word overlapping the one
/// before. Precondition (unchecked): `out` has room for name.size() bytes.
constexpr char* write_plain_name_unchecked(std::string_view name, char* out) noexcept {
    const std::size_t n = name.size();
    const char* in = name.data();
    if (!std::is_constant_evaluated() && n >= 4) {
        if (n >= 8) {
            for (std::size_t i = 0; i + 8 < n; i += 8) store_lower_ascii_word<std::uint64_t>(in + i, out + i);
            store_lower_ascii_word<std::uint64_t>(in + n - 8, out + n - 8);
        } else {
            store_lower_ascii_word<std::uint32_t>(in, out);
            store_lower_ascii_word<std::uint32_t>(in + n - 4, out + n - 4);
        }
        return out + n;
    }
    for (std::size_t i = 0; i < n; ++i) out[i] = to_lower(in[i]);
    return out + n;
}

/// Writes the signed form of f.name at `out` and returns its end. Precondition (unchecked):
/// `out` has room for signed_name_size(f.name) bytes.
constexpr char* write_signed_name_unchecked(const signed_field& f, char* out) noexcept {
    return f.plain_name ? write_plain_name_unchecked(f.name, out) : write_signed_name_unchecked(f.name, out);
}

/// Feeds SHA-1 through a small buffer, so the HttpString is hashed while it is written and
/// never stored. Pieces are written straight into the buffer; when one does not fit, the
/// buffer's whole 64-byte blocks go to SHA-1 in one update (compressed in place, no copy) and
/// the remainder moves to the front.
class sha1_sink {
public:
    void put(char c) noexcept {
        char* p = room(1);
        *p = c;
        used_ += 1;
    }
    void put(std::string_view s) noexcept {
        while (!s.empty()) {
            const std::size_t take = s.size() < max_piece ? s.size() : max_piece;
            char* p = room(take);
            copy_chars(s.data(), take, p);
            used_ += take;
            s.remove_prefix(take);
        }
    }
    void put_signed_name(const signed_field& f) noexcept {
        if (f.plain_name && f.name.size() <= max_piece) {
            char* p = room(f.name.size());
            used_ = static_cast<std::size_t>(write_plain_name_unchecked(f.name, p) - data());
            return;
        }
        std::string_view name = f.name;
        while (!name.empty()) {
            const std::size_t take = name.size() < max_piece / 3 ? name.size() : max_piece / 3;  // at most 3 bytes per byte
            char* p = room(3 * take);
            used_ = static_cast<std::size_t>(write_signed_name_unchecked(name.substr(0, take), p) - data());
            name.remove_prefix(take);
        }
    }
    void put_encoded(std::string_view value, bool /*redact: hashing needs the real value*/) noexcept {
        while (!value.empty()) {
            const std::size_t take = value.size() < max_piece / 3 ? value.size() : max_piece / 3;  // at most 3 bytes per byte
            char* p = room(3 * take);
            used_ = static_cast<std::size_t>(percent_encode_unchecked(value.substr(0, take), p) - data());
            value.remove_prefix(take);
        }
    }
    std::array<char, 40> finish() noexcept {
        hash_.update(std::string_view(data(), used_));
        return to_hex(hash_.finish());
    }

private:
    static constexpr std::size_t block = 64;
    static constexpr std::size_t max_piece = 192;  // the most one write adds
    static constexpr std::size_t buffer_size = 7 * block;
    // After a drain fewer than `block` bytes remain, so any piece then fits.
    static_assert(block + max_piece <= buffer_size);

    /// Room for `n` <= max_piece bytes at the end of the buffer.
    char* room(std::size_t n) noexcept {
        if (buffer_size - used_ < n) drain();
        return data() + used_;
    }

    void drain() noexcept {
        const std::size_t whole = used_ / block * block;
        hash_.update(std::string_view(data(), whole));
        std::memmove(data(), data() + whole, used_ - whole);
        used_ -= whole;
    }

    char* data() noexcept { return reinterpret_cast<char*>(buffer_.data()); }

    sha1 hash_;
    // Only the first used_ bytes are meaningful; unsigned char so that even copying the
    // uninitialised rest is well-defined, and nothing is zeroed per signature.
    std::array<unsigned char, buffer_size> buffer_;
    std::size_t used_ = 0;
};

/// A sink that writes into a caller buffer already known to be large enough.
struct span_sink {
    char* out;
    // Each write goes through a local copy of the pointer and stores the new end last: a store
    // through `out` itself may alias `out` (a char store may alias anything), forcing reloads.
    void put(char c) noexcept {
        char* p = out;
        *p = c;
        out = p + 1;
    }
    void put(std::string_view s) noexcept { out = copy_chars(s.data(), s.size(), static_cast<char*>(out)); }
    void put_signed_name(const signed_field& f) noexcept { out = write_signed_name_unchecked(f, out); }
    void put_encoded(std::string_view value, bool) noexcept { out = percent_encode_unchecked(value, out); }
};

}  // namespace fast
}  // namespace coswire::detail
