// SPDX-License-Identifier: MIT
#include <coswire/api/append.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/sign/request.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;

using test_support::doc_endpoint;


TEST_CASE("make_append_object_request: POST ?append&position= with the bytes, signed with both parameters") {
    auto r = coswire::make_append_object_request(doc_endpoint(), {.key = "exampleobject",
                                                                  .position = 0,
                                                                  .body = "[Object Content]",
                                                                  .attributes = {.content_type = "text/plain"},
                                                                  .compute_content_md5 = true});
    REQUIRE(r);
    CHECK(r->method == "POST");
    CHECK(r->target() == "/exampleobject?append&position=0");
    CHECK(r->header("Content-Length") == "16");
    CHECK(r->header("Content-Type") == "text/plain");
    // Base64 of the MD5 ee8de918... of "[Object Content]" (docs/protocol/test-vectors.md#checksums).
    CHECK(r->header("Content-MD5") == "7o3pGNBWQBRbGPcPTDqmAg==");
    CHECK(r->body == "[Object Content]");
    const coswire::credentials creds{.secret_id = "AKIDx", .secret_key = coswire::secret_string("k")};
    auto s = coswire::signer::create(creds, {1700000000, 1700003600});
    REQUIRE(s);
    auto parts = coswire::authorize(*r, *s);
    REQUIRE(parts);
    CHECK(parts->url_param_list == "append;position");

    SUBCASE("a borrowed payload at a later position") {
        const std::string bytes(100, 'x');
        auto later = coswire::make_append_object_request(
            doc_endpoint(), {.key = "log", .position = 16, .payload = {std::as_bytes(std::span<const char>(bytes))}});
        REQUIRE(later);
        CHECK(later->target() == "/log?append&position=16");
        CHECK(later->header("Content-Length") == "100");
        CHECK(later->body_bytes().size() == 100);
    }
}

TEST_CASE("make_append_object_request: bad arguments and the 5 GiB limit") {
    const auto refused = [](const coswire::append_object_params& p, std::string_view argument, errc code = errc::invalid_argument) {
        auto r = coswire::make_append_object_request(doc_endpoint(), p);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == code);
        CHECK(r.error().argument == argument);
    };
    refused({}, "object_key");
    const std::string bytes = "abc";
    refused({.key = "k", .payload = {std::as_bytes(std::span<const char>(bytes))}, .body = "x"}, "body");
    refused({.key = "k", .body = "x", .attributes = {.storage_class = "STANDARD_IA"}}, "storage_class");
    refused({.key = "k", .body = "x", .content_md5 = "not base64"}, "content_md5");
    refused({.key = "k", .body = "x", .attributes = {.metadata = {{"bad_name", "v"}}}}, "metadata");
    refused({.key = "k", .position = coswire::max_appendable_object_size, .body = "x"}, "position", errc::limit_exceeded);
    refused({.key = "k", .position = UINT64_MAX, .body = "x"}, "position", errc::limit_exceeded);
    CHECK(coswire::make_append_object_request(doc_endpoint(), {.key = "k", .position = coswire::max_appendable_object_size - 1, .body = "x"}));
}
