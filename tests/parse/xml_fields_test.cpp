// SPDX-License-Identifier: MIT
#include <coswire/parse/xml_fields.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using coswire::errc;
using coswire::http_response;
using coswire::result;

namespace {

http_response body_of(std::string body) { return http_response{200, {}, std::move(body)}; }

// Reads <Root><name>...</name></Root> and hands the reader of <name> to `read`.
template <class F>
result<void> with_child(std::string body, F&& read) {
    const http_response r = body_of(std::move(body));
    return coswire::detail::read_result_document(r, "Root", [&](std::string_view, coswire::xml::reader& c) { return read(c); });
}

}  // namespace

TEST_CASE("store: a value goes into a plain or an optional slot; an error goes on") {
    std::uint64_t plain = 0;
    std::optional<std::uint64_t> maybe;
    REQUIRE(coswire::detail::store(result<std::uint64_t>(7), plain));
    REQUIRE(coswire::detail::store(result<std::uint64_t>(9), maybe));
    CHECK(plain == 7);
    CHECK(maybe == 9u);
    auto e = coswire::detail::store(coswire::detail::parse_decimal("x", "Size"), plain);
    REQUIRE_FALSE(e);
    CHECK(e.error().argument == "Size");
    CHECK(plain == 7);
}

TEST_CASE("read_element_text and read_element_etag: copies, entities decoded") {
    std::string text;
    REQUIRE(with_child("<Root><Key>a&amp;b</Key></Root>", [&](auto& c) { return coswire::detail::read_element_text(c, text); }));
    CHECK(text == "a&b");
    std::string raw, unquoted;
    REQUIRE(with_child("<Root><ETag>&quot;abc&quot;</ETag></Root>",
                       [&](auto& c) { return coswire::detail::read_element_etag(c, raw, unquoted); }));
    CHECK(raw == "\"abc\"");
    CHECK(unquoted == "abc");
}

TEST_CASE("read_element_decimal, _boolean and _time: values and the element named on error") {
    std::uint64_t n = 0;
    REQUIRE(with_child("<Root><Size>5368709120</Size></Root>",
                       [&](auto& c) { return coswire::detail::store(coswire::detail::read_element_decimal(c, "Size"), n); }));
    CHECK(n == 5368709120u);
    bool b = false;
    REQUIRE(with_child("<Root><IsTruncated>TRUE</IsTruncated></Root>", [&](auto& c) {
        return coswire::detail::store(coswire::detail::read_element_boolean(c, "IsTruncated"), b);
    }));
    CHECK(b);
    std::int64_t t = 0;
    for (const char* time : {"2020-12-10T03:37:30.000Z", "Thu, 10 Dec 2020 03:37:30 GMT"}) {
        CAPTURE(time);
        t = 0;
        REQUIRE(with_child(std::string("<Root><LastModified>") + time + "</LastModified></Root>", [&](auto& c) {
            return coswire::detail::store(coswire::detail::read_element_time(c, "LastModified"), t);
        }));
        CHECK(t == 1607571450);
    }
    const std::pair<std::string, std::string> bad[] = {
        {"<Root><Size>-1</Size></Root>", "Size"},
        {"<Root><IsTruncated>yes</IsTruncated></Root>", "IsTruncated"},
        {"<Root><Initiated>yesterday</Initiated></Root>", "Initiated"},
    };
    for (const auto& c : bad) {
        // Named copies: clang 14 cannot capture structured bindings in a lambda.
        const std::string& body = c.first;
        const std::string& element = c.second;
        CAPTURE(body);
        auto e = with_child(body, [&](auto& r) -> result<void> {
            if (element == "Size") return coswire::detail::read_element_decimal(r, element).transform([](auto) {});
            if (element == "IsTruncated") return coswire::detail::read_element_boolean(r, element).transform([](auto) {});
            return coswire::detail::read_element_time(r, element).transform([](auto) {});
        });
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::malformed_response);
        CHECK(e.error().argument == element);
    }
}

TEST_CASE("read_element_owner: ID and DisplayName, other children ignored") {
    coswire::object_owner o;
    REQUIRE(with_child("<Root><Owner><Extra>x</Extra><DisplayName>d</DisplayName><ID>1250000000</ID></Owner></Root>",
                       [&](auto& c) { return coswire::detail::read_element_owner(c, o); }));
    CHECK(o.id == "1250000000");
    CHECK(o.display_name == "d");
}

TEST_CASE("is_encoding_type_element and decode_url_field: the three spellings, decoded once") {
    for (std::string_view name : {"EncodingType", "Encoding-Type", "Encoding-type", "encodingtype"})
        CHECK(coswire::detail::is_encoding_type_element(name));
    CHECK_FALSE(coswire::detail::is_encoding_type_element("Encoding"));
    std::string field = "a%2541+b%2F";
    REQUIRE(coswire::detail::decode_url_field(field, "Key"));
    CHECK(field == "a%41+b/");
    std::string bad = "a%zz";
    auto e = coswire::detail::decode_url_field(bad, "NextMarker");
    REQUIRE_FALSE(e);
    CHECK(e.error().code == errc::malformed_response);
    CHECK(e.error().argument == "NextMarker");
}

TEST_CASE("read_result_document: another root is a malformed document") {
    auto e = with_child("<Error><Code>NoSuchKey</Code></Error>", [](auto&) { return result<void>{}; });
    REQUIRE_FALSE(e);
    CHECK(e.error().code == errc::malformed_response);
    CHECK(e.error().argument == "document");
    CHECK(e.error().reason == "the root element is <Error>, expected <Root>");
}

TEST_CASE("read_listing_document: takes IsTruncated and the encoding, passes the rest on") {
    bool truncated = false;
    std::string encoding;
    std::vector<std::string> seen;
    const auto collect = [&](std::string_view name, coswire::xml::reader&) {
        seen.emplace_back(name);
        return result<void>{};
    };
    auto ok = coswire::detail::read_listing_document(
        body_of("<List><Encoding-type>url</Encoding-type><Key>k</Key><IsTruncated>true</IsTruncated><Max>1</Max></List>"),
        "List", truncated, encoding, collect);
    REQUIRE(ok);
    CHECK(truncated);
    CHECK(encoding == "url");
    CHECK(seen == std::vector<std::string>{"Key", "Max"});

    auto missing = coswire::detail::read_listing_document(body_of("<List><Key>k</Key></List>"), "List", truncated,
                                                          encoding, collect);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == errc::malformed_response);
    CHECK(missing.error().argument == "IsTruncated");
    CHECK(missing.error().reason == "is missing from List");

    auto bad = coswire::detail::read_listing_document(body_of("<List><IsTruncated>1</IsTruncated></List>"), "List",
                                                      truncated, encoding, collect);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().argument == "IsTruncated");
}
