// SPDX-License-Identifier: MIT
// The bench's heap-allocation counter: every operator new and malloc-family call made in the
// process (coswire, libstdc++, OpenSSL, pugixml alike) is counted (issue 5, "allocs" lines).
#pragma once

#include <cstdint>

namespace bench {

/// Allocations made since the process started. Single-threaded use only: the counter is
/// bumped without a read-modify-write instruction so it costs the measured code nothing.
std::uint64_t allocation_count() noexcept;

}  // namespace bench
