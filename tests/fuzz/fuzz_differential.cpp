// SPDX-License-Identifier: MIT
// libFuzzer target: SHA-1, MD5 and CRC-64 give the same result on the hardware paths (SHA-NI,
// PCLMULQDQ, 256- and 512-bit VPCLMULQDQ, where the CPU has them) and on the portable code, in
// one call or fed in two pieces; crc64_combine of a split equals the CRC-64 of the whole; and the
// signing path's fast routines (detail/fast_http_string.hpp) give what the readable ones give.
#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/crypto/sha1.hpp>
#include <coswire/detail/cpu.hpp>
#include <coswire/detail/fast_http_string.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/sign/http_string.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

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

int sign_of(int v) { return (v > 0) - (v < 0); }

/// The fast encoders, name order and sizes against enc() and the readable signed-name rules.
void check_signing(std::string_view a, std::string_view b) {
    namespace fast = coswire::detail::fast;
    std::string fast_value(3 * a.size(), '\0'), fast_name(3 * a.size(), '\0');
    fast_value.resize(static_cast<std::size_t>(fast::percent_encode_unchecked(a, fast_value.data()) - fast_value.data()));
    fast_name.resize(static_cast<std::size_t>(fast::write_signed_name_unchecked(a, fast_name.data()) - fast_name.data()));
    std::string name;
    for (char c : a) name += coswire::detail::signed_name_piece(c).view();
    if (fast_value != coswire::percent_encode(a) || fast_name != name) std::abort();
    if (sign_of(fast::compare_signed_names(a, b)) != sign_of(coswire::detail::compare_signed_names(a, b))) std::abort();
    if (fast::signed_name_size(a) != coswire::percent_encoded_size(a)) std::abort();
    if (fast::token_signed_name_size(a) != (coswire::detail::is_token(a) ? coswire::percent_encoded_size(a) : 0)) std::abort();
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
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_signing(text.substr(0, split), text.substr(split));

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
