// SPDX-License-Identifier: MIT
#include <coswire/multipart/upload.hpp>

#include <doctest/doctest.h>

#include <coswire/testing/emulator.hpp>

#include "hostile_transport.hpp"
#include "read_only_source.hpp"

#include <optional>
#include <random>
#include <string>
#include <vector>

using coswire::errc;
using coswire::mib;
using coswire::testing::cos_emulator;
using coswire::testing::fault_kind;

namespace {

const coswire::credentials creds{.secret_id = "AKIDdriver", .secret_key = coswire::secret_string("driver-secret")};

struct harness {
    cos_emulator server;
    coswire::client<cos_emulator> client;
    std::vector<std::uint32_t> waits;

    explicit harness(std::uint64_t min_part_size = mib, std::uint64_t seed = 1)
        : server(options(min_part_size, seed)),
          client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, server,
                 [this] { return server.server_time(); }, [this](std::uint32_t ms) { waits.push_back(ms); }) {}

    static coswire::testing::emulator_options options(std::uint64_t min_part_size, std::uint64_t seed) {
        coswire::testing::emulator_options o;
        o.accepted = {creds};
        o.min_part_size = min_part_size;
        o.seed = seed;
        return o;
    }
};

std::vector<std::byte> random_bytes(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::byte> out(n);
    for (auto& b : out) b = static_cast<std::byte>(rng());
    return out;
}

bool stored_equals(const cos_emulator& server, std::string_view key, const std::vector<std::byte>& data) {
    const auto object = server.object(key);
    return object && object->data.size() == data.size() &&
           std::equal(data.begin(), data.end(), object->data.begin(), [](std::byte a, char b) { return a == static_cast<std::byte>(b); });
}

/// A plan of small parts, for tests that need many parts without gigabytes.
coswire::part_plan small_plan(std::uint64_t size, std::uint64_t part_size) {
    coswire::part_plan p;
    p.object_size = size;
    p.part_size = part_size;
    p.part_count = static_cast<std::uint32_t>((size + part_size - 1) / part_size);
    return p;
}

}  // namespace

TEST_CASE("upload_multipart: uploads, completes and verifies the whole-object CRC-64") {
    harness h;
    const auto data = random_bytes(5 * mib + 12345, 1);
    coswire::memory_source source(data);
    const auto plan = coswire::plan_parts(data.size(), mib).value();
    std::vector<coswire::upload_progress> seen;
    coswire::multipart_upload_options options;
    options.attributes.content_type = "application/octet-stream";
    options.on_progress = [&](const coswire::upload_progress& p) { seen.push_back(p); };
    auto r = coswire::upload_multipart(h.client, "dir/big file+1.bin", source, plan, options);
    REQUIRE(r);
    CHECK(r->parts == 6);
    CHECK(r->crc64 == coswire::crc64(std::span<const std::byte>(data)));
    CHECK(r->etag.ends_with("-6"));
    CHECK(stored_equals(h.server, "dir/big file+1.bin", data));
    CHECK(h.server.uploads().empty());
    REQUIRE(seen.size() == 6);
    CHECK(seen.back().bytes_done == data.size());
    CHECK(seen.back().parts_done == 6);
    CHECK(seen[0].bytes_done == mib);
}

TEST_CASE("upload_multipart: transient 5xx, SlowDown and dropped connections are retried away") {
    harness h;
    coswire::testing::fault_plan faults;
    faults.internal_error = 0.1;
    faults.slow_down = 0.1;
    faults.drop_before = 0.05;
    h.server.set_fault_plan(faults);
    const auto data = random_bytes(3 * mib + 7, 2);
    coswire::memory_source source(data);
    auto r = coswire::upload_multipart(h.client, "flaky", source, coswire::plan_parts(data.size(), mib).value());
    REQUIRE(r);
    CHECK(stored_equals(h.server, "flaky", data));
    CHECK(h.server.stats().faults.total() > 0);
    CHECK_FALSE(h.waits.empty());
}

TEST_CASE("upload_multipart: a refused Complete aborts the upload so nothing stays billed") {
    harness h(2 * mib);  // the server wants 2 MiB parts; 1 MiB parts give EntityTooSmall at Complete
    const auto data = random_bytes(3 * mib, 3);
    coswire::memory_source source(data);
    auto r = coswire::upload_multipart(h.client, "small-parts", source, coswire::plan_parts(data.size(), mib).value());
    REQUIRE_FALSE(r);
    CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::entity_too_small));
    CHECK(r.error().reason.find("aborted") != std::string::npos);
    CHECK(h.server.uploads().empty());
    CHECK_FALSE(h.server.object("small-parts"));
}

