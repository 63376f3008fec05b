// SPDX-License-Identifier: MIT
// The SHA-NI and (V)PCLMULQDQ paths against the portable ones, in one binary via detail::force_portable.
#include <coswire/detail/cpu.hpp>

#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/hmac.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/crypto/sha1.hpp>

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

using test_support::bytes_of;
using test_support::random_bytes;

namespace {

using coswire::detail::detected_cpu_features;
using coswire::detail::force_portable;

// Forces the portable paths for its lifetime, so a failing REQUIRE cannot leak the setting into
// later test cases.
class portable_scope {
public:
    portable_scope() noexcept { force_portable(true); }
    ~portable_scope() { force_portable(false); }
    portable_scope(const portable_scope&) = delete;
    portable_scope& operator=(const portable_scope&) = delete;
};

// doctest prints a const char* argument of MESSAGE as a pointer, so the words are std::strings.
std::string yes_no(bool b) { return b ? "yes" : "no"; }

// Every length that crosses a block or fold threshold (64-byte blocks; 16-, 128- and 256-byte
// CRC lanes), then random lengths up to 100 KB.
std::vector<std::size_t> test_lengths(std::mt19937_64& rng) {
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n <= 600; ++n) lengths.push_back(n);
    for (std::size_t n = 1024; n <= 8192; n *= 2) {
        lengths.push_back(n - 1);
        lengths.push_back(n);
        lengths.push_back(n + 1);
    }
    for (int i = 0; i < 24; ++i) lengths.push_back(static_cast<std::size_t>(rng() % 100001u));
    return lengths;
}

// Cut points for feeding `n` bytes in pieces, mostly inside blocks and lanes.
std::vector<std::size_t> random_cuts(std::mt19937_64& rng, std::size_t n) {
    std::vector<std::size_t> cuts{0, n};
    const std::size_t extra = rng() % 7;
    for (std::size_t i = 0; i < extra; ++i) cuts.push_back(static_cast<std::size_t>(rng() % (n + 1)));
    std::sort(cuts.begin(), cuts.end());
    return cuts;
}

struct all_digests {
    coswire::sha1_digest sha1;
    coswire::md5_digest md5;
    coswire::sha1_digest hmac;
    std::uint64_t crc;
    bool operator==(const all_digests&) const = default;
};

all_digests one_shot(std::string_view data) {
    return {coswire::sha1_hash(bytes_of(data)), coswire::md5_hash(bytes_of(data)),
            coswire::hmac_sha1_key("key").mac(bytes_of(data)), coswire::crc64(bytes_of(data))};
}

// The same digests fed in pieces; with `flip` the path is switched between pieces, which must not
// matter because both paths share the chaining state.
all_digests in_pieces(std::string_view data, const std::vector<std::size_t>& cuts, bool flip) {
    coswire::sha1 sha;
    coswire::md5 md;
    coswire::hmac_sha1_key::stream mac = coswire::hmac_sha1_key("key").start();
    std::uint64_t crc = 0;
    for (std::size_t i = 1; i < cuts.size(); ++i) {
        if (flip) force_portable(i % 2 == 0);
        const std::string_view piece = data.substr(cuts[i - 1], cuts[i] - cuts[i - 1]);
        sha.update(bytes_of(piece));
        md.update(piece);
        mac.update(bytes_of(piece));
        crc = coswire::crc64_update(crc, piece);
    }
    if (flip) force_portable(false);
    return {sha.finish(), md.finish(), mac.finish(), crc};
}

}  // namespace

TEST_CASE("hardware: reports the detected CPU features and the paths this run compares") {
    const coswire::detail::cpu_features& f = detected_cpu_features();
    MESSAGE("SHA-NI: ", yes_no(f.sha_ni), ", PCLMULQDQ: ", yes_no(f.pclmul), ", VPCLMULQDQ (AVX-512): ",
            yes_no(f.vpclmul), ", VPCLMULQDQ (AVX, 256-bit): ", yes_no(f.vpclmul256),
            ", compiled with x86 dispatch: ", yes_no(COSWIRE_X86_DISPATCH != 0));
    if (!f.sha_ni && !f.pclmul)
        MESSAGE("no hardware path on this CPU: only the portable paths are checked (against each other "
                "and the published vectors)");
    CHECK_FALSE(coswire::detail::portable_forced());
    {
        portable_scope portable;
        CHECK(coswire::detail::portable_forced());
        CHECK_FALSE(coswire::detail::use_sha_ni());
        CHECK_FALSE(coswire::detail::use_pclmul());
        CHECK_FALSE(coswire::detail::use_vpclmul());
        CHECK_FALSE(coswire::detail::use_vpclmul256());
    }
    CHECK(coswire::detail::use_sha_ni() == f.sha_ni);
    CHECK(coswire::detail::use_pclmul() == f.pclmul);
    CHECK(coswire::detail::use_vpclmul() == f.vpclmul);
    CHECK(coswire::detail::use_vpclmul256() == f.vpclmul256);
    // The 512- and 256-bit paths are only ever chosen on top of the 128-bit one, which they call
    // for short inputs.
    CHECK((!f.vpclmul || f.pclmul));
    CHECK((!f.vpclmul256 || f.pclmul));
}

