// SPDX-License-Identifier: MIT
// The emulator's bucket basics (docs/protocol/buckets.md): whether its one bucket exists, PUT,
// HEAD and DELETE Bucket, GET Bucket location, and GET Service on the service hosts.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator/listings.hpp>
#include <coswire/testing/emulator/objects.hpp>
#include <coswire/testing/emulator/options.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>
#include <coswire/xml/writer.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace coswire::detail::emu {

/// The life of the emulator's bucket: it exists from the start until DELETE Bucket, and again
/// after PUT Bucket.
struct bucket_state {
    bool exists = true;
    std::int64_t created = 0;  ///< server Unix seconds
    bool multi_az = false;     ///< created with BucketAZConfig MAZ
};

/// The region of a default bucket host `<bucket>.cos.<region>.myqcloud.com`; empty for any
/// other host.
constexpr std::string_view region_of(std::string_view host) noexcept {
    constexpr std::string_view middle = ".cos.", suffix = ".myqcloud.com";
    const std::size_t at = host.find(middle);
    if (at == std::string_view::npos || !host.ends_with(suffix) || at + middle.size() + suffix.size() >= host.size()) return {};
    return host.substr(at + middle.size(), host.size() - suffix.size() - at - middle.size());
}

/// Whether `host` is where GET Service goes (coswire::make_service_endpoint): the
/// service.cos.myqcloud.com of every region, or cos.<region>.myqcloud.com of the bucket's.
inline bool is_service_host(const testing::emulator_options& options, std::string_view host) {
    const std::string_view region = region_of(options.host);
    return iequals(host, "service.cos.myqcloud.com") || (!region.empty() && iequals(host, "cos." + std::string(region) + ".myqcloud.com"));
}

/// Whether `x` is PUT Bucket: `PUT /` without parameters (with one it configures the bucket).
inline bool is_put_bucket(const exchange& x) noexcept { return x.method == "PUT" && x.path == "/" && x.params.empty(); }

/// 404 NoSuchBucket for every request to a deleted bucket but PUT Bucket.
inline refusal refuse_missing_bucket(const bucket_state& bucket, const exchange& x) {
    if (bucket.exists || is_put_bucket(x)) return std::nullopt;
    return error_reply(x, 404, "NoSuchBucket", "The specified bucket does not exist.");
}

/// GET Service: the bucket, when it exists and passes the region= filter and marker=, as a
/// ListAllMyBucketsResult; max-keys is read (1 to 2000, else 400 InvalidArgument) but one bucket
/// always fits a page. Other methods on the service host are 405 MethodNotAllowed.
inline http_response list_buckets(const bucket_state& bucket, const testing::emulator_options& options, const exchange& x) {
    if (x.method != "GET" || x.path != "/") return not_allowed(x);
    std::uint64_t max_keys = 0;
    if (refusal r = number_param(x, "max-keys", 2000, max_keys)) return std::move(*r);
    if (max_keys == 0 || max_keys > 2000) return invalid_argument(x, "max-keys must be between 1 and 2000.");
    const std::string_view region = region_of(options.host);
    const bool listed = bucket.exists && (x.param("region") == nullptr || x.param_value("region") == region) &&
                        std::string_view(options.bucket) > x.param_value("marker");
    xml::writer w;
    w.start("ListAllMyBucketsResult");
    write_principal(w, "Owner", options.bucket);
    w.start("Buckets");
    if (listed)
        w.start("Bucket")
            .element("Name", options.bucket)
            .element("Location", region)
            .element("CreationDate", format_iso8601(bucket.created))
            .end();
    w.end().end();
    return xml_reply(x, w);
}

/// PUT Bucket: 409 BucketAlreadyOwnedByYou while the bucket exists; else it exists again, empty,
/// created now, multi-AZ when the body is a CreateBucketConfiguration with BucketAZConfig MAZ
/// (another body is 400 MalformedXML). 200 with no body.
inline http_response put_bucket(bucket_state& bucket, const exchange& x) {
    if (bucket.exists)
        return error_reply(x, 409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.");
    bool multi_az = false;
    if (!x.body.empty()) {
        xml::reader reader(x.body);
        const result<void> read = xml::read_document(reader, [&](std::string_view root, xml::reader& r) -> result<void> {
            if (root != "CreateBucketConfiguration") return make_error(errc::malformed_response, "body", "another root");
            return xml::for_each_child(r, [&](std::string_view name, xml::reader& c) -> result<void> {
                if (name != "BucketAZConfig") return {};
                result<std::string_view> text = c.read_text();
                if (!text) return std::move(text).error();
                multi_az = trim_space(*text) == "MAZ";
                return {};
            });
        });
        if (!read)
            return error_reply(x, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
    }
    bucket = {.exists = true, .created = x.now, .multi_az = multi_az};
    return reply(x, 200);
}

/// DELETE Bucket: 409 BucketNotEmpty while an object, an older version, a delete marker or an
/// unfinished upload is left; else the bucket is gone (NoSuchBucket from then on, and one made
/// again starts never versioned) and the answer is 204.
inline http_response delete_bucket(bucket_state& bucket, bucket_store& store, const exchange& x) {
    if (!store.objects().empty() || !store.history().empty() || !store.sorted_uploads().empty())
        return error_reply(x, 409, "BucketNotEmpty", "The bucket you tried to delete is not empty.");
    store.set_versioning(versioning_status::off);
    bucket.exists = false;
    return reply(x, 204);
}

/// HEAD Bucket: 200 with x-cos-bucket-region, and x-cos-bucket-az-type for a multi-AZ bucket.
inline http_response head_bucket(const bucket_state& bucket, const testing::emulator_options& options, const exchange& x) {
    http_response r = reply(x, 200);
    r.headers.push_back({"x-cos-bucket-region", std::string(region_of(options.host))});
    if (bucket.multi_az) r.headers.push_back({"x-cos-bucket-az-type", "MAZ"});
    return r;
}

/// GET Bucket location: <LocationConstraint>region</LocationConstraint>.
inline http_response bucket_location(const testing::emulator_options& options, const exchange& x) {
    xml::writer w;
    w.element("LocationConstraint", region_of(options.host));
    return xml_reply(x, w);
}

}  // namespace coswire::detail::emu
