// SPDX-License-Identifier: MIT
// The folding loop of detail/crc64_fold.hpp in every shape the library instantiates, run on any
// x86 CPU with PCLMULQDQ: widths whose fold is a carry-less multiplication in software stand in
// for the 256- and 512-bit VPCLMULQDQ registers, so the register layout, the keys and every tail
// of those paths are checked against crc64_portable even where the CPU lacks the instructions.
// tests/crypto/hardware_test.cpp runs the hardware widths themselves where the CPU has them.
#include <coswire/detail/crc64_fold.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../support/bytes.hpp"

#if COSWIRE_X86_DISPATCH

using test_support::random_bytes;

namespace {

using coswire::detail::crc64_fold_loop;
using coswire::detail::crc64_portable;
using coswire::detail::crc64_v128;
using coswire::detail::crc64_v256;
using coswire::detail::crc64_v512;

/// A width with the library's data layout (crc64_vector_ops) whose fold multiplies with
/// clmul64_model, the constexpr model of PCLMULQDQ, one 64-bit half at a time.
template <class Vector, std::size_t Registers>
struct software_width : coswire::detail::crc64_vector_ops<Vector> {
    using vector = Vector;
    static constexpr std::size_t registers = Registers;

    static void fold(vector& out, const vector& s, const vector& key, const vector& data) noexcept {
        vector r = data;
        for (std::size_t lane = 0; lane < coswire::detail::crc64_vector_ops<Vector>::lanes; ++lane) {
            const auto low = coswire::detail::clmul64_model(static_cast<std::uint64_t>(s[2 * lane]),
                                                            static_cast<std::uint64_t>(key[2 * lane]));
            const auto high = coswire::detail::clmul64_model(static_cast<std::uint64_t>(s[2 * lane + 1]),
                                                             static_cast<std::uint64_t>(key[2 * lane + 1]));
            r[2 * lane] ^= static_cast<long long>(low[0] ^ high[0]);
            r[2 * lane + 1] ^= static_cast<long long>(low[1] ^ high[1]);
        }
        out = r;
    }
};

/// The software stand-in for a hardware width: its vector type and register count.
template <class Width>
using as_software = software_width<typename Width::vector, Width::registers>;

bool has_pclmul() { return coswire::detail::detected_cpu_features().pclmul; }

/// The bytes one step of crc64_fold_loop<Width> folds, which is also the least it takes.
template <class Width>
constexpr std::size_t step_bytes = 16 * Width::lanes * Width::registers;

/// Lengths from one step of `Width` (the loop's precondition) to past 16 steps: every length
/// up to three steps and a lane beyond (each tail of whole registers, lanes and bytes), then
/// either side of multiples of the step, then a few random ones.
template <class Width>
std::vector<std::size_t> lengths_for(std::mt19937_64& rng) {
    constexpr std::size_t step = step_bytes<Width>;
    std::vector<std::size_t> lengths;
    for (std::size_t n = step; n <= 3 * step + 16; ++n) lengths.push_back(n);
    for (std::size_t m = 4 * step; m <= 16 * step; m += step)
        for (std::size_t n = m - 17; n <= m + 17; ++n) lengths.push_back(n);
    for (int i = 0; i < 8; ++i) lengths.push_back(step + static_cast<std::size_t>(rng() % 20000u));
    return lengths;
}

/// crc64_fold_loop<Width> equals crc64_portable on every length from `lengths_for`, at every
/// offset within a 64-byte line, from a random register and chained at a random cut.
template <class Width>
void check_width(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    constexpr std::size_t step = step_bytes<Width>;
    std::size_t compared = 0;
    for (const std::size_t n : lengths_for<Width>(rng)) {
        const std::string buffer = random_bytes(rng, n + 63);
        const std::size_t offset = static_cast<std::size_t>(rng() % 64);
        const auto* p = reinterpret_cast<const std::uint8_t*>(buffer.data()) + offset;
        const std::uint64_t reg = rng();
        CAPTURE(n);
        CAPTURE(offset);
        const std::uint64_t expected = crc64_portable(reg, p, n);
        REQUIRE(crc64_fold_loop<Width>(reg, p, n) == expected);
        if (n >= 2 * step) {
            const std::size_t cut = step + static_cast<std::size_t>(rng() % (n - 2 * step + 1));
            CAPTURE(cut);
            REQUIRE(crc64_fold_loop<Width>(crc64_fold_loop<Width>(reg, p, cut), p + cut, n - cut) == expected);
        }
        ++compared;
    }
    MESSAGE(compared, " lengths, ", Width::lanes, " lane(s) x ", Width::registers, " registers");
}

}  // namespace

TEST_CASE("crc64_fold_loop: the shapes of the 128-, 256- and 512-bit paths, folding in software") {
    if (!has_pclmul()) {
        MESSAGE("no PCLMULQDQ (the loop's last 128-bit folds use it): skipped");
        return;
    }
    using namespace coswire::detail;
    check_width<as_software<crc64_width128>>(0x128);
    check_width<as_software<crc64_width256>>(0x256);
    check_width<as_software<crc64_width512>>(0x512);
}

TEST_CASE("crc64_fold_loop: other register counts fold the same") {
    if (!has_pclmul()) {
        MESSAGE("no PCLMULQDQ (the loop's last 128-bit folds use it): skipped");
        return;
    }
    // One register (no reduction across registers) and the widest 512-bit shape with two.
    check_width<software_width<crc64_v128, 1>>(1);
    check_width<software_width<crc64_v512, 1>>(2);
    check_width<software_width<crc64_v512, 2>>(3);
    check_width<software_width<crc64_v256, 3>>(4);
}

#endif
