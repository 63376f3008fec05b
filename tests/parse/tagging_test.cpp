// SPDX-License-Identifier: MIT
#include <coswire/parse/tagging.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

using coswire::errc;
using coswire::http_response;

using test_support::check_malformed;

namespace {

// The documented answer (docs/protocol/tagging.md#get-and-delete).
const std::string documented_tags =
    "<Tagging>\n\t<TagSet>\n\t\t<Tag>\n\t\t\t<Key>age</Key>\n\t\t\t<Value>18</Value>\n\t\t</Tag>\n"
    "\t\t<Tag>\n\t\t\t<Key>name</Key>\n\t\t\t<Value>xiaoming</Value>\n\t\t</Tag>\n\t</TagSet>\n</Tagging>";

http_response ok(std::string body = {}, int status = 200) {
    return http_response{status, {{"x-cos-request-id", "NjE0ZGZkMDJfMjQ4OGY3MGFfMTE3NDlf"}}, std::move(body)};
}

}  // namespace

TEST_CASE("parse_get_object_tagging_response: reads the documented tag set") {
    http_response resp = ok(documented_tags);
    resp.headers.push_back({"x-cos-version-id", "MTg0NDUxNTc0NDYyMjU2NjY5MzA"});
    auto r = coswire::parse_get_object_tagging_response(resp);
    REQUIRE(r);
    REQUIRE(r->tags.size() == 2);
    CHECK(r->tags[0].key == "age");
    CHECK(r->tags[0].value == "18");
    CHECK(r->tags[1].key == "name");
    CHECK(r->tags[1].value == "xiaoming");
    CHECK(r->version_id == "MTg0NDUxNTc0NDYyMjU2NjY5MzA");
    CHECK(r->request_id == "NjE0ZGZkMDJfMjQ4OGY3MGFfMTE3NDlf");
    auto none = coswire::parse_get_object_tagging_response(ok("<Tagging><TagSet/></Tagging>"));
    REQUIRE(none);
    CHECK(none->tags.empty());
    auto escaped = coswire::parse_get_object_tagging_response(ok("<Tagging><TagSet><Tag><Key>a&amp;b</Key></Tag></TagSet></Tagging>"));
    REQUIRE(escaped);
    CHECK(escaped->tags[0].key == "a&b");
    CHECK(escaped->tags[0].value.empty());
}

TEST_CASE("parse_get_object_tagging_response: hostile answers") {
    check_malformed(coswire::parse_get_object_tagging_response(ok("<Tagging><TagSet><Tag><Value>1</Value></Tag></TagSet></Tagging>")), "Key");
    std::string eleven = "<Tagging><TagSet>";
    for (int i = 0; i < 11; ++i) eleven += "<Tag><Key>k" + std::to_string(i) + "</Key><Value>v</Value></Tag>";
    check_malformed(coswire::parse_get_object_tagging_response(ok(eleven + "</TagSet></Tagging>")), "TagSet");
    check_malformed(coswire::parse_get_object_tagging_response(ok("<TagSet/>")), "document");
    check_malformed(coswire::parse_get_object_tagging_response(ok("")), "document");
    for (std::size_t n = 0; n < documented_tags.size(); ++n) CHECK_FALSE(coswire::parse_get_object_tagging_response(ok(documented_tags.substr(0, n))));
    auto missing = coswire::parse_get_object_tagging_response(ok("<Error><Code>NoSuchKey</Code><Message>m</Message></Error>", 404));
    REQUIRE_FALSE(missing);
    CHECK(coswire::is_cos_error(missing.error(), coswire::cos_errc::no_such_key));
    auto in_200 = coswire::parse_get_object_tagging_response(ok("<Error><Code>InternalError</Code></Error>"));
    REQUIRE_FALSE(in_200);
    CHECK(in_200.error().code == errc::service_error);
}

TEST_CASE("parse_put_object_tagging_response and parse_delete_object_tagging_response") {
    http_response put = ok();
    put.headers.push_back({"x-cos-version-id", "v1"});
    auto p = coswire::parse_put_object_tagging_response(put);
    REQUIRE(p);
    CHECK(p->version_id == "v1");
    CHECK(coswire::parse_delete_object_tagging_response(ok({}, 204)));
    CHECK(coswire::parse_delete_object_tagging_response(ok({}, 200)));
    auto bad = coswire::parse_put_object_tagging_response(ok("<Error><Code>InvalidArgument</Code><Message>m</Message></Error>", 400));
    REQUIRE_FALSE(bad);
    CHECK(coswire::is_cos_error(bad.error(), coswire::cos_errc::invalid_argument));
    CHECK_FALSE(coswire::parse_delete_object_tagging_response(ok("<Error><Code>InternalError</Code></Error>", 204)));
}
