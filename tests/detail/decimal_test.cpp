// SPDX-License-Identifier: MIT
#include <coswire/detail/decimal.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

using coswire::detail::decimal_fault;
using coswire::detail::parse_signed_decimal;
using coswire::detail::parse_unsigned_decimal;

namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();

constexpr decimal_fault unsigned_fault(std::string_view s, std::uint64_t max = u64_max) { return parse_unsigned_decimal(s, max).fault; }
constexpr decimal_fault signed_fault(std::string_view s) { return parse_signed_decimal(s).fault; }

}  // namespace

static_assert(parse_unsigned_decimal("0").value == 0);
static_assert(parse_unsigned_decimal("18446744073709551615").value == u64_max);
static_assert(parse_signed_decimal("-9223372036854775808").value == i64_min);

TEST_CASE("parse_unsigned_decimal: digits only, up to the maximum") {
    CHECK(parse_unsigned_decimal("0").value == 0);
    CHECK(parse_unsigned_decimal("42").value == 42);
    CHECK(parse_unsigned_decimal("007").value == 7);
    CHECK(parse_unsigned_decimal("18446744073709551615").value == u64_max);
    CHECK(parse_unsigned_decimal("000000000000000000000000018446744073709551615").value == u64_max);  // leading zeros never overflow
    CHECK(unsigned_fault("18446744073709551616") == decimal_fault::out_of_range);  // max + 1
    CHECK(unsigned_fault("99999999999999999999") == decimal_fault::out_of_range);
    CHECK(unsigned_fault("") == decimal_fault::empty);
    for (const char* bad : {"+1", "-1", "-0", " 1", "1 ", "1a", "0x10", "1.0", "1e3", "１"})
        CHECK_MESSAGE(unsigned_fault(bad) == decimal_fault::not_decimal, bad);
    CHECK(unsigned_fault("99999999999999999999x") == decimal_fault::not_decimal);  // junk beats overflow
    const auto failed = parse_unsigned_decimal("12x");
    CHECK_FALSE(failed);
    CHECK(failed.value == 0);
}

TEST_CASE("parse_unsigned_decimal: a caller's maximum is inclusive") {
    CHECK(parse_unsigned_decimal("65535", 65535).value == 65535);
    CHECK(unsigned_fault("65536", 65535) == decimal_fault::out_of_range);
    CHECK(parse_unsigned_decimal("0", 0));
    CHECK(unsigned_fault("1", 0) == decimal_fault::out_of_range);
}

TEST_CASE("parse_signed_decimal: an optional minus, the int64 range, no plus") {
    CHECK(parse_signed_decimal("9223372036854775807").value == i64_max);
    CHECK(parse_signed_decimal("-9223372036854775808").value == i64_min);
    CHECK(signed_fault("9223372036854775808") == decimal_fault::out_of_range);
    CHECK(signed_fault("-9223372036854775809") == decimal_fault::out_of_range);
    CHECK(parse_signed_decimal("-0"));
    CHECK(parse_signed_decimal("-0").value == 0);
    CHECK(parse_signed_decimal("-12").value == -12);
    CHECK(signed_fault("") == decimal_fault::empty);
    CHECK(signed_fault("-") == decimal_fault::empty);
    for (const char* bad : {"+1", "--1", "- 1", " -1", "-1 ", "1-"}) CHECK_MESSAGE(signed_fault(bad) == decimal_fault::not_decimal, bad);
}

TEST_CASE("parse_signed_decimal: bounds inside int64") {
    CHECK(parse_signed_decimal("0", 0, 10));
    CHECK(parse_signed_decimal("10", 0, 10).value == 10);
    CHECK(parse_signed_decimal("11", 0, 10).fault == decimal_fault::out_of_range);
    CHECK(parse_signed_decimal("-1", 0, 10).fault == decimal_fault::out_of_range);
    CHECK(parse_signed_decimal("-5", -5, -1).value == -5);
    CHECK(parse_signed_decimal("-6", -5, -1).fault == decimal_fault::out_of_range);
    CHECK(parse_signed_decimal("0", -5, -1).fault == decimal_fault::out_of_range);
    CHECK(parse_signed_decimal("3", 5, 9).fault == decimal_fault::out_of_range);
}

TEST_CASE("decimal parsers agree with std::to_string on random values") {
    std::mt19937_64 rng(17);
    for (int i = 0; i < 20000; ++i) {
        const std::uint64_t u = rng() >> (rng() % 64);
        CHECK(parse_unsigned_decimal(std::to_string(u)).value == u);
        const auto s = static_cast<std::int64_t>(rng());
        CHECK(parse_signed_decimal(std::to_string(s)).value == s);
    }
}
