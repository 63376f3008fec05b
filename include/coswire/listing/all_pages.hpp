// SPDX-License-Identifier: MIT
// Whole listings through every page: all parts of an upload, all multipart uploads and all
// objects under a prefix, each loop bounded so a server that never stops saying IsTruncated
// cannot keep it running (docs/protocol/multipart.md#listing-every-page).
#pragma once

#include <coswire/api/limits.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/error.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace coswire {

/// How many pages the whole-listing functions read at most before failing with limit_exceeded.
/// Parts need no such setting: an upload holds at most 10000 parts, which fixes the page count
/// for the page size asked.
struct listing_limits {
    /// Pages of List Multipart Uploads: 100, i.e. 100,000 uploads at COS's page size of 1000.
    /// Every unfinished upload is billed storage, and a bucket with more of them than that is
    /// better cleaned by a lifecycle rule than held in one vector; raise it when you need to.
    std::uint32_t max_upload_pages = 100;
    /// Pages of GET Bucket: 1000, i.e. 1,000,000 keys at 1000 a page (a few hundred MB of
    /// summaries). Walk larger buckets page by page with next_list_objects_params.
    std::uint32_t max_object_pages = 1000;
};

/// Every object of a whole GET Bucket listing, and the common prefixes when a delimiter was asked.
struct all_objects {
    std::vector<object_summary> contents{};      ///< the Contents entries of every page, in order
    std::vector<std::string> common_prefixes{};  ///< CommonPrefixes/Prefix of every page, in order
};

/// Every multipart upload of a whole List Multipart Uploads listing, and the common prefixes.
struct all_multipart_uploads {
    std::vector<multipart_upload_summary> uploads{};  ///< the Upload entries of every page, in order
    std::vector<std::string> common_prefixes{};       ///< CommonPrefixes/Prefix of every page, in order
    std::optional<std::int64_t> date{};               ///< the last page's Date header, Unix seconds (server clock)
};

namespace detail {

/// The error for a truncated page that names nowhere after the marker that was asked for.
inline error listing_stalls(std::string_view element, std::string what, std::uint32_t page) {
    return make_error(errc::malformed_response, element,
                      "page " + std::to_string(page) + " is truncated but does not continue past the " + what +
                          " that was requested; following it would list the same entries again");
}

/// The error for a listing that reached its page cap.
inline error listing_too_long(std::string_view argument, std::string what, std::uint32_t pages) {
    return make_error(errc::limit_exceeded, argument,
                      what + " is still truncated after " + std::to_string(pages) + " pages, the most this listing reads");
}

/// The loop behind the whole listings: sends `first`, then each page next(requested, listed)
/// names, collecting entries with take(listed). A truncated page that does not move past the
/// marker requested is malformed; more than `max_pages` pages exceed the limit.
template <class Client, class Params, class Next, class Take>
result<void> list_every_page(Client& c, Params page, std::uint32_t max_pages, std::string_view stall_element,
                             std::string_view stall_what, std::string_view cap_argument, std::string_view cap_what,
                             Next&& next, Take&& take) {
    for (std::uint32_t n = 1;; ++n) {
        auto listed = c.send(page);
        if (!listed) return std::move(listed).error();
        const bool truncated = listed->is_truncated;
        auto following = next(page, *listed);  // compared with what was asked, not with what was echoed
        take(*listed);
        if (!truncated) return {};
        if (!following) return listing_stalls(stall_element, std::string(stall_what), n);
        if (n >= max_pages) return listing_too_long(cap_argument, std::string(cap_what), n);
        page = std::move(*following);
    }
}

}  // namespace detail

