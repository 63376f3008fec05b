// SPDX-License-Identifier: MIT
#include <coswire/multipart/upload.hpp>

#include <doctest/doctest.h>

#include <coswire/testing/emulator.hpp>

#include "read_only_source.hpp"

#include <random>
#include <string>
#include <vector>

using coswire::errc;
using coswire::mib;
using coswire::testing::cos_emulator;
using coswire::testing::fault_kind;

namespace {

const coswire::credentials creds{"AKIDdriver", coswire::secret_string("driver-secret"), {}};

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
