// SPDX-License-Identifier: MIT
// Request builder for DELETE Multiple Objects: up to 1000 keys (and versions) deleted with one
// POST /?delete, and the split of a longer list into such requests
// (docs/protocol/delete-multiple.md).
//
// Choices where Tencent's pages are silent:
// - Quiet is always sent (the page marks it required; false is its default).
// - Keys are checked as any object key is (map_object_key: not empty, at most 850 bytes, no
//   NUL, CR or LF, no leading '/'), and must be text XML 1.0 can carry; this request has no
//   encoding-type, so a key XML cannot carry must be deleted with DELETE Object.
// - A list of keys naming the same (key, version) twice is refused: it would be reported twice.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/request.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/characters.hpp>
#include <coswire/xml/writer.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// The most objects one DELETE Multiple Objects request may name (docs/protocol/delete-multiple.md#request).
inline constexpr std::size_t max_delete_objects = 1000;

/// One object to delete: a key, and optionally the version (or delete marker) to delete for good.
struct object_to_delete {
    std::string key{};                        ///< the object key
    std::optional<std::string> version_id{};  ///< without it a versioned bucket gets a delete marker
};

/// DELETE Multiple Objects (docs/protocol/delete-multiple.md#request).
struct delete_multiple_objects_params {
    std::vector<object_to_delete> objects{};  ///< 1 to 1000 entries
    /// Quiet mode: COS reports only the keys it could not delete.
    bool quiet = false;
    object_key_options key_options{};  ///< whether dot segments are allowed in the keys
};

/// The XML body: `<Delete><Quiet>false</Quiet><Object><Key>k</Key>[<VersionId>v</VersionId>]</Object>...</Delete>`,
/// compact, keys escaped by xml::writer. Errors (invalid_argument naming "objects", the reason
/// giving the index): an empty list or more than 1000 entries; a key map_object_key refuses (also
/// limit_exceeded for one over 850 bytes) or that XML 1.0 cannot carry; a version id set but empty
/// or not a valid header value; the same key and version twice.
inline result<std::string> make_delete_multiple_objects_body(std::span<const object_to_delete> objects, bool quiet,
                                                             const object_key_options& key_options = {}) {
    if (objects.empty()) return make_error(errc::invalid_argument, "objects", "must name at least one object");
    if (objects.size() > max_delete_objects)
        return make_error(errc::invalid_argument, "objects",
                          "names " + std::to_string(objects.size()) + " objects, one request takes at most 1000; "
                          "split_delete_multiple_objects cuts a longer list");
    xml::writer w;
    w.start("Delete").element("Quiet", quiet ? "true" : "false");
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        const object_to_delete& o = objects[i];
        const auto refuse = [&](errc code, std::string_view what) {
            return make_error(code, "objects", "entry " + std::to_string(i) + ": " + std::string(what));
        };
        if (auto paths = map_object_key(o.key, key_options); !paths) return refuse(paths.error().code, paths.error().reason);
        if (detail::xml_text_error_offset(o.key) != o.key.size())
            return refuse(errc::invalid_argument, "the key holds a character XML 1.0 cannot carry; delete it with DELETE Object");
        if (o.version_id && (o.version_id->empty() || !validate_header_value(*o.version_id, "version_id")))
            return refuse(errc::invalid_argument, "the version id is set but empty or holds a control character");
        if (!seen.insert({o.key, o.version_id ? std::string_view(*o.version_id) : std::string_view()}).second)
            return refuse(errc::invalid_argument, "names the same key and version as an earlier entry");
        w.start("Object").element("Key", o.key);
        if (o.version_id) w.element("VersionId", *o.version_id);
        w.end();
    }
    w.end();
    return w.finish();
}

/// `POST /?delete` (valueless, signed as `delete=`) with the body of
/// make_delete_multiple_objects_body, `Content-Type: application/xml`, `Content-Length` and
/// `Content-MD5`, which COS requires for this request (docs/protocol/delete-multiple.md#request).
/// Errors: those of the body function.
inline result<http_request> make_delete_multiple_objects_request(const endpoint& ep, const delete_multiple_objects_params& p) {
    auto body = make_delete_multiple_objects_body(p.objects, p.quiet, p.key_options);
    if (!body) return std::move(body).error();
    auto r = make_bucket_request(ep, "POST");
    if (!r) return r;
    if (auto ok = detail::add_param(*r, "delete", std::nullopt, "delete"); !ok) return std::move(ok).error();
    detail::set_xml_body(*r, std::move(*body));
    return r;
}

/// Cuts `objects` into requests of at most 1000 entries each, in order, each with `quiet`.
/// An empty list gives no request. Entries are checked when each request is built.
inline std::vector<delete_multiple_objects_params> split_delete_multiple_objects(std::span<const object_to_delete> objects,
                                                                                 bool quiet = false,
                                                                                 const object_key_options& key_options = {}) {
    std::vector<delete_multiple_objects_params> out;
    for (std::size_t at = 0; at < objects.size(); at += max_delete_objects) {
        const std::size_t n = std::min(max_delete_objects, objects.size() - at);
        out.push_back({.objects = {objects.begin() + static_cast<std::ptrdiff_t>(at),
                                   objects.begin() + static_cast<std::ptrdiff_t>(at + n)},
                       .quiet = quiet,
                       .key_options = key_options});
    }
    return out;
}

}  // namespace coswire
