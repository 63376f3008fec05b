// SPDX-License-Identifier: MIT
// xml::writer: builds compact XML request bodies such as Complete Multipart Upload's
// (docs/protocol/multipart.md#complete-multipart-upload), escaping text and refusing names and text XML
// 1.0 cannot carry.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/reader.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail {

/// Element names the writer accepts: ASCII letters, digits, '-', '_' and '.', starting with a
/// letter or '_'. A subset of XML Name without ':' (no prefixes needed) and without non-ASCII,
/// which is every name COS defines. Returns the offset of the first bad byte, or name.size().
constexpr std::size_t xml_name_error_offset(std::string_view name) noexcept {
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = is_alpha(c) || c == '_' || (i > 0 && (is_digit(c) || c == '-' || c == '.'));
        if (!ok) return i;
    }
    return name.size();
}

}  // namespace coswire::detail

namespace coswire::xml {

/// Appends compact XML (no declaration, no indentation) to a string it owns.
///
/// Calls chain and never fail on the spot: the first misuse or bad argument is kept, later calls
/// do nothing, and finish() reports it, so a body is built without checking each call.
/// Text is escaped (& < > " ' as entities, CR as &#13; so that it survives end-of-line
/// normalisation) and must be valid UTF-8 made of XML 1.0 characters: no control character
/// other than tab, LF and CR, no U+FFFE or U+FFFF. Whatever finish() returns, xml::reader
/// reads back to the same names and text.
///
///     xml::writer w;
///     w.start("CompleteMultipartUpload").start("Part")
///      .element("PartNumber", "1").element("ETag", "\"abc\"").end().end();
///     result<std::string> body = w.finish();
class writer {
public:
    /// Opens `<name>`. Errors (reported by finish): invalid_argument "name" when name is empty or
    /// breaks the name rule of detail::xml_name_error_offset, or when a root element was
    /// already closed (a document has one root).
    writer& start(std::string_view name) {
        if (failed_ || !valid_name(name)) return *this;
        if (open_.empty() && has_root_) {
            failed_ = make_error(errc::invalid_argument, "name",
                                 "<" + std::string(name) + "> would be a second root element");
            return *this;
        }
        out_ += '<';
        open_.push_back(name_span{out_.size(), name.size()});
        out_.append(name);
        out_ += '>';
        has_root_ = true;
        return *this;
    }

    /// Closes the innermost open element. Error (reported by finish): invalid_argument "end"
    /// when no element is open.
    writer& end() {
        if (failed_) return *this;
        if (open_.empty()) {
            failed_ = make_error(errc::invalid_argument, "end", "no open element to close");
            return *this;
        }
        const name_span name = open_.back();
        open_.pop_back();
        // The end tag repeats the name from out_ itself; reserving first means the append below
        // cannot reallocate under the pointer it copies from.
        out_.reserve(out_.size() + name.size + 3);
        out_ += "</";
        out_.append(out_.data() + name.offset, name.size);
        out_ += '>';
        return *this;
    }

    /// Writes `<name>escaped text</name>` (`<name></name>` for empty text). Errors (reported by
    /// finish): those of start, and invalid_argument "text" when text is not valid UTF-8 or holds
    /// a character XML 1.0 does not allow; the reason gives the byte offset.
    writer& element(std::string_view name, std::string_view text) {
        start(name);
        if (failed_) return *this;
        if (const std::size_t bad = detail::xml_text_error_offset(text); bad != text.size()) {
            failed_ = make_error(errc::invalid_argument, "text",
                                 "text of <" + std::string(name) + "> has invalid UTF-8 or a character XML 1.0 does not allow at byte " +
                                     std::to_string(bad));
            return *this;
        }
        append_escaped(text);
        return end();
    }

    /// Number of elements open.
    std::size_t depth() const noexcept { return open_.size(); }

    /// The document, or the first error recorded; invalid_argument "finish" when an element is
    /// still open or nothing was written. Either way the writer is left empty, ready for a new
    /// document.
    result<std::string> finish() {
        result<std::string> done = outcome();
        out_.clear();
        open_.clear();
        failed_.reset();
        has_root_ = false;
        return done;
    }

private:
    struct name_span {  // where an open element's name sits in out_
        std::size_t offset{};
        std::size_t size{};
    };

    result<std::string> outcome() {
        if (failed_) return std::move(*failed_);
        if (!open_.empty()) {
            const name_span name = open_.back();
            return make_error(errc::invalid_argument, "finish",
                              "element <" + out_.substr(name.offset, name.size) + "> is not closed");
        }
        if (!has_root_) return make_error(errc::invalid_argument, "finish", "the document has no root element");
        return std::move(out_);
    }

    bool valid_name(std::string_view name) {
        if (name.empty()) {
            failed_ = make_error(errc::invalid_argument, "name", "element names must not be empty");
            return false;
        }
        if (const std::size_t bad = detail::xml_name_error_offset(name); bad != name.size()) {
            failed_ = make_error(errc::invalid_argument, "name",
                                 "byte " + std::to_string(bad) +
                                     " of the element name is not allowed (ASCII letters, digits, '-', '_', '.'; first a letter or '_')");
            return false;
        }
        return true;
    }

    void append_escaped(std::string_view text) {
        std::size_t plain = 0;  // start of the run not yet copied
        for (std::size_t i = 0; i < text.size(); ++i) {
            std::string_view entity;
            switch (text[i]) {
                case '&': entity = "&amp;"; break;
                case '<': entity = "&lt;"; break;
                case '>': entity = "&gt;"; break;
                case '"': entity = "&quot;"; break;
                case '\'': entity = "&apos;"; break;
                case '\r': entity = "&#13;"; break;
                default: continue;
            }
            out_.append(text.substr(plain, i - plain));
            out_.append(entity);
            plain = i + 1;
        }
        out_.append(text.substr(plain));
    }

    std::string out_;
    std::vector<name_span> open_;
    std::optional<error> failed_;
    bool has_root_ = false;
};

}  // namespace coswire::xml
