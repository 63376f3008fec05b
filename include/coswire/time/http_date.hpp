// SPDX-License-Identifier: MIT
// HTTP dates (RFC 9110 section 5.6.7) and COS XML ISO 8601 timestamps as Unix seconds, with the civil
// calendar done by hand: no <ctime>, no clock, no locale (docs/protocol/headers.md#dates,
// docs/protocol/xml.md#timestamps).
#pragma once

#include <coswire/config.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace coswire {

/// An IMF-fixdate, exactly 29 characters and no terminator: "Thu, 16 May 2019 06:45:51 GMT".
using http_date_text = std::array<char, 29>;

/// The first instant format_http_date can write: 0001-01-01T00:00:00Z.
inline constexpr std::int64_t http_date_min_seconds = -62135596800;
/// The last instant format_http_date can write: 9999-12-31T23:59:59Z.
inline constexpr std::int64_t http_date_max_seconds = 253402300799;

namespace detail {

inline constexpr std::array<std::string_view, 7> short_day_names{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
inline constexpr std::array<std::string_view, 7> long_day_names{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                                "Thursday", "Friday", "Saturday"};
inline constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr bool is_leap_year(std::int64_t y) noexcept { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

/// Days in month `m` (1-12) of year `y`, proleptic Gregorian.
constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
    constexpr std::array<unsigned, 12> lengths{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap_year(y) ? 29 : lengths[m - 1];
}

// The calendar arithmetic below counts years from 1 March, so that the leap day is the last day of
// its year and month lengths from March on follow the repeating 31,30,31,30,31 pattern, and
// groups years into 400-year eras, each exactly 146097 days long. Day 0 of era 0 is 0000-03-01,
// which is 719468 days before 1970-01-01.
inline constexpr std::int64_t days_per_era = 146097;
inline constexpr std::int64_t epoch_offset_days = 719468;

/// Days from 1970-01-01 to y-m-d (proleptic Gregorian; negative before 1970). Precondition:
/// 1 <= m <= 12, 1 <= d <= days_in_month(y, m).
constexpr std::int64_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
    const std::int64_t year = std::int64_t{y} - (m <= 2 ? 1 : 0);  // January and February end the previous year
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;  // floor division
    const std::int64_t year_of_era = year - era * 400;               // [0, 399]
    const std::int64_t month_from_march = m > 2 ? std::int64_t{m} - 3 : std::int64_t{m} + 9;  // [0, 11]
    // (153 * month + 2) / 5 is the number of days before that month, counted from March.
    const std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + std::int64_t{d} - 1;
    const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * days_per_era + day_of_era - epoch_offset_days;
}

/// A proleptic Gregorian date.
struct civil_date {
    std::int64_t year;
    unsigned month;  ///< 1-12
    unsigned day;    ///< 1-31
};

/// The inverse of days_from_civil.
constexpr civil_date civil_from_days(std::int64_t days) noexcept {
    const std::int64_t z = days + epoch_offset_days;
    const std::int64_t era = (z >= 0 ? z : z - (days_per_era - 1)) / days_per_era;
    const std::int64_t day_of_era = z - era * days_per_era;  // [0, 146096]
    // Undo the leap-day corrections (every 4th year, not every 100th, every 400th) to get the year.
    const std::int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / (days_per_era - 1)) / 365;
    const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;
    const auto day = static_cast<unsigned>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    const auto month = static_cast<unsigned>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

/// Day of the week of a day count from 1970-01-01 (a Thursday): 0 = Sunday ... 6 = Saturday.
constexpr unsigned weekday_from_days(std::int64_t days) noexcept {
    const std::int64_t r = (days + 4) % 7;
    return static_cast<unsigned>(r < 0 ? r + 7 : r);
}

/// Writes `value` as exactly `width` decimal digits at `out`.
constexpr char* write_digits(char* out, std::int64_t value, int width) noexcept {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return out + width;
}

constexpr char* write_text(char* out, std::string_view text) noexcept { return copy_chars(text.data(), text.size(), out); }

/// A date parse without allocation: the Unix seconds, or the first problem and where it is.
struct time_parse_outcome {
    std::int64_t seconds = 0;
    std::size_t offset = 0;
    std::string_view problem;  ///< empty on success
};

/// The fields a date text names; day_offset is kept so a day that does not exist in its month
/// (checked once month and year are known) is reported where it was written.
struct civil_time {
    int year = 1;
    unsigned month = 1, day = 1, hour = 0, minute = 0, second = 0;
    std::size_t day_offset = 0;
};

/// A cursor over a date text that remembers the first failure.
class time_scanner {
public:
    constexpr explicit time_scanner(std::string_view text) noexcept : text_(text) {}

    constexpr std::size_t pos() const noexcept { return pos_; }

    /// Records a failure (the first one wins) and returns false, so callers can `return fail(...)`.
    constexpr bool fail(std::size_t at, std::string_view problem) noexcept {
        if (problem_.empty()) {
            offset_ = at;
            problem_ = problem;
        }
        return false;
    }

    /// Consumes `c` if it is next; says whether it did.
    constexpr bool skip(char c) noexcept {
        if (pos_ == text_.size() || text_[pos_] != c) return false;
        ++pos_;
        return true;
    }

    /// Consumes every decimal digit that is next; returns how many.
    constexpr std::size_t skip_digits() noexcept {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
        return pos_ - start;
    }

    /// Consumes `lit` exactly (case-sensitive, as RFC 9110 spells day names, months and "GMT"),
    /// compared a byte at a time: the literals are one to four characters, too short for the
    /// memcmp call of string_view's == to pay.
    constexpr bool literal(std::string_view lit, std::string_view problem) noexcept {
        if (text_.size() - pos_ < lit.size()) return fail(pos_, problem);
        for (std::size_t i = 0; i < lit.size(); ++i)
            if (text_[pos_ + i] != lit[i]) return fail(pos_, problem);
        pos_ += lit.size();
        return true;
    }

    /// Consumes between min_count and max_count decimal digits (as many as present); max_count is
    /// at most 9, so the value always fits in `unsigned`.
    constexpr bool digits(std::size_t min_count, std::size_t max_count, unsigned& value,
                          std::string_view problem) noexcept {
        unsigned v = 0;
        std::size_t n = 0;
        while (n < max_count && pos_ + n < text_.size() && is_digit(text_[pos_ + n])) {
            v = v * 10 + static_cast<unsigned>(text_[pos_ + n] - '0');
            ++n;
        }
        if (n < min_count) return fail(pos_ + n, problem);
        pos_ += n;
        value = v;
        return true;
    }

    /// Consumes one of `names`; `index` is its position in the table.
    template <std::size_t N>
    constexpr bool name(const std::array<std::string_view, N>& names, unsigned& index,
                        std::string_view problem) noexcept {
        for (std::size_t i = 0; i < N; ++i) {
            if (text_.substr(pos_, names[i].size()) == names[i]) {
                index = static_cast<unsigned>(i);
                pos_ += names[i].size();
                return true;
            }
        }
        return fail(pos_, problem);
    }

    constexpr bool at_end() noexcept { return pos_ == text_.size() || fail(pos_, "unexpected text after the date"); }

    constexpr time_parse_outcome outcome(std::int64_t seconds) const noexcept {
        if (problem_.empty()) return {seconds, 0, {}};
        return {0, offset_, problem_};
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t offset_ = 0;
    std::string_view problem_;
};

constexpr bool scan_month_name(time_scanner& sc, civil_time& t) noexcept {
    unsigned index = 0;
    if (!sc.name(month_names, index, "expected a month name (Jan-Dec)")) return false;
    t.month = index + 1;
    return true;
}

constexpr bool scan_year4(time_scanner& sc, civil_time& t) noexcept {
    const std::size_t at = sc.pos();
    unsigned year = 0;
    if (!sc.digits(4, 4, year, "expected a four-digit year")) return false;
    if (year == 0) return sc.fail(at, "year 0000 is outside 0001-9999");
    t.year = static_cast<int>(year);
    return true;
}

constexpr bool scan_day2(time_scanner& sc, civil_time& t) noexcept {
    t.day_offset = sc.pos();
    return sc.digits(2, 2, t.day, "expected a two-digit day of month");
}

/// "HH:MM:SS" with hour 00-23 and minute 00-59. Second 60 is a leap second (RFC 5322 and ISO
/// 8601 allow it) and is accepted only as 23:59:60, the one place a UTC leap second can occur;
/// as in POSIX time it counts as the following midnight.
constexpr bool scan_clock(time_scanner& sc, civil_time& t) noexcept {
    const std::size_t hour_at = sc.pos();
    if (!sc.digits(2, 2, t.hour, "expected a two-digit hour")) return false;
    if (t.hour > 23) return sc.fail(hour_at, "hour must be 00-23");
    if (!sc.literal(":", "expected ':' after the hour")) return false;
    const std::size_t minute_at = sc.pos();
    if (!sc.digits(2, 2, t.minute, "expected a two-digit minute")) return false;
    if (t.minute > 59) return sc.fail(minute_at, "minute must be 00-59");
    if (!sc.literal(":", "expected ':' after the minute")) return false;
    const std::size_t second_at = sc.pos();
    if (!sc.digits(2, 2, t.second, "expected a two-digit second")) return false;
    if (t.second > 60 || (t.second == 60 && (t.hour != 23 || t.minute != 59)))
        return sc.fail(second_at, "second must be 00-59 (60 only as the leap second 23:59:60)");
    return true;
}

/// Checks the day against its month and year, and, when the text named one, the weekday
/// (offset 0): a day name that contradicts the date means the value was corrupted or built by
/// hand, and neither date can be trusted. Gives the Unix seconds or the first problem.
constexpr time_parse_outcome finish_civil_time(time_scanner& sc, const civil_time& t, int weekday) noexcept {
    if (t.day == 0 || t.day > days_in_month(t.year, t.month)) {
        sc.fail(t.day_offset, "day of month does not exist in that month");
        return sc.outcome(0);
    }
    const std::int64_t days = days_from_civil(t.year, t.month, t.day);
    if (weekday >= 0 && weekday_from_days(days) != static_cast<unsigned>(weekday))
        sc.fail(0, "day name does not match the date");
    const std::int64_t seconds = days * 86400 + std::int64_t{t.hour} * 3600 + std::int64_t{t.minute} * 60 + t.second;
    // The leap second of 9999-12-31 would be the first instant of year 10000, which no date
    // text (and so no format_http_date) can represent.
    if (seconds > http_date_max_seconds) sc.fail(t.day_offset, "the leap second at the end of 9999 is beyond the last representable time");
    return sc.outcome(seconds);
}

/// RFC 9110 section 5.6.7 HTTP-date, the three forms, told apart by the day name: three letters then
/// ',' is IMF-fixdate, three letters then ' ' is asctime, anything else must be RFC 850.
constexpr time_parse_outcome parse_http_date_fields(std::string_view text) noexcept {
    time_scanner sc(text);
    civil_time t;
    unsigned weekday = 0;
    std::size_t name_length = 0;
    while (name_length < text.size() && is_alpha(text[name_length])) ++name_length;
    bool ok = false;
    if (name_length == 3 && text.size() > 3 && text[3] == ',') {
        // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        ok = sc.name(short_day_names, weekday, "expected a day name (Mon-Sun)") &&
             sc.literal(", ", "expected ', ' after the day name") && scan_day2(sc, t) &&
             sc.literal(" ", "expected ' ' after the day") && scan_month_name(sc, t) &&
             sc.literal(" ", "expected ' ' after the month") && scan_year4(sc, t) &&
             sc.literal(" ", "expected ' ' after the year") && scan_clock(sc, t) &&
             sc.literal(" GMT", "expected ' GMT', the only zone an HTTP date uses") && sc.at_end();
    } else if (name_length == 3) {
        // asctime: "Sun Nov  6 08:49:37 1994"; COS also sends an unpadded day (docs/protocol/headers.md#dates).
        ok = sc.name(short_day_names, weekday, "expected a day name (Mon-Sun)") &&
             sc.literal(" ", "expected ' ' after the day name") && scan_month_name(sc, t) &&
             sc.literal(" ", "expected ' ' after the month");
        if (ok) {
            const bool padded = sc.skip(' ');
            t.day_offset = sc.pos();
            ok = sc.digits(1, padded ? 1 : 2, t.day, "expected a day of month") &&
                 sc.literal(" ", "expected ' ' after the day") && scan_clock(sc, t) &&
                 sc.literal(" ", "expected ' ' after the time") && scan_year4(sc, t) && sc.at_end();
        }
    } else {
        // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT". The two-digit year cannot use RFC 9110's
        // "not more than 50 years ahead" window without a clock, so it takes the POSIX %y
        // pivot instead: 70-99 are 1970-1999, 00-69 are 2000-2069.
        unsigned two_digit_year = 0;
        ok = sc.name(long_day_names, weekday, "expected a day name (Monday-Sunday, or Mon-Sun)") &&
             sc.literal(", ", "expected ', ' after the day name") && scan_day2(sc, t) &&
             sc.literal("-", "expected '-' after the day") && scan_month_name(sc, t) &&
             sc.literal("-", "expected '-' after the month") &&
             sc.digits(2, 2, two_digit_year, "expected a two-digit year") &&
             sc.literal(" ", "expected ' ' after the year") && scan_clock(sc, t) &&
             sc.literal(" GMT", "expected ' GMT', the only zone an HTTP date uses") && sc.at_end();
        t.year = static_cast<int>(two_digit_year < 70 ? 2000 + two_digit_year : 1900 + two_digit_year);
    }
    if (!ok) return sc.outcome(0);
    return finish_civil_time(sc, t, static_cast<int>(weekday));
}

/// COS XML timestamps (docs/protocol/xml.md#timestamps): "YYYY-MM-DDTHH:MM:SS", then an optional
/// fraction of at least one digit, then an optional "Z"; no other zone is accepted.
constexpr time_parse_outcome parse_iso8601_fields(std::string_view text) noexcept {
    time_scanner sc(text);
    civil_time t;
    bool ok = scan_year4(sc, t) && sc.literal("-", "expected '-' after the year");
    const std::size_t month_at = sc.pos();
    ok = ok && sc.digits(2, 2, t.month, "expected a two-digit month");
    if (ok && (t.month == 0 || t.month > 12)) ok = sc.fail(month_at, "month must be 01-12");
    ok = ok && sc.literal("-", "expected '-' after the month") && scan_day2(sc, t) &&
         sc.literal("T", "expected 'T' between the date and the time") && scan_clock(sc, t);
    // The fraction is checked and dropped: results are whole seconds, rounded down.
    if (ok && sc.skip('.') && sc.skip_digits() == 0) ok = sc.fail(sc.pos(), "expected a digit after '.'");
    if (ok) sc.skip('Z');
    ok = ok && sc.at_end();
    if (!ok) return sc.outcome(0);
    return finish_civil_time(sc, t, -1);
}

/// The public face of a date parse: the seconds, or invalid_argument naming `argument` with the
/// offset in the reason and in error.size.
inline result<std::int64_t> to_time_result(const time_parse_outcome& outcome, std::string_view argument) {
    if (outcome.problem.empty()) return outcome.seconds;
    error e = make_error(errc::invalid_argument, argument,
                         std::string(outcome.problem) + " at offset " + std::to_string(outcome.offset));
    e.size = outcome.offset;
    return e;
}

}  // namespace detail

/// Formats Unix seconds as an RFC 9110 IMF-fixdate, e.g. 1557989151 → "Thu, 16 May 2019 06:45:51
/// GMT" (the `Date` request header, docs/protocol/headers.md#request-headers). Precondition:
/// http_date_min_seconds <= unix_seconds <= http_date_max_seconds (years 0001-9999, the four digits the
/// format has room for); a value outside trips COSWIRE_ASSERT (and, should COSWIRE_ASSERT be redefined
/// to return, is clamped into the range), so it is never undefined behaviour. Usable in constant
/// expressions.
constexpr http_date_text format_http_date(std::int64_t unix_seconds) noexcept {
    COSWIRE_ASSERT(unix_seconds >= http_date_min_seconds && unix_seconds <= http_date_max_seconds);
    const std::int64_t t = unix_seconds < http_date_min_seconds   ? http_date_min_seconds
                           : unix_seconds > http_date_max_seconds ? http_date_max_seconds
                                                                  : unix_seconds;
    const std::int64_t r = t % 86400;
    const std::int64_t second_of_day = r < 0 ? r + 86400 : r;
    const std::int64_t days = (t - second_of_day) / 86400;  // exact: floor division
    const detail::civil_date date = detail::civil_from_days(days);

    http_date_text out{};
    char* p = detail::write_text(out.data(), detail::short_day_names[detail::weekday_from_days(days)]);
    p = detail::write_text(p, ", ");
    p = detail::write_digits(p, date.day, 2);
    *p++ = ' ';
    p = detail::write_text(p, detail::month_names[date.month - 1]);
    *p++ = ' ';
    p = detail::write_digits(p, date.year, 4);
    *p++ = ' ';
    p = detail::write_digits(p, second_of_day / 3600, 2);
    *p++ = ':';
    p = detail::write_digits(p, second_of_day / 60 % 60, 2);
    *p++ = ':';
    p = detail::write_digits(p, second_of_day % 60, 2);
    detail::write_text(p, " GMT");
    return out;
}

/// Parses an RFC 9110 section 5.6.7 HTTP-date (`Date`, `Last-Modified`; docs/protocol/headers.md#dates)
/// into Unix seconds. Accepts, as RFC 9110 asks recipients to:
/// - IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT";
/// - RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT", years 70-99 → 19xx and 00-69 → 20xx (no clock
///   here for RFC 9110's 50-year window);
/// - asctime "Sun Nov  6 08:49:37 1994", also with an unpadded day ("Thu Jan 19 16:19:22 2017",
///   "Sun Nov 6 08:49:37 1994") as old COS responses show.
/// Names and "GMT" are case-sensitive (RFC 9110 %s"..."); the text must be exactly the date
/// (strip surrounding whitespace first). Ranges: year 0001-9999, day valid for its month (leap
/// years included), hour 00-23, minute 00-59, second 00-59 or a leap second 23:59:60 (counted as
/// the next midnight, as POSIX time does). A day name that does not match the date is refused.
/// Errors: invalid_argument, argument "http_date", with the offset in the reason and error.size.
inline result<std::int64_t> parse_http_date(std::string_view text) {
    return detail::to_time_result(detail::parse_http_date_fields(text), "http_date");
}

/// Parses a COS XML timestamp (docs/protocol/xml.md#timestamps) into Unix seconds:
/// "2020-03-25T10:07:14.000Z", also without the fraction and/or without the "Z" (read as UTC). A
/// fraction is dropped (rounded down). Other zones ("+08:00") and the asctime form of old examples are
/// refused; try parse_http_date for the latter. Ranges as for parse_http_date, month 01-12. Errors:
/// invalid_argument, argument "timestamp", with the offset in the reason and error.size.
inline result<std::int64_t> parse_iso8601(std::string_view text) {
    return detail::to_time_result(detail::parse_iso8601_fields(text), "timestamp");
}

}  // namespace coswire
