// SPDX-License-Identifier: MIT
// The XML 1.0 productions the reader recognises outside character data, each a function from a
// document position to the end of what it read: qualified names, the XML declaration, comments,
// processing instructions and attributes. Each moves `pos` past what it accepts, or returns the
// error (errc::malformed_response or limit_exceeded, with the document offset) and leaves `pos`
// meaningless; none keeps state, so the reader's stage machine stays in reader.hpp.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/characters.hpp>
#include <coswire/xml/scan.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace coswire::detail {

/// Whether the literal s (without its terminator) starts at doc[pos]; pos never exceeds
/// doc.size(). A template so the comparison unrolls instead of calling memcmp.
template <std::size_t N>
constexpr bool xml_at(std::string_view doc, std::size_t pos, const char (&s)[N]) noexcept {
    if (doc.size() - pos < N - 1) return false;
    for (std::size_t i = 0; i + 1 < N; ++i)
        if (doc[pos + i] != s[i]) return false;
    return true;
}

/// Moves pos past XML whitespace (S, XML 1.0 section 2.3); returns how many bytes that was.
constexpr std::size_t xml_skip_space(std::string_view doc, std::size_t& pos) noexcept {
    const std::size_t from = pos;
    pos = xml_space_run_end_bytewise(doc, pos);
    return pos - from;
}

// Name (XML 1.0 section 2.3) that is also a QName (Namespaces in XML 1.0 section 3): at most one ':',
// with a non-empty part on each side. Sets *prefix_size, when given, to the length of the prefix and
// its colon (0 without one).
inline result<std::string_view> xml_qname(std::string_view doc, std::size_t at, std::size_t max_name_length, std::string_view what,
                                          std::size_t* prefix_size = nullptr) {
    std::size_t end = at;
    std::uint8_t seen = 0;  // union of the byte classes, to notice a colon without searching
    if (end < doc.size() && is_xml_name_start(doc[end])) {
        seen = xml_byte_class(doc[end]);
        ++end;
        // Scanning one byte past the limit is enough to know it is crossed.
        const std::size_t stop = doc.size() - at > max_name_length + 1 ? at + max_name_length + 1 : doc.size();
        while (end < stop) {
            const std::uint8_t c = xml_byte_class(doc[end]);
            if ((c & xml_name_byte) == 0) break;
            seen |= c;
            ++end;
        }
    }
    const std::size_t size = end - at;
    if (size == 0) return xml_error(errc::malformed_response, at, "missing " + std::string(what));
    if (size > max_name_length)
        return xml_error(errc::limit_exceeded, at,
                                 std::string(what) + " is longer than max_name_length (" + std::to_string(max_name_length) + " bytes)");
    const std::string_view qname(doc.data() + at, end - at);  // within doc: no substr range check
    if ((seen & xml_colon_byte) == 0) {
        if (prefix_size != nullptr) *prefix_size = 0;
        return qname;
    }
    const std::size_t colon = qname.find(':');
    if (colon == 0 || colon + 1 == size || qname.find(':', colon + 1) != std::string_view::npos)
        return xml_error(errc::malformed_response, at,
                                 std::string(what) + " '" + std::string(qname) + "' is not a valid qualified name");
    if (prefix_size != nullptr) *prefix_size = colon + 1;
    return qname;
}

