// SPDX-License-Identifier: MIT
#include <coswire/listing/all_pages.hpp>

#include <doctest/doctest.h>

#include <coswire/client.hpp>
#include <coswire/testing/emulator.hpp>

#include "../multipart/hostile_transport.hpp"

#include <cstdint>
#include <string>
#include <vector>

using coswire::errc;

namespace {

const coswire::credentials creds{.secret_id = "AKIDlisting", .secret_key = coswire::secret_string("listing-secret")};

struct harness {
    coswire::testing::cos_emulator server{[] {
        coswire::testing::emulator_options o;
        o.accepted = {creds};
        o.min_part_size = 1;
        return o;
    }()};
    hostile_transport wire{.server = &server};
    coswire::client<hostile_transport> client{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, wire,
                                              [this] { return server.server_time(); }, [](std::uint32_t) {}};

    /// A fabricating harness: no emulator behind the wire.
    static void fabricate(harness& h, hostile_transport::alteration answer) {
        h.wire.server = nullptr;
        h.wire.alter = std::move(answer);
    }
};

coswire::list_parts_params parts_of(std::string key, std::string upload_id) {
    coswire::list_parts_params p;
    p.key = std::move(key);
    p.upload_id = std::move(upload_id);
    return p;
}

/// An upload of `key` holding parts 1..n of one byte each; returns its id.
std::string upload_with_parts(harness& h, const std::string& key, std::uint32_t n) {
    auto started = h.client.send(coswire::initiate_multipart_upload_params{.key = key});
    REQUIRE(started);
    static const std::byte byte{0x61};
    for (std::uint32_t i = 1; i <= n; ++i) {
        coswire::upload_part_params part;
        part.key = key;
        part.upload_id = started->upload_id;
        part.part_number = i;
        part.payload.bytes = std::span<const std::byte>(&byte, 1);
        REQUIRE(h.client.send(part));
    }
    return started->upload_id;
}

std::string list_parts_body(std::uint32_t echoed_marker, std::uint32_t next_marker, std::uint32_t first_part) {
    return "<ListPartsResult><Key>k</Key><UploadId>u</UploadId><PartNumberMarker>" + std::to_string(echoed_marker) +
           "</PartNumberMarker><NextPartNumberMarker>" + std::to_string(next_marker) +
           "</NextPartNumberMarker><IsTruncated>true</IsTruncated><Part><PartNumber>" + std::to_string(first_part) +
           "</PartNumber><ETag>\"0cc175b9c0f1b6a831c399e269772661\"</ETag><Size>1</Size></Part></ListPartsResult>";
}

}  // namespace

TEST_CASE("list_all_parts: follows every page of a real listing") {
    harness h;
    const std::string id = upload_with_parts(h, "k", 25);
    auto first = parts_of("k", id);
    first.max_parts = 10;
    auto all = coswire::list_all_parts(h.client, first);
    REQUIRE(all);
    REQUIRE(all->size() == 25);
    CHECK(all->front().part_number == 1);
    CHECK(all->back().part_number == 25);
    CHECK(h.wire.count(request_kind::list_parts) == 3);
}

TEST_CASE("list_all_parts: a truncated page that does not move past the marker requested is malformed, not the end") {
    harness h;
    // Every page lists part 1 and 2, echoes PartNumberMarker 0 and continues from 2: the parser
    // sees progress against the echo, but the second page was asked for from 2 already.
    harness::fabricate(h, [](const coswire::http_request&, coswire::result<coswire::http_response>& answer) {
        answer = coswire::http_response{200, {}, list_parts_body(0, 2, 1)};
    });
    auto all = coswire::list_all_parts(h.client, parts_of("k", "u"));
    REQUIRE_FALSE(all);
    CHECK(all.error().code == errc::malformed_response);
    CHECK(all.error().argument == "NextPartNumberMarker");
    CHECK(all.error().reason.find("requested") != std::string::npos);
    CHECK(h.wire.count(request_kind::list_parts) == 2);
}

