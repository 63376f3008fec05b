// SPDX-License-Identifier: MIT
// Response parsers for PUT and GET Bucket versioning and GET Bucket Object versions, with the
// paging step of the version listing (docs/protocol/versioning.md).
//
// Choices where Tencent's pages are silent:
// - GET Bucket versioning: no Status (an empty VersioningConfiguration) is versioning_status::off;
//   a Status other than Enabled or Suspended is malformed.
// - The version listing keeps Version and DeleteMarker entries in document order (one list,
//   delete markers flagged), as the page's examples interleave them; each needs its Key, and a
//   Version its Size. VersionId may be empty (a never-versioned bucket) or "null".
// - With url encoding announced, Prefix, KeyMarker, NextKeyMarker, VersionIdMarker,
//   NextVersionIdMarker, each Key and CommonPrefixes/Prefix are percent-decoded once, after the
//   whole body is read (the Python SDK's list); Delimiter is kept as sent.
// - A truncated page must name a NextKeyMarker that moves the listing past (KeyMarker,
//   VersionIdMarker), or following it would loop forever.
#pragma once

#include <coswire/api/versioning.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/parse/xml_fields.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// What PUT Bucket versioning answered.
struct put_bucket_versioning_result {
    std::string request_id{};  ///< x-cos-request-id
};

/// What GET Bucket versioning answered.
struct get_bucket_versioning_result {
    std::string request_id{};                       ///< x-cos-request-id
    versioning_status status = versioning_status::off;  ///< off when never enabled
};

/// One Version or DeleteMarker entry of a version listing.
struct object_version {
    std::string key{};                            ///< decoded when the page is url-encoded
    std::string version_id{};                     ///< empty in a never-versioned bucket; "null" for the null version
    bool delete_marker = false;                   ///< a DeleteMarker entry rather than a Version
    bool is_latest = false;                       ///< IsLatest: the key's current version
    std::optional<std::int64_t> last_modified{};  ///< Unix seconds
    std::string etag_raw{};                       ///< ETag, quotes included (Versions only)
    std::string etag{};                           ///< ETag without quotes
    std::uint64_t size = 0;                       ///< bytes (Versions only)
    std::string storage_class{};                  ///< Versions only
    std::string storage_tier{};                   ///< INTELLIGENT_TIERING only
    object_owner owner{};                         ///< Owner, when listed
};

/// One page of GET Bucket Object versions (ListVersionsResult).
struct list_object_versions_result {
    std::string request_id{};              ///< x-cos-request-id
    std::string name{};                    ///< the bucket
    std::string encoding_type{};           ///< "url" when COS encoded the key-like fields
    std::string prefix{};
    std::string key_marker{};
    std::string version_id_marker{};
    std::string next_key_marker{};         ///< when truncated: the next page's key_marker
    std::string next_version_id_marker{};  ///< when truncated: the next page's version_id_marker (may be empty)
    std::string delimiter{};               ///< as sent, never decoded
    std::optional<std::uint64_t> max_keys{};
    bool is_truncated = false;
    std::vector<object_version> versions{};      ///< Versions and DeleteMarkers in listed order
    std::vector<std::string> common_prefixes{};  ///< each CommonPrefixes/Prefix, in listed order
};

/// PUT Bucket versioning: 200. Errors: parse_error_response(r) otherwise (409
/// InvalidBucketState, ...), also for a 200 <Error>.
inline result<put_bucket_versioning_result> parse_put_bucket_versioning_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    return put_bucket_versioning_result{detail::request_id_of(r)};
}

/// GET Bucket versioning: a 200 VersioningConfiguration. Errors: parse_error_response(r)
/// otherwise; malformed_response naming "document" (bad XML, another root) or "Status"
/// (neither Enabled nor Suspended).
inline result<get_bucket_versioning_result> parse_get_bucket_versioning_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    get_bucket_versioning_result out;
    out.request_id = detail::request_id_of(r);
    std::optional<std::string> status;
    auto parsed = detail::read_result_document(r, "VersioningConfiguration", [&](std::string_view name, xml::reader& c) -> result<void> {
        return detail::element_is(name, "Status") ? detail::read_element_text(c, status.emplace()) : result<void>{};
    });
    if (!parsed) return std::move(parsed).error();
    if (!status) return out;
    if (*status == "Enabled") out.status = versioning_status::enabled;
    else if (*status == "Suspended") out.status = versioning_status::suspended;
    else return detail::malformed_element("Status", "'" + status->substr(0, 40) + "' is neither Enabled nor Suspended");
    return out;
}

