// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/copy.hpp>

#include <doctest/doctest.h>

#include "harness.hpp"

#include <coswire/copy/driver.hpp>
#include <coswire/copy/parallel.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>

#include <string>
#include <utility>
#include <vector>

using coswire::metadata_directive;
using coswire::mib;
using coswire::put_object_copy_params;
using coswire::testing::fault_kind;
using emu_test::harness;

namespace {

coswire::endpoint this_bucket() { return coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(); }

put_object_copy_params copy_of(std::string source_key, std::string key) {
    return {.key = std::move(key), .source = this_bucket(), .source_key = std::move(source_key)};
}

std::string meta(const coswire::head_object_result& h, std::string_view name) {
    for (const auto& [suffix, value] : h.headers.metadata)
        if (suffix == name) return value;
    return {};
}

}  // namespace

TEST_CASE("find_copy_source: this bucket's objects by host and key; anything else is missing or invalid") {
    namespace emu = coswire::detail::emu;
    emu::bucket_store store(1000, "", 0);
    store.store_object("a/b c", "x", {}, std::nullopt, 5);
    const coswire::testing::emulator_options options;
    emu::exchange x;
    x.method = "PUT";
    x.path = "/dst";
    const auto answer = [&](std::string_view source) {
        const coswire::testing::emulated_object* found = nullptr;
        const emu::refusal r = emu::find_copy_source(store, options, x, source, found);
        CHECK((found != nullptr) == !r);
        return r ? std::to_string(r->status) : std::string(found->data);
    };
    CHECK(answer(options.host + "/a/b%20c") == "x");
    CHECK(answer("https://" + options.host + "/a/b%20c") == "x");
    CHECK(answer("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a/b%20c") == "x");
    CHECK(answer(options.host + "/a/b%20c?versionId=1") == "404");
    CHECK(answer("otherbucket-1250000000.cos.ap-beijing.myqcloud.com/a/b%20c") == "404");
    CHECK(answer(options.host + "/a/b") == "404");
    CHECK(answer(options.host + "/") == "400");
    CHECK(answer(options.host + "/%G1") == "400");
}

TEST_CASE("PUT Object - Copy: the copy has the source's bytes, ETag, CRC-64 and, by default, metadata") {
    harness h;
    const std::string data = emu_test::random_bytes(1000, 1);
    h.server.put_object("dir/src ü+1", data, {{"Content-Type", "text/plain"}, {"x-cos-meta-colour", "blue"}});
    h.server.advance(60);
    const coswire::put_object_copy_result copied = h.ok(copy_of("dir/src ü+1", "dst"));
    CHECK(copied.etag == h.server.object("dir/src ü+1")->etag.substr(1, 32));
    CHECK(copied.crc64 == coswire::crc64(data));
    CHECK(copied.last_modified == h.server.server_time());
    const auto stored = h.server.object("dst");
    REQUIRE(stored);
    CHECK(stored->data == data);
    const auto head = h.ok(coswire::head_object_params{.key = "dst"});
    CHECK(head.headers.content_type == "text/plain");
    CHECK(meta(head, "colour") == "blue");
}

TEST_CASE("PUT Object - Copy: Replaced takes the request's metadata; an object copied onto itself needs it") {
    harness h;
    h.server.put_object("k", "bytes", {{"Content-Type", "text/plain"}, {"x-cos-meta-a", "1"}});
    auto same = copy_of("k", "k");
    CHECK(h.refused(same) == "400 InvalidRequest");
    same.directive = metadata_directive::replaced;
    same.attributes = {.content_type = "image/png", .metadata = {{"b", "2"}}};
    h.ok(same);
    const auto head = h.ok(coswire::head_object_params{.key = "k"});
    CHECK(head.headers.content_type == "image/png");
    CHECK(meta(head, "a").empty());
    CHECK(meta(head, "b") == "2");
    CHECK(h.server.object("k")->data == "bytes");
}

