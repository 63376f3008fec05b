// SPDX-License-Identifier: MIT
#include <coswire/api/delete_multiple.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/sign/request.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::object_to_delete;

using test_support::doc_endpoint;
using test_support::md5_base64;

namespace {

void check_refused(std::vector<object_to_delete> objects, std::string_view reason_part, errc code = errc::invalid_argument) {
    auto r = coswire::make_delete_multiple_objects_request(doc_endpoint(), {.objects = std::move(objects)});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    CHECK(r.error().argument == "objects");
    CHECK_MESSAGE(r.error().reason.find(reason_part) != std::string::npos, r.error().reason);
}

}  // namespace

TEST_CASE("Content-MD5 of the documented DELETE Multiple Objects body is the page's") {
    // The page's first sample, tab-indented with CRLF line ends and no final line break: its
    // Content-Length 158 and Content-MD5 (docs/protocol/delete-multiple.md#request).
    const std::string documented =
        "<Delete>\r\n\t<Quiet>false</Quiet>\r\n\t<Object>\r\n\t\t<Key>example-object-1.jpg</Key>\r\n\t</Object>\r\n"
        "\t<Object>\r\n\t\t<Key>example-object-2.jpg</Key>\r\n\t</Object>\r\n</Delete>";
    CHECK(documented.size() == 158);
    CHECK(md5_base64(documented) == "zUd/xgzNGDrqJMJUOWV2AQ==");
}

TEST_CASE("make_delete_multiple_objects_request: POST /?delete with the body's length and MD5, keys escaped") {
    coswire::delete_multiple_objects_params p{
        .objects = {{.key = "example-object-1.jpg"},
                    {.key = "a&b<c>\"d'.txt", .version_id = "MTg0NDUxNzc2ODcwMjYyNjIwMTM"},
                    {.key = "目录/文件.txt"}},
        .quiet = true};
    auto r = coswire::make_delete_multiple_objects_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->method == "POST");
    CHECK(r->target() == "/?delete");
    CHECK(r->header("Content-Type") == "application/xml");
    CHECK(r->header("Content-Length") == std::to_string(r->body.size()));
    CHECK(r->header("Content-MD5") == md5_base64(r->body));
    CHECK(r->body.starts_with("<Delete><Quiet>true</Quiet><Object><Key>example-object-1.jpg</Key></Object>"));
    // Read back: the keys and the version come out as given.
    coswire::xml::reader reader(r->body);
    std::vector<std::string> keys, versions;
    auto ok = coswire::xml::read_document(reader, [&](std::string_view, coswire::xml::reader& root) {
        return coswire::xml::for_each_child(root, [&](std::string_view name, coswire::xml::reader& o) -> coswire::result<void> {
            if (name != "Object") return {};
            return coswire::xml::for_each_child(o, [&](std::string_view field, coswire::xml::reader& f) -> coswire::result<void> {
                auto text = f.read_text();
                if (!text) return std::move(text).error();
                (field == "Key" ? keys : versions).emplace_back(*text);
                return {};
            });
        });
    });
    REQUIRE(ok);
    CHECK(keys == std::vector<std::string>{"example-object-1.jpg", "a&b<c>\"d'.txt", "目录/文件.txt"});
    CHECK(versions == std::vector<std::string>{"MTg0NDUxNzc2ODcwMjYyNjIwMTM"});
    const coswire::credentials creds{.secret_id = "AKIDx", .secret_key = coswire::secret_string("k")};
    auto s = coswire::signer::create(creds, {1700000000, 1700003600});
    REQUIRE(s);
    auto parts = coswire::authorize(*r, *s);
    REQUIRE(parts);
    CHECK(parts->url_param_list == "delete");
    CHECK(parts->header_list == "content-length;content-md5;content-type;host");
}

TEST_CASE("make_delete_multiple_objects_request: bad lists are refused with the entry's index") {
    check_refused({}, "at least one");
    check_refused(std::vector<object_to_delete>(1001, {.key = "k"}), "at most 1000");
    check_refused({{.key = "ok"}, {.key = ""}}, "entry 1");
    check_refused({{.key = "/lead"}}, "entry 0");
    check_refused({{.key = std::string(851, 'k')}}, "entry 0", errc::limit_exceeded);
    check_refused({{.key = "bell\x07"}}, "XML 1.0");
    check_refused({{.key = "bad\xff"}}, "entry 0");
    check_refused({{.key = "a", .version_id = ""}}, "version id");
    check_refused({{.key = "a", .version_id = "v\r\n"}}, "version id");
    check_refused({{.key = "a"}, {.key = "b"}, {.key = "a"}}, "entry 2: names the same key");
    // The same key with different versions is two entries.
    CHECK(coswire::make_delete_multiple_objects_request(
        doc_endpoint(), {.objects = {{.key = "a", .version_id = "v1"}, {.key = "a", .version_id = "v2"}, {.key = "a"}}}));
    CHECK(coswire::make_delete_multiple_objects_request(doc_endpoint(), {.objects = std::vector<object_to_delete>(1, {.key = "k"})}));
}

TEST_CASE("split_delete_multiple_objects: 2500 keys go in requests of 1000, 1000 and 500, in order") {
    std::vector<object_to_delete> objects;
    for (int i = 0; i < 2500; ++i) objects.push_back({.key = "logs/" + std::to_string(i)});
    const auto batches = coswire::split_delete_multiple_objects(objects, true);
    REQUIRE(batches.size() == 3);
    CHECK(batches[0].objects.size() == 1000);
    CHECK(batches[1].objects.size() == 1000);
    CHECK(batches[2].objects.size() == 500);
    CHECK(batches[1].objects.front().key == "logs/1000");
    CHECK(batches[2].objects.back().key == "logs/2499");
    CHECK(batches[2].quiet);
    for (const auto& b : batches) CHECK(coswire::make_delete_multiple_objects_request(doc_endpoint(), b));
    CHECK(coswire::split_delete_multiple_objects({}).empty());
    CHECK(coswire::split_delete_multiple_objects(std::vector<object_to_delete>(1000, {.key = "k"})).size() == 1);
    CHECK(coswire::split_delete_multiple_objects(std::vector<object_to_delete>(1001, {.key = "k"})).size() == 2);
}