TEST_CASE("upload_multipart: keep_on_failure leaves the upload; resuming reuses its parts across List Parts pages") {
    harness h(1);
    const auto data = random_bytes(1100 * 512 + 99, 4);
    coswire::memory_source source(data);
    const auto plan = small_plan(data.size(), 512);
    REQUIRE(plan.part_count == 1101);

    std::string upload_id;
    coswire::multipart_upload_options first;
    first.keep_on_failure = true;
    first.on_upload_id = [&](std::string_view id) { upload_id = std::string(id); };
    std::uint32_t calls = 0;
    first.cancelled = [&] { return ++calls > 1050; };
    auto stopped = coswire::upload_multipart(h.client, "resumable", source, plan, first);
    REQUIRE_FALSE(stopped);
    CHECK(stopped.error().code == errc::cancelled);
    REQUIRE(h.server.uploads().size() == 1);
    CHECK(h.server.uploads()[0].parts.size() == 1050);

    coswire::multipart_upload_options resume;
    resume.resume_upload_id = upload_id;
    auto done = coswire::upload_multipart(h.client, "resumable", source, plan, resume);
    REQUIRE(done);
    CHECK(done->parts_reused == 1050);
    CHECK(done->parts == 1101);
    CHECK(stored_equals(h.server, "resumable", data));
    CHECK(h.server.uploads().empty());
}

TEST_CASE("upload_multipart: cancellation without keep_on_failure aborts") {
    harness h;
    const auto data = random_bytes(2 * mib, 5);
    coswire::memory_source source(data);
    coswire::multipart_upload_options options;
    options.cancelled = [] { return true; };
    auto r = coswire::upload_multipart(h.client, "cancelled", source, coswire::plan_parts(data.size(), mib).value(), options);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::cancelled);
    CHECK(h.server.uploads().empty());
}

TEST_CASE("upload_multipart: Complete answering 200 with an <Error> body is retried") {
    harness h;
    h.server.fail_next(fault_kind::complete_error);
    const auto data = random_bytes(mib + 1, 6);
    coswire::memory_source source(data);
    auto r = coswire::upload_multipart(h.client, "complete-error", source, coswire::plan_parts(data.size(), mib).value());
    REQUIRE(r);
    CHECK(h.server.stats().faults.complete_error == 1);
    CHECK(stored_equals(h.server, "complete-error", data));
}

TEST_CASE("upload_multipart: a Complete that succeeded but whose answer was lost is confirmed by HEAD") {
    harness h;
    const auto data = random_bytes(mib + 100, 7);
    coswire::memory_source source(data);
    const auto plan = coswire::plan_parts(data.size(), mib).value();
    // Initiate and two parts go through; then Complete is applied but its answer is dropped.
    h.server.fail_next(fault_kind::none, 3);
    h.server.fail_next(fault_kind::drop_after);
    auto r = coswire::upload_multipart(h.client, "lost-answer", source, plan);
    REQUIRE(r);
    CHECK(r->confirmed_by_head);
    CHECK(r->crc64 == coswire::crc64(std::span<const std::byte>(data)));
    CHECK(stored_equals(h.server, "lost-answer", data));
}

TEST_CASE("upload_multipart: a plan for another size is refused before anything is sent") {
    harness h;
    const auto data = random_bytes(10, 8);
    coswire::memory_source source(data);
    auto r = coswire::upload_multipart(h.client, "k", source, coswire::plan_parts(11).value());
    REQUIRE_FALSE(r);
    CHECK(r.error().argument == "plan");
    CHECK(h.server.stats().requests == 0);
}

TEST_CASE("upload_multipart: an Initiate whose answer was lost leaves no empty duplicate upload (found by the soak)") {
    harness h;
    h.server.fail_next(fault_kind::drop_after);  // the first Initiate creates an upload, its answer is lost
    const auto data = random_bytes(100, 9);
    coswire::memory_source source(data);
    auto r = coswire::upload_multipart(h.client, "k", source, coswire::plan_parts(data.size()).value());
    REQUIRE(r);
    CHECK(stored_equals(h.server, "k", data));
    CHECK(h.server.uploads().empty());
}

