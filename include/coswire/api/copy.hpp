// SPDX-License-Identifier: MIT
// Request builder for PUT Object - Copy: a server-side copy of one object of up to 5 GB, from any
// bucket and region the caller may read (docs/protocol/copy.md).
//
// Choices where Tencent's pages are silent:
// - x-cos-copy-source is spelled exactly as Upload Part - Copy spells it (the same function):
//   the source host, "/" and the percent-encoded key with '/' kept, then ?versionId=.
// - x-cos-metadata-directive is always sent, Copy or Replaced. Under Copy, COS ignores the
//   metadata headers of the request, so setting one (Content-Type, Cache-Control, ...,
//   x-cos-meta-*) is refused rather than silently dropped.
// - Tags given in the attributes go with x-cos-tagging-directive: Replaced, since COS would
//   otherwise ignore them and copy the source's.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/request.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace coswire {

/// Where a copy takes the metadata of the new object from (x-cos-metadata-directive).
enum class metadata_directive {
    copy,      ///< Copy: the source's Content-Type, Cache-Control, ..., x-cos-meta-*
    replaced,  ///< Replaced: those of the request (attributes); the source's are dropped
};

/// PUT Object - Copy (docs/protocol/copy.md#put-object-copy): makes `key` a copy of `source_key`
/// in the bucket at `source`. Storage class, ACL and encryption are never taken from the source:
/// set them in `attributes` or the copy gets the bucket's defaults (STANDARD, no encryption).
struct put_object_copy_params {
    std::string key{};  ///< the destination key (docs/protocol/endpoints.md#object-keys)
    /// The source bucket, e.g. make_endpoint("srcbucket-1250000000", "ap-guangzhou"): its host
    /// names the source (scheme and port play no part).
    endpoint source{};
    std::string source_key{};                        ///< the source object's key
    std::optional<std::string> source_version_id{};  ///< copy this version of the source
    metadata_directive directive = metadata_directive::copy;  ///< see metadata_directive
    /// Headers of the copy: storage class, ACL, encryption, tags always; Content-Type,
    /// Cache-Control, Content-Disposition, Content-Encoding, Expires and metadata only with
    /// metadata_directive::replaced. The extra headers carry e.g. the source's SSE-C key
    /// (x-cos-copy-source-server-side-encryption-customer-*).
    object_attributes attributes{};
    /// Conditions on the source, sent as x-cos-copy-source-If-*: a source that does not meet
    /// them fails with 412 PreconditionFailed and nothing is copied.
    object_conditions source_conditions{};
    object_key_options key_options{};  ///< applies to key and source_key
    /// The SSE-C key of the source object (x-cos-copy-source-server-side-encryption-customer-*);
    /// the copy's own encryption is attributes.encryption.
    std::optional<server_side_encryption> source_encryption{};
};

namespace detail {

/// x-cos-copy-source for a copy: the same value Upload Part - Copy sends for this source.
inline result<std::string> copy_source_value(const endpoint& source, const std::string& source_key,
                                             const std::optional<std::string>& source_version_id,
                                             const object_key_options& key_options) {
    upload_part_copy_params same_source;
    same_source.source = source;
    same_source.source_key = source_key;
    same_source.source_version_id = source_version_id;
    same_source.key_options = key_options;
    return part_copy_source_value(same_source);
}

/// Refuses the attributes COS ignores under metadata_directive::copy.
inline result<void> check_copied_metadata(const object_attributes& a) {
    struct ignored_attribute {
        const std::optional<std::string> object_attributes::*member;
        std::string_view argument;
    };
    static constexpr ignored_attribute ignored[] = {
        {&object_attributes::content_type, "content_type"},
        {&object_attributes::cache_control, "cache_control"},
        {&object_attributes::content_disposition, "content_disposition"},
        {&object_attributes::content_encoding, "content_encoding"},
        {&object_attributes::expires, "expires"},
    };
    const std::string why = " is ignored by COS when the metadata is copied; use metadata_directive::replaced";
    for (const ignored_attribute& i : ignored)
        if (a.*i.member) return make_error(errc::invalid_argument, i.argument, std::string(i.argument) + why);
    if (!a.metadata.empty()) return make_error(errc::invalid_argument, "metadata", "metadata" + why);
    return {};
}

}  // namespace detail

/// `PUT /<key>`, `Content-Length: 0`, `x-cos-copy-source`, `x-cos-metadata-directive`, the
/// x-cos-copy-source-If-* conditions, `x-cos-tagging-directive: Replaced` when tags are given,
/// then the attributes. Errors (invalid_argument): "object_key" (map_object_key, also
/// limit_exceeded); "source", "source_key", "source_version_id" as for Upload Part - Copy;
/// "content_type", "cache_control", "content_disposition", "content_encoding", "expires",
/// "metadata" when set under metadata_directive::copy; "if_match", "if_none_match",
/// "if_modified_since", "if_unmodified_since" as for GET Object; "source_encryption" (not SSE-C,
/// a bad key, or over http); the attribute's name for a bad attribute value ("extra_headers" for a repeated or reserved header).
inline result<http_request> make_put_object_copy_request(const endpoint& ep, const put_object_copy_params& p) {
    auto r = make_object_request(ep, "PUT", p.key, p.key_options);
    if (!r) return r;
    if (auto ok = detail::add_header(*r, "Content-Length", "0", "content_length"); !ok) return std::move(ok).error();
    auto source = detail::copy_source_value(p.source, p.source_key, p.source_version_id, p.key_options);
    if (!source) return std::move(source).error();
    if (auto ok = detail::add_header(*r, "x-cos-copy-source", *source, "source"); !ok) return std::move(ok).error();
    const bool replaced = p.directive == metadata_directive::replaced;
    if (!replaced)
        if (auto ok = detail::check_copied_metadata(p.attributes); !ok) return std::move(ok).error();
    if (auto ok = detail::add_header(*r, "x-cos-metadata-directive", replaced ? "Replaced" : "Copy", "directive"); !ok)
        return std::move(ok).error();
    if (auto ok = detail::add_conditions(*r, p.source_conditions, "x-cos-copy-source-"); !ok) return std::move(ok).error();
    if (auto ok = detail::add_encryption(*r, p.source_encryption, sse_target::copy_source, "source_encryption", true); !ok)
        return std::move(ok).error();
    if (p.attributes.tagging)
        if (auto ok = detail::add_header(*r, "x-cos-tagging-directive", "Replaced", "tagging"); !ok) return std::move(ok).error();
    if (auto ok = detail::add_object_attributes(*r, p.attributes); !ok) return std::move(ok).error();
    return r;
}

}  // namespace coswire
