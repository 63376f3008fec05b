// SPDX-License-Identifier: MIT
// The fast path of CRC-64/XZ, behind the table-driven one of detail/crc64_table.hpp: carry-less
// multiplication (PCLMULQDQ, 256- and 512-bit VPCLMULQDQ) folds 16-byte lanes, with constants
// derived and checked at compile time, and leaves the last bytes to the tables. crypto/crc64.hpp
// runs it where the CPU has it; tests/crypto/hardware_test.cpp holds each routine equal to
// crc64_portable on every length and alignment it tries, tests/detail/crc64_fold_test.cpp runs
// the one folding loop in every width's shape with the multiplication in software, and
// tools/dev/check-wide-crc64 runs the wide routines on an emulated CPU that has them.
#pragma once

#include <coswire/detail/cpu.hpp>
#include <coswire/detail/crc64_table.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if COSWIRE_X86_DISPATCH
#include <smmintrin.h>  // SSE4.1 and below; not <immintrin.h>, which alone costs ~0.35 s of g++ time per TU
#include <wmmintrin.h>  // PCLMULQDQ
#endif

namespace coswire::detail {

/// floor(x^127 / P) in the reflected representation (degree 63), by schoolbook long division in
/// the normal representation: shift the dividend's bits into a 64-bit remainder from x^127 down
/// and subtract P (= x^64 + the normal polynomial) whenever the remainder reaches degree 64.
constexpr std::uint64_t crc64_barrett_quotient() noexcept {
    const std::uint64_t p_low = bit_reverse64(crc64_poly_reflected);  // P - x^64, normal form
    std::uint64_t quotient = 0, remainder = 0;
    for (int i = 127; i >= 0; --i) {
        const bool overflow = (remainder >> 63) != 0;  // x^63 term, about to become x^64
        remainder = (remainder << 1) | (i == 127 ? 1u : 0u);
        if (overflow) {
            remainder ^= p_low;
            quotient |= std::uint64_t{1} << i;  // only ever i <= 63: x^127 / x^64 = x^63
        }
    }
    return bit_reverse64(quotient);
}

/// The 128-bit carry-less product of two 64-bit words, bit i of `a` times bit j of `b` landing in
/// bit i + j; {low word, high word}. A constexpr model of PCLMULQDQ, used to check the constants.
constexpr std::array<std::uint64_t, 2> clmul64_model(std::uint64_t a, std::uint64_t b) noexcept {
    std::array<std::uint64_t, 2> r{};
    for (int i = 0; i < 64; ++i) {
        if ((a >> i) & 1u) {
            r[0] ^= b << i;
            if (i != 0) r[1] ^= b >> (64 - i);
        }
    }
    return r;
}

// PCLMULQDQ folding (docs/protocol/integrity.md#combining-crc-64-values mentions the carry-less form of the same algebra).
//
// Notation. A 128-bit lane loaded little-endian from the message holds a polynomial with bit j
// the coefficient of x^(127-j): the message's first bit is bit 0, as in the reflected register.
// Its low 64-bit half L and high half H are reflected 64-bit polynomials, and the lane is
// S = L·x^64 + H. The raw CRC of a message M (n bits) that starts from register R is
// (R·x^n + M·x^64) mod P, so XOR-ing R into the first 8 message bytes accounts for R.
//
// Reflected carry-less product. For reflected a, b (bit i = x^(63-i)), PCLMULQDQ puts
// a_i·b_j in bit i + j, i.e. the coefficient of x^(126-i-j); read as a 128-bit lane that is
// a·b·x. Every constant below is therefore one power of x short of the product it stands for.
//
// Folding. A lane S followed by D more message bits contributes S·x^D, and
// S·x^D = L·x^(D+64) + H·x^D ≡ clmul(L, x^(D+63) mod P) + clmul(H, x^(D-1) mod P) (mod P),
// a 128-bit value that is XOR-ed into the lane found D bits later. Eight lanes side by side fold
// by D = 1024 (128 bytes) per step; at the end lane j jumps D = 128·(7-j) onto the last one.
// With 256-bit VPCLMULQDQ each register holds two lanes and eight registers fold by D = 2048;
// with 512-bit VPCLMULQDQ each register holds four lanes and four registers fold by D = 2048.
//
// Final 128 -> 64 bits. The last lane S (everything before it already folded in) must become
// S·x^64 mod P. First T = S·x^64 = L·x^128 + H·x^64 ≡ clmul(L, x^127 mod P) + H·x^64, where
// H·x^64 is H moved to the low half: a 128-bit T = T1·x^64 + T0 (T1 the low half, T0 the high).
// Then Barrett: with mu = floor(x^128 / P) the quotient is q = floor(T1·mu / x^64) and
// T mod P = T0 + low64(q·P). Both multiplications are rearranged around the extra x:
//   mu = x·floor(x^127 / P) + (0 or 1): the lone constant term adds at most T1 (degree < 64)
//     below x^64, so q = floor(clmul(T1, floor(x^127 / P)) / x^64) = its low half, as is;
//   P = x·((P - 1) / x) + 1: low64(q·P) = low64(clmul(q, (P - 1) / x)) + q, i.e. the high half
//     of that product plus q.
// (P - 1) / x is P without its x^0 term shifted down one degree: in reflected form the
// polynomial word shifted left once with x^63 (bit 0) set.

/// Folding multipliers for a distance of D bits: {x^(D+63) mod P for the low half, x^(D-1) mod P
/// for the high half}, both reflected.
struct crc64_fold_pair {
    std::uint64_t low_half;
    std::uint64_t high_half;
};

constexpr crc64_fold_pair crc64_fold_constants(std::uint64_t distance_bits) noexcept {
    return {crc64_xpow_mod(distance_bits + 63), crc64_xpow_mod(distance_bits - 1)};
}

/// crc64_fold_by_lanes[j] folds across j 16-byte lanes (D = 128·j), j = 1..16; [0] is unused.
/// Entry j is entry j - 1 times x^128: one multiplication per half instead of a square-and-multiply
/// each, which keeps the compile-time evaluation cheap. Checked against
/// crc64_fold_constants below.
constexpr std::array<crc64_fold_pair, 17> make_crc64_fold_by_lanes() noexcept {
    std::array<crc64_fold_pair, 17> t{};
    const std::uint64_t x128 = crc64_xpow_mod(128);
    crc64_fold_pair k = crc64_fold_constants(128);
    for (std::size_t j = 1; j < t.size(); ++j) {
        t[j] = k;
        k = {gf2_mulmod(k.low_half, x128), gf2_mulmod(k.high_half, x128)};
    }
    return t;
}

inline constexpr std::array<crc64_fold_pair, 17> crc64_fold_by_lanes = make_crc64_fold_by_lanes();

/// x^127 mod P: moves the low half of the last lane up by x^128.
inline constexpr std::uint64_t crc64_final_fold = crc64_xpow_mod(127);
/// floor(x^127 / P), reflected: Barrett's mu without its constant term.
inline constexpr std::uint64_t crc64_barrett_mu = crc64_barrett_quotient();
/// (P - 1) / x, reflected.
inline constexpr std::uint64_t crc64_barrett_poly = (crc64_poly_reflected << 1) | 1u;

// Checks of the derivation. x^64 mod P is the polynomial word itself (P = x^64 + that).
static_assert(crc64_xpow_mod(64) == crc64_poly_reflected);
static_assert(crc64_fold_by_lanes[16].low_half == crc64_fold_constants(128 * 16).low_half &&
              crc64_fold_by_lanes[16].high_half == crc64_fold_constants(128 * 16).high_half);
// x^127 = floor(x^127 / P)·P + r with deg r < 64: the normal-form product with P has exactly the
// bits of x^127 above x^63 (the x^64 term of P contributes the quotient shifted up 64 places).
static_assert([] {
    const std::uint64_t q = bit_reverse64(crc64_barrett_mu);
    const std::array<std::uint64_t, 2> qp = clmul64_model(q, bit_reverse64(crc64_poly_reflected));
    return (qp[1] ^ q) == (std::uint64_t{1} << 63);
}());

#if COSWIRE_X86_DISPATCH
/// How far ahead of the folding loops' loads to prefetch, in bytes. The hardware prefetchers alone
/// leave the loops waiting for memory on buffers larger than the caches: on a Zen 3 EPYC a 64 MiB
/// buffer went from 6.9 to 8.5 GB/s (128-bit loop) and 9.2 to 10.5 GB/s (256-bit loop), medians.
/// PREFETCHNTA (locality 0) rather than PREFETCHT0 measured about 10 % faster there; 1 to 4 KiB
/// ahead made no difference beyond the noise. On a Zen 5 EPYC the 512-bit loop, without
/// prefetching, reached 0.83-0.88x ISA-L's speed on 64 MiB; 2 KiB ahead 0.90-0.94x, 4 KiB
/// 1.01-1.04x, 8 KiB 0.83-0.90x (interleaved runs), hence 4 KiB. A prefetch never faults, so
/// running past the buffer's end is harmless.
inline constexpr std::size_t crc64_prefetch_distance = 4096;

/// Prefetches, for reading and without keeping it in the caches (PREFETCHNTA), the 64-byte line
/// crc64_prefetch_distance bytes past `p`. The folding loops call it once per line they load.
[[gnu::always_inline]] inline void crc64_prefetch_ahead(const std::uint8_t* p) noexcept {
    __builtin_prefetch(p + crc64_prefetch_distance, 0, 0);
}

/// A fold pair in a register, low half's multiplier in the low 64 bits.
[[gnu::target("pclmul,sse4.1")]] inline __m128i crc64_fold_key(crc64_fold_pair k) noexcept {
    return _mm_set_epi64x(static_cast<long long>(k.high_half), static_cast<long long>(k.low_half));
}

/// S·x^D folded to 128 bits (mod P): clmul(L, key.low) ^ clmul(H, key.high).
[[gnu::target("pclmul,sse4.1")]] inline __m128i crc64_fold(__m128i s, __m128i key) noexcept {
    return _mm_xor_si128(_mm_clmulepi64_si128(s, key, 0x00), _mm_clmulepi64_si128(s, key, 0x11));
}

[[gnu::target("pclmul,sse4.1")]] inline __m128i crc64_load(const std::uint8_t* p) noexcept {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

/// The common end of the folding paths: `acc` is the lane just before `p`; folds in the
/// remaining whole 16-byte lanes one at a time, reduces to the 64-bit raw register and leaves
/// the last 0..15 bytes to the tables.
[[gnu::target("pclmul,sse4.1")]] inline std::uint64_t crc64_fold_finish(__m128i acc, const std::uint8_t* p,
                                                                       std::size_t n) noexcept {
    const __m128i k1 = crc64_fold_key(crc64_fold_by_lanes[1]);
    for (; n >= 16; p += 16, n -= 16) acc = _mm_xor_si128(crc64_fold(acc, k1), crc64_load(p));

    // 128 -> 64 bits, as derived above: T = clmul(L, x^127 mod P) ^ (H moved to the low half),
    // q = low half of clmul(T1, mu), result = T0 ^ q ^ high half of clmul(q, (P - 1) / x).
    const __m128i consts =
        _mm_set_epi64x(static_cast<long long>(crc64_barrett_mu), static_cast<long long>(crc64_final_fold));
    const __m128i poly = _mm_set_epi64x(0, static_cast<long long>(crc64_barrett_poly));
    const __m128i t = _mm_xor_si128(_mm_clmulepi64_si128(acc, consts, 0x00), _mm_srli_si128(acc, 8));
    const __m128i q = _mm_clmulepi64_si128(t, consts, 0x10);  // T1 (low of t) times mu (high of consts)
    const __m128i r = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(q, poly, 0x00), t), _mm_slli_si128(q, 8));
    std::uint64_t halves[2];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(halves), r);
    return crc64_portable(halves[1], p, n);
}