TEST_CASE("memory_source: view and read name the bytes that lie past the end") {
    const auto data = random_bytes(10, 10);
    const coswire::memory_source source(data);
    CHECK(source.view(0, 10).value().data() == data.data());
    CHECK(source.view(3, 7).value().size() == 7);
    CHECK(source.view(10, 0).value().empty());
    for (const auto& [offset, size] : {std::pair<std::uint64_t, std::uint64_t>{9, 2}, {11, 0}, {UINT64_MAX, 1}, {1, UINT64_MAX}}) {
        auto r = source.view(offset, size);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().argument == "offset");
        CHECK(r.error().reason.find("10-byte source") != std::string::npos);
    }
    std::vector<std::byte> out(4);
    CHECK(source.read(6, out));
    CHECK(std::equal(out.begin(), out.end(), data.begin() + 6));
    CHECK(source.read(7, out).error().argument == "offset");
}

TEST_CASE("upload_multipart: a source that can only read streams each part through the buffer") {
    harness h;
    const auto data = random_bytes(3 * mib + 5, 11);
    read_only_source source{coswire::memory_source(data)};
    auto r = coswire::upload_multipart(h.client, "read-only", source, coswire::plan_parts(data.size(), mib).value());
    REQUIRE(r);
    CHECK(source.reads == 4);
    CHECK(r->crc64 == coswire::crc64(std::span<const std::byte>(data)));
    CHECK(stored_equals(h.server, "read-only", data));
}

/// Lends its bytes but fails every read, and can be told to fail a view or lend a short one.
struct lending_source {
    coswire::memory_source inner;
    std::uint64_t refuse_offset = UINT64_MAX;
    std::uint64_t short_offset = UINT64_MAX;
    std::uint64_t size() const { return inner.size(); }
    coswire::result<void> read(std::uint64_t, std::span<std::byte>) const {
        return coswire::make_error(errc::transport_failure, "source", "read called on a lending source");
    }
    coswire::result<std::span<const std::byte>> view(std::uint64_t offset, std::uint64_t size) const {
        if (offset == refuse_offset) return coswire::make_error(errc::transport_failure, "source", "mapping went away");
        if (offset == short_offset) return inner.view(offset, size - 1);
        return inner.view(offset, size);
    }
};

TEST_CASE("upload_multipart: a contiguous source's bytes are sent in place, and a failing view aborts") {
    harness h;
    const auto data = random_bytes(2 * mib + 9, 12);
    lending_source source{coswire::memory_source(data)};
    auto r = coswire::upload_multipart(h.client, "lent", source, coswire::plan_parts(data.size(), mib).value());
    REQUIRE(r);
    CHECK(stored_equals(h.server, "lent", data));

    source.refuse_offset = mib;
    auto failed = coswire::upload_multipart(h.client, "lent-2", source, coswire::plan_parts(data.size(), mib).value());
    REQUIRE_FALSE(failed);
    CHECK(failed.error().reason.find("mapping went away") != std::string::npos);
    CHECK(failed.error().reason.find("aborted") != std::string::npos);
    CHECK(h.server.uploads().empty());

    source.refuse_offset = UINT64_MAX;
    source.short_offset = 2 * mib;  // the last part, 9 bytes, lent as 8
    auto short_view = coswire::upload_multipart(h.client, "lent-3", source, coswire::plan_parts(data.size(), mib).value());
    REQUIRE_FALSE(short_view);
    CHECK(short_view.error().argument == "source");
    CHECK(short_view.error().reason.find("lent 8 bytes") != std::string::npos);
    CHECK(h.server.uploads().empty());
    CHECK_FALSE(h.server.object("lent-3"));
}

// ---- answers the driver must not take on trust (hostile transports around the emulator) -------

namespace {

/// The emulator behind a hostile_transport, and a client over it.
struct hostile_harness {
    explicit hostile_harness(coswire::testing::emulator_options o = harness::options(mib, 21)) : server(std::move(o)) {}
    cos_emulator server;
    hostile_transport wire{.server = &server};
    coswire::client<hostile_transport> client{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, wire,
                                              [this] { return server.server_time(); }, [](std::uint32_t) {}};
};

/// A Complete answer as COS words it, for a request the server never saw.
coswire::http_response fabricated_complete(std::string_view bucket, std::string_view key, std::string_view etag,
                                           std::optional<std::uint64_t> crc) {
    coswire::http_response r{200, {{"x-cos-request-id", "fake-1"}, {"Content-Type", "application/xml"}},
                             "<CompleteMultipartUploadResult><Bucket>" + std::string(bucket) + "</Bucket><Key>" + std::string(key) +
                                 "</Key><ETag>&quot;" + std::string(etag) + "&quot;</ETag></CompleteMultipartUploadResult>"};
    if (crc) r.headers.push_back({"x-cos-hash-crc64ecma", std::to_string(*crc)});
    return r;
}

constexpr std::string_view some_hex = "0123456789abcdef0123456789abcdef";

}  // namespace

