// SPDX-License-Identifier: MIT
#include <coswire/api/post_object.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/encoding/base64.hpp>
#include <coswire/detail/json.hpp>

#include <string>
#include <string_view>

using coswire::errc;
using coswire::secret_string;
using test_support::doc_endpoint;

namespace {

coswire::credentials doc_credentials(std::string_view token = {}) {
    return {.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
            .secret_key = secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"),
            .session_token = secret_string(token)};
}

std::string field(const coswire::post_object_form& f, std::string_view name) {
    for (const coswire::http_header& h : f.fields)
        if (h.name == name) return h.value;
    FAIL("no field " << name);
    return {};
}

}  // namespace

TEST_CASE("post_policy_signature: the POST Object page's worked example") {
    // The page's policy field decodes to these 555 bytes (docs/protocol/test-vectors.md#post-object-policy).
    const std::string policy = R"({
    "expiration": "2019-08-30T09:38:12.414Z",
    "conditions": [
        { "acl": "default" },
        { "bucket": "examplebucket-1250000000" },
        [ "starts-with", "$key", "folder/subfolder/" ],
        [ "starts-with", "$Content-Type", "image/" ],
        [ "starts-with", "$success_action_redirect", "https://my.website/" ],
        [ "eq", "$x-cos-server-side-encryption", "AES256" ],
        { "q-sign-algorithm": "sha1" },
        { "q-ak": "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q" },
        { "q-sign-time": "1567150692;1567157892" }
    ]
})";
    REQUIRE(policy.size() == 555);
    const coswire::key_time time{1567150692, 1567157892};
    CHECK(coswire::to_string_view(coswire::sign_key(doc_credentials().secret_key, time)) == "39acc8c9f34ba5b19bce4e965b370cd3f62d2fba");
    CHECK(coswire::to_string_view(coswire::post_policy_signature(doc_credentials().secret_key, time, policy)) ==
          "7758dc9a832e9d301dca704cacbf9d9f8172fdef");
    CHECK(coswire::base64_encode(policy).starts_with("ewogICAgImV4cGlyYXRpb24iOiAiMjAxOS0wOC0zMFQwOTozODoxMi40MTRaIiwK"));
}

TEST_CASE("make_post_object_form: the compact policy of the JS demo's layout, signed and in form order") {
    const coswire::credentials creds = doc_credentials();
    auto f = coswire::make_post_object_form(
        doc_endpoint(), creds, {.key = "doc/a.txt", .expiration = "2023-11-14T23:13:20.000Z", .time = {1700000000, 1700003600}});
    REQUIRE(f);
    CHECK(f->policy ==
          R"({"expiration":"2023-11-14T23:13:20.000Z","conditions":[{"q-sign-algorithm":"sha1"},)"
          R"({"q-ak":"AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q"},{"q-sign-time":"1700000000;1700003600"},)"
          R"({"bucket":"examplebucket-1250000000"},{"key":"doc/a.txt"}]})");
    CHECK(f->string_to_sign == "a66d2ce5aecb4c8a867530de05b7ee47780a6a6b");
    REQUIRE(f->fields.size() == 6);
    const char* names[] = {"key", "policy", "q-sign-algorithm", "q-ak", "q-key-time", "q-signature"};
    for (std::size_t i = 0; i < 6; ++i) CHECK(f->fields[i].name == names[i]);
    CHECK(field(*f, "key") == "doc/a.txt");
    CHECK(field(*f, "policy") == coswire::base64_encode(f->policy));
    CHECK(field(*f, "q-key-time") == "1700000000;1700003600");
    CHECK(field(*f, "q-signature") == "3b250bbe6ad4c376a17844bbf8668fe8fe553a6d");
    CHECK(f->url == "https://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/");
}

TEST_CASE("make_post_object_form: prefixes, pinned fields, conditions, size range and the session token") {
    const coswire::credentials creds = doc_credentials("tok");
    auto f = coswire::make_post_object_form(doc_endpoint(), creds,
                                            {.key = "uploads/",
                                             .key_is_prefix = true,
                                             .expiration = "2030-01-01T00:00:00Z",
                                             .time = {1700000000, 1700003600},
                                             .fields = {{"acl", "default"}, {"success_action_status", "201"}},
                                             .conditions = {{.field = "Content-Type", .value = "image/", .starts_with = true},
                                                            {.field = "x-cos-meta-team", .value = "a\"b"}},
                                             .content_length_range = coswire::post_content_length_range{.min = 1, .max = 1048576}});
    REQUIRE(f);
    CHECK(f->policy.find(R"(["starts-with","$key","uploads/"])") != std::string::npos);
    CHECK(f->policy.find(R"({"acl":"default"},{"success_action_status":"201"})") != std::string::npos);
    CHECK(f->policy.find(R"(["starts-with","$Content-Type","image/"],["eq","$x-cos-meta-team","a\"b"])") != std::string::npos);
    CHECK(f->policy.ends_with(R"(,["content-length-range",1,1048576]]})"));
    // The token is a form field after the signature, not a policy condition.
    CHECK(f->policy.find("tok") == std::string::npos);
    CHECK(f->fields.back().name == "x-cos-security-token");
    CHECK(f->fields.back().value == "tok");
    CHECK(field(*f, "key") == "uploads/${filename}");
    CHECK(f->fields[1].name == "acl");
    CHECK(f->fields[2].name == "success_action_status");
    // Recomputing: the signature is over exactly the policy text, which is JSON.
    CHECK(field(*f, "q-signature") ==
          coswire::to_string_view(coswire::post_policy_signature(creds.secret_key, {1700000000, 1700003600}, f->policy)));
    CHECK(coswire::detail::json::parse_object(f->policy, "policy"));
}

TEST_CASE("make_post_object_form: bad arguments are named") {
    const coswire::credentials creds = doc_credentials("secret-token");
    const auto refused = [&](const coswire::post_object_params& p, std::string_view argument,
                             const coswire::endpoint& ep = doc_endpoint()) {
        auto f = coswire::make_post_object_form(ep, creds, p);
        REQUIRE_FALSE(f);
        CHECK(f.error().code == errc::invalid_argument);
        CHECK(f.error().argument == argument);
        CHECK(coswire::describe(f.error()).find("secret-token") == std::string::npos);
    };
    const coswire::post_object_params good{.key = "k", .expiration = "2030-01-01T00:00:00Z", .time = {1, 2}};
    auto p = good;
    p.key = "";
    refused(p, "object_key");
    p = good;
    p.expiration = "2030-01-01T08:00:00+08:00";
    refused(p, "expiration");
    p.expiration = "2030-01-01T00:00:00";
    refused(p, "expiration");
    p = good;
    p.fields = {{"q-signature", "x"}};
    refused(p, "fields");
    p.fields = {{"Content-Type", "a"}, {"content-type", "b"}};
    refused(p, "fields");
    p.fields = {{"bad name", "a"}};
    refused(p, "fields");
    p.fields = {{"acl", "a\nb"}};
    refused(p, "fields");
    p = good;
    p.conditions = {{.field = "$key", .value = "a"}};
    refused(p, "conditions");
    p = good;
    p.content_length_range = coswire::post_content_length_range{.min = 2, .max = 1};
    refused(p, "content_length_range");
    p = good;
    p.time = {5, 1};
    refused(p, "key_time");
    const coswire::endpoint custom{.scheme = "https", .host = "files.example.com", .bucket = ""};
    refused(good, "bucket", custom);
}
