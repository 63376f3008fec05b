// SPDX-License-Identifier: MIT
// libFuzzer target: SHA-1, MD5 and CRC-64 give the same result on the hardware paths (SHA-NI,
// PCLMULQDQ, 256- and 512-bit VPCLMULQDQ, where the CPU has them) and on the portable code, in
// one call or fed in two pieces; and crc64_combine of a split equals the CRC-64 of the whole.
#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/crypto/sha1.hpp>
#include <coswire/detail/cpu.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace {

struct digests {
    coswire::sha1_digest sha1;
    coswire::md5_digest md5;
    std::uint64_t crc64;
    bool operator==(const digests&) const = default;
};

digests one_call(std::span<const std::byte> bytes) {
    return {coswire::sha1_hash(bytes), coswire::md5_hash(bytes), coswire::crc64(bytes)};
}

digests two_pieces(std::span<const std::byte> a, std::span<const std::byte> b) {
    coswire::sha1 s;
    s.update(a);
    s.update(b);
    coswire::md5 m;
    m.update(a);
    m.update(b);
    return {s.finish(), m.finish(), coswire::crc64_update(coswire::crc64(a), b)};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> bytes = std::as_bytes(std::span<const std::uint8_t>(data, size));
    // The split point comes from the first two bytes, so every offset is reachable.
    const std::size_t split = size < 2 ? 0 : (std::size_t{data[0]} | std::size_t{data[1]} << 8) % (size + 1);
    const auto a = bytes.first(split);
    const auto b = bytes.subspan(split);

    coswire::detail::force_portable(false);
    const digests fast = one_call(bytes);
    const digests fast_split = two_pieces(a, b);
    const std::uint64_t crc_a = coswire::crc64(a), crc_b = coswire::crc64(b);
    coswire::detail::force_portable(true);
    const digests portable = one_call(bytes);
    const digests portable_split = two_pieces(a, b);
    coswire::detail::force_portable(false);

    if (fast != portable || fast != fast_split || fast != portable_split) std::abort();
    if (coswire::crc64_combine(crc_a, crc_b, b.size()) != fast.crc64) std::abort();

#if COSWIRE_X86_DISPATCH
    // crc64() runs only the widest folding the CPU has; each narrower one is called here directly,
    // from a register taken from the input, in one call and chained across the split.
    const coswire::detail::cpu_features& f = coswire::detail::detected_cpu_features();
    const std::uint64_t reg = size < 10 ? 0 : coswire::detail::load_le64(data + 2);
    const std::uint64_t expected = coswire::detail::crc64_portable(reg, data, size);
    using bulk_routine = std::uint64_t (*)(std::uint64_t, const std::uint8_t*, std::size_t) noexcept;
    const bulk_routine routines[] = {f.pclmul ? coswire::detail::crc64_pclmul : nullptr,
                                     f.vpclmul256 ? coswire::detail::crc64_vpclmul256 : nullptr,
                                     f.vpclmul ? coswire::detail::crc64_vpclmul : nullptr};
    for (const bulk_routine run : routines) {
        if (run == nullptr) continue;
        if (run(reg, data, size) != expected) std::abort();
        if (run(run(reg, data, split), data + split, size - split) != expected) std::abort();
    }
#endif
    return 0;
}
