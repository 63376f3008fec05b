// SPDX-License-Identifier: MIT
#include <coswire/crypto/crc64.hpp>

#include <coswire/detail/cpu.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../support/bytes.hpp"

using coswire::crc64;
using coswire::crc64_combine;
using coswire::crc64_update;

using test_support::bytes_of;
using test_support::random_bytes;

namespace {

constexpr std::uint64_t reflected_poly = 0xC96C5795D7870F42u;

// One bit at a time, straight from the CRC-64/XZ parameters (docs/protocol/integrity.md#the-crc-64-algorithm).
std::uint64_t crc64_bitwise(std::string_view data) {
    std::uint64_t crc = ~std::uint64_t{0};
    for (const char c : data) {
        crc ^= static_cast<unsigned char>(c);
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 1u) ? (crc >> 1) ^ reflected_poly : crc >> 1;
    }
    return ~crc;
}

// The zlib crc32_combine construction (docs/protocol/integrity.md#combining-crc-64-values), an
// algorithm independent of the library's: a 64x64 GF(2) matrix (column i = image of register bit i)
// moves the register past one zero bit; squaring it three times gives one zero byte, and further
// squarings give 2, 4, 8 ... bytes.
using gf2_matrix = std::array<std::uint64_t, 64>;

std::uint64_t apply(const gf2_matrix& m, std::uint64_t v) {
    std::uint64_t r = 0;
    for (std::size_t i = 0; v != 0; ++i, v >>= 1)
        if (v & 1u) r ^= m[i];
    return r;
}

gf2_matrix square(const gf2_matrix& m) {
    gf2_matrix r{};
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = apply(m, m[i]);
    return r;
}

// Advances a register (raw or finalised alike: the operator is linear) past `len` zero bytes.
std::uint64_t shift_by_zero_bytes(std::uint64_t reg, std::uint64_t len) {
    gf2_matrix op{};
    op[0] = reflected_poly;
    for (std::size_t i = 1; i < op.size(); ++i) op[i] = std::uint64_t{1} << (i - 1);
    op = square(square(square(op)));
    for (; len != 0; len >>= 1) {
        if (len & 1u) reg = apply(op, reg);
        op = square(op);
    }
    return reg;
}

// The edge case: an empty B has CRC 0 whatever crc_b says, so the result is crc_a.
std::uint64_t combine_by_matrices(std::uint64_t crc_a, std::uint64_t crc_b, std::uint64_t len_b) {
    return len_b == 0 ? crc_a : shift_by_zero_bytes(crc_a, len_b) ^ crc_b;
}

// CRC-64 of `n` zero bytes without the bytes: run the initial register ~0 past them, finalise.
std::uint64_t crc64_of_zeros(std::uint64_t n) { return ~shift_by_zero_bytes(~std::uint64_t{0}, n); }

// CRC-64 of a message whose CRC is `crc` followed by `n` zero bytes, without the bytes.
std::uint64_t crc64_then_zeros(std::uint64_t crc, std::uint64_t n) { return ~shift_by_zero_bytes(~crc, n); }

// Lengths that exercise the slicing loop's edges: every length up to 64, then multiples of 8
// and their neighbours.
std::vector<std::size_t> edge_lengths() {
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n <= 64; ++n) lengths.push_back(n);
    for (std::size_t n = 72; n <= 1032; n += 8) {
        lengths.push_back(n - 1);
        lengths.push_back(n);
        lengths.push_back(n + 1);
    }
    return lengths;
}

}  // namespace

static_assert(crc64("123456789") == 0x995DC9BBDF1939FAu);
static_assert(crc64("") == 0);
static_assert(crc64_update(crc64("12345"), "6789") == crc64("123456789"));
static_assert(crc64_combine(4510578591875220731u, 16749565679157681890u, 16) == 8252828025612318913u);

TEST_CASE("crc64: gives the CRC-64/XZ check value for 123456789 and 0 for the empty input") {
    CHECK(crc64("123456789") == 0x995DC9BBDF1939FAu);
    CHECK(crc64("123456789") == 11051210869376104954u);
    CHECK(crc64("") == 0);
    CHECK(crc64(std::span<const std::byte>()) == 0);
    CHECK(crc64_update(0, "") == 0);
}

TEST_CASE("crc64: matches every checksum of docs/protocol/test-vectors.md") {
    struct vector {
        std::string_view input;
        std::uint64_t crc;
    };
    constexpr std::array<vector, 7> vectors{{
        {"123456789", 11051210869376104954u},
        {"", 0},
        {"0123456789", 2838902930144391966u},
        {"[Object Part]", 4510578591875220731u},
        {"[Object Content]", 16749565679157681890u},
        {"[Object Content Version 2]", 11596229263574363878u},
        {"Sow nothing, reap nothing.", 5688612513965981022u},
    }};
    for (const vector& v : vectors) {
        CAPTURE(v.input);
        CHECK(crc64(v.input) == v.crc);
        CHECK(crc64(bytes_of(v.input)) == v.crc);
        CHECK(crc64_bitwise(v.input) == v.crc);
    }
}

