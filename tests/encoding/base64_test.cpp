// SPDX-License-Identifier: MIT
#include <coswire/encoding/base64.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using coswire::base64_decode;
using coswire::base64_encode;
using coswire::base64_encode_to;
using coswire::base64_encoded_size;
using coswire::errc;

namespace {

// MD5("ObjectContent") = 990fdf561f35e45de4e930149bc9b47a; its Content-MD5 is the base64 below.
constexpr std::array<std::uint8_t, 16> md5_object_content = {0x99, 0x0f, 0xdf, 0x56, 0x1f, 0x35, 0xe4, 0x5d,
                                                             0xe4, 0xe9, 0x30, 0x14, 0x9b, 0xc9, 0xb4, 0x7a};

constexpr bool equals(const auto& chars, std::string_view expected) {
    return std::string_view(chars.data(), chars.size()) == expected;
}

struct rfc_vector {
    std::string_view plain;
    std::string_view encoded;
};

// RFC 4648 section 10.
constexpr std::array<rfc_vector, 7> rfc4648_vectors{{
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
}};

std::span<const std::uint8_t> bytes_of(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void check_rejected(std::string_view text, std::size_t offset, std::string_view reason_part) {
    CAPTURE(text);
    const auto r = base64_decode(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
    CHECK(r.error().argument == "base64_text");
    CHECK(r.error().size == offset);
    CHECK(r.error().reason.find("offset " + std::to_string(offset)) != std::string::npos);
    CHECK(r.error().reason.find(reason_part) != std::string::npos);
}

}  // namespace

static_assert(base64_encoded_size(0) == 0);
static_assert(base64_encoded_size(1) == 4);
static_assert(base64_encoded_size(3) == 4);
static_assert(base64_encoded_size(4) == 8);
static_assert(base64_encoded_size(16) == 24);
static_assert(equals(base64_encode(md5_object_content), "mQ/fVh815F3k6TAUm8m0eg=="));
static_assert(equals(base64_encode(std::array<std::uint8_t, 2>{'f', 'o'}), "Zm8="));
static_assert(base64_encode(std::array<std::uint8_t, 0>{}).empty());

TEST_CASE("base64_encode: gives every RFC 4648 section 10 vector, from text, bytes and std::byte") {
    for (const rfc_vector& v : rfc4648_vectors) {
        CAPTURE(v.plain);
        CHECK(base64_encode(v.plain) == v.encoded);
        CHECK(base64_encode(bytes_of(v.plain)) == v.encoded);
        CHECK(base64_encode(std::as_bytes(bytes_of(v.plain))) == v.encoded);
        CHECK(base64_encoded_size(v.plain.size()) == v.encoded.size());
    }
}

TEST_CASE("base64_decode: gives back every RFC 4648 section 10 vector") {
    for (const rfc_vector& v : rfc4648_vectors) {
        CAPTURE(v.encoded);
        CHECK(base64_decode(v.encoded).value() == v.plain);
    }
}

TEST_CASE("base64_encode: the MD5 of ObjectContent becomes the Content-MD5 mQ/fVh815F3k6TAUm8m0eg==") {
    CHECK(equals(base64_encode(md5_object_content), "mQ/fVh815F3k6TAUm8m0eg=="));
    CHECK(base64_encode(std::span<const std::uint8_t>(md5_object_content)) == "mQ/fVh815F3k6TAUm8m0eg==");
    const std::string decoded = base64_decode("mQ/fVh815F3k6TAUm8m0eg==").value();
    CHECK(decoded == std::string(reinterpret_cast<const char*>(md5_object_content.data()), 16));
}

TEST_CASE("base64_encoded_size: saturates instead of wrapping for sizes no object can have") {
    constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
    CHECK(base64_encoded_size(max) == max);
    CHECK(base64_encoded_size(max / 4 * 3) == max / 4 * 4);
    CHECK(base64_encoded_size(max / 4 * 3 + 1) == max);
}

TEST_CASE("base64: decode(encode(x)) == x for random bytes, and all 256 byte values survive") {
    std::mt19937_64 rng(0xBA5E6401u);
    for (int round = 0; round < 500; ++round) {
        std::string bytes(static_cast<std::size_t>(rng() % 200u), '\0');
        for (char& c : bytes) c = static_cast<char>(rng() & 0xFFu);
        const std::string text = base64_encode(bytes);
        REQUIRE(text.size() == base64_encoded_size(bytes.size()));
        REQUIRE(base64_decode(text).value() == bytes);
    }
    std::string all(256, '\0');
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<char>(i);
    CHECK(base64_decode(base64_encode(all)).value() == all);
}

TEST_CASE("base64_encode_to: writes into a big enough buffer and returns the length") {
    std::array<char, 30> out{};
    out.fill('#');
    const auto n = base64_encode_to(md5_object_content, out);
    REQUIRE(n);
    CHECK(*n == 24);
    CHECK(std::string_view(out.data(), out.size()) == "mQ/fVh815F3k6TAUm8m0eg==######");

    std::array<char, 4> exact{};
    CHECK(base64_encode_to(bytes_of("fo"), exact).value() == 4);
    CHECK(equals(exact, "Zm8="));
    CHECK(base64_encode_to({}, std::span<char>()).value() == 0);
}

TEST_CASE("base64_encode_to: a short buffer gives buffer_too_small with the size needed and stays untouched") {
    std::array<char, 32> storage{};
    storage.fill('#');
    const auto r = base64_encode_to(md5_object_content, std::span<char>(storage.data(), 23));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::buffer_too_small);
    CHECK(r.error().argument == "out");
    CHECK(r.error().size == 24);
    for (const char c : storage) REQUIRE(c == '#');

    const auto empty = base64_encode_to(bytes_of("f"), std::span<char>());
    REQUIRE_FALSE(empty);
    CHECK(empty.error().size == 4);
}

TEST_CASE("base64_decode: rejects lengths that are not a multiple of 4") {
    for (const std::string_view text : {"Z", "Zg", "Zg=", "Zm9vY", "Zm9vYg=", "Zm9vYg==="}) {
        CAPTURE(text);
        const auto r = base64_decode(text);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().argument == "base64_text");
        CHECK(r.error().reason.find("multiple of 4") != std::string::npos);
    }
}

