// SPDX-License-Identifier: MIT
#include <coswire/api/limits.hpp>

#include <doctest/doctest.h>

#include <cstdint>

// The numbers of docs/protocol/multipart.md#part-limits, headers.md#traffic-limit and objects.md#get-bucket.
static_assert(coswire::mib == 1048576);
static_assert(coswire::min_part_size == 1048576);
static_assert(coswire::max_part_size == 5368709120);
static_assert(coswire::max_part_number == 10000);
static_assert(coswire::max_part_count == coswire::max_part_number);
static_assert(coswire::max_object_size == std::uint64_t{10000} * 5368709120);
static_assert(coswire::max_put_object_size == coswire::max_part_size);
static_assert(coswire::min_traffic_limit == 819200 && coswire::max_traffic_limit == 838860800);
static_assert(coswire::max_traffic_limit == 1024 * coswire::min_traffic_limit);
static_assert(coswire::max_list_objects_keys == 1000);
static_assert(coswire::max_list_parts_page == 1000);
static_assert(coswire::max_list_uploads_page == 1000);

TEST_CASE("limits: the multipart maximum is the object-overview page's 48.82 TB") {
    // 10000 × 5 GiB in units of 10^12 bytes, as the page rounds it (docs/protocol/multipart.md#part-limits).
    CHECK(coswire::max_object_size / 10'000'000'000 == 5368);
}