TEST_CASE("crc64_combine: reproduces the documented combine vectors, including the 2 MiB multipart object") {
    CHECK(crc64_combine(4510578591875220731u, 16749565679157681890u, 16) == 8252828025612318913u);
    CHECK(crc64("[Object Part][Object Content]") == 8252828025612318913u);

    const std::string p1(1048576, 'a');
    const std::string p2(1048576, 'b');
    const std::string p3 = "tail";
    const std::uint64_t c1 = crc64(p1);
    const std::uint64_t c2 = crc64(p2);
    const std::uint64_t c3 = crc64(p3);
    CHECK(c1 == 6701094182323390671u);
    CHECK(c2 == 4085814139916291200u);
    CHECK(c3 == 1564134088860173973u);

    const std::uint64_t whole = 13745729108564155657u;
    CHECK(crc64_combine(crc64_combine(c1, c2, p2.size()), c3, p3.size()) == whole);
    CHECK(crc64_combine(crc64_combine(crc64_combine(0, c1, p1.size()), c2, p2.size()), c3, p3.size()) == whole);
    CHECK(crc64(p1 + p2 + p3) == whole);
    CHECK(crc64_update(crc64_update(crc64_update(0, p1), p2), p3) == whole);
}

TEST_CASE("crc64: the slicing-by-8 path matches a bit-at-a-time reference on random inputs") {
    std::mt19937_64 rng(0xC05C4C64u);
    // A few bytes of slack so each input can also start at every misalignment.
    SUBCASE("every edge length, at offsets 0 to 7") {
        for (const std::size_t n : edge_lengths()) {
            const std::string buffer = random_bytes(rng, n + 7);
            for (std::size_t offset = 0; offset < 8; ++offset) {
                const std::string_view data = std::string_view(buffer).substr(offset, n);
                CAPTURE(n);
                CAPTURE(offset);
                REQUIRE(crc64(data) == crc64_bitwise(data));
                REQUIRE(crc64(bytes_of(data)) == crc64_bitwise(data));
            }
        }
    }
    SUBCASE("random lengths up to 100 KB") {
        for (int round = 0; round < 24; ++round) {
            const std::string data = random_bytes(rng, static_cast<std::size_t>(rng() % 100001u));
            CAPTURE(data.size());
            REQUIRE(crc64(data) == crc64_bitwise(data));
        }
    }
}

TEST_CASE("crc64_update: continuing from crc64(a) over b gives crc64(a + b)") {
    std::mt19937_64 rng(0x5EED0001u);
    for (const std::size_t n : edge_lengths()) {
        const std::string data = random_bytes(rng, n);
        const std::size_t split = static_cast<std::size_t>(rng() % (n + 1));
        const std::string_view a = std::string_view(data).substr(0, split);
        const std::string_view b = std::string_view(data).substr(split);
        CAPTURE(n);
        CAPTURE(split);
        REQUIRE(crc64_update(crc64(a), b) == crc64(data));
        REQUIRE(crc64_update(crc64(bytes_of(a)), bytes_of(b)) == crc64(data));
    }
    for (int round = 0; round < 16; ++round) {
        const std::string data = random_bytes(rng, static_cast<std::size_t>(rng() % 100001u));
        const std::size_t split = static_cast<std::size_t>(rng() % (data.size() + 1));
        CAPTURE(data.size());
        CAPTURE(split);
        REQUIRE(crc64_update(crc64(data.substr(0, split)), data.substr(split)) == crc64(data));
    }
}

TEST_CASE("crc64_combine: combining crc64(a) and crc64(b) gives crc64(a + b)") {
    std::mt19937_64 rng(0x5EED0002u);
    const auto check_split = [](std::string_view data, std::size_t split) {
        const std::string_view a = data.substr(0, split);
        const std::string_view b = data.substr(split);
        CAPTURE(data.size());
        CAPTURE(split);
        REQUIRE(crc64_combine(crc64(a), crc64(b), b.size()) == crc64(data));
    };
    for (const std::size_t n : edge_lengths()) {
        const std::string data = random_bytes(rng, n);
        check_split(data, static_cast<std::size_t>(rng() % (n + 1)));
        check_split(data, 0);
        check_split(data, n);
    }
    for (int round = 0; round < 16; ++round) {
        const std::string data = random_bytes(rng, static_cast<std::size_t>(rng() % 100001u));
        check_split(data, static_cast<std::size_t>(rng() % (data.size() + 1)));
    }
}

