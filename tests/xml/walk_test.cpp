// SPDX-License-Identifier: MIT
#include <coswire/xml/walk.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::result;
using coswire::xml::event;
using coswire::xml::event_kind;
using coswire::xml::limits;
using coswire::xml::reader;

TEST_CASE("for_each_child: skips unknown and partly read children and ignores text between children") {
    reader r("<R>junk<Unknown><Deep><Deeper/></Deep></Unknown><Half><X>1</X><Y>2</Y></Half><Known>k</Known></R>");
    std::vector<std::string> seen;
    std::string known;
    const result<void> ok = coswire::xml::read_document(r, [&](std::string_view, reader& rd) -> result<void> {
        return coswire::xml::for_each_child(rd, [&](std::string_view name, reader& c) -> result<void> {
            seen.emplace_back(name);
            if (name == "Half") {  // reads only the start of <X>
                const result<coswire::xml::event> ev = c.next();
                if (!ev) return ev.error();
            }
            if (name == "Known") {
                const result<std::string_view> text = c.read_text();
                if (!text) return text.error();
                known.assign(*text);
            }
            return {};
        });
    });
    REQUIRE(ok.has_value());
    CHECK(seen == std::vector<std::string>{"Unknown", "Half", "Known"});
    CHECK(known == "k");
}

TEST_CASE("for_each_child: passes on the handler's error and refuses handlers that read past their element") {
    SUBCASE("the handler's error wins") {
        reader r("<R><A/><B/></R>");
        int calls = 0;
        const result<void> ok = coswire::xml::read_document(r, [&](std::string_view, reader& rd) -> result<void> {
            return coswire::xml::for_each_child(rd, [&](std::string_view, reader&) -> result<void> {
                ++calls;
                return coswire::make_error(errc::malformed_response, "part_number", "not a number");
            });
        });
        REQUIRE_FALSE(ok.has_value());
        CHECK(ok.error().argument == "part_number");
        CHECK(calls == 1);
    }
    SUBCASE("reading past the child's end tag is a misuse") {
        reader r("<R><A/></R>");
        const result<void> ok = coswire::xml::read_document(r, [&](std::string_view, reader& rd) -> result<void> {
            return coswire::xml::for_each_child(rd, [&](std::string_view, reader& c) -> result<void> {
                (void)c.next();
                (void)c.next();
                return {};
            });
        });
        REQUIRE_FALSE(ok.has_value());
        CHECK(ok.error().code == errc::invalid_argument);
        CHECK(ok.error().argument == "handler");
    }
    SUBCASE("no open element") {
        reader r("<R/>");
        CHECK(coswire::xml::for_each_child(r, [](std::string_view, reader&) -> result<void> { return {}; }).error().code ==
              errc::invalid_argument);
    }
}

TEST_CASE("read_document: requires a fresh reader and reports trailing content") {
    SUBCASE("trailing text after the root") {
        reader r("<R/>x");
        const result<void> ok = coswire::xml::read_document(r, [](std::string_view, reader&) -> result<void> { return {}; });
        REQUIRE_FALSE(ok.has_value());
        CHECK(ok.error().code == errc::malformed_response);
        CHECK(ok.error().size == 4);
    }
    SUBCASE("a reader already advanced") {
        reader r("<R><A/></R>");
        REQUIRE(r.next().has_value());
        const result<void> ok = coswire::xml::read_document(r, [](std::string_view, reader&) -> result<void> { return {}; });
        REQUIRE_FALSE(ok.has_value());
        CHECK(ok.error().code == errc::invalid_argument);
    }
}

