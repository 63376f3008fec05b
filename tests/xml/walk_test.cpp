// SPDX-License-Identifier: MIT
#include <coswire/xml/walk.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::result;
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
