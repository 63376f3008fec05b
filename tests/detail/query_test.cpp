// SPDX-License-Identifier: MIT
#include <coswire/detail/query.hpp>

#include <doctest/doctest.h>

#include <coswire/encoding/percent.hpp>

#include <random>
#include <string>
#include <vector>

using coswire::detail::decode_target_text;
using coswire::detail::for_each_query_item;
using coswire::detail::parse_query;
using coswire::detail::plus_sign;
using coswire::detail::query_item;

namespace {

/// Every item of `text` as "name" or "name=value".
std::vector<std::string> items_of(std::string_view text) {
    std::vector<std::string> out;
    const auto walked = for_each_query_item(text, [&](const query_item& item) -> coswire::result<void> {
        out.push_back(std::string(item.name) + (item.value ? "=" + std::string(*item.value) : std::string()));
        return {};
    });
    REQUIRE(walked);
    return out;
}

}  // namespace

TEST_CASE("for_each_query_item: split at '&', then at the first '='; nothing is decoded") {
    CHECK(items_of("").empty());
    CHECK(items_of("a") == std::vector<std::string>{"a"});
    CHECK(items_of("a=1&b=&c") == std::vector<std::string>{"a=1", "b=", "c"});
    CHECK(items_of("a=b=c&%41=+") == std::vector<std::string>{"a=b=c", "%41=+"});
    CHECK(items_of("a&&b&") == std::vector<std::string>{"a", "", "b"});  // the empty middle item is passed on
    CHECK(items_of("&") == std::vector<std::string>{""});
}

TEST_CASE("for_each_query_item: the first error stops the walk") {
    int calls = 0;
    const auto walked = for_each_query_item("a&b&c", [&](const query_item& item) -> coswire::result<void> {
        ++calls;
        if (item.name == "b") return coswire::make_error(coswire::errc::invalid_argument, "q", "b");
        return {};
    });
    REQUIRE_FALSE(walked);
    CHECK(walked.error().reason == "b");
    CHECK(calls == 2);
}

TEST_CASE("decode_target_text: '+' as itself or as a space; escapes decoded; bad escapes name the argument") {
    CHECK(decode_target_text("a+b%2B%20c", plus_sign::literal, "x").value() == "a+b+ c");
    CHECK(decode_target_text("a+b%2B%20c", plus_sign::space, "x").value() == "a b+ c");
    const auto bad = decode_target_text("a%4", plus_sign::space, "target");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().argument == "target");
}

TEST_CASE("parse_query: decoded parameters in order; empty items skipped; valueless kept") {
    const auto params = parse_query("uploads&prefix=a%20b&&max-keys=10&=v&k=", plus_sign::literal, "url");
    REQUIRE(params);
    REQUIRE(params->size() == 5);
    CHECK((*params)[0].name == "uploads");
    CHECK_FALSE((*params)[0].value);
    CHECK((*params)[1].value == "a b");
    CHECK((*params)[2].name == "max-keys");
    CHECK((*params)[3].name.empty());
    CHECK((*params)[3].value == "v");
    CHECK((*params)[4].value == "");
    CHECK(parse_query("a=1+2", plus_sign::space, "t").value()[0].value == "1 2");
    CHECK(parse_query("a=1+2", plus_sign::literal, "t").value()[0].value == "1+2");
    CHECK_FALSE(parse_query("a=%zz", plus_sign::literal, "t"));
    CHECK_FALSE(parse_query("%g=1", plus_sign::literal, "t"));
}

TEST_CASE("parse_query reads back what http_request::target() writes") {
    std::mt19937_64 rng(5);
    for (int round = 0; round < 300; ++round) {
        coswire::http_request r;
        r.wire_path = "/";
        const std::size_t count = 1 + rng() % 5;
        for (std::size_t i = 0; i < count; ++i) {
            std::string name(1 + rng() % 6, '\0'), value(rng() % 6, '\0');
            for (char& c : name) c = static_cast<char>(rng());
            for (char& c : value) c = static_cast<char>(rng());
            r.query.push_back({std::move(name), rng() % 3 == 0 ? std::nullopt : std::optional<std::string>(std::move(value))});
        }
        const std::string target = r.target();
        for (const plus_sign plus : {plus_sign::literal, plus_sign::space}) {
            const auto params = parse_query(std::string_view(target).substr(2), plus, "t");
            REQUIRE(params);
            REQUIRE(params->size() == r.query.size());
            for (std::size_t i = 0; i < count; ++i) {
                CHECK((*params)[i].name == r.query[i].name);
                CHECK((*params)[i].value == r.query[i].value);
            }
        }
    }
}
