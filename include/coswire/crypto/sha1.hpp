// SPDX-License-Identifier: MIT
// SHA-1 (FIPS 180-4 section 6.1), streaming and one-shot, usable in constant expressions; SHA-NI when
// the CPU has it.
#pragma once

#include <coswire/detail/cpu.hpp>
#include <coswire/detail/md_hasher.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#if COSWIRE_X86_DISPATCH
#include <smmintrin.h>  // SSE4.1 and below; not <immintrin.h>, which alone costs ~0.35 s of g++ time per TU
#endif

namespace coswire::detail {

/// The five 32-bit words H0..H4 of the SHA-1 chaining state.
using sha1_state = std::array<std::uint32_t, 5>;

// One SHA-1 round, T = ROTL5(a) + f_t(b, c, d) + e + K_t + W_t (FIPS 180-4 section 6.1.2 step 3),
// written without the register shuffle: the caller rotates the roles of the five variables instead, so
// the new `a` is stored in place of `e` and only `b` changes otherwise (ROTL30). f_t and K_t change
// every 20 rounds (sections 4.1.1, 4.2.1); each f is written so that the inputs known early (c, d)
// combine first and the latest one, b, enters last.
constexpr void sha1_round_ch(std::uint32_t a, std::uint32_t& b, std::uint32_t c, std::uint32_t d, std::uint32_t& e,
                             std::uint32_t w) noexcept {
    e += std::rotl(a, 5) + (d ^ (b & (c ^ d))) + 0x5a827999u + w;  // Ch(b,c,d) = (b & c) ^ (~b & d)
    b = std::rotl(b, 30);
}

constexpr void sha1_round_parity1(std::uint32_t a, std::uint32_t& b, std::uint32_t c, std::uint32_t d,
                                  std::uint32_t& e, std::uint32_t w) noexcept {
    e += std::rotl(a, 5) + (b ^ c ^ d) + 0x6ed9eba1u + w;
    b = std::rotl(b, 30);
}

constexpr void sha1_round_maj(std::uint32_t a, std::uint32_t& b, std::uint32_t c, std::uint32_t d, std::uint32_t& e,
                              std::uint32_t w) noexcept {
    e += std::rotl(a, 5) + ((c & d) | (b & (c | d))) + 0x8f1bbcdcu + w;  // Maj(b,c,d)
    b = std::rotl(b, 30);
}

constexpr void sha1_round_parity2(std::uint32_t a, std::uint32_t& b, std::uint32_t c, std::uint32_t d,
                                  std::uint32_t& e, std::uint32_t w) noexcept {
    e += std::rotl(a, 5) + (b ^ c ^ d) + 0xca62c1d6u + w;
    b = std::rotl(b, 30);
}

// W_t = ROTL1(W_{t-3} ^ W_{t-8} ^ W_{t-14} ^ W_{t-16}) for t >= 16 (section 6.1.2 step 1). It only ever
// looks 16 words back, so a 16-word ring replaces the 80-word array; with every t a constant
// the ring lives in registers.
constexpr std::uint32_t sha1_schedule(std::array<std::uint32_t, 16>& w, std::size_t t) noexcept {
    w[t & 15] = std::rotl(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 1);
    return w[t & 15];
}

/// Portable SHA-1 compression of `nblocks` consecutive 64-byte blocks (FIPS 180-4 section 6.1.2), all
/// 80 rounds unrolled with the state in locals. Works on any byte-like type so constant evaluation can
/// read a string_view directly.
template <class Byte>
constexpr void sha1_compress_portable(sha1_state& state, const Byte* p, std::size_t nblocks) noexcept {
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
    for (; nblocks != 0; --nblocks, p += 64) {
        std::array<std::uint32_t, 16> w{};
        for (std::size_t t = 0; t < 16; ++t) w[t] = load_be32(p + 4 * t);
        const std::uint32_t a0 = a, b0 = b, c0 = c, d0 = d, e0 = e;

        // Round t works on the variables rotated t places: (a,b,c,d,e), (e,a,b,c,d), ...; after
        // 80 = 16·5 rounds they are back in place.
        sha1_round_ch(a, b, c, d, e, w[0]);
        sha1_round_ch(e, a, b, c, d, w[1]);
        sha1_round_ch(d, e, a, b, c, w[2]);
        sha1_round_ch(c, d, e, a, b, w[3]);
        sha1_round_ch(b, c, d, e, a, w[4]);
        sha1_round_ch(a, b, c, d, e, w[5]);
        sha1_round_ch(e, a, b, c, d, w[6]);
        sha1_round_ch(d, e, a, b, c, w[7]);
        sha1_round_ch(c, d, e, a, b, w[8]);
        sha1_round_ch(b, c, d, e, a, w[9]);
        sha1_round_ch(a, b, c, d, e, w[10]);
        sha1_round_ch(e, a, b, c, d, w[11]);
        sha1_round_ch(d, e, a, b, c, w[12]);
        sha1_round_ch(c, d, e, a, b, w[13]);
        sha1_round_ch(b, c, d, e, a, w[14]);
        sha1_round_ch(a, b, c, d, e, w[15]);
        sha1_round_ch(e, a, b, c, d, sha1_schedule(w, 16));
        sha1_round_ch(d, e, a, b, c, sha1_schedule(w, 17));
        sha1_round_ch(c, d, e, a, b, sha1_schedule(w, 18));
        sha1_round_ch(b, c, d, e, a, sha1_schedule(w, 19));
        sha1_round_parity1(a, b, c, d, e, sha1_schedule(w, 20));
        sha1_round_parity1(e, a, b, c, d, sha1_schedule(w, 21));
        sha1_round_parity1(d, e, a, b, c, sha1_schedule(w, 22));
        sha1_round_parity1(c, d, e, a, b, sha1_schedule(w, 23));
        sha1_round_parity1(b, c, d, e, a, sha1_schedule(w, 24));
        sha1_round_parity1(a, b, c, d, e, sha1_schedule(w, 25));
        sha1_round_parity1(e, a, b, c, d, sha1_schedule(w, 26));
        sha1_round_parity1(d, e, a, b, c, sha1_schedule(w, 27));
        sha1_round_parity1(c, d, e, a, b, sha1_schedule(w, 28));
        sha1_round_parity1(b, c, d, e, a, sha1_schedule(w, 29));
        sha1_round_parity1(a, b, c, d, e, sha1_schedule(w, 30));
        sha1_round_parity1(e, a, b, c, d, sha1_schedule(w, 31));
        sha1_round_parity1(d, e, a, b, c, sha1_schedule(w, 32));
        sha1_round_parity1(c, d, e, a, b, sha1_schedule(w, 33));
        sha1_round_parity1(b, c, d, e, a, sha1_schedule(w, 34));
        sha1_round_parity1(a, b, c, d, e, sha1_schedule(w, 35));
        sha1_round_parity1(e, a, b, c, d, sha1_schedule(w, 36));
        sha1_round_parity1(d, e, a, b, c, sha1_schedule(w, 37));
        sha1_round_parity1(c, d, e, a, b, sha1_schedule(w, 38));
        sha1_round_parity1(b, c, d, e, a, sha1_schedule(w, 39));
        sha1_round_maj(a, b, c, d, e, sha1_schedule(w, 40));
        sha1_round_maj(e, a, b, c, d, sha1_schedule(w, 41));
        sha1_round_maj(d, e, a, b, c, sha1_schedule(w, 42));
        sha1_round_maj(c, d, e, a, b, sha1_schedule(w, 43));
        sha1_round_maj(b, c, d, e, a, sha1_schedule(w, 44));
        sha1_round_maj(a, b, c, d, e, sha1_schedule(w, 45));
        sha1_round_maj(e, a, b, c, d, sha1_schedule(w, 46));
        sha1_round_maj(d, e, a, b, c, sha1_schedule(w, 47));
        sha1_round_maj(c, d, e, a, b, sha1_schedule(w, 48));
        sha1_round_maj(b, c, d, e, a, sha1_schedule(w, 49));
        sha1_round_maj(a, b, c, d, e, sha1_schedule(w, 50));
        sha1_round_maj(e, a, b, c, d, sha1_schedule(w, 51));
        sha1_round_maj(d, e, a, b, c, sha1_schedule(w, 52));
        sha1_round_maj(c, d, e, a, b, sha1_schedule(w, 53));
        sha1_round_maj(b, c, d, e, a, sha1_schedule(w, 54));
        sha1_round_maj(a, b, c, d, e, sha1_schedule(w, 55));
        sha1_round_maj(e, a, b, c, d, sha1_schedule(w, 56));
        sha1_round_maj(d, e, a, b, c, sha1_schedule(w, 57));
        sha1_round_maj(c, d, e, a, b, sha1_schedule(w, 58));
        sha1_round_maj(b, c, d, e, a, sha1_schedule(w, 59));
        sha1_round_parity2(a, b, c, d, e, sha1_schedule(w, 60));
        sha1_round_parity2(e, a, b, c, d, sha1_schedule(w, 61));
        sha1_round_parity2(d, e, a, b, c, sha1_schedule(w, 62));
        sha1_round_parity2(c, d, e, a, b, sha1_schedule(w, 63));
        sha1_round_parity2(b, c, d, e, a, sha1_schedule(w, 64));
        sha1_round_parity2(a, b, c, d, e, sha1_schedule(w, 65));
        sha1_round_parity2(e, a, b, c, d, sha1_schedule(w, 66));
        sha1_round_parity2(d, e, a, b, c, sha1_schedule(w, 67));
        sha1_round_parity2(c, d, e, a, b, sha1_schedule(w, 68));
        sha1_round_parity2(b, c, d, e, a, sha1_schedule(w, 69));
        sha1_round_parity2(a, b, c, d, e, sha1_schedule(w, 70));
        sha1_round_parity2(e, a, b, c, d, sha1_schedule(w, 71));
        sha1_round_parity2(d, e, a, b, c, sha1_schedule(w, 72));
        sha1_round_parity2(c, d, e, a, b, sha1_schedule(w, 73));
        sha1_round_parity2(b, c, d, e, a, sha1_schedule(w, 74));
        sha1_round_parity2(a, b, c, d, e, sha1_schedule(w, 75));
        sha1_round_parity2(e, a, b, c, d, sha1_schedule(w, 76));
        sha1_round_parity2(d, e, a, b, c, sha1_schedule(w, 77));
        sha1_round_parity2(c, d, e, a, b, sha1_schedule(w, 78));
        sha1_round_parity2(b, c, d, e, a, sha1_schedule(w, 79));
        a += a0;
        b += b0;
        c += c0;
        d += d0;
        e += e0;
    }
    state = {a, b, c, d, e};
}

#if COSWIRE_X86_DISPATCH
// SHA-NI (Intel SDM vol. 2, SHA1RNDS4, SHA1NEXTE, SHA1MSG1, SHA1MSG2). Registers hold four 32-bit
// words with the first in the top lane: the state as [A B C D], a message group as
// [W_4g W_4g+1 W_4g+2 W_4g+3], and E only in the top lane. SHA1RNDS4 runs rounds 4g..4g+3 given
// ABCD and [W_4g + E, W_4g+1, W_4g+2, W_4g+3]; the E of the next group is ROTL30 of the A that
// entered the previous one, which SHA1NEXTE computes and adds to the next words.

// The four SHA instructions. Their _mm_sha1*_epu32 intrinsics are only reachable through
// <immintrin.h>; these wrappers call the compiler builtins those intrinsics are defined as, the
// same in g++ and clang++.
using sha1_v4si = int __attribute__((__vector_size__(16)));

template <int Func>
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline __m128i sha1_rnds4(__m128i abcd, __m128i e) noexcept {
    return reinterpret_cast<__m128i>(
        __builtin_ia32_sha1rnds4(reinterpret_cast<sha1_v4si>(abcd), reinterpret_cast<sha1_v4si>(e), Func));
}
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline __m128i sha1_nexte(__m128i a, __m128i b) noexcept {
    return reinterpret_cast<__m128i>(__builtin_ia32_sha1nexte(reinterpret_cast<sha1_v4si>(a), reinterpret_cast<sha1_v4si>(b)));
}
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline __m128i sha1_msg1(__m128i a, __m128i b) noexcept {
    return reinterpret_cast<__m128i>(__builtin_ia32_sha1msg1(reinterpret_cast<sha1_v4si>(a), reinterpret_cast<sha1_v4si>(b)));
}
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline __m128i sha1_msg2(__m128i a, __m128i b) noexcept {
    return reinterpret_cast<__m128i>(__builtin_ia32_sha1msg2(reinterpret_cast<sha1_v4si>(a), reinterpret_cast<sha1_v4si>(b)));
}

// Rounds 4g..4g+3 for g >= 1: `prev` is the ABCD that entered group g-1; function/constant
// selector Func = g / 5.
template <int Func>
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline void sha1_ni_rounds(__m128i& abcd, __m128i& prev,
                                                                            __m128i w) noexcept {
    const __m128i e = sha1_nexte(prev, w);
    prev = abcd;
    abcd = sha1_rnds4<Func>(abcd, e);
}

// W for group g >= 4 from groups g-4 .. g-1: SHA1MSG1 gives W_{t-16} ^ W_{t-14}, the XOR adds
// W_{t-8}, and SHA1MSG2 adds W_{t-3} and rotates, feeding its own first results back for the
// last lane.
[[gnu::target("sha,sse4.1"), gnu::always_inline]] inline __m128i sha1_ni_schedule(__m128i w0, __m128i w1, __m128i w2,
                                                                                  __m128i w3) noexcept {
    return sha1_msg2(_mm_xor_si128(sha1_msg1(w0, w1), w2), w3);
}

/// SHA-1 compression with the SHA extensions; same contract as sha1_compress_portable. Only call
/// it when detected_cpu_features().sha_ni is true.
[[gnu::target("sha,sse4.1")]] inline void sha1_compress_sha_ni(sha1_state& state, const std::uint8_t* p,
                                                               std::size_t nblocks) noexcept {
    // Reverses the 16 bytes: big-endian words, W_4g in the top lane.
    const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state.data())), 0x1b);
    __m128i e0 = _mm_set_epi32(static_cast<int>(state[4]), 0, 0, 0);
    for (; nblocks != 0; --nblocks, p += 64) {
        const __m128i abcd_in = abcd;
        const __m128i e_in = e0;
        __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), swap);
        __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)), swap);
        __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32)), swap);
        __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48)), swap);

        // Group 0 takes E from the chaining state rather than from SHA1NEXTE.
        __m128i prev = abcd;
        abcd = sha1_rnds4<0>(abcd, _mm_add_epi32(e0, w0));
        sha1_ni_rounds<0>(abcd, prev, w1);
        sha1_ni_rounds<0>(abcd, prev, w2);
        sha1_ni_rounds<0>(abcd, prev, w3);
        // Groups 4..19: the message ring w0..w3 always holds the last four groups.
        w0 = sha1_ni_schedule(w0, w1, w2, w3);
        sha1_ni_rounds<0>(abcd, prev, w0);
        w1 = sha1_ni_schedule(w1, w2, w3, w0);
        sha1_ni_rounds<1>(abcd, prev, w1);
        w2 = sha1_ni_schedule(w2, w3, w0, w1);
        sha1_ni_rounds<1>(abcd, prev, w2);
        w3 = sha1_ni_schedule(w3, w0, w1, w2);
        sha1_ni_rounds<1>(abcd, prev, w3);
        w0 = sha1_ni_schedule(w0, w1, w2, w3);
        sha1_ni_rounds<1>(abcd, prev, w0);
        w1 = sha1_ni_schedule(w1, w2, w3, w0);
        sha1_ni_rounds<1>(abcd, prev, w1);
        w2 = sha1_ni_schedule(w2, w3, w0, w1);
        sha1_ni_rounds<2>(abcd, prev, w2);
        w3 = sha1_ni_schedule(w3, w0, w1, w2);
        sha1_ni_rounds<2>(abcd, prev, w3);
        w0 = sha1_ni_schedule(w0, w1, w2, w3);
        sha1_ni_rounds<2>(abcd, prev, w0);
        w1 = sha1_ni_schedule(w1, w2, w3, w0);
        sha1_ni_rounds<2>(abcd, prev, w1);
        w2 = sha1_ni_schedule(w2, w3, w0, w1);
        sha1_ni_rounds<2>(abcd, prev, w2);
        w3 = sha1_ni_schedule(w3, w0, w1, w2);
        sha1_ni_rounds<3>(abcd, prev, w3);
        w0 = sha1_ni_schedule(w0, w1, w2, w3);
        sha1_ni_rounds<3>(abcd, prev, w0);
        w1 = sha1_ni_schedule(w1, w2, w3, w0);
        sha1_ni_rounds<3>(abcd, prev, w1);
        w2 = sha1_ni_schedule(w2, w3, w0, w1);
        sha1_ni_rounds<3>(abcd, prev, w2);
        w3 = sha1_ni_schedule(w3, w0, w1, w2);
        sha1_ni_rounds<3>(abcd, prev, w3);

        // E after 80 rounds is ROTL30 of the A that entered group 19; add the input E to it.
        e0 = sha1_nexte(prev, e_in);
        abcd = _mm_add_epi32(abcd, abcd_in);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state.data()), _mm_shuffle_epi32(abcd, 0x1b));
    state[4] = static_cast<std::uint32_t>(_mm_extract_epi32(e0, 3));
}
#endif

