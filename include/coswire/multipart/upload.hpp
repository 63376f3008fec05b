// SPDX-License-Identifier: MIT
// The blocking multipart upload: the drive loop over the upload machine (multipart/machine.hpp),
// which initiates (or resumes), uploads and checks each part, completes, checks Complete's answer
// and the whole-object CRC-64, and aborts on failure (docs/protocol/multipart.md).
#pragma once

#include <coswire/client.hpp>
#include <coswire/multipart/machine.hpp>
#include <coswire/multipart/options.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/multipart/source.hpp>
#include <coswire/result.hpp>

#include <string>
#include <string_view>

namespace coswire {

/// Uploads `source` to `key` in the parts of `plan`, one at a time; peak memory is one part
/// (none for a contiguous_upload_source such as memory_source).
/// Each part carries Content-MD5 unless options.content_md5 is false (and the SSE-C headers of
/// options.attributes); COS's CRC-64 is checked per part, and its ETag against the MD5 when the
/// ETag is one (not under SSE-KMS or SSE-C, requested or the bucket's default). Complete's
/// answer must name this key, the endpoint's bucket (when it names one) and, in an "<hex>-N"
/// ETag, the part count; COS's whole-object CRC-64 comes from
/// Complete or, when Complete sends none, from a HEAD that must also show the size, and must
/// equal the parts' combined CRC-64. result.verified says which of these checks were made. On a
/// failure the client could not retry away, or on cancellation, the upload is aborted unless
/// options.keep_on_failure. Errors: the failing operation's (with the abort's outcome appended,
/// and the duplicate cleanup's when Initiate repeated), malformed_response naming "Key" or
/// "Bucket" for a Complete answer about another object, integrity_failure on a checksum, size
/// or part-count mismatch or when no CRC-64 could be had, cancelled, invalid_argument ("plan")
/// when the plan does not match the source size, or ("traffic_limit") for a limit out of COS's
/// range, both before anything is sent.
template <class Client, upload_source Source>
result<multipart_upload_result> upload_multipart(Client& c, std::string_view key, Source& source, const part_plan& plan,
                                                 const multipart_upload_options& options = {}) {
    auto m = make_multipart_upload_machine(c.context(), std::string(key), source, plan, options);
    return c.drive(m);
}

}  // namespace coswire
