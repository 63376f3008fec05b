// SPDX-License-Identifier: MIT
#include <coswire/time/key_time.hpp>

#include <doctest/doctest.h>

#include <cstdint>

using coswire::key_time;

static_assert(coswire::key_time_text(key_time{1557989151, 1557996351}).view() == "1557989151;1557996351");
static_assert(coswire::key_time_text(key_time{0, 0}).view() == "0;0");

TEST_CASE("key_time: starting_at takes now from the caller and may start in the past") {
    CHECK(key_time::starting_at(1000, 900).value() == key_time{1000, 1900});
    CHECK(key_time::starting_at(1000, 900, 60).value() == key_time{940, 1900});
    CHECK(key_time::starting_at(-1, 10).error().argument == "now");
    CHECK(key_time::starting_at(10, -1).error().argument == "lifetime_seconds");
    CHECK(key_time::starting_at(10, 1, 11).error().argument == "backdate_seconds");
    CHECK(key_time::starting_at(INT64_MAX - 5, 10).error().argument == "lifetime_seconds");
}

TEST_CASE("key_time: validate refuses negative or inverted windows") {
    CHECK(coswire::validate_key_time(key_time{5, 5}).has_value());
    CHECK(coswire::validate_key_time(key_time{6, 5}).error().reason == "start is after end");
    CHECK(coswire::validate_key_time(key_time{-1, 5}).error().argument == "key_time");
}

TEST_CASE("key_time_text: the largest times print in full") {
    const key_time t{INT64_MAX, INT64_MAX};
    CHECK(coswire::key_time_text(t).view() == "9223372036854775807;9223372036854775807");
}