TEST_CASE("hardware: both paths give every published vector") {
    struct vector {
        std::string input;
        std::string_view sha1;
        std::string_view md5;
    };
    const std::array<vector, 6> vectors{{
        {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "d41d8cd98f00b204e9800998ecf8427e"},
        {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d", "900150983cd24fb0d6963f7d28e17f72"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
         "8215ef0796a20bcaaae116d3876c664a"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrs"
         "tnopqrstu",
         "a49b2446a02c645bf419f995b67091253a04a259", "03dd8807a93175fb062dfb55dc7d359c"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "50abf5706a150990a08b2c5ea40fa0e585554732", "57edf4a22be3c955ac49da2e2107b67a"},
        {std::string(1000000, 'a'), "34aa973cd4c4daa4f61eeb2bdbad27316534016f", "7707d6ae4e027c70eea2a935c2296f21"},
    }};
    const auto hex = [](std::span<const std::uint8_t> d) {
        constexpr std::string_view digits = "0123456789abcdef";
        std::string out;
        for (const std::uint8_t b : d) {
            out += digits[b >> 4];
            out += digits[b & 15];
        }
        return out;
    };
    for (const bool portable : {false, true}) {
        if (portable) force_portable(true);
        for (const vector& v : vectors) {
            CAPTURE(portable);
            CAPTURE(v.input.size());
            CHECK(hex(coswire::sha1_hash(v.input)) == v.sha1);
            CHECK(hex(coswire::md5_hash(v.input)) == v.md5);
        }
        // RFC 2202 test case 1 and docs/protocol/test-vectors.md#checksums.
        CHECK(hex(coswire::hmac_sha1(std::string(20, '\x0b'), "Hi There")) ==
              "b617318655057264e28bc0b6fb378c8ef146be00");
        CHECK(coswire::crc64("123456789") == 0x995DC9BBDF1939FAu);
        CHECK(coswire::crc64("Sow nothing, reap nothing.") == 5688612513965981022u);
        CHECK(coswire::crc64(std::string(1048576, 'a')) == 6701094182323390671u);
        CHECK(coswire::crc64(std::string(1048576, 'b')) == 4085814139916291200u);
        CHECK(coswire::crc64(std::string(1048576, 'a') + std::string(1048576, 'b') + "tail") ==
              13745729108564155657u);
        force_portable(false);
    }
}

TEST_CASE("hardware: both paths agree on random inputs of every alignment, one-shot and in pieces") {
    std::mt19937_64 rng(0x4a7d3a5e);
    std::size_t compared = 0;
    for (const std::size_t n : test_lengths(rng)) {
        const std::string buffer = random_bytes(rng, n + 15);
        // Long inputs at a few offsets only, to keep the sanitizer build quick.
        const std::size_t step = n > 4096 ? 5 : 1;
        for (std::size_t offset = 0; offset < 16; offset += step) {
            const std::string_view data = std::string_view(buffer).substr(offset, n);
            CAPTURE(n);
            CAPTURE(offset);
            all_digests portable;
            {
                portable_scope scope;
                portable = one_shot(data);
            }
            REQUIRE(one_shot(data) == portable);
            const std::vector<std::size_t> cuts = random_cuts(rng, n);
            REQUIRE(in_pieces(data, cuts, false) == portable);
            REQUIRE(in_pieces(data, cuts, true) == portable);
            ++compared;
        }
    }
    const coswire::detail::cpu_features& f = detected_cpu_features();
    const std::string sha1_paths = f.sha_ni ? "SHA-NI and portable" : "portable only";
    const std::string crc_paths = f.vpclmul      ? "512-bit VPCLMULQDQ, PCLMULQDQ and slicing-by-8"
                                  : f.vpclmul256 ? "256-bit VPCLMULQDQ, PCLMULQDQ and slicing-by-8"
                                  : f.pclmul     ? "PCLMULQDQ and slicing-by-8"
                                                 : "slicing-by-8 only";
    MESSAGE("compared ", compared, " inputs; SHA-1 on ", sha1_paths, ", CRC-64 on ", crc_paths);
}

