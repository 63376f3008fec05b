// SPDX-License-Identifier: MIT
// Walking a document with xml::reader: for_each_child visits an element's children and skips
// whatever a handler leaves unread, read_document does the same for the root and requires the
// end of the document. The result parsers are written with these two.
#pragma once

#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/scan.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace coswire::detail {

/// for_each_child's steps between children, which work on the reader's internals.
struct reader_access {
    enum class child_step { start, end, other };

    // Between children, for_each_child ignores text; whitespace right before a start or end tag
    // (the layout of every COS body) is passed over here without producing the text event that
    // next() would report. Anything else is left to next(), which checks it.
    static void skip_layout(xml::reader& r) noexcept {
        if (r.stage_ != xml::reader::stage::content || r.pending_end_ || r.failed_) return;
        const std::string_view doc = r.doc_;
        const std::size_t p = xml_space_run_end_bytewise(doc, r.pos_);
        if (p == r.pos_ || doc.size() - p < 2 || doc[p] != '<' || doc[p + 1] == '!' || doc[p + 1] == '?' ||
            p - r.pos_ > r.limits_.max_text_length)
            return;
        r.pos_ = p;
        r.at_start_ = false;
    }

    // The step between children, without building events: after layout whitespace, a start tag
    // of the form `<Name>` (no prefix, no attributes, no space) is opened directly and its local
    // name returned (start), and the innermost element's own end tag `</Name>` is consumed (end);
    // the reader is then left exactly as next() would leave it. Anything else (text, markup,
    // attributes, self-closed tags, prefixes, limits, errors) returns other after skip_layout,
    // and next() reads it and reports whatever is wrong.
    static child_step next_child(xml::reader& r, std::string_view& local) noexcept {
        if (r.stage_ != xml::reader::stage::content || r.pending_end_ || r.failed_) return child_step::other;
        const std::string_view doc = r.doc_;
        const std::size_t p = xml_space_run_end(doc, r.pos_);
        if (doc.size() - p < 2 || doc[p] != '<' || p - r.pos_ > r.limits_.max_text_length) {
            skip_layout(r);
            return child_step::other;
        }
        if (doc[p + 1] == '/') {
            if (!r.at_end_tag_of_innermost(p)) {
                skip_layout(r);
                return child_step::other;
            }
            r.pass_end_tag_of_innermost(p);
            return child_step::end;
        }
        // The checks of xml_qname and start_tag for this shape: a name within max_name_length
        // and room below max_depth.
        const std::size_t close = xml_simple_tag_end(doc, p + 1, r.limits_.max_name_length);
        if (close == doc.size() || r.open_.size() >= r.limits_.max_depth) {
            skip_layout(r);
            return child_step::other;
        }
        local = std::string_view(doc.data() + p + 1, close - p - 1);
        r.open_.push_back(xml::reader::open_element{local, local, p});
        r.pos_ = close + 1;
        r.offset_ = p;
        r.at_start_ = true;
        return child_step::start;
    }
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