TEST_CASE("list_all_parts: a listing that never ends stops at what 10000 parts can fill") {
    harness h;
    // Always truncated, always one part further: a page per part number.
    harness::fabricate(h, [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
        const std::uint32_t asked = static_cast<std::uint32_t>(std::stoul("0" + param_of(r, "part-number-marker")));
        answer = coswire::http_response{200, {}, list_parts_body(asked, asked + 1, asked + 1)};
    });
    SUBCASE("COS's default page of 1000: 10 pages") {
        auto all = coswire::list_all_parts(h.client, parts_of("k", "u"));
        REQUIRE_FALSE(all);
        CHECK(all.error().code == errc::limit_exceeded);
        CHECK(all.error().argument == "max_parts");
        CHECK(h.wire.count(request_kind::list_parts) == 10);
    }
    SUBCASE("pages of 300 asked: 34 pages") {
        auto first = parts_of("k", "u");
        first.max_parts = 300;
        auto all = coswire::list_all_parts(h.client, first);
        REQUIRE_FALSE(all);
        CHECK(all.error().code == errc::limit_exceeded);
        CHECK(h.wire.count(request_kind::list_parts) == 34);
    }
    SUBCASE("a page truncated at part 10000 is not moving forward") {
        auto first = parts_of("k", "u");
        first.part_number_marker = 9998;
        first.max_parts = 1;  // two part numbers are left: two pages at most
        auto all = coswire::list_all_parts(h.client, first);
        REQUIRE_FALSE(all);
        CHECK(all.error().code == errc::malformed_response);
        CHECK(all.error().reason.find("above 10000") != std::string::npos);
        CHECK(h.wire.count(request_kind::list_parts) == 2);
    }
}

TEST_CASE("list_all_parts: bad page size or marker is refused before anything is sent") {
    harness h;
    auto first = parts_of("k", "u");
    first.max_parts = 0;
    CHECK(coswire::list_all_parts(h.client, first).error().argument == "max_parts");
    first.max_parts = 1001;
    CHECK(coswire::list_all_parts(h.client, first).error().argument == "max_parts");
    first.max_parts.reset();
    first.part_number_marker = 10001;
    CHECK(coswire::list_all_parts(h.client, first).error().argument == "part_number_marker");
    CHECK(h.wire.seen.empty());
}

TEST_CASE("list_all_multipart_uploads: every page, with its last Date; a lying listing is bounded") {
    harness h;
    for (const char* key : {"a/1", "a/2", "a/3", "b/1"}) (void)upload_with_parts(h, key, 0);
    coswire::list_multipart_uploads_params first;
    first.prefix = "a/";
    first.max_uploads = 2;
    auto all = coswire::list_all_multipart_uploads(h.client, first);
    REQUIRE(all);
    REQUIRE(all->uploads.size() == 3);
    CHECK(all->uploads[2].key == "a/3");
    CHECK(all->date == h.server.server_time());
    CHECK(h.wire.count(request_kind::list_uploads) == 2);

    SUBCASE("an ever-growing marker stops at max_upload_pages") {
        harness::fabricate(h, [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            const std::string next = param_of(r, "key-marker") + "z";
            answer = coswire::http_response{200, {}, "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>" + next +
                                                     "</NextKeyMarker></ListMultipartUploadsResult>"};
        });
        h.wire.seen.clear();
        auto endless = coswire::list_all_multipart_uploads(h.client, {}, {.max_upload_pages = 7});
        REQUIRE_FALSE(endless);
        CHECK(endless.error().code == errc::limit_exceeded);
        CHECK(endless.error().argument == "max_upload_pages");
        CHECK(h.wire.count(request_kind::list_uploads) == 7);
        CHECK(coswire::list_all_multipart_uploads(h.client, {}, {.max_upload_pages = 0}).error().code == errc::invalid_argument);
    }
    SUBCASE("a page that continues from the marker requested is malformed") {
        harness::fabricate(h, [](const coswire::http_request&, coswire::result<coswire::http_response>& answer) {
            answer = coswire::http_response{200, {}, "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><KeyMarker/>"
                                                     "<NextKeyMarker>m</NextKeyMarker></ListMultipartUploadsResult>"};
        });
        auto stalled = coswire::list_all_multipart_uploads(h.client, {});
        REQUIRE_FALSE(stalled);
        CHECK(stalled.error().code == errc::malformed_response);
        CHECK(stalled.error().argument == "NextKeyMarker");
    }
}

