// SPDX-License-Identifier: MIT
// Run-time CPU feature detection for the hashing and CRC fast paths, and the switch that forces the portable code.
#pragma once

#if !defined(__GNUC__)
#include <atomic>
#endif

/// COSWIRE_X86_DISPATCH is 1 when the x86 fast paths (SHA-NI, (V)PCLMULQDQ) are compiled in: an x86
/// target and a compiler with GNU target attributes (g++, clang++). Such a function is compiled
/// for the extension alone, so the rest of the program needs no -msha or -mpclmul and still runs
/// on CPUs without them. Define COSWIRE_X86_DISPATCH to 0 before including coswire to compile
/// only the portable code.
#ifndef COSWIRE_X86_DISPATCH
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define COSWIRE_X86_DISPATCH 1
#else
#define COSWIRE_X86_DISPATCH 0
#endif
#endif

#if COSWIRE_X86_DISPATCH
#include <cpuid.h>
#endif

namespace coswire::detail {

/// What the CPU offers to coswire's fast paths. All false on non-x86 targets.
struct cpu_features {
    bool sha_ni = false;      ///< SHA1RNDS4 and friends, plus the SSSE3/SSE4.1 shuffles around them
    bool pclmul = false;      ///< PCLMULQDQ (carry-less multiply) with SSE4.1
    bool vpclmul = false;     ///< VPCLMULQDQ on 512-bit registers (AVX-512F), with the OS saving them
    bool vpclmul256 = false;  ///< VPCLMULQDQ on 256-bit registers (VEX, AVX), with the OS saving them
};

#if COSWIRE_X86_DISPATCH
/// XCR0, the register-state components the OS saves on a context switch. Only call it when
/// CPUID says OSXSAVE. (The builtin is what _xgetbv expands to; <immintrin.h>, its only home,
/// costs a third of a second of compile time in every translation unit.)
[[gnu::target("xsave")]] inline unsigned long long read_xcr0() noexcept { return __builtin_ia32_xgetbv(0); }

/// Reads CPUID (Intel SDM vol. 2A, CPUID). Leaf 1 ECX: PCLMULQDQ bit 1, SSSE3 bit 9, SSE4.1
/// bit 19, OSXSAVE bit 27, AVX bit 28. Leaf 7 subleaf 0: EBX AVX512F bit 16, SHA bit 29; ECX
/// VPCLMULQDQ bit 10. SHA-NI and PCLMULQDQ use only the SSE state every x86 OS saves; 256-bit
/// registers need XCR0 to have the SSE and AVX components (bits 1, 2) on, 512-bit ones also the
/// opmask and both ZMM components (bits 5, 6, 7). VPCLMULQDQ's VEX.256 form needs AVX, its
/// EVEX.512 form AVX-512F (Intel SDM vol. 2B, VPCLMULQDQ; AMD Zen 3 has the first only).
inline cpu_features detect_cpu_features() noexcept {
    cpu_features f;
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid(1, &a, &b, &c, &d) == 0) return f;
    const bool ssse3 = (c >> 9) & 1u;
    const bool sse41 = (c >> 19) & 1u;
    const bool pclmul = (c >> 1) & 1u;
    const bool osxsave = (c >> 27) & 1u;
    const bool avx = (c >> 28) & 1u;
    f.pclmul = pclmul && sse41;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return f;
    f.sha_ni = ((b >> 29) & 1u) && ssse3 && sse41;
    const bool avx512f = (b >> 16) & 1u;
    const bool vpclmulqdq = (c >> 10) & 1u;
    if (!vpclmulqdq || !osxsave || !f.pclmul) return f;
    const unsigned long long xcr0 = read_xcr0();
    const unsigned long long ymm_state = 0x06;  // bits 1, 2
    const unsigned long long zmm_state = 0xe6;  // bits 1, 2, 5, 6, 7
    f.vpclmul256 = avx && (xcr0 & ymm_state) == ymm_state;
    f.vpclmul = avx512f && (xcr0 & zmm_state) == zmm_state;
    return f;
}
#else
inline cpu_features detect_cpu_features() noexcept { return {}; }
#endif

/// The features of the CPU running the program, detected once on first use (a function-local
/// static: initialised thread-safely, immutable afterwards).
inline const cpu_features& detected_cpu_features() noexcept {
    static const cpu_features features = detect_cpu_features();
    return features;
}

#if defined(__GNUC__)
/// The process-wide "portable only" switch, read and written with relaxed atomic builtins (what
/// std::atomic<bool> is made of in g++ and clang++, without <atomic>'s compile time).
/// Constant-initialised, so reading it never runs a guard.
inline bool portable_switch_flag = false;

/// Forces every SHA-1, MD5 and CRC-64 computation in the process onto the portable code (true)
/// or returns to the run-time choice (false). Meant for tests and benchmarks that compare both
/// paths in one binary; thread-safe, takes effect at the next block or buffer processed. The
/// results are identical either way, only the speed differs.
inline void force_portable(bool on) noexcept { __atomic_store_n(&portable_switch_flag, on, __ATOMIC_RELAXED); }

/// Whether force_portable(true) is in effect.
inline bool portable_forced() noexcept { return __atomic_load_n(&portable_switch_flag, __ATOMIC_RELAXED); }
#else
/// The process-wide "portable only" switch. Constant-initialised, so reading it never runs a guard.
inline std::atomic<bool>& portable_switch() noexcept {
    static std::atomic<bool> forced{false};
    return forced;
}

/// Forces every SHA-1, MD5 and CRC-64 computation in the process onto the portable code (true)
/// or returns to the run-time choice (false). Meant for tests and benchmarks that compare both
/// paths in one binary; thread-safe, takes effect at the next block or buffer processed. The
/// results are identical either way, only the speed differs.
inline void force_portable(bool on) noexcept { portable_switch().store(on, std::memory_order_relaxed); }

/// Whether force_portable(true) is in effect.
inline bool portable_forced() noexcept { return portable_switch().load(std::memory_order_relaxed); }
#endif

/// Whether SHA-1 currently uses SHA-NI: the CPU has it and the portable path is not forced.
inline bool use_sha_ni() noexcept { return detected_cpu_features().sha_ni && !portable_forced(); }

/// Whether CRC-64 currently uses PCLMULQDQ folding: the CPU has it and portable is not forced.
inline bool use_pclmul() noexcept { return detected_cpu_features().pclmul && !portable_forced(); }

/// Whether CRC-64 currently uses 512-bit VPCLMULQDQ folding for large buffers.
inline bool use_vpclmul() noexcept { return detected_cpu_features().vpclmul && !portable_forced(); }

/// Whether CRC-64 may use 256-bit VPCLMULQDQ folding for large buffers (it does so only where
/// use_vpclmul() is false: the 512-bit path comes first).
inline bool use_vpclmul256() noexcept { return detected_cpu_features().vpclmul256 && !portable_forced(); }

}  // namespace coswire::detail
