// SPDX-License-Identifier: MIT
#include <coswire/download/driver.hpp>

#include "../support/sinks.hpp"

#include <doctest/doctest.h>

#include <coswire/testing/emulator.hpp>
#include <coswire/testing/fake_transport.hpp>

#include "../support/memory.hpp"

#include <cstring>
#include <random>
#include <string>
#include <vector>

using coswire::errc;
using coswire::testing::cos_emulator;
using coswire::testing::fault_kind;

using test_support::random_text;
using test_support::buffer_sink;
using test_support::string_sink;

namespace {

const coswire::credentials creds{.secret_id = "AKIDdownload", .secret_key = coswire::secret_string("download-secret")};
constexpr std::uint64_t part = 64 * 1024;

template <class Transport>
struct harness_of {
    Transport server;
    coswire::client<Transport> client;
    std::vector<std::uint32_t> waits;

    template <class... Args>
    explicit harness_of(std::int64_t now, Args&&... args)
        : server(std::forward<Args>(args)...),
          client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, server,
                 [now] { return now; }, [this](std::uint32_t ms) { waits.push_back(ms); }) {}
};

struct harness : harness_of<cos_emulator> {
    harness() : harness_of<cos_emulator>(1700000000, options()) {}
    static coswire::testing::emulator_options options() {
        coswire::testing::emulator_options o;
        o.accepted = {creds};
        return o;
    }
};

struct fake_harness : harness_of<coswire::testing::fake_transport> {
    fake_harness() : harness_of<coswire::testing::fake_transport>(1700000000) {}
};

/// A sequential sink that counts bytes and their CRC-64 without keeping them.
struct counting_sink {
    std::uint64_t bytes = 0;
    std::uint64_t crc = 0;
    coswire::result<void> write(std::span<const std::byte> b) {
        bytes += b.size();
        crc = coswire::crc64_update(crc, b);
        return {};
    }
};

}  // namespace

static_assert(coswire::sequential_sink<string_sink>);
static_assert(coswire::positional_sink<buffer_sink>);
static_assert(!coswire::download_sink<int>);

TEST_CASE("download_object: a small object is one streamed GET, checked against x-cos-hash-crc64ecma") {
    harness h;
    const std::string data = random_text(1000, 1);
    h.server.put_object("small.bin", data);
    string_sink sink;
    auto done = coswire::download_object(h.client, "small.bin", sink, {.part_size = part});
    REQUIRE(done);
    CHECK(sink.data == data);
    CHECK(done->size == 1000);
    CHECK(done->crc == coswire::crc_check::verified);
    CHECK(done->crc64 == coswire::crc64(data));
    CHECK(done->ranges == 1);
    CHECK(done->ranges_fetched == 1);
    CHECK(h.server.stats().requests == 1);
}

TEST_CASE("download_object: an empty object (416 to any range) is one more plain GET") {
    harness h;
    h.server.put_object("empty", "");
    string_sink sink;
    auto done = coswire::download_object(h.client, "empty", sink, {.part_size = part});
    REQUIRE(done);
    CHECK(sink.data.empty());
    CHECK(done->size == 0);
    CHECK(done->ranges == 0);
    CHECK(done->crc == coswire::crc_check::verified);
    CHECK(h.server.stats().requests == 2);
}

TEST_CASE("download_object: ranges in order into a sequential sink and at offsets into a positional one") {
    harness h;
    const std::string data = random_text(5 * part + 123, 2);
    h.server.put_object("big.bin", data);
    std::vector<coswire::download_progress> seen;
    coswire::download_options options{.part_size = part};
    options.on_progress = [&](const coswire::download_progress& p) { seen.push_back(p); };
    SUBCASE("sequential") {
        string_sink sink;
        auto done = coswire::download_object(h.client, "big.bin", sink, options);
        REQUIRE(done);
        CHECK(sink.data == data);
        CHECK(done->ranges == 6);
        CHECK(done->crc == coswire::crc_check::verified);
    }
    SUBCASE("positional") {
        buffer_sink sink(data.size());
        auto done = coswire::download_object(h.client, "big.bin", sink, options);
        REQUIRE(done);
        CHECK(sink.data == data);
        CHECK(sink.written == data.size());
    }
    REQUIRE(seen.size() == 6);
    CHECK(seen.back().bytes_done == data.size());
    CHECK(seen.back().bytes_total == data.size());
    CHECK(h.server.stats().requests == 6);
}

