// SPDX-License-Identifier: MIT
// Request builders for the bucket basics: GET Service (list buckets) on the service endpoint,
// PUT Bucket, HEAD Bucket, DELETE Bucket and GET Bucket location (docs/protocol/buckets.md).
//
// Choices where Tencent's pages are silent:
// - The service endpoint is service.cos.myqcloud.com for every region and cos.<region>.myqcloud.com
//   for one, as the SDKs use them; https by default like every endpoint.
// - GET Service's paging parameters (marker, max-keys) are the SDKs' (max-keys 1 to 2000, the
//   Python SDK's cap); a tag filter needs both key and value.
// - PUT Bucket's multi-AZ body always goes with Content-MD5, like every XML body coswire sends.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/request.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace coswire {

/// The largest max-keys GET Service is asked for (docs/protocol/buckets.md#get-service).
inline constexpr std::uint32_t max_list_buckets_page = 2000;

/// The endpoint of GET Service: service.cos.myqcloud.com, or cos.<region>.myqcloud.com to list
/// the buckets of one region (docs/protocol/buckets.md#get-service). The endpoint names no
/// bucket. Errors: validate_region's for a region that is set.
inline result<endpoint> make_service_endpoint(std::optional<std::string_view> region = std::nullopt,
                                              const endpoint_options& options = {}) {
    if (!region) return detail::finish_endpoint("service.cos.myqcloud.com", options, {});
    if (auto ok = validate_region(*region); !ok) return std::move(ok).error();
    return detail::finish_endpoint("cos." + std::string(*region) + ".myqcloud.com", options, {});
}

/// GET Service: the buckets of the account (docs/protocol/buckets.md#get-service). Send it to
/// make_service_endpoint(). Empty strings are not sent.
struct list_buckets_params {
    std::string region{};     ///< region=: only buckets of this region
    std::string tag_key{};    ///< tagkey=: only buckets with this tag (with tag_value)
    std::string tag_value{};  ///< tagvalue=
    std::string marker{};     ///< marker=: list buckets after this name
    std::optional<std::uint32_t> max_keys{};  ///< max-keys=, 1 to 2000
};

/// `GET /` with the filters and paging parameters that are set. Errors (invalid_argument):
/// "region" (validate_region), "tag_key"/"tag_value" (one without the other, or a control
/// character), "marker" (not valid UTF-8), "max_keys" (0 or above 2000).
inline result<http_request> make_list_buckets_request(const endpoint& ep, const list_buckets_params& p) {
    auto r = make_bucket_request(ep, "GET");
    if (!r) return r;
    if (!p.region.empty())
        if (auto ok = validate_region(p.region); !ok) return std::move(ok).error();
    if (p.tag_key.empty() != p.tag_value.empty())
        return make_error(errc::invalid_argument, p.tag_key.empty() ? "tag_key" : "tag_value",
                          "a tag filter needs both tag_key and tag_value");
    struct text_param {
        std::string_view name{};
        const std::string& value;
        std::string_view argument{};
    };
    const text_param texts[] = {{"region", p.region, "region"},
                                {"tagkey", p.tag_key, "tag_key"},
                                {"tagvalue", p.tag_value, "tag_value"},
                                {"marker", p.marker, "marker"}};
    for (const text_param& t : texts) {
        if (t.value.empty()) continue;
        if (auto ok = validate_header_value(t.value, t.argument); !ok) return std::move(ok).error();
        if (auto ok = detail::add_param(*r, t.name, t.value, t.argument); !ok) return std::move(ok).error();
    }
    if (auto ok = detail::add_page_size_param(*r, "max-keys", p.max_keys, max_list_buckets_page, "max_keys"); !ok)
        return std::move(ok).error();
    return r;
}

