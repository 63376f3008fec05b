// SPDX-License-Identifier: MIT
#include <coswire/download/plan.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using coswire::errc;
using coswire::http_response;

namespace {

http_response partial(std::string content_range, std::string etag = "\"abc\"", std::string crc = "42") {
    http_response r{.status = 206, .headers = {{"Content-Range", std::move(content_range)}}, .body = {}};
    if (!etag.empty()) r.headers.push_back({"ETag", std::move(etag)});
    if (!crc.empty()) r.headers.push_back({"x-cos-hash-crc64ecma", std::move(crc)});
    return r;
}

coswire::download_checkpoint sample_checkpoint() {
    return coswire::download_checkpoint{.etag = "d41d8cd98f00b204e9800998ecf8427e-3",
                                        .object_size = 200000,
                                        .part_size = 65536,
                                        .crc64 = 123,
                                        .done = {{.index = 0, .crc64 = 7}, {.index = 3, .crc64 = 18446744073709551615u}}};
}

}  // namespace

TEST_CASE("plan_download: ranges of part_size, the last with the rest; an empty object has none") {
    auto plan = coswire::plan_download(200000, 65536);
    REQUIRE(plan);
    CHECK(plan->range_count == 4);
    CHECK(plan->range(0).first == 0);
    CHECK(plan->range(0).last() == 65535);
    CHECK(plan->range(3).first == 196608);
    CHECK(plan->range(3).size == 200000 - 196608);
    auto empty = coswire::plan_download(0, 65536);
    REQUIRE(empty);
    CHECK(empty->range_count == 0);
    auto exact = coswire::plan_download(131072, 65536);
    REQUIRE(exact);
    CHECK(exact->range_count == 2);
    CHECK(exact->range(1).size == 65536);
}

TEST_CASE("plan_download: the part size grows to whole MiB beyond 10000 ranges, and bad sizes are refused") {
    auto plan = coswire::plan_download(std::uint64_t{20000} * 65536, 65536);
    REQUIRE(plan);
    CHECK(plan->part_size == coswire::mib);
    CHECK(plan->range_count <= coswire::max_download_ranges);
    SUBCASE("too small") { CHECK(coswire::plan_download(10, 65535).error().argument == "part_size"); }
    SUBCASE("too large") { CHECK(coswire::plan_download(10, coswire::max_part_size + 1).error().argument == "part_size"); }
    SUBCASE("no such object") {
        auto e = coswire::plan_download(coswire::max_part_size * 10000 + 1, 65536).error();
        CHECK(e.code == errc::limit_exceeded);
        CHECK(e.argument == "object_size");
    }
}

TEST_CASE("check_range_answer: a 206 with the asked Content-Range pins size, ETag and CRC-64") {
    auto first = coswire::check_range_answer(partial("bytes 0-65535/200000"), 0, 65535);
    REQUIRE(first);
    CHECK_FALSE(first->whole);
    CHECK(first->object.size == 200000);
    CHECK(first->object.etag == "abc");
    CHECK(first->object.crc64 == 42u);
    SUBCASE("a first range larger than the object is clamped by the server") {
        auto small = coswire::check_range_answer(partial("bytes 0-99/100"), 0, 65535);
        REQUIRE(small);
        CHECK(small->object.size == 100);
    }
    SUBCASE("no CRC-64 header is not an error here") {
        auto none = coswire::check_range_answer(partial("bytes 0-99/100", "\"abc\"", ""), 0, 65535);
        REQUIRE(none);
        CHECK_FALSE(none->object.crc64);
    }
}

TEST_CASE("check_range_answer: refuses a wrong status, a Content-Range other than asked, no total, no ETag") {
    CHECK(coswire::check_range_answer(partial("bytes 0-65535/200000"), 65536, 131071).error().argument == "Content-Range");
    CHECK(coswire::check_range_answer(partial("bytes 65536-131070/200000"), 65536, 131071).error().argument == "Content-Range");
    CHECK(coswire::check_range_answer(partial("bytes 65536-131071/*"), 65536, 131071).error().argument == "Content-Range");
    CHECK(coswire::check_range_answer(partial("bytes 65536-131071/65536"), 65536, 131071).error().argument == "Content-Range");
    CHECK(coswire::check_range_answer(partial("bytes 65536-131071/200000", ""), 65536, 131071).error().argument == "ETag");
    http_response ok{.status = 200, .headers = {{"ETag", "\"abc\""}, {"Content-Length", "5"}}, .body = {}};
    CHECK(coswire::check_range_answer(ok, 65536, 131071).error().argument == "status");
    auto whole = coswire::check_range_answer(ok, 0, 65535);
    REQUIRE(whole);
    CHECK(whole->whole);
    CHECK(whole->object.size == 5);
    ok.headers.pop_back();
    CHECK(coswire::check_range_answer(ok, 0, 65535).error().argument == "Content-Length");
    http_response missing{.status = 206, .headers = {{"ETag", "\"abc\""}}, .body = {}};
    CHECK(coswire::check_range_answer(missing, 0, 65535).error().code == errc::malformed_response);
}

TEST_CASE("check_same_object: another ETag, size or CRC-64 is object_changed") {
    const coswire::object_identity pinned{.size = 10, .etag = "a", .crc64 = 1};
    CHECK(coswire::check_same_object(pinned, pinned));
    CHECK(coswire::check_same_object(pinned, {.size = 10, .etag = "a", .crc64 = std::nullopt}));
    CHECK(coswire::check_same_object(pinned, {.size = 10, .etag = "b", .crc64 = 1}).error().code == errc::object_changed);
    CHECK(coswire::check_same_object(pinned, {.size = 11, .etag = "a", .crc64 = 1}).error().argument == "size");
    CHECK(coswire::check_same_object(pinned, {.size = 10, .etag = "a", .crc64 = 2}).error().argument == "x-cos-hash-crc64ecma");
}

