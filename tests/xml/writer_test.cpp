// SPDX-License-Identifier: MIT
#include <coswire/xml/writer.hpp>

#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::result;
using coswire::xml::reader;
using coswire::xml::writer;

namespace {

// Reads a document of one root with text-only children back into their texts, in order.
result<std::vector<std::string>> read_children(std::string_view doc) {
    reader r(doc);
    std::vector<std::string> texts;
    const result<void> ok = coswire::xml::read_document(r, [&](std::string_view, reader& root) -> result<void> {
        return coswire::xml::for_each_child(root, [&](std::string_view, reader& child) -> result<void> {
            const result<std::string_view> t = child.read_text();
            if (!t) return t.error();
            texts.emplace_back(*t);
            return {};
        });
    });
    if (!ok) return ok.error();
    return texts;
}

// A random string of XML characters, weighted towards the ones the writer must escape or that
// XML treats specially (line ends, "]]>"), with 1- to 4-byte UTF-8.
std::string random_text(std::mt19937& rng) {
    constexpr std::array<std::string_view, 20> pieces{
        "&", "<", ">", "\"", "'", "\r", "\n", "\r\n", "\t", " ", "]]>", "&amp;", "a", "Z", "0",
        "\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xEF\xBF\xBD", "\x7F"};
    std::string out;
    const std::size_t count = rng() % 16;
    for (std::size_t i = 0; i < count; ++i) out += pieces[rng() % pieces.size()];
    return out;
}

}  // namespace

TEST_CASE("writer: builds the Complete Multipart Upload body compactly") {
    writer w;
    w.start("CompleteMultipartUpload");
    w.start("Part").element("PartNumber", "1").element("ETag", "\"abc\"").end();
    w.end();
    CHECK(w.depth() == 0);
    const result<std::string> body = w.finish();
    REQUIRE(body.has_value());
    CHECK(*body ==
          "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;abc&quot;</ETag></Part>"
          "</CompleteMultipartUpload>");
}

TEST_CASE("writer: escapes & < > \" ' and CR, and writes empty text as an empty element") {
    writer w;
    w.start("R").element("T", "a&b<c>d\"e'f\rg]]>h\ti\nj").element("E", "").end();
    CHECK(w.finish().value() == "<R><T>a&amp;b&lt;c&gt;d&quot;e&apos;f&#13;g]]&gt;h\ti\nj</T><E></E></R>");
}

TEST_CASE("writer: accepts ASCII names of letters, digits, '-', '_' and '.' starting with a letter or '_'") {
    for (const std::string_view name : {"A", "_", "Part-Number", "a.b", "A1", "_x-9.z", "Encoding-Type"}) {
        CAPTURE(name);
        writer w;
        w.start(name).end();
        CHECK(w.finish().value() == "<" + std::string(name) + "></" + std::string(name) + ">");
    }
}

TEST_CASE("writer: rejects bad names, naming the argument and the offending byte") {
    const std::array<std::pair<std::string_view, std::string_view>, 9> cases{{
        {"", "must not be empty"},
        {"1abc", "byte 0 "},
        {"-a", "byte 0 "},
        {".a", "byte 0 "},
        {"a b", "byte 1 "},
        {"a:b", "byte 1 "},
        {"a<", "byte 1 "},
        {"caf\xC3\xA9", "byte 3 "},
        {std::string_view("a\0", 2), "byte 1 "},
    }};
    for (const auto& c : cases) {
        const std::string_view name = c.first;
        CAPTURE(name);
        writer in_start;
        in_start.start(name).end();
        const result<std::string> r = in_start.finish();
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().argument == "name");
        CHECK(r.error().reason.find(c.second) != std::string::npos);
        writer in_element;
        in_element.start("R").element(name, "x").end();
        CHECK(in_element.finish().error().argument == "name");
    }
}

TEST_CASE("writer: rejects control characters, invalid UTF-8 and non-characters in text") {
    const std::array<std::pair<std::string_view, std::size_t>, 8> cases{{
        {std::string_view("a\0b", 3), 1},
        {"\x01", 0},
        {"ok\x1F", 2},
        {"\x0B", 0},
        {"\xC3", 0},
        {"x\xC3(", 1},
        {"\xED\xA0\x80", 0},  // a UTF-16 surrogate
        {"ab\xEF\xBF\xBF", 2},  // U+FFFF
    }};
    for (const auto& c : cases) {
        const std::string_view text = c.first;
        const std::size_t offset = c.second;
        CAPTURE(text);
        writer w;
        w.start("R").element("ETag", text).end();
        const result<std::string> r = w.finish();
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().argument == "text");
        CHECK(r.error().reason.find("<ETag>") != std::string::npos);
        CHECK(r.error().reason.ends_with("at byte " + std::to_string(offset)));
    }
    writer ok;
    ok.start("R").element("T", "tab\tLF\nCR\r\xE4\xB8\xAD\xF0\x9F\x98\x80\x7F").end();
    CHECK(ok.finish().has_value());
}

TEST_CASE("writer: finish reports unbalanced use") {
    SUBCASE("end without an open element") {
        writer w;
        w.start("R").end().end();
        const result<std::string> r = w.finish();
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().argument == "end");
    }
    SUBCASE("an element left open") {
        writer w;
        w.start("R").start("Part");
        const result<std::string> r = w.finish();
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().argument == "finish");
        CHECK(r.error().reason == "element <Part> is not closed");
    }
    SUBCASE("nothing written") {
        writer w;
        CHECK(w.finish().error().reason == "the document has no root element");
    }
    SUBCASE("a second root element") {
        writer w;
        w.start("A").end().start("B").end();
        const result<std::string> r = w.finish();
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().argument == "name");
        CHECK(r.error().reason == "<B> would be a second root element");
    }
    SUBCASE("an element() as a second root") {
        writer w;
        w.element("A", "1").element("B", "2");
        CHECK(w.finish().error().reason == "<B> would be a second root element");
    }
}

TEST_CASE("writer: keeps the first error, ignores later calls, and is reusable after finish") {
    writer w;
    w.start("R").element("bad name", "x").element("T", "\x01").end().end().end();
    const result<std::string> first = w.finish();
    REQUIRE_FALSE(first.has_value());
    CHECK(first.error().argument == "name");
    w.element("Fresh", "ok");
    CHECK(w.finish().value() == "<Fresh>ok</Fresh>");
    CHECK(w.depth() == 0);
}

TEST_CASE("writer: end tags survive the output buffer growing") {
    writer w;
    const std::string long_name(250, 'n');  // within the reader's max_name_length
    w.start(long_name);
    for (int i = 0; i < 100; ++i) w.element("T", std::string(100, 'x'));
    w.end();
    const result<std::string> doc = w.finish();
    REQUIRE(doc.has_value());
    CHECK(doc->ends_with("</" + long_name + ">"));
    CHECK(read_children(*doc).has_value());
}

TEST_CASE("writer: whatever it writes, the reader reads back to the same text (random strings)") {
    std::mt19937 rng(42);
    for (int round = 0; round < 500; ++round) {
        std::vector<std::string> texts;
        writer w;
        w.start("Root");
        const std::size_t children = rng() % 6;
        for (std::size_t i = 0; i < children; ++i) {
            texts.push_back(random_text(rng));
            w.element("Item", texts.back());
        }
        w.end();
        const result<std::string> doc = w.finish();
        REQUIRE(doc.has_value());
        const result<std::vector<std::string>> back = read_children(*doc);
        CAPTURE(*doc);
        REQUIRE(back.has_value());
        CHECK(*back == texts);
    }
}
