// SPDX-License-Identifier: MIT
#include <coswire/crypto/hmac.hpp>

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

using coswire::hmac_sha1;
using coswire::hmac_sha1_key;
using coswire::sha1_digest;

using test_support::hex;
using test_support::bytes_of;
using test_support::random_bytes;

namespace {

// RFC 2104 section 2 written out with the plain SHA-1 API, without precomputed states, as a reference.
sha1_digest textbook_hmac(std::string_view key, std::string_view message) {
    std::string k0 = key.size() > 64 ? [&] {
        const sha1_digest d = coswire::sha1_hash(key);
        return std::string(d.begin(), d.end());
    }()
                                     : std::string(key);
    k0.resize(64, '\0');
    std::string ipad = k0, opad = k0;
    for (char& c : ipad) c = static_cast<char>(c ^ 0x36);
    for (char& c : opad) c = static_cast<char>(c ^ 0x5c);
    const sha1_digest inner = coswire::sha1_hash(ipad + std::string(message));
    return coswire::sha1_hash(opad + std::string(inner.begin(), inner.end()));
}

constexpr std::string_view cos_secret = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";
constexpr std::string_view cos_key_time = "1557989151;1557996351";

}  // namespace

// COS SignKey (docs/protocol/signing.md#sign-key) computed entirely at compile time.
static_assert(hmac_sha1(cos_secret, cos_key_time) ==
              sha1_digest{0xeb, 0x25, 0x19, 0xb4, 0x98, 0xb0, 0x2a, 0xc2, 0x13, 0xcb,
                          0x1f, 0x3d, 0x1a, 0x3d, 0x27, 0xa3, 0xb3, 0xc9, 0xbc, 0x5f});

TEST_CASE("hmac_sha1: matches the seven RFC 2202 test cases") {
    const std::string aa20(20, '\xaa'), aa80(80, '\xaa'), dd50(50, '\xdd'), cd50(50, '\xcd');
    std::string key25;
    for (char c = 0x01; c <= 0x19; ++c) key25 += c;

    SUBCASE("1: 20-byte key 0x0b") {
        CHECK(hex(hmac_sha1(std::string(20, '\x0b'), "Hi There")) == "b617318655057264e28bc0b6fb378c8ef146be00");
    }
    SUBCASE("2: key shorter than the digest") {
        CHECK(hex(hmac_sha1("Jefe", "what do ya want for nothing?")) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }
    SUBCASE("3: 50 bytes of 0xdd") { CHECK(hex(hmac_sha1(aa20, dd50)) == "125d7342b9ac11cd91a39af48aa17b4f63f175d3"); }
    SUBCASE("4: 25-byte key 0x01..0x19") {
        CHECK(hex(hmac_sha1(key25, cd50)) == "4c9007f4026250c6bc8414f9bf50c86c2d7235da");
    }
    SUBCASE("5: Test With Truncation (full digest)") {
        CHECK(hex(hmac_sha1(std::string(20, '\x0c'), "Test With Truncation")) ==
              "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");
    }
    SUBCASE("6: 80-byte key, hashed first") {
        CHECK(hex(hmac_sha1(aa80, "Test Using Larger Than Block-Size Key - Hash Key First")) ==
              "aa4ae5e15272d00e95705637ce8a3b55ed402112");
    }
    SUBCASE("7: 80-byte key and data longer than a block") {
        CHECK(hex(hmac_sha1(aa80, "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data")) ==
              "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
    }
}

TEST_CASE("hmac_sha1: gives the COS SignKey of the signing documentation") {
    CHECK(hex(hmac_sha1(cos_secret, cos_key_time)) == "eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f");
    CHECK(hex(hmac_sha1_key(cos_secret).mac(cos_key_time)) == "eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f");
}

TEST_CASE("hmac_sha1: equals RFC 2104 written out, for every key length 0..130") {
    // Covers keys shorter than, equal to (64) and longer than (65+, hashed) the block.
    std::mt19937_64 rng(2104);
    for (std::size_t klen = 0; klen <= 130; ++klen) {
        const std::string key = random_bytes(rng, klen);
        const std::string message = random_bytes(rng, static_cast<std::size_t>(rng() % 200));
        INFO("key length ", klen);
        CHECK(hmac_sha1(key, message) == textbook_hmac(key, message));
    }
}

TEST_CASE("hmac_sha1_key: one key reused for many messages equals the one-shot hmac_sha1") {
    std::mt19937_64 rng(7);
    for (std::size_t klen : {0u, 20u, 64u, 65u, 80u}) {
        const std::string key = random_bytes(rng, klen);
        const hmac_sha1_key prepared(key);
        for (std::size_t n = 0; n <= 300; ++n) {
            const std::string message = random_bytes(rng, n);
            INFO("key length ", klen, ", message length ", n);
            CHECK(prepared.mac(message) == hmac_sha1(key, message));
        }
    }
}

TEST_CASE("hmac_sha1_key::stream: random splits give the one-shot MAC") {
    std::mt19937_64 rng(0x36);
    const hmac_sha1_key key(random_bytes(rng, 32));
    for (std::size_t n = 0; n <= 300; ++n) {
        const std::string message = random_bytes(rng, n);
        const sha1_digest expected = key.mac(message);
        for (int trial = 0; trial < 4; ++trial) {
            std::vector<std::size_t> cuts{0, n, static_cast<std::size_t>(rng() % (n + 1)),
                                          static_cast<std::size_t>(rng() % (n + 1))};
            std::sort(cuts.begin(), cuts.end());
            auto s = key.start();
            for (std::size_t i = 1; i < cuts.size(); ++i) {
                const std::string_view piece = std::string_view(message).substr(cuts[i - 1], cuts[i] - cuts[i - 1]);
                if (i % 2 == 0)
                    s.update(bytes_of(piece));
                else
                    s.update(piece);
            }
            INFO("length ", n, ", trial ", trial);
            CHECK(s.finish() == expected);
        }
    }
}

TEST_CASE("hmac_sha1_key: the byte-span overload equals the string_view one") {
    const hmac_sha1_key key("Jefe");
    const std::string_view message = "what do ya want for nothing?";
    CHECK(key.mac(bytes_of(message)) == key.mac(message));
}
