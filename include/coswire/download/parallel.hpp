// SPDX-License-Identifier: MIT
// Parallel ranged downloads into a positional sink with a caller-chosen number of worker
// threads (docs/download.md#parallel). A separate header, so single-threaded and embedded users
// never compile or link threads.
#pragma once

#include <coswire/download/driver.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace coswire {

/// download_object with `jobs` ranges in flight at once, into a positional sink. The first
/// request (range 0 of a fresh download, or the first missing range of a resumed one) runs
/// alone and pins the object, as in download_object; then `jobs` workers (the calling thread
/// and jobs - 1 threads) take the remaining ranges, each with its own copy of `c` (so retries and
/// backoff are per worker), every range checked and retried as in download_object.
/// The transport is shared and must be safe to call from several threads; the sink's write_at
/// is called concurrently for disjoint ranges (pwrite is). Memory: what the transport buffers
/// per request in flight (with a streaming_transport, its read buffers; a plain transport
/// holds one range per job: about part size × jobs). Progress, checkpoint updates and the
/// cancellation poll are serialised under one lock. On the first failure the other workers stop
/// after their current range; the checkpoint holds every range that finished.
/// Errors: those of download_object, and invalid_argument ("jobs") for 0.
template <class Client, positional_sink Sink>
result<download_result> download_object_parallel(Client& c, std::string_view key, Sink& sink, std::uint32_t jobs,
                                                 const download_options& options = {}) {
    if (jobs == 0) return make_error(errc::invalid_argument, "jobs", "must be at least 1");
    download_checkpoint local;
    download_checkpoint& checkpoint = options.checkpoint ? *options.checkpoint : local;
    auto write = detail::sink_writer(sink);
    detail::download_context<Client> d{.client = c, .key = key, .options = options, .pinned = std::nullopt};
    detail::download_state s;
    std::mutex shared;  // guards s, checkpoint, failure and the callbacks
    auto progress = [&](std::uint64_t bytes_done) {
        if (options.on_progress) options.on_progress(download_progress{.bytes_done = bytes_done, .bytes_total = d.pinned->size});
    };
    if (auto ok = detail::begin_download<true>(d, checkpoint, s, write, progress); !ok) return std::move(ok).error();

    std::atomic<std::size_t> next{s.next};
    std::atomic<bool> stop{false};
    std::optional<error> failure;
    auto work = [&] {
        Client own = c;
        detail::download_context<Client> mine{.client = own, .key = key, .options = options, .pinned = d.pinned};
        auto writer = detail::sink_writer(sink);
        for (;;) {
            if (stop.load()) return;
            const std::size_t at = next.fetch_add(1);
            if (at >= s.missing.size()) return;
            const std::uint32_t index = s.missing[at];
            {
                const std::lock_guard<std::mutex> guard(shared);
                if (options.cancelled && options.cancelled()) {
                    if (!failure) failure = detail::cancelled_before(index);
                    stop = true;
                    return;
                }
            }
            std::uint64_t crc = 0;
            auto ok = detail::fetch_planned(mine, s.planned.plan, index, writer, crc);
            const std::lock_guard<std::mutex> guard(shared);
            if (!ok) {
                if (!failure) failure = std::move(ok).error();
                stop = true;
                return;
            }
            mark_done(checkpoint, index, crc);
            s.bytes_done += s.planned.plan.range(index).size;
            ++s.out.ranges_fetched;
            progress(s.bytes_done);
        }
    };
    const std::size_t left = s.missing.size() - std::min(s.next, s.missing.size());
    const std::size_t count = std::min<std::size_t>(jobs, left);
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < count; ++i) threads.emplace_back(work);
    work();  // the calling thread is worker number one
    for (std::thread& t : threads) t.join();
    if (failure) return std::move(*failure);
    return detail::finish_download(d, s.planned.plan, checkpoint, s.whole_crc, s.planned.whole, s.out);
}

}  // namespace coswire