TEST_CASE("download_object: every range after the first carries If-Match with the pinned ETag") {
    fake_harness h;
    const std::string data = random_text(2 * part, 3);
    const std::string crc = std::to_string(coswire::crc64(data));
    h.server.respond(206, {{"Content-Range", "bytes 0-65535/131072"}, {"ETag", "\"e1\""}, {"x-cos-hash-crc64ecma", crc}},
                     data.substr(0, part));
    h.server.respond(206, {{"Content-Range", "bytes 65536-131071/131072"}, {"ETag", "\"e1\""}, {"x-cos-hash-crc64ecma", crc}},
                     data.substr(part));
    string_sink sink;
    auto done = coswire::download_object(h.client, "k", sink, {.part_size = part});
    REQUIRE(done);
    REQUIRE(h.server.requests().size() == 2);
    CHECK_FALSE(h.server.requests()[0].header("If-Match"));
    CHECK(h.server.requests()[0].header("Range") == "bytes=0-65535");
    CHECK(h.server.requests()[1].header("If-Match") == "\"e1\"");
    CHECK(h.server.requests()[1].header("Range") == "bytes=65536-131071");
}

TEST_CASE("download_object: faults retry per range and the sink still sees each byte once") {
    harness h;
    const std::string data = random_text(4 * part, 4);
    h.server.put_object("f.bin", data);
    h.server.fail_next(fault_kind::none);
    h.server.fail_next(fault_kind::internal_error);
    h.server.fail_next(fault_kind::drop_before);
    h.server.fail_next(fault_kind::none);
    h.server.fail_next(fault_kind::slow_down);
    h.server.fail_next(fault_kind::drop_after);
    string_sink sink;
    auto done = coswire::download_object(h.client, "f.bin", sink, {.part_size = part});
    REQUIRE_MESSAGE(done, describe(done.error()));
    CHECK(sink.data == data);
    CHECK(done->crc == coswire::crc_check::verified);
    CHECK(h.server.stats().faults.total() == 4);
    CHECK(h.waits.size() == 4);
}

TEST_CASE("download_object: a range that fails for good fails the download with the range named") {
    harness h;
    h.server.put_object("f.bin", random_text(3 * part, 5));
    h.server.fail_next(fault_kind::none);
    h.server.fail_next(fault_kind::internal_error, 4);
    coswire::download_checkpoint checkpoint;
    string_sink sink;
    auto done = coswire::download_object(h.client, "f.bin", sink, {.part_size = part, .checkpoint = &checkpoint});
    REQUIRE_FALSE(done);
    CHECK(done.error().code == errc::service_error);
    CHECK(done.error().reason.find("range 1") == 0);
    CHECK(sink.data.size() == part);
    REQUIRE(checkpoint.done.size() == 1);
    CHECK(checkpoint.done[0].index == 0);
}

TEST_CASE("download_object: a body cut mid-range is retried and each byte reaches the sink once") {
    harness h;
    const std::string data = random_text(4 * part + 123, 14);
    h.server.put_object("f.bin", data);
    h.server.fail_next(fault_kind::none);      // range 0
    h.server.fail_next(fault_kind::cut_body);  // range 1: half of it, then the connection fails
    h.server.fail_next(fault_kind::none);      // range 1 again
    h.server.fail_next(fault_kind::none);      // range 2
    h.server.fail_next(fault_kind::cut_body);  // range 3
    h.server.fail_next(fault_kind::cut_body);  // range 3, twice
    string_sink sink;
    auto done = coswire::download_object(h.client, "f.bin", sink, {.part_size = part});
    REQUIRE_MESSAGE(done, describe(done.error()));
    CHECK(sink.data.size() == data.size());
    CHECK(sink.data == data);
    CHECK(done->crc == coswire::crc_check::verified);
    CHECK(done->crc64 == coswire::crc64(data));
    CHECK(h.server.stats().faults.cut_body == 3);
    CHECK(h.waits.size() == 3);
    CHECK(h.server.scripted_faults_pending() == 0);
}

