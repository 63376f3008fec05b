// SPDX-License-Identifier: MIT
#include <coswire/api/bucket.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/sign/request.hpp>

#include <span>
#include <string>
#include <string_view>

using coswire::errc;

using test_support::doc_endpoint;
using test_support::md5_base64;
using test_support::check_refused;


TEST_CASE("make_service_endpoint: every region, or one") {
    auto all = coswire::make_service_endpoint();
    REQUIRE(all);
    CHECK(all->host == "service.cos.myqcloud.com");
    CHECK(all->scheme == "https");
    CHECK(all->bucket.empty());
    auto one = coswire::make_service_endpoint("ap-guangzhou", {.use_https = false});
    REQUIRE(one);
    CHECK(one->host == "cos.ap-guangzhou.myqcloud.com");
    CHECK(one->scheme == "http");
    check_refused(coswire::make_service_endpoint("AP_Guangzhou"), "region");
    check_refused(coswire::make_service_endpoint(""), "region");
}

TEST_CASE("make_list_buckets_request: GET / with the filters that are set, signed") {
    auto ep = coswire::make_service_endpoint().value();
    auto plain = coswire::make_list_buckets_request(ep, {});
    REQUIRE(plain);
    CHECK(plain->method == "GET");
    CHECK(plain->target() == "/");
    CHECK(plain->header("Host") == "service.cos.myqcloud.com");
    auto filtered = coswire::make_list_buckets_request(
        ep, {.region = "ap-beijing", .tag_key = "team", .tag_value = "a b", .marker = "m-1250000000", .max_keys = 2000});
    REQUIRE(filtered);
    CHECK(filtered->target() == "/?region=ap-beijing&tagkey=team&tagvalue=a%20b&marker=m-1250000000&max-keys=2000");
    const coswire::credentials creds{.secret_id = "AKIDx", .secret_key = coswire::secret_string("k")};
    auto s = coswire::signer::create(creds, {1700000000, 1700003600});
    REQUIRE(s);
    auto parts = coswire::authorize(*filtered, *s);
    REQUIRE(parts);
    CHECK(parts->url_param_list == "marker;max-keys;region;tagkey;tagvalue");

    check_refused(coswire::make_list_buckets_request(ep, {.region = "Beijing"}), "region");
    check_refused(coswire::make_list_buckets_request(ep, {.tag_key = "team"}), "tag_value");
    check_refused(coswire::make_list_buckets_request(ep, {.tag_value = "a"}), "tag_key");
    check_refused(coswire::make_list_buckets_request(ep, {.tag_key = "t", .tag_value = "a\r\nb"}), "tag_value");
    check_refused(coswire::make_list_buckets_request(ep, {.marker = "bad\xff"}), "marker");
    check_refused(coswire::make_list_buckets_request(ep, {.max_keys = 0}), "max_keys");
    check_refused(coswire::make_list_buckets_request(ep, {.max_keys = 2001}), "max_keys");
}

TEST_CASE("make_put_bucket_request: ACL and tag headers, and the multi-AZ body with its MD5") {
    auto plain = coswire::make_put_bucket_request(doc_endpoint(), {.acl = "private", .grant_read = "id=\"100000000001\""});
    REQUIRE(plain);
    CHECK(plain->method == "PUT");
    CHECK(plain->target() == "/");
    CHECK(plain->header("x-cos-acl") == "private");
    CHECK(plain->header("x-cos-grant-read") == "id=\"100000000001\"");
    CHECK(plain->header("Content-Length") == "0");
    CHECK(plain->body.empty());

    auto maz = coswire::make_put_bucket_request(doc_endpoint(), {.multi_az = true});
    REQUIRE(maz);
    CHECK(maz->body == coswire::multi_az_bucket_body);
    CHECK(maz->header("Content-Type") == "application/xml");
    CHECK(maz->header("Content-Length") == std::to_string(maz->body.size()));
    CHECK(maz->header("Content-MD5") == md5_base64(maz->body));
    // The page's own body, with tabs and CRLF, has the Content-MD5 the page prints.
    CHECK(md5_base64("<CreateBucketConfiguration>\r\n\t<BucketAZConfig>MAZ</BucketAZConfig>\r\n</CreateBucketConfiguration>") ==
          "R1ES/YbddhKJK/wcN+f4yg==");

    check_refused(coswire::make_put_bucket_request(doc_endpoint(), {.acl = ""}), "acl");
    check_refused(coswire::make_put_bucket_request(doc_endpoint(), {.tagging = "a=b\nc"}), "tagging");
    check_refused(coswire::make_put_bucket_request(doc_endpoint(), {.grant_full_control = std::string("x\0y", 3)}), "grant_full_control");
}

TEST_CASE("HEAD, DELETE Bucket and GET Bucket location: the request lines") {
    auto head = coswire::make_head_bucket_request(doc_endpoint(), {});
    REQUIRE(head);
    CHECK(head->method == "HEAD");
    CHECK(head->target() == "/");
    auto del = coswire::make_delete_bucket_request(doc_endpoint(), {});
    REQUIRE(del);
    CHECK(del->method == "DELETE");
    CHECK(del->target() == "/");
    auto location = coswire::make_get_bucket_location_request(doc_endpoint(), {});
    REQUIRE(location);
    CHECK(location->method == "GET");
    CHECK(location->target() == "/?location");
    CHECK(location->header("Host") == "examplebucket-1250000000.cos.ap-beijing.myqcloud.com");
}
