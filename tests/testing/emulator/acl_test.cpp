// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/acl.hpp>

#include <doctest/doctest.h>

#include "harness.hpp"

#include <coswire/api/acl.hpp>
#include <coswire/api/append.hpp>
#include <coswire/api/copy.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/parse/acl.hpp>
#include <coswire/parse/append.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>

#include <string>
#include <vector>

using coswire::acl_grant;
using coswire::acl_grantee_kind;
using coswire::acl_permission;
using emu_test::harness;

namespace emu = coswire::detail::emu;

namespace {

const std::string owner(emu::owner_id);

/// Each grant as "<who> <permission>": the id, or "*" for everyone, "~" for signed accounts.
std::vector<std::string> grants_of(const std::vector<acl_grant>& grants) {
    static constexpr const char* permissions[] = {"READ", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"};
    std::vector<std::string> out;
    for (const acl_grant& g : grants) {
        const std::string who = g.kind == acl_grantee_kind::all_users ? "*" : g.kind == acl_grantee_kind::authenticated_users ? "~" : g.id;
        out.push_back(who + " " + permissions[static_cast<int>(g.permission)]);
    }
    return out;
}

std::vector<std::string> acl_of(harness& h, const std::string& key) {
    const auto got = h.ok(coswire::get_object_acl_params{.key = key});
    CHECK(got.owner.id == owner);
    return grants_of(got.grants);
}

/// PUT /k?acl with `body` and the extra headers `headers`, past the builder (which sends headers only).
std::string put_raw(harness& h, std::string body, std::vector<coswire::http_header> headers = {}) {
    auto built = coswire::make_put_object_acl_request(h.client.bucket_endpoint(), {.key = "k", .acl = "private"});
    REQUIRE(built);
    std::erase_if(built->headers, [](const coswire::http_header& x) { return x.name == "x-cos-acl"; });
    for (auto& x : headers) emu::set_header(built->headers, x.name, x.value);
    emu::set_header(built->headers, "Content-Length", std::to_string(body.size()));
    built->body = std::move(body);
    const auto r = h.client.run(*built, [](const coswire::http_response& a) { return coswire::parse_put_object_acl_response(a); });
    if (r) return "200";
    REQUIRE(r.error().service);
    return std::to_string(r.error().service->http_status) + " " + r.error().service->code;
}

}  // namespace

TEST_CASE("emulator acl: a new object is private to its owner; canned ACLs and grants round-trip through PUT and GET") {
    harness h;
    h.ok(coswire::put_object_params{.key = "k", .body = "x"});
    CHECK(acl_of(h, "k") == std::vector<std::string>{owner + " FULL_CONTROL"});
    CHECK(h.server.object("k")->acl.canned == "default");

    h.ok(coswire::put_object_acl_params{.key = "k", .acl = "public-read", .grant_read_acp = {"100000000011", "100000000012"},
                                        .grant_full_control = {"qcs::cam::uin/100000000013:uin/100000000013"}});
    CHECK(acl_of(h, "k") == std::vector<std::string>{owner + " FULL_CONTROL", "* READ", "100000000011 READ_ACP", "100000000012 READ_ACP",
                                                     "qcs::cam::uin/100000000013:uin/100000000013 FULL_CONTROL"});
    // PUT replaces the whole ACL.
    h.ok(coswire::put_object_acl_params{.key = "k", .acl = "authenticated-read"});
    CHECK(acl_of(h, "k") == std::vector<std::string>{owner + " FULL_CONTROL", "~ READ"});
    h.ok(coswire::put_object_acl_params{.key = "k", .grant_write_acp = {"100000000021"}});
    CHECK(acl_of(h, "k") == std::vector<std::string>{owner + " FULL_CONTROL", "100000000021 WRITE_ACP"});
    CHECK(h.server.object("k")->acl.canned == "default");
}

TEST_CASE("emulator acl: PUT Object, Initiate and copy set the ACL their headers name; a copy never takes the source's") {
    harness h;
    h.ok(coswire::put_object_params{.key = "a", .body = "x",
                                    .attributes = {.acl = "public-read", .grant_read = "id=\"100000000031\""}});
    CHECK(acl_of(h, "a") == std::vector<std::string>{owner + " FULL_CONTROL", "* READ", "100000000031 READ"});

    h.ok(coswire::put_object_copy_params{.key = "b", .source = h.client.bucket_endpoint(), .source_key = "a"});
    CHECK(acl_of(h, "b") == std::vector<std::string>{owner + " FULL_CONTROL"});
    h.ok(coswire::put_object_copy_params{.key = "c", .source = h.client.bucket_endpoint(), .source_key = "a",
                                         .attributes = {.grant_full_control = "id=\"100000000032\""}});
    CHECK(acl_of(h, "c") == std::vector<std::string>{owner + " FULL_CONTROL", "100000000032 FULL_CONTROL"});

    const auto up = h.ok(coswire::initiate_multipart_upload_params{.key = "m", .attributes = {.acl = "authenticated-read"}});
    const std::string part = "part bytes";
    const auto p1 = h.ok(coswire::upload_part_params{.key = "m", .upload_id = up.upload_id, .part_number = 1,
                                                     .payload = {std::as_bytes(std::span<const char>(part))}});
    h.ok(coswire::complete_multipart_upload_params{.key = "m", .upload_id = up.upload_id, .parts = {{1, p1.etag_raw}}});
    CHECK(acl_of(h, "m") == std::vector<std::string>{owner + " FULL_CONTROL", "~ READ"});
}

TEST_CASE("emulator acl: the first append sets the ACL its headers name; later appends keep the ACL") {
    harness h;
    auto first = coswire::make_append_object_request(h.client.bucket_endpoint(), {.key = "log", .position = 0, .body = "a"});
    REQUIRE(first);
    first->headers.push_back({"x-cos-acl", "public-read"});
    REQUIRE(h.client.run(*first, [](const coswire::http_response& a) { return coswire::parse_append_object_response(a); }));
    CHECK(acl_of(h, "log") == std::vector<std::string>{owner + " FULL_CONTROL", "* READ"});
    h.ok(coswire::put_object_acl_params{.key = "log", .grant_read = {"100000000041"}});
    h.ok(coswire::append_object_params{.key = "log", .position = 1, .body = "b"});
    CHECK(acl_of(h, "log") == std::vector<std::string>{owner + " FULL_CONTROL", "100000000041 READ"});
}

TEST_CASE("emulator acl: an AccessControlPolicy body sets the ACL; headers win over a body; COS's errors") {
    harness h;
    h.ok(coswire::put_object_params{.key = "k", .body = "x"});
    const std::string policy =
        "<AccessControlPolicy><Owner><ID>" + owner + "</ID></Owner><AccessControlList>"
        "<Grant><Grantee><ID>" + owner + "</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>"
        "<Grant><Grantee><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>"
        "<Grant><Grantee><ID>qcs::cam::uin/100000000002:uin/100000000002</ID></Grantee><Permission>READ_ACP</Permission></Grant>"
        "</AccessControlList></AccessControlPolicy>";
    CHECK(put_raw(h, policy) == "200");
    // The owner's FULL_CONTROL is listed once, whatever the body repeated.
    CHECK(acl_of(h, "k") == std::vector<std::string>{owner + " FULL_CONTROL", "* READ", "qcs::cam::uin/100000000002:uin/100000000002 READ_ACP"});
    CHECK(put_raw(h, policy, {{"x-cos-acl", "private"}}) == "200");
    CHECK(acl_of(h, "k") == std::vector<std::string>{owner + " FULL_CONTROL"});

    CHECK(put_raw(h, "") == "400 MissingRequestBodyError");
    CHECK(put_raw(h, "<AccessControlPolicy>") == "400 MalformedXML");
    CHECK(put_raw(h, "<Tagging/>") == "400 MalformedXML");
    CHECK(put_raw(h, "<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>1</ID></Grantee><Permission>WRITE</Permission>"
                     "</Grant></AccessControlList></AccessControlPolicy>") == "400 MalformedXML");
    CHECK(put_raw(h, "", {{"x-cos-acl", "public-read-write"}}) == "400 InvalidArgument");
    CHECK(put_raw(h, "", {{"x-cos-grant-read", "id=100000000001"}}) == "400 InvalidArgument");
    CHECK(put_raw(h, "", {{"x-cos-grant-read", "id=\"1\",uri=\"x\""}}) == "400 InvalidArgument");
    CHECK(put_raw(h, "", {{"x-cos-grant-read", "id=\"\""}}) == "400 InvalidArgument");
    // A refused PUT changes nothing.
    CHECK(acl_of(h, "k") == std::vector<std::string>{owner + " FULL_CONTROL"});
    CHECK(h.refused(coswire::put_object_params{.key = "n", .body = "x", .attributes = {.acl = "bad"}}) == "400 InvalidArgument");
    CHECK_FALSE(h.server.object("n"));

    CHECK(h.refused(coswire::get_object_acl_params{.key = "missing"}) == "404 NoSuchKey");
    CHECK(h.refused(coswire::put_object_acl_params{.key = "missing", .acl = "private"}) == "404 NoSuchKey");
}

TEST_CASE("read_grant_list: id=\"...\" entries separated by commas, blanks allowed around them") {
    const emu::exchange x;
    std::vector<acl_grant> out;
    CHECK_FALSE(emu::read_grant_list(x, "x-cos-grant-read", "id=\"1\", id=\"qcs::cam::uin/2:uin/2\"", acl_permission::read, out));
    CHECK(grants_of(out) == std::vector<std::string>{"1 READ", "qcs::cam::uin/2:uin/2 READ"});
    for (const char* bad : {"", "id=\"1\",", "id=\"a\"b\"", "ID=\"1\"", "id='1'"}) {
        CAPTURE(bad);
        CHECK(emu::read_grant_list(x, "x-cos-grant-read", bad, acl_permission::read, out));
    }
}