TEST_CASE("download_object: a body cut on every attempt fails the download with the range named") {
    harness h;
    const std::string data = random_text(3 * part, 15);
    h.server.put_object("f.bin", data);
    h.server.fail_next(fault_kind::none);
    h.server.fail_next(fault_kind::cut_body, 4);
    coswire::download_checkpoint checkpoint;
    string_sink sink;
    auto done = coswire::download_object(h.client, "f.bin", sink, {.part_size = part, .checkpoint = &checkpoint});
    REQUIRE_FALSE(done);
    CHECK(done.error().code == errc::transport_failure);
    CHECK(done.error().reason.find("range 1") == 0);
    REQUIRE(checkpoint.done.size() == 1);
    CHECK(checkpoint.done[0].index == 0);
    // What reached the sink is range 0 and a prefix of range 1, each byte once: never a repeat.
    CHECK(sink.data.size() > part);
    CHECK(sink.data.size() < 2 * part);
    CHECK(std::string_view(data).starts_with(sink.data));
    CHECK(h.server.stats().faults.cut_body == 4);
}

TEST_CASE("download_object: an object replaced mid-download is object_changed, never a mix") {
    harness h;
    const std::string first = random_text(3 * part, 6);
    h.server.put_object("r.bin", first);
    coswire::download_options options{.part_size = part};
    options.on_progress = [&](const coswire::download_progress& p) {
        if (p.bytes_done == part) h.server.put_object("r.bin", random_text(3 * part, 7));
    };
    string_sink sink;
    auto done = coswire::download_object(h.client, "r.bin", sink, options);
    REQUIRE_FALSE(done);
    CHECK(done.error().code == errc::object_changed);
    CHECK(done.error().argument == "ETag");
    CHECK(sink.data == first.substr(0, part));
}

TEST_CASE("download_object: resume fetches only the missing ranges; a replaced object starts over") {
    harness h;
    const std::string data = random_text(4 * part + 7, 8);
    h.server.put_object("resume.bin", data);
    coswire::download_checkpoint checkpoint;
    buffer_sink sink(data.size());
    int polls = 0;
    coswire::download_options options{.part_size = part, .checkpoint = &checkpoint};
    options.cancelled = [&] { return ++polls == 3; };
    auto stopped = coswire::download_object(h.client, "resume.bin", sink, options);
    REQUIRE_FALSE(stopped);
    CHECK(stopped.error().code == errc::cancelled);
    REQUIRE(checkpoint.done.size() == 2);
    // The checkpoint survives its text form, as a caller persisting it would use it.
    auto saved = coswire::parse_checkpoint(coswire::serialize_checkpoint(checkpoint));
    REQUIRE(saved);
    const auto before = h.server.stats().requests;
    SUBCASE("same object") {
        coswire::download_options again{.part_size = part, .checkpoint = &*saved};
        auto done = coswire::download_object(h.client, "resume.bin", sink, again);
        REQUIRE(done);
        CHECK(sink.data == data);
        CHECK(done->ranges_reused == 2);
        CHECK(done->ranges_fetched == 3);
        CHECK_FALSE(done->restarted);
        CHECK(done->crc == coswire::crc_check::verified);
        CHECK(h.server.stats().requests - before == 3);
        CHECK(saved->done.size() == 5);
    }
    SUBCASE("replaced object") {
        const std::string other = random_text(4 * part + 7, 9);
        h.server.put_object("resume.bin", other);
        coswire::download_options again{.part_size = part, .checkpoint = &*saved};
        auto done = coswire::download_object(h.client, "resume.bin", sink, again);
        REQUIRE(done);
        CHECK(done->restarted);
        CHECK(sink.data == other);
        CHECK(done->ranges_reused == 0);
        CHECK(done->ranges_fetched == 5);
        CHECK(done->crc == coswire::crc_check::verified);
    }
    SUBCASE("replaced object, sequential sink") {
        h.server.put_object("resume.bin", random_text(10, 10));
        string_sink stream;
        stream.data = data.substr(0, 2 * part);
        coswire::download_options again{.part_size = part, .checkpoint = &*saved};
        auto done = coswire::download_object(h.client, "resume.bin", stream, again);
        REQUIRE_FALSE(done);
        CHECK(done.error().code == errc::object_changed);
        CHECK(stream.data == data.substr(0, 2 * part));
    }
}

