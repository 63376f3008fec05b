// SPDX-License-Identifier: MIT
// Parallel ranged downloads into a positional sink with a caller-chosen number of worker
// threads (docs/download.md#parallel): the download machine with `jobs` ranges in flight, served
// by drive_parallel. A separate header, so single-threaded and embedded users never compile or
// link threads.
#pragma once

#include <coswire/download/driver.hpp>
#include <coswire/download/machine.hpp>
#include <coswire/machine/parallel.hpp>
#include <coswire/result.hpp>

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace coswire {

/// download_object with `jobs` ranges in flight at once, into a positional sink. The first
/// request (range 0 of a fresh download, or the first missing range of a resumed one) runs
/// alone and pins the object, as in download_object; then `jobs` workers (the calling thread
/// and jobs - 1 threads, drive_parallel) serve up to `jobs` ranges of one download_machine, every
/// range checked and retried as in download_object (the workers share the client's context: one
/// clock offset, one jitter sequence). The transport and the client's sleeper are called from
/// several threads at once and must allow it; the sink's write_at is called for disjoint ranges
/// from the worker that received the bytes, one call at a time (the machine runs under one lock).
/// on_progress and cancelled run under that lock too, which every streamed piece takes: they must
/// not wait for anything a transport holds while it delivers a body.
/// Memory: what the transport buffers per request in flight (with a streaming_transport, its read
/// buffers; a plain transport holds one range per job: about part size × jobs). On the first
/// failure no new range starts; the ranges in flight finish, and the checkpoint holds every range
/// that finished. Errors: those of download_object, and invalid_argument ("jobs") for 0.
template <class Client, positional_sink Sink>
result<download_result> download_object_parallel(Client& c, std::string_view key, Sink& sink, std::uint32_t jobs,
                                                 const download_options& options = {}) {
    download_machine<Sink> m(c.context(), key, sink, options, jobs);
    // More workers than the machine has range slots would only wait; 0 jobs ends the machine at once.
    return drive_parallel(m, c.bound_transport(), c.bound_sleeper(), std::clamp<std::uint32_t>(jobs, 1, max_download_ranges));
}

}  // namespace coswire
