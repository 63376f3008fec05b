// SPDX-License-Identifier: MIT
// Test support: bytes as tests write and compare them. Text as the byte span the library takes,
// digests as lower-case hex (so a failing CHECK prints readable text), seeded random bytes, and
// a hasher fed in random pieces (the incremental interfaces must give the one-shot digest).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace test_support {

/// The bytes of `s`, as the library's std::span<const std::byte> parameters take them.
inline std::span<const std::byte> bytes_of(std::string_view s) { return std::as_bytes(std::span<const char>(s.data(), s.size())); }

/// Lower-case hex of a digest (any contiguous range of std::uint8_t).
template <class Digest>
std::string hex(const Digest& digest) {
    constexpr std::string_view digits = "0123456789abcdef";
    std::string out;
    for (std::uint8_t b : digest) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

/// `n` bytes drawn from `rng`.
inline std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng() & 0xFF);
    return s;
}

/// Feeds `data` to a new `Hasher` in pieces cut at random points (empty pieces included),
/// alternating its string_view and byte-span update overloads, and returns finish().
template <class Hasher>
auto hash_in_pieces(std::string_view data, std::mt19937_64& rng) {
    std::vector<std::size_t> cuts{0, data.size()};
    const std::size_t ncuts = rng() % 6;
    for (std::size_t i = 0; i < ncuts; ++i) cuts.push_back(static_cast<std::size_t>(rng() % (data.size() + 1)));
    std::sort(cuts.begin(), cuts.end());
    Hasher h;
    for (std::size_t i = 1; i < cuts.size(); ++i) {
        const std::string_view piece = data.substr(cuts[i - 1], cuts[i] - cuts[i - 1]);
        if (i % 2 == 0)
            h.update(bytes_of(piece));
        else
            h.update(piece);
    }
    return h.finish();
}

}  // namespace test_support
