// SPDX-License-Identifier: MIT
#include <coswire/parse/copy.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

using coswire::errc;
using coswire::http_response;

using test_support::check_malformed;
using test_support::replace_once;

namespace {

// The documented answer (docs/protocol/copy.md#the-answer), with its tab indentation.
const std::string documented_body =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<CopyObjectResult>\n"
    "\t<ETag>\"22e024392de860289f0baa7d6cf8a549\"</ETag>\n"
    "\t<CRC64>11596229263574363878</CRC64>\n"
    "\t<LastModified>2020-04-11T17:51:56Z</LastModified>\n"
    "\t<VersionId>MTg0NDUxNTc0NDYxOTI4MzU0MDI</VersionId>\n"
    "</CopyObjectResult>";

http_response ok_xml(std::string body) {
    return http_response{200, {{"Content-Type", "application/xml"}, {"x-cos-request-id", "NWU5MTIzZTNfYjQyMjJhMDlfMTVhYTFf"}},
                         std::move(body)};
}

}  // namespace

TEST_CASE("parse_put_object_copy_response: reads the documented CopyObjectResult") {
    http_response resp = ok_xml(documented_body);
    resp.headers.push_back({"x-cos-copy-source-version-id", "MTg0NDUxNjI3NTM0ODE2Njc0MzA"});
    resp.headers.push_back({"x-cos-server-side-encryption", "AES256"});
    auto r = coswire::parse_put_object_copy_response(resp);
    REQUIRE(r);
    CHECK(r->etag_raw == "\"22e024392de860289f0baa7d6cf8a549\"");
    CHECK(r->etag == "22e024392de860289f0baa7d6cf8a549");
    CHECK(r->crc64 == 11596229263574363878u);
    CHECK(r->last_modified == 1586627516);
    CHECK(r->version_id == "MTg0NDUxNTc0NDYxOTI4MzU0MDI");
    CHECK(r->source_version_id == "MTg0NDUxNjI3NTM0ODE2Njc0MzA");
    CHECK(r->server_side_encryption == "AES256");
    CHECK(r->request_id == "NWU5MTIzZTNfYjQyMjJhMDlfMTVhYTFf");
}

TEST_CASE("parse_put_object_copy_response: the CRC-64 and version from headers, and their disagreement") {
    const std::string bare = "<CopyObjectResult><ETag>&quot;e1&quot;</ETag></CopyObjectResult>";
    SUBCASE("header only") {
        http_response resp = ok_xml(bare);
        resp.headers.push_back({"x-cos-hash-crc64ecma", "16749565679157681890"});
        resp.headers.push_back({"x-cos-version-id", "v2"});
        auto r = coswire::parse_put_object_copy_response(resp);
        REQUIRE(r);
        CHECK(r->etag == "e1");
        CHECK(r->crc64 == 16749565679157681890u);
        CHECK(r->version_id == "v2");
    }
    SUBCASE("neither: no CRC-64 rather than a made-up one") {
        auto r = coswire::parse_put_object_copy_response(ok_xml(bare));
        REQUIRE(r);
        CHECK_FALSE(r->crc64);
        CHECK_FALSE(r->last_modified);
    }
    SUBCASE("element and header agree") {
        http_response resp = ok_xml(documented_body);
        resp.headers.push_back({"x-cos-hash-crc64ecma", "11596229263574363878"});
        CHECK(coswire::parse_put_object_copy_response(resp));
    }
    SUBCASE("element and header disagree") {
        http_response resp = ok_xml(documented_body);
        resp.headers.push_back({"x-cos-hash-crc64ecma", "1"});
        check_malformed(coswire::parse_put_object_copy_response(resp), "CRC64");
    }
}

TEST_CASE("parse_put_object_copy_response: failures inside a 200, error statuses and hostile bodies") {
    SUBCASE("a 200 whose body is <Error> is that error") {
        auto e = coswire::parse_put_object_copy_response(
            ok_xml("<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>InternalError</Code><Message>We encountered an "
                   "internal error. Please try again.</Message><RequestId>abc</RequestId></Error>"));
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::service_error);
        REQUIRE(e.error().service);
        CHECK(e.error().service->code == "InternalError");
        CHECK(e.error().service->http_status == 200);
    }
    SUBCASE("412 of a source condition and 404 of a missing source") {
        auto changed = coswire::parse_put_object_copy_response(
            http_response{412, {}, "<Error><Code>PreconditionFailed</Code><Message>Precondition not match.</Message></Error>"});
        REQUIRE_FALSE(changed);
        CHECK(coswire::is_cos_error(changed.error(), coswire::cos_errc::precondition_failed));
        auto missing = coswire::parse_put_object_copy_response(
            http_response{404, {}, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"});
        REQUIRE_FALSE(missing);
        CHECK(missing.error().code == errc::service_error);
        CHECK(missing.error().service->code == "NoSuchKey");
    }
    SUBCASE("missing, empty or mistyped fields") {
        check_malformed(coswire::parse_put_object_copy_response(ok_xml(replace_once(documented_body, "\t<ETag>\"22e024392de860289f0baa7d6cf8a549\"</ETag>\n", ""))),
                        "ETag");
        check_malformed(coswire::parse_put_object_copy_response(ok_xml("<CopyObjectResult><ETag/></CopyObjectResult>")), "ETag");
        check_malformed(coswire::parse_put_object_copy_response(ok_xml(replace_once(documented_body, "11596229263574363878", "-1"))), "CRC64");
        check_malformed(coswire::parse_put_object_copy_response(ok_xml(replace_once(documented_body, "11596229263574363878", "99999999999999999999"))),
                        "CRC64");
        check_malformed(coswire::parse_put_object_copy_response(ok_xml(replace_once(documented_body, "2020-04-11T17:51:56Z", "soon"))),
                        "LastModified");
    }
    SUBCASE("another root, no body, a cut body") {
        check_malformed(coswire::parse_put_object_copy_response(ok_xml("<CopyPartResult><ETag>\"a\"</ETag></CopyPartResult>")), "document");
        check_malformed(coswire::parse_put_object_copy_response(ok_xml("")), "document");
        for (std::size_t n = 0; n < documented_body.size(); ++n) {
            auto r = coswire::parse_put_object_copy_response(ok_xml(documented_body.substr(0, n)));
            REQUIRE_FALSE(r);
            CHECK(r.error().code != errc::service_error);
        }
    }
    SUBCASE("a repeated one-value header") {
        http_response resp = ok_xml(documented_body);
        resp.headers.push_back({"x-cos-hash-crc64ecma", "1"});
        resp.headers.push_back({"x-cos-hash-crc64ecma", "2"});
        check_malformed(coswire::parse_put_object_copy_response(resp), "x-cos-hash-crc64ecma");
    }
}