TEST_CASE("crc64_combine: an empty b returns crc_a, and a fold starting from 0 returns crc_b") {
    std::mt19937_64 rng(0x5EED0003u);
    for (int round = 0; round < 64; ++round) {
        const std::uint64_t a = rng();
        const std::uint64_t b = rng();
        const std::uint64_t n = (rng() >> (1 + rng() % 63)) + 1;  // 1 .. 2^63: B is not empty
        CHECK(crc64_combine(a, 0, 0) == a);
        CHECK(crc64_combine(a, b, 0) == a);
        CHECK(crc64_combine(0, b, n) == b);
    }
    CHECK(crc64_combine(0, 0, 0) == 0);
    CHECK(crc64_combine(0, 12345, ~std::uint64_t{0}) == 12345);
}

TEST_CASE("crc64_combine: appending n zero bytes agrees with hashing them, for n up to 2^40") {
    std::mt19937_64 rng(0x5EED0004u);
    const std::string a = random_bytes(rng, 1000);
    const std::uint64_t crc_a = crc64(a);

    SUBCASE("small n, against the bytes themselves") {
        for (std::size_t n = 0; n <= 4096; n += (n < 80 ? 1 : 61)) {
            const std::string zeros(n, '\0');
            CAPTURE(n);
            REQUIRE(crc64_of_zeros(n) == crc64(zeros));
            REQUIRE(crc64_then_zeros(crc_a, n) == crc64(a + zeros));
            REQUIRE(crc64_combine(crc_a, crc64(zeros), n) == crc64(a + zeros));
        }
    }
    SUBCASE("large n, against the matrix-squaring register shift") {
        std::vector<std::uint64_t> lengths = {std::uint64_t{1} << 20, (std::uint64_t{1} << 32) - 1,
                                              std::uint64_t{1} << 32, (std::uint64_t{1} << 40) - 1,
                                              std::uint64_t{1} << 40, (std::uint64_t{1} << 40) + 1};
        for (int round = 0; round < 32; ++round) lengths.push_back(rng() % ((std::uint64_t{1} << 40) + 1));
        for (const std::uint64_t n : lengths) {
            CAPTURE(n);
            REQUIRE(crc64_combine(crc_a, crc64_of_zeros(n), n) == crc64_then_zeros(crc_a, n));
        }
        // 1 MiB of zeros is still cheap to hash, which ties the reference to real bytes.
        CHECK(crc64_of_zeros(std::uint64_t{1} << 20) == crc64(std::string(std::size_t{1} << 20, '\0')));
    }
}

TEST_CASE("crc64_combine: agrees with the zlib matrix-squaring construction for any CRCs and lengths") {
    std::mt19937_64 rng(0x5EED0005u);
    for (int round = 0; round < 200; ++round) {
        const std::uint64_t a = rng();
        const std::uint64_t b = rng();
        const std::uint64_t n = rng() >> (rng() % 64);  // every magnitude, up to 2^64 - 1
        CAPTURE(n);
        REQUIRE(crc64_combine(a, b, n) == combine_by_matrices(a, b, n));
    }
    const std::uint64_t max_len = ~std::uint64_t{0};
    CHECK(crc64_combine(1, 2, max_len) == combine_by_matrices(1, 2, max_len));
}

// The PCLMULQDQ constants are derived in crc64.hpp from x^k mod P by square-and-multiply; here
// the same powers come from the matrix construction above, one zero byte at a time. A constant
// stands for one power of x less than its role (the reflected carry-less product adds an x), so
// multiplying it by x must give x^(D+64) and x^D for a fold across D = 128·j bits.
TEST_CASE("crc64: the folding and Barrett constants agree with the matrix-squaring construction") {
    const auto times_x = [](std::uint64_t v) { return (v >> 1) ^ ((v & 1u) ? reflected_poly : 0); };
    const std::uint64_t one = std::uint64_t{1} << 63;  // x^0, reflected
    for (std::size_t j = 1; j < coswire::detail::crc64_fold_by_lanes.size(); ++j) {
        const coswire::detail::crc64_fold_pair k = coswire::detail::crc64_fold_by_lanes[j];
        CAPTURE(j);
        CHECK(times_x(k.low_half) == shift_by_zero_bytes(one, 16 * j + 8));
        CHECK(times_x(k.high_half) == shift_by_zero_bytes(one, 16 * j));
    }
    CHECK(times_x(coswire::detail::crc64_final_fold) == shift_by_zero_bytes(one, 16));
    // (P - 1) / x times x, plus 1, is P, whose remainder mod P is 0; its reflected form without
    // the x^64 term is the polynomial word.
    CHECK(((coswire::detail::crc64_barrett_poly >> 1) | one) == (reflected_poly | one));
}

TEST_CASE("crc64: with detail::force_portable the slicing path gives the same values") {
    std::mt19937_64 rng(0x5EED0006u);
    for (const std::size_t n : edge_lengths()) {
        const std::string data = random_bytes(rng, n);
        const std::uint64_t fast = crc64(data);
        coswire::detail::force_portable(true);
        const std::uint64_t portable = crc64(data);
        coswire::detail::force_portable(false);
        CAPTURE(n);
        REQUIRE(fast == portable);
        REQUIRE(portable == crc64_bitwise(data));
    }
}