/// Run-time SHA-1 compression of `nblocks` 64-byte blocks at `blocks`: every run-time SHA-1
/// block goes through here. Uses SHA-NI when the CPU has it (detected once) and
/// force_portable(true) is not in effect, the portable rounds otherwise; both give the same state.
inline void sha1_compress(sha1_state& state, const std::uint8_t* blocks, std::size_t nblocks) noexcept {
#if COSWIRE_X86_DISPATCH
    if (use_sha_ni()) {
        sha1_compress_sha_ni(state, blocks, nblocks);
        return;
    }
#endif
    sha1_compress_portable(state, blocks, nblocks);
}

/// SHA-1 plugged into md_hasher.
struct sha1_algorithm {
    using state_type = sha1_state;
    static constexpr state_type initial_state{0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u};
    static constexpr bool big_endian = true;

    template <class Byte>
    static constexpr void compress_portable(state_type& s, const Byte* p, std::size_t n) noexcept {
        sha1_compress_portable(s, p, n);
    }
    static void compress(state_type& s, const std::uint8_t* p, std::size_t n) noexcept { sha1_compress(s, p, n); }
};

}  // namespace coswire::detail

namespace coswire {

/// A SHA-1 digest: 20 bytes, in the order FIPS 180-4 prints them.
using sha1_digest = std::array<std::uint8_t, 20>;

/// Streaming SHA-1 (FIPS 180-4). Feed bytes with update() in any split, then call finish() once.
/// Does not allocate; copying the object forks the computation. SHA-1 is used here because the
/// COS signature requires it (docs/protocol/signing.md), not as a collision-resistant hash.
class sha1 : public detail::hash_function<detail::sha1_algorithm> {};

/// SHA-1 of `data` in one call.
constexpr sha1_digest sha1_hash(std::string_view data) noexcept { return sha1::of(data); }

/// SHA-1 of `data` in one call.
inline sha1_digest sha1_hash(std::span<const std::byte> data) noexcept { return sha1::of(data); }

}  // namespace coswire