// One folding loop serves the three register widths. A width is a struct that names its vector
// type, how many 16-byte lanes one register holds (`lanes`), how many registers the loop keeps in
// flight (`registers`), and these operations:
//   start(v, p, crc_raw)       load a register and XOR the CRC register into its first 8 bytes;
//   load(v, p)                 load a register;
//   key(v, pair)               the fold pair in every lane;
//   fold(out, s, key, data)    out = each lane of s folded by the key's distance, XOR data;
//   lane(v, i)                 128-bit lane i.
// Only fold needs a particular instruction; the rest (crc64_vector_ops) is plain GNU vector code.
// fold carries its CPU target and the loop does not: GCC and clang refuse to inline targeted code
// into untargeted code, so the entry points below are [[gnu::flatten]], which inlines the loop and
// then its operations into a function compiled for the target. For the same reason operations
// take vectors by reference: passed by value, a 256- or 512-bit vector crossing a function
// compiled without AVX would change the calling convention.

/// Folds `n` bytes, at least one step (Width::registers full registers), into the raw register
/// `crc_raw`; same contract as crc64_portable. The registers fold by a whole step at a time; at
/// the end register i jumps onto the last one, the remaining whole registers fold one at a time,
/// the lanes of the last register fold onto its last lane, and crc64_fold_finish does the rest.
template <class Width>
inline std::uint64_t crc64_fold_loop(std::uint64_t crc_raw, const std::uint8_t* p, std::size_t n) noexcept {
    using vector = typename Width::vector;
    constexpr std::size_t lanes = Width::lanes, registers = Width::registers;
    constexpr std::size_t register_bytes = 16 * lanes, step_bytes = register_bytes * registers;
    static_assert(lanes * registers < crc64_fold_by_lanes.size(), "a step folds by at most 16 lanes");
    const std::array<crc64_fold_pair, 17>& k = crc64_fold_by_lanes;

    vector x[registers];
    Width::start(x[0], p, crc_raw);
#pragma GCC unroll 16
    for (std::size_t i = 1; i < registers; ++i) Width::load(x[i], p + i * register_bytes);
    p += step_bytes;
    n -= step_bytes;

    vector step_key;
    Width::key(step_key, k[lanes * registers]);
    for (; n >= step_bytes; p += step_bytes, n -= step_bytes) {
#pragma GCC unroll 16
        for (std::size_t i = 0; i < registers; ++i) {
            if (i * register_bytes % 64 == 0) crc64_prefetch_ahead(p + i * register_bytes);
            vector data;
            Width::load(data, p + i * register_bytes);
            Width::fold(x[i], x[i], step_key, data);
        }
    }

    // Register i is registers - 1 - i registers before the last one; the folds are independent.
    vector acc = x[registers - 1];
#pragma GCC unroll 16
    for (std::size_t i = 0; i + 1 < registers; ++i) {
        vector key;
        Width::key(key, k[(registers - 1 - i) * lanes]);
        Width::fold(acc, x[i], key, acc);
    }
    vector register_key;
    Width::key(register_key, k[lanes]);
    for (; n >= register_bytes; p += register_bytes, n -= register_bytes) {
        vector data;
        Width::load(data, p);
        Width::fold(acc, acc, register_key, data);
    }

    // Lane i of the last register is lanes - 1 - i lanes before its last lane.
    __m128i last = Width::lane(acc, lanes - 1);
#pragma GCC unroll 16
    for (std::size_t i = 0; i + 1 < lanes; ++i)
        last = _mm_xor_si128(crc64_fold(Width::lane(acc, i), crc64_fold_key(k[lanes - 1 - i])), last);
    return crc64_fold_finish(last, p, n);
}