TEST_CASE("download_object: a sequential sink resumes only a prefix of done ranges") {
    harness h;
    coswire::download_checkpoint checkpoint{.etag = "e", .object_size = 3 * part, .part_size = part, .crc64 = {},
                                            .done = {{.index = 1, .crc64 = 0}}};
    string_sink sink;
    auto done = coswire::download_object(h.client, "x", sink, {.part_size = part, .checkpoint = &checkpoint});
    REQUIRE_FALSE(done);
    CHECK(done.error().argument == "checkpoint");
    CHECK(h.server.stats().requests == 0);
}

TEST_CASE("download_object: a wrong Content-Range, a truncated or overlong body are clear errors") {
    fake_harness h;
    const std::string data = random_text(2 * part, 11);
    const coswire::http_header etag{"ETag", "\"e\""};
    h.server.respond(206, {{"Content-Range", "bytes 0-65535/131072"}, etag}, data.substr(0, part));
    string_sink sink;
    SUBCASE("wrong Content-Range") {
        h.server.respond(206, {{"Content-Range", "bytes 65535-131070/131072"}, etag}, data.substr(part));
        auto done = coswire::download_object(h.client, "k", sink, {.part_size = part});
        REQUIRE_FALSE(done);
        CHECK(done.error().code == errc::malformed_response);
        CHECK(done.error().argument == "Content-Range");
        CHECK(sink.data.size() == part);
    }
    SUBCASE("truncated") {
        h.server.respond(206, {{"Content-Range", "bytes 65536-131071/131072"}, etag}, data.substr(part, 100));
        auto done = coswire::download_object(h.client, "k", sink, {.part_size = part});
        REQUIRE_FALSE(done);
        CHECK(done.error().argument == "body");
        CHECK(done.error().reason.find("range 1") == 0);
    }
    SUBCASE("overlong") {
        h.server.respond(206, {{"Content-Range", "bytes 65536-131071/131072"}, etag}, data.substr(part) + "x");
        auto done = coswire::download_object(h.client, "k", sink, {.part_size = part});
        REQUIRE_FALSE(done);
        CHECK(done.error().argument == "body");
        CHECK(sink.data.size() == 2 * part);  // the range's own bytes arrived first
    }
    SUBCASE("a 200 to a later range") {
        h.server.respond(200, {{"Content-Length", "131072"}, etag}, data);
        auto done = coswire::download_object(h.client, "k", sink, {.part_size = part});
        REQUIRE_FALSE(done);
        CHECK(done.error().argument == "status");
    }
}

TEST_CASE("download_object: without x-cos-hash-crc64ecma the result says nothing was compared") {
    fake_harness h;
    const std::string data = random_text(1000, 12);
    h.server.respond(206, {{"Content-Range", "bytes 0-999/1000"}, {"ETag", "\"e\""}}, data);
    SUBCASE("nor on HEAD") {
        h.server.respond(200, {{"Content-Length", "1000"}, {"ETag", "\"e\""}});
        string_sink sink;
        auto done = coswire::download_object(h.client, "k", sink, {.part_size = part});
        REQUIRE(done);
        CHECK(done->crc == coswire::crc_check::not_sent);
        CHECK(done->crc64 == coswire::crc64(data));
        REQUIRE(h.server.requests().size() == 2);
        CHECK(h.server.requests()[1].method == "HEAD");
        CHECK(h.server.requests()[1].header("If-Match") == "\"e\"");
    }
    SUBCASE("HEAD has it") {
        h.server.respond(200, {{"Content-Length", "1000"}, {"ETag", "\"e\""}, {"x-cos-hash-crc64ecma", "1"}});
        string_sink sink;
        auto done = coswire::download_object(h.client, "k", sink, {.part_size = part});
        REQUIRE_FALSE(done);
        CHECK(done.error().code == errc::integrity_failure);
    }
}

TEST_CASE("download_object: a CRC-64 that does not match is integrity_failure") {
    fake_harness h;
    h.server.respond(206, {{"Content-Range", "bytes 0-2/3"}, {"ETag", "\"e\""}, {"x-cos-hash-crc64ecma", "5"}}, "abc");
    string_sink sink;
    auto done = coswire::download_object(h.client, "k", sink, {.part_size = part});
    REQUIRE_FALSE(done);
    CHECK(done.error().code == errc::integrity_failure);
}