TEST_CASE("upload_multipart: a Complete answer about another key, bucket or part count is not success") {
    hostile_harness h;
    const auto data = random_bytes(mib + 10, 30);
    coswire::memory_source source(data);
    const auto plan = coswire::plan_parts(data.size(), mib).value();
    const std::uint64_t crc = coswire::crc64(std::span<const std::byte>(data));
    struct lie {
        const char* what;
        std::string bucket, key, etag;
        errc code;
        std::string_view argument;
    };
    const std::string bucket = "examplebucket-1250000000";
    for (const lie& l : {lie{"another key", bucket, "other", std::string(some_hex) + "-2", errc::malformed_response, "Key"},
                         lie{"no key", bucket, "", std::string(some_hex) + "-2", errc::malformed_response, "Key"},
                         lie{"another bucket", "otherbucket-1250000000", "k", std::string(some_hex) + "-2", errc::malformed_response, "Bucket"},
                         lie{"another part count", bucket, "k", std::string(some_hex) + "-3", errc::integrity_failure, "ETag"}}) {
        CAPTURE(l.what);
        // Complete never reaches the bucket: the upload stays open and nothing is stored.
        h.wire.withhold = [](const coswire::http_request& r) { return kind_of(r) == request_kind::complete; };
        h.wire.alter = [&l, &crc](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            if (kind_of(r) == request_kind::complete) answer = fabricated_complete(l.bucket, l.key, l.etag, crc);
        };
        auto r = coswire::upload_multipart(h.client, "k", source, plan);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == l.code);
        CHECK(r.error().argument == l.argument);
        CHECK(r.error().reason.find("the upload was aborted") != std::string::npos);
        CHECK(h.server.uploads().empty());
        CHECK_FALSE(h.server.object("k"));
    }
}

TEST_CASE("upload_multipart: a Complete answer without x-cos-hash-crc64ecma is settled by HEAD") {
    hostile_harness h;
    const auto data = random_bytes(2 * mib + 10, 31);
    coswire::memory_source source(data);
    const auto plan = coswire::plan_parts(data.size(), mib).value();
    const std::uint64_t crc = coswire::crc64(std::span<const std::byte>(data));

    SUBCASE("the object is there: HEAD's size and CRC-64 confirm it, and the result says so") {
        h.wire.alter = [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            if (kind_of(r) == request_kind::complete && answer) remove_header(*answer, "x-cos-hash-crc64ecma");
        };
        auto r = coswire::upload_multipart(h.client, "k", source, plan);
        REQUIRE(r);
        CHECK(r->verified.crc64_from == coswire::crc64_evidence::head_header);
        CHECK(r->verified.size_by_head);
        CHECK(r->verified.key_matched);
        CHECK(r->verified.bucket_matched);
        CHECK(r->verified.part_count_matched);
        CHECK_FALSE(r->confirmed_by_head);
        CHECK(h.wire.count(request_kind::head_object) == 1);
        CHECK(stored_equals(h.server, "k", data));
    }
    SUBCASE("nothing was completed: HEAD finds no object, the upload is aborted") {
        h.wire.withhold = [](const coswire::http_request& r) { return kind_of(r) == request_kind::complete; };
        h.wire.alter = [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            if (kind_of(r) == request_kind::complete)
                answer = fabricated_complete("examplebucket-1250000000", "k", std::string(some_hex) + "-3", std::nullopt);
        };
        auto r = coswire::upload_multipart(h.client, "k", source, plan);
        REQUIRE_FALSE(r);
        CHECK(r.error().reason.find("no x-cos-hash-crc64ecma") != std::string::npos);
        CHECK(h.wire.count(request_kind::head_object) == 1);
        CHECK(h.server.uploads().empty());
        CHECK_FALSE(h.server.object("k"));
    }
    SUBCASE("HEAD has no CRC-64 either: the upload fails rather than claim a check") {
        h.wire.alter = [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            const request_kind k = kind_of(r);
            if ((k == request_kind::complete || k == request_kind::head_object) && answer) remove_header(*answer, "x-cos-hash-crc64ecma");
        };
        auto r = coswire::upload_multipart(h.client, "k", source, plan);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::integrity_failure);
        CHECK(r.error().argument == "x-cos-hash-crc64ecma");
        CHECK(r.error().reason.find("unverified") != std::string::npos);  // completed, so the abort found nothing
        CHECK(h.server.uploads().empty());
    }
    SUBCASE("HEAD shows another size or CRC-64") {
        h.wire.alter = [crc](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            if (kind_of(r) == request_kind::complete && answer) remove_header(*answer, "x-cos-hash-crc64ecma");
            if (kind_of(r) == request_kind::head_object && answer) {
                remove_header(*answer, "x-cos-hash-crc64ecma");
                answer->headers.push_back({"x-cos-hash-crc64ecma", std::to_string(crc ^ 1)});
            }
        };
        auto r = coswire::upload_multipart(h.client, "k", source, plan);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::integrity_failure);
        CHECK(r.error().argument == "object");
    }
}

