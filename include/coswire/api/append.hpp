// SPDX-License-Identifier: MIT
// Request builder for APPEND Object: adds bytes at the end of an appendable object, creating it
// with the first append at position 0 (docs/protocol/append.md).
//
// Choices where Tencent's pages are silent:
// - One append carries at most 5 GB and the whole appendable object may not grow past 5 GB: both
//   are refused before anything is sent (5 × 2^30 bytes, as for PUT Object).
// - A storage class is refused: COS ignores it on an append (the object keeps its class).
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/limits.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/request.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace coswire {

/// The largest appendable object, and so the most one append may carry: 5 GB = 5 × 2^30 bytes
/// (docs/protocol/append.md#limits).
inline constexpr std::uint64_t max_appendable_object_size = std::uint64_t{5} << 30;

/// APPEND Object (docs/protocol/append.md#request).
struct append_object_params {
    std::string key{};  ///< the object key
    /// Where the bytes go: 0 for the first append (which creates the object), then the
    /// object's length, which each answer gives as next_append_position.
    std::uint64_t position = 0;
    payload_view payload{};  ///< the bytes, borrowed; set one of payload, body and reader
    std::string body{};      ///< the bytes, owned
    body_reader reader{};    ///< or pulled as the transport sends them (docs/transport.md#pulled-request-bodies)
    /// Content-Type, Cache-Control, ..., metadata and ACL of the object (taken from the first
    /// append); no storage class.
    object_attributes attributes{};
    std::optional<std::string> content_md5{};  ///< Content-MD5 of the bytes, base64 of 16 bytes
    bool compute_content_md5 = false;        ///< compute Content-MD5 instead
    object_key_options key_options{};          ///< whether dot segments are allowed
};

/// `POST /<key>?append&position=N` with the bytes, Content-Length, Content-MD5 when given or asked
/// for, and the attributes. Errors (invalid_argument unless noted): "object_key" (map_object_key's);
/// "body" when more than one of payload, body and reader is set, limit_exceeded "body" over 5 GB; limit_exceeded
/// "position" when position plus the bytes passes 5 GB; "content_md5"; "storage_class" when set;
/// the attribute's name for a bad attribute.
inline result<http_request> make_append_object_request(const endpoint& ep, const append_object_params& p) {
    auto r = make_object_request(ep, "POST", p.key, p.key_options);
    if (!r) return r;
    if (p.attributes.storage_class)
        return make_error(errc::invalid_argument, "storage_class", "is ignored by COS on an append; the object keeps its class");
    if (auto ok = detail::add_param(*r, "append", std::nullopt, "append"); !ok) return std::move(ok).error();
    if (auto ok = detail::add_param(*r, "position", detail::decimal(p.position), "position"); !ok) return std::move(ok).error();
    if (auto ok = detail::set_upload_body(*r, "body", p.body, p.payload, p.reader); !ok) return std::move(ok).error();
    const std::uint64_t size = r->body_size();
    if (auto ok = detail::add_body_headers(*r, max_appendable_object_size, "body",
                                           "more than the 5 GiB (5368709120 bytes) an appendable object may hold", p.content_md5,
                                           p.compute_content_md5);
        !ok)
        return std::move(ok).error();
    if (p.position > max_appendable_object_size - size)
        return make_error(errc::limit_exceeded, "position",
                          "appending " + detail::decimal(size) + " bytes at " + detail::decimal(p.position) +
                              " passes the 5 GiB (5368709120 bytes) an appendable object may hold");
    if (auto ok = detail::add_object_attributes(*r, p.attributes); !ok) return std::move(ok).error();
    return r;
}

}  // namespace coswire
