// SPDX-License-Identifier: MIT
#include <coswire/crypto/md5.hpp>

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

using coswire::md5;
using coswire::md5_digest;
using coswire::md5_hash;

using test_support::hex;
using test_support::bytes_of;
using test_support::random_bytes;
using test_support::hash_in_pieces;

static_assert(md5_hash("abc") ==
              md5_digest{0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0, 0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72});

TEST_CASE("md5_hash: matches the RFC 1321 test suite") {
    CHECK(hex(md5_hash("")) == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(hex(md5_hash("a")) == "0cc175b9c0f1b6a831c399e269772661");
    CHECK(hex(md5_hash("abc")) == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(hex(md5_hash("message digest")) == "f96b697d7cb7938d525a2f31aaf161d0");
    CHECK(hex(md5_hash("abcdefghijklmnopqrstuvwxyz")) == "c3fcd3d76192e4007dfb496cca67e13b");
    CHECK(hex(md5_hash("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")) ==
          "d174ab98d277d9f5a5611c2c9f419d9f");
    CHECK(hex(md5_hash("12345678901234567890123456789012345678901234567890123456789012345678901234567890")) ==
          "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("md5_hash: matches the COS documentation examples") {
    // Content-MD5 of the PUT example is mQ/fVh815F3k6TAUm8m0eg== (docs/protocol/test-vectors.md#documented-put-example).
    CHECK(hex(md5_hash("ObjectContent")) == "990fdf561f35e45de4e930149bc9b47a");
    // Part and object ETags of docs/protocol/test-vectors.md#checksums.
    CHECK(hex(md5_hash("[Object Part]")) == "108f528eb63b65e734f27ae331f5ffaa");
    CHECK(hex(md5_hash("[Object Content]")) == "ee8de918d05640145b18f70f4c3aa602");
    CHECK(hex(md5_hash("[Object Content Version 2]")) == "22e024392de860289f0baa7d6cf8a549");
    CHECK(hex(md5_hash(std::string(1048576, 'a'))) == "7202826a7791073fe2787f0c94603278");
    CHECK(hex(md5_hash(std::string(1048576, 'b'))) == "96767d2b46489f3520698a6df536dc4c");
    CHECK(hex(md5_hash("tail")) == "7aea2552dfe7eb84b9443b6fc9ba6e01");
}

TEST_CASE("md5_hash: agrees with an independent implementation at every length 0..300") {
    // Every padding case (length mod 64 around 55, 56, 63, 64) against Python's hashlib:
    // hashlib.md5(b''.join(hashlib.md5(bytes(i % 251 for i in range(n))).digest()
    //                      for n in range(301))).hexdigest()
    std::string pattern(300, '\0');
    for (std::size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<char>(i % 251);
    md5 chain;
    for (std::size_t n = 0; n <= pattern.size(); ++n) {
        const md5_digest d = md5_hash(std::string_view(pattern).substr(0, n));
        chain.update(std::as_bytes(std::span(d)));
    }
    CHECK(hex(chain.finish()) == "eeb77f5f54b2e46b4849a40454d8e547");
}

TEST_CASE("md5: random data split at random points hashes like the one-shot call") {
    std::mt19937_64 rng(1321);
    for (std::size_t n = 0; n <= 300; ++n) {
        const std::string data = random_bytes(rng, n);
        const md5_digest expected = md5_hash(data);
        for (int trial = 0; trial < 8; ++trial) {
            INFO("length ", n, ", trial ", trial);
            CHECK(hash_in_pieces<md5>(data, rng) == expected);
        }
    }
}

TEST_CASE("md5_hash: the byte-span overload equals the string_view one") {
    std::mt19937_64 rng(5);
    for (std::size_t n : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 127u, 128u, 1000u}) {
        const std::string data = random_bytes(rng, n);
        CHECK(md5_hash(bytes_of(data)) == md5_hash(data));
    }
}
