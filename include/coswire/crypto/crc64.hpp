// SPDX-License-Identifier: MIT
// CRC-64/XZ, the checksum COS sends as x-cos-hash-crc64ecma: update, one-shot and combine
// (docs/protocol/integrity.md). detail/crc64_table.hpp defines it with tables; where the CPU can
// multiply without carries, detail/crc64_fold.hpp does the bulk of long inputs faster.
#pragma once

#include <coswire/detail/cpu.hpp>
#include <coswire/detail/crc64_fold.hpp>
#include <coswire/detail/crc64_table.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

namespace coswire {

namespace detail {

/// crc64_byte_shift_powers[k] = x^(8·2^k) mod P: the operator that moves a register past 2^k
/// zero bytes. 64 entries cover every std::uint64_t byte count.
constexpr std::array<std::uint64_t, 64> make_crc64_byte_shift_powers() noexcept {
    std::array<std::uint64_t, 64> powers{};
    powers[0] = std::uint64_t{1} << (63 - 8);  // x^8
    for (std::size_t k = 1; k < powers.size(); ++k) powers[k] = gf2_mulmod(powers[k - 1], powers[k - 1]);
    return powers;
}

inline constexpr std::array<std::uint64_t, 64> crc64_byte_shift_powers = make_crc64_byte_shift_powers();

static_assert(crc64_xpow_mod(8) == crc64_byte_shift_powers[0]);

/// Run-time update on finalised values: un-invert, run the bulk loop, re-invert (init and xorout
/// are both ~0, so a finalised CRC resumes exactly where it stopped). Every run-time CRC goes
/// through here. Unless force_portable(true) is in effect, the widest folding the CPU has
/// (detected once): 512-bit VPCLMULQDQ (AVX-512), else 256-bit VPCLMULQDQ (AVX), both for 256
/// bytes and more, else 128-bit PCLMULQDQ from 16 bytes; slicing-by-8 otherwise. All give the
/// same value.
inline std::uint64_t crc64_update_bytes(std::uint64_t crc, const std::uint8_t* p, std::size_t n) noexcept {
#if COSWIRE_X86_DISPATCH
    if (n >= 256 && use_vpclmul()) return ~crc64_vpclmul(~crc, p, n);
    if (n >= 256 && use_vpclmul256()) return ~crc64_vpclmul256(~crc, p, n);
    if (n >= 16 && use_pclmul()) return ~crc64_pclmul(~crc, p, n);
#endif
    return ~crc64_portable(~crc, p, n);
}

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
