// SPDX-License-Identifier: MIT
// Request builders for PUT and GET Object acl (`?acl`): a canned ACL and grant headers, and the
// value a grant header holds (docs/protocol/acl.md).
//
// Choices where Tencent's pages are silent or disagree (docs/protocol/acl.md#choices):
// - PUT sends the header form only (x-cos-acl and the x-cos-grant-* headers, Content-Length: 0);
//   it says everything the AccessControlPolicy body says for an object's grantees.
// - The canned ACL must be one of the six an object takes; public-read-write is refused (objects
//   have no WRITE permission).
// - A grantee id is passed as given, so both the short `100000000001` and the long
//   `qcs::cam::uin/100000000001:uin/100000000001` forms work; '"' and ',' are refused, since
//   they would split the header's list.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/request.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// The canned ACLs an object takes (x-cos-acl). "default": no ACL of its own, the bucket's
/// decides (what a new object has).
inline constexpr std::string_view object_canned_acls[] = {
    "default", "private", "public-read", "authenticated-read", "bucket-owner-read", "bucket-owner-full-control",
};

/// The value of one x-cos-grant-* header for the accounts `ids`: `id="<id>"` each, joined by
/// ','. Errors: invalid_argument naming `argument` when `ids` is empty, or an id is empty, holds
/// '"' or ',', or is not a valid header value (the reason gives its index).
inline result<std::string> acl_grant_header_value(std::span<const std::string> ids, std::string_view argument = "ids") {
    if (ids.empty()) return make_error(errc::invalid_argument, argument, "names no account");
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::string& id = ids[i];
        const std::string at = "account " + std::to_string(i) + " ";
        if (id.empty()) return make_error(errc::invalid_argument, argument, at + "is empty");
        if (id.find_first_of("\",") != std::string::npos)
            return make_error(errc::invalid_argument, argument, at + "holds '\"' or ',', which would split the list");
        if (auto ok = validate_header_value(id, argument); !ok) {
            error e = std::move(ok).error();
            e.reason = at + e.reason;
            return e;
        }
        if (i > 0) out += ',';
        out += "id=\"" + id + "\"";
    }
    return out;
}

/// PUT Object acl: replaces the whole ACL of the object (docs/protocol/acl.md#put-object-acl).
/// Set a canned ACL, grants, or both; each grant list names the accounts, e.g.
/// `{.key = "a", .acl = "private", .grant_read = {"100000000011"}}`.
struct put_object_acl_params {
    std::string key{};                     ///< the object key
    std::optional<std::string> acl{};      ///< x-cos-acl: one of object_canned_acls
    std::vector<std::string> grant_read{};          ///< x-cos-grant-read: may read the object
    std::vector<std::string> grant_read_acp{};      ///< x-cos-grant-read-acp: may read its ACL
    std::vector<std::string> grant_write_acp{};     ///< x-cos-grant-write-acp: may change its ACL
    std::vector<std::string> grant_full_control{};  ///< x-cos-grant-full-control: all of these
    object_key_options key_options{};               ///< whether dot segments are allowed
};

/// GET Object acl: the object's owner and grants (docs/protocol/acl.md#get-object-acl).
struct get_object_acl_params {
    std::string key{};                 ///< the object key
    object_key_options key_options{};  ///< whether dot segments are allowed
};

/// `PUT /<key>?acl`, `Content-Length: 0`, x-cos-acl when set, then each non-empty grant list as
/// its x-cos-grant-* header. Errors (invalid_argument): "object_key" (map_object_key's, also
/// limit_exceeded); "acl" when it is not one of object_canned_acls, or when neither an ACL nor a
/// grant is set (an empty request would not say what the ACL becomes); "grant_read",
/// "grant_read_acp", "grant_write_acp", "grant_full_control" for a bad account id
/// (acl_grant_header_value).
inline result<http_request> make_put_object_acl_request(const endpoint& ep, const put_object_acl_params& p) {
    struct grant_header {
        std::string_view header{};
        std::vector<std::string> put_object_acl_params::*member{};
        std::string_view argument{};
    };
    static constexpr grant_header grants[] = {
        {"x-cos-grant-read", &put_object_acl_params::grant_read, "grant_read"},
        {"x-cos-grant-read-acp", &put_object_acl_params::grant_read_acp, "grant_read_acp"},
        {"x-cos-grant-write-acp", &put_object_acl_params::grant_write_acp, "grant_write_acp"},
        {"x-cos-grant-full-control", &put_object_acl_params::grant_full_control, "grant_full_control"},
    };
    auto r = make_object_request(ep, "PUT", p.key, p.key_options);
    if (!r) return r;
    const bool any_grant = std::any_of(std::begin(grants), std::end(grants), [&](const grant_header& g) { return !(p.*g.member).empty(); });
    if (!p.acl && !any_grant)
        return make_error(errc::invalid_argument, "acl", "set a canned ACL or at least one grant; PUT replaces the whole ACL");
    if (p.acl && std::find(std::begin(object_canned_acls), std::end(object_canned_acls), *p.acl) == std::end(object_canned_acls))
        return make_error(errc::invalid_argument, "acl",
                          "must be default, private, public-read, authenticated-read, bucket-owner-read or bucket-owner-full-control");
    if (auto ok = detail::add_param(*r, "acl", std::nullopt, "acl"); !ok) return std::move(ok).error();
    if (auto ok = detail::add_header(*r, "Content-Length", "0", "content_length"); !ok) return std::move(ok).error();
    if (auto ok = detail::add_optional_header(*r, "x-cos-acl", p.acl, "acl"); !ok) return std::move(ok).error();
    for (const grant_header& g : grants) {
        if ((p.*g.member).empty()) continue;
        auto value = acl_grant_header_value(p.*g.member, g.argument);
        if (!value) return std::move(value).error();
        if (auto ok = detail::add_header(*r, g.header, *value, g.argument); !ok) return std::move(ok).error();
    }
    return r;
}

/// `GET /<key>?acl`. Errors: "object_key" (map_object_key's).
inline result<http_request> make_get_object_acl_request(const endpoint& ep, const get_object_acl_params& p) {
    auto r = make_object_request(ep, "GET", p.key, p.key_options);
    if (!r) return r;
    if (auto ok = detail::add_param(*r, "acl", std::nullopt, "acl"); !ok) return std::move(ok).error();
    return r;
}

}  // namespace coswire
