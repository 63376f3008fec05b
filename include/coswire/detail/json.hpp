// SPDX-License-Identifier: MIT
// A minimal JSON reader with limits (RFC 8259): reads one object and returns its top-level
// members, or one array and its elements; nested values are checked and kept as their text, to
// be read the same way. Enough for the instance metadata service's credential document and a
// POST Object policy, small enough to fuzz completely.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/detail/decimal.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coswire::detail::json {

/// Bounds on what the reader accepts; crossing one gives errc::limit_exceeded.
struct limits {
    std::size_t max_document_size = std::size_t{64} << 10;  ///< bytes of input
    std::size_t max_depth = 16;                              ///< objects and arrays open at once
    std::size_t max_string_length = std::size_t{16} << 10;  ///< decoded bytes of one string or name
    std::size_t max_members = 256;                           ///< members of the top-level object
};

enum class kind { null, boolean, number, string, object, array };

/// One top-level member (or array element, with an empty name). `value` holds a string's
/// decoded text or a number's or boolean's literal text; it is empty for null, objects and
/// arrays, whose content is checked and viewed by `raw`.
struct member {
    std::string name{};
    kind type = kind::null;
    std::string value{};
    /// An object's or array's text, a view of the text parsed (read it with parse_object or
    /// parse_array while that text lives); empty for other kinds.
    std::string_view raw{};
};

namespace impl {

class parser {
public:
    parser(std::string_view text, const limits& l, std::string_view argument) : s_(text), limits_(l), argument_(argument) {}

    result<std::vector<member>> top_object() {
        skip_space();
        if (!consume('{')) return fail("expected '{' at the start");
        std::vector<member> members;
        skip_space();
        if (consume('}')) return finish(std::move(members));
        for (;;) {
            skip_space();
            member m;
            const std::size_t name_at = at_;
            if (auto name = string_value(); !name) return std::move(name).error();
            else m.name = std::move(*name);
            for (const member& seen : members)
                if (seen.name == m.name) {
                    at_ = name_at;
                    return fail("a member name appears twice");
                }
            if (members.size() == limits_.max_members) return limit("more members than max_members");
            skip_space();
            if (!consume(':')) return fail("expected ':' after a member name");
            skip_space();
            if (auto v = value(m, 1); !v) return std::move(v).error();
            members.push_back(std::move(m));
            skip_space();
            if (consume('}')) return finish(std::move(members));
            if (!consume(',')) return fail("expected ',' or '}' after a member");
        }
    }

    result<std::vector<member>> top_array() {
        skip_space();
        if (!consume('[')) return fail("expected '[' at the start");
        std::vector<member> elements;
        skip_space();
        if (consume(']')) return finish(std::move(elements));
        for (;;) {
            skip_space();
            if (elements.size() == limits_.max_members) return limit("more elements than max_members");
            member m;
            if (auto v = value(m, 1); !v) return std::move(v).error();
            elements.push_back(std::move(m));
            skip_space();
            if (consume(']')) return finish(std::move(elements));
            if (!consume(',')) return fail("expected ',' or ']' after an element");
        }
    }

private:
    result<std::vector<member>> finish(std::vector<member> members) {
        skip_space();
        if (at_ != s_.size()) return fail("unexpected bytes after the object");
        return members;
    }

    // Reads one value at nesting `depth` (the top-level object is depth 1). `out` receives the
    // kind and, for scalars, the text; nested containers are read into a scratch member.
    result<void> value(member& out, std::size_t depth) {
        if (at_ == s_.size()) return fail("expected a value");
        const char c = s_[at_];
        if (c == '"') {
            out.type = kind::string;
            auto text = string_value();
            if (!text) return std::move(text).error();
            out.value = std::move(*text);
            return {};
        }
        if (c == '{' || c == '[') {
            out.type = c == '{' ? kind::object : kind::array;
            const std::size_t start = at_;
            if (auto ok = container(depth + 1); !ok) return ok;
            out.raw = s_.substr(start, at_ - start);
            return {};
        }
        if (c == '-' || is_digit(c)) {
            out.type = kind::number;
            return number(out.value);
        }
        for (std::string_view word : {std::string_view("true"), std::string_view("false"), std::string_view("null")}) {
            if (s_.substr(at_, word.size()) == word) {
                at_ += word.size();
                out.type = word == "null" ? kind::null : kind::boolean;
                if (word != "null") out.value = std::string(word);
                return {};
            }
        }
        return fail("expected a value");
    }

    // An object or array below the top level: checked, nothing kept.
    result<void> container(std::size_t depth) {
        if (depth > limits_.max_depth) return limit("nesting deeper than max_depth");
        const bool is_object = s_[at_] == '{';
        const char close = is_object ? '}' : ']';
        ++at_;
        skip_space();
        if (consume(close)) return {};
        for (;;) {
            skip_space();
            if (is_object) {
                if (auto name = string_value(); !name) return std::move(name).error();
                skip_space();
                if (!consume(':')) return fail("expected ':' after a member name");
                skip_space();
            }
            member scratch;
            if (auto v = value(scratch, depth); !v) return v;
            skip_space();
            if (consume(close)) return {};
            if (!consume(',')) return fail(is_object ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array");
        }
    }

    // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    result<void> number(std::string& out) {
        const std::size_t start = at_;
        consume('-');
        if (!consume('0') && !skip_digits()) return fail("a number needs a digit");
        if (consume('.') && !skip_digits()) return fail("a number needs a digit after '.'");
        if (consume('e') || consume('E')) {
            if (!consume('+')) consume('-');
            if (!skip_digits()) return fail("a number needs a digit in its exponent");
        }
        if (at_ - start > 64) return limit("a number longer than 64 characters");
        out.assign(s_.substr(start, at_ - start));
        return {};
    }

