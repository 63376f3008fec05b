// SPDX-License-Identifier: MIT
// Whole listings through every page: all parts of an upload, all multipart uploads and all
// objects under a prefix, as step machines and as blocking loops over them, each bounded so a
// server that never stops saying IsTruncated cannot keep it running
// (docs/protocol/multipart.md#listing-every-page).
#pragma once

#include <coswire/api/limits.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/operation.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

/// How the whole List Parts listing walks: the page cap follows from the 10000 part numbers.
struct parts_walk {
    using params_type = list_parts_params;
    using output_type = std::vector<listed_part>;
    static constexpr std::string_view stall_element = "NextPartNumberMarker";
    static constexpr std::string_view stall_what = "part number marker";
    static constexpr std::string_view cap_argument = "max_parts";

    output_type parts{};
    std::uint32_t left = 0;    // part numbers after the first marker
    bool beyond_last = false;  // a page was truncated at part 10000

    result<std::uint32_t> max_pages(const params_type& first, const listing_limits&) {
        const std::uint32_t page_size = first.max_parts.value_or(max_list_parts_page);
        const std::uint32_t start = first.part_number_marker.value_or(0);
        if (page_size == 0 || page_size > max_list_parts_page)
            return make_error(errc::invalid_argument, "max_parts", "is " + std::to_string(page_size) + ", must be 1 to 1000");
        if (start > max_part_number)
            return make_error(errc::invalid_argument, "part_number_marker", "is " + std::to_string(start) + ", must be 0 to 10000");
        left = max_part_number - start;
        return left == 0 ? 1 : (left + page_size - 1) / page_size;
    }
    std::string cap_what() const { return "the List Parts listing of " + std::to_string(left) + " possible parts"; }
    std::optional<params_type> next(const params_type& asked, const list_parts_result& listed) {
        auto following = next_list_parts_params(asked, listed);
        // Nothing can follow part 10000: a page truncated there is not moving forward.
        if (following && *following->part_number_marker >= max_part_number) {
            beyond_last = true;
            following.reset();
        }
        return following;
    }
    void take(list_parts_result& listed) {
        for (listed_part& p : listed.parts) parts.push_back(std::move(p));
    }
    result<output_type> finish(result<void> done) {
        if (!done) {
            if (beyond_last) done.error().reason += " (no part is numbered above 10000)";
            return std::move(done).error();
        }
        return std::move(parts);
    }
};

/// What the uploads and objects walks share: the page after the last from the operation's own
/// `Next`, a page cap read from one listing_limits field (`Walk::cap_argument` names it), and a
/// whole output handed back unless the walk failed.
template <class Walk, class Params, class Listed, class Output, std::uint32_t listing_limits::*Cap,
          std::optional<Params> (*Next)(const Params&, const Listed&)>
struct collecting_walk {
    using params_type = Params;
    using output_type = Output;

    Output out{};

    result<std::uint32_t> max_pages(const Params&, const listing_limits& limits) const {
        if (limits.*Cap == 0) return make_error(errc::invalid_argument, Walk::cap_argument, "must be at least 1");
        return limits.*Cap;
    }
    std::optional<Params> next(const Params& asked, const Listed& listed) const { return Next(asked, listed); }
    result<Output> finish(result<void> done) {
        if (!done) return std::move(done).error();
        return std::move(out);
    }
};

/// How the whole List Multipart Uploads listing walks.
struct uploads_walk : collecting_walk<uploads_walk, list_multipart_uploads_params, list_multipart_uploads_result, all_multipart_uploads,
                                      &listing_limits::max_upload_pages, &next_list_multipart_uploads_params> {
    static constexpr std::string_view stall_element = "NextKeyMarker";
    static constexpr std::string_view stall_what = "key and upload id markers";
    static constexpr std::string_view cap_argument = "max_upload_pages";

    std::string cap_what() const { return "the List Multipart Uploads listing"; }
    void take(list_multipart_uploads_result& listed) {
        for (multipart_upload_summary& u : listed.uploads) out.uploads.push_back(std::move(u));
        for (std::string& p : listed.common_prefixes) out.common_prefixes.push_back(std::move(p));
        if (listed.date) out.date = listed.date;
    }
};

/// How the whole GET Bucket listing walks.
struct objects_walk : collecting_walk<objects_walk, list_objects_params, list_objects_result, all_objects,
                                      &listing_limits::max_object_pages, &next_list_objects_params> {
    static constexpr std::string_view stall_element = "NextMarker";
    static constexpr std::string_view stall_what = "marker";
    static constexpr std::string_view cap_argument = "max_object_pages";

    std::string cap_what() const { return "the GET Bucket listing"; }
    void take(list_objects_result& listed) {
        for (object_summary& s : listed.contents) out.contents.push_back(std::move(s));
        for (std::string& p : listed.common_prefixes) out.common_prefixes.push_back(std::move(p));
    }
};

}  // namespace detail

/// A whole listing as a step machine: sends the first page, then each page the last one names,
/// every page through an operation machine (its retries and waits are this machine's steps, one
/// in flight at a time), collecting the entries. A truncated page that does not move past the
/// marker requested is malformed (it is compared with what was asked, not with what the page
/// echoed); more pages than the cap exceed the limit. Bad arguments make a machine that is done
/// with their error, having sent nothing. Borrows the context. Use it through the names below.
template <class Walk>
class listing_machine {
public:
    using params_type = typename Walk::params_type;
    using result_type = result<typename Walk::output_type>;

