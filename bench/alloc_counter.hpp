// SPDX-License-Identifier: MIT
// The bench's heap-allocation counter: every operator new and malloc-family call made in the
// process (coswire, libstdc++, OpenSSL, pugixml alike) is counted (issue 5, "allocs" lines).
#pragma once

#include <cstdint>

namespace bench {

/// Allocations made since the process started. Single-threaded use only: the counter is
/// bumped without a read-modify-write instruction so it costs the measured code nothing.
std::uint64_t allocation_count() noexcept;

/// Starts measuring heap bytes in use (as malloc_usable_size reports them) from zero; while on,
/// the highest level reached is kept. Blocks freed that were allocated before the start lower
/// the level, so the peak is never overstated. Single-threaded use only.
void start_peak_tracking() noexcept;
/// Stops tracking and returns the highest number of bytes in use since start_peak_tracking().
std::int64_t stop_peak_tracking() noexcept;

}  // namespace bench
