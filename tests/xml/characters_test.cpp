// SPDX-License-Identifier: MIT
#include <coswire/xml/characters.hpp>

#include <doctest/doctest.h>

#include <string_view>

TEST_CASE("element_is: equal to string_view's == for names of every size and content") {
    using coswire::detail::element_is;
    static_assert(element_is("ETag", "ETag") && !element_is("ETaG", "ETag") && !element_is("", "ETag"));
    const std::string_view names[] = {"", "E", "ETag", "ETa", "ETags", "Size", "Part", "PartNumber",
                                      "PartNumberMarker", "NextPartNumberMarker", "etag", std::string_view("ETag\0", 5)};
    for (const std::string_view name : names) {
        CAPTURE(name);
        CHECK(element_is(name, "ETag") == (name == "ETag"));
        CHECK(element_is(name, "Part") == (name == "Part"));
        CHECK(element_is(name, "PartNumber") == (name == "PartNumber"));
        CHECK(element_is(name, "NextPartNumberMarker") == (name == "NextPartNumberMarker"));
    }
}

TEST_CASE("xml_text_error_offset: the first byte that is no UTF-8 encoded XML Char, past blocks of ASCII") {
    using coswire::detail::xml_text_error_offset;
    CHECK(xml_text_error_offset("") == 0);
    constexpr std::string_view clean = "plain ASCII text, longer than sixteen bytes\t\r\n";
    CHECK(xml_text_error_offset(clean) == clean.size());
    CHECK(xml_text_error_offset("0123456789abcdef0123456789\x01") == 26);  // a C0 control after two SIMD blocks
    CHECK(xml_text_error_offset("\xE8\x85\xBE\xE8\xAE\xAF") == 6);           // CJK: whole characters
    CHECK(xml_text_error_offset("ab\xEF\xBF\xBE") == 2);                        // U+FFFE is no XML Char
    CHECK(xml_text_error_offset("ab\xED\xA0\x80") == 2);                        // an encoded surrogate
    CHECK(xml_text_error_offset("abc\xC3") == 3);                                 // cut short
    CHECK(xml_text_error_offset(std::string_view("a\0b", 3)) == 1);
}

TEST_CASE("local_name: the part after the prefix") {
    using coswire::detail::local_name;
    CHECK(local_name("cos:Key") == "Key");
    CHECK(local_name("Key") == "Key");
    CHECK(local_name("") == "");
}
