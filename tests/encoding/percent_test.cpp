// SPDX-License-Identifier: MIT
#include <coswire/encoding/percent.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <string_view>

using coswire::errc;
using coswire::is_unreserved;
using coswire::percent_decode;
using coswire::percent_encode;
using coswire::percent_encode_append;
using coswire::percent_encode_to;
using coswire::percent_encode_unchecked;
using coswire::percent_encoded_size;

namespace {

constexpr std::string_view unreserved_set =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";

constexpr auto encoded_at_compile_time = [] {
    constexpr std::string_view input = "a b/c";
    std::array<char, 9> out{};
    percent_encode_unchecked(input, out.data());
    return out;
}();
static_assert(std::string_view(encoded_at_compile_time.data(), encoded_at_compile_time.size()) == "a%20b%2Fc");
static_assert(percent_encoded_size("a b/c") == 9);
static_assert(is_unreserved('~') && !is_unreserved('+') && !is_unreserved('\x80'));

std::string random_bytes(std::mt19937_64& rng, std::size_t max_length) {
    std::string s(static_cast<std::size_t>(rng() % (max_length + 1)), '\0');
    for (char& c : s) c = static_cast<char>(rng() & 0xFF);
    return s;
}

}  // namespace

TEST_CASE("percent_encode: leaves A-Z a-z 0-9 - _ . ~ untouched") {
    CHECK(percent_encode(unreserved_set) == unreserved_set);
    for (char c : unreserved_set) CHECK(is_unreserved(c));
}

TEST_CASE("percent_encode: every other byte value becomes %XX with upper-case hex") {
    constexpr std::string_view hex = "0123456789ABCDEF";
    int unreserved = 0;
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        const std::string encoded = percent_encode(std::string_view(&c, 1));
        if (unreserved_set.find(c) != std::string_view::npos) {
            ++unreserved;
            CHECK(is_unreserved(c));
            CHECK(encoded == std::string(1, c));
        } else {
            CHECK_FALSE(is_unreserved(c));
            const std::string expected{'%', hex[static_cast<std::size_t>(b >> 4)], hex[static_cast<std::size_t>(b & 15)]};
            CHECK(encoded == expected);
        }
        CHECK(percent_encoded_size(std::string_view(&c, 1)) == encoded.size());
    }
    CHECK(unreserved == 66);
}

TEST_CASE("percent_encode: matches the examples of docs/protocol/signing.md") {
    CHECK(percent_encode(" ") == "%20");
    CHECK(percent_encode("/") == "%2F");
    CHECK(percent_encode("+") == "%2B");
    CHECK(percent_encode("=") == "%3D");
    CHECK(percent_encode(";") == "%3B");
    CHECK(percent_encode("%") == "%25");
    CHECK(percent_encode("!'()*") == "%21%27%28%29%2A");
    CHECK(percent_encode("\xE8\x85\xBE\xE8\xAE\xAF\xE4\xBA\x91") == "%E8%85%BE%E8%AE%AF%E4%BA%91");  // 腾讯云
    CHECK(percent_encode("max-keys=20&prefix=a b") == "max-keys%3D20%26prefix%3Da%20b");
    CHECK(percent_encode("") == "");
}

TEST_CASE("percent_encode: is byte-wise and does not require UTF-8") {
    CHECK(percent_encode(std::string_view("\xFF\x00\xC0", 3)) == "%FF%00%C0");
}

TEST_CASE("percent_encode_append: appends to what the string already holds") {
    std::string out = "prefix=";
    percent_encode_append(out, "a/b c");
    CHECK(out == "prefix=a%2Fb%20c");
    percent_encode_append(out, "");
    CHECK(out == "prefix=a%2Fb%20c");
}