TEST_CASE("upload_multipart: SSE-C key headers go with every part and with the HEAD that settles the object") {
    hostile_harness h;
    const auto data = random_bytes(mib + 1, 32);
    coswire::memory_source source(data);
    coswire::multipart_upload_options options;
    options.attributes.extra_headers = {{"x-cos-server-side-encryption-customer-algorithm", "AES256"},
                                        {"x-cos-server-side-encryption-customer-key", "MDEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUY="},
                                        {"x-cos-server-side-encryption-customer-key-MD5", "U5L61r7jcwdNvT7frmUG8g=="}};
    std::size_t keyed_parts = 0, keyed_heads = 0;
    h.wire.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
        const bool keyed = r.header("x-cos-server-side-encryption-customer-key-MD5") == "U5L61r7jcwdNvT7frmUG8g==";
        if (kind_of(r) == request_kind::upload_part) keyed_parts += keyed ? 1 : 0;
        if (kind_of(r) == request_kind::head_object) keyed_heads += keyed ? 1 : 0;
        if (kind_of(r) == request_kind::complete && answer) remove_header(*answer, "x-cos-hash-crc64ecma");
    };
    auto r = coswire::upload_multipart(h.client, "sse-c", source, coswire::plan_parts(data.size(), mib).value(), options);
    REQUIRE(r);
    CHECK(keyed_parts == 2);
    CHECK(keyed_heads == 1);
    CHECK(r->verified.crc64_from == coswire::crc64_evidence::head_header);
}

TEST_CASE("upload_multipart: an Initiate applied but lost, then failing for good, leaves no empty upload") {
    harness h;  // the client makes 4 attempts
    h.server.fail_next(fault_kind::drop_after);           // attempt 1 creates an upload; its answer is lost
    h.server.fail_next(fault_kind::internal_error, 3);    // attempts 2-4 fail
    const auto data = random_bytes(100, 33);
    coswire::memory_source source(data);
    auto r = coswire::upload_multipart(h.client, "k", source, coswire::plan_parts(data.size()).value());
    REQUIRE_FALSE(r);
    CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::internal_error));
    CHECK(r.error().reason.find("1 empty duplicate upload(s) aborted") != std::string::npos);
    CHECK(h.server.uploads().empty());
}

TEST_CASE("upload_multipart: an Initiate whose last attempt is applied but lost leaves no upload") {
    harness h;  // 4 attempts: three 500s, then one that creates an upload and loses its answer
    h.server.fail_next(fault_kind::internal_error, 3);
    h.server.fail_next(fault_kind::drop_after);
    const auto data = random_bytes(100, 36);
    coswire::memory_source source(data);
    auto r = coswire::upload_multipart(h.client, "k", source, coswire::plan_parts(data.size()).value());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::transport_failure);
    CHECK(r.error().reason.find("1 empty duplicate upload(s) aborted") != std::string::npos);
    CHECK(h.server.uploads().empty());
}

