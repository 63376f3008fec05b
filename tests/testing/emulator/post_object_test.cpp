// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/post_object.hpp>

#include <doctest/doctest.h>

#include "harness.hpp"

#include <coswire/api/post_object.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/object.hpp>

#include <string>
#include <string_view>
#include <vector>

using coswire::http_header;
using coswire::post_object_form;
using coswire::post_object_params;
using emu_test::harness;

namespace emu = coswire::detail::emu;

namespace {

constexpr std::string_view boundary = "----coswireFormBoundary7MA4YWxkTrZu0gW";

// The harness's server time is 1700000000 = 2023-11-14T22:13:20Z.
post_object_params params(std::string key = "doc/a.txt") {
    return {.key = std::move(key), .expiration = "2023-11-14T23:13:20.000Z", .time = {1700000000 - 60, 1700000000 + 3600}};
}

post_object_form sign(harness& h, const post_object_params& p, const coswire::credentials& creds = emu_test::creds) {
    auto form = coswire::make_post_object_form(h.client.bucket_endpoint(), creds, p);
    REQUIRE_MESSAGE(form, coswire::describe(form.error()));
    return std::move(*form);
}

/// The multipart/form-data body a browser posts: the fields in order, then the file.
std::string form_body(const std::vector<http_header>& fields, std::string_view file, std::string_view filename = "photo.jpg") {
    std::string body;
    for (const http_header& f : fields)
        body += "--" + std::string(boundary) + "\r\nContent-Disposition: form-data; name=\"" + f.name + "\"\r\n\r\n" + f.value + "\r\n";
    body += "--" + std::string(boundary) + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + std::string(filename) +
            "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + std::string(file) + "\r\n--" + std::string(boundary) + "--\r\n";
    return body;
}

coswire::http_response post(harness& h, std::string body, std::string content_type = "multipart/form-data; boundary=" + std::string(boundary)) {
    coswire::http_request r;
    r.method = "POST";
    r.host = h.client.bucket_endpoint().host;
    r.path = "/";
    r.wire_path = "/";
    r.headers = {{"Host", r.host}, {"Content-Type", std::move(content_type)}, {"Content-Length", std::to_string(body.size())}};
    r.body = std::move(body);
    auto answer = h.server(r);
    REQUIRE(answer);
    return std::move(*answer);
}

/// "<status>" for a success, "<status> <code>" for an error.
std::string outcome(const coswire::http_response& r) {
    if (r.status < 300 || r.status == 303) return std::to_string(r.status);
    const coswire::error e = coswire::parse_error_response(r);
    REQUIRE(e.service);
    return std::to_string(r.status) + " " + e.service->code;
}

std::string header(const coswire::http_response& r, std::string_view name) {
    for (const http_header& h : r.headers)
        if (coswire::detail::iequals(h.name, name)) return h.value;
    return {};
}

std::vector<http_header> with_field(std::vector<http_header> fields, std::string_view name, std::string value) {
    for (http_header& f : fields)
        if (f.name == name) {
            f.value = std::move(value);
            return fields;
        }
    fields.push_back({std::string(name), std::move(value)});
    return fields;
}

}  // namespace

TEST_CASE("emulator post object: a form from make_post_object_form stores the file with the fields' metadata; 204 with ETag and Location") {
    harness h;
    auto p = params();
    p.fields = {{"Content-Type", "text/plain"}, {"x-cos-meta-origin", "browser"}};
    const post_object_form form = sign(h, p);
    const auto r = post(h, form_body(form.fields, "form bytes"));
    CHECK(outcome(r) == "204");
    CHECK(header(r, "ETag") == emu::quoted_md5("form bytes"));
    CHECK(header(r, "Location") == "http://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/doc/a.txt");
    const auto got = h.ok(coswire::get_object_params{.key = "doc/a.txt"});
    CHECK(got.body == "form bytes");
    CHECK(got.headers.content_type == "text/plain");
    std::vector<std::string> metadata;
    const auto stored = h.server.object("doc/a.txt");
    REQUIRE(stored);
    for (const http_header& m : stored->metadata) metadata.push_back(m.name + ": " + m.value);
    CHECK(metadata == std::vector<std::string>{"Content-Type: text/plain", "x-cos-meta-origin: browser"});
}

TEST_CASE("emulator post object: ${filename} under a key prefix; a key outside starts-with is refused") {
    harness h;
    auto p = params("uploads/");
    p.key_is_prefix = true;
    const post_object_form form = sign(h, p);
    CHECK(outcome(post(h, form_body(form.fields, "jpeg", "cat.jpg"))) == "204");
    CHECK(h.server.object("uploads/cat.jpg"));
    CHECK(outcome(post(h, form_body(with_field(form.fields, "key", "elsewhere/${filename}"), "jpeg"))) == "403 AccessDenied");
    CHECK_FALSE(h.server.object("elsewhere/photo.jpg"));
}