/// PUT Bucket: creates the bucket of the endpoint (docs/protocol/buckets.md#put-bucket).
struct put_bucket_params {
    std::optional<std::string> acl{};                 ///< x-cos-acl: private (COS's default), public-read, ...
    std::optional<std::string> grant_read{};          ///< x-cos-grant-read
    std::optional<std::string> grant_write{};         ///< x-cos-grant-write
    std::optional<std::string> grant_read_acp{};      ///< x-cos-grant-read-acp
    std::optional<std::string> grant_write_acp{};     ///< x-cos-grant-write-acp
    std::optional<std::string> grant_full_control{};  ///< x-cos-grant-full-control
    std::optional<std::string> tagging{};             ///< x-cos-tagging: the bucket's tags, k1=v1&k2=v2
    /// Store the bucket in several availability zones (a body naming MAZ); only in regions
    /// that offer it.
    bool multi_az = false;
};

/// The multi-AZ body of PUT Bucket:
/// `<CreateBucketConfiguration><BucketAZConfig>MAZ</BucketAZConfig></CreateBucketConfiguration>`.
inline constexpr std::string_view multi_az_bucket_body =
    "<CreateBucketConfiguration><BucketAZConfig>MAZ</BucketAZConfig></CreateBucketConfiguration>";

/// `PUT /` with the ACL and tag headers that are set, and `Content-Length: 0`, or, for a
/// multi-AZ bucket, the body above with its Content-Type, Content-Length and Content-MD5.
/// Errors (invalid_argument): the header's argument name ("acl", "grant_read", ..., "tagging")
/// for an empty value or one with CR, LF or NUL.
inline result<http_request> make_put_bucket_request(const endpoint& ep, const put_bucket_params& p) {
    auto r = make_bucket_request(ep, "PUT");
    if (!r) return r;
    struct header_param {
        std::string_view name{};
        const std::optional<std::string>& value;
        std::string_view argument{};
    };
    const header_param headers[] = {{"x-cos-acl", p.acl, "acl"},
                                    {"x-cos-grant-read", p.grant_read, "grant_read"},
                                    {"x-cos-grant-write", p.grant_write, "grant_write"},
                                    {"x-cos-grant-read-acp", p.grant_read_acp, "grant_read_acp"},
                                    {"x-cos-grant-write-acp", p.grant_write_acp, "grant_write_acp"},
                                    {"x-cos-grant-full-control", p.grant_full_control, "grant_full_control"},
                                    {"x-cos-tagging", p.tagging, "tagging"}};
    for (const header_param& h : headers)
        if (auto ok = detail::add_nonempty_header(*r, h.name, h.value, h.argument); !ok) return std::move(ok).error();
    if (!p.multi_az) {
        r->headers.push_back({"Content-Length", "0"});
        return r;
    }
    detail::set_xml_body(*r, std::string(multi_az_bucket_body));
    return r;
}

/// HEAD Bucket: whether the bucket of the endpoint exists and may be read, and its region
/// (docs/protocol/buckets.md#head-bucket).
struct head_bucket_params {};

/// `HEAD /`. No errors of its own (make_bucket_request's "method" cannot occur).
inline result<http_request> make_head_bucket_request(const endpoint& ep, const head_bucket_params&) {
    return make_bucket_request(ep, "HEAD");
}

/// DELETE Bucket: deletes the bucket of the endpoint, which must hold no object and no
/// unfinished multipart upload (docs/protocol/buckets.md#delete-bucket).
struct delete_bucket_params {};

/// `DELETE /`. No errors of its own.
inline result<http_request> make_delete_bucket_request(const endpoint& ep, const delete_bucket_params&) {
    return make_bucket_request(ep, "DELETE");
}

/// GET Bucket location: the region of the endpoint's bucket (docs/protocol/buckets.md#get-bucket-location).
struct get_bucket_location_params {};

/// `GET /?location` (valueless, signed as `location=`). No errors of its own.
inline result<http_request> make_get_bucket_location_request(const endpoint& ep, const get_bucket_location_params&) {
    auto r = make_bucket_request(ep, "GET");
    if (!r) return r;
    if (auto ok = detail::add_param(*r, "location", std::nullopt, "location"); !ok) return std::move(ok).error();
    return r;
}

}  // namespace coswire
