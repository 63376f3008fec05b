// SPDX-License-Identifier: MIT
// One call for the presigned URL of an object: the request is built from the endpoint and key
// (both paths right by construction), signed for a window the caller's clock gives, and
// returned as the URL plus the headers the user agent must send with it
// (docs/protocol/signing.md#presigned-urls).
//
// Choices where Tencent's pages are silent:
// - Every header the URL is used with is signed (Host and the caller's headers, nothing else),
//   so a user agent cannot change one; an unsigned header would be whatever it likes.
// - No longest lifetime is imposed: how long a bearer credential may live is the caller's
//   policy (coswire's CLI caps it at 7 days, 36 hours with a session token).
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/request.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/request.hpp>
#include <coswire/sign/signer.hpp>
#include <coswire/time/key_time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace coswire {

/// What to presign: a method on one object, for a window of time.
struct presign_object_params {
    std::string key{};         ///< the object key (docs/protocol/endpoints.md#object-keys)
    std::string method = "GET";  ///< GET to download, PUT to upload, HEAD, DELETE, ...
    /// When the URL becomes valid, in Unix seconds from the caller's clock (start a minute in
    /// the past to absorb clock skew).
    std::int64_t start = 0;
    std::int64_t lifetime = 0;                ///< how many seconds after `start` it stays valid, > 0
    std::optional<std::string> version_id{};  ///< versionId: this version of the object
    /// Further query parameters, signed, in order: e.g. response-content-disposition for a GET.
    std::vector<http_query_param> params{};
    /// Headers the user agent sends with the URL, signed, so it must send exactly these values:
    /// e.g. Content-Type or x-cos-storage-class for a PUT. Rules as for extra headers (no Host,
    /// no Authorization, HTTP token names, values without control characters).
    std::vector<http_header> extra_headers{};
    object_key_options key_options{};  ///< whether dot segments are allowed
};

/// A presigned object URL and what goes with it.
struct presigned_object {
    /// scheme://host/<encoded key>?<parameters>&<q-* signature>: a bearer credential until
    /// time.end, holding the session token when the credentials have one.
    std::string url{};
    std::string method{};                ///< the method the URL is signed for
    std::vector<http_header> headers{};  ///< Host, then the extra headers: send them exactly so
    key_time time{};                     ///< the window it is valid for
};

/// Presigns `p.method` on the object `p.key` at `ep` for [start, start + lifetime], signing the
/// parameters (versionId first, then p.params), Host and the extra headers; the session token
/// of `creds`, if any, becomes the signed x-cos-security-token parameter. Errors
/// (invalid_argument): "method" (not an HTTP token); "object_key" (map_object_key's, also
/// limit_exceeded); "start" when negative; "lifetime" when not positive or when the end would
/// overflow; "version_id" when set but empty or not a valid value; "params" for an empty or
/// non-UTF-8 name, a non-UTF-8 value, or a name that collides with the q-* signature fields;
/// "extra_headers" (detail::add_extra_headers); signer::create's for bad credentials.
inline result<presigned_object> presign_object(const endpoint& ep, const credentials& creds, const presign_object_params& p) {
    if (p.start < 0) return make_error(errc::invalid_argument, "start", "must not be negative (Unix seconds)");
    if (p.lifetime <= 0) return make_error(errc::invalid_argument, "lifetime", "must be a positive number of seconds");
    auto time = key_time::starting_at(p.start, p.lifetime);
    if (!time) return make_error(errc::invalid_argument, "lifetime", "start + lifetime passes the largest time");
    auto r = make_object_request(ep, p.method, p.key, p.key_options);
    if (!r) return std::move(r).error();
    if (auto ok = detail::add_nonempty_param(*r, "versionId", p.version_id, "version_id"); !ok) return std::move(ok).error();
    for (const http_query_param& q : p.params) {
        if (q.name.empty() || !detail::is_valid_utf8(q.name))
            return make_error(errc::invalid_argument, "params", "a parameter name is empty or not UTF-8");
        if (auto ok = detail::add_param(*r, q.name, q.value ? std::optional<std::string_view>(*q.value) : std::nullopt, "params");
            !ok)
            return std::move(ok).error();
    }
    if (auto ok = detail::add_extra_headers(*r, p.extra_headers); !ok) return std::move(ok).error();
    auto s = signer::create(creds, *time);
    if (!s) return std::move(s).error();
    auto url = presigned_url(*r, *s, {.headers = header_selection::all});
    if (!url) return std::move(url).error();
    return presigned_object{.url = std::move(*url), .method = std::move(r->method), .headers = std::move(r->headers), .time = *time};
}

}  // namespace coswire
