// SPDX-License-Identifier: MIT
// Parallel part uploads with a caller-chosen number of worker threads. A separate header, so
// single-threaded and embedded users never compile or link threads.
#pragma once

#include <coswire/multipart/upload.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace coswire {

/// upload_multipart with `workers` threads uploading parts concurrently. Each worker owns a copy
/// of `c` (so retries and backoff are per worker) and one part buffer: peak memory is about
/// part size × workers (no buffers for a contiguous_upload_source, whose bytes are lent). The
/// transport is shared and must be safe to call from several threads.
/// Parts, Complete's answer and the object are checked exactly as in upload_multipart (the same
/// code); on the first failure the other workers stop
/// after their current part and the upload is aborted (unless keep_on_failure).
/// Errors: those of upload_multipart, and invalid_argument ("workers") for 0.
template <class Client, upload_source Source>
result<multipart_upload_result> upload_multipart_parallel(Client& c, std::string_view key, Source& source,
                                                          const part_plan& plan, std::uint32_t workers,
                                                          const multipart_upload_options& options = {}) {
    if (workers == 0) return make_error(errc::invalid_argument, "workers", "must be at least 1");
    if (auto ok = detail::check_upload(plan, source, options); !ok) return std::move(ok).error();
    std::vector<listed_part> existing;
    auto upload = detail::start_or_resume(c, key, options, existing);
    if (!upload) return std::move(upload).error();
    const detail::part_policy policy = detail::part_policy_of(options);

    std::vector<std::optional<detail::finished_part>> parts(plan.part_count);
    std::atomic<std::uint32_t> next_part{1};
    std::atomic<bool> stop{false};
    std::mutex shared;  // guards failure, progress and the source (reads are serialised)
    std::optional<error> failure;
    upload_progress progress{0, plan.object_size, 0, 0, plan.part_count};
    std::uint32_t reused_count = 0;

    // Reads go through the lock so a source need not be thread-safe; hashing and sending do not.
    struct locked_source {
        Source& inner;
        std::mutex& lock;
        std::uint64_t size() { return inner.size(); }
        result<void> read(std::uint64_t offset, std::span<std::byte> out) {
            const std::lock_guard<std::mutex> guard(lock);
            return inner.read(offset, out);
        }
    };
    auto work = [&] {
        Client own = c;
        locked_source locked{source, shared};
        // Lent bytes need no lock: view does not modify the source.
        auto& reader = [&]() -> auto& {
            if constexpr (contiguous_upload_source<Source>) return source;
            else return locked;
        }();
        std::vector<std::byte> buffer;
        for (;;) {
            if (stop.load()) return;
            const std::uint32_t n = next_part.fetch_add(1);
            if (n > plan.part_count) return;
            if (options.cancelled && options.cancelled()) {
                const std::lock_guard<std::mutex> guard(shared);
                if (!failure) failure = make_error(errc::cancelled, "cancelled", "the upload was cancelled before part " + std::to_string(n));
                stop = true;
                return;
            }
            const part_range range = plan.part(n);
            bool reused = false;
            auto part = detail::upload_one_part(own, key, upload->upload_id, reader, range, buffer, detail::find_part(existing, n),
                                                policy, reused);
            const std::lock_guard<std::mutex> guard(shared);
            if (!part) {
                if (!failure) failure = std::move(part).error();
                stop = true;
                return;
            }
            parts[n - 1] = std::move(*part);
            reused_count += reused ? 1 : 0;
            progress.bytes_done += range.size;
            progress.part_number = n;
            ++progress.parts_done;
            if (options.on_progress) options.on_progress(progress);
        }
    };
    std::vector<std::thread> threads;
    const std::uint32_t count = std::min(workers, plan.part_count);
    for (std::uint32_t i = 1; i < count; ++i) threads.emplace_back(work);
    work();  // the calling thread is worker number one
    for (std::thread& t : threads) t.join();

    if (failure) return detail::fail_upload(c, key, *upload, options, std::move(*failure));
    std::vector<detail::finished_part> ordered;
    ordered.reserve(parts.size());
    for (auto& p : parts) ordered.push_back(std::move(*p));
    return detail::finish_upload(c, key, *upload, ordered, reused_count, options);
}

}  // namespace coswire