TEST_CASE("upload_multipart: a duplicate cleanup that cannot finish is reported, never silent") {
    hostile_harness h;
    const auto data = random_bytes(100, 34);
    coswire::memory_source source(data);
    const auto plan = coswire::plan_parts(data.size()).value();
    const auto refuse = [](const coswire::http_request&, coswire::result<coswire::http_response>& answer) {
        answer = coswire::http_response{403, {{"x-cos-request-id", "fake-2"}}, "<Error><Code>AccessDenied</Code></Error>"};
    };

    SUBCASE("success: the listing is refused, the result carries why") {
        h.server.fail_next(fault_kind::drop_after);  // Initiate creates an upload twice
        h.wire.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            if (kind_of(r) == request_kind::list_uploads) refuse(r, answer);
        };
        auto r = coswire::upload_multipart(h.client, "k", source, plan);
        REQUIRE(r);
        CHECK(r->duplicates.ran);
        REQUIRE(r->duplicates.failure);
        CHECK(coswire::is_cos_error(*r->duplicates.failure, coswire::cos_errc::access_denied));
        CHECK(h.server.uploads().size() == 1);  // the duplicate, which could not be found
    }
    SUBCASE("success: a listing that never ends is cut off at the page cap and reported") {
        h.server.fail_next(fault_kind::drop_after);
        h.wire.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            if (kind_of(r) == request_kind::list_uploads)
                answer = coswire::http_response{200, {}, "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>" +
                                                         param_of(r, "key-marker") + "~</NextKeyMarker></ListMultipartUploadsResult>"};
        };
        auto r = coswire::upload_multipart(h.client, "k", source, plan);
        REQUIRE(r);
        REQUIRE(r->duplicates.failure);
        CHECK(r->duplicates.failure->code == errc::limit_exceeded);
        CHECK(h.wire.count(request_kind::list_uploads) == coswire::listing_limits{}.max_upload_pages);
    }
    SUBCASE("success: the abort of the duplicate is refused, its id is in left") {
        h.server.fail_next(fault_kind::drop_after);
        h.wire.withhold = [](const coswire::http_request& r) { return kind_of(r) == request_kind::abort; };
        h.wire.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            if (kind_of(r) == request_kind::abort) refuse(r, answer);
        };
        auto r = coswire::upload_multipart(h.client, "k", source, plan);
        REQUIRE(r);
        REQUIRE(r->duplicates.left.size() == 1);
        CHECK(r->duplicates.aborted.empty());
        REQUIRE(h.server.uploads().size() == 1);
        CHECK(h.server.uploads()[0].upload_id == r->duplicates.left[0]);
    }
    SUBCASE("failure: the error's reason says the cleanup is incomplete") {
        h.server.fail_next(fault_kind::drop_after);
        h.server.fail_next(fault_kind::internal_error, 3);
        h.wire.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
            if (kind_of(r) == request_kind::list_uploads) refuse(r, answer);
        };
        auto r = coswire::upload_multipart(h.client, "k", source, plan);
        REQUIRE_FALSE(r);
        CHECK(r.error().reason.find("the cleanup is incomplete") != std::string::npos);
    }
    SUBCASE("a clean success says the cleanup ran and what it aborted") {
        h.server.fail_next(fault_kind::drop_after);
        auto r = coswire::upload_multipart(h.client, "k", source, plan);
        REQUIRE(r);
        CHECK(r->duplicates.ran);
        CHECK(r->duplicates.aborted.size() == 1);
        CHECK_FALSE(r->duplicates.failure);
        CHECK(h.server.uploads().empty());
    }
}

TEST_CASE("upload_multipart: resuming through a List Parts that never moves on fails instead of looping or stopping early") {
    hostile_harness h;
    const auto data = random_bytes(3 * mib, 35);
    coswire::memory_source source(data);
    const auto plan = coswire::plan_parts(data.size(), mib).value();
    std::string upload_id;
    coswire::multipart_upload_options first;
    first.keep_on_failure = true;
    first.on_upload_id = [&](std::string_view id) { upload_id = std::string(id); };
    first.cancelled = [n = 0]() mutable { return ++n > 2; };
    REQUIRE_FALSE(coswire::upload_multipart(h.client, "k", source, plan, first));
    // Every List Parts page now claims more follows, echoing marker 0 and continuing from 2.
    h.wire.alter = [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
        if (kind_of(r) != request_kind::list_parts || !answer) return;
        replace_in_body(*answer, "<IsTruncated>false</IsTruncated>", "<IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker>");
        const std::size_t at = answer->body.find("<PartNumberMarker>");
        if (at != std::string::npos) answer->body.replace(at, answer->body.find("</PartNumberMarker>") - at, "<PartNumberMarker>0");
    };
    coswire::multipart_upload_options resume;
    resume.resume_upload_id = upload_id;
    auto r = coswire::upload_multipart(h.client, "k", source, plan, resume);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::malformed_response);
    CHECK(r.error().argument == "NextPartNumberMarker");
}

