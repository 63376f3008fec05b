// SPDX-License-Identifier: MIT
// The CLI's whole listings: multipart uploads and an upload's parts (the library's bounded loops
// of <coswire/listing/all_pages.hpp>), object versions (a loop of its own, bounded the same way),
// and the ISO 8601 form the CLI prints times in.
#pragma once

#include <coswire/api/multipart.hpp>
#include <coswire/api/versioning.hpp>
#include <coswire/error.hpp>
#include <coswire/listing/all_pages.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/versioning.hpp>
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

/// Every version and delete marker under `prefix`, through all List Object Versions pages, and
/// the common prefixes when `delimiter` is set.
struct all_versions {
    std::vector<coswire::object_version> versions{};
    std::vector<std::string> common_prefixes{};
};

/// The whole version listing of `prefix` (grouped at `delimiter` when it is set), as
/// coswire::list_all_objects reads a GET Bucket listing: at most `max_pages` pages (the
/// library's listing_limits default for objects), and a truncated page must name markers past
/// the ones asked. Errors: c.send's; malformed_response naming "NextKeyMarker" for a page that
/// does not move on; limit_exceeded naming "max_object_pages" past the cap.
template <class Client>
coswire::result<all_versions> fetch_all_versions(Client& c, std::string_view prefix, std::string_view delimiter,
                                                 std::uint32_t max_pages = coswire::listing_limits{}.max_object_pages) {
    all_versions out;
    std::optional<coswire::list_object_versions_params> page =
        coswire::list_object_versions_params{.prefix = std::string(prefix), .delimiter = std::string(delimiter)};
    for (std::uint32_t pages = 1; page; ++pages) {
        if (pages > max_pages)
            return coswire::make_error(coswire::errc::limit_exceeded, "max_object_pages",
                                       "the version listing ran past " + std::to_string(max_pages) + " pages");
        auto listed = c.send(*page);
        if (!listed) return std::move(listed).error();
        for (auto& v : listed->versions) out.versions.push_back(std::move(v));
        for (auto& p : listed->common_prefixes) out.common_prefixes.push_back(std::move(p));
        auto next = coswire::next_list_object_versions_params(*page, *listed);
        if (next && next->key_marker == page->key_marker && next->version_id_marker == page->version_id_marker)
            return coswire::make_error(coswire::errc::malformed_response, "NextKeyMarker",
                                       "page " + std::to_string(pages) + " is truncated but names no markers past the ones asked");
        page = std::move(next);
    }
    return out;
}

}  // namespace cli