    // A string at s_[at_] == '"'; returns its decoded UTF-8 text.
    result<std::string> string_value() {
        if (!consume('"')) return fail("expected a string");
        std::string out;
        for (;;) {
            if (at_ == s_.size()) return fail("a string is not closed");
            const char c = s_[at_];
            if (out.size() > limits_.max_string_length) return limit("a string longer than max_string_length");
            if (c == '"') {
                ++at_;
                if (out.size() > limits_.max_string_length) return limit("a string longer than max_string_length");
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) return fail("a control character inside a string");
            if (c == '\\') {
                if (auto ok = escape(out); !ok) return std::move(ok).error();
                continue;
            }
            if (static_cast<unsigned char>(c) < 0x80) {
                out.push_back(c);
                ++at_;
                continue;
            }
            const std::size_t n = utf8_sequence_size(s_, at_);
            if (n == 0) return fail("invalid UTF-8 inside a string");
            out.append(s_.substr(at_, n));
            at_ += n;
        }
    }

    result<void> escape(std::string& out) {
        const std::size_t start = at_;
        ++at_;  // the backslash
        if (at_ == s_.size()) return fail("a string ends inside an escape");
        const char e = s_[at_++];
        switch (e) {
            case '"': out.push_back('"'); return {};
            case '\\': out.push_back('\\'); return {};
            case '/': out.push_back('/'); return {};
            case 'b': out.push_back('\b'); return {};
            case 'f': out.push_back('\f'); return {};
            case 'n': out.push_back('\n'); return {};
            case 'r': out.push_back('\r'); return {};
            case 't': out.push_back('\t'); return {};
            case 'u': break;
            default: --at_; return fail("an unknown escape");
        }
        auto unit = hex4();
        if (!unit) return std::move(unit).error();
        std::uint32_t code = *unit;
        // Surrogate errors point at the escape that starts the broken pair.
        if (code >= 0xDC00 && code <= 0xDFFF) {
            at_ = start;
            return fail("a low surrogate without a high one");
        }
        if (code >= 0xD800 && code <= 0xDBFF) {
            // A high surrogate must be followed by \u and a low surrogate (UTF-16 pair).
            const bool paired = s_.substr(at_, 2) == "\\u";
            if (paired) at_ += 2;
            auto low = paired ? hex4() : result<std::uint32_t>(0u);
            if (!low) return std::move(low).error();
            if (*low < 0xDC00 || *low > 0xDFFF) {
                at_ = start;
                return fail("a high surrogate without a low one");
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
        }
        append_utf8(out, code);
        return {};
    }

    result<std::uint32_t> hex4() {
        if (s_.size() - at_ < 4) return fail("\\u needs four hex digits");
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const int d = hex_digit_value(s_[at_]);
            if (d < 0) return fail("\\u needs four hex digits");
            v = v * 16 + static_cast<std::uint32_t>(d);
            ++at_;
        }
        return v;
    }

    static void append_utf8(std::string& out, std::uint32_t code) {
        if (code < 0x80) {
            out.push_back(static_cast<char>(code));
        } else if (code < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (code >> 6)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else if (code < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (code >> 12)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (code >> 18)));
            out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        }
    }

    bool skip_digits() {
        const std::size_t start = at_;
        while (at_ < s_.size() && is_digit(s_[at_])) ++at_;
        return at_ > start;
    }
    void skip_space() {
        while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r')) ++at_;
    }
    bool consume(char c) {
        if (at_ < s_.size() && s_[at_] == c) {
            ++at_;
            return true;
        }
        return false;
    }

    // Errors name the offset, never the text: the document may hold a secret.
    error fail(std::string_view what) const { return at(errc::malformed_response, what); }
    error limit(std::string_view what) const { return at(errc::limit_exceeded, what); }
    error at(errc code, std::string_view what) const {
        error e = make_error(code, argument_, "JSON: " + std::string(what) + " at byte " + std::to_string(at_));
        e.size = at_;
        return e;
    }

    std::string_view s_;
    const limits& limits_;
    std::string_view argument_;
    std::size_t at_ = 0;
};

inline error too_large(std::string_view text, std::string_view argument) {
    return make_error(errc::limit_exceeded, argument, "JSON: " + std::to_string(text.size()) + " bytes, more than max_document_size");
}

}  // namespace impl

/// Reads `text` as one JSON object and returns its top-level members in order. Errors:
/// errc::malformed_response (offset in error::size) for text that is not one object, or that
/// repeats a top-level name; errc::limit_exceeded when a limit is crossed. Errors are reported
/// under `argument` (a static name) and never quote the text.
inline result<std::vector<member>> parse_object(std::string_view text, std::string_view argument, const limits& l = {}) {
    if (text.size() > l.max_document_size) return impl::too_large(text, argument);
    return impl::parser(text, l, argument).top_object();
}

/// Reads `text` as one JSON array and returns its elements in order, as parse_object returns
/// members (names empty; max_members bounds the count). Errors as for parse_object.
inline result<std::vector<member>> parse_array(std::string_view text, std::string_view argument, const limits& l = {}) {
    if (text.size() > l.max_document_size) return impl::too_large(text, argument);
    return impl::parser(text, l, argument).top_array();
}

/// The member named `name`, if present.
inline const member* find(const std::vector<member>& members, std::string_view name) noexcept {
    for (const member& m : members)
        if (m.name == name) return &m;
    return nullptr;
}

/// A number's literal text as a signed 64-bit integer: only -?[0-9]+ that fits; no fraction,
/// exponent or overflow.
inline std::optional<std::int64_t> to_int64(std::string_view number) noexcept {
    const auto parsed = parse_signed_decimal(number);
    if (!parsed) return std::nullopt;
    return parsed.value;
}

}  // namespace coswire::detail::json
