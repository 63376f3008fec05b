// SPDX-License-Identifier: MIT
// The JSON reader (include/coswire/detail/json.hpp) that the instance-role provider uses.
#include <coswire/detail/json.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace json = coswire::detail::json;
using coswire::errc;

TEST_CASE("json::parse_object: gives the top-level members in order with their kinds") {
    auto m = json::parse_object(R"( {"a": "text", "n": -12.5e3, "t": true, "f": false, "z": null, "o": {"x": [1, {"y": []}]}, "l": [] } )", "body");
    REQUIRE(m);
    REQUIRE(m->size() == 7);
    CHECK((*m)[0].name == "a");
    CHECK((*m)[0].type == json::kind::string);
    CHECK((*m)[0].value == "text");
    CHECK((*m)[1].type == json::kind::number);
    CHECK((*m)[1].value == "-12.5e3");
    CHECK((*m)[2].value == "true");
    CHECK((*m)[3].type == json::kind::boolean);
    CHECK((*m)[3].value == "false");
    CHECK((*m)[4].type == json::kind::null);
    CHECK((*m)[5].type == json::kind::object);
    CHECK((*m)[5].value.empty());
    CHECK((*m)[6].type == json::kind::array);
    CHECK(json::find(*m, "o") == &(*m)[5]);
    CHECK(json::find(*m, "missing") == nullptr);
    auto empty = json::parse_object("{}", "body");
    REQUIRE(empty);
    CHECK(empty->empty());
}

TEST_CASE("json::parse_object: decodes every escape, surrogate pairs included (RFC 8259 section 7)") {
    auto m = json::parse_object(R"({"s": "q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20ac\ud83d\ude00 é"})", "body");
    REQUIRE(m);
    CHECK((*m)[0].value == "q\" b\\ s/ \b\f\n\r\t A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 \xC3\xA9");
}

TEST_CASE("json::parse_object: refuses what is not one well-formed object, naming the offset") {
    const struct {
        std::string_view text;
        std::size_t offset;
    } cases[] = {
        {"", 0}, {"[]", 0}, {"\"s\"", 0}, {"{", 1}, {"{\"a\"}", 4}, {"{\"a\":}", 5}, {"{\"a\":1,}", 7},
        {"{\"a\":1 \"b\":2}", 7}, {"{a:1}", 1}, {"{\"a\":01}", 6}, {"{\"a\":1.}", 7}, {"{\"a\":1e}", 7}, {"{\"a\":-}", 6},
        {"{\"a\":tru}", 5}, {"{\"a\":\"x}", 8}, {"{\"a\":\"\x01\"}", 6}, {"{\"a\":\"\\x\"}", 7}, {"{\"a\":\"\\u12G4\"}", 10},
        {"{\"a\":\"\\ud800\"}", 6}, {"{\"a\":\"\\udc00\"}", 6}, {"{\"a\":\"\\ud800\\u0041\"}", 6},
        {"{\"a\":\"\xC0\xAF\"}", 6}, {"{\"a\":\"\xED\xA0\x80\"}", 6}, {"{\"a\":1}x", 7}, {"{\"a\":1,\"a\":2}", 7},
        {"{\"a\":[1,]}", 8}, {"{\"a\":[1 2]}", 8}, {"{\"a\":{\"b\"}}", 9}, {"{\"a\":NaN}", 5},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        auto m = json::parse_object(c.text, "body");
        REQUIRE_FALSE(m);
        CHECK(m.error().code == errc::malformed_response);
        CHECK(m.error().argument == "body");
        CHECK(m.error().size == c.offset);
    }
}

TEST_CASE("json::parse_object: errors never quote the document") {
    for (std::string_view text : {R"({"TmpSecretKey": "SECRET-0123456789", oops})", R"({"Token": "SECRET-0123456789)",
                                  R"({"k": "SECRET-0123456789", "k": 1})", "{\"SECRET-0123456789\": \"\\q\"}"}) {
        auto m = json::parse_object(text, "body");
        REQUIRE_FALSE(m);
        CHECK(coswire::describe(m.error()).find("SECRET-0123456789") == std::string::npos);
    }
}

