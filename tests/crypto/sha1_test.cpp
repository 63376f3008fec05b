// SPDX-License-Identifier: MIT
#include <coswire/crypto/sha1.hpp>

#include <coswire/detail/cpu.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../support/bytes.hpp"

using coswire::sha1;
using coswire::sha1_digest;
using coswire::sha1_hash;

using test_support::hex;
using test_support::bytes_of;
using test_support::random_bytes;
using test_support::hash_in_pieces;

namespace {

constexpr std::string_view msg448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr std::string_view msg896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

}  // namespace

// The digest is usable in constant expressions, through the buffering path too.
static_assert(sha1_hash("abc") == sha1_digest{0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
                                              0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d});
static_assert([] {
    sha1 h;
    h.update(msg896.substr(0, 30));
    h.update(msg896.substr(30));
    return h.finish();
}() == sha1_hash(msg896));

TEST_CASE("sha1_hash: matches the FIPS 180-4 and RFC 3174 vectors") {
    SUBCASE("abc") { CHECK(hex(sha1_hash("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d"); }
    SUBCASE("the empty string") { CHECK(hex(sha1_hash("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709"); }
    SUBCASE("the 448-bit message") { CHECK(hex(sha1_hash(msg448)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1"); }
    SUBCASE("the 896-bit message") { CHECK(hex(sha1_hash(msg896)) == "a49b2446a02c645bf419f995b67091253a04a259"); }
    SUBCASE("one million 'a'") {
        const std::string million(1000000, 'a');
        CHECK(hex(sha1_hash(million)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
        sha1 h;
        for (std::size_t i = 0; i < million.size(); i += 999) h.update(std::string_view(million).substr(i, 999));
        CHECK(hex(h.finish()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    }
}

TEST_CASE("sha1_hash: the constant-evaluated digest equals the run-time one") {
    constexpr sha1_digest at_compile_time = sha1_hash(msg448);
    const std::string runtime_copy(msg448);
    CHECK(hex(at_compile_time) == hex(sha1_hash(runtime_copy)));
}

TEST_CASE("sha1_hash: agrees with an independent implementation at every length 0..300") {
    // Every padding case (length mod 64 around 55, 56, 63, 64) against Python's hashlib:
    // hashlib.sha1(b''.join(hashlib.sha1(bytes(i % 251 for i in range(n))).digest()
    //                       for n in range(301))).hexdigest()
    std::string pattern(300, '\0');
    for (std::size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<char>(i % 251);
    sha1 chain;
    for (std::size_t n = 0; n <= pattern.size(); ++n) {
        const sha1_digest d = sha1_hash(std::string_view(pattern).substr(0, n));
        chain.update(std::as_bytes(std::span(d)));
    }
    CHECK(hex(chain.finish()) == "6804e4ea9a6a8d4892d67a40ced19afe1455116c");
}

TEST_CASE("sha1: random data split at random points hashes like the one-shot call") {
    std::mt19937_64 rng(0x5a1);
    for (std::size_t n = 0; n <= 300; ++n) {
        const std::string data = random_bytes(rng, n);
        const sha1_digest expected = sha1_hash(data);
        for (int trial = 0; trial < 8; ++trial) {
            INFO("length ", n, ", trial ", trial);
            CHECK(hash_in_pieces<sha1>(data, rng) == expected);
        }
    }
}

TEST_CASE("sha1_hash: the byte-span overload equals the string_view one") {
    std::mt19937_64 rng(17);
    for (std::size_t n : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 127u, 128u, 1000u}) {
        const std::string data = random_bytes(rng, n);
        CHECK(sha1_hash(bytes_of(data)) == sha1_hash(data));
    }
}

TEST_CASE("sha1: a copy forks the computation") {
    sha1 h;
    h.update("ab");
    sha1 fork = h;
    h.update("c");
    fork.update("x");
    CHECK(h.finish() == sha1_hash("abc"));
    CHECK(fork.finish() == sha1_hash("abx"));
}

TEST_CASE("sha1_hash: with detail::force_portable the portable rounds give the same digests") {
    std::mt19937_64 rng(0x5a2);
    for (std::size_t n = 0; n <= 300; ++n) {
        const std::string data = random_bytes(rng, n);
        const sha1_digest run_time = sha1_hash(data);
        coswire::detail::force_portable(true);
        const sha1_digest portable = sha1_hash(data);
        coswire::detail::force_portable(false);
        INFO("length ", n);
        REQUIRE(run_time == portable);
    }
    coswire::detail::force_portable(true);
    CHECK(hex(sha1_hash(std::string(1000000, 'a'))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    coswire::detail::force_portable(false);
}