TEST_CASE("check_range_body and check_range_overrun: exactly the range's bytes") {
    const coswire::download_range r{.index = 2, .first = 100, .size = 50};
    CHECK(coswire::check_range_body(r, 50));
    auto short_body = coswire::check_range_body(r, 49);
    CHECK(short_body.error().argument == "body");
    CHECK(short_body.error().reason.find("range 2") != std::string::npos);
    CHECK(coswire::check_range_overrun(r, 40, 10));
    CHECK(coswire::check_range_overrun(r, 40, 11).error().argument == "body");
}

TEST_CASE("check_whole_crc: verified, not_sent without COS's value, integrity_failure when they differ") {
    CHECK(coswire::check_whole_crc(5, 5u).value() == coswire::crc_check::verified);
    CHECK(coswire::check_whole_crc(5, std::nullopt).value() == coswire::crc_check::not_sent);
    CHECK(coswire::check_whole_crc(5, 6u).error().code == errc::integrity_failure);
}

TEST_CASE("combined_crc64: folding the ranges' CRC-64 gives the whole object's") {
    std::string data(200000, 'x');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 300);
    auto plan = coswire::plan_download(data.size(), 65536).value();
    coswire::download_checkpoint cp{.etag = "e", .object_size = data.size(), .part_size = 65536, .crc64 = {}, .done = {}};
    for (std::uint32_t i : {3u, 1u, 0u, 2u}) {
        const auto r = plan.range(i);
        coswire::mark_done(cp, i, coswire::crc64(std::string_view(data).substr(r.first, r.size)));
    }
    CHECK(cp.done.front().index == 0);
    CHECK(coswire::missing_ranges(plan, cp).empty());
    CHECK(coswire::combined_crc64(plan, cp) == coswire::crc64(data));
}

TEST_CASE("checkpoint: serialize then parse gives it back, and missing_ranges lists the rest") {
    const auto cp = sample_checkpoint();
    const std::string text = coswire::serialize_checkpoint(cp);
    CHECK(text ==
          "coswire-download-checkpoint 1\netag d41d8cd98f00b204e9800998ecf8427e-3\nsize 200000\npart-size 65536\n"
          "crc64 123\ndone 0 7\ndone 3 18446744073709551615\n");
    auto back = coswire::parse_checkpoint(text);
    REQUIRE(back);
    CHECK(back->etag == cp.etag);
    CHECK(back->object_size == cp.object_size);
    CHECK(back->part_size == cp.part_size);
    CHECK(back->crc64 == cp.crc64);
    REQUIRE(back->done.size() == 2);
    CHECK(back->done[1].crc64 == cp.done[1].crc64);
    CHECK(coswire::missing_ranges(coswire::plan_download(200000, 65536).value(), *back) == std::vector<std::uint32_t>{1, 2});
    auto none = cp;
    none.crc64.reset();
    none.done.clear();
    auto parsed = coswire::parse_checkpoint(coswire::serialize_checkpoint(none));
    REQUIRE(parsed);
    CHECK_FALSE(parsed->crc64);
    CHECK(parsed->done.empty());
}

TEST_CASE("parse_checkpoint: refuses anything malformed, naming the line") {
    const std::string good = coswire::serialize_checkpoint(sample_checkpoint());
    const auto replaced = [&](std::string_view from, std::string_view to) {
        std::string s = good;
        s.replace(s.find(from), from.size(), to);
        return s;
    };
    const std::vector<std::string> bad{
        "",
        good.substr(0, good.size() - 1),                       // no LF after the last line
        replaced("checkpoint 1", "checkpoint 2"),              // another version
        replaced("etag d41d", "etag \"d41d"),                  // a quote
        replaced("etag d41d", "etag  d41d"),                   // two spaces
        replaced("size 200000", "size 0200000"),               // a leading zero
        replaced("size 200000", "size -1"),
        replaced("size 200000", "size 99999999999999999999999"),
        replaced("part-size 65536", "part-size 100"),          // out of range
        replaced("part-size 65536", "part-size 70000"),        // 3 ranges: done 3 is past them
        replaced("crc64 123", "crc64 "),
        replaced("crc64 123", "crc64 x"),
        replaced("done 0 7", "done 0"),
        replaced("done 0 7", "done 3 7"),                      // not ascending
        replaced("done 0 7", "done 4 7"),                      // past the last range
        replaced("done 0 7", "done 0 7 8"),
        replaced("size 200000\n", "size 200000\r\n"),
        good + "done 9 1\n",
        good + "\n",
        replaced("size 200000\n", ""),                         // a field missing
    };
    for (std::size_t i = 0; i < bad.size(); ++i) {
        CAPTURE(i);
        auto parsed = coswire::parse_checkpoint(bad[i]);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().argument == "checkpoint");
        CHECK(parsed.error().code == errc::invalid_argument);
    }
    CHECK(coswire::parse_checkpoint(replaced("done 0 7", "done 0 x")).error().reason.find("line 6") != std::string::npos);
}

TEST_CASE("if_match_value quotes the pinned ETag") { CHECK(coswire::if_match_value("abc-2") == "\"abc-2\""); }
