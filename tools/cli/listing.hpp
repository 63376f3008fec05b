// SPDX-License-Identifier: MIT
// The CLI's whole listings of multipart uploads and of an upload's parts (the library's bounded
// loops of <coswire/listing/all_pages.hpp>), and the ISO 8601 form the CLI prints times in.
#pragma once

#include <coswire/api/multipart.hpp>
#include <coswire/listing/all_pages.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/result.hpp>

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cli {

/// Unix seconds as `2023-11-14T22:13:20Z`; "-" when unknown.
inline std::string iso8601_utc(std::optional<std::int64_t> seconds) {
    if (!seconds) return "-";
    const std::time_t t = static_cast<std::time_t>(*seconds);
    std::tm parts{};
    char text[32] = {};
    if (::gmtime_r(&t, &parts) == nullptr || std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts) == 0) return "-";
    return text;
}

/// Every in-progress multipart upload whose key starts with `prefix`, through all pages (at most
/// coswire::listing_limits' default page count; a server that never ends the listing is an error).
template <class Client>
coswire::result<std::vector<coswire::multipart_upload_summary>> fetch_all_uploads(Client& c, std::string_view prefix) {
    coswire::list_multipart_uploads_params first;
    if (!prefix.empty()) first.prefix = std::string(prefix);
    auto listed = coswire::list_all_multipart_uploads(c, std::move(first));
    if (!listed) return std::move(listed).error();
    return std::move(listed->uploads);
}

/// Every uploaded part of `upload_id`, through all pages (at most 10 pages of 1000).
template <class Client>
coswire::result<std::vector<coswire::listed_part>> fetch_all_parts(Client& c, std::string_view key, std::string_view upload_id) {
    coswire::list_parts_params first;
    first.key = std::string(key);
    first.upload_id = std::string(upload_id);
    return coswire::list_all_parts(c, std::move(first));
}

}  // namespace cli
