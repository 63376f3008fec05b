// SPDX-License-Identifier: MIT
#include <coswire/parse/bucket.hpp>

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

// The documented answer (docs/protocol/buckets.md#get-service).
const std::string documented_buckets =
    "<ListAllMyBucketsResult>\n"
    "\t<Owner>\n\t\t<ID>qcs::cam::uin/100000000001:uin/100000000001</ID>\n\t\t<DisplayName>100000000001</DisplayName>\n\t</Owner>\n"
    "\t<Buckets>\n"
    "\t\t<Bucket>\n\t\t\t<Name>examplebucket1-1250000000</Name>\n\t\t\t<Location>ap-beijing</Location>\n"
    "\t\t\t<CreationDate>2019-05-24T11:49:50Z</CreationDate>\n\t\t</Bucket>\n"
    "\t\t<Bucket>\n\t\t\t<Name>examplebucket2-1250000000</Name>\n\t\t\t<Location>ap-beijing</Location>\n"
    "\t\t\t<CreationDate>2019-05-24T11:51:50Z</CreationDate>\n\t\t</Bucket>\n"
    "\t</Buckets>\n"
    "</ListAllMyBucketsResult>";

http_response ok(std::string body = {}, int status = 200) {
    return http_response{status, {{"x-cos-request-id", "NWQ4ZjI0ZGFfYTBiMjQwOV8xMWE4XzQ2"}}, std::move(body)};
}

}  // namespace

TEST_CASE("parse_list_buckets_response: reads the documented ListAllMyBucketsResult") {
    auto r = coswire::parse_list_buckets_response(ok(documented_buckets));
    REQUIRE(r);
    CHECK(r->owner.id == "qcs::cam::uin/100000000001:uin/100000000001");
    CHECK(r->owner.display_name == "100000000001");
    REQUIRE(r->buckets.size() == 2);
    CHECK(r->buckets[0].name == "examplebucket1-1250000000");
    CHECK(r->buckets[0].region == "ap-beijing");
    CHECK(r->buckets[0].creation_date == 1558698590);
    CHECK(r->buckets[1].name == "examplebucket2-1250000000");
    CHECK_FALSE(r->is_truncated);
    CHECK(r->request_id == "NWQ4ZjI0ZGFfYTBiMjQwOV8xMWE4XzQ2");

    SUBCASE("no buckets at all") {
        auto empty = coswire::parse_list_buckets_response(ok("<ListAllMyBucketsResult><Owner/><Buckets/></ListAllMyBucketsResult>"));
        REQUIRE(empty);
        CHECK(empty->buckets.empty());
    }
    SUBCASE("a page with a next marker") {
        auto paged = coswire::parse_list_buckets_response(
            ok(replace_once(documented_buckets, "</Buckets>", "</Buckets><IsTruncated>true</IsTruncated><NextMarker>examplebucket2-1250000000</NextMarker>")));
        REQUIRE(paged);
        CHECK(paged->is_truncated);
        CHECK(paged->next_marker == "examplebucket2-1250000000");
    }
}

TEST_CASE("parse_list_buckets_response: hostile answers are malformed or the error") {
    check_malformed(coswire::parse_list_buckets_response(ok(replace_once(documented_buckets, "<Name>examplebucket1-1250000000</Name>", ""))), "Name");
    check_malformed(coswire::parse_list_buckets_response(ok(replace_once(documented_buckets, "2019-05-24T11:49:50Z", "May"))), "CreationDate");
    check_malformed(coswire::parse_list_buckets_response(ok(replace_once(documented_buckets, "</Buckets>", "</Buckets><IsTruncated>1</IsTruncated>"))),
                    "IsTruncated");
    check_malformed(coswire::parse_list_buckets_response(ok(replace_once(documented_buckets, "</Buckets>", "</Buckets><IsTruncated>true</IsTruncated>"))),
                    "NextMarker");
    check_malformed(coswire::parse_list_buckets_response(
                        ok(replace_once(documented_buckets, "</Buckets>", "</Buckets><IsTruncated>true</IsTruncated><Marker>b</Marker><NextMarker>a</NextMarker>"))),
                    "NextMarker");
    check_malformed(coswire::parse_list_buckets_response(ok("<ListBucketResult/>")), "document");
    for (std::size_t n = 0; n < documented_buckets.size(); ++n) CHECK_FALSE(coswire::parse_list_buckets_response(ok(documented_buckets.substr(0, n))));
    auto denied = coswire::parse_list_buckets_response(ok("<Error><Code>AccessDenied</Code><Message>m</Message></Error>", 403));
    REQUIRE_FALSE(denied);
    CHECK(coswire::is_cos_error(denied.error(), coswire::cos_errc::access_denied));
    auto in_200 = coswire::parse_list_buckets_response(ok("<Error><Code>InternalError</Code></Error>"));
    REQUIRE_FALSE(in_200);
    CHECK(in_200.error().code == errc::service_error);
}

