// SPDX-License-Identifier: MIT
// SHA-1 (FIPS 180-4 §6.1), streaming and one-shot, usable in constant expressions.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

namespace coswire::detail {

// Bytes are assembled into words one at a time, so the code is the same on little- and
// big-endian hosts and never reads through a misaligned word pointer.
template <class Byte>
constexpr std::uint32_t load_be32(const Byte* p) noexcept {
    return (static_cast<std::uint32_t>(static_cast<std::uint8_t>(p[0])) << 24) |
           (static_cast<std::uint32_t>(static_cast<std::uint8_t>(p[1])) << 16) |
           (static_cast<std::uint32_t>(static_cast<std::uint8_t>(p[2])) << 8) |
           static_cast<std::uint32_t>(static_cast<std::uint8_t>(p[3]));
}

template <class Byte>
constexpr std::uint32_t load_le32(const Byte* p) noexcept {
    return static_cast<std::uint32_t>(static_cast<std::uint8_t>(p[0])) |
           (static_cast<std::uint32_t>(static_cast<std::uint8_t>(p[1])) << 8) |
           (static_cast<std::uint32_t>(static_cast<std::uint8_t>(p[2])) << 16) |
           (static_cast<std::uint32_t>(static_cast<std::uint8_t>(p[3])) << 24);
}

/// The 64-byte-block Merkle–Damgård framing that SHA-1 and MD5 share: buffering of partial
/// blocks, the 0x80 / zeros / 64-bit bit-length padding, and the digest as the final state.
/// The two differ only in the compression function and in byte order (SHA-1 is big-endian,
/// MD5 little-endian), which `Algorithm` supplies:
///   state_type                    std::array<std::uint32_t, N>
///   initial_state                 the IV
///   big_endian                    byte order of the length field and of the digest
///   compress_portable(s, p, n)    constexpr, any byte type; the constant-evaluation path
///   compress(s, p, n)             run-time path on const std::uint8_t*, may pick hardware
template <class Algorithm>
class md_hasher {
public:
    using state_type = typename Algorithm::state_type;
    using digest_type = std::array<std::uint8_t, 4 * std::tuple_size_v<state_type>>;
    static constexpr std::size_t block_size = 64;

    constexpr md_hasher() noexcept = default;

    /// Resumes from a state reached after `absorbed` bytes, a multiple of the block size
    /// (HMAC starts here after its pad block).
    constexpr md_hasher(const state_type& state, std::uint64_t absorbed) noexcept
        : state_(state), total_(absorbed) {}

    /// Runs the compression function over `nblocks` whole blocks at `p`. Constant evaluation
    /// cannot reinterpret a char pointer as bytes, so it takes the portable template; at run
    /// time every byte type funnels into Algorithm::compress, the one place a hardware path hooks in.
    template <class Byte>
    static constexpr void compress(state_type& state, const Byte* p, std::size_t nblocks) noexcept {
        if (std::is_constant_evaluated())
            Algorithm::compress_portable(state, p, nblocks);
        else
            Algorithm::compress(state, reinterpret_cast<const std::uint8_t*>(p), nblocks);
    }

    /// Absorbs n bytes. Whole blocks are compressed straight from the input; only a head that
    /// completes the pending block and a tail shorter than a block are copied.
    template <class Byte>
    constexpr void update(const Byte* p, std::size_t n) noexcept {
        total_ += n;  // 64-bit even where size_t is 32-bit
        if (used_ != 0) {
            const std::size_t take = n < block_size - used_ ? n : block_size - used_;
            stash(p, take);
            p += take;
            n -= take;
            if (used_ < block_size) return;
            compress(state_, buffer_.data(), 1);
            used_ = 0;
        }
        const std::size_t whole = n / block_size;
        if (whole != 0) {
            compress(state_, p, whole);
            p += whole * block_size;
            n -= whole * block_size;
        }
        stash(p, n);
    }

    /// Pads, compresses the last block(s) and returns the state as bytes. Padding (FIPS 180-4
    /// §5.1.1, RFC 1321 §3.1-3.2): 0x80, zeros up to 56 mod 64, then the message length in bits
    /// modulo 2^64 as 8 bytes. Leaves the object spent.
    constexpr digest_type finish() noexcept {
        const std::uint64_t bits = total_ << 3;
        std::size_t n = used_;
        buffer_[n++] = 0x80;
        if (n > block_size - 8) {  // no room for the length: it goes in one more block
            zero(n, block_size);
            compress(state_, buffer_.data(), 1);
            n = 0;
        }
        zero(n, block_size - 8);
        for (std::size_t i = 0; i < 8; ++i) {
            const std::size_t shift = Algorithm::big_endian ? 56 - 8 * i : 8 * i;
            buffer_[block_size - 8 + i] = static_cast<std::uint8_t>(bits >> shift);
        }
        compress(state_, buffer_.data(), 1);

        digest_type out{};
        for (std::size_t w = 0; w < state_.size(); ++w) {
            for (std::size_t i = 0; i < 4; ++i) {
                const std::size_t shift = Algorithm::big_endian ? 24 - 8 * i : 8 * i;
                out[4 * w + i] = static_cast<std::uint8_t>(state_[w] >> shift);
            }
        }
        return out;
    }

private:
    template <class Byte>
    constexpr void stash(const Byte* p, std::size_t n) noexcept {
        for (std::size_t i = 0; i < n; ++i) buffer_[used_ + i] = static_cast<std::uint8_t>(p[i]);
        used_ += n;
    }

