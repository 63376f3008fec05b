// SPDX-License-Identifier: MIT
// MD5 (RFC 1321), streaming and one-shot, usable in constant expressions; for Content-MD5 and ETags.
#pragma once

// For detail::md_hasher, the block framing MD5 shares with SHA-1.
#include <coswire/crypto/sha1.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace coswire::detail {

/// The four 32-bit words A, B, C, D of the MD5 chaining state.
using md5_state = std::array<std::uint32_t, 4>;

/// T[i] = floor(2^32 * |sin(i + 1)|), i = 0..63 (RFC 1321 §3.4).
inline constexpr std::array<std::uint32_t, 64> md5_sines{
    0xd76aa478u, 0xe8c7b756u, 0x242070dbu, 0xc1bdceeeu, 0xf57c0fafu, 0x4787c62au, 0xa8304613u, 0xfd469501u,
    0x698098d8u, 0x8b44f7afu, 0xffff5bb1u, 0x895cd7beu, 0x6b901122u, 0xfd987193u, 0xa679438eu, 0x49b40821u,
    0xf61e2562u, 0xc040b340u, 0x265e5a51u, 0xe9b6c7aau, 0xd62f105du, 0x02441453u, 0xd8a1e681u, 0xe7d3fbc8u,
    0x21e1cde6u, 0xc33707d6u, 0xf4d50d87u, 0x455a14edu, 0xa9e3e905u, 0xfcefa3f8u, 0x676f02d9u, 0x8d2a4c8au,
    0xfffa3942u, 0x8771f681u, 0x6d9d6122u, 0xfde5380cu, 0xa4beea44u, 0x4bdecfa9u, 0xf6bb4b60u, 0xbebfbc70u,
    0x289b7ec6u, 0xeaa127fau, 0xd4ef3085u, 0x04881d05u, 0xd9d4d039u, 0xe6db99e5u, 0x1fa27cf8u, 0xc4ac5665u,
    0xf4292244u, 0x432aff97u, 0xab9423a7u, 0xfc93a039u, 0x655b59c3u, 0x8f0ccc92u, 0xffeff47du, 0x85845dd1u,
    0x6fa87e4fu, 0xfe2ce6e0u, 0xa3014314u, 0x4e0811a1u, 0xf7537e82u, 0xbd3af235u, 0x2ad7d2bbu, 0xeb86d391u,
};

/// Portable MD5 compression of `nblocks` consecutive 64-byte blocks (RFC 1321 §3.4). Words are
/// little-endian; works on any byte-like type so constant evaluation can read a string_view.
template <class Byte>
constexpr void md5_compress_portable(md5_state& state, const Byte* p, std::size_t nblocks) noexcept {
    for (; nblocks != 0; --nblocks, p += 64) {
        std::array<std::uint32_t, 16> x{};
        for (std::size_t i = 0; i < 16; ++i) x[i] = load_le32(p + 4 * i);

        std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        // One operation "a = b + ((a + f(b,c,d) + X[k] + T[i]) <<< s)", after which the roles
        // rotate (a, b, c, d) <- (d, a', b, c), so the four-line rounds of RFC 1321 become loops.
        auto step = [&](std::uint32_t f, std::size_t i, std::size_t k, int s) noexcept {
            const std::uint32_t rotated = std::rotl(a + f + x[k] + md5_sines[i], s);
            a = d;
            d = c;
            c = b;
            b += rotated;
        };
        // Each round has its own function, message-word order and four shift amounts.
        constexpr std::array<int, 4> s1{7, 12, 17, 22}, s2{5, 9, 14, 20}, s3{4, 11, 16, 23}, s4{6, 10, 15, 21};
        for (std::size_t i = 0; i < 16; ++i) step((b & c) | (~b & d), i, i, s1[i & 3]);
        for (std::size_t i = 16; i < 32; ++i) step((b & d) | (c & ~d), i, (5 * i + 1) & 15, s2[i & 3]);
        for (std::size_t i = 32; i < 48; ++i) step(b ^ c ^ d, i, (3 * i + 5) & 15, s3[i & 3]);
        for (std::size_t i = 48; i < 64; ++i) step(c ^ (b | ~d), i, (7 * i) & 15, s4[i & 3]);

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
    }
}

/// MD5 plugged into md_hasher (shared with SHA-1; only the compression and byte order differ).
struct md5_algorithm {
    using state_type = md5_state;
    static constexpr state_type initial_state{0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
    static constexpr bool big_endian = false;

    template <class Byte>
    static constexpr void compress_portable(state_type& s, const Byte* p, std::size_t n) noexcept {
        md5_compress_portable(s, p, n);
    }
    static void compress(state_type& s, const std::uint8_t* p, std::size_t n) noexcept {
        md5_compress_portable(s, p, n);
    }
};

}  // namespace coswire::detail

namespace coswire {

/// An MD5 digest: 16 bytes, in the order RFC 1321 prints them.
using md5_digest = std::array<std::uint8_t, 16>;

/// Streaming MD5 (RFC 1321). Feed bytes with update() in any split, then call finish() once.
/// Does not allocate; copying the object forks the computation. MD5 is here only because COS
/// uses it for Content-MD5 and single-part ETags (COS-PROTOCOL.md §7.3); it is not a secure hash.
class md5 {
public:
    /// Starts an empty message.
    constexpr md5() noexcept = default;

    /// Appends the bytes of `data` to the message.
    constexpr void update(std::string_view data) noexcept { h_.update(data.data(), data.size()); }

    /// Appends `data` to the message.
    void update(std::span<const std::byte> data) noexcept { h_.update(data.data(), data.size()); }

    /// Returns the digest of everything appended so far. The object is spent afterwards: calling
    /// update() or finish() again gives meaningless results; assign `md5{}` to start over.
    constexpr md5_digest finish() noexcept { return h_.finish(); }

private:
    detail::md_hasher<detail::md5_algorithm> h_;
};

/// MD5 of `data` in one call.
constexpr md5_digest md5_hash(std::string_view data) noexcept {
    md5 h;
    h.update(data);
    return h.finish();
}

/// MD5 of `data` in one call.
inline md5_digest md5_hash(std::span<const std::byte> data) noexcept {
    md5 h;
    h.update(data);
    return h.finish();
}

}  // namespace coswire
