// SPDX-License-Identifier: MIT
// The productions of xml/markup.hpp on their own: where each one ends, and the error (code and
// document offset) for each way it can be wrong.
#include <coswire/xml/markup.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace {

using namespace coswire::detail;
using coswire::errc;
using coswire::result;

// Runs a production that moves pos: "end N" where it stopped, or "error CODE @OFFSET".
template <class F>
std::string run(std::string_view doc, std::size_t pos, F production) {
    const result<void> ok = production(doc, pos);
    if (ok) return "end " + std::to_string(pos);
    return "error " + std::to_string(static_cast<int>(ok.error().code)) + " @" + std::to_string(ok.error().size);
}

std::string declaration(std::string_view doc) {
    return run(doc, 0, [](std::string_view d, std::size_t& p) { return xml_declaration(d, p); });
}
std::string comment(std::string_view doc) {
    return run(doc, 0, [](std::string_view d, std::size_t& p) { return xml_comment(d, p); });
}
std::string pi(std::string_view doc) {
    return run(doc, 0, [](std::string_view d, std::size_t& p) { return xml_processing_instruction(d, p, 256); });
}
std::string attribute(std::string_view doc, std::size_t max_name_length = 256) {
    return run(doc, 0, [max_name_length](std::string_view d, std::size_t& p) { return xml_attribute(d, p, 0, max_name_length); });
}

const std::string malformed = "error " + std::to_string(static_cast<int>(errc::malformed_response));
const std::string limit = "error " + std::to_string(static_cast<int>(errc::limit_exceeded));

}  // namespace

TEST_CASE("markup: xml_at and xml_skip_space") {
    static_assert(xml_at("<?xml ", 0, "<?xml") && !xml_at("<?xm", 0, "<?xml") && xml_at("a<", 1, "<") && !xml_at("a", 1, "<"));
    std::size_t pos = 1;
    CHECK(xml_skip_space("a \t\r\nb", pos) == 4);
    CHECK(pos == 5);
    CHECK(xml_skip_space("a \t\r\nb", pos) == 0);
}

TEST_CASE("markup: xml_qname gives the name, its prefix size, and errors for empty, long and bad qualified names") {
    std::size_t prefix = 99;
    CHECK(xml_qname("<cos:ETag>", 1, 256, "element name", &prefix).value() == "cos:ETag");
    CHECK(prefix == 4);
    CHECK(xml_qname("<ETag>", 1, 256, "element name", &prefix).value() == "ETag");
    CHECK(prefix == 0);
    CHECK(xml_qname("<ETag>", 1, 4, "element name").value() == "ETag");
    const auto fails = [](std::string_view doc, std::size_t max, errc code, std::string_view words) {
        const auto name = xml_qname(doc, 1, max, "element name");
        CAPTURE(doc);
        REQUIRE_FALSE(name.has_value());
        CHECK(name.error().code == code);
        CHECK(name.error().size == 1);
        CHECK(name.error().reason.find(words) != std::string::npos);
    };
    fails("<ETag>", 3, errc::limit_exceeded, "max_name_length");
    fails("< ETag>", 256, errc::malformed_response, "missing element name");
    fails("<1a>", 256, errc::malformed_response, "missing element name");
    fails("<:a>", 256, errc::malformed_response, "not a valid qualified name");
    fails("<a:>", 256, errc::malformed_response, "not a valid qualified name");
    fails("<a:b:c>", 256, errc::malformed_response, "not a valid qualified name");
}

TEST_CASE("markup: xml_declaration accepts version, encoding and standalone in order, and nothing else") {
    CHECK(declaration("<?xml version='1.0' encoding='utf-8' ?><a/>") == "end 39");
    CHECK(declaration("<?xml version=\"1.1\" standalone=\"no\"?>") == "end 37");
    CHECK(declaration("<?xml version = '1.0'\n encoding='UTF-8' standalone='yes'?>") == "end 58");
    CHECK(declaration("<?xml encoding='utf-8'?>") == malformed + " @6");
    CHECK(declaration("<?xml ?>") == malformed + " @0");
    CHECK(declaration("<?xml version='1.0' version='1.0'?>") == malformed + " @20");
    CHECK(declaration("<?xml version='1.0'encoding='utf-8'?>") == malformed + " @19");
    CHECK(declaration("<?xml version='2.0'?>") == malformed + " @14");
    CHECK(declaration("<?xml version='1.'?>") == malformed + " @14");
    CHECK(declaration("<?xml version='1.0' encoding='latin-1'?>") == malformed + " @29");
    CHECK(declaration("<?xml version='1.0' standalone='maybe'?>") == malformed + " @31");
    CHECK(declaration("<?xml version '1.0'?>") == malformed + " @14");
    CHECK(declaration("<?xml version=1.0?>") == malformed + " @14");
    CHECK(declaration("<?xml version='1.0") == malformed + " @0");
    CHECK(declaration("<?xml version='1.0'") == malformed + " @0");
}

TEST_CASE("markup: xml_comment ends at the first '--', which must be followed by '>'") {
    CHECK(comment("<!-- a - b --><a/>") == "end 14");
    CHECK(comment("<!---->") == "end 7");
    CHECK(comment("<!-- a -- b -->") == malformed + " @7");
    CHECK(comment("<!-- a --") == malformed + " @0");
    CHECK(comment("<!-- a ") == malformed + " @0");
}

TEST_CASE("markup: xml_processing_instruction needs a target other than xml and whitespace before its data") {
    CHECK(pi("<?app some data?><a/>") == "end 17");
    CHECK(pi("<?app?>") == "end 7");
    CHECK(pi("<?xml-stylesheet href='s'?>") == "end 27");
    CHECK(pi("<?XmL v?>") == malformed + " @0");
    CHECK(pi("<? app?>") == malformed + " @2");
    CHECK(pi("<?app-x") == malformed + " @0");
    CHECK(pi("<?app\"x\"?>") == malformed + " @5");
}

TEST_CASE("markup: xml_attribute checks the name, '=', the quotes and the references of the value") {
    CHECK(attribute("a='1 &amp; &#x32;'>") == "end 18");
    CHECK(attribute("b = \"q'&quot;\"/>") == "end 14");
    CHECK(attribute("xmlns:cos=\"urn:x\">") == "end 17");
    CHECK(attribute("long='x'", 3) == limit + " @0");
    CHECK(attribute("a'1'") == malformed + " @1");
    CHECK(attribute("a=1") == malformed + " @2");
    CHECK(attribute("a='<'") == malformed + " @3");
    CHECK(attribute("a='&bogus;'") == malformed + " @3");
    CHECK(attribute("a='1") == malformed + " @0");
    CHECK(attribute("a=") == malformed + " @0");
    CHECK(attribute("a") == malformed + " @0");
}