/// Every part of the upload `first` names, through all List Parts pages from first's marker on.
/// The page count is capped by what COS can hold: part numbers stop at 10000, so at most
/// ceil((10000 - marker) / page size) pages (10 of 1000 by default). Errors: c.send's;
/// malformed_response naming "NextPartNumberMarker" when a truncated page does not move past
/// the marker requested, or continues beyond part 10000; limit_exceeded naming "max_parts" when
/// the pages run past the cap.
template <class Client>
result<std::vector<listed_part>> list_all_parts(Client& c, list_parts_params first) {
    const std::uint32_t page_size = first.max_parts.value_or(max_list_parts_page);
    const std::uint32_t start = first.part_number_marker.value_or(0);
    if (page_size == 0 || page_size > max_list_parts_page)
        return make_error(errc::invalid_argument, "max_parts", "is " + std::to_string(page_size) + ", must be 1 to 1000");
    if (start > max_part_number)
        return make_error(errc::invalid_argument, "part_number_marker", "is " + std::to_string(start) + ", must be 0 to 10000");
    const std::uint32_t left = max_part_number - start;
    const std::uint32_t max_pages = left == 0 ? 1 : (left + page_size - 1) / page_size;
    std::vector<listed_part> parts;
    bool beyond_last = false;
    auto done = detail::list_every_page(
        c, std::move(first), max_pages, "NextPartNumberMarker", "part number marker", "max_parts",
        "the List Parts listing of " + std::to_string(left) + " possible parts",
        [&](const list_parts_params& asked, const list_parts_result& listed) {
            auto next = next_list_parts_params(asked, listed);
            // Nothing can follow part 10000: a page truncated there is not moving forward.
            if (next && *next->part_number_marker >= max_part_number) {
                beyond_last = true;
                next.reset();
            }
            return next;
        },
        [&](list_parts_result& listed) {
            for (listed_part& p : listed.parts) parts.push_back(std::move(p));
        });
    if (!done) {
        if (beyond_last) done.error().reason += " (no part is numbered above 10000)";
        return std::move(done).error();
    }
    return parts;
}

/// Every unfinished multipart upload `first` selects (prefix, delimiter, page size), through all
/// List Multipart Uploads pages from first's markers on. Errors: c.send's; malformed_response
/// naming "NextKeyMarker" when a truncated page does not move past the markers requested;
/// limit_exceeded naming "max_upload_pages" after limits.max_upload_pages pages; invalid_argument
/// naming "max_upload_pages" for 0.
template <class Client>
result<all_multipart_uploads> list_all_multipart_uploads(Client& c, list_multipart_uploads_params first,
                                                         const listing_limits& limits = {}) {
    if (limits.max_upload_pages == 0) return make_error(errc::invalid_argument, "max_upload_pages", "must be at least 1");
    all_multipart_uploads out;
    auto done = detail::list_every_page(
        c, std::move(first), limits.max_upload_pages, "NextKeyMarker", "key and upload id markers", "max_upload_pages",
        "the List Multipart Uploads listing",
        [](const list_multipart_uploads_params& asked, const list_multipart_uploads_result& listed) {
            return next_list_multipart_uploads_params(asked, listed);
        },
        [&](list_multipart_uploads_result& listed) {
            for (multipart_upload_summary& u : listed.uploads) out.uploads.push_back(std::move(u));
            for (std::string& p : listed.common_prefixes) out.common_prefixes.push_back(std::move(p));
            if (listed.date) out.date = listed.date;
        });
    if (!done) return std::move(done).error();
    return out;
}

/// Every object `first` selects (prefix, delimiter, page size), through all GET Bucket pages from
/// first's marker on. Errors: c.send's; malformed_response naming "NextMarker" when a truncated
/// page does not move past the marker requested; limit_exceeded naming "max_object_pages" after
/// limits.max_object_pages pages; invalid_argument naming "max_object_pages" for 0.
template <class Client>
result<all_objects> list_all_objects(Client& c, list_objects_params first, const listing_limits& limits = {}) {
    if (limits.max_object_pages == 0) return make_error(errc::invalid_argument, "max_object_pages", "must be at least 1");
    all_objects out;
    auto done = detail::list_every_page(
        c, std::move(first), limits.max_object_pages, "NextMarker", "marker", "max_object_pages", "the GET Bucket listing",
        [](const list_objects_params& asked, const list_objects_result& listed) { return next_list_objects_params(asked, listed); },
        [&](list_objects_result& listed) {
            for (object_summary& s : listed.contents) out.contents.push_back(std::move(s));
            for (std::string& p : listed.common_prefixes) out.common_prefixes.push_back(std::move(p));
        });
    if (!done) return std::move(done).error();
    return out;
}

}  // namespace coswire