namespace {

/// Counts the Upload Part requests that carried Content-MD5, as the client sent them.
struct md5_counter {
    std::size_t parts = 0, with_md5 = 0;
    void operator()(const coswire::http_request& r, coswire::result<coswire::http_response>&) {
        if (kind_of(r) != request_kind::upload_part) return;
        ++parts;
        with_md5 += r.header("Content-MD5") ? 1 : 0;
    }
};

coswire::testing::emulator_options kms_bucket() {
    coswire::testing::emulator_options o = harness::options(mib, 36);
    o.default_encryption = "cos/kms";
    return o;
}

}  // namespace

TEST_CASE("upload_multipart: content_md5 = false sends parts without Content-MD5; CRC-64 still catches a corrupted part") {
    hostile_harness h;
    const auto data = random_bytes(3 * mib + 5, 37);
    coswire::memory_source source(data);
    const auto plan = coswire::plan_parts(data.size(), mib).value();
    md5_counter counted;
    h.wire.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>& a) { counted(r, a); };
    coswire::multipart_upload_options options;
    options.content_md5 = false;

    SUBCASE("a clean link: stored, verified, and COS never saw Content-MD5") {
        auto r = coswire::upload_multipart(h.client, "no-md5", source, plan, options);
        REQUIRE(r);
        CHECK(counted.parts == 4);
        CHECK(counted.with_md5 == 0);
        CHECK(r->crc64 == coswire::crc64(std::span<const std::byte>(data)));
        CHECK(stored_equals(h.server, "no-md5", data));
    }
    SUBCASE("a byte flipped on the way: COS stores the part, its CRC-64 differs, the upload is aborted") {
        h.wire.meddle = [](coswire::http_request& r) {
            if (kind_of(r) == request_kind::upload_part && param_of(r, "partNumber") == "2") flip_body_byte(r, 1000);
        };
        auto r = coswire::upload_multipart(h.client, "no-md5", source, plan, options);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::integrity_failure);
        CHECK(r.error().reason.find("part 2: COS's CRC-64") != std::string::npos);
        CHECK(h.server.uploads().empty());
        CHECK_FALSE(h.server.object("no-md5"));
    }
    SUBCASE("with Content-MD5 (the default) the same flip is refused by COS before it stores the part") {
        h.wire.meddle = [](coswire::http_request& r) {
            if (kind_of(r) == request_kind::upload_part && param_of(r, "partNumber") == "2") flip_body_byte(r, 1000);
        };
        auto r = coswire::upload_multipart(h.client, "no-md5", source, plan);
        REQUIRE_FALSE(r);
        CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::bad_digest));
        CHECK(counted.with_md5 == counted.parts);
        CHECK(h.server.uploads().empty());
    }
}

TEST_CASE("upload_multipart: a resumed upload with content_md5 = false still recognises and reuses the parts it holds") {
    hostile_harness h;
    const auto data = random_bytes(5 * mib + 77, 38);
    coswire::memory_source source(data);
    const auto plan = coswire::plan_parts(data.size(), mib).value();
    std::string upload_id;
    coswire::multipart_upload_options first;
    first.content_md5 = false;
    first.keep_on_failure = true;
    first.on_upload_id = [&](std::string_view id) { upload_id = std::string(id); };
    first.cancelled = [n = 0]() mutable { return ++n > 3; };
    REQUIRE_FALSE(coswire::upload_multipart(h.client, "resume-no-md5", source, plan, first));
    REQUIRE(h.server.uploads().size() == 1);

    md5_counter counted;
    h.wire.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>& a) { counted(r, a); };
    coswire::multipart_upload_options resume;
    resume.content_md5 = false;
    resume.resume_upload_id = upload_id;
    auto r = coswire::upload_multipart(h.client, "resume-no-md5", source, plan, resume);
    REQUIRE(r);
    CHECK(r->parts_reused == 3);
    CHECK(counted.parts == 3);  // parts 4 to 6 only
    CHECK(counted.with_md5 == 0);
    CHECK(stored_equals(h.server, "resume-no-md5", data));
}

