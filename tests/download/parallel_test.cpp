// SPDX-License-Identifier: MIT
#include <coswire/download/parallel.hpp>

#include "../support/sinks.hpp"

#include <doctest/doctest.h>

#include <coswire/testing/emulator.hpp>

#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <vector>

using coswire::errc;
using coswire::testing::cos_emulator;
using coswire::testing::fault_kind;

using test_support::random_text;
using test_support::buffer_sink;

namespace {

const coswire::credentials creds{.secret_id = "AKIDparallel", .secret_key = coswire::secret_string("parallel-secret")};
constexpr std::uint64_t part = 64 * 1024;

coswire::testing::emulator_options emulator_options() {
    coswire::testing::emulator_options o;
    o.accepted = {creds};
    return o;
}

struct harness {
    cos_emulator server{emulator_options()};
    coswire::client<cos_emulator> client{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds,
                                         server, [] { return std::int64_t{1700000000}; }, [](std::uint32_t) {}};
};

}  // namespace

TEST_CASE("download_object_parallel: N workers fill a positional sink, checked end to end") {
    harness h;
    const std::string data = random_text(9 * part + 5, 1);
    h.server.put_object("p.bin", data);
    buffer_sink sink(data.size());
    std::uint64_t last = 0;
    coswire::download_options options{.part_size = part};
    options.on_progress = [&](const coswire::download_progress& p) { last = p.bytes_done; };
    auto done = coswire::download_object_parallel(h.client, "p.bin", sink, 4, options);
    REQUIRE_MESSAGE(done, describe(done.error()));
    CHECK(sink.data == data);
    CHECK(sink.written == data.size());
    CHECK(done->ranges == 10);
    CHECK(done->ranges_fetched == 10);
    CHECK(done->crc == coswire::crc_check::verified);
    CHECK(last == data.size());
}

TEST_CASE("download_object_parallel: faults retry per worker; a failure keeps the finished ranges in the checkpoint") {
    harness h;
    const std::string data = random_text(6 * part, 2);
    h.server.put_object("p.bin", data);
    buffer_sink sink(data.size());
    SUBCASE("transient") {
        coswire::testing::fault_plan faults;
        faults.internal_error = 0.1;
        faults.drop_before = 0.1;
        h.server.set_fault_plan(faults);
        auto done = coswire::download_object_parallel(h.client, "p.bin", sink, 3, {.part_size = part});
        REQUIRE_MESSAGE(done, describe(done.error()));
        CHECK(sink.data == data);
    }
    SUBCASE("for good, then resumed") {
        coswire::download_checkpoint checkpoint;
        h.server.fail_next(fault_kind::none);
        h.server.fail_next(fault_kind::internal_error, 4);
        auto failed = coswire::download_object_parallel(h.client, "p.bin", sink, 1, {.part_size = part, .checkpoint = &checkpoint});
        REQUIRE_FALSE(failed);
        CHECK(failed.error().reason.find("range 1") == 0);
        CHECK(checkpoint.done.size() == 1);
        auto done = coswire::download_object_parallel(h.client, "p.bin", sink, 3, {.part_size = part, .checkpoint = &checkpoint});
        REQUIRE_MESSAGE(done, describe(done.error()));
        CHECK(done->ranges_reused == 1);
        CHECK(done->ranges_fetched == 5);
        CHECK(sink.data == data);
    }
}

TEST_CASE("download_object_parallel: an object replaced after the first range is object_changed") {
    harness h;
    h.server.put_object("p.bin", random_text(4 * part, 3));
    buffer_sink sink(4 * part);
    coswire::download_options options{.part_size = part};
    options.on_progress = [&](const coswire::download_progress& p) {
        if (p.bytes_done == part) h.server.put_object("p.bin", random_text(4 * part, 4));
    };
    auto done = coswire::download_object_parallel(h.client, "p.bin", sink, 2, options);
    REQUIRE_FALSE(done);
    CHECK(done.error().code == errc::object_changed);
}

// The progress callback runs under the driver's lock, which every streamed piece takes while the
// emulator holds its own lock: switching faults on from the callback must not wait for those answers.
TEST_CASE("download_object_parallel: a progress callback switches faults on while other ranges stream") {
    harness h;
    constexpr std::uint64_t range = 4 * part;  // several streamed pieces per range
    const std::string data = random_text(8 * range, 5);
    h.server.put_object("p.bin", data);
    buffer_sink sink(data.size());
    coswire::download_checkpoint checkpoint;
    coswire::download_options options{.part_size = range, .checkpoint = &checkpoint};
    options.on_progress = [&](const coswire::download_progress& p) {
        if (p.bytes_done == 3 * range) h.server.set_fault_plan({.internal_error = 1.0});
    };
    auto cut = coswire::download_object_parallel(h.client, "p.bin", sink, 4, options);
    REQUIRE_FALSE(cut);
    CHECK(coswire::is_cos_error(cut.error(), coswire::cos_errc::internal_error));
    CHECK(checkpoint.done.size() >= 3);
    CHECK(checkpoint.done.size() < 8);
}

TEST_CASE("download_object_parallel: 0 jobs is an error naming jobs") {
    harness h;
    buffer_sink sink(1);
    CHECK(coswire::download_object_parallel(h.client, "k", sink, 0).error().argument == "jobs");
    CHECK(h.server.stats().requests == 0);
}
