// SPDX-License-Identifier: MIT
// CRC-64/XZ by the book: the reflected ECMA-182 polynomial, slicing-by-8 tables built at compile
// time, the table-driven loop every other path must agree with, and the arithmetic modulo the
// polynomial (products, powers of x) that combining CRCs and the folding constants rest on.
#pragma once

#include <cstddef>
#include <cstdint>

namespace coswire::detail {

/// ECMA-182 polynomial 0x42F0E1EBA9EA3693 bit-reversed, because CRC-64/XZ is reflected: bit i of
/// the register holds the coefficient of x^(63-i), so "multiply by x" is a right shift.
inline constexpr std::uint64_t crc64_poly_reflected = 0xC96C5795D7870F42u;

/// Slicing-by-8 tables: crc64_tables.t[k][b] is the raw register after byte b followed by k zero
/// bytes, starting from a zero register. Built by the compiler, so there is no run-time init.
/// Plain arrays, not std::array: constant-evaluating 2048 entries through an operator[] call per
/// access took several times longer, in every translation unit.
struct crc64_table_set {
    std::uint64_t t[8][256];
};

constexpr crc64_table_set make_crc64_tables() noexcept {
    crc64_table_set tables{};
    auto& t = tables.t;
    for (std::size_t b = 0; b < 256; ++b) {
        std::uint64_t r = b;
        for (int bit = 0; bit < 8; ++bit) r = (r & 1u) ? (r >> 1) ^ crc64_poly_reflected : r >> 1;
        t[0][b] = r;
    }
    for (std::size_t k = 1; k < 8; ++k)
        for (std::size_t b = 0; b < 256; ++b)
            t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFFu];
    return tables;
}

inline constexpr crc64_table_set crc64_tables = make_crc64_tables();

/// Eight bytes as a little-endian number, byte by byte so big-endian hosts get the same value.
/// Written out rather than as a loop so that g++ and clang++ both fuse it into one load where the
/// host is little-endian (g++ 12 keeps a loop of byte loads, which halves the table speed).
constexpr std::uint64_t load_le64(const std::uint8_t* p) noexcept {
    return static_cast<std::uint64_t>(p[0]) | (static_cast<std::uint64_t>(p[1]) << 8) |
           (static_cast<std::uint64_t>(p[2]) << 16) | (static_cast<std::uint64_t>(p[3]) << 24) |
           (static_cast<std::uint64_t>(p[4]) << 32) | (static_cast<std::uint64_t>(p[5]) << 40) |
           (static_cast<std::uint64_t>(p[6]) << 48) | (static_cast<std::uint64_t>(p[7]) << 56);
}

/// The portable bulk loop on the raw (un-inverted) register: eight bytes per step through the
/// slicing tables, then the tail one byte at a time. The constant-evaluation path, the run-time
/// fallback, and the last 0..15 bytes of the folding paths (crc64_fold_finish).
constexpr std::uint64_t crc64_portable(std::uint64_t crc_raw, const std::uint8_t* p, std::size_t n) noexcept {
    const auto& t = crc64_tables.t;
    for (; n >= 8; p += 8, n -= 8) {
        // Byte j of the word is followed by 7 - j more bytes of this step, hence table 7 - j.
        const std::uint64_t v = crc_raw ^ load_le64(p);
        crc_raw = t[7][v & 0xFFu] ^ t[6][(v >> 8) & 0xFFu] ^ t[5][(v >> 16) & 0xFFu] ^
                  t[4][(v >> 24) & 0xFFu] ^ t[3][(v >> 32) & 0xFFu] ^ t[2][(v >> 40) & 0xFFu] ^
                  t[1][(v >> 48) & 0xFFu] ^ t[0][v >> 56];
    }
    for (; n > 0; ++p, --n) crc_raw = t[0][(crc_raw ^ *p) & 0xFFu] ^ (crc_raw >> 8);
    return crc_raw;
}

/// a·b mod P in the reflected representation (bit 63 is x^0). Scans `a` from x^0 upwards while
/// `b` is multiplied by x each step; stops once no coefficient of `a` is left. Masks instead of
/// branches, because the bits are data and would defeat branch prediction.
constexpr std::uint64_t gf2_mulmod(std::uint64_t a, std::uint64_t b) noexcept {
    std::uint64_t product = 0;
    for (; a != 0; a <<= 1) {
        product ^= b & (0 - (a >> 63));
        b = (b >> 1) ^ (crc64_poly_reflected & (0 - (b & 1u)));
    }
    return product;
}

/// x^k mod P in the reflected representation, by square-and-multiply on gf2_mulmod.
constexpr std::uint64_t crc64_xpow_mod(std::uint64_t k) noexcept {
    std::uint64_t result = std::uint64_t{1} << 63;  // x^0
    std::uint64_t square = std::uint64_t{1} << 62;  // x^1, then x^2, x^4, ...
    for (; k != 0; k >>= 1) {
        if (k & 1u) result = gf2_mulmod(result, square);
        square = gf2_mulmod(square, square);
    }
    return result;
}

/// Reverses the bit order of a 64-bit word: converts between the reflected (bit i = x^(63-i))
/// and the normal (bit i = x^i) representation of a polynomial of degree < 64.
constexpr std::uint64_t bit_reverse64(std::uint64_t v) noexcept {
    std::uint64_t r = 0;
    for (int i = 0; i < 64; ++i, v >>= 1) r = (r << 1) | (v & 1u);
    return r;
}

}  // namespace coswire::detail