// The registers as GNU vectors of 64-bit elements, element i being bits 64i..64i+63: the
// __m256i and __m512i types live only behind <immintrin.h> (see the includes).
using crc64_v128 = long long __attribute__((__vector_size__(16)));
using crc64_v256 = long long __attribute__((__vector_size__(32)));
using crc64_v512 = long long __attribute__((__vector_size__(64)));

/// The operations of a width that need no particular instruction. Loads go through memcpy, not a
/// cast to an under-aligned vector type: clang keeps the vector's natural alignment there and
/// emits an aligned load that faults.
template <class Vector>
struct crc64_vector_ops {
    using vector = Vector;
    static constexpr std::size_t lanes = sizeof(Vector) / 16;

    static void load(vector& v, const std::uint8_t* p) noexcept { std::memcpy(&v, p, sizeof v); }
    static void start(vector& v, const std::uint8_t* p, std::uint64_t crc_raw) noexcept {
        load(v, p);
        v[0] ^= static_cast<long long>(crc_raw);
    }
    static void key(vector& v, crc64_fold_pair pair) noexcept {
        for (std::size_t i = 0; i < lanes; ++i) {
            v[2 * i] = static_cast<long long>(pair.low_half);
            v[2 * i + 1] = static_cast<long long>(pair.high_half);
        }
    }
    static __m128i lane(const vector& v, std::size_t i) noexcept { return __m128i{v[2 * i], v[2 * i + 1]}; }
};

