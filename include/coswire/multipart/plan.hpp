// SPDX-License-Identifier: MIT
// The pure part planner: how to cut an object into multipart-upload parts within COS's limits
// (docs/protocol/multipart.md#part-limits): parts 1..N contiguous, each but the last >= 1 MiB, <= 5 GiB, N <= 10000.
#pragma once

#include <coswire/api/limits.hpp>
#include <coswire/result.hpp>

#include <cstdint>
#include <string>

namespace coswire {

// The limits planned against (mib, min_part_size, max_part_size, max_part_count,
// max_object_size) live in api/limits.hpp with the rest of COS's numbers.

/// One part: its number (1-based), where it starts in the object and how long it is.
struct part_range {
    std::uint32_t number = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
};

/// The cut of an object into parts: every part has part_size bytes except the last, which has
/// the remainder (at least 1 byte, unless the object is empty and is one empty part).
struct part_plan {
    std::uint64_t object_size = 0;
    std::uint64_t part_size = 0;
    std::uint32_t part_count = 0;
    std::string explanation{};  ///< why this part size, for people

    /// Part `number` (1..part_count). Precondition: the number is in range.
    constexpr part_range part(std::uint32_t number) const noexcept {
        const std::uint64_t offset = std::uint64_t{number - 1} * part_size;
        const std::uint64_t size = number == part_count ? object_size - offset : part_size;
        return {number, offset, size};
    }
};

/// Plans the parts of an `object_size`-byte object. `preferred_part_size` (default 8 MiB) is
/// used when it keeps the count within 10000; otherwise the part size grows to the smallest
/// multiple of 1 MiB that fits, which keeps parts aligned for readers and caches.
/// Errors: invalid_argument "preferred_part_size" outside 1 MiB..5 GiB; limit_exceeded
/// "object_size" above 10000 × 5 GiB.
inline result<part_plan> plan_parts(std::uint64_t object_size, std::uint64_t preferred_part_size = 8 * mib) {
    if (preferred_part_size < min_part_size || preferred_part_size > max_part_size)
        return make_error(errc::invalid_argument, "preferred_part_size",
                          "must be between 1 MiB (1048576) and 5 GiB (5368709120) bytes");
    if (object_size > max_object_size)
        return make_error(errc::limit_exceeded, "object_size",
                          std::to_string(object_size) + " bytes exceed the multipart maximum of 10000 parts of 5 GiB");
    part_plan plan;
    plan.object_size = object_size;
    plan.part_size = preferred_part_size;
    const auto count_for = [object_size](std::uint64_t size) {
        return object_size == 0 ? std::uint64_t{1} : (object_size + size - 1) / size;
    };
    if (count_for(preferred_part_size) > max_part_count) {
        const std::uint64_t needed = (object_size + max_part_count - 1) / max_part_count;
        plan.part_size = (needed + mib - 1) / mib * mib;
        plan.explanation = "parts of " + std::to_string(plan.part_size / mib) + " MiB: the preferred " +
                           std::to_string(preferred_part_size) + " bytes would need more than 10000 parts; ";
    } else {
        plan.explanation = "parts of the preferred " + std::to_string(preferred_part_size) + " bytes; ";
    }
    plan.part_count = static_cast<std::uint32_t>(count_for(plan.part_size));
    plan.explanation += std::to_string(object_size) + " bytes in " + std::to_string(plan.part_count) +
                        (plan.part_count == 1 ? " part" : " parts") + ", the last of " +
                        std::to_string(plan.part(plan.part_count).size) + " bytes";
    return plan;
}

}  // namespace coswire
