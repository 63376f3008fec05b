// SPDX-License-Identifier: MIT
// CRC-64/XZ, the checksum COS sends as x-cos-hash-crc64ecma: update, one-shot and combine (COS-PROTOCOL.md §7.1, §7.2).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

namespace coswire {

namespace detail {

/// ECMA-182 polynomial 0x42F0E1EBA9EA3693 bit-reversed, because CRC-64/XZ is reflected: bit i of
/// the register holds the coefficient of x^(63-i), so "multiply by x" is a right shift.
inline constexpr std::uint64_t crc64_poly_reflected = 0xC96C5795D7870F42u;

/// Slicing-by-8 tables: crc64_tables[k][b] is the raw register after byte b followed by k zero
/// bytes, starting from a zero register. Built by the compiler, so there is no run-time init.
using crc64_table_set = std::array<std::array<std::uint64_t, 256>, 8>;

constexpr crc64_table_set make_crc64_tables() noexcept {
    crc64_table_set t{};
    for (std::size_t b = 0; b < 256; ++b) {
        std::uint64_t r = b;
        for (int bit = 0; bit < 8; ++bit) r = (r & 1u) ? (r >> 1) ^ crc64_poly_reflected : r >> 1;
        t[0][b] = r;
    }
    for (std::size_t k = 1; k < t.size(); ++k)
        for (std::size_t b = 0; b < 256; ++b)
            t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFFu];
    return t;
}

inline constexpr crc64_table_set crc64_tables = make_crc64_tables();

/// Eight bytes as a little-endian number, byte by byte so big-endian hosts get the same value;
/// compilers fuse this into one load where the host is little-endian.
constexpr std::uint64_t load_le64(const std::uint8_t* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

/// The portable bulk loop on the raw (un-inverted) register: eight bytes per step through the
/// slicing tables, then the tail one byte at a time. Every CRC in the library runs through here
/// (a PCLMULQDQ folding path selected at run time can take over the bulk later).
constexpr std::uint64_t crc64_portable(std::uint64_t crc_raw, const std::uint8_t* p, std::size_t n) noexcept {
    const crc64_table_set& t = crc64_tables;
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

/// Run-time update on finalised values: un-invert, run the bulk loop, re-invert (init and xorout
/// are both ~0, so a finalised CRC resumes exactly where it stopped).
inline std::uint64_t crc64_update_bytes(std::uint64_t crc, const std::uint8_t* p, std::size_t n) noexcept {
    return ~crc64_portable(~crc, p, n);
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

/// crc64_byte_shift_powers[k] = x^(8·2^k) mod P: the operator that moves a register past 2^k
/// zero bytes. 64 entries cover every std::uint64_t byte count.
constexpr std::array<std::uint64_t, 64> make_crc64_byte_shift_powers() noexcept {
    std::array<std::uint64_t, 64> powers{};
    powers[0] = std::uint64_t{1} << (63 - 8);  // x^8
    for (std::size_t k = 1; k < powers.size(); ++k) powers[k] = gf2_mulmod(powers[k - 1], powers[k - 1]);
    return powers;
}

inline constexpr std::array<std::uint64_t, 64> crc64_byte_shift_powers = make_crc64_byte_shift_powers();

}  // namespace detail

/// Continues a CRC-64/XZ over `data`. `crc` is the finalised CRC of everything before (0 when
/// nothing came before), so crc64_update(crc64_update(0, a), b) == crc64(a + b) and
/// crc64_update(c, "") == c. Usable in constant expressions.
constexpr std::uint64_t crc64_update(std::uint64_t crc, std::string_view data) noexcept {
    if (std::is_constant_evaluated()) {
        // Constant evaluation may not view char storage as std::uint8_t, so feed the same bulk
        // loop through a small byte buffer instead.
        std::uint64_t raw = ~crc;
        std::uint8_t chunk[64]{};
        while (!data.empty()) {
            const std::size_t n = data.size() < sizeof chunk ? data.size() : sizeof chunk;
            for (std::size_t i = 0; i < n; ++i) chunk[i] = static_cast<std::uint8_t>(data[i]);
            raw = detail::crc64_portable(raw, chunk, n);
            data.remove_prefix(n);
        }
        return ~raw;
    }
    return detail::crc64_update_bytes(crc, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

/// Continues a CRC-64/XZ over raw bytes; same contract as the std::string_view overload.
inline std::uint64_t crc64_update(std::uint64_t crc, std::span<const std::byte> data) noexcept {
    return detail::crc64_update_bytes(crc, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

/// CRC-64/XZ of `data`, the value of x-cos-hash-crc64ecma (print it in decimal). crc64("") == 0;
/// crc64("123456789") == 0x995DC9BBDF1939FA. Usable in constant expressions.
constexpr std::uint64_t crc64(std::string_view data) noexcept { return crc64_update(0, data); }

/// CRC-64/XZ of raw bytes; same value as the std::string_view overload for the same bytes.
inline std::uint64_t crc64(std::span<const std::byte> data) noexcept { return crc64_update(0, data); }

/// CRC(A‖B) from crc_a = CRC(A), crc_b = CRC(B) and len_b = |B| in bytes, without the data; e.g.
/// the whole-object CRC of a multipart upload from its part CRCs, folded in part order from 0.
/// Because init and xorout are equal, the inversions cancel and CRC(A‖B) = crc_a·x^(8·len_b) ⊕
/// crc_b (mod P); x^(8·len_b) is the product of one precomputed power per set bit of len_b, so
/// this costs at most 64 (typically log2 len_b) carry-less multiply-mods.
/// Edge cases: len_b == 0 means B is empty, whose CRC is 0, so the result is crc_a (crc_b is
/// ignored); crc64_combine(0, c, n) == c for every n, so a fold may start from 0.
constexpr std::uint64_t crc64_combine(std::uint64_t crc_a, std::uint64_t crc_b, std::uint64_t len_b) noexcept {
    if (len_b == 0) return crc_a;
    for (std::size_t k = 0; len_b != 0; ++k, len_b >>= 1)
        if (len_b & 1u) crc_a = detail::gf2_mulmod(detail::crc64_byte_shift_powers[k], crc_a);
    return crc_a ^ crc_b;
}

}  // namespace coswire
