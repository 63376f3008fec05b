// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/tagging.hpp>

#include <doctest/doctest.h>

#include "harness.hpp"

#include <coswire/api/copy.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/parse/tagging.hpp>

#include <string>
#include <vector>

using coswire::object_tag;
using emu_test::harness;

namespace emu = coswire::detail::emu;

namespace {

std::vector<std::string> pairs(const std::vector<object_tag>& tags) {
    std::vector<std::string> out;
    for (const object_tag& t : tags) out.push_back(t.key + "=" + t.value);
    return out;
}

/// PUT /k?tagging with `body` as it is, past the builder's checks.
std::string put_raw(harness& h, std::string body) {
    auto built = coswire::make_put_object_tagging_request(h.client.bucket_endpoint(), {.key = "k", .tags = {{"a", "1"}}});
    REQUIRE(built);
    emu::set_header(built->headers, "Content-MD5", coswire::detail::content_md5_of(std::as_bytes(std::span<const char>(body))));
    emu::set_header(built->headers, "Content-Length", std::to_string(body.size()));
    built->body = std::move(body);
    const auto r = h.client.run(*built, [](const coswire::http_response& a) { return coswire::parse_put_object_tagging_response(a); });
    REQUIRE_FALSE(r);
    return std::to_string(r.error().service->http_status) + " " + r.error().service->code;
}

std::string tag_xml(std::size_t count, std::string_view key = "k") {
    std::string body = "<Tagging><TagSet>";
    for (std::size_t i = 0; i < count; ++i) body += "<Tag><Key>" + std::string(key) + std::to_string(i) + "</Key><Value>v</Value></Tag>";
    return body + "</TagSet></Tagging>";
}

}  // namespace

TEST_CASE("parse_tagging_body: Tagging/TagSet/Tag; a Tag without Key or another root is malformed") {
    const auto tags = emu::parse_tagging_body("<Tagging><TagSet><Tag><Key>age</Key><Value>18</Value></Tag>"
                                              "<Tag><Value></Value><Key>a &amp; b</Key></Tag></TagSet></Tagging>");
    REQUIRE(tags);
    CHECK(pairs(*tags) == std::vector<std::string>{"age=18", "a & b="});
    CHECK(emu::parse_tagging_body("<Tagging><TagSet/></Tagging>")->empty());
    CHECK_FALSE(emu::parse_tagging_body("<Tagging><TagSet><Tag><Value>1</Value></Tag></TagSet></Tagging>"));
    CHECK_FALSE(emu::parse_tagging_body("<Tags/>"));
}

TEST_CASE("object tagging: PUT replaces the set, GET lists it, DELETE empties it; HEAD and GET count the tags") {
    harness h;
    h.server.put_object("k", "data");
    CHECK(h.ok(coswire::get_object_tagging_params{.key = "k"}).tags.empty());
    h.ok(coswire::put_object_tagging_params{.key = "k", .tags = {{"age", "18"}, {"name", "xiao ming"}}});
    CHECK(pairs(h.ok(coswire::get_object_tagging_params{.key = "k"}).tags) == std::vector<std::string>{"age=18", "name=xiao ming"});
    h.ok(coswire::put_object_tagging_params{.key = "k", .tags = {{"only", ""}}});
    CHECK(pairs(h.ok(coswire::get_object_tagging_params{.key = "k"}).tags) == std::vector<std::string>{"only="});
    const auto head = h.client.run(*coswire::make_head_object_request(h.client.bucket_endpoint(), {.key = "k"}),
                                   [](const coswire::http_response& r) { return coswire::result<coswire::http_response>(r); });
    REQUIRE(head);
    CHECK(head->header("x-cos-tagging-count") == "1");
    CHECK(h.server.object("k")->data == "data");
    h.ok(coswire::delete_object_tagging_params{.key = "k"});
    CHECK(h.server.object("k")->tags.empty());
    const auto untagged = h.client.run(*coswire::make_get_object_request(h.client.bucket_endpoint(), {.key = "k"}),
                                       [](const coswire::http_response& r) { return coswire::result<coswire::http_response>(r); });
    REQUIRE(untagged);
    CHECK_FALSE(untagged->header("x-cos-tagging-count"));
}

