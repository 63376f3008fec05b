// SPDX-License-Identifier: MIT
// Multipart copies with a caller-chosen number of worker threads, each copying parts on the
// server side. A separate header, so single-threaded and embedded users never compile or link
// threads.
#pragma once

#include <coswire/copy/driver.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace coswire {

/// copy_object with `workers` threads sending Upload Part - Copy requests concurrently when the
/// source is copied in parts (a single PUT Object - Copy has nothing to parallelise). Each worker
/// owns a copy of `destination` (so retries and backoff are per worker); the transport is shared
/// and must be safe to call from several threads. No object byte passes through the caller, so
/// memory does not grow with the part size. Everything else (the HEAD, the ETag pinning, the
/// CRC-64 check, the abort on failure) is copy_object's, the same code; on the first failure the
/// other workers stop after their current part. Errors: those of copy_object, and
/// invalid_argument ("workers") for 0, before anything is sent.
template <class Client, class SourceClient>
result<copy_object_result> copy_object_parallel(Client& destination, SourceClient& source, std::string_view source_key,
                                                std::string_view key, std::uint32_t workers, const copy_object_options& options = {}) {
    if (workers == 0) return make_error(errc::invalid_argument, "workers", "must be at least 1");
    const auto copy_parts = [workers](Client& c, const detail::part_copy_job& job) -> result<detail::copied_parts> {
        std::vector<upload_part_copy_result> answers(job.plan.part_count);
        std::atomic<std::uint32_t> next_part{1};
        std::atomic<bool> stop{false};
        std::mutex shared;  // guards failure
        std::optional<error> failure;
        auto work = [&] {
            Client own = c;
            while (!stop.load()) {
                const std::uint32_t n = next_part.fetch_add(1);
                if (n > job.plan.part_count) return;
                auto copied = detail::copy_one_part(own, job, n);
                if (!copied) {
                    const std::lock_guard<std::mutex> guard(shared);
                    if (!failure) failure = std::move(copied).error();
                    stop = true;
                    return;
                }
                answers[n - 1] = std::move(*copied);  // each slot is written by one worker only
            }
        };
        std::vector<std::thread> threads;
        const std::uint32_t count = std::min(workers, job.plan.part_count);
        for (std::uint32_t i = 1; i < count; ++i) threads.emplace_back(work);
        work();  // the calling thread is worker number one
        for (std::thread& t : threads) t.join();
        if (failure) return std::move(*failure);
        return detail::collect_parts(answers, job.plan);
    };
    return detail::run_copy(destination, source, source_key, key, options, copy_parts);
}

}  // namespace coswire