TEST_CASE("emulator post object: a tampered policy, a wrong key, an expired policy, a size outside content-length-range: COS's errors") {
    harness h;
    auto p = params();
    p.content_length_range = coswire::post_content_length_range{.min = 2, .max = 8};
    const post_object_form form = sign(h, p);
    CHECK(outcome(post(h, form_body(form.fields, "12345678"))) == "204");

    SUBCASE("a policy changed after signing") {
        std::string policy = form.policy;
        policy.replace(policy.find(",8]"), 3, ",99]");
        CHECK(outcome(post(h, form_body(with_field(form.fields, "policy", coswire::base64_encode(policy)), "123456789"))) ==
              "403 SignatureDoesNotMatch");
        CHECK(outcome(post(h, form_body(with_field(form.fields, "policy", "!!"), "1234"))) == "400 InvalidPolicyDocument");
    }
    SUBCASE("a signature by another key, or an unknown q-ak") {
        const coswire::credentials other{.secret_id = emu_test::creds.secret_id, .secret_key = coswire::secret_string("not the secret")};
        CHECK(outcome(post(h, form_body(sign(h, p, other).fields, "1234"))) == "403 SignatureDoesNotMatch");
        const coswire::credentials unknown{.secret_id = "AKIDunknown", .secret_key = coswire::secret_string("x")};
        CHECK(outcome(post(h, form_body(sign(h, p, unknown).fields, "1234"))) == "403 InvalidAccessKeyId");
    }
    SUBCASE("an expired policy; a key time that has not started or has ended") {
        auto expired = p;
        expired.expiration = "2023-11-14T22:13:19.000Z";
        CHECK(outcome(post(h, form_body(sign(h, expired).fields, "1234"))) == "403 AccessDenied");
        expired.expiration = "2023-11-14T22:13:20.000Z";
        CHECK(outcome(post(h, form_body(sign(h, expired).fields, "1234"))) == "403 AccessDenied");
        auto early = p;
        early.time = {1700000000 + 60, 1700000000 + 3600};
        CHECK(outcome(post(h, form_body(sign(h, early).fields, "1234"))) == "403 RequestTimeTooSkewed");
        auto late = p;
        late.time = {1700000000 - 3600, 1700000000 - 1};
        CHECK(outcome(post(h, form_body(sign(h, late).fields, "1234"))) == "403 AccessDenied");
    }
    SUBCASE("a file outside content-length-range") {
        CHECK(outcome(post(h, form_body(form.fields, "123456789"))) == "400 EntityTooLarge");
        CHECK(outcome(post(h, form_body(form.fields, "1"))) == "400 EntityTooSmall");
        CHECK(outcome(post(h, form_body(form.fields, "12"))) == "204");
    }
    SUBCASE("a field the policy does not cover, or one that breaks its condition") {
        CHECK(outcome(post(h, form_body(with_field(form.fields, "x-cos-meta-extra", "1"), "1234"))) == "403 AccessDenied");
        auto typed = p;
        typed.conditions = {{.field = "Content-Type", .value = "image/", .starts_with = true}};
        const post_object_form t = sign(h, typed);
        CHECK(outcome(post(h, form_body(with_field(t.fields, "Content-Type", "image/png"), "1234"))) == "204");
        CHECK(outcome(post(h, form_body(with_field(t.fields, "Content-Type", "text/html"), "1234"))) == "403 AccessDenied");
        CHECK(outcome(post(h, form_body(t.fields, "1234"))) == "403 AccessDenied");  // the condition's field is missing
    }
    CHECK(h.server.object("doc/a.txt")->data.size() <= 8);
}

TEST_CASE("emulator post object: temporary credentials need their token field; a signed policy may name ACL and encryption fields") {
    const coswire::credentials temporary{.secret_id = "AKIDtemporary", .secret_key = coswire::secret_string("temporary-secret"),
                                         .session_token = coswire::secret_string("token-1")};
    auto o = emu_test::options();
    o.accepted.push_back(temporary);
    harness h(1, o);
    auto p = params();
    p.fields = {{"acl", "public-read"}, {"x-cos-server-side-encryption", "AES256"}, {"success_action_status", "201"}};
    const post_object_form form = sign(h, p, temporary);
    std::vector<http_header> without_token = form.fields;
    std::erase_if(without_token, [](const http_header& f) { return f.name == "x-cos-security-token"; });
    CHECK(outcome(post(h, form_body(without_token, "x"))) == "403 InvalidAccessKeyId");
    const auto r = post(h, form_body(form.fields, "x"));
    CHECK(outcome(r) == "201");
    CHECK(r.body.find("<Key>doc/a.txt</Key>") != std::string::npos);
    CHECK(header(r, "x-cos-server-side-encryption") == "AES256");
    const auto stored = *h.server.object("doc/a.txt");
    CHECK(stored.acl.canned == "public-read");
    CHECK(stored.encryption.mode == "AES256");
}

TEST_CASE("emulator post object: success_action_redirect answers 303 with bucket, key and etag added") {
    harness h;
    auto p = params("a b.txt");
    p.fields = {{"success_action_redirect", "https://my.website/done?x=1"}};
    const auto r = post(h, form_body(sign(h, p).fields, "abc"));
    CHECK(outcome(r) == "303");
    CHECK(header(r, "Location") == "https://my.website/done?x=1&bucket=examplebucket-1250000000&key=a%20b.txt&etag=%22" +
                                       std::string(emu::bare_etag(emu::quoted_md5("abc"))) + "%22");
}