TEST_CASE("download_object: bad input is an error naming the argument, before anything is sent") {
    harness h;
    string_sink sink;
    CHECK(coswire::download_object(h.client, "k", sink, {.part_size = 100}).error().argument == "part_size");
    coswire::download_checkpoint broken{.etag = "e", .object_size = 10, .part_size = 3, .crc64 = {}, .done = {}};
    CHECK(coswire::download_object(h.client, "k", sink, {.part_size = part, .checkpoint = &broken}).error().argument ==
          "checkpoint");
    CHECK(coswire::download_object(h.client, "", sink, {.part_size = part}).error().code == errc::invalid_argument);
    CHECK(h.server.stats().requests == 0);
}

TEST_CASE("download_object: a failing sink stops the download; finished ranges stay done") {
    harness h;
    h.server.put_object("s.bin", random_text(3 * part, 13));
    struct failing_sink {
        std::uint64_t taken = 0;
        coswire::result<void> write(std::span<const std::byte> b) {
            if (taken + b.size() > part + 10) return coswire::make_error(errc::limit_exceeded, "disk", "full");
            taken += b.size();
            return {};
        }
    } sink;
    coswire::download_checkpoint checkpoint;
    auto done = coswire::download_object(h.client, "s.bin", sink, {.part_size = part, .checkpoint = &checkpoint});
    REQUIRE_FALSE(done);
    CHECK(done.error().code == errc::invalid_argument);
    CHECK(done.error().argument == "sink");
    CHECK(done.error().reason.find("disk: full") != std::string::npos);
    CHECK(checkpoint.done.size() == 1);
    CHECK(h.server.stats().requests == 2);  // not retried
}

TEST_CASE("download_object: a 100 MiB object streams from the emulator without a copy of its size") {
    harness h;
    std::string data(100 * coswire::mib, '\0');
    for (std::size_t i = 0; i < data.size(); i += 4096) data[i] = static_cast<char>(i >> 12);
    const std::uint64_t expected = coswire::crc64(data);
    h.server.put_object("huge.bin", std::move(data));
    const long before = test_support::peak_rss_kib();
    counting_sink sink;
    auto done = coswire::download_object(h.client, "huge.bin", sink, {.part_size = 8 * coswire::mib});
    REQUIRE(done);
    CHECK(sink.bytes == 100 * coswire::mib);
    CHECK(sink.crc == expected);
    CHECK(done->crc == coswire::crc_check::verified);
    CHECK(done->ranges == 13);
    // A copy of one 8 MiB range per request would still pass; a copy of the object would not.
    if (test_support::rss_bounds_hold) CHECK(test_support::peak_rss_kib() - before < 32 * 1024);
}

TEST_CASE("download_object: when the plan's part size grows past the one asked, range 0 is completed without repeating bytes") {
    fake_harness h;
    // 655360001 bytes in 64 KiB parts would be 10001 ranges: the plan uses 1 MiB parts.
    const std::string total = "655360001";
    const std::string data = random_text(coswire::mib, 14);
    h.server.respond(206, {{"Content-Range", "bytes 0-65535/" + total}, {"ETag", "\"g\""}}, data.substr(0, part));
    h.server.respond(206, {{"Content-Range", "bytes 0-1048575/" + total}, {"ETag", "\"g\""}}, data);
    coswire::download_checkpoint checkpoint;
    int polls = 0;
    coswire::download_options options{.part_size = part, .checkpoint = &checkpoint};
    options.cancelled = [&] { return ++polls == 3; };
    string_sink sink;
    auto done = coswire::download_object(h.client, "k", sink, options);
    REQUIRE_FALSE(done);
    CHECK(done.error().code == errc::cancelled);
    REQUIRE(h.server.requests().size() == 2);
    CHECK(h.server.requests()[1].header("Range") == "bytes=0-1048575");
    CHECK(sink.data == data);
    CHECK(checkpoint.part_size == coswire::mib);
    REQUIRE(checkpoint.done.size() == 1);
    CHECK(checkpoint.done[0].crc64 == coswire::crc64(data));
}