TEST_CASE("upload_multipart: a part ETag that is not the MD5 fails the upload when nothing says the part is encrypted") {
    hostile_harness h;
    const auto data = random_bytes(2 * mib, 39);
    coswire::memory_source source(data);
    h.wire.alter = [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
        if (kind_of(r) != request_kind::upload_part || !answer) return;
        remove_header(*answer, "ETag");
        answer->headers.push_back({"ETag", "\"" + std::string(some_hex) + "\""});
    };
    auto r = coswire::upload_multipart(h.client, "etag-lie", source, coswire::plan_parts(data.size(), mib).value());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::integrity_failure);
    CHECK(r.error().reason.find("is not the MD5") != std::string::npos);
    CHECK(h.server.uploads().empty());
}

TEST_CASE("upload_multipart: a bucket whose default encryption is SSE-KMS (ETags not MD5s, the request naming none) takes a good upload") {
    hostile_harness h(kms_bucket());
    const auto data = random_bytes(3 * mib + 9, 40);
    coswire::memory_source source(data);
    const auto plan = coswire::plan_parts(data.size(), mib).value();
    std::size_t kms_answers = 0;
    h.wire.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
        if (kind_of(r) == request_kind::upload_part && answer && answer->header("x-cos-server-side-encryption") == "cos/kms") ++kms_answers;
    };
    for (const bool with_md5 : {true, false}) {
        CAPTURE(with_md5);
        kms_answers = 0;
        coswire::multipart_upload_options options;
        options.content_md5 = with_md5;
        auto r = coswire::upload_multipart(h.client, "kms-default", source, plan, options);
        REQUIRE(r);
        CHECK(kms_answers == 4);
        CHECK(stored_equals(h.server, "kms-default", data));
        CHECK(r->crc64 == coswire::crc64(std::span<const std::byte>(data)));
    }
    // The emulator's ETags really are not the MD5s the old check compared them with.
    const auto first = coswire::plan_parts(data.size(), mib).value().part(1);
    const auto md5 = coswire::md5_hash(std::span<const std::byte>(data).subspan(0, static_cast<std::size_t>(first.size)));
    h.server.put_object("probe", std::string(reinterpret_cast<const char*>(data.data()), static_cast<std::size_t>(first.size)));
    CHECK(h.server.object("probe")->etag != "\"" + std::string(coswire::to_string_view(coswire::to_hex(md5))) + "\"");
}

TEST_CASE("upload_multipart: in an SSE-KMS bucket a corrupted part is still caught, by CRC-64, with or without Content-MD5") {
    hostile_harness h(kms_bucket());
    const auto data = random_bytes(2 * mib + 1, 41);
    coswire::memory_source source(data);
    h.wire.meddle = [](coswire::http_request& r) {
        if (kind_of(r) == request_kind::upload_part && param_of(r, "partNumber") == "1") flip_body_byte(r, 7);
    };
    for (const bool with_md5 : {true, false}) {
        CAPTURE(with_md5);
        coswire::multipart_upload_options options;
        options.content_md5 = with_md5;
        auto r = coswire::upload_multipart(h.client, "kms-corrupt", source, coswire::plan_parts(data.size(), mib).value(), options);
        REQUIRE_FALSE(r);
        CHECK((with_md5 ? coswire::is_cos_error(r.error(), coswire::cos_errc::bad_digest) : r.error().code == errc::integrity_failure));
        CHECK(h.server.uploads().empty());
    }
}

TEST_CASE("upload_multipart: traffic_limit goes with every part") {
    hostile_harness h;
    const auto data = random_bytes(3 * mib + 5, 41);
    coswire::memory_source source(data);
    const auto plan = coswire::plan_parts(data.size(), mib).value();
    std::vector<std::string> limits_seen;  // the x-cos-traffic-limit of every Upload Part
    h.wire.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>&) {
        if (kind_of(r) == request_kind::upload_part) limits_seen.emplace_back(r.header("x-cos-traffic-limit").value_or("none"));
    };
    coswire::multipart_upload_options options;
    options.traffic_limit = 819200;

    auto r = coswire::upload_multipart(h.client, "limited", source, plan, options);
    REQUIRE(r);
    CHECK(limits_seen == std::vector<std::string>(4, "819200"));

    options.traffic_limit = 1;  // below COS's least: refused before anything is sent
    auto refused = coswire::upload_multipart(h.client, "limited", source, plan, options);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().argument == "traffic_limit");
    CHECK(h.server.uploads().empty());
}
