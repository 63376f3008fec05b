// SPDX-License-Identifier: MIT
// Test support for transfers: seeded object contents and the two kinds of download sink, kept
// in memory (a sequential one that appends, a positional one over a buffer of the object's size).
#pragma once

#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <random>
#include <span>
#include <string>

namespace test_support {

/// `n` bytes of any value, the same for the same seed.
inline std::string random_text(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(rng());
    return out;
}

/// A sequential sink collecting what it gets.
struct string_sink {
    std::string data;
    coswire::result<void> write(std::span<const std::byte> bytes) {
        data.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        return {};
    }
};

/// A positional sink over a buffer of the object's size, counting the bytes it took; parallel
/// workers may write to it at once (their ranges do not overlap).
struct buffer_sink {
    std::string data;
    std::mutex lock;
    std::uint64_t written = 0;
    explicit buffer_sink(std::size_t size) : data(size, '\0') {}
    coswire::result<void> write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
        if (offset > data.size() || bytes.size() > data.size() - offset)
            return coswire::make_error(coswire::errc::invalid_argument, "offset", "past the buffer");
        std::memcpy(data.data() + offset, bytes.data(), bytes.size());
        const std::lock_guard<std::mutex> guard(lock);
        written += bytes.size();
        return {};
    }
};

}  // namespace test_support
