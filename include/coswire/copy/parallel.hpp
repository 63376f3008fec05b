// SPDX-License-Identifier: MIT
// Multipart copies with a caller-chosen number of worker threads: drive_parallel over the copy
// machine with that many parts in flight. A separate header, so single-threaded and embedded
// users never compile or link threads.
#pragma once

#include <coswire/copy/driver.hpp>
#include <coswire/copy/machine.hpp>
#include <coswire/machine/parallel.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace coswire {

/// copy_object with `workers` threads sending Upload Part - Copy requests concurrently when the
/// source is copied in parts (a single PUT Object - Copy has nothing to parallelise): the copy
/// machine keeps up to `workers` parts in flight and drive_parallel serves them from `workers`
/// threads (the calling one included) through `destination`'s transport and sleeper, which must
/// be safe to call from several threads. No object byte passes through the caller, so memory does
/// not grow with the part size. Everything else (the HEAD, the ETag pinning, the CRC-64 check, the
/// abort on failure) is copy_object's, the same machine; on the first failure no further part
/// starts, the parts in flight finish, and the upload is aborted (unless keep_on_failure).
/// Errors: those of copy_object, and invalid_argument ("workers") for 0, before anything is sent.
template <class Client, class SourceClient>
result<copy_object_result> copy_object_parallel(Client& destination, SourceClient& source, std::string_view source_key,
                                                std::string_view key, std::uint32_t workers, const copy_object_options& options = {}) {
    if (workers == 0) return make_error(errc::invalid_argument, "workers", "must be at least 1");
    copy_machine m(destination.context(), source.context(), std::string(source_key), std::string(key), options, workers);
    // The part count is known only after the source's HEAD, so threads are not clamped to it: the
    // machine keeps at most that many parts in flight, and threads beyond them wait.
    return drive_parallel(m, destination.bound_transport(), destination.bound_sleeper(), workers);
}

}  // namespace coswire
