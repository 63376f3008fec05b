// SPDX-License-Identifier: MIT
// Parallel part uploads with a caller-chosen number of worker threads: drive_parallel over the
// upload machine with that many parts in flight. A separate header, so single-threaded and
// embedded users never compile or link threads.
#pragma once

#include <coswire/machine/parallel.hpp>
#include <coswire/multipart/machine.hpp>
#include <coswire/multipart/upload.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace coswire {

/// upload_multipart with `workers` threads sending parts concurrently: the upload machine keeps
/// up to `workers` parts in flight and drive_parallel serves them from `workers` threads (the
/// calling one included) through `c`'s transport and sleeper. Peak memory is about part size ×
/// workers (no buffers for a contiguous_upload_source, whose bytes are lent). The transport and
/// the sleeper must be safe to call from several threads. The machine, and so every read of the
/// source and the hashing of each part, runs under drive_parallel's one lock: the source need not
/// be thread-safe, and what runs in parallel are the transport calls. Parts, Complete's answer and
/// the object are checked exactly as in upload_multipart (the same machine); on the first failure
/// no further part starts, the parts in flight finish, and the upload is aborted (unless
/// keep_on_failure). Errors: those of upload_multipart, and invalid_argument ("workers") for 0.
template <class Client, upload_source Source>
result<multipart_upload_result> upload_multipart_parallel(Client& c, std::string_view key, Source& source,
                                                          const part_plan& plan, std::uint32_t workers,
                                                          const multipart_upload_options& options = {}) {
    if (workers == 0) return make_error(errc::invalid_argument, "workers", "must be at least 1");
    auto m = make_multipart_upload_machine(c.context(), std::string(key), source, plan, options, workers);
    // Threads beyond the part count would only wait.
    const std::uint32_t threads = plan.part_count != 0 && plan.part_count < workers ? plan.part_count : workers;
    return drive_parallel(m, c.bound_transport(), c.bound_sleeper(), threads);
}

}  // namespace coswire