#if COSWIRE_X86_DISPATCH
TEST_CASE("hardware: each CRC-64 bulk routine equals slicing-by-8 from any register") {
    const coswire::detail::cpu_features& f = detected_cpu_features();
    if (!f.pclmul) {
        MESSAGE("no PCLMULQDQ: skipped");
        return;
    }
    std::mt19937_64 rng(0xc64c64);
    std::vector<std::size_t> lengths = test_lengths(rng);
    // Around every multiple of 256 bytes (one step of the 256- and 512-bit loops) up to 4 KiB,
    // far enough either side to cross the 16-, 32- and 64-byte tails and the 128-byte step.
    for (std::size_t m = 256; m <= 4096; m += 256)
        for (std::size_t n = m - 130; n <= m + 130; ++n) lengths.push_back(n);
    for (std::size_t n = 1; n <= 2048; n *= 2) lengths.push_back(std::size_t{1} << 20 | (n - 1));

    using bulk_routine = std::uint64_t (*)(std::uint64_t, const std::uint8_t*, std::size_t) noexcept;
    struct routine {
        const char* name;
        bulk_routine run;
        bool available;
    };
    const std::array<routine, 3> routines{{
        {"crc64_pclmul", coswire::detail::crc64_pclmul, f.pclmul},
        {"crc64_vpclmul256", coswire::detail::crc64_vpclmul256, f.vpclmul256},
        {"crc64_vpclmul", coswire::detail::crc64_vpclmul, f.vpclmul},
    }};
    for (const std::size_t n : lengths) {
        // Any offset within a 64-byte line, so the 32- and 64-byte loads meet every alignment.
        const std::string buffer = random_bytes(rng, n + 63);
        const std::size_t offset = static_cast<std::size_t>(rng() % 64);
        const auto* p = reinterpret_cast<const std::uint8_t*>(buffer.data()) + offset;
        const std::size_t cut = static_cast<std::size_t>(rng() % (n + 1));
        for (const std::uint64_t reg : {std::uint64_t{0}, ~std::uint64_t{0}, static_cast<std::uint64_t>(rng())}) {
            const std::uint64_t expected = coswire::detail::crc64_portable(reg, p, n);
            for (const routine& r : routines) {
                if (!r.available) continue;
                CAPTURE(std::string(r.name));
                CAPTURE(n);
                CAPTURE(offset);
                CAPTURE(cut);
                REQUIRE(r.run(reg, p, n) == expected);
                // Chained: the register after the first part starts the second.
                REQUIRE(r.run(r.run(reg, p, cut), p + cut, n - cut) == expected);
            }
        }
    }
    std::string checked;
    for (const routine& r : routines) {
        checked += checked.empty() ? "" : ", ";
        checked += r.name;
        checked += r.available ? "" : " (skipped: not on this CPU)";
    }
    MESSAGE("checked ", checked);
}

TEST_CASE("hardware: SHA-NI compression equals the portable rounds from any state") {
    if (!detected_cpu_features().sha_ni) {
        MESSAGE("no SHA-NI: skipped");
        return;
    }
    std::mt19937_64 rng(0x5a1);
    for (int round = 0; round < 200; ++round) {
        const std::size_t nblocks = static_cast<std::size_t>(rng() % 20);
        const std::size_t offset = static_cast<std::size_t>(rng() % 16);
        const std::string buffer = random_bytes(rng, nblocks * 64 + offset);
        const auto* p = reinterpret_cast<const std::uint8_t*>(buffer.data()) + offset;
        coswire::detail::sha1_state hw{};
        for (std::uint32_t& w : hw) w = static_cast<std::uint32_t>(rng());
        coswire::detail::sha1_state portable = hw;
        coswire::detail::sha1_compress_sha_ni(hw, p, nblocks);
        coswire::detail::sha1_compress_portable(portable, p, nblocks);
        CAPTURE(nblocks);
        REQUIRE(hw == portable);
    }
}
#endif