TEST_CASE("PUT Object - Copy: a missing source, one in another bucket and a version the key lacks are answered as missing") {
    harness h;
    h.server.put_object("k", "bytes");
    CHECK(h.refused(copy_of("absent", "dst")) == "404 NoSuchKey");
    auto other = copy_of("k", "dst");
    other.source = coswire::make_endpoint("otherbucket-1250000000", "ap-beijing").value();
    CHECK(h.refused(other) == "404 NoSuchKey");
    auto version = copy_of("k", "dst");
    version.source_version_id = "MTg0NDUxNTc0NDYxOTI4MzU0MDI";
    CHECK(h.refused(version) == "404 NoSuchVersion");
    CHECK_FALSE(h.server.object("dst"));
}

TEST_CASE("PUT Object - Copy: unmet x-cos-copy-source-If-* conditions are 412 and copy nothing") {
    harness h;
    h.server.put_object("k", "bytes");  // last modified at 1700000000
    const std::string etag = h.server.object("k")->etag;
    const auto with = [&](coswire::object_conditions c) {
        auto p = copy_of("k", "dst");
        p.source_conditions = std::move(c);
        return p;
    };
    CHECK(h.refused(with({.if_match = "\"0123\""})) == "412 PreconditionFailed");
    CHECK(h.refused(with({.if_none_match = etag})) == "412 PreconditionFailed");
    CHECK(h.refused(with({.if_unmodified_since = 1699999999})) == "412 PreconditionFailed");
    CHECK(h.refused(with({.if_modified_since = 1700000000})) == "412 PreconditionFailed");
    CHECK_FALSE(h.server.object("dst"));
    h.ok(with({.if_match = etag, .if_modified_since = 1699999999}));
    CHECK(h.server.object("dst"));
}

TEST_CASE("PUT Object - Copy: a bad directive and a source that is not <host>/<key> are 400") {
    harness h;
    h.server.put_object("k", "bytes");
    auto p = copy_of("k", "dst");
    auto built = coswire::make_put_object_copy_request(this_bucket(), p);
    REQUIRE(built);
    const auto code = [&](std::string directive, std::string source) {
        coswire::detail::emu::set_header(built->headers, "x-cos-metadata-directive", std::move(directive));
        coswire::detail::emu::set_header(built->headers, "x-cos-copy-source", std::move(source));
        const auto r = h.client.run(*built, [](const coswire::http_response& a) { return coswire::parse_put_object_copy_response(a); });
        REQUIRE_FALSE(r);
        return r.error().service->code;
    };
    const std::string source = std::string(*built->header("x-cos-copy-source"));
    CHECK(code("Sometimes", source) == "InvalidArgument");
    CHECK(code("Copy", "no-slash") == "InvalidCopySource");
    CHECK(code("Copy", source + "%zz") == "InvalidCopySource");
}

TEST_CASE("Upload Part - Copy through its builder and parser: a range of the source, checked at Complete") {
    harness h;
    const std::string data = emu_test::random_bytes(100, 2);
    h.server.put_object("src", data);
    const auto upload = h.ok(coswire::initiate_multipart_upload_params{.key = "dst"});
    const auto part = h.ok(coswire::upload_part_copy_params{
        .key = "dst", .upload_id = upload.upload_id, .part_number = 1, .source = this_bucket(), .source_key = "src",
        .range = coswire::byte_range{.first = 10, .last = 29}});
    CHECK(part.crc64 == coswire::crc64(data.substr(10, 20)));
    CHECK(h.server.uploads().at(0).parts.at(1).data == data.substr(10, 20));
    CHECK(h.refused(coswire::upload_part_copy_params{.key = "dst", .upload_id = upload.upload_id, .part_number = 2,
                                                     .source = this_bucket(), .source_key = "src",
                                                     .range = coswire::byte_range{.first = 90, .last = 100}}) ==
          "400 InvalidArgument");
}