    /// The listing from `first` on; `limits` caps the pages of the uploads and objects listings
    /// (the parts listing's cap follows from the part numbers).
    listing_machine(operation_context& context, params_type first, const listing_limits& limits = {})
        : context_(&context), asked_(std::move(first)), page_(context, first_request(limits)) {}

    step next() {
        for (;;) {
            if (result_) return {};
            const step s = page_.next();
            if (s.kind != step_kind::done) return s;
            turn_page();
        }
    }
    result<void> receive(std::uint32_t id, result<http_response> outcome) { return page_.receive(id, std::move(outcome)); }
    result<void> receive_head(std::uint32_t id, const http_response& head) { return page_.receive_head(id, head); }
    result<void> receive_body(std::uint32_t id, std::span<const std::byte> bytes) { return page_.receive_body(id, bytes); }
    result<void> waited(std::uint32_t id) { return page_.waited(id); }

    /// The whole listing, once next() said done; errors: as each function below says, or
    /// invalid_argument naming "machine" before done or when it was already taken.
    result_type take_result() {
        if (!result_) return detail::machine_misused("take_result: not done yet; call next() until it says done");
        if (taken_) return detail::machine_misused("take_result: the result was already taken");
        taken_ = true;
        return std::move(*result_);
    }

    /// Whether the last page's request may have taken effect twice (see operation_machine).
    bool may_have_repeated() const noexcept { return page_.may_have_repeated(); }

private:
    result<http_request> first_request(const listing_limits& limits) {
        auto cap = walk_.max_pages(asked_, limits);
        if (!cap) return std::move(cap).error();
        max_pages_ = *cap;
        return operation<params_type>::build(context_->bucket_endpoint(), asked_);
    }

    // The current page is done: take its entries, then finish or ask for the page it names.
    void turn_page() {
        auto listed = page_.take_result();
        if (!listed) return finish(std::move(listed).error());
        const bool truncated = listed->is_truncated;
        auto following = walk_.next(asked_, *listed);
        walk_.take(*listed);
        if (!truncated) return finish({});
        if (!following) return finish(detail::listing_stalls(Walk::stall_element, std::string(Walk::stall_what), pages_));
        if (pages_ >= max_pages_) return finish(detail::listing_too_long(Walk::cap_argument, walk_.cap_what(), pages_));
        asked_ = std::move(*following);
        ++pages_;
        (void)page_.restart(operation<params_type>::build(context_->bucket_endpoint(), asked_));
    }

    void finish(result<void> done) { result_.emplace(walk_.finish(std::move(done))); }

    operation_context* context_;
    params_type asked_;  // the page in flight, as asked
    Walk walk_{};
    std::uint32_t max_pages_ = 0;
    std::uint32_t pages_ = 1;  // the page in flight, counting from 1
    operation_machine<operation_parser<params_type>> page_;
    std::optional<result_type> result_{};
    bool taken_ = false;
};

/// Every part of an upload through all List Parts pages (see list_all_parts).
using list_all_parts_machine = listing_machine<detail::parts_walk>;
/// Every unfinished multipart upload through all List Multipart Uploads pages (see list_all_multipart_uploads).
using list_all_multipart_uploads_machine = listing_machine<detail::uploads_walk>;
/// Every object through all GET Bucket pages (see list_all_objects).
using list_all_objects_machine = listing_machine<detail::objects_walk>;

/// Every part of the upload `first` names, through all List Parts pages from first's marker on.
/// The page count is capped by what COS can hold: part numbers stop at 10000, so at most
/// ceil((10000 - marker) / page size) pages (10 of 1000 by default). Errors: c.send's;
/// malformed_response naming "NextPartNumberMarker" when a truncated page does not move past
/// the marker requested, or continues beyond part 10000; limit_exceeded naming "max_parts" when
/// the pages run past the cap. The blocking loop over list_all_parts_machine (`c` is a client).
template <class Client>
result<std::vector<listed_part>> list_all_parts(Client& c, list_parts_params first) {
    list_all_parts_machine m(c.context(), std::move(first));
    return c.drive(m);
}

/// Every unfinished multipart upload `first` selects (prefix, delimiter, page size), through all
/// List Multipart Uploads pages from first's markers on. Errors: c.send's; malformed_response
/// naming "NextKeyMarker" when a truncated page does not move past the markers requested;
/// limit_exceeded naming "max_upload_pages" after limits.max_upload_pages pages; invalid_argument
/// naming "max_upload_pages" for 0. The blocking loop over list_all_multipart_uploads_machine.
template <class Client>
result<all_multipart_uploads> list_all_multipart_uploads(Client& c, list_multipart_uploads_params first,
                                                         const listing_limits& limits = {}) {
    list_all_multipart_uploads_machine m(c.context(), std::move(first), limits);
    return c.drive(m);
}

/// Every object `first` selects (prefix, delimiter, page size), through all GET Bucket pages from
/// first's marker on. Errors: c.send's; malformed_response naming "NextMarker" when a truncated
/// page does not move past the marker requested; limit_exceeded naming "max_object_pages" after
/// limits.max_object_pages pages; invalid_argument naming "max_object_pages" for 0. The blocking
/// loop over list_all_objects_machine.
template <class Client>
result<all_objects> list_all_objects(Client& c, list_objects_params first, const listing_limits& limits = {}) {
    list_all_objects_machine m(c.context(), std::move(first), limits);
    return c.drive(m);
}

}  // namespace coswire
