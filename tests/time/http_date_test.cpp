// SPDX-License-Identifier: MIT
#include <coswire/time/http_date.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

using coswire::errc;
using coswire::format_http_date;
using coswire::http_date_max_seconds;
using coswire::http_date_min_seconds;
using coswire::http_date_text;
using coswire::parse_http_date;
using coswire::parse_iso8601;

namespace {

constexpr std::string_view view(const http_date_text& text) { return {text.data(), text.size()}; }

static_assert(view(format_http_date(1557989151)) == "Thu, 16 May 2019 06:45:51 GMT");
static_assert(view(format_http_date(0)) == "Thu, 01 Jan 1970 00:00:00 GMT");
static_assert(view(format_http_date(-1)) == "Wed, 31 Dec 1969 23:59:59 GMT");
static_assert(view(format_http_date(http_date_min_seconds)) == "Mon, 01 Jan 0001 00:00:00 GMT");
static_assert(view(format_http_date(http_date_max_seconds)) == "Fri, 31 Dec 9999 23:59:59 GMT");
static_assert(coswire::detail::days_from_civil(1970, 1, 1) == 0);
static_assert(coswire::detail::days_from_civil(1, 1, 1) * 86400 == http_date_min_seconds);
static_assert(coswire::detail::parse_http_date_fields("Thu, 16 May 2019 06:55:53 GMT").seconds == 1557989753);
static_assert(coswire::detail::parse_iso8601_fields("2020-03-25T10:07:14.000Z").seconds == 1585130834);

/// Checks that parse_http_date refuses `text`, naming the offset and what was wrong.
void check_http_date_refused(std::string_view text, std::size_t offset, std::string_view problem) {
    CAPTURE(text);
    auto parsed = parse_http_date(text);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == errc::invalid_argument);
    CHECK(parsed.error().argument == "http_date");
    CHECK(parsed.error().size == offset);
    CHECK(parsed.error().reason == std::string(problem) + " at offset " + std::to_string(offset));
}

void check_timestamp_refused(std::string_view text, std::size_t offset, std::string_view problem) {
    CAPTURE(text);
    auto parsed = parse_iso8601(text);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == errc::invalid_argument);
    CHECK(parsed.error().argument == "timestamp");
    CHECK(parsed.error().size == offset);
    CHECK(parsed.error().reason == std::string(problem) + " at offset " + std::to_string(offset));
}

struct date_vector {
    std::string_view text;
    std::int64_t seconds;
};

}  // namespace

