// SPDX-License-Identifier: MIT
// Response parsers for the bucket basics: GET Service, PUT Bucket, HEAD Bucket, DELETE Bucket and
// GET Bucket location (docs/protocol/buckets.md).
//
// Choices where Tencent's pages are silent:
// - Each listed Bucket needs its Name; Location and CreationDate are optional. IsTruncated and
//   NextMarker (the SDKs' paging) are read when present; a truncated page without a NextMarker
//   after its Marker is malformed, since following it would loop forever.
// - PUT Bucket succeeds with 200, DELETE Bucket with 204 (200 is accepted too); a 2xx whose body
//   is <Error> is that error for every operation here.
// - GET Bucket location's value is returned without the "cos." older editions put before the
//   region; an empty LocationConstraint is malformed.
// - HEAD Bucket's errors have no body: a 404 reads NoSuchResource (the bucket does not exist),
//   a 403 AccessDenied.
#pragma once

#include <coswire/api/bucket.hpp>
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

/// One Bucket of GET Service's list.
struct bucket_summary {
    std::string name{};                          ///< <name>-<appid>
    std::string region{};                        ///< Location, e.g. ap-beijing
    std::optional<std::int64_t> creation_date{};  ///< CreationDate, Unix seconds
};

/// What GET Service answered (ListAllMyBucketsResult).
struct list_buckets_result {
    std::string request_id{};  ///< x-cos-request-id
    object_owner owner{};      ///< Owner{ID, DisplayName}
    std::vector<bucket_summary> buckets{};  ///< in the order listed
    bool is_truncated = false;  ///< IsTruncated, when COS pages the list
    std::string marker{};       ///< Marker, when listed
    std::string next_marker{};  ///< NextMarker: pass it as marker for the next page
};

/// What PUT Bucket answered.
struct put_bucket_result {
    std::string request_id{};  ///< x-cos-request-id
};

/// What HEAD Bucket answered: the bucket exists and may be read.
struct head_bucket_result {
    std::string request_id{};  ///< x-cos-request-id
    std::string region{};      ///< x-cos-bucket-region
    std::string az_type{};     ///< x-cos-bucket-az-type: MAZ for a multi-AZ bucket, else empty
};

/// What DELETE Bucket answered.
struct delete_bucket_result {
    std::string request_id{};  ///< x-cos-request-id
};

/// What GET Bucket location answered.
struct get_bucket_location_result {
    std::string request_id{};  ///< x-cos-request-id
    std::string region{};      ///< LocationConstraint, e.g. ap-beijing
};

/// GET Service: a 200 ListAllMyBucketsResult. Errors: parse_error_response(r) for any other
/// status or a 200 whose body is <Error>; malformed_response naming "document" (bad XML, another
/// root), "Name" (a Bucket without one), "CreationDate", "IsTruncated" (does not parse), or
/// "NextMarker" for a truncated page without one after Marker; limit_exceeded from the XML
/// reader's limits.
inline result<list_buckets_result> parse_list_buckets_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    list_buckets_result out;
    out.request_id = detail::request_id_of(r);
    const auto bucket = [&](xml::reader& b) -> result<void> {
        bucket_summary s;
        auto ok = xml::for_each_child(b, [&](std::string_view name, xml::reader& f) -> result<void> {
            if (detail::element_is(name, "Name")) return detail::read_element_text(f, s.name);
            if (detail::element_is(name, "Location")) return detail::read_element_text(f, s.region);
            if (detail::element_is(name, "CreationDate")) return detail::store(detail::read_element_time(f, "CreationDate"), s.creation_date);
            return {};
        });
        if (!ok) return ok;
        if (s.name.empty()) return detail::malformed_element("Name", "a listed Bucket has no Name");
        out.buckets.push_back(std::move(s));
        return {};
    };
    auto parsed = detail::read_result_document(r, "ListAllMyBucketsResult", [&](std::string_view name, xml::reader& c) -> result<void> {
        if (detail::element_is(name, "Owner")) return detail::read_element_owner(c, out.owner);
        if (detail::element_is(name, "Buckets"))
            return xml::for_each_child(c, [&](std::string_view child, xml::reader& b) -> result<void> {
                return detail::element_is(child, "Bucket") ? bucket(b) : result<void>{};
            });
        if (detail::element_is(name, "IsTruncated")) return detail::store(detail::read_element_boolean(c, "IsTruncated"), out.is_truncated);
        if (detail::element_is(name, "Marker")) return detail::read_element_text(c, out.marker);
        if (detail::element_is(name, "NextMarker")) return detail::read_element_text(c, out.next_marker);
        return {};
    });
    if (!parsed) return std::move(parsed).error();
    if (out.is_truncated && (out.next_marker.empty() || out.next_marker <= out.marker))
        return detail::malformed_element("NextMarker", "a truncated bucket list must name where the next page starts, after Marker");
    return out;
}

/// PUT Bucket: 200. Errors: parse_error_response(r) otherwise (409 BucketAlreadyExists or
/// BucketAlreadyOwnedByYou, 400 InvalidBucketName, TooManyBuckets, ...), also for a 200 <Error>.
inline result<put_bucket_result> parse_put_bucket_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    return put_bucket_result{detail::request_id_of(r)};
}

/// HEAD Bucket: 200 with the region. Errors: parse_error_response(r) otherwise (404
/// NoSuchResource: no such bucket; 403 AccessDenied), or a repeated one-value header.
inline result<head_bucket_result> parse_head_bucket_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    head_bucket_result out;
    out.request_id = detail::request_id_of(r);
    if (auto v = r.header("x-cos-bucket-region")) out.region = std::string(*v);
    if (auto v = r.header("x-cos-bucket-az-type")) out.az_type = std::string(*v);
    return out;
}

/// DELETE Bucket: 204 (or 200). Errors: parse_error_response(r) otherwise (409 BucketNotEmpty,
/// 404 NoSuchBucket, ...), also for a 2xx <Error>.
inline result<delete_bucket_result> parse_delete_bucket_response(const http_response& r) {
    if (auto ok = expect_status(r, {204, 200}, true); !ok) return std::move(ok).error();
    return delete_bucket_result{detail::request_id_of(r)};
}

/// GET Bucket location: a 200 `<LocationConstraint>region</LocationConstraint>`, "cos." removed.
/// Errors: parse_error_response(r) otherwise; malformed_response naming "document" (bad XML,
/// another root) or "LocationConstraint" (empty).
inline result<get_bucket_location_result> parse_get_bucket_location_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    get_bucket_location_result out;
    out.request_id = detail::request_id_of(r);
    xml::reader reader(r.body);
    auto parsed = xml::read_document(reader, [&](std::string_view name, xml::reader& doc) -> result<void> {
        if (name != "LocationConstraint")
            return detail::malformed_element("document", "the root element is <" + std::string(name) + ">, expected <LocationConstraint>");
        return detail::read_element_text(doc, out.region);
    });
    if (!parsed) return std::move(parsed).error();
    if (std::string_view(out.region).starts_with("cos.")) out.region.erase(0, 4);
    if (out.region.empty()) return detail::malformed_element("LocationConstraint", "names no region");
    return out;
}

}  // namespace coswire