TEST_CASE("list_all_objects: every page; a lying listing is bounded") {
    harness h;
    for (const char* key : {"p/1", "p/2", "p/3", "p/d/4", "q"}) h.server.put_object(key, "x");
    coswire::list_objects_params first;
    first.prefix = "p/";
    first.max_keys = 2;
    auto all = coswire::list_all_objects(h.client, first);
    REQUIRE(all);
    CHECK(all->contents.size() == 4);
    CHECK(h.wire.count(request_kind::list_objects) == 2);
    first.delimiter = "/";
    auto grouped = coswire::list_all_objects(h.client, first);
    REQUIRE(grouped);
    CHECK(grouped->contents.size() == 3);
    REQUIRE(grouped->common_prefixes.size() == 1);
    CHECK(grouped->common_prefixes[0] == "p/d/");

    SUBCASE("an ever-growing marker stops at max_object_pages") {
        harness::fabricate(h, [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            answer = coswire::http_response{200, {}, "<ListBucketResult><IsTruncated>true</IsTruncated><NextMarker>" + param_of(r, "marker") +
                                                     "z</NextMarker></ListBucketResult>"};
        });
        h.wire.seen.clear();
        auto endless = coswire::list_all_objects(h.client, {}, {.max_object_pages = 5});
        REQUIRE_FALSE(endless);
        CHECK(endless.error().code == errc::limit_exceeded);
        CHECK(endless.error().argument == "max_object_pages");
        CHECK(h.wire.count(request_kind::list_objects) == 5);
        CHECK(coswire::list_all_objects(h.client, {}, {.max_object_pages = 0}).error().code == errc::invalid_argument);
    }
    SUBCASE("a page that continues from the marker requested is malformed") {
        harness::fabricate(h, [](const coswire::http_request&, coswire::result<coswire::http_response>& answer) {
            answer = coswire::http_response{200, {}, "<ListBucketResult><IsTruncated>true</IsTruncated><Marker></Marker>"
                                                     "<NextMarker>m</NextMarker></ListBucketResult>"};
        });
        coswire::list_objects_params from_m;
        from_m.marker = "m";
        auto stalled = coswire::list_all_objects(h.client, from_m);
        REQUIRE_FALSE(stalled);
        CHECK(stalled.error().code == errc::malformed_response);
        CHECK(stalled.error().argument == "NextMarker");
    }
}

namespace {

/// A context for driving the listing machines by hand, with canned pages.
struct by_hand {
    coswire::operation_context context{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds,
                                       [] { return std::int64_t{1700000000}; }};
};

coswire::http_response objects_page(const std::string& keys, bool truncated, const std::string& next_marker = {}) {
    std::string body = "<ListBucketResult><Name>examplebucket-1250000000</Name><IsTruncated>" + std::string(truncated ? "true" : "false") +
                       "</IsTruncated>";
    if (!next_marker.empty()) body += "<NextMarker>" + next_marker + "</NextMarker>";
    for (char k : keys) body += "<Contents><Key>" + std::string(1, k) + "</Key><Size>1</Size></Contents>";
    return {200, {{"x-cos-request-id", "rid"}}, body + "</ListBucketResult>"};
}

/// Answers the send step `s` expects and returns the next step.
coswire::step answer(coswire::list_all_objects_machine& m, const coswire::step& s, coswire::result<coswire::http_response> r) {
    REQUIRE(s.kind == coswire::step_kind::send);
    REQUIRE(m.receive(s.id, std::move(r)));
    return m.next();
}

}  // namespace

