// SPDX-License-Identifier: MIT
// Fault-injection soak of the multipart driver against the emulator: many uploads of random and
// boundary sizes under injected 5xx/SlowDown, dropped connections, 200-with-Error Completes and a
// server clock that jumps; each must end complete and byte-identical, or failed leaving nothing.
// A second soak wraps the emulator in a hostile transport that lies (Complete about another
// object, missing CRC-64 headers, endless listings, 200-with-Error on any operation, Initiates
// applied but lost) and checks that every check a result claims was made.
#include <coswire/multipart/upload.hpp>

#include <doctest/doctest.h>

#include <coswire/testing/emulator.hpp>

#include "hostile_transport.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using coswire::mib;
using coswire::testing::cos_emulator;

namespace {

const coswire::credentials creds{.secret_id = "AKIDsoak", .secret_key = coswire::secret_string("soak-secret")};

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

namespace {

/// The lies of the hostile soak, one per upload in turn.
enum class lie {
    none,
    complete_other_key,       ///< Complete's answer names another key
    complete_other_bucket,    ///< ... another bucket
    complete_other_count,     ///< ... an ETag with another part count
    complete_without_crc,     ///< Complete sends no x-cos-hash-crc64ecma (HEAD must settle it)
    no_crc_anywhere,          ///< neither Complete nor HEAD sends it
    endless_upload_listing,   ///< Initiate repeats, and List Multipart Uploads never moves on
    lost_initiate,            ///< Initiate repeats (its first answer is lost)
    lost_initiate_then_fails, ///< ... and every later attempt fails
    error_in_200,             ///< any operation but GET may answer 200 with an <Error> body
};
constexpr std::size_t lie_count = 10;

/// The lies a driver must never take for success.
bool must_fail(lie l) {
    return l == lie::complete_other_key || l == lie::complete_other_bucket || l == lie::complete_other_count ||
           l == lie::no_crc_anywhere || l == lie::lost_initiate_then_fails;
}

/// What the hostile transport let through for one upload, to hold the result's claims against.
struct delivered {
    std::uint32_t complete_answers = 0;     ///< Complete 200 answers delivered
    std::uint32_t complete_crc_answers = 0; ///< ... that carried x-cos-hash-crc64ecma
    std::uint32_t head_crc_answers = 0;     ///< HEAD 200 answers delivered with x-cos-hash-crc64ecma
};

/// Changes the N of the first "-N" ETag in `body` to N + 1.
void bump_part_count(std::string& body) {
    const std::size_t end = body.find("&quot;</ETag>");
    if (end == std::string::npos) return;
    std::size_t start = end;
    while (start > 0 && body[start - 1] >= '0' && body[start - 1] <= '9') --start;
    if (start == end || body[start - 1] != '-') return;
    body.replace(start, end - start, std::to_string(std::stoul(body.substr(start, end - start)) + 1));
}

}  // namespace

TEST_CASE("upload_multipart soak: hostile answers are never taken for success, and every check claimed was made") {
    const std::uint32_t n = soak_uploads();
    REQUIRE(n > 0);

    coswire::testing::emulator_options o;
    o.accepted = {creds};
    o.min_part_size = server_min_part;
    o.seed = 20240602;
    o.faults.internal_error = 0.05;
    o.faults.drop_before = 0.02;
    o.faults.drop_after = 0.02;
    o.faults.complete_error = 0.1;
    cos_emulator server(o);
    hostile_transport wire{.server = &server};
    coswire::client_options co;
    co.max_attempts = 16;
    co.jitter_seed = 8;
    coswire::client<hostile_transport> client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, wire,
                                              [&server] { return server.server_time(); }, [](std::uint32_t) {}, co);

    std::mt19937_64 rng(43);
    std::mt19937_64 error_rng(44);
    lie current = lie::none;
    delivered seen;
    wire.withhold = [&](const coswire::http_request& r) {
        // Withheld requests are answered 200 + <Error> below; they never reach the bucket.
        return current == lie::error_in_200 && kind_of(r) != request_kind::get_object && error_rng() % 5 == 0;
    };
    wire.alter = [&](const coswire::http_request& r, coswire::result<coswire::http_response>& answer) {
        const request_kind k = kind_of(r);
        if (current == lie::error_in_200 && answer && answer->status == 200 && answer->body.empty() && answer->headers.empty()) {
            answer = coswire::http_response{200, {{"x-cos-request-id", "hostile"}},
                                            "<Error><Code>InternalError</Code><Message>hidden in a 200</Message></Error>"};
            return;
        }
        if (!answer || answer->status / 100 != 2) return;
        coswire::http_response& a = *answer;
        const bool complete_ok = k == request_kind::complete && !coswire::has_error_body(a);
        if (complete_ok) {
            if (current == lie::complete_other_key) {
                const std::size_t from = a.body.find("<Key>"), to = a.body.find("</Key>");
                if (from != std::string::npos && to != std::string::npos) a.body.replace(from + 5, to - from - 5, "elsewhere.bin");
            }
            if (current == lie::complete_other_bucket)
                replace_in_body(a, "<Bucket>examplebucket-1250000000</Bucket>", "<Bucket>otherbucket-1250000000</Bucket>");
            if (current == lie::complete_other_count) bump_part_count(a.body);
            if (current == lie::complete_without_crc || current == lie::no_crc_anywhere) remove_header(a, "x-cos-hash-crc64ecma");
            ++seen.complete_answers;
            seen.complete_crc_answers += a.header("x-cos-hash-crc64ecma") ? 1 : 0;
        }
        if (k == request_kind::head_object) {
            if (current == lie::no_crc_anywhere) remove_header(a, "x-cos-hash-crc64ecma");
            seen.head_crc_answers += a.header("x-cos-hash-crc64ecma") ? 1 : 0;
        }
        if (k == request_kind::list_uploads && current == lie::endless_upload_listing)
            a.body = "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>" + param_of(r, "key-marker") +
                     "~</NextKeyMarker></ListMultipartUploadsResult>";
    };

