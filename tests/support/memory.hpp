// SPDX-License-Identifier: MIT
// Test support: the process's peak resident memory, for tests that prove a body of 100 MiB
// crosses a component without a copy of its size, and whether such a bound means anything in
// this build (under AddressSanitizer freed blocks wait in a quarantine of up to 256 MiB, so
// resident memory there says nothing about what the code holds).
#pragma once

#include <sys/resource.h>

namespace test_support {

/// Peak resident memory of this process so far, in KiB.
inline long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool rss_bounds_hold = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool rss_bounds_hold = false;
#else
inline constexpr bool rss_bounds_hold = true;
#endif
#else
inline constexpr bool rss_bounds_hold = true;
#endif

}  // namespace test_support
