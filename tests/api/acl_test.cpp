// SPDX-License-Identifier: MIT
#include <coswire/api/acl.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/sign/request.hpp>

#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using test_support::doc_endpoint;

TEST_CASE("make_put_object_acl_request: PUT ?acl with the canned ACL and grant headers, all signed") {
    auto r = coswire::make_put_object_acl_request(
        doc_endpoint(), {.key = "exampleobject",
                         .acl = "private",
                         .grant_read = {"100000000011", "qcs::cam::uin/100000000001:uin/100000000002"},
                         .grant_full_control = {"100000000001"}});
    REQUIRE(r);
    CHECK(r->method == "PUT");
    CHECK(r->target() == "/exampleobject?acl");
    CHECK(r->header("Content-Length") == "0");
    CHECK(r->header("x-cos-acl") == "private");
    CHECK(r->header("x-cos-grant-read") == "id=\"100000000011\",id=\"qcs::cam::uin/100000000001:uin/100000000002\"");
    CHECK(r->header("x-cos-grant-full-control") == "id=\"100000000001\"");
    CHECK_FALSE(r->header("x-cos-grant-read-acp"));
    CHECK(r->body.empty());
    const coswire::credentials creds{.secret_id = "AKIDx", .secret_key = coswire::secret_string("k")};
    auto s = coswire::signer::create(creds, {1700000000, 1700003600});
    REQUIRE(s);
    auto parts = coswire::authorize(*r, *s);
    REQUIRE(parts);
    CHECK(parts->url_param_list == "acl");
    CHECK(parts->header_list == "content-length;host;x-cos-acl;x-cos-grant-full-control;x-cos-grant-read");

    for (std::string_view canned : coswire::object_canned_acls) {
        CAPTURE(canned);
        CHECK(coswire::make_put_object_acl_request(doc_endpoint(), {.key = "k", .acl = std::string(canned)}));
    }
    auto grants_only = coswire::make_put_object_acl_request(doc_endpoint(), {.key = "k", .grant_write_acp = {"1"}});
    REQUIRE(grants_only);
    CHECK_FALSE(grants_only->header("x-cos-acl"));
    CHECK(grants_only->header("x-cos-grant-write-acp") == "id=\"1\"");
}

TEST_CASE("make_put_object_acl_request: bad arguments are named") {
    const auto refused = [](const coswire::put_object_acl_params& p, std::string_view argument) {
        auto r = coswire::make_put_object_acl_request(doc_endpoint(), p);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().argument == argument);
    };
    refused({.acl = "private"}, "object_key");
    refused({.key = "k"}, "acl");
    refused({.key = "k", .acl = "public-read-write"}, "acl");
    refused({.key = "k", .acl = "Private"}, "acl");
    refused({.key = "k", .grant_read = {""}}, "grant_read");
    refused({.key = "k", .grant_read_acp = {"1\",id=\"2"}}, "grant_read_acp");
    refused({.key = "k", .grant_write_acp = {"1,2"}}, "grant_write_acp");
    refused({.key = "k", .grant_full_control = {"1\r\nX: y"}}, "grant_full_control");
}

TEST_CASE("acl_grant_header_value: the value object_attributes' grant members take") {
    const std::vector<std::string> ids = {"100000000001", "100000000002"};
    CHECK(coswire::acl_grant_header_value(ids).value() == "id=\"100000000001\",id=\"100000000002\"");
    auto none = coswire::acl_grant_header_value({}, "grant_read");
    REQUIRE_FALSE(none);
    CHECK(none.error().argument == "grant_read");
    const std::vector<std::string> bad = {"1", ""};
    CHECK(coswire::acl_grant_header_value(bad).error().reason.find("account 1") != std::string::npos);
}

TEST_CASE("make_get_object_acl_request: GET ?acl") {
    auto r = coswire::make_get_object_acl_request(doc_endpoint(), {.key = "dir/a b"});
    REQUIRE(r);
    CHECK(r->method == "GET");
    CHECK(r->target() == "/dir/a%20b?acl");
    CHECK(coswire::make_get_object_acl_request(doc_endpoint(), {}).error().argument == "object_key");
}
