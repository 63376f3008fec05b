// SPDX-License-Identifier: MIT
// `coswire demo`: the whole multipart lifecycle (upload, listings, a failure and its resume, CRC
// checks, a parallel download failing mid-way and resumed from its checkpoint, abort, presigned
// GET) against the in-process cos_emulator, with made-up credentials
// and an injected clock, so it needs no network and no account.
#pragma once

#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/client.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/detail/query.hpp>
#include <coswire/download/driver.hpp>
#include <coswire/download/parallel.hpp>
#include <coswire/download/plan.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/multipart/upload.hpp>
#include <coswire/sign/request.hpp>
#include <coswire/testing/emulator.hpp>

#include "listing.hpp"
#include "progress.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cli {

namespace demo_detail {

using emulator = coswire::testing::cos_emulator;
using demo_client = coswire::client<emulator>;

inline constexpr std::int64_t demo_now = 1700000000;  // the injected clock: 2023-11-14T22:13:20Z
inline constexpr std::uint64_t demo_seed = 20240601;
inline constexpr std::uint64_t object_size = 64 * coswire::mib;
inline constexpr std::uint64_t part_size = 8 * coswire::mib;

/// One line of the summary.
struct check {
    std::string name;
    bool passed = false;
};

/// printf, then a flush, so the output interleaves with the progress bar on stderr.
[[gnu::format(printf, 1, 2)]] inline void say(const char* format, ...) {
    std::va_list args;
    va_start(args, format);
    std::vprintf(format, args);
    va_end(args);
    std::fflush(stdout);
}

/// Random but reproducible bytes: the object's content depends only on the seed.
inline std::vector<std::byte> generated_bytes(std::uint64_t size, std::uint64_t seed) {
    std::vector<std::byte> out(static_cast<std::size_t>(size));
    std::mt19937_64 random(seed);
    for (std::size_t i = 0; i < out.size(); i += 8) {
        std::uint64_t word = random();
        for (std::size_t j = i; j < i + 8 && j < out.size(); ++j, word >>= 8) out[j] = static_cast<std::byte>(word & 0xff);
    }
    return out;
}

/// Reports progress: the bar when stderr is a terminal, else a line every two parts.
class progress_reporter {
public:
    void operator()(const coswire::upload_progress& p) {
        if (terminal_) bar_.update(p);
        else if (p.parts_done % 2 == 0 || p.parts_done == p.part_count)
            say("      %u/%u parts, %.1f MiB of %.1f MiB\n", p.parts_done, p.part_count,
                static_cast<double>(p.bytes_done) / coswire::mib, static_cast<double>(p.bytes_total) / coswire::mib);
    }
    void operator()(const coswire::download_progress& p) {
        if (terminal_) bar_.update(p);
    }
    void finish() { bar_.finish(); }

private:
    bool terminal_ = stderr_is_terminal();
    progress_bar bar_;
};

/// The request a plain HTTP client makes for `url`: method GET, the URL's path and query as
/// the server decodes them, Host from the URL, and no Authorization header.
inline coswire::result<coswire::http_request> request_for_url(std::string_view url) {
    coswire::http_request r;
    r.method = "GET";
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return coswire::make_error(coswire::errc::invalid_argument, "url", "has no scheme");
    r.scheme = std::string(url.substr(0, scheme_end));
    url.remove_prefix(scheme_end + 3);
    const std::size_t path_start = url.find('/');
    r.host = std::string(url.substr(0, path_start));
    url.remove_prefix(std::min(path_start, url.size()));
    const std::size_t question = url.find('?');
    r.wire_path = std::string(url.substr(0, question));
    auto path = coswire::percent_decode(r.wire_path, "url");
    if (!path) return std::move(path).error();
    r.path = std::move(*path);
    const std::string_view query = question == std::string_view::npos ? std::string_view() : url.substr(question + 1);
    auto params = coswire::detail::parse_query(query, coswire::detail::plus_sign::literal, "url");
    if (!params) return std::move(params).error();
    r.query = std::move(*params);
    r.headers.push_back({"Host", r.host});
    return r;
}

inline std::string shorten(std::string_view text, std::size_t keep) {
    return text.size() <= keep ? std::string(text) : std::string(text.substr(0, keep)) + "...";
}

/// A positional sink that checks every byte against the data uploaded instead of keeping it, so
/// the download step needs no second copy of the object. Safe for disjoint ranges in parallel.
class verifying_sink {
public:
    explicit verifying_sink(std::span<const std::byte> expected) : expected_(expected) {}
    coswire::result<void> write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
        const bool inside = offset <= expected_.size() && bytes.size() <= expected_.size() - offset;
        if (!inside || !std::equal(bytes.begin(), bytes.end(), expected_.begin() + static_cast<std::ptrdiff_t>(offset)))
            mismatches_.fetch_add(1);
        return {};
    }
    std::uint64_t mismatches() const { return mismatches_.load(); }

private:
    std::span<const std::byte> expected_;
    std::atomic<std::uint64_t> mismatches_{0};
};

