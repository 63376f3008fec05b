// SPDX-License-Identifier: MIT
#include <coswire/multipart/plan.hpp>

#include <doctest/doctest.h>

#include <random>

using coswire::mib;

namespace {
/// Every plan must satisfy COS's rules and cover the object exactly.
void check_plan(const coswire::part_plan& p, std::uint64_t preferred = 8 * mib) {
    REQUIRE(p.part_count >= 1);
    REQUIRE(p.part_count <= coswire::max_part_count);
    CHECK(p.part_size >= coswire::min_part_size);
    if (p.part_size != preferred) CHECK(p.part_size % mib == 0);  // grown sizes are aligned
    CHECK(p.part_size <= coswire::max_part_size);
    std::uint64_t next = 0;
    for (std::uint32_t n : {std::uint32_t{1}, p.part_count / 2 + 1, p.part_count}) {
        const auto part = p.part(n);
        CHECK(part.offset == std::uint64_t{n - 1} * p.part_size);
        if (n < p.part_count) CHECK(part.size >= coswire::min_part_size);
        CHECK(part.size <= coswire::max_part_size);
    }
    const auto last = p.part(p.part_count);
    next = last.offset + last.size;
    CHECK(next == p.object_size);
    if (p.object_size > 0) CHECK(last.size >= 1);
}
}  // namespace

TEST_CASE("plan_parts: the preferred size when it fits") {
    auto p = coswire::plan_parts(64 * mib);
    REQUIRE(p);
    CHECK(p->part_size == 8 * mib);
    CHECK(p->part_count == 8);
    CHECK(p->explanation.find("8 parts") != std::string::npos);
    check_plan(*p);
}

TEST_CASE("plan_parts: boundaries — empty, exactly 1 MiB, one byte over") {
    CHECK(coswire::plan_parts(0)->part_count == 1);
    CHECK(coswire::plan_parts(0)->part(1).size == 0);
    auto one = coswire::plan_parts(mib, mib);
    CHECK(one->part_count == 1);
    auto over = coswire::plan_parts(mib + 1, mib);
    CHECK(over->part_count == 2);
    CHECK(over->part(2).size == 1);
    check_plan(*over);
}

TEST_CASE("plan_parts: grows aligned part sizes up to the COS maximum object") {
    auto big = coswire::plan_parts(std::uint64_t{50} << 30);  // 50 GiB at 8 MiB would be 6400 parts: fits
    CHECK(big->part_size == 8 * mib);
    auto huge = coswire::plan_parts(std::uint64_t{1} << 40);  // 1 TiB
    REQUIRE(huge);
    CHECK(huge->part_count <= 10000);
    CHECK(huge->part_size == 105 * mib);
    CHECK(huge->explanation.find("more than 10000 parts") != std::string::npos);
    check_plan(*huge);
    auto max = coswire::plan_parts(coswire::max_object_size);
    REQUIRE(max);
    CHECK(max->part_size == coswire::max_part_size);
    CHECK(max->part_count == 10000);
    check_plan(*max);
    auto odd = coswire::plan_parts(std::uint64_t{1} << 40, 5000000);  // a caller's unaligned size grows aligned
    CHECK(odd->part_size == 105 * mib);
}

TEST_CASE("plan_parts: every random size up to the maximum gives a valid plan") {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 2000; ++i) {
        const std::uint64_t size = rng() % (coswire::max_object_size + 1) >> (rng() % 40);
        const std::uint64_t preferred = coswire::min_part_size + rng() % (64 * mib);
        auto p = coswire::plan_parts(size, preferred);
        REQUIRE(p);
        check_plan(*p, preferred);
    }
}

TEST_CASE("plan_parts: refuses sizes outside the limits, naming the argument") {
    CHECK(coswire::plan_parts(10, mib - 1).error().argument == "preferred_part_size");
    CHECK(coswire::plan_parts(10, coswire::max_part_size + 1).error().argument == "preferred_part_size");
    auto too_big = coswire::plan_parts(coswire::max_object_size + 1);
    CHECK(too_big.error().argument == "object_size");
    CHECK(too_big.error().code == coswire::errc::limit_exceeded);
}