/// GET Bucket Object versions: a 200 ListVersionsResult page. Errors: parse_error_response(r)
/// otherwise; malformed_response naming "document", "IsTruncated" (missing or bad), "Key" (an
/// entry without one), "Size" (a Version without one, or bad), "IsLatest", "LastModified",
/// "MaxKeys" (bad), a url-encoded field that does not decode, or "NextKeyMarker" for a truncated
/// page that does not move forward; limit_exceeded from the XML reader's limits.
inline result<list_object_versions_result> parse_list_object_versions_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    list_object_versions_result out;
    out.request_id = detail::request_id_of(r);
    const auto entry = [&](xml::reader& e, bool is_marker) -> result<void> {
        object_version v;
        v.delete_marker = is_marker;
        bool has_size = false;
        auto ok = xml::for_each_child(e, [&](std::string_view name, xml::reader& f) -> result<void> {
            if (detail::element_is(name, "Key")) return detail::read_element_text(f, v.key);
            if (detail::element_is(name, "VersionId")) return detail::read_element_text(f, v.version_id);
            if (detail::element_is(name, "IsLatest")) return detail::store(detail::read_element_boolean(f, "IsLatest"), v.is_latest);
            if (detail::element_is(name, "LastModified")) return detail::store(detail::read_element_time(f, "LastModified"), v.last_modified);
            if (detail::element_is(name, "ETag")) return detail::read_element_etag(f, v.etag_raw, v.etag);
            if (detail::element_is(name, "Size")) {
                has_size = true;
                return detail::store(detail::read_element_decimal(f, "Size"), v.size);
            }
            if (detail::element_is(name, "StorageClass")) return detail::read_element_text(f, v.storage_class);
            if (detail::element_is(name, "StorageTier")) return detail::read_element_text(f, v.storage_tier);
            if (detail::element_is(name, "Owner")) return detail::read_element_owner(f, v.owner);
            return {};
        });
        if (!ok) return ok;
        if (v.key.empty()) return detail::malformed_element("Key", is_marker ? "a DeleteMarker has no Key" : "a Version has no Key");
        if (!is_marker && !has_size) return detail::malformed_element("Size", "the Version of '" + v.key.substr(0, 80) + "' has no Size");
        out.versions.push_back(std::move(v));
        return {};
    };
    auto parsed = detail::read_listing_document(r, "ListVersionsResult", out.is_truncated, out.encoding_type,
                                                [&](std::string_view name, xml::reader& c) -> result<void> {
        if (detail::element_is(name, "Name")) return detail::read_element_text(c, out.name);
        if (detail::element_is(name, "Prefix")) return detail::read_element_text(c, out.prefix);
        if (detail::element_is(name, "KeyMarker")) return detail::read_element_text(c, out.key_marker);
        if (detail::element_is(name, "VersionIdMarker")) return detail::read_element_text(c, out.version_id_marker);
        if (detail::element_is(name, "NextKeyMarker")) return detail::read_element_text(c, out.next_key_marker);
        if (detail::element_is(name, "NextVersionIdMarker")) return detail::read_element_text(c, out.next_version_id_marker);
        if (detail::element_is(name, "Delimiter")) return detail::read_element_text(c, out.delimiter);
        if (detail::element_is(name, "MaxKeys")) return detail::store(detail::read_element_decimal(c, "MaxKeys"), out.max_keys);
        if (detail::element_is(name, "Version")) return entry(c, false);
        if (detail::element_is(name, "DeleteMarker")) return entry(c, true);
        if (detail::element_is(name, "CommonPrefixes"))
            return xml::for_each_child(c, [&](std::string_view field, xml::reader& p) -> result<void> {
                return field == "Prefix" ? detail::read_element_text(p, out.common_prefixes.emplace_back()) : result<void>{};
            });
        return {};
    });
    if (!parsed) return std::move(parsed).error();
    if (detail::iequals(out.encoding_type, "url")) {
        if (auto ok = detail::decode_url_fields({{&out.prefix, "Prefix"},
                                                 {&out.key_marker, "KeyMarker"},
                                                 {&out.next_key_marker, "NextKeyMarker"},
                                                 {&out.version_id_marker, "VersionIdMarker"},
                                                 {&out.next_version_id_marker, "NextVersionIdMarker"}});
            !ok)
            return std::move(ok).error();
        for (object_version& v : out.versions)
            if (auto ok = detail::decode_url_field(v.key, "Key"); !ok) return std::move(ok).error();
        for (std::string& p : out.common_prefixes)
            if (auto ok = detail::decode_url_field(p, "Prefix"); !ok) return std::move(ok).error();
    }
    if (out.is_truncated) {
        const bool moves = !out.next_key_marker.empty() &&
                           (out.next_key_marker > out.key_marker ||
                            (out.next_key_marker == out.key_marker && !out.next_version_id_marker.empty() &&
                             out.next_version_id_marker != out.version_id_marker));
        if (!moves)
            return detail::malformed_element("NextKeyMarker", "the page is truncated but names no place after (KeyMarker, VersionIdMarker) to continue from");
    }
    return out;
}

/// The parameters of the page after `page`, whose parsed answer is `result`: the same filters,
/// with key_marker = NextKeyMarker and version_id_marker = NextVersionIdMarker (sent even when
/// empty, as the page asks). Pure. Returns nullopt when `result` is not truncated.
inline std::optional<list_object_versions_params> next_list_object_versions_params(const list_object_versions_params& page,
                                                                                   const list_object_versions_result& result) {
    if (!result.is_truncated) return std::nullopt;
    list_object_versions_params next = page;
    next.key_marker = result.next_key_marker;
    next.version_id_marker = result.next_version_id_marker;
    return next;
}

}  // namespace coswire
