// SPDX-License-Identifier: MIT
#include <coswire/copy/parallel.hpp>

#include <doctest/doctest.h>

#include <coswire/testing/emulator.hpp>

#include <cstdint>
#include <random>
#include <string>

using coswire::mib;
using coswire::testing::cos_emulator;

namespace {

const coswire::credentials creds{.secret_id = "AKIDcopyparallel", .secret_key = coswire::secret_string("copy-parallel-secret")};

struct harness {
    cos_emulator server;
    coswire::client<cos_emulator> client;

    explicit harness(std::uint32_t attempts)
        : server(options()),
          client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, server,
                 [this] { return server.server_time(); }, [](std::uint32_t) {}, client_options(attempts)) {}

    static coswire::testing::emulator_options options() {
        coswire::testing::emulator_options o;
        o.accepted = {creds};
        o.seed = 5;
        return o;
    }
    static coswire::client_options client_options(std::uint32_t attempts) {
        coswire::client_options o;
        o.max_attempts = attempts;
        return o;
    }
};

std::string random_text(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(rng());
    return out;
}

// A multipart copy of every size: parts of 1 MiB, no single copy.
const coswire::copy_object_options in_parts{.threshold = 0, .part_size = mib};

}  // namespace

TEST_CASE("copy_object_parallel: four workers copy 7 parts through injected faults; the copy equals the source") {
    harness h(6);
    const std::string data = random_text(6 * mib + 333, 3);
    h.server.put_object("src/video.bin", data, {{"Content-Type", "video/mp4"}});
    coswire::testing::fault_plan faults;
    faults.internal_error = 0.1;
    faults.drop_before = 0.05;
    h.server.set_fault_plan(faults);
    auto r = coswire::copy_object_parallel(h.client, h.client, "src/video.bin", "dst/video.bin", 4, in_parts);
    REQUIRE_MESSAGE(r, coswire::describe(r.error()));
    CHECK(r->multipart);
    CHECK(r->parts == 7);
    CHECK(r->crc64_matched);
    const auto copy = h.server.object("dst/video.bin");
    REQUIRE(copy);
    CHECK(copy->data == data);
    CHECK(h.server.uploads().empty());
    CHECK(h.server.stats().faults.total() > 0);
}

TEST_CASE("copy_object_parallel: the sequential and the parallel driver store the same object") {
    harness h(1);
    const std::string data = random_text(3 * mib + 1, 4);
    h.server.put_object("src.bin", data);
    auto one = coswire::copy_object(h.client, h.client, "src.bin", "one.bin", in_parts);
    auto many = coswire::copy_object_parallel(h.client, h.client, "src.bin", "many.bin", 3, in_parts);
    REQUIRE(one);
    REQUIRE(many);
    CHECK(one->etag == many->etag);
    CHECK(one->crc64 == many->crc64);
    CHECK(h.server.object("one.bin")->data == data);
    CHECK(h.server.object("many.bin")->data == data);
}

TEST_CASE("copy_object_parallel: a part that fails for good stops the workers and the upload is aborted") {
    harness h(1);
    h.server.put_object("src.bin", random_text(5 * mib, 6));
    SUBCASE("every request after HEAD and Initiate fails, the abort too, and the error says both") {
        h.server.fail_next(coswire::testing::fault_kind::none, 2);
        h.server.fail_next(coswire::testing::fault_kind::internal_error, 50);
        auto r = coswire::copy_object_parallel(h.client, h.client, "src.bin", "dst.bin", 3, in_parts);
        REQUIRE_FALSE(r);
        CHECK(r.error().service->code == "InternalError");
        CHECK(r.error().reason.find("aborting the upload failed too") != std::string::npos);
        CHECK(h.server.uploads().size() == 1);
        CHECK_FALSE(h.server.object("dst.bin"));
    }
    SUBCASE("a missing source fails at the HEAD, before any upload starts") {
        auto r = coswire::copy_object_parallel(h.client, h.client, "absent.bin", "dst.bin", 3, in_parts);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == coswire::errc::service_error);
        CHECK(h.server.uploads().empty());
    }
    SUBCASE("0 workers are refused before anything is sent") {
        auto r = coswire::copy_object_parallel(h.client, h.client, "src.bin", "dst.bin", 0, in_parts);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "workers");
        CHECK(h.server.stats().requests == 0);
    }
}
