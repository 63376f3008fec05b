// SPDX-License-Identifier: MIT
// Fault-injection soak of the multipart driver against the emulator: many uploads of random and
// boundary sizes under injected 5xx/SlowDown, dropped connections, 200-with-Error Completes and a
// server clock that jumps; each must end complete and byte-identical, or failed leaving nothing.
#include <coswire/multipart/upload.hpp>

#include <doctest/doctest.h>

#include <coswire/testing/emulator.hpp>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using coswire::mib;
using coswire::testing::cos_emulator;

namespace {

const coswire::credentials creds{"AKIDsoak", coswire::secret_string("soak-secret"), {}};

constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t server_min_part = 64 * kib;  // lowered from 1 MiB so 200 uploads stay fast

/// Uploads from COSWIRE_SOAK_UPLOADS (CI sets 200), else 40.
std::uint32_t soak_uploads() {
    const char* text = std::getenv("COSWIRE_SOAK_UPLOADS");
    if (text == nullptr || *text == '\0') return 40;
    return static_cast<std::uint32_t>(std::strtoul(text, nullptr, 10));
}

/// A plan of `part_size` parts, built by hand so parts below COS's 1 MiB are allowed.
coswire::part_plan small_plan(std::uint64_t size, std::uint64_t part_size) {
    coswire::part_plan p;
    p.object_size = size;
    p.part_size = part_size;
    p.part_count = size == 0 ? 1 : static_cast<std::uint32_t>((size + part_size - 1) / part_size);
    return p;
}

/// The size of upload `i`: the boundary cases in turn (exactly 1 MiB, 1 MiB ± 1, a part size ± 1
/// and multiples of it, single parts), then random sizes up to 3 MiB.
std::uint64_t pick_size(std::uint32_t i, std::uint64_t part_size, std::mt19937_64& rng) {
    const std::array<std::uint64_t, 10> boundaries{mib,           mib - 1,           mib + 1,       part_size,
                                                   part_size + 1, part_size - 1,     2 * part_size, 3 * part_size + 1,
                                                   1,             rng() % part_size + 1};
    if (i % 2 == 0) return boundaries[(i / 2) % boundaries.size()];
    return rng() % (3 * mib) + 1;
}

std::string random_content(std::uint64_t size, std::mt19937_64& rng) {
    std::string out(static_cast<std::size_t>(size), '\0');
    for (char& c : out) c = static_cast<char>(rng());
    return out;
}

/// The uploads still open for `key`, each as "<id> with <n> parts", for the failure message.
std::vector<std::string> uploads_left(const cos_emulator& server, std::string_view key) {
    std::vector<std::string> out;
    for (const coswire::testing::emulated_upload& u : server.uploads())
        if (u.key == key) out.push_back(u.upload_id + " with " + std::to_string(u.parts.size()) + " parts");
    return out;
}

}  // namespace

