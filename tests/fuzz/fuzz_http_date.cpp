// SPDX-License-Identifier: MIT
// libFuzzer target: HTTP-date and ISO 8601 parsing; a parsed time must format and parse back.
#include <coswire/time/http_date.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

// format_http_date(t) parsed again gives t, and formatting that gives the same text.
void check_round_trip(std::int64_t seconds) {
    const coswire::http_date_text formatted = coswire::format_http_date(seconds);
    const std::string_view text(formatted.data(), formatted.size());
    auto back = coswire::parse_http_date(text);
    if (!back || *back != seconds) std::abort();
    const coswire::http_date_text again = coswire::format_http_date(*back);
    if (again != formatted) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto t = coswire::parse_http_date(text)) check_round_trip(*t);
    if (auto t = coswire::parse_iso8601(text)) check_round_trip(*t);
    return 0;
}
