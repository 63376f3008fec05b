// SPDX-License-Identifier: MIT
#include <coswire/api/tagging.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::object_tag;

using test_support::doc_endpoint;
using test_support::md5_base64;

namespace {

void check_refused(std::vector<object_tag> tags, std::string_view reason_part) {
    auto r = coswire::make_put_object_tagging_request(doc_endpoint(), {.key = "k", .tags = std::move(tags)});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
    CHECK(r.error().argument == "tags");
    CHECK_MESSAGE(r.error().reason.find(reason_part) != std::string::npos, r.error().reason);
}

}  // namespace

TEST_CASE("make_put_object_tagging_request: the documented tag set, with its MD5") {
    auto r = coswire::make_put_object_tagging_request(doc_endpoint(), {.key = "exampleobject", .tags = {{"age", "18"}, {"name", "xiaoming"}}});
    REQUIRE(r);
    CHECK(r->method == "PUT");
    CHECK(r->target() == "/exampleobject?tagging");
    CHECK(r->body ==
          "<Tagging><TagSet><Tag><Key>age</Key><Value>18</Value></Tag><Tag><Key>name</Key><Value>xiaoming</Value></Tag></TagSet></Tagging>");
    CHECK(r->header("Content-Type") == "application/xml");
    CHECK(r->header("Content-Length") == std::to_string(r->body.size()));
    CHECK(r->header("Content-MD5") == md5_base64(r->body));

    SUBCASE("an empty set, a version, every allowed character") {
        auto empty = coswire::make_put_object_tagging_request(doc_endpoint(), {.key = "k", .version_id = "MTg0NDUxNTc0NDYyMjU2NjY5MzA"});
        REQUIRE(empty);
        CHECK(empty->target() == "/k?tagging&versionId=MTg0NDUxNTc0NDYyMjU2NjY5MzA");
        CHECK(empty->body == "<Tagging><TagSet></TagSet></Tagging>");
        CHECK(coswire::make_put_object_tagging_request(doc_endpoint(), {.key = "k", .tags = {{"a Z9+-_=.:/@", "项目 x"}, {"e", ""}}}));
    }
}

TEST_CASE("validate_object_tags: the limits, at and past each edge") {
    std::vector<object_tag> ten;
    for (int i = 0; i < 10; ++i) ten.push_back({"k" + std::to_string(i), "v"});
    CHECK(coswire::validate_object_tags(ten));
    ten.push_back({"k10", "v"});
    check_refused(ten, "at most 10");
    CHECK(coswire::validate_object_tags(std::vector<object_tag>{{std::string(127, 'k'), std::string(255, 'v')}}));
    check_refused({{std::string(128, 'k'), "v"}}, "tag 0: the key");
    check_refused({{"k", std::string(256, 'v')}}, "tag 0: the value");
    // 42 Chinese characters are 126 bytes: allowed; 43 are 129 bytes, though only 43 characters.
    std::string chinese;
    for (int i = 0; i < 42; ++i) chinese += "项";
    CHECK(coswire::validate_object_tags(std::vector<object_tag>{{chinese, "v"}}));
    check_refused({{chinese + "项", "v"}}, "longer than 127");
    check_refused({{"", "v"}}, "key is empty");
    check_refused({{"ok", "v"}, {"a&b", "v"}}, "tag 1: the key holds '&'");
    check_refused({{"k", "v\n"}}, "value holds");
    check_refused({{"k", "bad\xff"}}, "UTF-8");
    check_refused({{"k", "1"}, {"K", "2"}, {"k", "3"}}, "tag 2: the key 'k' repeats");
}

TEST_CASE("tagging_header_value: percent-encoded pairs for x-cos-tagging") {
    CHECK(coswire::tagging_header_value(std::vector<object_tag>{{"team", "a b"}, {"项目", "x=y"}}).value() ==
          "team=a%20b&%E9%A1%B9%E7%9B%AE=x%3Dy");
    CHECK(coswire::tagging_header_value(std::vector<object_tag>{}).value().empty());
    auto bad = coswire::tagging_header_value(std::vector<object_tag>{{"a&b", "c"}});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().argument == "tags");
}

TEST_CASE("GET and DELETE Object tagging: the request lines, and bad keys and versions") {
    auto get = coswire::make_get_object_tagging_request(doc_endpoint(), {.key = "dir/a b.txt"});
    REQUIRE(get);
    CHECK(get->method == "GET");
    CHECK(get->target() == "/dir/a%20b.txt?tagging");
    auto del = coswire::make_delete_object_tagging_request(doc_endpoint(), {.key = "a", .version_id = "v1"});
    REQUIRE(del);
    CHECK(del->method == "DELETE");
    CHECK(del->target() == "/a?tagging&versionId=v1");
    auto no_key = coswire::make_get_object_tagging_request(doc_endpoint(), {});
    REQUIRE_FALSE(no_key);
    CHECK(no_key.error().argument == "object_key");
    auto empty_version = coswire::make_delete_object_tagging_request(doc_endpoint(), {.key = "a", .version_id = ""});
    REQUIRE_FALSE(empty_version);
    CHECK(empty_version.error().argument == "version_id");
}
