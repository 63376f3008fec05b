// SPDX-License-Identifier: MIT
// The emulator's object ACLs (docs/protocol/acl.md): PUT and GET Object acl, and the x-cos-acl
// and x-cos-grant-* headers that set an ACL when an object is written. ACLs are kept and
// answered, never enforced: the emulator serves one account.
#pragma once

#include <coswire/api/acl.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/acl.hpp>
#include <coswire/parse/xml_fields.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>
#include <coswire/xml/writer.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// The account that owns the bucket and every object in it.
inline constexpr std::string_view owner_id = "qcs::cam::uin/100000000001:uin/100000000001";

/// The grant headers of an object, with the permission each gives.
inline constexpr std::array<std::pair<std::string_view, acl_permission>, 4> grant_headers{{
    {"x-cos-grant-read", acl_permission::read},
    {"x-cos-grant-read-acp", acl_permission::read_acp},
    {"x-cos-grant-write-acp", acl_permission::write_acp},
    {"x-cos-grant-full-control", acl_permission::full_control},
}};

/// The grants of one x-cos-grant-* value, `id="<account>"` entries joined by ','; an entry of
/// another shape → 400 InvalidArgument.
inline refusal read_grant_list(const exchange& x, std::string_view name, std::string_view list, acl_permission permission,
                               std::vector<acl_grant>& out) {
    for (;;) {
        const std::size_t comma = list.find(',');
        const std::string_view entry = trim_blanks(list.substr(0, comma));
        if (entry.size() < 6 || !entry.starts_with("id=\"") || !entry.ends_with('"') || entry.find('"', 4) != entry.size() - 1)
            return invalid_argument(x, std::string(name) + " must list id=\"<account>\" entries separated by ','.");
        out.push_back({.kind = acl_grantee_kind::account, .id = std::string(entry.substr(4, entry.size() - 5)), .permission = permission});
        if (comma == std::string_view::npos) return std::nullopt;
        list.remove_prefix(comma + 1);
    }
}

/// Whether a request names an ACL in its headers (x-cos-acl or an x-cos-grant-* header).
inline bool names_acl(const exchange& x) {
    return x.header("x-cos-acl") ||
           std::any_of(grant_headers.begin(), grant_headers.end(), [&](const auto& g) { return x.header(g.first).has_value(); });
}

/// The ACL a write's headers set: x-cos-acl (one of coswire::object_canned_acls, else 400
/// InvalidArgument) and the x-cos-grant-* lists (read_grant_list); without them, the default ACL.
inline refusal read_acl_headers(const exchange& x, testing::emulated_acl& out) {
    out = {};
    if (const auto canned = x.header("x-cos-acl")) {
        if (std::find(std::begin(object_canned_acls), std::end(object_canned_acls), *canned) == std::end(object_canned_acls))
            return invalid_argument(x, "x-cos-acl must be default, private, public-read, authenticated-read, bucket-owner-read or "
                                       "bucket-owner-full-control.");
        out.canned = std::string(*canned);
    }
    for (const auto& [name, permission] : grant_headers)
        if (const auto list = x.header(name))
            if (refusal r = read_grant_list(x, name, *list, permission, out.grants)) return r;
    return std::nullopt;
}

/// The grants of an AccessControlPolicy body, read with the library's grant reader; the owner's
/// FULL_CONTROL, which GET always lists, is not kept twice. Errors: not XML, another root, a
/// grant the reader refuses.
inline result<std::vector<acl_grant>> parse_acl_body(std::string_view body) {
    std::vector<acl_grant> grants;
    xml::reader reader(body);
    result<void> read = xml::read_document(reader, [&](std::string_view root, xml::reader& doc) -> result<void> {
        if (!element_is(root, "AccessControlPolicy")) return malformed_element("document", "the root element is not <AccessControlPolicy>");
        return xml::for_each_child(doc, [&](std::string_view name, xml::reader& list) -> result<void> {
            if (!element_is(name, "AccessControlList")) return {};
            return xml::for_each_child(list, [&](std::string_view child, xml::reader& g) -> result<void> {
                if (!element_is(child, "Grant")) return {};
                result<acl_grant> grant = read_acl_grant(g);
                if (!grant) return std::move(grant).error();
                if (grant->kind != acl_grantee_kind::account || grant->id != owner_id || grant->permission != acl_permission::full_control)
                    grants.push_back(std::move(*grant));
                return {};
            });
        });
    });
    if (!read) return std::move(read).error();
    return grants;
}

/// PUT Object acl: the headers (x-cos-acl, x-cos-grant-*) or, without them, an
/// AccessControlPolicy body replace the whole ACL; when both come the headers win, as
/// docs/protocol/acl.md#put-object-acl says. Neither → 400 MissingRequestBodyError; a bad body →
/// 400 MalformedXML; no object → 404 NoSuchKey.
inline http_response put_acl(bucket_store& store, const exchange& x) {
    testing::emulated_object* o = store.find_object(x.key());
    if (o == nullptr) return no_such_key(x);
    testing::emulated_acl acl;
    if (refusal r = read_acl_headers(x, acl)) return std::move(*r);
    if (!names_acl(x)) {
        if (x.body.empty()) return error_reply(x, 400, "MissingRequestBodyError", "Request body is empty.");
        result<std::vector<acl_grant>> grants = parse_acl_body(x.body);
        if (!grants)
            return error_reply(x, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
        acl.canned = "private";
        acl.grants = std::move(*grants);
    }
    o->acl = std::move(acl);
    return reply(x, 200);
}

/// Writes one Grant of a GET Object acl answer. The Grantee's xsi:type attribute is left out:
/// readers tell a group from an account by its URI or ID child.
inline void write_grant(xml::writer& w, const acl_grant& g) {
    static constexpr std::string_view groups = "http://cam.qcloud.com/groups/global/";
    static constexpr std::array<std::string_view, 4> permissions{"READ", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"};
    w.start("Grant").start("Grantee");
    if (g.kind == acl_grantee_kind::account) w.element("ID", g.id).element("DisplayName", g.id);
    else w.element("URI", std::string(groups) + (g.kind == acl_grantee_kind::all_users ? "AllUsers" : "AuthenticatedUsers"));
    w.end().element("Permission", permissions[static_cast<std::size_t>(g.permission)]).end();
}

/// GET Object acl: the owner, its FULL_CONTROL, READ for everyone (public-read) or every signed
/// account (authenticated-read), then the grants given; 404 NoSuchKey without an object.
inline http_response get_acl(const bucket_store& store, const exchange& x) {
    const testing::emulated_object* o = store.find_object(x.key());
    if (o == nullptr) return no_such_key(x);
    xml::writer w;
    w.start("AccessControlPolicy").start("Owner").element("ID", owner_id).element("DisplayName", owner_id).end();
    w.start("AccessControlList");
    write_grant(w, {.kind = acl_grantee_kind::account, .id = std::string(owner_id), .permission = acl_permission::full_control});
    if (o->acl.canned == "public-read") write_grant(w, {.kind = acl_grantee_kind::all_users, .permission = acl_permission::read});
    if (o->acl.canned == "authenticated-read")
        write_grant(w, {.kind = acl_grantee_kind::authenticated_users, .permission = acl_permission::read});
    for (const acl_grant& g : o->acl.grants) write_grant(w, g);
    w.end().end();
    return xml_reply(x, w);
}

}  // namespace coswire::detail::emu