// XMLDecl ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>' (XML 1.0 section 2.8); each part is
// S name S? '=' S? quoted value, in this order. COS writes version='1.0' encoding='utf-8'.
inline result<void> xml_declaration(std::string_view doc, std::size_t& pos) {
    static constexpr std::array<std::string_view, 3> keys{"version", "encoding", "standalone"};
    const std::size_t start = pos;
    pos += 5;
    std::size_t next_key = 0;
    for (;;) {
        const std::size_t spaces = xml_skip_space(doc, pos);
        if (xml_at(doc, pos, "?>")) break;
        if (pos == doc.size()) return xml_error(errc::malformed_response, start, "unterminated XML declaration");
        const std::size_t key_at = pos;
        while (pos < doc.size() && is_alpha(doc[pos])) ++pos;
        const std::string_view key = doc.substr(key_at, pos - key_at);
        std::size_t index = next_key;
        while (index < keys.size() && keys[index] != key) ++index;
        if (spaces == 0 || index == keys.size() || (next_key == 0 && index != 0))
            return xml_error(errc::malformed_response, key_at,
                                     "expected version, then optionally encoding and standalone, in the XML declaration");
        next_key = index + 1;
        xml_skip_space(doc, pos);
        if (!xml_at(doc, pos, "=")) return xml_error(errc::malformed_response, pos, "expected '=' in the XML declaration");
        ++pos;
        xml_skip_space(doc, pos);
        if (!xml_at(doc, pos, "\"") && !xml_at(doc, pos, "'"))
            return xml_error(errc::malformed_response, pos, "expected a quoted value in the XML declaration");
        const std::size_t close = doc.find(doc[pos], pos + 1);
        if (close == std::string_view::npos)
            return xml_error(errc::malformed_response, start, "unterminated XML declaration");
        const std::string_view value = doc.substr(pos + 1, close - pos - 1);
        const std::size_t value_at = pos;
        pos = close + 1;
        bool valid = false;
        if (index == 0) {  // VersionNum ::= '1.' [0-9]+
            valid = value.size() > 2 && value.starts_with("1.");
            for (std::size_t i = 2; valid && i < value.size(); ++i) valid = is_digit(value[i]);
        } else if (index == 1) {
            valid = iequals(value, "utf-8");
        } else {
            valid = value == "yes" || value == "no";
        }
        if (!valid)
            return xml_error(errc::malformed_response, value_at,
                                     "unsupported " + std::string(key) + " in the XML declaration (need version 1.x, encoding UTF-8, standalone yes or no)");
    }
    if (next_key == 0) return xml_error(errc::malformed_response, start, "the XML declaration has no version");
    pos += 2;
    return {};
}

// Comment ::= '<!--' ((Char - '-') | ('-' (Char - '-')))* '-->' : "--" may only end it.
inline result<void> xml_comment(std::string_view doc, std::size_t& pos) {
    const std::size_t start = pos;
    const std::size_t dashes = doc.find("--", pos + 4);
    if (dashes == std::string_view::npos || doc.size() - dashes < 3)
        return xml_error(errc::malformed_response, start, "unterminated comment");
    if (doc[dashes + 2] != '>')
        return xml_error(errc::malformed_response, dashes, "'--' is not allowed inside a comment");
    pos = dashes + 3;
    return {};
}

// PI ::= '<?' PITarget (S (Char* - (Char* '?>' Char*)))? '?>', where PITarget is not "xml" in
// any case: that name is the declaration, which may only open the document.
inline result<void> xml_processing_instruction(std::string_view doc, std::size_t& pos, std::size_t max_name_length) {
    const std::size_t start = pos;
    const result<std::string_view> target = xml_qname(doc, pos + 2, max_name_length, "processing instruction target");
    if (!target) return target.error();
    if (iequals(*target, "xml"))
        return xml_error(errc::malformed_response, start, "the XML declaration may only open the document");
    pos = start + 2 + target->size();
    const std::size_t spaces = xml_skip_space(doc, pos);
    const std::size_t close = doc.find("?>", pos);
    if (close == std::string_view::npos)
        return xml_error(errc::malformed_response, start, "unterminated processing instruction");
    if (spaces == 0 && close != pos)
        return xml_error(errc::malformed_response, pos, "expected whitespace or '?>' after the processing instruction target");
    pos = close + 2;
    return {};
}

// Attribute ::= Name S? '=' S? AttValue, where AttValue is quoted with " or ', holds no '<', and
// each '&' in it starts a valid reference. The value is checked, not kept.
inline result<void> xml_attribute(std::string_view doc, std::size_t& pos, std::size_t tag_offset, std::size_t max_name_length) {
    const result<std::string_view> attr = xml_qname(doc, pos, max_name_length, "attribute name");
    if (!attr) return attr.error();
    pos += attr->size();
    const auto cut_short = [&] {
        return xml_error(errc::malformed_response, tag_offset, "unterminated start tag");
    };
    xml_skip_space(doc, pos);
    if (pos == doc.size()) return cut_short();
    if (!xml_at(doc, pos, "=")) return xml_error(errc::malformed_response, pos, "expected '=' after the attribute name");
    ++pos;
    xml_skip_space(doc, pos);
    if (pos == doc.size()) return cut_short();
    const char quote = doc[pos];
    if (quote != '"' && quote != '\'')
        return xml_error(errc::malformed_response, pos, "attribute values must be quoted");
    ++pos;
    while (pos < doc.size() && doc[pos] != quote) {
        if (doc[pos] == '<')
            return xml_error(errc::malformed_response, pos, "'<' is not allowed in an attribute value");
        if (doc[pos] == '&') {
            std::array<char, 4> ignored{};
            if (auto ok = xml_reference(doc, pos, ignored); !ok) return ok.error();
        } else {
            ++pos;
        }
    }
    if (pos == doc.size()) return cut_short();
    ++pos;
    return {};
}

}  // namespace coswire::detail