namespace {

// The event-free paths of for_each_child and read_text against the same walk done with next()
// alone: same callbacks, texts, depths, offsets and errors (code, argument, reason, offset).
template <class F>
result<void> for_each_child_by_events(reader& r, F&& on_child) {
    for (;;) {
        result<event> ev = r.next();
        if (!ev) return std::move(ev).error();
        if (ev->kind == event_kind::start_element) {
            const std::size_t outer = r.depth() - 1;
            if (result<void> ok = on_child(ev->name, r); !ok) return ok;
            if (r.depth() < outer) return coswire::make_error(errc::invalid_argument, "handler", "read past");
            while (r.depth() > outer) {
                result<event> skipped = r.next();
                if (!skipped) return std::move(skipped).error();
            }
        } else if (ev->kind != event_kind::text) {
            return {};
        }
    }
}

result<std::string_view> read_text_by_events(reader& r) {
    const std::string parent(r.depth() > 0 ? "x" : "");
    std::string_view chars;
    for (;;) {
        result<event> ev = r.next();
        if (!ev) return std::move(ev).error();
        if (ev->kind == event_kind::text) chars = ev->text;
        else if (ev->kind == event_kind::start_element) return coswire::make_error(errc::malformed_response, "child", "");
        else return chars;
    }
}

std::string describe_error(const coswire::error& e) {
    return "error " + std::to_string(static_cast<int>(e.code)) + " " + std::string(e.argument) + " " + e.reason + " @" +
           std::to_string(e.size);
}

// Walks a document: elements whose name starts with 'T' are read with read_text, 'S' are
// left alone, anything else is recursed into. `by_events` picks the implementation.
std::string walk(std::string_view doc, const limits& lim, bool by_events) {
    std::string log;
    reader r(doc, lim);
    std::function<result<void>(std::string_view, reader&)> visit = [&](std::string_view name, reader& c) -> result<void> {
        log += "<" + std::string(name) + " d" + std::to_string(c.depth()) + " @" + std::to_string(c.offset());
        if (!name.empty() && name[0] == 'T') {
            result<std::string_view> t = by_events ? read_text_by_events(c) : c.read_text();
            if (!t) {
                // read_text's own message for a child names the parent; compare only the place.
                if (t.error().argument == "child" || t.error().reason.find("should hold only text") != std::string::npos)
                    log += " child-in-text";
                else
                    log += " " + describe_error(t.error());
                return t.error().code == errc::malformed_response && t.error().argument == "child"
                           ? coswire::make_error(errc::malformed_response, "document", "child")
                           : t.error();
            }
            log += " text[" + std::string(*t) + "] @" + std::to_string(c.offset()) + " d" + std::to_string(c.depth());
            return {};
        }
        if (!name.empty() && name[0] == 'S') return {};
        auto ok = by_events ? for_each_child_by_events(c, visit) : coswire::xml::for_each_child(c, visit);
        // After an error offset() is that of the last event returned, and the event walk
        // returns the layout text events that for_each_child passes over: compare it only
        // after success.
        if (ok) log += " /" + std::string(name) + " @" + std::to_string(c.offset()) + " d" + std::to_string(c.depth());
        return ok;
    };
    result<event> root = r.next();
    if (!root) return log + describe_error(root.error());
    if (root->kind != event_kind::start_element) return log + "no root";
    auto ok = visit(root->name, r);
    if (!ok) {
        // A child inside read_text: the event walk's stand-in error; the reader's own one.
        if (ok.error().reason == "child" || ok.error().reason.find("should hold only text") != std::string::npos)
            return log + " child";
        return log + " " + describe_error(ok.error());
    }
    result<event> end = r.next();
    while (end && end->kind != event_kind::end_document) end = r.next();
    return log + (end ? " end" : " " + describe_error(end.error()));
}

}  // namespace

TEST_CASE("for_each_child and read_text: the event-free paths match a walk by next() on tricky and broken input") {
    const std::vector<std::string> docs = {
        "<R><A><T1>x</T1><T2>&quot;a&amp;b&lt;&gt;&apos;&#65;&#x42;</T2></A><S>z</S></R>",
        "<R>\n\t<T a='1'>v</T>\n\t<T/>\n\t<A b=\"2\"><T>w</T></A>\r\n<T >sp</T ><p:T>pre</p:T></R>",
        "<R><!-- c --><T>a<!--x-->b</T><?pi x?><T><![CDATA[<c>]]></T><T>a]b</T><T>a\r\nb\rc</T></R>",
        "<R><T>&bogus;</T></R>",
        "<R><T>&#0;</T></R>",
        "<R><T>&quot</T></R>",
        "<R><T>a<B/>b</T></R>",
        "<R><T>]]></T></R>",
        "<R><A><B><C><D><E>deep</E></D></C></B></A></R>",
        "<R><LongElementName>t</LongElementName><TLongName>text</TLongName></R>",
        "<R><T>0123456789</T><T>&amp;&amp;&amp;&amp;&amp;&amp;</T></R>",
        "<R><A></B></A></R>",
        "<R><A>  </A>  x  <T>t</T></R>",
        "<R>      <T>t</T>          </R>",
        "<a:R xmlns:a='u'><a:T>q</a:T><T:>bad</T:></a:R>",
        "<R><T>\xE8\x85\xBE</T><\xE8\x85\xBE>x</\xE8\x85\xBE></R>",
        "<R><A><T>t</T></A>",
        "<R><T>t</T></R><X/>",
        "<R><T>t</T></R>   <!-- tail -->",
        // Around the 16-byte blocks of the SSE2 scans: names of 15, 16 and 17 bytes, every kind
        // of name byte, and layout runs shorter and longer than a block.
        "<R><Abcdefghijklmn>a</Abcdefghijklmn><Abcdefghijklmno>b</Abcdefghijklmno><Abcdefghijklmnop>c</Abcdefghijklmnop></R>",
        "<R>\n\t<a-B.c_9Z>d</a-B.c_9Z>\n                  <_\xC3\xA9z>e</_\xC3\xA9z> \t\r\n \t\r\n \t\r\n \t\r\n </R>",
        "<R><Part>\n\t\t<PartNumber>1</PartNumber>\n\t\t<ETag>&quot;x&quot;</ETag>\n\t</Part>\n</R>",
    };
    const limits generous{};
    const limits tight{1 << 20, 3, 4, 5};
    const std::string_view replacements = std::string_view("<>/&; \r]x:\"'=!?T\0\xFF", 19);
    std::size_t compared = 0;
    for (const std::string& base : docs) {
        std::vector<std::string> variants{base};
        for (std::size_t cut = 0; cut < base.size(); ++cut) variants.push_back(base.substr(0, cut));
        if (base.size() < 90)
            for (std::size_t at = 0; at < base.size(); ++at)
                for (char c : replacements) {
                    std::string m = base;
                    m[at] = c;
                    variants.push_back(std::move(m));
                }
        for (const std::string& doc : variants)
            for (const limits* lim : {&generous, &tight}) {
                const std::string fast = walk(doc, *lim, false);
                const std::string general = walk(doc, *lim, true);
                CAPTURE(doc);
                CHECK(fast == general);
                ++compared;
            }
    }
    CHECK(compared > 10000);
}