inline bool same_bytes(std::string_view stored, std::span<const std::byte> data) {
    return stored.size() == data.size() &&
           std::equal(data.begin(), data.end(), stored.begin(), [](std::byte a, char b) { return a == static_cast<std::byte>(b); });
}

}  // namespace demo_detail

/// Runs the demo; returns 0 when every check passed, else 1.
inline int run_demo() {
    using namespace demo_detail;
    const auto started = std::chrono::steady_clock::now();
    std::vector<check> checks;
    const auto record = [&checks](std::string name, bool passed) {
        checks.push_back({std::move(name), passed});
        return passed;
    };

    // Made-up temporary credentials: the emulator accepts exactly these, token included.
    const coswire::credentials creds{"AKIDcoswireDemoKey0000000000000000", coswire::secret_string("coswire-demo-secret-key-0000000"),
                                     coswire::secret_string("coswire-demo-session-token")};
    coswire::testing::emulator_options options;
    options.accepted = {creds};
    options.now = demo_now;
    emulator cos(options);
    std::uint64_t slept_ms = 0;  // the sleeper only adds up the backoff it was asked for
    demo_client c(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, cos,
                  [] { return demo_now; }, [&slept_ms](std::uint32_t ms) { slept_ms += ms; });
    const std::string key = "demo/big.bin";

    say("coswire demo: the multipart lifecycle and a download against the in-process COS emulator\n");
    say("  bucket %s at %s, made-up temporary credentials, clock fixed at %s\n\n", options.bucket.c_str(), options.host.c_str(),
        iso8601_utc(demo_now).c_str());

    // ---- 1. upload, listed mid-way, failing for good at part 6 ----------------------------------
    const std::vector<std::byte> data = generated_bytes(object_size, demo_seed);
    coswire::memory_source source(data);
    const coswire::part_plan plan = coswire::plan_parts(object_size, part_size).value();
    say("[1/7] multipart upload of %s: %llu random bytes (seed %llu)\n", key.c_str(), static_cast<unsigned long long>(object_size),
        static_cast<unsigned long long>(demo_seed));
    say("      plan: %s\n", plan.explanation.c_str());

    constexpr std::uint32_t attempts = 4;  // client_options::max_attempts, the default
    constexpr std::uint32_t failing_part = 6;
    progress_reporter progress;
    std::string upload_id;
    bool midway_ok = false;
    coswire::multipart_upload_options first;
    first.keep_on_failure = true;
    first.on_upload_id = [&upload_id](std::string_view id) {
        upload_id = std::string(id);
        say("      upload id %s\n", upload_id.c_str());
    };
    first.on_progress = [&](const coswire::upload_progress& p) {
        progress(p);
        if (p.parts_done == 3) {
            auto uploads = fetch_all_uploads(c, "demo/");
            auto parts = fetch_all_parts(c, key, upload_id);
            midway_ok = uploads && parts && uploads->size() == 1 && (*uploads)[0].upload_id == upload_id && parts->size() == 3;
            progress.finish();
            say("      mid-way: List Multipart Uploads shows %zu upload, List Parts %zu parts\n", uploads ? uploads->size() : 0,
                parts ? parts->size() : 0);
        }
        if (p.parts_done == failing_part - 1) {
            cos.fail_next(coswire::testing::fault_kind::internal_error, attempts);
            progress.finish();
            say("      injected: the next %u requests answer 500 InternalError (the client makes %u attempts per part)\n",
                attempts, attempts);
        }
    };
    auto failed = coswire::upload_multipart(c, key, source, plan, first);
    progress.finish();
    record("mid-way listing shows the upload and its 3 parts", midway_ok);
    if (failed) say("      unexpectedly succeeded\n");
    else say("      part %u failed as injected: %s\n", failing_part, coswire::describe(failed.error()).c_str());
    record("part 6 fails for good after the client's retries; upload kept",
           !failed && coswire::is_cos_error(failed.error(), coswire::cos_errc::internal_error) && cos.uploads().size() == 1);

    // ---- 2. listings after the failure ------------------------------------------------------
    say("\n[2/7] list what is left\n");
    auto uploads = fetch_all_uploads(c, "");
    auto parts = fetch_all_parts(c, key, upload_id);
    if (uploads)
        for (const auto& u : *uploads) say("      uploads: %s\t%s\t%s\n", u.key.c_str(), u.upload_id.c_str(), iso8601_utc(u.initiated).c_str());
    if (parts)
        for (const auto& p : *parts)
            say("      parts:   %u\t%llu\t%s\n", p.part_number, static_cast<unsigned long long>(p.size), p.etag.c_str());
    record("after the failure: 1 upload with parts 1-5 listed", uploads && uploads->size() == 1 && parts && parts->size() == failing_part - 1);

    // ---- 3. resume -------------------------------------------------------------------------
    say("\n[3/7] resume upload %s\n", shorten(upload_id, 16).c_str());
    coswire::multipart_upload_options second;
    second.resume_upload_id = upload_id;
    second.on_progress = [&progress](const coswire::upload_progress& p) { progress(p); };
    auto done = coswire::upload_multipart(c, key, source, plan, second);
    progress.finish();
    if (done)
        say("      reused %u parts, uploaded %u; etag=%s crc64=%llu parts=%u\n", done->parts_reused, done->parts - done->parts_reused,
            done->etag.c_str(), static_cast<unsigned long long>(done->crc64), done->parts);
    else say("      failed: %s\n", coswire::describe(done.error()).c_str());
    record("resume reuses the 5 uploaded parts and completes all 8",
           done && done->parts_reused == failing_part - 1 && done->parts == plan.part_count);

    // ---- 4. CRC-64 and content checks ------------------------------------------------------
    say("\n[4/7] check the stored object\n");
    const std::uint64_t local_crc = coswire::crc64(std::span<const std::byte>(data));
    say("      crc64: upload result %llu, local data %llu\n", done ? static_cast<unsigned long long>(done->crc64) : 0ull,
        static_cast<unsigned long long>(local_crc));
    record("the upload's CRC-64 (checked against COS's) equals the local CRC-64", done && done->crc64 == local_crc);
    const auto stored = cos.object(key);
    const bool identical = stored && same_bytes(stored->data, data) && stored->crc64 == local_crc;
    say("      emulator holds %llu bytes under %s: %s\n", stored ? static_cast<unsigned long long>(stored->data.size()) : 0ull,
        key.c_str(), identical ? "byte-identical" : "DIFFERENT");
    record("the stored object is byte-identical", identical);
    auto listed = c.send(coswire::list_objects_params{"demo/", {}, {}, {}, true});
    if (listed)
        for (const auto& o : listed->contents)
            say("      GET Bucket: %s\t%llu\t%s\n", o.key.c_str(), static_cast<unsigned long long>(o.size), o.etag.c_str());

    // ---- 5. download in parallel ranges, fail mid-way, resume from the checkpoint ----------------
    say("\n[5/7] download %s in %llu MiB ranges with 4 workers\n", key.c_str(), static_cast<unsigned long long>(part_size / coswire::mib));
    constexpr std::uint32_t workers = 4;
    constexpr std::uint32_t served_first = 3;
    verifying_sink sink(data);
    coswire::download_checkpoint checkpoint;
    coswire::download_options download;
    download.part_size = part_size;
    download.checkpoint = &checkpoint;
    bool injected = false;
    // Once 3 ranges are in, every request fails (each worker's range after the client's retries):
    // the download stops with a range named, whichever worker draws the faults first.
    download.on_progress = [&](const coswire::download_progress& p) {
        progress(p);
        if (injected || p.bytes_done < served_first * part_size) return;
        injected = true;
        coswire::testing::fault_plan every_request;
        every_request.internal_error = 1.0;
        cos.set_fault_plan(every_request);
        progress.finish();
        say("      injected after %u ranges: every request answers 500 InternalError\n", served_first);
    };
    auto cut = coswire::download_object_parallel(c, key, sink, workers, download);
    progress.finish();
    cos.set_fault_plan(coswire::testing::fault_plan{});
    download.on_progress = [&progress](const coswire::download_progress& p) { progress(p); };
    const std::size_t done_before = checkpoint.done.size();
    if (cut) say("      unexpectedly succeeded\n");
    else say("      failed as injected: %s\n", coswire::describe(cut.error()).c_str());
    // What a program would write to disk and read back after a restart (the CLI's FILE.coswire-checkpoint).
    const std::string saved = coswire::serialize_checkpoint(checkpoint);
    say("      checkpoint: ETag %s, %zu of %u ranges done, %zu bytes as text\n", checkpoint.etag.c_str(), done_before,
        plan.part_count, saved.size());
    record("a range fails for good mid-way; the checkpoint keeps the ranges done",
           !cut && coswire::is_cos_error(cut.error(), coswire::cos_errc::internal_error) && done_before >= served_first &&
               done_before < plan.part_count);
    auto reloaded = coswire::parse_checkpoint(saved);
    coswire::download_result resumed_download{};
    bool resumed_ok = false;
    if (reloaded) {
        download.checkpoint = &*reloaded;
        auto resumed = coswire::download_object_parallel(c, key, sink, workers, download);
        progress.finish();
        if (resumed) {
            resumed_download = *resumed;
            resumed_ok = true;
            say("      resumed: reused %u ranges, fetched %u; crc64 %llu %s COS's\n", resumed->ranges_reused, resumed->ranges_fetched,
                static_cast<unsigned long long>(resumed->crc64),
                resumed->crc == coswire::crc_check::verified ? "verified against" : "NOT checked against");
        } else {
            say("      resume failed: %s\n", coswire::describe(resumed.error()).c_str());
        }
    }
    record("the resume fetches only the missing ranges; CRC-64 verified; every byte as uploaded",
           resumed_ok && resumed_download.ranges_reused == done_before && resumed_download.ranges_fetched == plan.part_count - done_before &&
               resumed_download.crc == coswire::crc_check::verified && resumed_download.crc64 == local_crc && sink.mismatches() == 0);

    // ---- 5. abort a second upload ------------------------------------------------------------
    say("\n[6/7] abort a second upload\n");
    const std::string second_key = "demo/second.bin";
    bool abort_ok = false;
    auto started_upload = c.send(coswire::initiate_multipart_upload_params{second_key, {}, {}});
    if (started_upload) {
        coswire::upload_part_params part;
        part.key = second_key;
        part.upload_id = started_upload->upload_id;
        part.part_number = 1;
        part.payload.bytes = std::span<const std::byte>(data).first(static_cast<std::size_t>(coswire::min_part_size));
        part.compute_content_md5 = true;
        auto sent = c.send(part);
        auto before = fetch_all_uploads(c, second_key);
        auto aborted = c.send(coswire::abort_multipart_upload_params{second_key, started_upload->upload_id, {}});
        auto after = fetch_all_uploads(c, second_key);
        say("      %s: initiated %s, 1 part uploaded, listed %zu upload(s)\n", second_key.c_str(),
            shorten(started_upload->upload_id, 16).c_str(), before ? before->size() : 0);
        say("      aborted; now listed: %zu upload(s); emulator holds %zu in-progress upload(s)\n", after ? after->size() : 0,
            cos.uploads().size());
        abort_ok = sent && before && before->size() == 1 && aborted && after && after->empty() && cos.uploads().empty();
    } else {
        say("      initiate failed: %s\n", coswire::describe(started_upload.error()).c_str());
    }
    record("the aborted upload is gone from the listing, no parts left behind", abort_ok);

    // ---- 6. presigned GET ------------------------------------------------------------------------
    say("\n[7/7] presigned GET\n");
    const coswire::endpoint& ep = c.bucket_endpoint();
    const coswire::http_request get = coswire::make_object_request(ep, "GET", key).value();
    auto signer = coswire::signer::create(creds, coswire::key_time::starting_at(demo_now, 3600).value());
    auto url = signer ? coswire::presigned_url(get, *signer) : coswire::result<std::string>(signer.error());
    bool fetched_ok = false, tamper_refused = false;
    if (url) {
        auto request = request_for_url(*url);
        std::string names;
        if (request)
            for (const coswire::http_query_param& p : request->query) names += (names.empty() ? "" : ", ") + p.name;
        say("      %s://%s%s?... (%zu characters)\n      query: %s\n", ep.scheme.c_str(), ep.host.c_str(), get.wire_path.c_str(),
            url->size(), names.c_str());
        auto response = request ? cos(*request) : coswire::result<coswire::http_response>(request.error());
        fetched_ok = request && !request->header("Authorization") && response && response->status == 200 &&
                     same_bytes(response->body, data);
        say("      fetched with no Authorization header: %s\n",
            response ? (std::to_string(response->status) + ", " + std::to_string(response->body.size()) + " bytes, " +
                        (fetched_ok ? "identical" : "DIFFERENT"))
                           .c_str()
                     : coswire::describe(response.error()).c_str());
        std::string tampered = *url;
        tampered.replace(tampered.find("big.bin"), 7, "other.bin");
        auto other = request_for_url(tampered);
        auto refused = other ? cos(*other) : coswire::result<coswire::http_response>(other.error());
        tamper_refused = refused && refused->status == 403 && refused->body.find("SignatureDoesNotMatch") != std::string::npos;
        say("      the same signature for demo/other.bin: %s\n",
            tamper_refused ? "403 SignatureDoesNotMatch, as it should" : "NOT refused");
    } else {
        say("      presign failed: %s\n", coswire::describe(url.error()).c_str());
    }
    record("the presigned URL fetches the same bytes without an Authorization header", fetched_ok);
    record("the URL's signature does not open another key", tamper_refused);

    // ---- summary ----------------------------------------------------------------------------------
    const auto stats = cos.stats();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::size_t passed = 0;
    say("\nsummary\n");
    for (const check& k : checks) {
        say("  %s  %s\n", k.passed ? "ok  " : "FAIL", k.name.c_str());
        passed += k.passed ? 1 : 0;
    }
    say("  %llu requests, %llu faults injected, %llu ms of backoff simulated (not slept), %.1f s\n",
        static_cast<unsigned long long>(stats.requests), static_cast<unsigned long long>(stats.faults.total()),
        static_cast<unsigned long long>(slept_ms), seconds);
    say("demo: %zu of %zu checks passed\n", passed, checks.size());
    return passed == checks.size() ? 0 : 1;
}

}  // namespace cli
