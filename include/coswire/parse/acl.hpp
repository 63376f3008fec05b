// SPDX-License-Identifier: MIT
// Response parsers for PUT and GET Object acl: the AccessControlPolicy document with its owner
// and grants (docs/protocol/acl.md).
//
// Choices where Tencent's pages are silent:
// - PUT succeeds with 200; a 2xx whose body is <Error> is that error.
// - A grantee's kind is told by its children, not by its xsi:type attribute: a URI names a
//   group (AllUsers, AuthenticatedUsers), an ID an account; the ID qcs::cam::anyone:anyone means
//   everyone, as the Go SDK reads it. A grantee with neither, or a permission other than the four
//   an object has, is malformed.
#pragma once

#include <coswire/api/acl.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/parse/xml_fields.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// What a grant allows on an object.
enum class acl_permission {
    read,          ///< READ: read the object
    read_acp,      ///< READ_ACP: read its ACL
    write_acp,     ///< WRITE_ACP: change its ACL
    full_control,  ///< FULL_CONTROL: all of the above
};

/// Who a grant is for.
enum class acl_grantee_kind {
    account,              ///< one Tencent Cloud account (acl_grant::id)
    all_users,            ///< anyone, signed or not
    authenticated_users,  ///< any Tencent Cloud account
};

/// One Grant of an AccessControlPolicy.
struct acl_grant {
    acl_grantee_kind kind = acl_grantee_kind::account;  ///< from the grantee's URI or ID
    std::string id{};            ///< ID of an account grantee, e.g. qcs::cam::uin/100000000001:uin/100000000001
    std::string display_name{};  ///< DisplayName, when listed
    std::string uri{};           ///< URI of a group grantee, verbatim
    acl_permission permission = acl_permission::read;  ///< Permission
};

/// What PUT Object acl answered.
struct put_object_acl_result {
    std::string request_id{};  ///< x-cos-request-id
};

/// What GET Object acl answered: the AccessControlPolicy.
struct get_object_acl_result {
    std::string request_id{};         ///< x-cos-request-id
    object_owner owner{};             ///< Owner: ID and DisplayName
    std::vector<acl_grant> grants{};  ///< AccessControlList, in the order listed
};

/// PUT Object acl: 200. Errors: parse_error_response(r) otherwise, also for a 200 <Error>;
/// malformed_response for a repeated one-value header.
inline result<put_object_acl_result> parse_put_object_acl_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    return put_object_acl_result{detail::request_id_of(r)};
}

namespace detail {

/// Permission text to acl_permission. Errors: malformed_response naming "Permission".
inline result<acl_permission> parse_acl_permission(std::string_view text) {
    if (text == "READ") return acl_permission::read;
    if (text == "READ_ACP") return acl_permission::read_acp;
    if (text == "WRITE_ACP") return acl_permission::write_acp;
    if (text == "FULL_CONTROL") return acl_permission::full_control;
    return malformed_element("Permission", "'" + std::string(text.substr(0, 40)) + "' is not a permission an object has");
}

/// One Grant{Grantee{URI | ID, DisplayName}, Permission}.
inline result<acl_grant> read_acl_grant(xml::reader& g) {
    acl_grant out;
    std::string permission;
    auto ok = xml::for_each_child(g, [&](std::string_view name, xml::reader& c) -> result<void> {
        if (element_is(name, "Permission")) return read_element_text(c, permission);
        if (!element_is(name, "Grantee")) return {};
        return xml::for_each_child(c, [&](std::string_view field, xml::reader& f) -> result<void> {
            if (element_is(field, "ID")) return read_element_text(f, out.id);
            if (element_is(field, "DisplayName")) return read_element_text(f, out.display_name);
            if (element_is(field, "URI")) return read_element_text(f, out.uri);
            return {};
        });
    });
    if (!ok) return std::move(ok).error();
    if (!out.uri.empty()) {
        if (out.uri.ends_with("/groups/global/AllUsers")) out.kind = acl_grantee_kind::all_users;
        else if (out.uri.ends_with("/groups/global/AuthenticatedUsers")) out.kind = acl_grantee_kind::authenticated_users;
        else return malformed_element("URI", "'" + out.uri.substr(0, 80) + "' is not a group COS defines");
    } else if (out.id == "qcs::cam::anyone:anyone") {
        out.kind = acl_grantee_kind::all_users;
    } else if (out.id.empty()) {
        return malformed_element("Grantee", "has neither an ID nor a URI");
    }
    auto parsed = parse_acl_permission(permission);
    if (!parsed) return std::move(parsed).error();
    out.permission = *parsed;
    return out;
}

}  // namespace detail

/// GET Object acl: a 200 AccessControlPolicy{Owner{ID, DisplayName}, AccessControlList{Grant...}}.
/// Errors: parse_error_response(r) otherwise (404 NoSuchKey, 403 AccessDenied, ...);
/// malformed_response naming "document" (bad XML, another root), "Grantee" (neither ID nor URI),
/// "URI" (an unknown group), "Permission" (not READ, READ_ACP, WRITE_ACP or FULL_CONTROL), or a
/// repeated header; limit_exceeded from the XML reader's limits.
inline result<get_object_acl_result> parse_get_object_acl_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    get_object_acl_result out;
    out.request_id = detail::request_id_of(r);
    auto parsed = detail::read_result_document(r, "AccessControlPolicy", [&](std::string_view name, xml::reader& c) -> result<void> {
        if (detail::element_is(name, "Owner")) return detail::read_element_owner(c, out.owner);
        if (!detail::element_is(name, "AccessControlList")) return {};
        return xml::for_each_child(c, [&](std::string_view child, xml::reader& g) -> result<void> {
            if (!detail::element_is(child, "Grant")) return {};
            auto grant = detail::read_acl_grant(g);
            if (!grant) return std::move(grant).error();
            out.grants.push_back(std::move(*grant));
            return {};
        });
    });
    if (!parsed) return std::move(parsed).error();
    return out;
}

}  // namespace coswire
