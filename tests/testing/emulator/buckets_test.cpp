// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/buckets.hpp>

#include <doctest/doctest.h>

#include "harness.hpp"

#include <coswire/api/bucket.hpp>
#include <coswire/parse/bucket.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>

#include <string>

using emu_test::harness;

namespace emu = coswire::detail::emu;

namespace {

/// A client of the same emulator on `host` (a service endpoint or another bucket's).
coswire::client<coswire::testing::cos_emulator> client_on(harness& h, coswire::endpoint ep) {
    return {std::move(ep), emu_test::creds, h.server, [&h] { return h.server.server_time(); }, [](std::uint32_t) {},
            coswire::client_options{.max_attempts = 1}};
}

}  // namespace

TEST_CASE("region_of and is_service_host") {
    static_assert(emu::region_of("examplebucket-1250000000.cos.ap-beijing.myqcloud.com") == "ap-beijing");
    static_assert(emu::region_of("cdn.example.com").empty());
    static_assert(emu::region_of("b.cos..myqcloud.com").empty());
    const coswire::testing::emulator_options o;
    CHECK(emu::is_service_host(o, "service.cos.myqcloud.com"));
    CHECK(emu::is_service_host(o, "COS.ap-beijing.myqcloud.com"));
    CHECK_FALSE(emu::is_service_host(o, "cos.ap-shanghai.myqcloud.com"));
    CHECK_FALSE(emu::is_service_host(o, o.host));
}

TEST_CASE("is_put_bucket: PUT / without parameters; with one it configures the bucket") {
    emu::exchange x;
    x.method = "PUT";
    x.path = "/";
    CHECK(emu::is_put_bucket(x));
    x.params.push_back({"acl", std::nullopt});
    CHECK_FALSE(emu::is_put_bucket(x));
    x.params.clear();
    x.path = "/k";
    CHECK_FALSE(emu::is_put_bucket(x));
}

TEST_CASE("HEAD Bucket and GET Bucket location name the region of the emulator's host") {
    harness h;
    CHECK(h.ok(coswire::head_bucket_params{}).region == "ap-beijing");
    CHECK(h.ok(coswire::head_bucket_params{}).az_type.empty());
    CHECK(h.ok(coswire::get_bucket_location_params{}).region == "ap-beijing");
}

TEST_CASE("GET Service is answered on service.cos.myqcloud.com and cos.<region>.myqcloud.com") {
    harness h;
    h.server.set_now(1700000000);
    auto all = client_on(h, coswire::make_service_endpoint().value());
    const auto listed = all.send(coswire::list_buckets_params{});
    REQUIRE_MESSAGE(listed, coswire::describe(listed.error()));
    REQUIRE(listed->buckets.size() == 1);
    CHECK(listed->buckets[0].name == "examplebucket-1250000000");
    CHECK(listed->buckets[0].region == "ap-beijing");
    CHECK(listed->owner.id == "qcs::cam::uin/1250000000:uin/1250000000");
    CHECK(all.send(coswire::list_buckets_params{.region = "ap-guangzhou"})->buckets.empty());
    CHECK(all.send(coswire::list_buckets_params{.marker = "examplebucket-1250000000"})->buckets.empty());
    auto regional = client_on(h, coswire::make_service_endpoint("ap-beijing").value());
    CHECK(regional.send(coswire::list_buckets_params{.max_keys = 10})->buckets.size() == 1);
    auto elsewhere = client_on(h, coswire::make_service_endpoint("ap-shanghai").value());
    CHECK(elsewhere.send(coswire::list_buckets_params{}).error().service->code == "AccessDenied");
    CHECK(all.send(coswire::head_object_params{.key = "k"}).error().service->http_status == 405);
}

TEST_CASE("PUT Bucket of the emulator's own bucket is 409 BucketAlreadyOwnedByYou") {
    harness h;
    CHECK(h.refused(coswire::put_bucket_params{}) == "409 BucketAlreadyOwnedByYou");
}

TEST_CASE("DELETE Bucket: 409 BucketNotEmpty with objects or uploads; afterwards NoSuchBucket until PUT Bucket") {
    harness h;
    h.server.put_object("k", "x");
    CHECK(h.refused(coswire::delete_bucket_params{}) == "409 BucketNotEmpty");
    h.ok(coswire::delete_object_params{.key = "k"});
    const auto upload = h.ok(coswire::initiate_multipart_upload_params{.key = "u"});
    CHECK(h.refused(coswire::delete_bucket_params{}) == "409 BucketNotEmpty");
    h.ok(coswire::abort_multipart_upload_params{.key = "u", .upload_id = upload.upload_id});
    h.ok(coswire::delete_bucket_params{});

    CHECK(h.refused(coswire::get_object_params{.key = "k"}) == "404 NoSuchBucket");
    CHECK(h.refused(coswire::put_object_params{.key = "k", .body = "x"}) == "404 NoSuchBucket");
    CHECK(h.refused(coswire::list_objects_params{}) == "404 NoSuchBucket");
    CHECK(h.refused(coswire::delete_bucket_params{}) == "404 NoSuchBucket");
    CHECK(h.refused(coswire::get_bucket_location_params{}) == "404 NoSuchBucket");
    const auto head = h.client.send(coswire::head_bucket_params{});
    REQUIRE_FALSE(head);
    CHECK(head.error().service->http_status == 404);
    auto all = client_on(h, coswire::make_service_endpoint().value());
    CHECK(all.send(coswire::list_buckets_params{})->buckets.empty());

    h.server.advance(100);
    h.ok(coswire::put_bucket_params{.multi_az = true});
    CHECK(h.ok(coswire::head_bucket_params{}).az_type == "MAZ");
    CHECK(all.send(coswire::list_buckets_params{})->buckets.at(0).creation_date == h.server.server_time());
    h.ok(coswire::put_object_params{.key = "k", .body = "x"});
    CHECK(h.server.keys() == std::vector<std::string>{"k"});
}