TEST_CASE("format_http_date and parse_http_date: agree with the COS and calendar vectors") {
    for (const auto& v : {
             date_vector{"Thu, 16 May 2019 06:45:51 GMT", 1557989151},  // the documented PUT example
             date_vector{"Thu, 16 May 2019 06:55:53 GMT", 1557989753},  // the documented GET example
             date_vector{"Thu, 01 Jan 1970 00:00:00 GMT", 0},
             date_vector{"Thu, 29 Feb 2024 12:00:00 GMT", 1709208000},
             date_vector{"Tue, 29 Feb 2000 00:00:00 GMT", 951782400},
             date_vector{"Tue, 29 Feb 1600 00:00:00 GMT", -11670998400},
             date_vector{"Thu, 01 Mar 1900 00:00:00 GMT", -2203891200},
             date_vector{"Sun, 20 Jul 1969 20:17:40 GMT", -14182940},
             date_vector{"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},  // RFC 9110 section 5.6.7
             date_vector{"Mon, 01 Jan 0001 00:00:00 GMT", http_date_min_seconds},
             date_vector{"Fri, 31 Dec 9999 23:59:59 GMT", http_date_max_seconds},
         }) {
        CAPTURE(v.text);
        CHECK(view(format_http_date(v.seconds)) == v.text);
        auto parsed = parse_http_date(v.text);
        REQUIRE(parsed.has_value());
        CHECK(*parsed == v.seconds);
    }
}

TEST_CASE("parse_http_date: accepts the obsolete RFC 850 and asctime forms") {
    for (const auto& v : {
             date_vector{"Sunday, 06-Nov-94 08:49:37 GMT", 784111777},
             date_vector{"Sun Nov  6 08:49:37 1994", 784111777},
             date_vector{"Sun Nov 6 08:49:37 1994", 784111777},
             date_vector{"Sun Nov 06 08:49:37 1994", 784111777},
             date_vector{"Thu Jan 19 16:19:22 2017", 1484842762},  // an old example's Date (docs/protocol/headers.md#dates)
             date_vector{"Tue Jan 17 16:43:37 2017", 1484671417},  // an old XML example (docs/protocol/xml.md#timestamps)
             date_vector{"Thursday, 01-Jan-70 00:00:00 GMT", 0},
             date_vector{"Tuesday, 31-Dec-69 23:59:59 GMT", 3155759999},  // 00-69 are 2000-2069
             date_vector{"Wednesday, 25-Mar-20 10:07:14 GMT", 1585130834},
         }) {
        CAPTURE(v.text);
        auto parsed = parse_http_date(v.text);
        REQUIRE(parsed.has_value());
        CHECK(*parsed == v.seconds);
    }
}

TEST_CASE("parse_http_date: takes the leap second 23:59:60 as the next midnight") {
    CHECK(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT").value() == 1483228800);
    check_http_date_refused("Sat, 31 Dec 2016 12:00:60 GMT", 23,
                            "second must be 00-59 (60 only as the leap second 23:59:60)");
    check_http_date_refused("Sat, 31 Dec 2016 23:59:61 GMT", 23,
                            "second must be 00-59 (60 only as the leap second 23:59:60)");
}

TEST_CASE("parse_http_date: refuses bad names, ranges, zones and trailing text, naming the offset") {
    check_http_date_refused("", 0, "expected a day name (Monday-Sunday, or Mon-Sun)");
    check_http_date_refused("Thx, 16 May 2019 06:45:51 GMT", 0, "expected a day name (Mon-Sun)");
    check_http_date_refused("thu, 16 May 2019 06:45:51 GMT", 0, "expected a day name (Mon-Sun)");
    check_http_date_refused("Thu,16 May 2019 06:45:51 GMT", 3, "expected ', ' after the day name");
    check_http_date_refused("Thu, 6 May 2019 06:45:51 GMT", 6, "expected a two-digit day of month");
    check_http_date_refused("Thu, 16 Mai 2019 06:45:51 GMT", 8, "expected a month name (Jan-Dec)");
    check_http_date_refused("Thu, 16 may 2019 06:45:51 GMT", 8, "expected a month name (Jan-Dec)");
    check_http_date_refused("Thu, 16 May 19 06:45:51 GMT", 14, "expected a four-digit year");
    check_http_date_refused("Sat, 01 Jan 0000 00:00:00 GMT", 12, "year 0000 is outside 0001-9999");
    check_http_date_refused("Thu, 31 Feb 2019 06:45:51 GMT", 5, "day of month does not exist in that month");
    check_http_date_refused("Fri, 29 Feb 2019 00:00:00 GMT", 5, "day of month does not exist in that month");
    check_http_date_refused("Thu, 29 Feb 1900 00:00:00 GMT", 5, "day of month does not exist in that month");
    check_http_date_refused("Thu, 00 May 2019 06:45:51 GMT", 5, "day of month does not exist in that month");
    check_http_date_refused("Thu, 31 Apr 2019 06:45:51 GMT", 5, "day of month does not exist in that month");
    check_http_date_refused("Thu, 16 May 2019 24:00:00 GMT", 17, "hour must be 00-23");
    check_http_date_refused("Thu, 16 May 2019 06:60:51 GMT", 20, "minute must be 00-59");
    check_http_date_refused("Thu, 16 May 2019 06.45:51 GMT", 19, "expected ':' after the hour");
    check_http_date_refused("Thu, 16 May 2019 06:45:51 UTC", 25, "expected ' GMT', the only zone an HTTP date uses");
    check_http_date_refused("Thu, 16 May 2019 06:45:51 gmt", 25, "expected ' GMT', the only zone an HTTP date uses");
    check_http_date_refused("Thu, 16 May 2019 06:45:51", 25, "expected ' GMT', the only zone an HTTP date uses");
    check_http_date_refused("Thu, 16 May 2019 06:45:51 GM", 25, "expected ' GMT', the only zone an HTTP date uses");
    check_http_date_refused("Thu, 16 May 2019 06:45:51 GMT ", 29, "unexpected text after the date");
    check_http_date_refused("Thu, 16 May 2019 06:45:51 GMTx", 29, "unexpected text after the date");
    check_http_date_refused(" Thu, 16 May 2019 06:45:51 GMT", 0, "expected a day name (Monday-Sunday, or Mon-Sun)");
    check_http_date_refused("Sunday, 06-Nov-94 08:49:37 UTC", 26, "expected ' GMT', the only zone an HTTP date uses");
    check_http_date_refused("Sunday, 06-Nov-1994 08:49:37 GMT", 17, "expected ' ' after the year");
    check_http_date_refused("Sun Nov  6 08:49:37 94", 22, "expected a four-digit year");
    check_http_date_refused("Sun Nov  16 08:49:37 1994", 10, "expected ' ' after the day");
    check_http_date_refused("Sun Nov 6 08:49:37 1994 GMT", 23, "unexpected text after the date");
}

TEST_CASE("parse_http_date: refuses a day name that does not match the date") {
    check_http_date_refused("Fri, 16 May 2019 06:45:51 GMT", 0, "day name does not match the date");
    check_http_date_refused("Monday, 06-Nov-94 08:49:37 GMT", 0, "day name does not match the date");
    check_http_date_refused("Mon Nov  6 08:49:37 1994", 0, "day name does not match the date");
}

TEST_CASE("parse_http_date: reads back format_http_date for random times, weekday included") {
    std::mt19937_64 rng(0xC05'0004);
    std::uniform_int_distribution<std::int64_t> after_epoch(0, 253402300799);
    std::uniform_int_distribution<std::int64_t> any_year(http_date_min_seconds, http_date_max_seconds);
    for (int i = 0; i < 20000; ++i) {
        const std::int64_t seconds = (i % 2 == 0) ? after_epoch(rng) : any_year(rng);
        const http_date_text text = format_http_date(seconds);
        CAPTURE(view(text));
        auto parsed = parse_http_date(view(text));
        REQUIRE(parsed.has_value());
        CHECK(*parsed == seconds);
    }
}

TEST_CASE("days_from_civil and civil_from_days: walk every day of 0001-9999 in order") {
    using coswire::detail::civil_from_days;
    using coswire::detail::days_from_civil;
    using coswire::detail::days_in_month;
    std::int64_t year = 1;
    unsigned month = 1, day = 1;
    const std::int64_t first = days_from_civil(1, 1, 1);
    const std::int64_t last = days_from_civil(9999, 12, 31);
    int mismatches = 0;
    for (std::int64_t days = first; days <= last; ++days) {
        const auto date = civil_from_days(days);
        if (date.year != year || date.month != month || date.day != day ||
            days_from_civil(static_cast<int>(year), month, day) != days)
            ++mismatches;
        if (++day > days_in_month(year, month)) {
            day = 1;
            if (++month > 12) {
                month = 1;
                ++year;
            }
        }
    }
    CHECK(mismatches == 0);
    CHECK(year == 10000);
    CHECK(coswire::detail::weekday_from_days(first) == 1);  // 0001-01-01 was a Monday (proleptic)
}

TEST_CASE("parse_iso8601: reads COS XML timestamps with or without fraction and 'Z'") {
    for (const auto& v : {
             date_vector{"2020-03-25T10:07:14.000Z", 1585130834},
             date_vector{"2020-03-25T10:07:14Z", 1585130834},
             date_vector{"2020-03-25T10:07:14", 1585130834},
             date_vector{"2020-03-25T10:07:14.999", 1585130834},  // fraction dropped
             date_vector{"2020-03-25T10:07:14.5Z", 1585130834},
             date_vector{"1970-01-01T00:00:00.000Z", 0},
             date_vector{"1969-12-31T23:59:59Z", -1},
             date_vector{"2024-02-29T12:00:00Z", 1709208000},
             date_vector{"2016-12-31T23:59:60Z", 1483228800},
         }) {
        CAPTURE(v.text);
        auto parsed = parse_iso8601(v.text);
        REQUIRE(parsed.has_value());
        CHECK(*parsed == v.seconds);
    }
}

TEST_CASE("parse_iso8601: refuses garbage, bad ranges and other zones, naming the offset") {
    check_timestamp_refused("", 0, "expected a four-digit year");
    check_timestamp_refused("garbage", 0, "expected a four-digit year");
    check_timestamp_refused("2020-3-25T10:07:14Z", 6, "expected a two-digit month");
    check_timestamp_refused("2020-13-01T00:00:00Z", 5, "month must be 01-12");
    check_timestamp_refused("2020-00-01T00:00:00Z", 5, "month must be 01-12");
    check_timestamp_refused("2019-02-29T00:00:00Z", 8, "day of month does not exist in that month");
    check_timestamp_refused("2020-03-25 10:07:14Z", 10, "expected 'T' between the date and the time");
    check_timestamp_refused("2020-03-25T24:00:00Z", 11, "hour must be 00-23");
    check_timestamp_refused("2020-03-25T10:07:14.Z", 20, "expected a digit after '.'");
    check_timestamp_refused("2020-03-25T10:07:14+08:00", 19, "unexpected text after the date");
    check_timestamp_refused("2020-03-25T10:07:14ZZ", 20, "unexpected text after the date");
    check_timestamp_refused("2020-03-25T10:07:14.000Z\n", 24, "unexpected text after the date");
    check_timestamp_refused("0000-01-01T00:00:00Z", 0, "year 0000 is outside 0001-9999");
}

TEST_CASE("parse_iso8601: reads back random times written in ISO 8601") {
    std::mt19937_64 rng(0xC05'0005);
    std::uniform_int_distribution<std::int64_t> any_year(http_date_min_seconds, http_date_max_seconds);
    for (int i = 0; i < 5000; ++i) {
        const std::int64_t seconds = any_year(rng);
        const std::int64_t r = seconds % 86400;
        const std::int64_t second_of_day = r < 0 ? r + 86400 : r;
        const auto date = coswire::detail::civil_from_days((seconds - second_of_day) / 86400);
        std::array<char, 24> text{};
        char* p = coswire::detail::write_digits(text.data(), date.year, 4);
        *p++ = '-';
        p = coswire::detail::write_digits(p, date.month, 2);
        *p++ = '-';
        p = coswire::detail::write_digits(p, date.day, 2);
        *p++ = 'T';
        p = coswire::detail::write_digits(p, second_of_day / 3600, 2);
        *p++ = ':';
        p = coswire::detail::write_digits(p, second_of_day / 60 % 60, 2);
        *p++ = ':';
        p = coswire::detail::write_digits(p, second_of_day % 60, 2);
        p = coswire::detail::write_text(p, ".123Z");
        const std::string_view iso(text.data(), static_cast<std::size_t>(p - text.data()));
        CAPTURE(iso);
        auto parsed = parse_iso8601(iso);
        REQUIRE(parsed.has_value());
        CHECK(*parsed == seconds);
    }
}

TEST_CASE("http_date: the leap second at the very end of 9999 is refused (found by fuzzing)") {
    // Both parsers used to return 253402300800, which format_http_date cannot print.
    CHECK(coswire::parse_http_date("Fri, 31 Dec 9999 23:59:60 GMT").error().argument == "http_date");
    CHECK(coswire::parse_iso8601("9999-12-31T23:59:60Z").error().argument == "timestamp");
    CHECK(coswire::parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT").value() == 253402300799);
}
