// SPDX-License-Identifier: MIT
// libFuzzer target: the part planner on any object size and preferred part size; a plan must
// cover the object exactly within COS's limits (docs/protocol/multipart.md#part-limits), a refusal must
// be due.
#include <coswire/multipart/plan.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

std::uint64_t read_u64(const std::uint8_t* data, std::size_t size, std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8 && at + i < size; ++i) v |= std::uint64_t{data[at + i]} << (8 * i);
    return v;
}

void require(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Byte 16, when present, narrows the sizes to the interesting ranges: objects up to the
    // multipart maximum and part sizes around the limits.
    std::uint64_t object_size = read_u64(data, size, 0);
    std::uint64_t preferred = read_u64(data, size, 8);
    if (size > 16 && (data[16] & 1u)) object_size %= coswire::max_object_size + 2;
    if (size > 16 && (data[16] & 2u)) preferred %= coswire::max_part_size + 2;

    auto plan = coswire::plan_parts(object_size, preferred);
    const bool valid = preferred >= coswire::min_part_size && preferred <= coswire::max_part_size &&
                       object_size <= coswire::max_object_size;
    require(valid == plan.has_value());
    if (!plan) return 0;

    const coswire::part_plan& p = *plan;
    require(p.object_size == object_size);
    require(p.part_count >= 1 && p.part_count <= coswire::max_part_count);
    require(p.part_size >= coswire::min_part_size && p.part_size <= coswire::max_part_size);
    require(p.part_size == preferred || (p.part_size > preferred && p.part_size % coswire::mib == 0));
    require(!p.explanation.empty());
    // Contiguous parts from 0 that end exactly at the object's end; only the last may be short,
    // and it is empty only for an empty object.
    const coswire::part_range first = p.part(1);
    const coswire::part_range last = p.part(p.part_count);
    require(first.number == 1 && first.offset == 0);
    require(last.number == p.part_count);
    require(last.offset == std::uint64_t{p.part_count - 1} * p.part_size);
    require(last.offset + last.size == object_size);
    require(last.size <= p.part_size);
    require(last.size >= 1 || object_size == 0);
    require(p.part_count == 1 || p.part(p.part_count - 1).size == p.part_size);
    // Minimal: one part fewer would not hold the object.
    require(std::uint64_t{p.part_count - 1} * p.part_size < object_size || p.part_count == 1);
    return 0;
}
