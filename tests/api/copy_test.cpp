// SPDX-License-Identifier: MIT
#include <coswire/api/copy.hpp>

#include <doctest/doctest.h>

#include <coswire/sign/request.hpp>

#include <string>
#include <string_view>

using coswire::errc;
using coswire::http_request;
using coswire::metadata_directive;
using coswire::put_object_copy_params;

namespace {

const coswire::credentials doc_credentials{.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                                           .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz")};

coswire::endpoint bucket(std::string_view name, std::string_view region) {
    auto ep = coswire::make_endpoint(name, region);
    REQUIRE(ep);
    return *ep;
}

std::string header(const http_request& r, std::string_view name) {
    const auto v = r.header(name);
    REQUIRE_MESSAGE(v, "missing header ", name);
    return std::string(*v);
}

// The documented example's source: a key with Chinese characters in another bucket.
put_object_copy_params documented_copy() {
    return {.key = "exampleobject", .source = bucket("sourcebucket-1250000000", "ap-guangzhou"), .source_key = "example-腾讯云.jpg"};
}

void check_refused(const put_object_copy_params& p, std::string_view argument, errc code = errc::invalid_argument) {
    auto r = coswire::make_put_object_copy_request(bucket("examplebucket-1250000000", "ap-beijing"), p);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    CHECK(r.error().argument == argument);
}

}  // namespace

TEST_CASE("make_put_object_copy_request: the documented request, source key percent-encoded, every copy header signed") {
    auto r = coswire::make_put_object_copy_request(bucket("examplebucket-1250000000", "ap-beijing"), documented_copy());
    REQUIRE(r);
    CHECK(r->method == "PUT");
    CHECK(r->target() == "/exampleobject");
    CHECK(r->host == "examplebucket-1250000000.cos.ap-beijing.myqcloud.com");
    // The page's x-cos-copy-source spells the key exactly so.
    CHECK(header(*r, "x-cos-copy-source") ==
          "sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com/example-%E8%85%BE%E8%AE%AF%E4%BA%91.jpg");
    CHECK(header(*r, "x-cos-metadata-directive") == "Copy");
    CHECK(header(*r, "Content-Length") == "0");
    CHECK(r->body_bytes().empty());
    CHECK(r->query.empty());
    auto s = coswire::signer::create(doc_credentials, {1700000000, 1700003600});
    REQUIRE(s);
    auto parts = coswire::authorize(*r, *s);
    REQUIRE(parts);
    CHECK(parts->header_list == "content-length;host;x-cos-copy-source;x-cos-metadata-directive");
}

TEST_CASE("make_put_object_copy_request: version, conditions, class, encryption and replaced metadata") {
    auto p = documented_copy();
    p.source_key = "dir/a b+c.txt";
    p.source_version_id = "MTg0NDUxNjI3NTM0ODE2Njc0MzA";
    p.source_conditions = {.if_match = "\"ba82b57cfdfda8bd17ad4e5879ebb4fe\"", .if_unmodified_since = 1557989151};
    p.directive = metadata_directive::replaced;
    p.attributes = {.content_type = "text/plain",
                    .storage_class = "STANDARD_IA",
                    .server_side_encryption = "AES256",
                    .metadata = {{"origin", "copy"}}};
    auto r = coswire::make_put_object_copy_request(bucket("examplebucket-1250000000", "ap-beijing"), p);
    REQUIRE(r);
    CHECK(header(*r, "x-cos-copy-source") ==
          "sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a%20b%2Bc.txt?versionId=MTg0NDUxNjI3NTM0ODE2Njc0MzA");
    CHECK(header(*r, "x-cos-metadata-directive") == "Replaced");
    CHECK(header(*r, "x-cos-copy-source-If-Match") == "\"ba82b57cfdfda8bd17ad4e5879ebb4fe\"");
    CHECK(header(*r, "x-cos-copy-source-If-Unmodified-Since") == "Thu, 16 May 2019 06:45:51 GMT");
    CHECK(header(*r, "Content-Type") == "text/plain");
    CHECK(header(*r, "x-cos-storage-class") == "STANDARD_IA");
    CHECK(header(*r, "x-cos-server-side-encryption") == "AES256");
    CHECK(header(*r, "x-cos-meta-origin") == "copy");
    CHECK_FALSE(r->header("x-cos-tagging-directive"));

    SUBCASE("tags replace the source's") {
        p.attributes.tagging = "team=a&env=b";
        auto tagged = coswire::make_put_object_copy_request(bucket("examplebucket-1250000000", "ap-beijing"), p);
        REQUIRE(tagged);
        CHECK(header(*tagged, "x-cos-tagging-directive") == "Replaced");
        CHECK(header(*tagged, "x-cos-tagging") == "team=a&env=b");
    }
    SUBCASE("class and encryption go with a copied metadata too") {
        p.directive = metadata_directive::copy;
        p.attributes.content_type.reset();
        p.attributes.metadata.clear();
        auto copied = coswire::make_put_object_copy_request(bucket("examplebucket-1250000000", "ap-beijing"), p);
        REQUIRE(copied);
        CHECK(header(*copied, "x-cos-metadata-directive") == "Copy");
        CHECK(header(*copied, "x-cos-storage-class") == "STANDARD_IA");
    }
}

TEST_CASE("make_put_object_copy_request: every bad argument is refused with its name") {
    auto p = documented_copy();
    SUBCASE("destination key") {
        p.key = "";
        check_refused(p, "object_key");
    }
    SUBCASE("source key") {
        p.source_key = "/leading-slash";
        check_refused(p, "source_key");
    }
    SUBCASE("source host with a port, or none") {
        p.source.host = "sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com:8080";
        check_refused(p, "source");
        p.source.host.clear();
        check_refused(p, "source");
    }
    SUBCASE("source version id empty or with a space") {
        p.source_version_id = "";
        check_refused(p, "source_version_id");
        p.source_version_id = "a b";
        check_refused(p, "source_version_id");
    }
    SUBCASE("metadata that COS would ignore under Copy") {
        p.attributes.content_type = "text/plain";
        check_refused(p, "content_type");
        p.attributes.content_type.reset();
        p.attributes.expires = "Thu, 01 Jan 2099 00:00:00 GMT";
        check_refused(p, "expires");
        p.attributes.expires.reset();
        p.attributes.metadata = {{"a", "b"}};
        check_refused(p, "metadata");
    }
    SUBCASE("conditions") {
        p.source_conditions.if_match = "";
        check_refused(p, "if_match");
        p.source_conditions.if_match = "\"x\"\r\nInjected: 1";
        check_refused(p, "if_match");
        p.source_conditions.if_match.reset();
        p.source_conditions.if_modified_since = -62135596801;
        check_refused(p, "if_modified_since");
    }
    SUBCASE("header injection through an attribute or a repeated header") {
        p.directive = metadata_directive::replaced;
        p.attributes.content_type = "text/plain\nX: y";
        check_refused(p, "content_type");
        p.attributes.content_type.reset();
        p.attributes.extra_headers = {{"x-cos-copy-source", "other"}};
        check_refused(p, "extra_headers");
        p.attributes.extra_headers = {{"Host", "evil"}};
        check_refused(p, "extra_headers");
    }
}
