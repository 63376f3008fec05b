// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/multipart.hpp>

#include <doctest/doctest.h>

#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/hex.hpp>

#include <string>
#include <vector>

namespace emu = coswire::detail::emu;

namespace {

std::string complete_body(const std::vector<std::pair<std::string, std::string>>& parts) {
    std::string body = "<CompleteMultipartUpload>";
    for (const auto& [number, etag] : parts) body += "<Part><PartNumber>" + number + "</PartNumber><ETag>" + etag + "</ETag></Part>";
    return body + "</CompleteMultipartUpload>";
}

emu::exchange object_request(std::string method, std::vector<coswire::http_query_param> params, std::string_view body = {}) {
    emu::exchange x;
    x.method = std::move(method);
    x.path = "/obj";
    x.target_ok = true;
    x.params = std::move(params);
    x.body = body;
    return x;
}

}  // namespace

TEST_CASE("parse_complete_body: parts in document order; every malformed body is an error") {
    const auto parts = emu::parse_complete_body(complete_body({{" 2 ", " \"b\" "}, {"1", "\"a\""}}));
    REQUIRE(parts);
    REQUIRE(parts->size() == 2);
    CHECK((*parts)[0].number == 2);
    CHECK((*parts)[0].etag == "\"b\"");
    CHECK((*parts)[1].number == 1);
    for (const std::string& bad : {std::string("not xml"), std::string("<Other/>"), complete_body({}),
                                  complete_body({{"x", "\"a\""}}), std::string("<CompleteMultipartUpload><Part><ETag>e</ETag></Part></CompleteMultipartUpload>")})
        CHECK_MESSAGE(!emu::parse_complete_body(bad), bad);
}

TEST_CASE("multipart_etag: MD5 of the binary part MD5s, then -N") {
    const coswire::testing::emulated_part a{.etag = emu::quoted_md5("first")}, b{.etag = emu::quoted_md5("second")};
    const std::vector<const coswire::testing::emulated_part*> parts{&a, &b};
    const auto da = coswire::md5_hash("first"), db = coswire::md5_hash("second");
    std::string joined(da.begin(), da.end());
    joined.append(db.begin(), db.end());
    CHECK(emu::multipart_etag(parts) == "\"" + std::string(coswire::to_string_view(coswire::to_hex(coswire::md5_hash(joined)))) + "-2\"");
}

TEST_CASE("multipart operations over a store: Initiate, parts, Complete with the combined CRC-64, Abort") {
    coswire::testing::emulator_options options;
    options.min_part_size = 4;
    emu::bucket_store store(1000, "", 0);
    const coswire::http_response started = emu::initiate(store, options, object_request("POST", {{"uploads", std::nullopt}}));
    CHECK(started.status == 200);
    REQUIRE(store.sorted_uploads().size() == 1);
    const std::string id = store.sorted_uploads()[0]->upload_id;
    CHECK(started.body.find("<UploadId>" + id + "</UploadId>") != std::string::npos);

    CHECK(emu::upload_part(store, options, object_request("PUT", {{"partNumber", "0"}, {"uploadId", id}}, "x")).status == 400);
    CHECK(emu::upload_part(store, options, object_request("PUT", {{"partNumber", "10001"}, {"uploadId", id}}, "x")).status == 400);
    CHECK(emu::upload_part(store, options, object_request("PUT", {{"partNumber", "1"}, {"uploadId", "nope"}}, "x")).status == 404);
    const coswire::http_response p1 = emu::upload_part(store, options, object_request("PUT", {{"partNumber", "1"}, {"uploadId", id}}, "abcd"));
    const coswire::http_response p2 = emu::upload_part(store, options, object_request("PUT", {{"partNumber", "2"}, {"uploadId", id}}, "ef"));
    CHECK(p1.header("ETag") == emu::quoted_md5("abcd"));
    CHECK(store.stored_bytes() == 6);

    const std::string e1(*p1.header("ETag")), e2(*p2.header("ETag"));
    const std::string reversed = complete_body({{"2", e2}, {"1", e1}});
    CHECK(emu::complete(store, options, object_request("POST", {{"uploadId", id}}, reversed)).status == 400);
    const std::string gap = complete_body({{"2", e2}});
    CHECK(emu::complete(store, options, object_request("POST", {{"uploadId", id}}, gap)).status == 400);
    const std::string wrong = complete_body({{"1", e2}, {"2", e2}});
    CHECK(emu::complete(store, options, object_request("POST", {{"uploadId", id}}, wrong)).status == 400);
    const std::string good = complete_body({{"1", e1}, {"2", e2}});
    const coswire::http_response done = emu::complete(store, options, object_request("POST", {{"uploadId", id}}, good));
    CHECK(done.status == 200);
    CHECK(done.header("x-cos-hash-crc64ecma") == std::to_string(coswire::crc64("abcdef")));
    CHECK(done.header("Content-Length") == std::to_string(done.body.size()));
    REQUIRE(store.find_object("obj") != nullptr);
    CHECK(store.find_object("obj")->data == "abcdef");
    CHECK(store.find_object("obj")->etag.ends_with("-2\""));
    CHECK(store.sorted_uploads().empty());
    CHECK(store.stored_bytes() == 6);  // the parts' bytes became the object's

    static_cast<void>(emu::initiate(store, options, object_request("POST", {{"uploads", std::nullopt}})));
    const std::string second = store.sorted_uploads()[0]->upload_id;
    static_cast<void>(emu::upload_part(store, options, object_request("PUT", {{"partNumber", "1"}, {"uploadId", second}}, "zz")));
    CHECK(emu::abort_upload(store, object_request("DELETE", {{"uploadId", second}})).status == 204);
    CHECK(emu::abort_upload(store, object_request("DELETE", {{"uploadId", second}})).status == 404);
    CHECK(store.stored_bytes() == 6);
}

TEST_CASE("read_copy_source: this bucket's object, its conditions and a first-last range") {
    const coswire::testing::emulator_options options;
    emu::bucket_store store(1000, "", 0);
    store.store_object("src key", "0123456789", {}, std::nullopt, 0);
    const std::string source = options.host + "/src%20key";
    std::string out;
    CHECK_FALSE(emu::read_copy_source(store, options, object_request("PUT", {}), "https://" + source, out));
    CHECK(out == "0123456789");
    std::vector<coswire::header_field> headers{{"x-cos-copy-source-range", "bytes=2-4"}};
    emu::exchange ranged = object_request("PUT", {});
    ranged.headers = headers;
    CHECK_FALSE(emu::read_copy_source(store, options, ranged, source, out));
    CHECK(out == "234");
    ranged.headers[0].value = "bytes=5-";
    CHECK(emu::read_copy_source(store, options, ranged, source, out)->status == 400);
    CHECK(emu::read_copy_source(store, options, object_request("PUT", {}), "other.example/src%20key", out)->status == 404);
    CHECK(emu::read_copy_source(store, options, object_request("PUT", {}), options.host + "/missing", out)->status == 404);
    CHECK(emu::read_copy_source(store, options, object_request("PUT", {}), options.host + "/", out)->status == 400);
    CHECK(emu::read_copy_source(store, options, object_request("PUT", {}), options.host + "/%zz", out)->status == 400);
}
