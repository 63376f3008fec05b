// SPDX-License-Identifier: MIT
#include <coswire/encoding/hex.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::from_hex;
using coswire::from_hex_array;
using coswire::to_hex;
using coswire::to_hex_into;
using coswire::to_string_view;

namespace {

// MD5("ObjectContent"), as COS would show it in an ETag.
constexpr std::array<std::uint8_t, 16> md5_object_content = {0x99, 0x0f, 0xdf, 0x56, 0x1f, 0x35, 0xe4, 0x5d,
                                                             0xe4, 0xe9, 0x30, 0x14, 0x9b, 0xc9, 0xb4, 0x7a};

std::vector<std::uint8_t> all_byte_values() {
    std::vector<std::uint8_t> v(256);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(i);
    return v;
}

}  // namespace

static_assert(to_string_view(to_hex(md5_object_content)) == "990fdf561f35e45de4e930149bc9b47a");
static_assert(to_string_view(to_hex(std::array<std::uint8_t, 0>{})).empty());
static_assert(to_hex(std::array<std::uint8_t, 3>{0x00, 0xAB, 0xFF}).size() == 6);

TEST_CASE("to_hex: writes each of the 256 byte values as two lower-case digits") {
    const std::string hex = to_hex(all_byte_values());
    REQUIRE(hex.size() == 512);
    CHECK(hex.substr(0, 32) == "000102030405060708090a0b0c0d0e0f");
    CHECK(hex.substr(2 * 0x78, 32) == "78797a7b7c7d7e7f8081828384858687");
    CHECK(hex.substr(512 - 32) == "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    for (std::size_t i = 0; i < hex.size(); ++i) {
        const char c = hex[i];
        CAPTURE(i);
        REQUIRE(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')));
    }
    CHECK(from_hex(hex).value() == all_byte_values());
}

TEST_CASE("to_hex: the array, std::uint8_t and std::byte forms give the same text") {
    const std::string expected = "990fdf561f35e45de4e930149bc9b47a";
    CHECK(to_string_view(to_hex(md5_object_content)) == expected);
    CHECK(to_hex(std::span<const std::uint8_t>(md5_object_content)) == expected);
    CHECK(to_hex(std::as_bytes(std::span(md5_object_content))) == expected);
    CHECK(to_hex(std::span<const std::uint8_t>()).empty());
    CHECK(to_hex(std::span<const std::byte>()).empty());
}

TEST_CASE("to_hex_into: writes exactly two chars per byte and nothing after them") {
    std::array<char, 10> out{};
    out.fill('#');
    const std::array<std::uint8_t, 4> in = {0xDE, 0xAD, 0xBE, 0xEF};
    to_hex_into(in, out.data());
    CHECK(std::string_view(out.data(), out.size()) == "deadbeef##");
    to_hex_into({}, out.data());
    CHECK(out[0] == 'd');
}

TEST_CASE("from_hex: accepts either case and round-trips random bytes") {
    CHECK(from_hex("").value().empty());
    CHECK(from_hex("DeadBEEF").value() == std::vector<std::uint8_t>{0xDE, 0xAD, 0xBE, 0xEF});
    CHECK(from_hex("0aF0").value() == std::vector<std::uint8_t>{0x0A, 0xF0});

    std::mt19937_64 rng(0x4E3A0001u);
    for (int round = 0; round < 200; ++round) {
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(rng() % 300u));
        for (std::uint8_t& b : bytes) b = static_cast<std::uint8_t>(rng() & 0xFFu);
        const std::string hex = to_hex(bytes);
        REQUIRE(hex.size() == 2 * bytes.size());
        REQUIRE(from_hex(hex).value() == bytes);
    }
}

TEST_CASE("from_hex: rejects odd lengths and non-hex characters, naming hex_text and the offset") {
    SUBCASE("odd length") {
        const auto r = from_hex("abc");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().argument == "hex_text");
        CHECK(r.error().reason.find("odd") != std::string::npos);
    }
    SUBCASE("a bad character in either digit of a pair") {
        struct bad_case {
            std::string_view text;
            std::size_t offset;
        };
        const std::array<bad_case, 8> cases{{
            {"0g", 1},
            {"g0", 0},
            {"0x12", 1},
            {" 012", 0},
            {"0011-2", 4},
            {"abcdeG", 5},
            {"00\xff" "0", 2},
            {std::string_view("00\0" "0", 4), 2},
        }};
        for (const bad_case& c : cases) {
            CAPTURE(c.text);
            const auto r = from_hex(c.text);
            REQUIRE_FALSE(r);
            CHECK(r.error().code == errc::invalid_argument);
            CHECK(r.error().argument == "hex_text");
            CHECK(r.error().size == c.offset);
            CHECK(r.error().reason.find("offset " + std::to_string(c.offset)) != std::string::npos);
        }
    }
}

TEST_CASE("from_hex_array: decodes exactly 2N digits and rejects any other length") {
    const auto md5 = from_hex_array<16>("990FDF561f35e45de4e930149bc9b47a");
    REQUIRE(md5);
    CHECK(*md5 == md5_object_content);
    CHECK(from_hex_array<0>("").value().empty());

    for (const std::string_view text : {"", "990fdf561f35e45de4e930149bc9b47", "990fdf561f35e45de4e930149bc9b47a00"}) {
        CAPTURE(text);
        const auto r = from_hex_array<16>(text);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().argument == "hex_text");
        CHECK(r.error().reason.find("expected 32 hex digits") != std::string::npos);
    }
    const auto bad = from_hex_array<2>("12z4");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().argument == "hex_text");
    CHECK(bad.error().size == 2);
}
