// SPDX-License-Identifier: MIT
#include <coswire/api/endpoint.hpp>

#include <doctest/doctest.h>

using coswire::domain_kind;
using coswire::endpoint_options;
using coswire::errc;

TEST_CASE("make_endpoint: the virtual-hosted default, https on 443") {
    auto ep = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing");
    REQUIRE(ep);
    CHECK(ep->scheme == "https");
    CHECK(ep->host == "examplebucket-1250000000.cos.ap-beijing.myqcloud.com");
    CHECK(ep->bucket == "examplebucket-1250000000");
}

TEST_CASE("make_endpoint: accelerate, alternate, internal and legacy domains") {
    CHECK(coswire::make_endpoint("b-1", "", {domain_kind::accelerate})->host == "b-1.cos.accelerate.myqcloud.com");
    CHECK(coswire::make_endpoint("b-1", "ap-guangzhou", {domain_kind::alternate})->host == "b-1.cos.ap-guangzhou.tencentcos.cn");
    CHECK(coswire::make_endpoint("b-1", "ap-guangzhou", {domain_kind::internal})->host ==
          "b-1.cos-internal.ap-guangzhou.tencentcos.cn");
    CHECK(coswire::make_endpoint("b-1", "cn-north")->host == "b-1.cn-north.myqcloud.com");
}

TEST_CASE("make_endpoint: the port appears in Host only when it is not the scheme's default") {
    CHECK(coswire::make_endpoint("b-1", "ap-beijing", {domain_kind::standard, true, 443})->host == "b-1.cos.ap-beijing.myqcloud.com");
    CHECK(coswire::make_endpoint("b-1", "ap-beijing", {domain_kind::standard, true, 8443})->host ==
          "b-1.cos.ap-beijing.myqcloud.com:8443");
    auto plain = coswire::make_endpoint("b-1", "ap-beijing", {domain_kind::standard, false, 80});
    CHECK(plain->scheme == "http");
    CHECK(plain->host == "b-1.cos.ap-beijing.myqcloud.com");
    CHECK(coswire::make_endpoint("b-1", "ap-beijing", {domain_kind::standard, false, 443})->host ==
          "b-1.cos.ap-beijing.myqcloud.com:443");
}

TEST_CASE("make_custom_endpoint: a CNAME domain, lower-cased") {
    auto ep = coswire::make_custom_endpoint("Static.Example.com", {domain_kind::standard, true, 0});
    REQUIRE(ep);
    CHECK(ep->host == "static.example.com");
    CHECK(ep->bucket.empty());
    for (const char* bad : {"", ".a.com", "a..com", "a-.com", "a.com.", "a b.com", "a_b.com", "-a.com", "a.com-"}) {
        CAPTURE(bad);
        auto r = coswire::make_custom_endpoint(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "domain");
    }
}

TEST_CASE("make_endpoint: bad buckets and regions name the argument") {
    struct bad_case {
        const char* bucket;
        const char* region;
        const char* argument;
        errc code;
    };
    const bad_case cases[] = {
        {"", "ap-beijing", "bucket", errc::invalid_argument},
        {"examplebucket", "ap-beijing", "bucket", errc::invalid_argument},
        {"example-", "ap-beijing", "bucket", errc::invalid_argument},
        {"-1250000000", "ap-beijing", "bucket", errc::invalid_argument},
        {"Example-1250000000", "ap-beijing", "bucket", errc::invalid_argument},
        {"exa_mple-1250000000", "ap-beijing", "bucket", errc::invalid_argument},
        {"example--1250000000", "ap-beijing", "bucket", errc::invalid_argument},
        {"example-12500x0000", "ap-beijing", "bucket", errc::invalid_argument},
        {"a-very-long-bucket-name-for-testing-1250000000", "ap-singapore", "bucket", errc::limit_exceeded},
        {"example-1250000000", "", "region", errc::invalid_argument},
        {"example-1250000000", "AP-beijing", "region", errc::invalid_argument},
        {"example-1250000000", "ap beijing", "region", errc::invalid_argument},
        {"example-1250000000", "ap-", "region", errc::invalid_argument},
        {"example-1250000000", "ap.beijing", "region", errc::invalid_argument},
    };
    for (const auto& c : cases) {
        CAPTURE(c.bucket);
        CAPTURE(c.region);
        auto r = coswire::make_endpoint(c.bucket, c.region);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == c.argument);
        CHECK(r.error().code == c.code);
    }
}
