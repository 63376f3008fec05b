// SPDX-License-Identifier: MIT
#include <coswire/api/versioning.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>

#include <span>
#include <string>
#include <string_view>

using coswire::errc;
using coswire::versioning_status;

using test_support::doc_endpoint;
using test_support::md5_base64;


TEST_CASE("make_put_bucket_versioning_request: Enabled or Suspended, never off") {
    auto on = coswire::make_put_bucket_versioning_request(doc_endpoint(), {});
    REQUIRE(on);
    CHECK(on->method == "PUT");
    CHECK(on->target() == "/?versioning");
    CHECK(on->body == "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>");
    CHECK(on->header("Content-Type") == "application/xml");
    CHECK(on->header("Content-Length") == std::to_string(on->body.size()));
    CHECK(on->header("Content-MD5") == md5_base64(on->body));
    auto paused = coswire::make_put_bucket_versioning_request(doc_endpoint(), {.status = versioning_status::suspended});
    REQUIRE(paused);
    CHECK(paused->body == "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>");
    auto off = coswire::make_put_bucket_versioning_request(doc_endpoint(), {.status = versioning_status::off});
    REQUIRE_FALSE(off);
    CHECK(off.error().argument == "status");
    // The page's example body (four-space indentation, CRLF) is the 83 bytes its Content-Length says.
    CHECK(std::string_view("<VersioningConfiguration>\r\n    <Status>Enabled</Status>\r\n</VersioningConfiguration>").size() == 83);
    auto get = coswire::make_get_bucket_versioning_request(doc_endpoint(), {});
    REQUIRE(get);
    CHECK(get->method == "GET");
    CHECK(get->target() == "/?versioning");
}

TEST_CASE("make_list_object_versions_request: every parameter, in order, and an empty version-id-marker") {
    auto all = coswire::make_list_object_versions_request(doc_endpoint(), {});
    REQUIRE(all);
    CHECK(all->target() == "/?versions&encoding-type=url");
    auto page = coswire::make_list_object_versions_request(
        doc_endpoint(), {.prefix = "照片/", .delimiter = "/", .key_marker = "a b", .version_id_marker = "", .max_keys = 1000, .url_encoding = false});
    REQUIRE(page);
    CHECK(page->target() == "/?versions&prefix=%E7%85%A7%E7%89%87%2F&delimiter=%2F&key-marker=a%20b&version-id-marker=&max-keys=1000");

    const auto refused = [](const coswire::list_object_versions_params& p, std::string_view argument) {
        auto r = coswire::make_list_object_versions_request(doc_endpoint(), p);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().argument == argument);
    };
    refused({.version_id_marker = "v"}, "version_id_marker");
    refused({.max_keys = 0}, "max_keys");
    refused({.max_keys = 1001}, "max_keys");
    refused({.prefix = "a\nb"}, "prefix");
    refused({.key_marker = "bad\xff"}, "key_marker");
}
