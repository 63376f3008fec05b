// SPDX-License-Identifier: MIT
// The Merkle–Damgård block framing shared by SHA-1 (FIPS 180-4 section 5.1.1) and MD5 (RFC 1321
// sections 3.1-3.2).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
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
    using digest_type = std::array<std::uint8_t, 4 * std::tuple_size<state_type>::value>;
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
    /// section 5.1.1, RFC 1321 sections 3.1-3.2): 0x80, zeros up to 56 mod 64, then the message length
    /// in bits modulo 2^64 as 8 bytes. Leaves the object spent.
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
    // At run time one memcpy/memset (every byte type here is char-sized, so the bytes are the
    // same); constant evaluation cannot reinterpret, so it copies byte by byte.
    template <class Byte>
    constexpr void stash(const Byte* p, std::size_t n) noexcept {
        static_assert(sizeof(Byte) == 1);
        if (std::is_constant_evaluated()) {
            for (std::size_t i = 0; i < n; ++i) buffer_[used_ + i] = static_cast<std::uint8_t>(p[i]);
        } else if (n != 0) {
            std::memcpy(buffer_.data() + used_, p, n);
        }
        used_ += n;
    }

    constexpr void zero(std::size_t from, std::size_t to) noexcept {
        if (std::is_constant_evaluated()) {
            for (; from < to; ++from) buffer_[from] = 0;
        } else if (from < to) {
            std::memset(buffer_.data() + from, 0, to - from);
        }
    }

    state_type state_ = Algorithm::initial_state;
    std::array<std::uint8_t, block_size> buffer_{};
    std::size_t used_ = 0;     // bytes pending in buffer_, always < block_size between calls
    std::uint64_t total_ = 0;  // bytes absorbed so far
};

/// The public face of a hash built on md_hasher (coswire::sha1, coswire::md5): bytes in any
/// split, then one finish(). Does not allocate; copying the object forks the computation.
template <class Algorithm>
class hash_function {
public:
    using digest_type = typename md_hasher<Algorithm>::digest_type;

    /// Starts an empty message.
    constexpr hash_function() noexcept = default;

    /// Appends the bytes of `data` to the message.
    constexpr void update(std::string_view data) noexcept { h_.update(data.data(), data.size()); }

    /// Appends `data` to the message.
    void update(std::span<const std::byte> data) noexcept { h_.update(data.data(), data.size()); }

    /// Returns the digest of everything appended so far. The object is spent afterwards: calling
    /// update() or finish() again gives meaningless results; assign a new object to start over.
    constexpr digest_type finish() noexcept { return h_.finish(); }

    /// The digest of `data` in one call.
    template <class Bytes>
    static constexpr digest_type of(Bytes data) noexcept {
        hash_function h;
        h.update(data);
        return h.finish();
    }

private:
    md_hasher<Algorithm> h_;
};

}  // namespace coswire::detail