TEST_CASE("percent_encode_to: writes into a large enough buffer and reports the length") {
    std::array<char, 16> buffer{};
    buffer.fill('#');
    auto written = percent_encode_to("a b", buffer);
    REQUIRE(written.has_value());
    CHECK(*written == 5);
    CHECK(std::string_view(buffer.data(), 5) == "a%20b");
    CHECK(buffer[5] == '#');

    SUBCASE("an exactly sized buffer is enough") {
        std::array<char, 5> exact{};
        auto n = percent_encode_to("a b", exact);
        REQUIRE(n.has_value());
        CHECK(std::string_view(exact.data(), exact.size()) == "a%20b");
    }
    SUBCASE("an empty input needs no room") {
        auto n = percent_encode_to("", std::span<char>());
        REQUIRE(n.has_value());
        CHECK(*n == 0);
    }
}

TEST_CASE("percent_encode_to: reports buffer_too_small with the size needed and writes nothing") {
    std::array<char, 8> buffer{};
    buffer.fill('#');
    auto written = percent_encode_to("a b c", std::span<char>(buffer.data(), 6));
    REQUIRE_FALSE(written.has_value());
    CHECK(written.error().code == errc::buffer_too_small);
    CHECK(written.error().argument == "out");
    CHECK(written.error().size == 9);
    CHECK(written.error().reason == "needs 9 bytes, got 6");
    for (char c : buffer) CHECK(c == '#');
}

TEST_CASE("percent_decode: decodes escapes of either case and keeps '+' as '+'") {
    CHECK(percent_decode("%E8%85%BE%e8%ae%af").value() == "\xE8\x85\xBE\xE8\xAE\xAF");
    CHECK(percent_decode("a+b%20c").value() == "a+b c");
    CHECK(percent_decode("%2f%2F").value() == "//");
    CHECK(percent_decode("%00").value() == std::string(1, '\0'));
    CHECK(percent_decode("plain").value() == "plain");
    CHECK(percent_decode("").value() == "");
    CHECK(percent_decode("%25").value() == "%");
    CHECK(percent_decode("%2525").value() == "%25");  // decodes exactly once
}

TEST_CASE("percent_decode: rejects a '%' without two hex digits and names the offset") {
    struct bad_case {
        std::string_view input;
        std::size_t offset;
    };
    for (const auto& v : {bad_case{"%", 0}, bad_case{"%4", 0}, bad_case{"%G1", 0}, bad_case{"a%zz", 1},
                          bad_case{"ok%41%4", 5}, bad_case{"%1g", 0}, bad_case{"ab%", 2}}) {
        CAPTURE(v.input);
        auto decoded = percent_decode(v.input);
        REQUIRE_FALSE(decoded.has_value());
        CHECK(decoded.error().code == errc::invalid_argument);
        CHECK(decoded.error().argument == "encoded_text");
        CHECK(decoded.error().size == v.offset);
        CHECK(decoded.error().reason ==
              "'%' at offset " + std::to_string(v.offset) + " is not followed by two hex digits");
    }
}

TEST_CASE("percent_decode: names the argument the caller passes") {
    auto decoded = percent_decode("a%zz", "Key");
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error().argument == "Key");
}

TEST_CASE("percent_decode: inverts percent_encode for random byte strings") {
    std::mt19937_64 rng(0xC05'0001);
    for (int i = 0; i < 2000; ++i) {
        const std::string input = random_bytes(rng, 64);
        const std::string encoded = percent_encode(input);
        CHECK(encoded.size() == percent_encoded_size(input));
        for (char c : encoded) CHECK((is_unreserved(c) || c == '%'));
        auto decoded = percent_decode(encoded);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == input);
    }
}

TEST_CASE("percent_encode: the four ways to encode agree on random byte strings") {
    std::mt19937_64 rng(0xC05'0002);
    for (int i = 0; i < 500; ++i) {
        const std::string input = random_bytes(rng, 200);
        const std::string expected = percent_encode(input);
        std::string appended = "x";
        percent_encode_append(appended, input);
        CHECK(appended == "x" + expected);
        std::string buffer(expected.size(), '\0');
        auto written = percent_encode_to(input, buffer);
        REQUIRE(written.has_value());
        CHECK(buffer == expected);
        std::string raw(expected.size(), '\0');
        CHECK(percent_encode_unchecked(input, raw.data()) == raw.data() + raw.size());
        CHECK(raw == expected);
    }
}