/// PCLMULQDQ on 128-bit registers: one lane each, eight in flight (128 bytes per step), so 16
/// independent multiplications hide PCLMULQDQ's latency behind its throughput.
struct crc64_width128 : crc64_vector_ops<crc64_v128> {
    static constexpr std::size_t registers = 8;
    [[gnu::target("pclmul,sse4.1")]] static void fold(vector& out, const vector& s, const vector& key,
                                                     const vector& data) noexcept {
        out = crc64_fold(s, key) ^ data;
    }
};

/// The bulk loop with PCLMULQDQ on the raw register; same contract as crc64_portable. Only call
/// it when detected_cpu_features().pclmul is true.
[[gnu::target("pclmul,sse4.1"), gnu::flatten]] inline std::uint64_t crc64_pclmul(std::uint64_t crc_raw,
                                                                                const std::uint8_t* p,
                                                                                std::size_t n) noexcept {
    if (n < 16) return crc64_portable(crc_raw, p, n);
    if (n >= 128) return crc64_fold_loop<crc64_width128>(crc_raw, p, n);
    crc64_width128::vector first;
    crc64_width128::start(first, p, crc_raw);
    return crc64_fold_finish(first, p + 16, n - 16);
}

/// Carry-less multiplication in each 128-bit lane, as _mm256_clmulepi64_epi128 and
/// _mm512_clmulepi64_epi128 (the builtins they expand to, which GCC and clang name differently):
/// selector 0x00 multiplies the low halves of each lane, 0x11 the high halves.
template <int Select>
[[gnu::target("avx,vpclmulqdq,pclmul,sse4.1")]] inline crc64_v256 crc64_clmul(const crc64_v256& a,
                                                                             const crc64_v256& b) noexcept {
#if defined(__clang__)
    return reinterpret_cast<crc64_v256>(__builtin_ia32_pclmulqdq256(a, b, Select));
#else
    return __builtin_ia32_vpclmulqdq_v4di(a, b, Select);
#endif
}

