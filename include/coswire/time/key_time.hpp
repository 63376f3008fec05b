// SPDX-License-Identifier: MIT
// key_time: the validity window [start, end] of a signature, in Unix seconds
// (docs/protocol/signing.md#key-time).
#pragma once

#include <coswire/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace coswire {

/// The signature's validity window. COS accepts a request only while start <= server time <= end.
/// There is no clock here: the caller says what "now" is.
struct key_time {
    std::int64_t start = 0;  ///< Unix seconds, >= 0
    std::int64_t end = 0;    ///< Unix seconds, >= start

    /// A window of `lifetime_seconds` that starts `backdate_seconds` before `now` (starting a
    /// little in the past absorbs small clock skew; the official SDKs use 0 to 60 s).
    /// Errors (argument "now" / "lifetime_seconds" / "backdate_seconds"): negative values, or an
    /// end beyond the largest representable time.
    static result<key_time> starting_at(std::int64_t now, std::int64_t lifetime_seconds,
                                        std::int64_t backdate_seconds = 0) {
        if (now < 0) return make_error(errc::invalid_argument, "now", "must not be negative");
        if (lifetime_seconds < 0)
            return make_error(errc::invalid_argument, "lifetime_seconds", "must not be negative");
        if (backdate_seconds < 0 || backdate_seconds > now)
            return make_error(errc::invalid_argument, "backdate_seconds", "must be between 0 and now");
        if (lifetime_seconds > INT64_MAX - now)
            return make_error(errc::invalid_argument, "lifetime_seconds", "end time overflows");
        return key_time{now - backdate_seconds, now + lifetime_seconds};
    }

    friend constexpr bool operator==(const key_time&, const key_time&) = default;
};

/// Checks the window: start >= 0 and start <= end. Error argument "key_time".
inline result<void> validate(const key_time& t) {
    if (t.start < 0) return make_error(errc::invalid_argument, "key_time", "start is negative");
    if (t.start > t.end) return make_error(errc::invalid_argument, "key_time", "start is after end");
    return {};
}

/// "start;end" as COS sends it in q-sign-time and q-key-time, without allocating.
class key_time_text {
public:
    /// Precondition: validate(t) succeeded (both values non-negative).
    constexpr explicit key_time_text(const key_time& t) noexcept {
        put(t.start);
        buffer_[size_++] = ';';
        put(t.end);
    }
    constexpr std::string_view view() const noexcept { return {buffer_.data(), size_}; }

private:
    constexpr void put(std::int64_t v) noexcept {
        char digits[20] = {};
        std::size_t n = 0;
        auto u = static_cast<std::uint64_t>(v);
        do {
            digits[n++] = static_cast<char>('0' + u % 10);
            u /= 10;
        } while (u != 0);
        while (n > 0) buffer_[size_++] = digits[--n];
    }

    std::array<char, 41> buffer_{};  // two 19-digit values and ';'
    std::size_t size_ = 0;
};

}  // namespace coswire
