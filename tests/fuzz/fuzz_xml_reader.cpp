// SPDX-License-Identifier: MIT
// libFuzzer target: the XML pull reader pulls every event of arbitrary bytes without crashing.
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view doc(reinterpret_cast<const char*>(data), size);
    // Tight limits reach the limit_exceeded paths with short inputs.
    const coswire::xml::limits small{4096, 8, 16, 64};
    for (const coswire::xml::limits& lim : {coswire::xml::limits{}, small}) {
        coswire::xml::reader r(doc, lim);
        for (;;) {
            auto ev = r.next();
            if (!ev || ev->kind == coswire::xml::event_kind::end_document) break;
        }
    }
    // read_text and skip_element after start tags, chosen by the document's own bytes, so their
    // paths (children inside text, misuse at the wrong time) are driven too.
    coswire::xml::reader r(doc);
    std::size_t i = 0;
    for (;; ++i) {
        auto ev = r.next();
        if (!ev || ev->kind == coswire::xml::event_kind::end_document) break;
        if (ev->kind != coswire::xml::event_kind::start_element) continue;
        const unsigned choice = size == 0 ? 0u : data[i % size] % 3u;
        if (choice == 1) static_cast<void>(r.read_text());
        if (choice == 2) static_cast<void>(r.skip_element());
    }
    // for_each_child's event-free steps, under the tight limits too: recurse into every element,
    // reading the text of those whose local name starts with 'T'.
    for (const coswire::xml::limits& lim : {coswire::xml::limits{}, small}) {
        coswire::xml::reader w(doc, lim);
        struct walker {
            coswire::result<void> operator()(std::string_view name, coswire::xml::reader& c) const {
                if (!name.empty() && name[0] == 'T') {
                    auto t = c.read_text();
                    if (!t) return std::move(t).error();
                    return {};
                }
                return coswire::xml::for_each_child(c, *this);
            }
        };
        static_cast<void>(coswire::xml::read_document(w, walker{}));
    }
    return 0;
}