TEST_CASE("upload_multipart soak: under injected faults and clock skew every upload completes intact or leaves nothing") {
    const std::uint32_t n = soak_uploads();
    REQUIRE(n > 0);

    std::int64_t true_now = 1700000000;  // the client's clock; the server adds its offset
    coswire::testing::emulator_options o;
    o.accepted = {creds};
    o.min_part_size = server_min_part;
    o.seed = 20240601;
    o.now = true_now;
    o.faults.internal_error = 0.10;
    o.faults.slow_down = 0.10;
    o.faults.drop_before = 0.025;
    o.faults.drop_after = 0.025;
    o.faults.complete_error = 0.25;
    cos_emulator server(o);

    coswire::client_options co;
    co.max_attempts = 16;
    co.jitter_seed = 7;
    std::uint64_t waited_ms = 0;
    coswire::client<cos_emulator> client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds,
                                         server, [&true_now] { return true_now; },
                                         [&waited_ms](std::uint32_t ms) { waited_ms += ms; }, co);

    // Server clock offsets, cycled: behind and ahead of the client by more than the signature
    // window (900 s, backdated 60 s) and small ones the window absorbs.
    const std::array<std::int64_t, 6> offsets{0, 1200, -1500, 30, -90, 3600};
    std::mt19937_64 rng(42);
    std::uint32_t completed = 0, failed_clean = 0, corrupted = 0, orphaned = 0, single_part = 0;
    std::uint64_t bytes = 0;
    std::vector<std::pair<std::string, std::string>> stored;  // key, content of every completed upload

    for (std::uint32_t i = 0; i < n; ++i) {
        const std::array<std::uint64_t, 3> part_sizes{server_min_part, 256 * kib, mib};
        const std::uint64_t part_size = part_sizes[rng() % part_sizes.size()];
        const std::uint64_t size = pick_size(i, part_size, rng);
        const std::string data = random_content(size, rng);
        const std::string key = "soak/" + std::to_string(i) + ".bin";
        const coswire::part_plan plan = small_plan(size, part_size);
        single_part += plan.part_count == 1 ? 1 : 0;

        true_now += 37;
        server.set_now(true_now);
        // Every fifth upload the server clock jumps between two parts, mid-upload.
        coswire::multipart_upload_options options;
        if (i % 5 == 4)
            options.on_progress = [&server, &offsets, i](const coswire::upload_progress& p) {
                if (p.parts_done == 1) server.set_clock_offset(offsets[(i / 5) % offsets.size()]);
            };

        coswire::memory_source source(std::as_bytes(std::span<const char>(data)));
        auto r = coswire::upload_multipart(client, key, source, plan, options);
        const auto object = server.object(key);
        for (const std::string& left : uploads_left(server, key)) {
            ++orphaned;
            FAIL_CHECK("upload " << i << " (" << size << " bytes, " << std::string(r ? "completed" : "failed") << ") left upload " << left);
        }
        if (r) {
            const bool intact = object && object->data == data && object->crc64 == coswire::crc64(data) && r->crc64 == object->crc64;
            if (intact) {
                ++completed;
                stored.emplace_back(key, data);
            } else {
                ++corrupted;
                FAIL_CHECK("upload " << i << " (" << size << " bytes) completed but the stored object differs");
            }
        } else if (!object) {
            ++failed_clean;
            MESSAGE("upload " << i << " (" << size << " bytes) failed cleanly: " << coswire::describe(r.error()));
        } else {
            ++corrupted;
            FAIL_CHECK("upload " << i << " failed (" << coswire::describe(r.error()) << ") yet stored an object");
        }
        bytes += size;
    }

    // Nothing stored later disturbed an earlier object, and no upload is left anywhere.
    for (const auto& [key, data] : stored) {
        const auto object = server.object(key);
        if (!object || object->data != data) {
            ++corrupted;
            FAIL_CHECK(key << " changed after it was completed");
        }
    }
    CHECK(server.uploads().empty());

    const coswire::testing::emulator_stats stats = server.stats();
    MESSAGE("soak: " << n << " uploads (" << single_part << " single-part, " << bytes << " bytes): " << completed
                     << " completed, " << failed_clean << " cleanly failed, " << corrupted << " corrupted, " << orphaned
                     << " orphaned; " << stats.requests << " requests, faults: " << stats.faults.internal_error
                     << " InternalError, " << stats.faults.slow_down << " SlowDown, " << stats.faults.drop_before
                     << " dropped before, " << stats.faults.drop_after << " dropped after, " << stats.faults.complete_error
                     << " 200-with-Error, " << stats.faults.clock_skew << " RequestTimeTooSkewed; " << waited_ms
                     << " ms of backoff requested");
    CHECK(completed + failed_clean == n);
    CHECK(corrupted == 0);
    CHECK(orphaned == 0);
    CHECK(stats.faults.internal_error > 0);
    CHECK(stats.faults.slow_down > 0);
    CHECK(stats.faults.drop_before + stats.faults.drop_after > 0);
    CHECK(stats.faults.complete_error > 0);
}