    std::array<std::uint32_t, lie_count> failed_by_lie{}, completed_by_lie{};
    std::uint32_t corrupted = 0, silent_leftovers = 0, reported_leftovers = 0, false_claims = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        current = static_cast<lie>(i % lie_count);
        seen = {};
        const std::uint64_t part_size = rng() % 2 == 0 ? server_min_part : 256 * kib;
        const std::uint64_t size = rng() % mib + 1;
        const std::string data = random_content(size, rng);
        const std::string key = "hostile/" + std::to_string(i) + ".bin";
        const coswire::part_plan plan = small_plan(size, part_size);
        if (current == lie::endless_upload_listing || current == lie::lost_initiate || current == lie::lost_initiate_then_fails)
            server.fail_next(coswire::testing::fault_kind::drop_after);  // the Initiate is applied, its answer lost
        if (current == lie::lost_initiate_then_fails) server.fail_next(coswire::testing::fault_kind::internal_error, co.max_attempts - 1);

        coswire::memory_source source(std::as_bytes(std::span<const char>(data)));
        auto r = coswire::upload_multipart(client, key, source, plan);
        CAPTURE(i);
        CAPTURE(static_cast<int>(current));
        const auto object = server.object(key);
        const std::string outcome = r ? "completed" : coswire::describe(r.error());

        // The stored object is the source, or the call failed (and stored nothing else).
        if (r) {
            ++completed_by_lie[i % lie_count];
            if (!object || object->data != data || r->crc64 != object->crc64) {
                ++corrupted;
                FAIL_CHECK("upload " << i << " completed but the stored object differs");
            }
        } else {
            ++failed_by_lie[i % lie_count];
            if (object && object->data != data) {
                ++corrupted;
                FAIL_CHECK("upload " << i << " failed (" << outcome << ") and stored other bytes");
            }
        }
        if (must_fail(current) && r) {
            ++false_claims;
            FAIL_CHECK("upload " << i << " took a lie for success");
        }

        // Every check the result claims was made on an answer that really carried it.
        if (r) {
            const coswire::upload_verification& v = r->verified;
            const bool crc_claim_held = v.crc64_from == coswire::crc64_evidence::head_header ? seen.head_crc_answers > 0
                                                                                            : seen.complete_crc_answers > 0;
            const bool key_claim_held = !v.key_matched || seen.complete_answers > 0;
            const bool size_claim_held = !v.size_by_head || seen.head_crc_answers > 0;
            const bool count_claim_held = !v.part_count_matched || coswire::etag_part_count(r->etag) == plan.part_count;
            const bool head_when_needed = current != lie::complete_without_crc || v.crc64_from == coswire::crc64_evidence::head_header;
            if (!(crc_claim_held && key_claim_held && size_claim_held && count_claim_held && head_when_needed)) {
                ++false_claims;
                FAIL_CHECK("upload " << i << " claims a check that was not made: crc " << crc_claim_held << ", key " << key_claim_held
                                     << ", size " << size_claim_held << ", count " << count_claim_held << ", head " << head_when_needed);
            }
        }

        // No upload is left, unless the outcome says the cleanup could not finish.
        const std::vector<std::string> left = uploads_left(server, key);
        if (!left.empty()) {
            const bool reported = r ? (r->duplicates.failure.has_value() || !r->duplicates.left.empty())
                                    : (outcome.find("cleanup is incomplete") != std::string::npos ||
                                       outcome.find("left behind") != std::string::npos ||
                                       outcome.find("aborting the upload failed") != std::string::npos);
            if (reported) {
                reported_leftovers += static_cast<std::uint32_t>(left.size());
                // A lying listing is the only reason here; abort what it hid, so later uploads start clean.
                for (const coswire::testing::emulated_upload& u : server.uploads())
                    if (u.key == key) (void)client.send(coswire::abort_multipart_upload_params{.key = u.key, .upload_id = u.upload_id});
            } else {
                ++silent_leftovers;
                FAIL_CHECK("upload " << i << " (" << outcome << ") silently left " << left.size() << " upload(s), e.g. " << left[0]);
            }
        }
    }

    std::string summary;
    for (std::size_t l = 0; l < lie_count; ++l)
        summary += " [" + std::to_string(l) + "] " + std::to_string(completed_by_lie[l]) + "/" + std::to_string(failed_by_lie[l]);
    MESSAGE("hostile soak: " << n << " uploads, completed/failed by lie:" << summary << "; " << corrupted << " corrupted, "
                             << false_claims << " false claims, " << silent_leftovers << " silent leftovers, " << reported_leftovers
                             << " reported leftovers; " << server.stats().requests << " requests");
    CHECK(corrupted == 0);
    CHECK(false_claims == 0);
    CHECK(silent_leftovers == 0);
    CHECK(server.uploads().empty());
    if (n >= lie_count) {
        CHECK(completed_by_lie[static_cast<std::size_t>(lie::complete_without_crc)] > 0);  // HEAD settles it
        CHECK(completed_by_lie[static_cast<std::size_t>(lie::lost_initiate)] > 0);
        CHECK(completed_by_lie[static_cast<std::size_t>(lie::error_in_200)] > 0);
    }
}