TEST_CASE("copy_object: one PUT Object - Copy or a multipart copy, each checked by CRC-64") {
    harness h;
    const std::string data = emu_test::random_bytes(3 * mib + 5, 3);
    h.server.put_object("src.bin", data, {{"Content-Type", "video/mp4"}});
    const auto single = coswire::copy_object(h.client, h.client, "src.bin", "one.bin");
    REQUIRE_MESSAGE(single, coswire::describe(single.error()));
    CHECK_FALSE(single->multipart);
    CHECK(single->crc64_matched);
    const auto parts = coswire::copy_object(h.client, h.client, "src.bin", "many.bin", {.threshold = mib, .part_size = mib});
    REQUIRE_MESSAGE(parts, coswire::describe(parts.error()));
    CHECK(parts->multipart);
    CHECK(parts->parts == 4);
    CHECK(parts->crc64_matched);
    for (const char* key : {"one.bin", "many.bin"}) {
        CHECK(h.server.object(key)->data == data);
        CHECK(h.ok(coswire::head_object_params{.key = key}).headers.content_type == "video/mp4");
    }
    CHECK(h.server.uploads().empty());
}

TEST_CASE("copy_object and copy_object_parallel: a fault mid-copy is retried, or fails the copy and aborts it") {
    const std::string data = emu_test::random_bytes(4 * mib, 4);
    const coswire::copy_object_options in_parts{.threshold = 0, .part_size = mib};
    SUBCASE("retried: the copy equals the source") {
        harness h(3);
        h.server.put_object("src", data);
        h.server.fail_next(fault_kind::none, 3);  // HEAD, Initiate, part 1
        h.server.fail_next(fault_kind::internal_error);
        h.server.fail_next(fault_kind::drop_after);
        const auto r = coswire::copy_object(h.client, h.client, "src", "dst", in_parts);
        REQUIRE_MESSAGE(r, coswire::describe(r.error()));
        CHECK(r->crc64_matched);
        CHECK(h.server.object("dst")->data == data);
        CHECK(h.server.stats().faults.total() == 2);
    }
    SUBCASE("not retried: the copy fails, the upload is aborted and nothing is stored") {
        harness h(1);
        h.server.put_object("src", data);
        h.server.fail_next(fault_kind::none, 3);
        h.server.fail_next(fault_kind::slow_down);
        const auto r = coswire::copy_object(h.client, h.client, "src", "dst", in_parts);
        REQUIRE_FALSE(r);
        CHECK(r.error().service->code == "SlowDown");
        CHECK_FALSE(h.server.object("dst"));
        CHECK(h.server.uploads().empty());
    }
    SUBCASE("parallel, with random faults: the copy equals the source") {
        harness h(8);
        h.server.put_object("src", data);
        h.server.set_fault_plan({.internal_error = 0.15, .drop_before = 0.1});
        const auto r = coswire::copy_object_parallel(h.client, h.client, "src", "dst", 3, in_parts);
        REQUIRE_MESSAGE(r, coswire::describe(r.error()));
        CHECK(r->parts == 4);
        CHECK(r->crc64_matched);
        CHECK(h.server.object("dst")->data == data);
        CHECK(h.server.uploads().empty());
    }
    SUBCASE("the source replaced mid-copy: the next part is 412 and the copy is aborted") {
        harness h(1);
        h.server.put_object("src", data);
        std::uint32_t parts_seen = 0;
        // A transport that replaces the source after the first part was copied.
        struct replacing {
            coswire::testing::cos_emulator* server;
            std::uint32_t* parts;
            coswire::result<coswire::http_response> operator()(const coswire::http_request& r) {
                auto answer = (*server)(r);
                if (r.header("x-cos-copy-source-range") && ++*parts == 1) server->put_object("src", "replaced");
                return answer;
            }
        } transport{&h.server, &parts_seen};
        coswire::client<replacing> c(this_bucket(), emu_test::creds, transport, [&] { return h.server.server_time(); },
                                     [](std::uint32_t) {}, coswire::client_options{.max_attempts = 1});
        const auto r = coswire::copy_object(c, c, "src", "dst", in_parts);
        REQUIRE_FALSE(r);
        CHECK(r.error().service->code == "PreconditionFailed");
        CHECK_FALSE(h.server.object("dst"));
        CHECK(h.server.uploads().empty());
    }
}
