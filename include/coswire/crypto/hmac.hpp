// SPDX-License-Identifier: MIT
// HMAC-SHA1 (RFC 2104) with a reusable key that precomputes its pad blocks; the MAC of COS signing.
#pragma once

#include <coswire/crypto/sha1.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace coswire {

/// An HMAC-SHA1 key, ready to MAC any number of messages.
///
/// HMAC(K, m) = SHA1((K0 ^ opad) || SHA1((K0 ^ ipad) || m)) where K0 is the key zero-padded to
/// the 64-byte block, ipad = 0x36 and opad = 0x5c repeated (RFC 2104 section 2). Both pad blocks are
/// whole blocks, so the key stores the SHA-1 states after absorbing each of them; a MAC then
/// costs only the message blocks plus two finalisation blocks.
///
/// The object is secret material: it has no stream operator and no accessor for the key or the
/// states. It does not wipe its memory on destruction.
class hmac_sha1_key {
    using hasher = detail::md_hasher<detail::sha1_algorithm>;

public:
    /// Prepares `key`. A key longer than 64 bytes is replaced by its SHA-1 (RFC 2104 section 3);
    /// any length, including empty, is accepted.
    explicit constexpr hmac_sha1_key(std::string_view key) noexcept {
        std::array<std::uint8_t, hasher::block_size> k0{};
        if (key.size() > k0.size()) {
            const sha1_digest hashed = sha1_hash(key);
            for (std::size_t i = 0; i < hashed.size(); ++i) k0[i] = hashed[i];
        } else {
            for (std::size_t i = 0; i < key.size(); ++i) k0[i] = static_cast<std::uint8_t>(key[i]);
        }
        inner_ = absorb_pad(k0, 0x36);
        outer_ = absorb_pad(k0, 0x5c);
    }

    /// An HMAC-SHA1 computation under one key, fed in pieces: update() any number of times,
    /// then finish() once. Obtained from hmac_sha1_key::start(); independent of the key object
    /// afterwards (it holds copies of the states, so it is secret material too).
    class stream {
    public:
        /// Appends the bytes of `data` to the message.
        constexpr void update(std::string_view data) noexcept { inner_.update(data.data(), data.size()); }

        /// Appends `data` to the message.
        void update(std::span<const std::byte> data) noexcept { inner_.update(data.data(), data.size()); }

        /// Returns the MAC of everything appended. The stream is spent afterwards: calling
        /// update() or finish() again gives meaningless results.
        constexpr sha1_digest finish() noexcept {
            const sha1_digest inner_digest = inner_.finish();
            hasher outer(outer_, hasher::block_size);
            outer.update(inner_digest.data(), inner_digest.size());
            return outer.finish();
        }

    private:
        friend class hmac_sha1_key;
        constexpr stream(const detail::sha1_state& inner, const detail::sha1_state& outer) noexcept
            : inner_(inner, hasher::block_size), outer_(outer) {}

        hasher inner_;
        detail::sha1_state outer_;
    };

    /// Starts a streaming MAC from the precomputed inner state.
    constexpr stream start() const noexcept { return stream(inner_, outer_); }

    /// HMAC-SHA1 of `message` under this key.
    constexpr sha1_digest mac(std::string_view message) const noexcept {
        stream s = start();
        s.update(message);
        return s.finish();
    }

    /// HMAC-SHA1 of `message` under this key.
    sha1_digest mac(std::span<const std::byte> message) const noexcept {
        stream s = start();
        s.update(message);
        return s.finish();
    }

private:
    // The SHA-1 state after absorbing the one block K0 ^ pad.
    static constexpr detail::sha1_state absorb_pad(std::array<std::uint8_t, hasher::block_size> block,
                                                   std::uint8_t pad) noexcept {
        for (std::uint8_t& b : block) b = static_cast<std::uint8_t>(b ^ pad);
        detail::sha1_state state = detail::sha1_algorithm::initial_state;
        hasher::compress(state, block.data(), 1);
        return state;
    }

    detail::sha1_state inner_{};
    detail::sha1_state outer_{};
};

/// HMAC-SHA1 of `message` under `key` in one call. To MAC several messages under one key,
/// build an hmac_sha1_key once instead: this recomputes the two pad blocks every time.
constexpr sha1_digest hmac_sha1(std::string_view key, std::string_view message) noexcept {
    return hmac_sha1_key(key).mac(message);
}

}  // namespace coswire
