// SPDX-License-Identifier: MIT
// The XML field readers every result-body parser shares: an element's text as a string, number,
// time, boolean, ETag or owner, the root check, and the url decoding (docs/protocol/encoding-type.md,
// docs/protocol/xml.md).
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/result.hpp>
#include <coswire/time/http_date.hpp>
#include <coswire/xml/reader.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace coswire::detail {

/// A malformed_response naming the element (or header) at fault.
inline error malformed_element(std::string_view element, std::string reason) {
    return make_error(errc::malformed_response, element, std::move(reason));
}

/// Stores a value just read in `slot` (a plain or an optional field), or passes its error on.
template <class T, class Slot>
result<void> store(result<T>&& value, Slot& slot) {
    if (!value) return std::move(value).error();
    slot = std::move(*value);
    return {};
}

/// Copies the text of the element `r` has just started into `slot`: the view read_text returns
/// dies with the next event.
inline result<void> read_element_text(xml::reader& r, std::string& slot) {
    auto text = r.read_text();
    if (!text) return std::move(text).error();
    slot.assign(*text);
    return {};
}

/// The element's text as an unsigned decimal. Errors: malformed_response naming `element`.
inline result<std::uint64_t> read_element_decimal(xml::reader& r, std::string_view element) {
    auto text = r.read_text();  // parsed before the reader moves on, so the view is enough
    if (!text) return std::move(text).error();
    return parse_decimal(*text, element);
}

/// The element's text as a time: ISO 8601, or the asctime form of old examples
/// (docs/protocol/xml.md#timestamps). Errors: malformed_response naming `element`.
inline result<std::int64_t> read_element_time(xml::reader& r, std::string_view element) {
    auto text = r.read_text();
    if (!text) return std::move(text).error();
    auto seconds = parse_iso8601(*text);
    if (!seconds) seconds = parse_http_date(*text);
    if (!seconds)
        return malformed_element(element, "'" + std::string(text->substr(0, 40)) + "' is neither ISO 8601 nor an asctime date");
    return *seconds;
}

/// The element's text as true/false in any case (docs/protocol/xml.md#booleans-and-numbers). Errors:
/// malformed_response naming `element`.
inline result<bool> read_element_boolean(xml::reader& r, std::string_view element) {
    auto text = r.read_text();
    if (!text) return std::move(text).error();
    return parse_boolean(*text, element);
}

/// Owner / Initiator: {ID, DisplayName}; other children are ignored.
inline result<void> read_element_owner(xml::reader& r, object_owner& out) {
    return xml::for_each_child(r, [&](std::string_view name, xml::reader& c) -> result<void> {
        if (element_is(name, "ID")) return read_element_text(c, out.id);
        if (element_is(name, "DisplayName")) return read_element_text(c, out.display_name);
        return {};
    });
}

/// An ETag element: raw text (quotes included, decoded from &quot;) and unquoted.
inline result<void> read_element_etag(xml::reader& r, std::string& raw, std::string& unquoted) {
    if (auto ok = read_element_text(r, raw); !ok) return ok;
    unquoted = std::string(unquote_etag(raw));
    return {};
}

/// The encoding announcement is spelled EncodingType, Encoding-Type or Encoding-type (docs/protocol/xml.md#spelling-variants).
constexpr bool is_encoding_type_element(std::string_view name) noexcept {
    return iequals(name, "EncodingType") || iequals(name, "Encoding-Type");
}

/// Percent-decodes one url-encoded field (docs/protocol/encoding-type.md#decoding) in place (`+` stays
/// `+`). Callers decode after the whole body is read, because the announcement may follow the fields
/// (docs/protocol/xml.md#element-order-and-repetition), and exactly once, so a key holding "%25" keeps
/// its '%'. Errors: malformed_response naming `element`.
inline result<void> decode_url_field(std::string& field, std::string_view element) {
    auto decoded = percent_decode(field, element);
    if (!decoded) return malformed_element(element, decoded.error().reason);
    field = std::move(*decoded);
    return {};
}

/// A url-encoded field and the element it came from, for decode_url_fields.
struct url_field {
    std::string* text;
    std::string_view element;
};

/// decode_url_field on each field in turn; stops at the first error. (A plain list rather than
/// pairs: std::pair's constructors cost compile time in every TU.)
inline result<void> decode_url_fields(std::initializer_list<url_field> fields) {
    for (const url_field& f : fields)
        if (auto ok = decode_url_field(*f.text, f.element); !ok) return ok;
    return {};
}

/// A borrowed on_child(name, reader) callback. read_result_document and read_listing_document
/// take one instead of a template parameter, so the XML walk they run is compiled once rather
/// than once per parser, which keeps compile time down. It refers to the callable it was made
/// from, which must outlive it: pass a lambda straight to the call.
class child_visitor {
public:
    template <class F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, child_visitor> &&
                 std::is_invocable_r_v<result<void>, F&, std::string_view, xml::reader&>)
    child_visitor(F&& f) noexcept  // NOLINT: implicit, so callers pass lambdas
        : target_(const_cast<void*>(static_cast<const void*>(&f))), call_(&call_target<std::remove_reference_t<F>>) {}

    result<void> operator()(std::string_view name, xml::reader& r) const { return call_(target_, name, r); }

private:
    template <class T>
    static result<void> call_target(void* target, std::string_view name, xml::reader& r) {
        return (*static_cast<T*>(target))(name, r);
    }

    void* target_;
    result<void> (*call_)(void*, std::string_view, xml::reader&);
};

/// Reads a whole result body whose root must be `root` (matched by local name, so a default
/// namespace is fine, docs/protocol/xml.md#namespaces), calling on_child(name, reader) for each child
/// of the root. Errors: malformed_response naming "document" for bad XML or another root; on_child's;
/// limit_exceeded from the XML reader's limits.
inline result<void> read_result_document(const http_response& r, std::string_view root, child_visitor on_child) {
    xml::reader reader(r.body);
    return xml::read_document(reader, [&](std::string_view name, xml::reader& doc) -> result<void> {
        if (name != root)
            return malformed_element("document", "the root element is <" + std::string(name) + ">, expected <" +
                                                     std::string(root) + ">");
        return xml::for_each_child(doc, on_child);
    });
}

/// Reads a listing page (List Objects, List Parts, List Multipart Uploads) as
/// read_result_document does, taking the two children every listing has: IsTruncated, which
/// must be present, into `is_truncated`, and the encoding announcement (any of its
/// spellings, docs/protocol/xml.md#spelling-variants) into `encoding_type`; every other child goes to
/// on_child(name, reader). Errors: read_result_document's; malformed_response naming "IsTruncated" when
/// it is missing or not true/false.
inline result<void> read_listing_document(const http_response& r, std::string_view root, bool& is_truncated,
                                          std::string& encoding_type, child_visitor on_child) {
    bool has_truncated = false;
    auto parsed = read_result_document(r, root, [&](std::string_view name, xml::reader& c) -> result<void> {
        if (element_is(name, "IsTruncated")) {
            has_truncated = true;
            return store(read_element_boolean(c, "IsTruncated"), is_truncated);
        }
        if (is_encoding_type_element(name)) return read_element_text(c, encoding_type);
        return on_child(name, c);
    });
    if (!parsed) return parsed;
    if (!has_truncated) return malformed_element("IsTruncated", "is missing from " + std::string(root));
    return {};
}

}  // namespace coswire::detail