TEST_CASE("json::parse_object: enforces each limit with errc::limit_exceeded") {
    const json::limits small{.max_document_size = 64, .max_depth = 3, .max_string_length = 8, .max_members = 2};
    SUBCASE("document size") {
        auto m = json::parse_object("{\"a\": \"" + std::string(60, 'x') + "\"}", "body", small);
        REQUIRE_FALSE(m);
        CHECK(m.error().code == errc::limit_exceeded);
    }
    SUBCASE("depth: the top object is 1") {
        CHECK(json::parse_object(R"({"a": [[1]]})", "body", small));
        auto m = json::parse_object(R"({"a": [[[1]]]})", "body", small);
        REQUIRE_FALSE(m);
        CHECK(m.error().code == errc::limit_exceeded);
    }
    SUBCASE("string length, names and values, after decoding") {
        CHECK(json::parse_object(R"({"a": "12345678"})", "body", small));
        CHECK(json::parse_object(R"({"a": "\u0031\u0032\u0033\u0034\u0035\u0036\u0037\u0038"})", "body", small));
        auto value = json::parse_object(R"({"a": "123456789"})", "body", small);
        REQUIRE_FALSE(value);
        CHECK(value.error().code == errc::limit_exceeded);
        auto name = json::parse_object(R"({"123456789": 1})", "body", small);
        REQUIRE_FALSE(name);
        CHECK(name.error().code == errc::limit_exceeded);
    }
    SUBCASE("members") {
        CHECK(json::parse_object(R"({"a": 1, "b": 2})", "body", small));
        auto m = json::parse_object(R"({"a": 1, "b": 2, "c": 3})", "body", small);
        REQUIRE_FALSE(m);
        CHECK(m.error().code == errc::limit_exceeded);
    }
    SUBCASE("deep nesting under the default limits stops at max_depth, not the stack") {
        auto m = json::parse_object("{\"a\":" + std::string(100000, '[') + "}", "body", json::limits{.max_document_size = 1 << 20});
        REQUIRE_FALSE(m);
        CHECK(m.error().code == errc::limit_exceeded);
    }
}

TEST_CASE("json::parse_array: gives the elements in order; a container's text reads back with parse_object / parse_array") {
    const std::string text = R"( [ {"bucket": "b"}, ["starts-with", "$key", "a/"], 3, "s" , [] ] )";
    auto e = json::parse_array(text, "conditions");
    REQUIRE(e);
    REQUIRE(e->size() == 5);
    CHECK((*e)[0].type == json::kind::object);
    CHECK((*e)[0].raw == R"({"bucket": "b"})");
    CHECK((*e)[0].value.empty());
    CHECK((*e)[1].raw == R"(["starts-with", "$key", "a/"])");
    CHECK((*e)[2].type == json::kind::number);
    CHECK((*e)[2].raw.empty());
    CHECK((*e)[3].value == "s");
    CHECK((*e)[4].raw == "[]");
    auto inner = json::parse_array((*e)[1].raw, "condition");
    REQUIRE(inner);
    CHECK((*inner)[1].value == "$key");
    CHECK(json::parse_object((*e)[0].raw, "condition")->at(0).value == "b");
    CHECK(json::parse_array("[]", "a")->empty());
    for (std::string_view bad : {"", "{}", "[1,]", "[1 2]", "[", "[1]x"}) {
        CAPTURE(bad);
        auto m = json::parse_array(bad, "a");
        REQUIRE_FALSE(m);
        CHECK(m.error().code == errc::malformed_response);
    }
    const json::limits small{.max_document_size = 16, .max_members = 2};
    CHECK(json::parse_array("[1, 2, 3]", "a", small).error().code == errc::limit_exceeded);
    CHECK(json::parse_array("["" + std::string(20, 'x') + ""]", "a", small).error().code == errc::limit_exceeded);
}

TEST_CASE("json::to_int64: whole numbers that fit, nothing else") {
    CHECK(json::to_int64("0") == 0);
    CHECK(json::to_int64("1615590047") == 1615590047);
    CHECK(json::to_int64("-5") == -5);
    CHECK(json::to_int64("9223372036854775807") == INT64_MAX);
    CHECK(json::to_int64("-9223372036854775808") == INT64_MIN);
    CHECK_FALSE(json::to_int64("9223372036854775808"));
    CHECK_FALSE(json::to_int64("-9223372036854775809"));
    CHECK_FALSE(json::to_int64("1.0"));
    CHECK_FALSE(json::to_int64("1e3"));
    CHECK_FALSE(json::to_int64("-"));
    CHECK_FALSE(json::to_int64(""));
}