TEST_CASE("base64_decode: rejects characters outside the standard alphabet, at their offset") {
    check_rejected("Zm9v-g==", 4, "alphabet");  // URL-safe alphabet
    check_rejected("Zm9v_g==", 4, "alphabet");
    check_rejected("Zm9 vYg=", 3, "alphabet");  // whitespace
    check_rejected("Zm9v\nYg=", 4, "alphabet");  // line break
    check_rejected(std::string_view("Zm\0v", 4), 2, "alphabet");
    check_rejected("Zm9\xff", 3, "alphabet");
}

TEST_CASE("base64_decode: rejects padding that is missing, misplaced or too long") {
    check_rejected("====", 0, "padding");
    check_rejected("Z===", 1, "padding");
    check_rejected("Zg=a", 2, "padding");
    check_rejected("Z=g=", 1, "padding");
    check_rejected("Zg==Zm9v", 2, "padding");  // padding is only allowed at the very end
    check_rejected("Zm8=Zm8=", 3, "padding");
}

TEST_CASE("base64_decode: rejects non-canonical text whose discarded bits are not zero") {
    // "f" is Zg==; Zh== .. Zv== carry the same byte plus non-zero bits the padding drops.
    check_rejected("Zh==", 1, "non-zero bits");
    check_rejected("Zv==", 1, "non-zero bits");
    // "fo" is Zm8=; Zm9= differs only in the two discarded bits.
    check_rejected("Zm9=", 2, "non-zero bits");
    check_rejected("Zm9vZm9=", 6, "non-zero bits");
    CHECK(base64_decode("Zg==").value() == "f");
    CHECK(base64_decode("Zm8=").value() == "fo");
}
