// SPDX-License-Identifier: MIT
// The download driver: one object into a caller's sink, streamed through the client's signing
// and retry loop as ranged GETs pinned to the first answer's ETag, each range checked and its
// CRC-64 folded into the whole object's, resumable from a checkpoint (docs/download.md). It is
// the client's blocking loop over download_machine, whose decisions are the pure functions of
// download/plan.hpp.
#pragma once

#include <coswire/client.hpp>
#include <coswire/download/machine.hpp>
#include <coswire/result.hpp>

#include <string_view>

namespace coswire {

/// Downloads `key` into `sink` with one request at a time (see docs/download.md): the blocking
/// loop (client::drive) over a download_machine with one range in flight.
/// 1. Fresh: GET bytes=0-(part_size-1) pins the ETag, size and x-cos-hash-crc64ecma; an object
///    that fits is done in this one streamed GET (an empty one answers 416, then a plain GET).
/// 2. The other ranges follow in order, each with If-Match; every 206 is checked (status,
///    Content-Range equal to what was asked, ETag, body length) and its CRC-64 computed as it
///    streams; ranges retry through the client (a retried range skips what already reached the
///    sink, which therefore sees each byte once, in order for a sequential sink).
/// 3. The combined CRC-64 is compared with COS's (from the first answer, else a HEAD);
///    download_result::crc says whether that was possible.
/// With options.checkpoint, only missing ranges are fetched, If-Match the checkpoint's ETag; if
/// the object was replaced since, a positional sink starts over (restarted = true), and a
/// sequential one fails, since a stream cannot be rewound. A sequential sink resumes only a
/// checkpoint whose done ranges are 0..k-1.
/// Memory: the transport's read buffer (nothing else for a streaming_transport; a plain
/// transport collects one range at a time).
/// Errors: invalid_argument "part_size", "checkpoint" (nothing sent) or "sink" (the sink failed;
/// ranges it finished stay done in the checkpoint); object_changed; malformed_response;
/// integrity_failure; cancelled; the client's (with the range named in the reason).
template <class Client, download_sink Sink>
result<download_result> download_object(Client& c, std::string_view key, Sink& sink, const download_options& options = {}) {
    download_machine<Sink> m(c.context(), key, sink, options);
    return c.drive(m);
}

}  // namespace coswire
