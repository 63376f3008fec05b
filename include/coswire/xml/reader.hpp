// SPDX-License-Identifier: MIT
// xml::reader: a pull reader with explicit limits for the XML that COS sends (XML 1.0 with
// namespaces, no DTD), following the parsing rules of docs/protocol/xml.md.
#pragma once

#include <coswire/config.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/characters.hpp>
#include <coswire/xml/markup.hpp>
#include <coswire/xml/scan.hpp>

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

namespace coswire::detail {

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
    // doc_[from, to) without substr's range check; callers stay within doc_.
    std::string_view slice(std::size_t from, std::size_t to) const noexcept { return {doc_.data() + from, to - from}; }
    // Whether `</qname>` of the innermost element starts at p.
    bool at_end_tag_of_innermost(std::size_t p) const noexcept {
        const std::string_view qname = open_.back().qname;
        const std::size_t size = qname.size();
        return doc_.size() - p > size + 2 && doc_[p] == '<' && doc_[p + 1] == '/' && doc_[p + 2 + size] == '>' &&
               detail::xml_short_equal(doc_.data() + p + 2, qname.data(), size);
    }
    // Consumes the end tag at p that at_end_tag_of_innermost accepted, leaving the reader as
    // next() leaves it after that end_element.
    void pass_end_tag_of_innermost(std::size_t p) noexcept {
        pos_ = p + 3 + open_.back().qname.size();
        offset_ = p;
        at_start_ = false;
        open_.pop_back();
        if (open_.empty()) stage_ = stage::epilog;
    }
    bool read_text_fast(std::string_view& chars);
    result<void> begin();
    result<event> root();
    result<event> content();
    result<void> skip_misc();
    result<std::string_view> text();
    result<void> append(text_run& run, std::string_view piece, bool stable);
    result<event> start_tag();
    result<event> end_tag();
    event close_innermost(std::size_t at);
    error unsupported_markup() const;
    error misuse(std::string_view function) const;

    std::size_t skip_space() noexcept { return detail::xml_skip_space(doc_, pos_); }
    template <std::size_t N>
    bool at(const char (&s)[N]) const noexcept {
        return detail::xml_at(doc_, pos_, s);
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
    if (at("<?xml") && doc_.size() - pos_ > 5 && detail::is_xml_space(doc_[pos_ + 5])) return detail::xml_declaration(doc_, pos_);
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
    const std::size_t p = detail::xml_plain_run_end(doc_, pos_);
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
            if (auto ok = detail::xml_comment(doc_, pos_); !ok) return ok;
        } else if (at("<?")) {
            if (auto ok = detail::xml_processing_instruction(doc_, pos_, limits_.max_name_length); !ok) return ok;
        } else {
            return {};
        }
    }
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
                if (auto ok = detail::xml_comment(doc_, pos_); !ok) return std::move(ok).error();
            } else if (at("<?")) {
                if (auto ok = detail::xml_processing_instruction(doc_, pos_, limits_.max_name_length); !ok) return std::move(ok).error();
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
            const result<std::size_t> size = detail::xml_reference(doc_, pos_, decoded);
            if (!size) return size.error();
            if (auto ok = append(run, std::string_view(decoded.data(), *size), false); !ok) return std::move(ok).error();
        } else if (c == '\r') {
            // XML 1.0 section 2.11: CR LF and a lone CR both reach the application as LF.
            pos_ += (doc_.size() - pos_ > 1 && doc_[pos_ + 1] == '\n') ? 2 : 1;
            if (auto ok = append(run, "\n", true); !ok) return std::move(ok).error();
        } else {
            const std::size_t from = pos_;
            for (;;) {
                pos_ = detail::xml_plain_run_end_bytewise(doc_, pos_);
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

// STag ::= '<' Name (S Attribute)* S? '>' and EmptyElemTag ::= '<' Name (S Attribute)* S? '/>'.
inline result<event> reader::start_tag() {
    const std::size_t start = pos_;
    std::size_t prefix_size = 0;
    const result<std::string_view> qname = detail::xml_qname(doc_, pos_ + 1, limits_.max_name_length, "element name", &prefix_size);
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
        if (auto ok = detail::xml_attribute(doc_, pos_, start, limits_.max_name_length); !ok) return std::move(ok).error();
    }
    if (open_.size() >= limits_.max_depth)
        return detail::xml_error(errc::limit_exceeded, start,
                                 "elements nest deeper than max_depth (" + std::to_string(limits_.max_depth) + ")");
    const std::string_view local = qname->substr(prefix_size);
    open_.push_back(open_element{*qname, local, start});
    stage_ = stage::content;
    return event{event_kind::start_element, local, {}, open_.size(), start};
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
    const result<std::string_view> qname = detail::xml_qname(doc_, pos_ + 2, limits_.max_name_length, "element name");
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
// a limit) changes nothing and returns false, and the general path redoes the work and
// reports whatever is wrong.
inline bool reader::read_text_fast(std::string_view& chars) {
    if (pending_end_) return false;
    const std::size_t start = pos_;
    const std::size_t n = doc_.size();
    const char* const d = doc_.data();
    std::size_t p = detail::xml_plain_run_end(doc_, start);
    if (p < n && d[p] == '&') {
        // References: decoded into buffer_, which must hold the raw text up to the next '<' (a
        // reference is never shorter than what it decodes to). It only ever grows here, so COS
        // bodies, whose escaped texts are all of a size, stop paying for resize's zero fill.
        const std::size_t lt = doc_.find('<', p);
        if (lt == std::string_view::npos) return false;
        if (buffer_.size() < lt - start) buffer_.resize(lt - start);
        if (p != start) std::memcpy(buffer_.data(), d + start, p - start);
        const detail::xml_decoded_text decoded = detail::xml_decode_text(doc_, p, buffer_.data() + (p - start));
        const std::size_t size = p - start + decoded.size;
        p = decoded.end;
        if (p != lt || !at_end_tag_of_innermost(p) || size > limits_.max_text_length) return false;
        chars = std::string_view(buffer_.data(), size);
    } else {
        if (!at_end_tag_of_innermost(p) || p - start > limits_.max_text_length) return false;
        chars = p == start ? std::string_view() : slice(start, p);
    }
    pass_end_tag_of_innermost(p);
    return true;
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