TEST_CASE("emulator post object: a malformed form is an error answer, never a crash, whatever prefix of a good body arrives") {
    harness h;
    const std::string good = form_body(sign(h, params()).fields, "file bytes");
    CHECK(outcome(post(h, good, "multipart/form-data")) == "400 MalformedPOSTRequest");
    CHECK(outcome(post(h, good, "multipart/form-data; boundary=other")) == "400 MalformedPOSTRequest");
    const std::string no_file = good.substr(0, good.find("--" + std::string(boundary) + "\r\nContent-Disposition: form-data; name=\"file\"")) +
                                "--" + std::string(boundary) + "--\r\n";
    CHECK(outcome(post(h, no_file)) == "400 IncorrectNumberOfFilesInPostRequest");
    // Every prefix that stops before the closing "--" of the boundary after the file.
    for (std::size_t n = 0; n + 2 < good.size(); ++n) {
        const auto r = post(h, good.substr(0, n));
        CAPTURE(n);
        CHECK(r.status >= 400);
        CHECK(r.status < 500);
    }
    CHECK(h.server.keys().empty());
}

TEST_CASE("parse_post_form: fields in order up to the file; quoted and bare boundaries; RFC 7578 shapes it refuses") {
    const std::string body = "--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n"
                             "--b\r\ncontent-disposition: form-data; name=empty\r\n\r\n\r\n"
                             "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\n\r\nline\r\nmore\r\n--b--\r\n";
    for (std::string_view type : {"multipart/form-data; boundary=b", "multipart/form-data; boundary=\"b\"", "multipart/form-data;charset=x;BOUNDARY=b"}) {
        CAPTURE(type);
        const auto form = emu::parse_post_form(type, body);
        REQUIRE(form);
        REQUIRE(form->fields.size() == 2);
        CHECK(form->fields[0].name == "key");
        CHECK(form->fields[0].value == "k");
        CHECK(form->fields[1].name == "empty");
        CHECK(form->fields[1].value.empty());
        CHECK(form->has_file);
        CHECK(form->file == "line\r\nmore");
        CHECK(form->filename == "f.txt");
    }
    CHECK_FALSE(emu::parse_post_form("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
                                                                         "--b\r\nContent-Disposition: form-data; name=\"A\"\r\n\r\n2\r\n--b--"));
    CHECK_FALSE(emu::parse_post_form("multipart/form-data; boundary=b", "--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--"));
    CHECK_FALSE(emu::parse_post_form("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n--b--"));
    CHECK_FALSE(emu::parse_post_form("multipart/form-data; boundary=b", "--bx"));
    CHECK_FALSE(emu::parse_post_form("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n1\r\n--b-"));
    CHECK_FALSE(emu::parse_post_form("multipart/form-data; boundary=" + std::string(71, 'b'), "--"));
    const auto no_file = emu::parse_post_form("multipart/form-data; boundary=b", "--b--");
    REQUIRE(no_file);
    CHECK_FALSE(no_file->has_file);
}

TEST_CASE("parse_policy_document: expiration and the three condition forms; other shapes are refused") {
    const auto doc = emu::parse_policy_document(
        R"({"expiration":"2023-11-14T23:13:20.000Z","conditions":[{"bucket":"b"},["eq","$key","k"],["starts-with","$Content-Type",""],["content-length-range",0,10]]})");
    REQUIRE(doc);
    CHECK(doc->expiration == 1700003600);
    REQUIRE(doc->conditions.size() == 4);
    CHECK(doc->conditions[0].field == "bucket");
    CHECK(doc->conditions[1].field == "key");
    CHECK(doc->conditions[1].value == "k");
    CHECK_FALSE(doc->conditions[1].starts_with);
    CHECK(doc->conditions[2].starts_with);
    CHECK(doc->conditions[3].field.empty());
    CHECK(doc->conditions[3].max == 10);
    for (std::string_view bad : {R"({"conditions":[]})", R"({"expiration":"tomorrow","conditions":[]})",
                                 R"({"expiration":"2023-11-14T23:13:20Z"})", R"({"expiration":"2023-11-14T23:13:20Z","conditions":[1]})",
                                 R"({"expiration":"2023-11-14T23:13:20Z","conditions":[{"a":"1","b":"2"}]})",
                                 R"({"expiration":"2023-11-14T23:13:20Z","conditions":[["lt","$key","k"]]})",
                                 R"({"expiration":"2023-11-14T23:13:20Z","conditions":[["eq","key","k"]]})",
                                 R"({"expiration":"2023-11-14T23:13:20Z","conditions":[["content-length-range",5,1]]})",
                                 R"({"expiration":"2023-11-14T23:13:20Z","conditions":[["content-length-range",-1,1]]})", "[]"}) {
        CAPTURE(bad);
        CHECK_FALSE(emu::parse_policy_document(bad));
    }
}
