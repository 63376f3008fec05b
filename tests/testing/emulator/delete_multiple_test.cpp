// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/delete_multiple.hpp>

#include <doctest/doctest.h>

#include "harness.hpp"

#include <coswire/api/delete_multiple.hpp>
#include <coswire/parse/delete_multiple.hpp>

#include <string>
#include <vector>

using coswire::delete_multiple_objects_params;
using coswire::object_to_delete;
using emu_test::harness;

namespace emu = coswire::detail::emu;

namespace {

std::string delete_body(std::size_t objects, std::string_view quiet = "false") {
    std::string body = "<Delete><Quiet>" + std::string(quiet) + "</Quiet>";
    for (std::size_t i = 0; i < objects; ++i) body += "<Object><Key>k" + std::to_string(i) + "</Key></Object>";
    return body + "</Delete>";
}

}  // namespace

TEST_CASE("parse_delete_body: Quiet, keys and version ids; 1 to 1000 objects") {
    const auto read = emu::parse_delete_body(
        "<?xml version=\"1.0\"?>\r\n<Delete>\r\n\t<Quiet>true</Quiet>\r\n\t<Object><Key>a &amp; b</Key></Object>"
        "<Object><VersionId>v1</VersionId><Key>c</Key><Other/></Object></Delete>");
    REQUIRE(read);
    CHECK(read->quiet);
    REQUIRE(read->objects.size() == 2);
    CHECK(read->objects[0].key == "a & b");
    CHECK_FALSE(read->objects[0].version_id);
    CHECK(read->objects[1].version_id == "v1");
    CHECK(emu::parse_delete_body(delete_body(1000)));
    CHECK_FALSE(emu::parse_delete_body(delete_body(1001)));
    CHECK_FALSE(emu::parse_delete_body(delete_body(0)));
    CHECK_FALSE(emu::parse_delete_body(delete_body(1, "yes")));
    CHECK_FALSE(emu::parse_delete_body("<Delete><Object><VersionId>v</VersionId></Object></Delete>"));
    CHECK_FALSE(emu::parse_delete_body("<Remove><Object><Key>k</Key></Object></Remove>"));
    CHECK_FALSE(emu::parse_delete_body("<Delete><Object><Key>k</Key></Object>"));
}

TEST_CASE("DELETE Multiple Objects: a Deleted or Error entry per key, in order; missing keys count as deleted") {
    auto o = emu_test::options();
    o.undeletable_keys = {"locked"};
    harness h(1, o);
    for (const char* key : {"a", "b <&>", "locked"}) h.server.put_object(key, "x");
    const delete_multiple_objects_params p{.objects = {{.key = "a"}, {.key = "locked"}, {.key = "b <&>"}, {.key = "never"},
                                                       {.key = "a", .version_id = "v1"}}};
    const auto r = h.ok(p);
    REQUIRE(r.deleted.size() == 3);
    CHECK(r.deleted[0].key == "a");
    CHECK(r.deleted[1].key == "b <&>");
    CHECK(r.deleted[2].key == "never");
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0].key == "locked");
    CHECK(r.errors[0].code == "AccessDenied");
    CHECK(r.errors[1].version_id == "v1");
    CHECK(r.errors[1].code == "NoSuchVersion");
    CHECK(h.server.keys() == std::vector<std::string>{"locked"});
    CHECK(h.refused(coswire::delete_object_params{.key = "locked"}) == "403 AccessDenied");
}

TEST_CASE("DELETE Multiple Objects: Quiet reports only the failures") {
    auto o = emu_test::options();
    o.undeletable_keys = {"locked"};
    harness h(1, o);
    h.server.put_object("a", "x");
    const auto quiet = h.ok(delete_multiple_objects_params{.objects = {{.key = "a"}, {.key = "locked"}}, .quiet = true});
    CHECK(quiet.deleted.empty());
    REQUIRE(quiet.errors.size() == 1);
    CHECK(quiet.errors[0].key == "locked");
    CHECK(h.server.keys().empty());
}

TEST_CASE("DELETE Multiple Objects: no Content-MD5, more than 1000 keys or a body that is no Delete document are refused") {
    harness h;
    h.server.put_object("k0", "x");
    const auto send = [&](std::string body, bool with_md5) {
        auto built = coswire::make_delete_multiple_objects_request(h.client.bucket_endpoint(), {.objects = {{.key = "k0"}}});
        REQUIRE(built);
        std::erase_if(built->headers, [](const coswire::http_header& f) {
            return f.name == "Content-MD5" || f.name == "Content-Length";
        });
        if (with_md5) built->headers.push_back({"Content-MD5", coswire::detail::content_md5_of(std::as_bytes(std::span<const char>(body)))});
        built->headers.push_back({"Content-Length", std::to_string(body.size())});
        built->body = std::move(body);
        const auto r = h.client.run(*built, [](const coswire::http_response& a) { return coswire::parse_delete_multiple_objects_response(a); });
        REQUIRE_FALSE(r);
        return std::to_string(r.error().service->http_status) + " " + r.error().service->code;
    };
    CHECK(send(delete_body(1), false) == "400 InvalidRequest");
    CHECK(send(delete_body(1001), true) == "400 MalformedXML");
    CHECK(send("<Delete><Quiet>false</Quiet></Delete>", true) == "400 MalformedXML");
    CHECK(send("not xml", true) == "400 MalformedXML");
    CHECK(h.server.keys() == std::vector<std::string>{"k0"});
}

TEST_CASE("delete_objects: 2500 keys in three requests, the refused ones listed") {
    auto o = emu_test::options();
    o.undeletable_keys = {"key-0999", "key-2001"};
    harness h(1, o);
    std::vector<object_to_delete> all;
    for (int i = 0; i < 2500; ++i) {
        std::string key = "key-" + std::string(i < 1000 ? "0" : "") + std::to_string(i);
        h.server.put_object(key, "x");
        all.push_back({.key = std::move(key)});
    }
    const auto before = h.server.stats().requests;
    const auto r = coswire::delete_objects(h.client, all);
    REQUIRE_MESSAGE(r, coswire::describe(r.error()));
    CHECK(h.server.stats().requests - before == 3);
    CHECK(r->deleted.size() == 2498);
    REQUIRE(r->errors.size() == 2);
    CHECK(r->errors[0].key == "key-0999");
    CHECK(r->errors[1].key == "key-2001");
    CHECK(h.server.keys() == std::vector<std::string>{"key-0999", "key-2001"});
}
