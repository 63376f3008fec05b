// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/restore.hpp>

#include <doctest/doctest.h>

#include "harness.hpp"

#include <coswire/api/copy.hpp>
#include <coswire/api/restore.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/parse/restore.hpp>

#include <span>
#include <string>

using emu_test::harness;

namespace emu = coswire::detail::emu;

namespace {

coswire::put_object_params archived(std::string key, std::string body, std::string storage_class = "ARCHIVE") {
    return {.key = std::move(key), .body = std::move(body), .attributes = {.storage_class = std::move(storage_class)}};
}

coswire::restore_state restore_of(harness& h, const std::string& key) {
    const auto head = h.ok(coswire::head_object_params{.key = key});
    REQUIRE_FALSE(head.details.restore.empty());
    return coswire::parse_restore_state(head.details.restore).value();
}

}  // namespace

TEST_CASE("parse_restore_body reads Days and the tier; anything else is refused") {
    const auto read = emu::parse_restore_body(
        "<RestoreRequest><Days>3</Days><CASJobParameters><Tier>Bulk</Tier></CASJobParameters></RestoreRequest>");
    REQUIRE(read);
    CHECK(read->days == 3);
    CHECK(read->tier == "Bulk");
    CHECK(emu::parse_restore_body("<RestoreRequest><Days>2</Days></RestoreRequest>")->tier == "Standard");
    CHECK_FALSE(emu::parse_restore_body("<RestoreRequest/>"));
    CHECK_FALSE(emu::parse_restore_body("<RestoreRequest><Days>x</Days></RestoreRequest>"));
    CHECK_FALSE(emu::parse_restore_body("<Restore><Days>1</Days></Restore>"));
    CHECK_FALSE(emu::parse_restore_body("not xml"));
    static_assert(emu::is_archive("DEEP_ARCHIVE") && !emu::is_archive("STANDARD_IA"));
}

TEST_CASE("x-cos-storage-class is stored, listed and answered on HEAD; an unknown class is 400 NotSupportedStorageClass") {
    harness h;
    h.ok(archived("ia", "x", "STANDARD_IA"));
    h.ok(coswire::put_object_params{.key = "std", .body = "y"});
    CHECK(h.server.object("ia")->storage_class == "STANDARD_IA");
    CHECK(h.ok(coswire::head_object_params{.key = "ia"}).headers.storage_class == "STANDARD_IA");
    CHECK(h.ok(coswire::head_object_params{.key = "std"}).headers.storage_class == "STANDARD");
    const auto listed = h.ok(coswire::list_objects_params{});
    REQUIRE(listed.contents.size() == 2);
    CHECK(listed.contents[0].storage_class == "STANDARD_IA");
    CHECK(listed.contents[1].storage_class == "STANDARD");
    CHECK(h.refused(archived("bad", "x", "GLACIER")) == "400 NotSupportedStorageClass");
    CHECK_FALSE(h.server.object("bad"));
}

TEST_CASE("GET of an archived object is 403 InvalidObjectState until a restore finishes; HEAD still answers") {
    harness h;
    h.ok(archived("a", "archived bytes"));
    const auto got = h.client.send(coswire::get_object_params{.key = "a"});
    REQUIRE_FALSE(got);
    CHECK(coswire::is_cos_error(got.error(), coswire::cos_errc::invalid_object_state));
    CHECK(got.error().service->http_status == 403);
    CHECK(h.ok(coswire::head_object_params{.key = "a"}).headers.storage_class == "ARCHIVE");
    CHECK(h.ok(coswire::head_object_params{.key = "a"}).details.restore.empty());

    CHECK(h.ok(coswire::restore_object_params{.key = "a", .days = 2}).already_restored == false);
    CHECK(h.refused(coswire::restore_object_params{.key = "a"}) == "409 RestoreAlreadyInProgress");
    CHECK(restore_of(h, "a").ongoing);
    CHECK(h.refused(coswire::get_object_params{.key = "a"}) == "403 InvalidObjectState");

    CHECK_FALSE(h.server.finish_restore("missing"));
    REQUIRE(h.server.finish_restore("a"));
    CHECK_FALSE(h.server.finish_restore("a"));
    const std::int64_t expiry = h.server.server_time() + 2 * 86400;
    CHECK_FALSE(restore_of(h, "a").ongoing);
    CHECK(restore_of(h, "a").expiry_date == expiry);
    CHECK(h.ok(coswire::get_object_params{.key = "a"}).body == "archived bytes");

    // A restored copy asked for again is kept, for the new number of days, answered 200.
    h.server.advance(3600);
    CHECK(h.ok(coswire::restore_object_params{.key = "a", .days = 5}).already_restored);
    CHECK(restore_of(h, "a").expiry_date == h.server.server_time() + 5 * 86400);

    h.server.advance(5 * 86400);
    CHECK(h.refused(coswire::get_object_params{.key = "a"}) == "403 InvalidObjectState");
    CHECK(h.ok(coswire::head_object_params{.key = "a"}).details.restore.empty());
    CHECK(h.ok(coswire::restore_object_params{.key = "a"}).already_restored == false);
}

