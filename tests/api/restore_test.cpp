// SPDX-License-Identifier: MIT
#include <coswire/api/restore.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>

#include <span>
#include <string>
#include <string_view>

using coswire::errc;
using coswire::restore_tier;

using test_support::doc_endpoint;
using test_support::md5_base64;


TEST_CASE("make_restore_object_request: the documented request, compact, with its own MD5") {
    auto r = coswire::make_restore_object_request(doc_endpoint(), {.key = "exampleobject", .days = 1, .tier = restore_tier::expedited});
    REQUIRE(r);
    CHECK(r->method == "POST");
    CHECK(r->target() == "/exampleobject?restore");
    CHECK(r->body == "<RestoreRequest><Days>1</Days><CASJobParameters><Tier>Expedited</Tier></CASJobParameters></RestoreRequest>");
    CHECK(r->header("Content-Type") == "application/xml");
    CHECK(r->header("Content-Length") == std::to_string(r->body.size()));
    CHECK(r->header("Content-MD5") == md5_base64(r->body));
    // The page's body, tab-indented with CRLF line ends, has the page's Content-Length and MD5.
    const std::string documented =
        "<RestoreRequest>\r\n\t<Days>1</Days>\r\n\t<CASJobParameters>\r\n\t\t<Tier>Expedited</Tier>\r\n\t</CASJobParameters>\r\n</RestoreRequest>";
    CHECK(documented.size() == 121);
    CHECK(md5_base64(documented) == "Nr7RAnRMgrplFvD8bt5+0w==");
}

TEST_CASE("make_restore_object_request: tiers, days, versions and bad arguments") {
    auto bulk = coswire::make_restore_object_request(doc_endpoint(), {.key = "a", .version_id = "v1", .days = 30, .tier = restore_tier::bulk});
    REQUIRE(bulk);
    CHECK(bulk->target() == "/a?restore&versionId=v1");
    CHECK(bulk->body.find("<Days>30</Days>") != std::string::npos);
    CHECK(bulk->body.find("<Tier>Bulk</Tier>") != std::string::npos);
    auto standard = coswire::make_restore_object_request(doc_endpoint(), {.key = "a"});
    REQUIRE(standard);
    CHECK(standard->body.find("<Days>1</Days><CASJobParameters><Tier>Standard</Tier>") != std::string::npos);
    CHECK(coswire::restore_tier_name(restore_tier::expedited) == "Expedited");

    auto zero = coswire::make_restore_object_request(doc_endpoint(), {.key = "a", .days = 0});
    REQUIRE_FALSE(zero);
    CHECK(zero.error().argument == "days");
    auto no_key = coswire::make_restore_object_request(doc_endpoint(), {});
    REQUIRE_FALSE(no_key);
    CHECK(no_key.error().argument == "object_key");
    auto empty_version = coswire::make_restore_object_request(doc_endpoint(), {.key = "a", .version_id = ""});
    REQUIRE_FALSE(empty_version);
    CHECK(empty_version.error().argument == "version_id");
}
