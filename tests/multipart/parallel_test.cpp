// SPDX-License-Identifier: MIT
#include <coswire/multipart/parallel.hpp>

#include <doctest/doctest.h>

#include <coswire/testing/emulator.hpp>

#include "hostile_transport.hpp"
#include "read_only_source.hpp"

#include <random>
#include <vector>

using coswire::mib;
using coswire::testing::cos_emulator;

namespace {
const coswire::credentials creds{.secret_id = "AKIDparallel", .secret_key = coswire::secret_string("parallel-secret")};

coswire::testing::emulator_options server_options(std::uint64_t seed) {
    coswire::testing::emulator_options o;
    o.accepted = {creds};
    o.seed = seed;
    return o;
}
}  // namespace

/// Four workers upload 7 parts through faults; the object and the progress reports must be right.
template <class Source>
void check_four_workers(std::uint64_t seed) {
    cos_emulator server(server_options(seed));
    coswire::testing::fault_plan faults;
    faults.internal_error = 0.1;
    faults.drop_before = 0.05;
    server.set_fault_plan(faults);
    coswire::client<cos_emulator> client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, server,
                                         [&server] { return server.server_time(); }, [](std::uint32_t) {});
    std::mt19937_64 rng(11);
    std::vector<std::byte> data(6 * mib + 333);
    for (auto& b : data) b = static_cast<std::byte>(rng());
    Source source{coswire::memory_source(data)};
    std::uint32_t last_parts_done = 0;
    bool monotonic = true;
    coswire::multipart_upload_options options;
    options.on_progress = [&](const coswire::upload_progress& p) {
        monotonic = monotonic && p.parts_done == last_parts_done + 1;
        last_parts_done = p.parts_done;
    };
    auto r = coswire::upload_multipart_parallel(client, "parallel.bin", source, coswire::plan_parts(data.size(), mib).value(), 4, options);
    REQUIRE(r);
    CHECK(r->parts == 7);
    CHECK(r->crc64 == coswire::crc64(std::span<const std::byte>(data)));
    CHECK(monotonic);
    CHECK(last_parts_done == 7);
    const auto stored = server.object("parallel.bin");
    REQUIRE(stored);
    CHECK(stored->crc64 == r->crc64);
    CHECK(server.uploads().empty());
}

TEST_CASE("upload_multipart_parallel: four workers produce the same object, even through faults") {
    SUBCASE("bytes lent by memory_source") { check_four_workers<coswire::memory_source>(9); }
    SUBCASE("bytes read under the lock") { check_four_workers<read_only_source>(10); }
}

TEST_CASE("upload_multipart_parallel: a failure stops the workers and aborts the upload") {
    coswire::testing::emulator_options o = server_options(3);
    o.min_part_size = 2 * mib;  // 1 MiB parts are too small: Complete fails with EntityTooSmall
    cos_emulator server(o);
    coswire::client<cos_emulator> client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, server,
                                         [&server] { return server.server_time(); }, [](std::uint32_t) {});
    std::vector<std::byte> data(3 * mib);
    coswire::memory_source source(data);
    auto r = coswire::upload_multipart_parallel(client, "too-small", source, coswire::plan_parts(data.size(), mib).value(), 3);
    REQUIRE_FALSE(r);
    CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::entity_too_small));
    CHECK(server.uploads().empty());
    CHECK(coswire::upload_multipart_parallel(client, "k", source, coswire::plan_parts(data.size(), mib).value(), 0).error().argument ==
          "workers");
}

TEST_CASE("upload_multipart_parallel: Complete's answer and the object are checked by the same code as upload_multipart") {
    cos_emulator server(server_options(12));
    hostile_transport wire{.server = &server};
    coswire::client<hostile_transport> client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, wire,
                                              [&server] { return server.server_time(); }, [](std::uint32_t) {});
    std::vector<std::byte> data(3 * mib + 5, std::byte{7});
    coswire::memory_source source(data);
    const auto plan = coswire::plan_parts(data.size(), mib).value();

    // Without Complete's CRC-64 the object is settled by HEAD.
    wire.alter = [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
        if (kind_of(r) == request_kind::complete && answer) remove_header(*answer, "x-cos-hash-crc64ecma");
    };
    auto settled = coswire::upload_multipart_parallel(client, "p", source, plan, 3);
    REQUIRE(settled);
    CHECK(settled->verified.crc64_from == coswire::crc64_evidence::head_header);
    CHECK(wire.count(request_kind::head_object) == 1);

    // An answer about another key is refused and the upload aborted.
    wire.alter = [](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
        if (kind_of(r) == request_kind::complete && answer) replace_in_body(*answer, "<Key>q</Key>", "<Key>elsewhere</Key>");
    };
    auto refused = coswire::upload_multipart_parallel(client, "q", source, plan, 3);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().argument == "Key");
    CHECK(server.uploads().empty());
}

TEST_CASE("upload_multipart_parallel: content_md5 = false and an SSE-KMS default bucket, three workers") {
    auto o = server_options(47);
    o.default_encryption = "cos/kms";
    cos_emulator server(o);
    hostile_transport wire{.server = &server};
    std::size_t parts = 0, with_md5 = 0;
    wire.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>&) {
        if (kind_of(r) != request_kind::upload_part) return;
        ++parts;
        with_md5 += r.header("Content-MD5") ? 1 : 0;
    };
    coswire::client<hostile_transport> client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, wire,
                                              [&server] { return server.server_time(); }, [](std::uint32_t) {});
    std::mt19937_64 rng(12);
    std::vector<std::byte> data(5 * mib + 17);
    for (auto& b : data) b = static_cast<std::byte>(rng());
    coswire::memory_source source(data);
    for (const bool with : {true, false}) {
        CAPTURE(with);
        parts = with_md5 = 0;
        coswire::multipart_upload_options options;
        options.content_md5 = with;
        auto r = coswire::upload_multipart_parallel(client, "kms.bin", source, coswire::plan_parts(data.size(), mib).value(), 3, options);
        REQUIRE_MESSAGE(r, coswire::describe(r.error()));
        CHECK(parts == 6);
        CHECK(with_md5 == (with ? 6u : 0u));
        CHECK(r->crc64 == coswire::crc64(std::span<const std::byte>(data)));
        const auto stored = server.object("kms.bin");
        REQUIRE(stored);
        CHECK(stored->data.size() == data.size());
        CHECK(stored->crc64 == r->crc64);
    }
}
