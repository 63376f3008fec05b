// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/objects.hpp>

#include <doctest/doctest.h>

#include <coswire/crypto/crc64.hpp>

#include <string>
#include <vector>

namespace emu = coswire::detail::emu;
using emu::precondition;

namespace {

/// An object request for `key` at server time 1000 with `headers`.
struct request_of {
    std::vector<coswire::http_header> owned;
    emu::exchange x;
    request_of(std::string method, std::string key, std::vector<coswire::http_header> headers = {}) : owned(std::move(headers)) {
        x.method = std::move(method);
        x.path = "/" + std::move(key);
        x.target_ok = true;
        x.now = 1000;
        for (const auto& h : owned) x.headers.push_back({h.name, h.value});
    }
};

}  // namespace

TEST_CASE("parse_range: one range of three forms; anything else is ignored") {
    const auto full = emu::parse_range(" bytes=2-5 ");
    REQUIRE(full);
    CHECK_FALSE(full->suffix);
    CHECK(full->first == 2);
    CHECK(full->last == 5u);
    CHECK_FALSE(emu::parse_range("bytes=2-")->last);
    CHECK(emu::parse_range("bytes=-7")->suffix);
    CHECK(emu::parse_range("bytes=-7")->first == 7);
    for (const char* bad : {"bytes=5-2", "bytes=1-2,4-5", "items=1-2", "bytes=", "bytes=-", "bytes=a-b", "bytes=1"})
        CHECK_MESSAGE(!emu::parse_range(bad), bad);
}

TEST_CASE("resolve_range: clamps the end; nothing when no byte is selected") {
    const auto r = emu::resolve_range({.first = 2, .last = 99}, 10);
    REQUIRE(r);
    CHECK(r->first == 2);
    CHECK(r->last == 9);
    CHECK(emu::resolve_range({.suffix = true, .first = 3}, 10)->first == 7);
    CHECK(emu::resolve_range({.suffix = true, .first = 30}, 10)->first == 0);
    CHECK_FALSE(emu::resolve_range({.suffix = true, .first = 0}, 10));
    CHECK_FALSE(emu::resolve_range({.first = 10}, 10));
    CHECK_FALSE(emu::resolve_range({.first = 0}, 0));
}

TEST_CASE("etag lists: weak prefixes, quotes and blanks are ignored; * matches anything") {
    CHECK(emu::bare_etag(" W/\"abc\" ") == "abc");
    CHECK(emu::etag_list_matches("\"x\", W/\"ABC\"", "\"abc\""));
    CHECK(emu::etag_list_matches("*", "\"q\""));
    CHECK_FALSE(emu::etag_list_matches("\"x\",\"y\"", "\"abc\""));
}

TEST_CASE("evaluate_preconditions: RFC 9110 order, with a prefix for copy sources") {
    coswire::testing::emulated_object o{.etag = "\"e1\"", .last_modified = 1700000000};
    const std::string before = "Tue, 14 Nov 2023 22:13:19 GMT", at = "Tue, 14 Nov 2023 22:13:20 GMT";
    CHECK(emu::evaluate_preconditions(request_of("GET", "k").x, "", o) == precondition::pass);
    CHECK(emu::evaluate_preconditions(request_of("GET", "k", {{"If-Match", "\"e2\""}}).x, "", o) == precondition::failed);
    // If-Match decides; If-Unmodified-Since is then not read.
    CHECK(emu::evaluate_preconditions(request_of("GET", "k", {{"If-Match", "\"e1\""}, {"If-Unmodified-Since", before}}).x, "", o) ==
          precondition::pass);
    CHECK(emu::evaluate_preconditions(request_of("GET", "k", {{"If-Unmodified-Since", before}}).x, "", o) == precondition::failed);
    CHECK(emu::evaluate_preconditions(request_of("GET", "k", {{"If-None-Match", "\"e1\""}}).x, "", o) == precondition::not_modified);
    CHECK(emu::evaluate_preconditions(request_of("GET", "k", {{"If-Modified-Since", at}}).x, "", o) == precondition::not_modified);
    CHECK(emu::evaluate_preconditions(request_of("GET", "k", {{"If-Modified-Since", before}}).x, "", o) == precondition::pass);
    const request_of copy("PUT", "k", {{"x-cos-copy-source-If-Match", "\"e2\""}, {"If-Match", "\"e1\""}});
    CHECK(emu::evaluate_preconditions(copy.x, "x-cos-copy-source-", o) == precondition::failed);
    CHECK(emu::evaluate_preconditions(copy.x, "", o) == precondition::pass);
}