TEST_CASE("list_all_objects_machine: by hand, page by page, a page's retry a step of the listing") {
    by_hand h;
    coswire::list_objects_params first;
    first.prefix = "p";
    coswire::list_all_objects_machine m(h.context, first);
    coswire::step s = m.next();
    REQUIRE(s.kind == coswire::step_kind::send);
    CHECK(param_of(*s.request, "prefix") == "p");
    CHECK(param_of(*s.request, "marker").empty());
    s = answer(m, s, objects_page("ab", true, "b"));
    REQUIRE(s.kind == coswire::step_kind::send);
    CHECK(param_of(*s.request, "marker") == "b");
    const std::uint32_t page_two = s.id;
    s = answer(m, s, coswire::http_response{503, {{"x-cos-request-id", "rid"}}, "<Error><Code>SlowDown</Code></Error>"});
    REQUIRE(s.kind == coswire::step_kind::wait);  // page two's retry waits, inside the listing
    CHECK(m.next().kind == coswire::step_kind::idle);
    REQUIRE(m.waited(s.id));
    s = m.next();
    REQUIRE(s.kind == coswire::step_kind::send);
    CHECK(s.id > page_two);
    CHECK(param_of(*s.request, "marker") == "b");
    CHECK(s.request->header("x-cos-sdk-retry") == "true");
    CHECK(m.receive(page_two, objects_page("", false)).error().reason.find("already been answered") != std::string::npos);
    s = answer(m, s, objects_page("c", false));
    REQUIRE(s.kind == coswire::step_kind::done);
    auto all = m.take_result();
    REQUIRE(all);
    REQUIRE(all->contents.size() == 3);
    CHECK(all->contents[2].key == "c");
    CHECK(m.take_result().error().argument == "machine");
    CHECK(m.next().kind == coswire::step_kind::done);
}

TEST_CASE("list_all_objects_machine: a lying server is stopped: a page that stalls, pages that never end") {
    by_hand h;
    SUBCASE("stall: the next page is asked from where this one was") {
        coswire::list_objects_params from_m;
        from_m.marker = "m";
        coswire::list_all_objects_machine m(h.context, from_m);
        const coswire::step s = answer(m, m.next(), objects_page("x", true, "m"));
        REQUIRE(s.kind == coswire::step_kind::done);
        CHECK(m.take_result().error().argument == "NextMarker");
    }
    SUBCASE("endless: the cap ends it") {
        coswire::list_all_objects_machine m(h.context, {}, {.max_object_pages = 3});
        coswire::step s = m.next();
        for (int page = 1; s.kind == coswire::step_kind::send; ++page) {
            REQUIRE(page <= 3);
            s = answer(m, s, objects_page("k", true, "k" + std::to_string(page)));
        }
        REQUIRE(s.kind == coswire::step_kind::done);
        auto r = m.take_result();
        CHECK(r.error().code == errc::limit_exceeded);
        CHECK(r.error().reason.find("after 3 pages") != std::string::npos);
    }
}

TEST_CASE("listing machines: bad arguments make a machine that is done before sending") {
    by_hand h;
    coswire::list_parts_params parts = parts_of("k", "u");
    parts.max_parts = 0;
    coswire::list_all_parts_machine p(h.context, parts);
    CHECK(p.next().kind == coswire::step_kind::done);
    CHECK(p.take_result().error().argument == "max_parts");
    CHECK(p.receive(1, coswire::http_response{}).error().reason == "step 1 was never issued");
    coswire::list_all_multipart_uploads_machine u(h.context, {}, {.max_upload_pages = 0});
    CHECK(u.next().kind == coswire::step_kind::done);
    CHECK(u.take_result().error().argument == "max_upload_pages");
}

TEST_CASE("list_all_parts_machine: the pages of a real listing, driven by hand against the emulator") {
    harness h;
    const std::string id = upload_with_parts(h, "k", 5);
    auto first = parts_of("k", id);
    first.max_parts = 2;
    coswire::list_all_parts_machine m(h.client.context(), first);
    int pages = 0;
    for (coswire::step s = m.next(); s.kind != coswire::step_kind::done; s = m.next()) {
        REQUIRE(s.kind == coswire::step_kind::send);
        ++pages;
        REQUIRE(m.receive(s.id, h.server(*s.request)));
    }
    CHECK(pages == 3);
    auto parts = m.take_result();
    REQUIRE(parts);
    CHECK(parts->size() == 5);
}
