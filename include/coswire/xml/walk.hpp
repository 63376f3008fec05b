// SPDX-License-Identifier: MIT
// Walking a document with xml::reader: for_each_child visits an element's children and skips
// whatever a handler leaves unread, read_document does the same for the root and requires the
// end of the document. The result parsers are written with these two.
#pragma once

#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/reader.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

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