    constexpr void zero(std::size_t from, std::size_t to) noexcept {
        for (; from < to; ++from) buffer_[from] = 0;
    }

    state_type state_ = Algorithm::initial_state;
    std::array<std::uint8_t, block_size> buffer_{};
    std::size_t used_ = 0;     // bytes pending in buffer_, always < block_size between calls
    std::uint64_t total_ = 0;  // bytes absorbed so far
};

/// The five 32-bit words H0..H4 of the SHA-1 chaining state.
using sha1_state = std::array<std::uint32_t, 5>;

/// Portable SHA-1 compression of `nblocks` consecutive 64-byte blocks (FIPS 180-4 §6.1.2).
/// Works on any byte-like type so constant evaluation can read a string_view directly.
template <class Byte>
constexpr void sha1_compress_portable(sha1_state& state, const Byte* p, std::size_t nblocks) noexcept {
    for (; nblocks != 0; --nblocks, p += 64) {
        // The schedule W_t = ROTL1(W_{t-3} ^ W_{t-8} ^ W_{t-14} ^ W_{t-16}) only ever looks 16
        // words back, so a 16-word ring replaces the 80-word array (FIPS 180-4 §6.1.3).
        std::array<std::uint32_t, 16> w{};
        for (std::size_t t = 0; t < 16; ++t) w[t] = load_be32(p + 4 * t);

        std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        auto schedule = [&w](std::size_t t) noexcept {
            if (t >= 16)
                w[t & 15] = std::rotl(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 1);
            return w[t & 15];
        };
        auto round = [&](std::uint32_t f, std::uint32_t k, std::uint32_t wt) noexcept {
            const std::uint32_t temp = std::rotl(a, 5) + f + e + k + wt;
            e = d;
            d = c;
            c = std::rotl(b, 30);
            b = a;
            a = temp;
        };
        // f_t and K_t change every 20 rounds: Ch, Parity, Maj, Parity (FIPS 180-4 §4.1.1, §4.2.1).
        for (std::size_t t = 0; t < 20; ++t) round((b & c) ^ (~b & d), 0x5a827999u, schedule(t));
        for (std::size_t t = 20; t < 40; ++t) round(b ^ c ^ d, 0x6ed9eba1u, schedule(t));
        for (std::size_t t = 40; t < 60; ++t) round((b & c) ^ (b & d) ^ (c & d), 0x8f1bbcdcu, schedule(t));
        for (std::size_t t = 60; t < 80; ++t) round(b ^ c ^ d, 0xca62c1d6u, schedule(t));

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
    }
}

/// Run-time SHA-1 compression of `nblocks` 64-byte blocks at `blocks`. This is the single entry
/// point every run-time SHA-1 block goes through, so a hardware (SHA-NI) path selected at run
/// time can be added here without touching the framing.
inline void sha1_compress(sha1_state& state, const std::uint8_t* blocks, std::size_t nblocks) noexcept {
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
/// COS signature requires it (COS-PROTOCOL.md §1), not as a collision-resistant hash.
class sha1 {
public:
    /// Starts an empty message.
    constexpr sha1() noexcept = default;

    /// Appends the bytes of `data` to the message.
    constexpr void update(std::string_view data) noexcept { h_.update(data.data(), data.size()); }

    /// Appends `data` to the message.
    void update(std::span<const std::byte> data) noexcept { h_.update(data.data(), data.size()); }

    /// Returns the digest of everything appended so far. The object is spent afterwards: calling
    /// update() or finish() again gives meaningless results; assign `sha1{}` to start over.
    constexpr sha1_digest finish() noexcept { return h_.finish(); }

private:
    detail::md_hasher<detail::sha1_algorithm> h_;
};

/// SHA-1 of `data` in one call.
constexpr sha1_digest sha1_hash(std::string_view data) noexcept {
    sha1 h;
    h.update(data);
    return h.finish();
}

/// SHA-1 of `data` in one call.
inline sha1_digest sha1_hash(std::span<const std::byte> data) noexcept {
    sha1 h;
    h.update(data);
    return h.finish();
}

}  // namespace coswire