TEST_CASE("parse_put_bucket_response and parse_delete_bucket_response: success and COS's refusals") {
    CHECK(coswire::parse_put_bucket_response(ok())->request_id == "NWQ4ZjI0ZGFfYTBiMjQwOV8xMWE4XzQ2");
    auto taken = coswire::parse_put_bucket_response(ok("<Error><Code>BucketAlreadyExists</Code><Message>m</Message></Error>", 409));
    REQUIRE_FALSE(taken);
    CHECK(taken.error().service->code == "BucketAlreadyExists");
    CHECK(coswire::parse_delete_bucket_response(ok({}, 204)));
    CHECK(coswire::parse_delete_bucket_response(ok({}, 200)));
    auto full = coswire::parse_delete_bucket_response(ok("<Error><Code>BucketNotEmpty</Code><Message>m</Message></Error>", 409));
    REQUIRE_FALSE(full);
    CHECK(full.error().service->code == "BucketNotEmpty");
    CHECK_FALSE(coswire::parse_delete_bucket_response(ok("<Error><Code>InternalError</Code></Error>", 204)));
}

TEST_CASE("parse_head_bucket_response: the region, and a missing bucket without a body") {
    http_response found = ok();
    found.headers.push_back({"x-cos-bucket-region", "ap-beijing"});
    found.headers.push_back({"x-cos-bucket-az-type", "MAZ"});
    auto r = coswire::parse_head_bucket_response(found);
    REQUIRE(r);
    CHECK(r->region == "ap-beijing");
    CHECK(r->az_type == "MAZ");
    auto missing = coswire::parse_head_bucket_response(ok({}, 404));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().service->code == "NoSuchResource");
    CHECK(missing.error().service->http_status == 404);
    found.headers.push_back({"x-cos-bucket-region", "ap-shanghai"});
    check_malformed(coswire::parse_head_bucket_response(found), "x-cos-bucket-region");
}

TEST_CASE("parse_get_bucket_location_response: both documented forms give the region") {
    CHECK(coswire::parse_get_bucket_location_response(ok("<LocationConstraint>ap-beijing</LocationConstraint>"))->region == "ap-beijing");
    CHECK(coswire::parse_get_bucket_location_response(
              ok("<?xml version='1.0' encoding='utf-8' ?>\n<LocationConstraint>cos.ap-beijing</LocationConstraint>"))
              ->region == "ap-beijing");
    check_malformed(coswire::parse_get_bucket_location_response(ok("<LocationConstraint></LocationConstraint>")), "LocationConstraint");
    check_malformed(coswire::parse_get_bucket_location_response(ok("<LocationConstraint>cos.</LocationConstraint>")), "LocationConstraint");
    check_malformed(coswire::parse_get_bucket_location_response(ok("<Location>ap-beijing</Location>")), "document");
    check_malformed(coswire::parse_get_bucket_location_response(ok("")), "document");
    auto denied = coswire::parse_get_bucket_location_response(ok("<Error><Code>AccessDenied</Code></Error>", 403));
    REQUIRE_FALSE(denied);
    CHECK(coswire::is_cos_error(denied.error(), coswire::cos_errc::access_denied));
}