TEST_CASE("check_key and stored_metadata") {
    CHECK_FALSE(emu::check_key(request_of("GET", std::string(850, 'k')).x));
    CHECK(emu::check_key(request_of("GET", std::string(851, 'k')).x)->status == 400);
    CHECK(emu::check_key(request_of("GET", "a\xEF\xBF\xBF").x)->status == 400);
    const request_of put("PUT", "k", {{"content-type", " text/plain "}, {"X-Cos-Meta-A", "1"}, {"Authorization", "secret"}});
    const auto kept = emu::stored_metadata(put.x);
    REQUIRE(kept.size() == 2);
    CHECK(kept[0].value == "text/plain");
    CHECK(kept[1].name == "X-Cos-Meta-A");
}

TEST_CASE("object operations over a store: PUT within the quota, GET with a range, lent or copied, DELETE") {
    emu::bucket_store store(8, "AES256", 0);
    request_of put("PUT", "k", {{"x-cos-meta-a", "1"}});
    put.x.body = "0123456789";
    CHECK(emu::put_object(store, put.x).status == 400);  // 10 bytes > 8
    put.x.body = "01234567";
    const coswire::http_response stored = emu::put_object(store, put.x);
    CHECK(stored.status == 200);
    CHECK(stored.header("x-cos-hash-crc64ecma") == std::to_string(coswire::crc64("01234567")));
    CHECK(stored.header("x-cos-server-side-encryption") == "AES256");

    const request_of get("GET", "k", {{"Range", "bytes=2-4"}});
    const coswire::http_response copied = emu::get_object(store, get.x);
    CHECK(copied.status == 206);
    CHECK(copied.body == "234");
    CHECK(copied.header("Content-Range") == "bytes 2-4/8");
    CHECK(copied.header("x-cos-meta-a") == "1");
    CHECK(copied.header("Content-Type") == "application/octet-stream");
    std::string_view lent;
    const coswire::http_response streamed = emu::get_object(store, get.x, &lent);
    CHECK(streamed.body.empty());
    CHECK(lent == "234");
    CHECK(lent.data() == store.find_object("k")->data.data() + 2);  // a view into the store, no copy
    CHECK(streamed.header("Content-Length") == "3");

    CHECK(emu::get_object(store, request_of("GET", "k", {{"Range", "bytes=8-"}}).x).status == 416);
    CHECK(emu::get_object(store, request_of("GET", "k", {{"If-None-Match", "*"}}).x).status == 304);
    CHECK(emu::get_object(store, request_of("HEAD", "k").x).body.empty());
    CHECK(emu::get_object(store, request_of("HEAD", "k").x).header("Content-Length") == "8");
    const coswire::testing::emulator_options options{.undeletable_keys = {"kept"}};
    CHECK(emu::delete_object(store, options, request_of("DELETE", "kept").x).status == 403);
    CHECK(emu::delete_object(store, options, request_of("DELETE", "k").x).status == 204);
    CHECK(emu::get_object(store, request_of("GET", "k").x).status == 404);
    CHECK(store.stored_bytes() == 0);
}

TEST_CASE("get_object: response-* parameters override the stored headers") {
    emu::bucket_store store(100, "", 0);
    store.store_object("k", "v", {{"Content-Type", "text/plain"}}, std::nullopt, 0);
    request_of get("GET", "k");
    get.x.params = {{"response-content-type", "image/png"}, {"response-expires", "never"}};
    const coswire::http_response r = emu::get_object(store, get.x);
    CHECK(r.header("Content-Type") == "image/png");
    CHECK(r.header("Expires") == "never");
}
