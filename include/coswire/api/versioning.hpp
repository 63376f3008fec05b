// SPDX-License-Identifier: MIT
// Request builders for versioning: PUT and GET Bucket versioning, and GET Bucket Object
// versions, which lists every version and delete marker (docs/protocol/versioning.md).
//
// Choices where Tencent's pages are silent:
// - PUT Bucket versioning sends Content-MD5 of its body, like every XML body coswire sends.
// - version-id-marker is sent only with key-marker (COS ignores it alone, so it is refused), and
//   may be empty: the page says to send it empty when the previous NextVersionIdMarker was.
// - Listings ask for encoding-type=url by default (docs/protocol/encoding-type.md).
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/limits.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/request.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/writer.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace coswire {

/// A bucket's versioning state (docs/protocol/versioning.md#bucket-versioning).
enum class versioning_status {
    off,        ///< never enabled: objects have no version ids
    enabled,    ///< every write makes a new version
    suspended,  ///< writes make the "null" version; older versions stay
};

/// PUT Bucket versioning: enables or suspends versioning. A bucket that had it cannot go back
/// to off.
struct put_bucket_versioning_params {
    versioning_status status = versioning_status::enabled;  ///< enabled or suspended
};

/// `PUT /?versioning` with `<VersioningConfiguration><Status>Enabled|Suspended</Status></VersioningConfiguration>`,
/// Content-Type, Content-Length and Content-MD5. Errors: invalid_argument naming "status" for
/// versioning_status::off, which COS has no way to set.
inline result<http_request> make_put_bucket_versioning_request(const endpoint& ep, const put_bucket_versioning_params& p) {
    if (p.status == versioning_status::off)
        return make_error(errc::invalid_argument, "status", "versioning can be enabled or suspended, never turned off");
    auto r = make_bucket_request(ep, "PUT");
    if (!r) return r;
    if (auto ok = detail::add_param(*r, "versioning", std::nullopt, "versioning"); !ok) return std::move(ok).error();
    xml::writer w;
    w.start("VersioningConfiguration").element("Status", p.status == versioning_status::enabled ? "Enabled" : "Suspended").end();
    auto body = w.finish();
    if (!body) return std::move(body).error();
    detail::set_xml_body(*r, std::move(*body));
    return r;
}

/// GET Bucket versioning: the bucket's versioning state.
struct get_bucket_versioning_params {};

/// `GET /?versioning`. No errors of its own.
inline result<http_request> make_get_bucket_versioning_request(const endpoint& ep, const get_bucket_versioning_params&) {
    auto r = make_bucket_request(ep, "GET");
    if (!r) return r;
    if (auto ok = detail::add_param(*r, "versioning", std::nullopt, "versioning"); !ok) return std::move(ok).error();
    return r;
}

/// GET Bucket Object versions, one page (docs/protocol/versioning.md#listing-versions). Empty
/// strings are not sent.
struct list_object_versions_params {
    std::string prefix{};     ///< only keys starting with this
    std::string delimiter{};  ///< group keys into CommonPrefixes up to it
    std::string key_marker{};  ///< list after this key (all its versions, unless version_id_marker)
    /// With key_marker: list the versions of that key after this one. Sent even when empty, as
    /// the page asks after an empty NextVersionIdMarker.
    std::optional<std::string> version_id_marker{};
    std::optional<std::uint32_t> max_keys{};  ///< 1 to 1000, versions, delete markers and prefixes together
    bool url_encoding = true;                 ///< send encoding-type=url; the parser decodes
};

/// `GET /?versions[&prefix=][&delimiter=][&key-marker=][&version-id-marker=][&max-keys=][&encoding-type=url]`.
/// Errors (invalid_argument): "prefix", "delimiter", "key_marker", "version_id_marker" (not
/// valid UTF-8 or a control character; version_id_marker without key_marker), "max_keys" (0 or
/// above 1000).
inline result<http_request> make_list_object_versions_request(const endpoint& ep, const list_object_versions_params& p) {
    auto r = make_bucket_request(ep, "GET");
    if (!r) return r;
    if (auto ok = detail::add_param(*r, "versions", std::nullopt, "versions"); !ok) return std::move(ok).error();
    if (p.version_id_marker && p.key_marker.empty())
        return make_error(errc::invalid_argument, "version_id_marker", "is ignored by COS without key_marker");
    struct text_param {
        std::string_view name{};
        std::string_view value{};
        bool send = false;
        std::string_view argument{};
    };
    const text_param texts[] = {
        {"prefix", p.prefix, !p.prefix.empty(), "prefix"},
        {"delimiter", p.delimiter, !p.delimiter.empty(), "delimiter"},
        {"key-marker", p.key_marker, !p.key_marker.empty(), "key_marker"},
        {"version-id-marker", p.version_id_marker ? std::string_view(*p.version_id_marker) : std::string_view(), p.version_id_marker.has_value(),
         "version_id_marker"},
    };
    for (const text_param& t : texts) {
        if (!t.send) continue;
        if (auto ok = validate_header_value(t.value, t.argument); !ok) return std::move(ok).error();
        if (auto ok = detail::add_param(*r, t.name, t.value, t.argument); !ok) return std::move(ok).error();
    }
    if (auto ok = detail::add_page_size_param(*r, "max-keys", p.max_keys, max_list_objects_keys, "max_keys"); !ok)
        return std::move(ok).error();
    if (auto ok = detail::add_url_encoding_param(*r, p.url_encoding); !ok) return std::move(ok).error();
    return r;
}

}  // namespace coswire
