// SPDX-License-Identifier: MIT
// The canonical request of q-sign-algorithm=sha1: which parameters and headers are signed, their
// UrlParamList/HeaderList, and the HttpString (docs/protocol/signing.md#parameter-list to #httpstring,
// #what-is-signed).
#pragma once

#include <coswire/config.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#if COSWIRE_SSE2
#include <emmintrin.h>
#endif

namespace coswire {

/// A query parameter as the server decodes it. `value` is empty for a valueless parameter such
/// as `?uploads`, which signs exactly like an empty value (`uploads=`).
struct query_param {
    std::string_view name{};
    std::optional<std::string_view> value{};
};

/// A request header as it is sent.
struct header_field {
    std::string_view name{};
    std::string_view value{};
};

/// What the signer reads of a request; every member is borrowed.
struct signable_request {
    std::string_view method{};                 ///< an HTTP token, any case ("PUT")
    std::string_view path{};                   ///< UriPathname: "/" + raw object key, or "/" (decoded, verbatim)
    std::span<const query_param> params{};     ///< all are signed
    std::span<const header_field> headers{};   ///< selected by sign_options::headers
};

/// Which headers enter the signature.
enum class header_selection {
    standard,  ///< the official SDKs' set plus every x-cos-* / x-ci-* header (default)
    all,       ///< every header given
    listed,    ///< exactly the headers named in sign_options::listed_headers (when present)
};

struct sign_options {
    header_selection headers = header_selection::standard;
    std::span<const std::string_view> listed_headers{};  ///< names for header_selection::listed
};

/// The most parameters, and the most headers, one request may have; bounds the signer's stack.
inline constexpr std::size_t max_signed_fields = 128;

/// Header names signed under header_selection::standard (lower-case), besides x-cos-* and
/// x-ci-*: the Node 3.x / C++ / Python set (docs/protocol/signing.md#what-is-signed). `date` and
/// `user-agent` are deliberately absent (not signed by any SDK).
inline constexpr std::array<std::string_view, 17> standard_signed_headers = {
    "cache-control", "content-disposition", "content-encoding", "content-length", "content-md5",
    "content-type", "expect", "expires", "host", "if-match", "if-modified-since", "if-none-match",
    "if-unmodified-since", "origin", "pic-operations", "range", "transfer-encoding"};

/// True when `name` (any case) is signed under header_selection::standard.
constexpr bool is_standard_signed_header(std::string_view name) noexcept {
    if (detail::istarts_with(name, "x-cos-") || detail::istarts_with(name, "x-ci-")) return true;
    for (std::string_view h : standard_signed_headers)
        if (detail::iequals(name, h)) return true;
    return false;
}

namespace detail {

/// One signed name/value pair; `redact` marks a security token, whose value is hashed but
/// never shown in an explanation.
struct signed_field {
    std::string_view name;
    std::string_view value;
    bool redact = false;
    bool plain_name = false;  ///< every byte of name is unreserved: its signed form is lower(name)
};

/// Fields whose value is a session token: secret, so explanations show "***".
constexpr bool is_token_field(std::string_view name) noexcept {
    return iequals(name, "x-cos-security-token") || iequals(name, "x-ci-security-token");
}

/// Emits lower(enc(name)) one byte at a time, so names can be compared and written in their
/// signed form without building it (docs/protocol/signing.md#parameter-list, step 1).
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

/// Writes lower(enc(name)) at `out` and returns its end. Precondition (unchecked): `out` has
/// room for signed_name_size(name) bytes, at most 3 * name.size().
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

/// HTTP stacks strip leading and trailing blanks from field values, so the signed value must
/// be the trimmed one (docs/protocol/signing.md#header-list).
constexpr std::string_view trim_blanks(std::string_view v) noexcept {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

/// What signed_field_list::try_insert did.
enum class insert_status { inserted, full, duplicate };

/// A sorted, duplicate-free list of signed fields kept on the stack.
///
/// The slots are left uninitialised until a field is stored (a list has room for 129 fields,
/// about 5 KB, and a request signs a handful), and copies copy only the fields in use.
class signed_field_list {
    union slot {
        constexpr slot() noexcept {}  // no active member: nothing is written
        signed_field field;
    };

public:
    /// Iterates the fields in signed-name order.
    class const_iterator {
    public:
        using value_type = signed_field;
        using difference_type = std::ptrdiff_t;
        using reference = const signed_field&;
        using pointer = const signed_field*;

        constexpr const_iterator() noexcept = default;
        constexpr reference operator*() const noexcept { return p_->field; }
        constexpr pointer operator->() const noexcept { return &p_->field; }
        constexpr const_iterator& operator++() noexcept {
            ++p_;
            return *this;
        }
        constexpr const_iterator operator++(int) noexcept {
            const_iterator old = *this;
            ++p_;
            return old;
        }
        friend constexpr bool operator==(const_iterator, const_iterator) noexcept = default;

    private:
        friend class signed_field_list;
        constexpr explicit const_iterator(const slot* p) noexcept : p_(p) {}
        const slot* p_ = nullptr;
    };

    constexpr signed_field_list() noexcept {}
    constexpr signed_field_list(const signed_field_list& other) noexcept { copy_from(other); }
    constexpr signed_field_list& operator=(const signed_field_list& other) noexcept {
        if (this != &other) copy_from(other);
        return *this;
    }

    constexpr std::size_t size() const noexcept { return size_; }
    constexpr void clear() noexcept {
        size_ = 0;
        names_size_ = 0;
    }
    constexpr const signed_field& operator[](std::size_t i) const noexcept { return slots_[i].field; }
    constexpr const_iterator begin() const noexcept { return const_iterator(slots_); }
    constexpr const_iterator end() const noexcept { return const_iterator(slots_ + size_); }

    /// Inserts in signed-name order and marks a session token for redaction; refuses a name
    /// equal (after encoding and lower-casing) to one already present, and a full list.
    constexpr insert_status try_insert(signed_field f) noexcept { return try_insert(f, signed_name_size(f.name)); }

    /// try_insert() for a field whose signed_name_size(f.name) the caller already knows.
    constexpr insert_status try_insert(signed_field f, std::size_t signed_size) noexcept {
        if (size_ == capacity) return insert_status::full;
        std::size_t pos = size_;
        while (pos > 0) {
            const int order = compare_signed_names(slots_[pos - 1].field.name, f.name);
            if (order == 0) return insert_status::duplicate;
            if (order < 0) break;
            --pos;
        }
        for (std::size_t i = size_; i > pos; --i) slots_[i].field = slots_[i - 1].field;
        f.redact = is_token_field(f.name);
        f.plain_name = signed_size == f.name.size();
        slots_[pos].field = f;
        ++size_;
        names_size_ += signed_size;
        return insert_status::inserted;
    }

    /// Inserts in signed-name order; refuses a name equal to one already present.
    result<void> insert(signed_field f, std::string_view argument) {
        const insert_status status = try_insert(f);
        if (status != insert_status::inserted) [[unlikely]]
            return insert_error(status, f.name, argument);
        return {};
    }

    /// The error insert() reports for a refused field.
    static error insert_error(insert_status status, std::string_view name, std::string_view argument) {
        if (status == insert_status::full)
            return make_error(errc::limit_exceeded, argument,
                              "more than " + std::to_string(max_signed_fields) + " signed fields");
        return make_error(errc::invalid_argument, argument,
                          "duplicate name '" + std::string(name) +
                              "' (names are compared after encoding and lower-casing)");
    }

    /// Length of "k1;k2;..." (UrlParamList / HeaderList); kept up to date by try_insert.
    constexpr std::size_t list_size() const noexcept { return names_size_ + (size_ > 0 ? size_ - 1 : 0); }

    /// The field whose signed name equals lower(enc(name)), if any.
    constexpr const signed_field* find(std::string_view name) const noexcept {
        for (const auto& f : *this)
            if (compare_signed_names(f.name, name) == 0) return &f;
        return nullptr;
    }

private:
    static constexpr std::size_t capacity = max_signed_fields + 1;  // +1: the session token

    constexpr void copy_from(const signed_field_list& other) noexcept {
        for (std::size_t i = 0; i < other.size_; ++i) slots_[i].field = other.slots_[i].field;
        size_ = other.size_;
        names_size_ = other.names_size_;
    }

    slot slots_[capacity];
    std::size_t size_ = 0;
    std::size_t names_size_ = 0;  // sum of signed_name_size over the fields
};

/// "header #2 value" — built only when an error is reported, so valid input never allocates.
inline std::string field_label(std::string_view kind, std::size_t index, std::string_view part) {
    return std::string(kind) + " #" + std::to_string(index) + " " + std::string(part);
}

/// The error for text that scan_text() rejected: the control byte when it found one (those are
/// checked first), else the UTF-8 error. `label` names the offending piece in the reason.
template <class Label>
error text_error(std::string_view text, const text_scan& scan, std::string_view argument, Label&& label) {
    if (scan.control != text.size())
        return make_error(errc::invalid_argument, argument,
                          label() + " contains a control character (CR, LF, NUL or other) at byte " +
                              std::to_string(scan.control));
    return make_error(errc::invalid_argument, argument,
                      label() + " is not valid UTF-8 (byte " + std::to_string(scan.utf8_error) + ")");
}

constexpr bool scan_passed(std::string_view text, const text_scan& scan) noexcept {
    return scan.control == text.size() && scan.utf8_error == text.size();
}

/// The session token as the signed field x-cos-security-token: added when the request does not
/// carry it, checked when it does (a different value would be sent unsigned).
inline result<void> add_session_token(signed_field_list& list, std::string_view token, std::string_view argument) {
    constexpr std::string_view name = "x-cos-security-token";
    if (const signed_field* present = list.find(name)) {
        if (present->value != token)
            return make_error(errc::invalid_argument, argument,
                              "carries an x-cos-security-token that differs from the credentials' session token");
        return {};
    }
    return list.insert({name, token}, argument);
}

}  // namespace detail

/// The parameters and headers chosen for signing, validated and sorted by signed name. Borrows
/// every string of the signable_request (and the session token) it was made from.
struct canonical_request {
    std::string_view method{};
    std::string_view path{};
    detail::signed_field_list params{};
    detail::signed_field_list headers{};
};

/// Where the session token goes: a header for ordinary requests, a query parameter for
/// presigned URLs (docs/protocol/signing.md#temporary-credentials).
enum class token_placement { header, query };

namespace detail {

// The error builders of canonicalize_into, kept out of its loops.
inline error method_error() { return make_error(errc::invalid_argument, "method", "must be a non-empty HTTP token"); }

inline error path_error(std::string_view path, const text_scan& scan) {
    if (path.empty()) return make_error(errc::invalid_argument, "path", "must not be empty (use \"/\")");
    if (scan.control != path.size())
        return make_error(errc::invalid_argument, "path",
                          "contains a control character at byte " + std::to_string(scan.control));
    return make_error(errc::invalid_argument, "path",
                      "path is not valid UTF-8 (byte " + std::to_string(scan.utf8_error) + ")");
}

inline error count_error(const signable_request& request) {
    return make_error(errc::limit_exceeded, request.params.size() > max_signed_fields ? "params" : "headers",
                      "more than " + std::to_string(max_signed_fields) + " entries");
}

inline error param_error(std::size_t i, const query_param& p, std::string_view value, const text_scan& name_scan,
                         const text_scan& value_scan) {
    if (p.name.empty())
        return make_error(errc::invalid_argument, "params", field_label("parameter", i, "has an empty name"));
    if (!scan_passed(p.name, name_scan))
        return text_error(p.name, name_scan, "params", [i] { return field_label("parameter", i, "name"); });
    return text_error(value, value_scan, "params", [i] { return field_label("parameter", i, "value"); });
}

inline error header_name_error(std::size_t i) {
    return make_error(errc::invalid_argument, "headers", field_label("header", i, "name is not an HTTP token"));
}

inline error duplicate_header_error(std::string_view name) {
    return make_error(errc::invalid_argument, "headers", "duplicate header '" + std::string(name) + "'");
}

inline error header_value_error(std::string_view name, std::string_view value, const text_scan& scan) {
    return text_error(value, scan, "headers", [name] { return "header '" + std::string(name) + "' value"; });
}

inline error token_error(std::string_view token, const text_scan& scan) {
    return text_error(token, scan, "session_token", [] { return std::string("the session token"); });
}

constexpr bool is_selected(const sign_options& options, std::string_view name) noexcept {
    switch (options.headers) {
        case header_selection::standard: return is_standard_signed_header(name);
        case header_selection::all: return true;
        case header_selection::listed:
            for (std::string_view n : options.listed_headers)
                if (iequals(n, name)) return true;
            return false;
    }
    return false;
}

}  // namespace detail

/// Like canonicalize(), but fills `out` in place instead of returning a canonical_request (which
/// holds room for 2 × 129 fields): the signer's hot path. On an error `out` holds a partial
/// result that must not be used. Errors: those of canonicalize().
inline result<void> canonicalize_into(canonical_request& out, const signable_request& request,
                                      const sign_options& options, std::string_view session_token = {},
                                      token_placement placement = token_placement::header) {
    out.params.clear();
    out.headers.clear();
    if (!detail::is_token(request.method)) [[unlikely]]
        return detail::method_error();
    out.method = request.method;

    // Real requests sign "/" + key (map_object_key builds it); the path is taken verbatim so the
    // C++ SDK's published vectors, which sign "xxxx", stay reproducible. No control byte at all
    // (not even HTAB), and valid UTF-8.
    const detail::text_scan path_scan = detail::scan_text(request.path, detail::control_bytes::forbidden);
    if (request.path.empty() || !detail::scan_passed(request.path, path_scan)) [[unlikely]]
        return detail::path_error(request.path, path_scan);
    out.path = request.path;

    if (request.params.size() > max_signed_fields || request.headers.size() > max_signed_fields) [[unlikely]]
        return detail::count_error(request);

    for (std::size_t i = 0; i < request.params.size(); ++i) {
        const query_param& p = request.params[i];
        const std::string_view value = p.value.value_or(std::string_view{});
        const detail::text_scan name_scan = detail::scan_text(p.name, detail::control_bytes::allowed);
        const detail::text_scan value_scan = detail::scan_text(value, detail::control_bytes::allowed);
        if (p.name.empty() || !detail::scan_passed(p.name, name_scan) || !detail::scan_passed(value, value_scan))
            [[unlikely]]
            return detail::param_error(i, p, value, name_scan, value_scan);
        const detail::insert_status status = out.params.try_insert({p.name, value});
        if (status != detail::insert_status::inserted) [[unlikely]]
            return detail::signed_field_list::insert_error(status, p.name, "params");
    }

    for (std::size_t i = 0; i < request.headers.size(); ++i) {
        const header_field& h = request.headers[i];
        const std::size_t name_size = detail::token_signed_name_size(h.name);
        if (name_size == 0) [[unlikely]]
            return detail::header_name_error(i);
        for (std::size_t j = 0; j < i; ++j)
            if (detail::iequals(request.headers[j].name, h.name)) [[unlikely]]
                return detail::duplicate_header_error(h.name);
        const detail::text_scan scan = detail::scan_text(h.value, detail::control_bytes::forbidden_but_htab);
        if (!detail::scan_passed(h.value, scan)) [[unlikely]]
            return detail::header_value_error(h.name, h.value, scan);
        if (!detail::is_selected(options, h.name)) continue;
        const detail::insert_status status = out.headers.try_insert({h.name, detail::trim_blanks(h.value)}, name_size);
        if (status != detail::insert_status::inserted) [[unlikely]]
            return detail::signed_field_list::insert_error(status, h.name, "headers");
    }

    if (!session_token.empty()) {
        const detail::text_scan scan = detail::scan_text(session_token, detail::control_bytes::forbidden_but_htab);
        if (!detail::scan_passed(session_token, scan)) [[unlikely]]
            return detail::token_error(session_token, scan);
        auto added = placement == token_placement::header
                         ? detail::add_session_token(out.headers, session_token, "headers")
                         : detail::add_session_token(out.params, session_token, "params");
        if (!added) [[unlikely]]
            return std::move(added).error();
    }
    return {};
}

/// Validates `request` and selects, encodes-in-order and sorts what is signed. `session_token`
/// (empty for none) is added as x-cos-security-token where `placement` says.
/// Errors (invalid_argument unless noted): method not a token ("method"); path empty, not
/// not UTF-8 or holding control characters ("path"); a parameter name or
/// value not UTF-8, or a repeated parameter name ("params"); a header name that is not a token,
/// a value with CR/LF/NUL/controls or not UTF-8, or a repeated header ("headers"); more than
/// max_signed_fields of either (limit_exceeded).
inline result<canonical_request> canonicalize(const signable_request& request, const sign_options& options,
                                              std::string_view session_token = {},
                                              token_placement placement = token_placement::header) {
    canonical_request out;
    if (auto ok = canonicalize_into(out, request, options, session_token, placement); !ok)
        return std::move(ok).error();
    return out;
}

namespace detail {

/// Writes the pieces of the HttpString and the lists to any sink with put(char),
/// put(std::string_view) and put_encoded(value, redact); used for hashing (no allocation) and
/// for explanations alike. A sink may add put_signed_name(field) to write names in bulk.
template <class Sink>
constexpr void write_signed_name(Sink& sink, const signed_field& f) {
    if constexpr (requires { sink.put_signed_name(f); }) {
        sink.put_signed_name(f);
    } else {
        encoded_lower_name n(f.name);
        while (!n.done()) sink.put(n.next());
    }
}

template <class Sink>
constexpr void write_list(Sink& sink, const signed_field_list& list) {
    bool first = true;
    for (const auto& f : list) {
        if (!first) sink.put(';');
        first = false;
        write_signed_name(sink, f);
    }
}

template <class Sink>
constexpr void write_pairs(Sink& sink, const signed_field_list& list) {
    bool first = true;
    for (const auto& f : list) {
        if (!first) sink.put('&');
        first = false;
        write_signed_name(sink, f);
        sink.put('=');
        sink.put_encoded(f.value, f.redact);
    }
}

/// HttpString = lower(method) \n path \n HttpParameters \n HttpHeaders \n  (docs/protocol/signing.md#httpstring)
template <class Sink>
constexpr void write_http_string(Sink& sink, const coswire::canonical_request& c) {
    for (char ch : c.method) sink.put(to_lower(ch));
    sink.put('\n');
    sink.put(c.path);
    sink.put('\n');
    write_pairs(sink, c.params);
    sink.put('\n');
    write_pairs(sink, c.headers);
    sink.put('\n');
}

/// A sink that builds a std::string; the session token's value shows as "***".
struct string_sink {
    std::string& out;
    void put(char c) { out.push_back(c); }
    void put(std::string_view s) { out.append(s); }
    void put_signed_name(const signed_field& f) {
        const std::size_t old_size = out.size();
        out.resize(old_size + signed_name_size(f.name));
        write_signed_name_unchecked(f, out.data() + old_size);
    }
    void put_encoded(std::string_view value, bool redact) {
        if (redact) out.append("***");
        else percent_encode_append(out, value);
    }
};

}  // namespace detail

/// UrlParamList of a canonical request ("k1;k2;...").
inline std::string url_param_list(const canonical_request& c) {
    std::string out;
    out.reserve(c.params.list_size());
    detail::string_sink sink{out};
    detail::write_list(sink, c.params);
    return out;
}

/// HeaderList of a canonical request ("k1;k2;...").
inline std::string header_list(const canonical_request& c) {
    std::string out;
    out.reserve(c.headers.list_size());
    detail::string_sink sink{out};
    detail::write_list(sink, c.headers);
    return out;
}

/// The HttpString for explanations: exact, except that a session token's value reads "***".
inline std::string http_string(const canonical_request& c) {
    std::string out;
    detail::string_sink sink{out};
    detail::write_http_string(sink, c);
    return out;
}

}  // namespace coswire