template <int Select>
[[gnu::target("avx512f,vpclmulqdq,pclmul,sse4.1")]] inline crc64_v512 crc64_clmul(const crc64_v512& a,
                                                                                 const crc64_v512& b) noexcept {
#if defined(__clang__)
    return reinterpret_cast<crc64_v512>(__builtin_ia32_pclmulqdq512(a, b, Select));
#else
    return __builtin_ia32_vpclmulqdq_v8di(a, b, Select);
#endif
}

/// VEX-encoded VPCLMULQDQ on 256-bit registers, which needs only AVX besides VPCLMULQDQ (AMD Zen
/// 3 and later, Intel Ice Lake and later): two lanes each, eight in flight (256 bytes per step).
struct crc64_width256 : crc64_vector_ops<crc64_v256> {
    static constexpr std::size_t registers = 8;
    [[gnu::target("avx,vpclmulqdq,pclmul,sse4.1")]] static void fold(vector& out, const vector& s, const vector& key,
                                                                   const vector& data) noexcept {
        out = crc64_clmul<0x00>(s, key) ^ crc64_clmul<0x11>(s, key) ^ data;
    }
};

/// EVEX-encoded VPCLMULQDQ on 512-bit registers (AVX-512): four lanes each, four in flight (256
/// bytes per step). The three-way XOR is one VPTERNLOGQ (_mm512_ternarylogic_epi64's builtin;
/// 0x96 is a ^ b ^ c).
struct crc64_width512 : crc64_vector_ops<crc64_v512> {
    static constexpr std::size_t registers = 4;
    [[gnu::target("avx512f,vpclmulqdq,pclmul,sse4.1")]] static void fold(vector& out, const vector& s,
                                                                       const vector& key, const vector& data) noexcept {
        out = reinterpret_cast<vector>(__builtin_ia32_pternlogq512_mask(
            crc64_clmul<0x00>(s, key), crc64_clmul<0x11>(s, key), data, 0x96, static_cast<unsigned char>(0xff)));
    }
};

/// The folding with VPCLMULQDQ on 256-bit registers; same contract as crc64_portable. Only call
/// it when detected_cpu_features().vpclmul256 is true. Short inputs go to crc64_pclmul.
[[gnu::target("avx,vpclmulqdq,pclmul,sse4.1"), gnu::flatten]] inline std::uint64_t crc64_vpclmul256(
    std::uint64_t crc_raw, const std::uint8_t* p, std::size_t n) noexcept {
    if (n < 256) return crc64_pclmul(crc_raw, p, n);
    return crc64_fold_loop<crc64_width256>(crc_raw, p, n);
}

/// The same with VPCLMULQDQ on 512-bit registers; only call it when detected_cpu_features().vpclmul
/// is true.
[[gnu::target("avx512f,vpclmulqdq,pclmul,sse4.1"), gnu::flatten]] inline std::uint64_t crc64_vpclmul(
    std::uint64_t crc_raw, const std::uint8_t* p, std::size_t n) noexcept {
    if (n < 256) return crc64_pclmul(crc_raw, p, n);
    return crc64_fold_loop<crc64_width512>(crc_raw, p, n);
}
#endif

}  // namespace coswire::detail