TEST_CASE("POST Object restore: NoSuchKey, RestoreNonArchiveObject, tiers the class lacks, bad bodies") {
    harness h;
    h.ok(coswire::put_object_params{.key = "std", .body = "x"});
    h.ok(archived("deep", "x", "DEEP_ARCHIVE"));
    CHECK(h.refused(coswire::restore_object_params{.key = "none"}) == "404 NoSuchKey");
    CHECK(h.refused(coswire::restore_object_params{.key = "std"}) == "405 RestoreNonArchiveObject");
    CHECK(h.refused(coswire::restore_object_params{.key = "deep", .tier = coswire::restore_tier::expedited}) == "400 InvalidArgument");
    CHECK(h.refused(coswire::restore_object_params{.key = "deep", .version_id = "v1"}) == "404 NoSuchVersion");
    h.ok(coswire::restore_object_params{.key = "deep", .tier = coswire::restore_tier::bulk});

}

TEST_CASE("restore_object: bodies the builder never sends are 400 MalformedXML or InvalidArgument") {
    emu::bucket_store store(1000, "", 0);
    store.store_object("arc", "x", {}, std::nullopt, 5).storage_class = "ARCHIVE";
    emu::exchange x;
    x.method = "POST";
    x.path = "/arc";
    const auto answer = [&](std::string_view body) {
        x.body = body;
        const coswire::http_response r = emu::restore_object(store, x);
        return std::to_string(r.status) + " " + coswire::parse_error_response(r).service->code;
    };
    CHECK(answer("junk") == "400 MalformedXML");
    CHECK(answer("<RestoreRequest/>") == "400 MalformedXML");
    CHECK(answer("<RestoreRequest><Days>0</Days></RestoreRequest>") == "400 InvalidArgument");
    CHECK(answer("<RestoreRequest><Days>1</Days><CASJobParameters><Tier>Fast</Tier></CASJobParameters></RestoreRequest>") ==
          "400 InvalidArgument");
    CHECK(store.find_object("arc")->restore == coswire::testing::restore_state::none);
}

TEST_CASE("Initiate and PUT Object - Copy name the new object's class; an unrestored archived source is 403 InvalidObjectState") {
    harness h;
    const std::string parts = "parts";
    const auto upload = h.ok(coswire::initiate_multipart_upload_params{.key = "m", .attributes = {.storage_class = "DEEP_ARCHIVE"}});
    const auto part = h.ok(coswire::upload_part_params{.key = "m", .upload_id = upload.upload_id, .part_number = 1,
                                                        .payload = {std::as_bytes(std::span<const char>(parts))}});
    h.ok(coswire::complete_multipart_upload_params{.key = "m", .upload_id = upload.upload_id, .parts = {{1, part.etag_raw}}});
    CHECK(h.server.object("m")->storage_class == "DEEP_ARCHIVE");

    const coswire::endpoint ep = h.client.bucket_endpoint();
    CHECK(h.refused(coswire::put_object_copy_params{.key = "c", .source = ep, .source_key = "m"}) == "403 InvalidObjectState");
    h.ok(coswire::restore_object_params{.key = "m"});
    h.server.finish_restore("m");
    // The copy takes the class the request names, else STANDARD, never the source's.
    h.ok(coswire::put_object_copy_params{.key = "c", .source = ep, .source_key = "m"});
    CHECK(h.server.object("c")->storage_class == "STANDARD");
    h.ok(coswire::put_object_copy_params{.key = "c2", .source = ep, .source_key = "m", .attributes = {.storage_class = "ARCHIVE"}});
    CHECK(h.server.object("c2")->storage_class == "ARCHIVE");
    CHECK(h.server.object("c2")->restore == coswire::testing::restore_state::none);
}