TEST_CASE("object tagging: a missing object or version is 404; tags beyond COS's limits are refused") {
    harness h;
    CHECK(h.refused(coswire::get_object_tagging_params{.key = "absent"}) == "404 NoSuchKey");
    CHECK(h.refused(coswire::delete_object_tagging_params{.key = "absent"}) == "404 NoSuchKey");
    h.server.put_object("k", "data");
    CHECK(h.refused(coswire::get_object_tagging_params{.key = "k", .version_id = "MTg0NDUx"}) == "404 NoSuchVersion");
    CHECK(h.ok(coswire::get_object_tagging_params{.key = "k", .version_id = "null"}).tags.empty());
    CHECK(put_raw(h, tag_xml(11)) == "400 BadRequest");
    CHECK(put_raw(h, tag_xml(1, std::string(128, 'k'))) == "400 InvalidTag");
    CHECK(put_raw(h, tag_xml(1, "a&b")) == "400 MalformedXML");  // not XML: a bare '&'
    CHECK(put_raw(h, tag_xml(1, "a&amp;b")) == "400 InvalidTag");
    CHECK(put_raw(h, "<Tagging><TagSet><Tag><Key>a</Key></Tag><Tag><Key>a</Key></Tag></TagSet></Tagging>") == "400 InvalidTag");
    CHECK(put_raw(h, "<Tagging><TagSet><Tag><Key></Key></Tag></TagSet></Tagging>") == "400 InvalidTag");
    CHECK(put_raw(h, "<Other/>") == "400 MalformedXML");
    CHECK(h.server.object("k")->tags.empty());
}

TEST_CASE("x-cos-tagging tags an object when PUT Object, Complete or PUT Object - Copy writes it") {
    harness h;
    const auto header = coswire::tagging_header_value(std::vector<object_tag>{{"a+b", "1=2"}, {"team", "blue"}});
    REQUIRE(header);
    h.ok(coswire::put_object_params{.key = "put", .body = "x", .attributes = {.tagging = *header}});
    CHECK(pairs(h.server.object("put")->tags) == std::vector<std::string>{"a+b=1=2", "team=blue"});

    const auto upload = h.ok(coswire::initiate_multipart_upload_params{.key = "mp", .attributes = {.tagging = "x=y"}});
    const std::string z = "z";
    const auto part = h.ok(coswire::upload_part_params{.key = "mp", .upload_id = upload.upload_id, .part_number = 1,
                                                        .payload = {std::as_bytes(std::span<const char>(z))}});
    h.ok(coswire::complete_multipart_upload_params{.key = "mp", .upload_id = upload.upload_id, .parts = {{1, part.etag_raw}}});
    CHECK(pairs(h.server.object("mp")->tags) == std::vector<std::string>{"x=y"});

    const coswire::endpoint here = h.client.bucket_endpoint();
    h.ok(coswire::put_object_copy_params{.key = "kept", .source = here, .source_key = "put"});
    CHECK(pairs(h.server.object("kept")->tags) == std::vector<std::string>{"a+b=1=2", "team=blue"});
    h.ok(coswire::put_object_copy_params{.key = "new", .source = here, .source_key = "put", .attributes = {.tagging = "c=d"}});
    CHECK(pairs(h.server.object("new")->tags) == std::vector<std::string>{"c=d"});

    std::string eleven;
    for (int i = 0; i < 11; ++i) eleven += (i ? "&k" : "k") + std::to_string(i) + "=v";
    CHECK(h.refused(coswire::put_object_params{.key = "many", .attributes = {.tagging = eleven}}) == "400 BadRequest");
    CHECK(h.refused(coswire::put_object_params{.key = "bad", .attributes = {.tagging = "a%zz=1"}}) == "400 InvalidTag");
    CHECK(h.refused(coswire::put_object_params{.key = "bad", .attributes = {.tagging = "a*=1"}}) == "400 InvalidTag");
    CHECK_FALSE(h.server.object("many"));
}
