// SPDX-License-Identifier: MIT
// What a multipart upload is asked to do (options, progress) and what it reports (the result and
// the checks it made), shared by the upload machine and the blocking functions over it.
#pragma once

#include <coswire/api/object.hpp>
#include <coswire/callback.hpp>
#include <coswire/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coswire {

/// Progress after each part: bytes and parts done so far (reused parts included).
struct upload_progress {
    std::uint64_t bytes_done = 0;
    std::uint64_t bytes_total = 0;
    std::uint32_t part_number = 0;  ///< the part just finished
    std::uint32_t parts_done = 0;
    std::uint32_t part_count = 0;
};

/// How to run one multipart upload.
struct multipart_upload_options {
    object_attributes attributes{};                ///< stored with the object (sent at Initiate)
    std::optional<std::string> resume_upload_id{};  ///< continue this upload: reuse matching parts
    bool keep_on_failure = false;                ///< leave the upload (and its billed parts) for resuming
    /// Send Content-MD5 with every part, so COS refuses a part corrupted on the way (BadDigest)
    /// before storing it. false: parts go without it and the driver hashes them with CRC-64
    /// only (much faster than MD5); a corrupted part is then caught by comparing COS's
    /// x-cos-hash-crc64ecma of the part with ours, and the whole-object CRC-64 check is
    /// unchanged. A resumed upload still takes the MD5 of a part whose listed size matches, as
    /// that is how a listed part is recognised as holding the same bytes.
    bool content_md5 = true;
    /// x-cos-traffic-limit (bit/s, 819200 to 838860800) on every Upload Part: COS applies a
    /// limit per request, so one given only at Initiate would limit nothing.
    std::optional<std::uint64_t> traffic_limit{};
    /// Called once the upload id is known (journal it to resume after a crash).
    callback<void(std::string_view upload_id)> on_upload_id{};
    callback<void(const upload_progress&)> on_progress{};
    /// Polled before each part; returning true aborts the upload (unless keep_on_failure).
    callback<bool()> cancelled{};
};

/// Where the whole-object CRC-64 that was found equal to the parts' combined CRC-64 came from.
enum class crc64_evidence {
    complete_header,  ///< x-cos-hash-crc64ecma of Complete's answer
    head_header,      ///< x-cos-hash-crc64ecma of a HEAD Object made after Complete
};

/// What the driver checked of COS's answers before it reported success. Each flag is true only
/// when that check was made and passed; its comment says when it cannot be made
/// (docs/protocol/multipart.md#complete).
struct upload_verification {
    /// Where COS's whole-object CRC-64 came from. There is no "unchecked": an upload whose
    /// CRC-64 neither Complete nor a HEAD gave fails instead.
    crc64_evidence crc64_from = crc64_evidence::complete_header;
    /// A HEAD Object was made and its Content-Length equalled the source size (whenever
    /// crc64_from is head_header).
    bool size_by_head = false;
    /// Complete's result named the key uploaded to. False only with confirmed_by_head, when the
    /// answer that names it was lost.
    bool key_matched = false;
    /// Complete's result named the endpoint's bucket. False when COS left Bucket out, when the
    /// endpoint has no bucket name (a custom domain) or with confirmed_by_head.
    bool bucket_matched = false;
    /// The "-N" of the object's ETag (Complete's, or HEAD's with confirmed_by_head) equalled the
    /// number of parts. False when that ETag has no "<32 hex>-<N>" form.
    bool part_count_matched = false;
};

/// What the driver did about the uploads an Initiate applied more than once may have created:
/// a first attempt whose answer was lost and each retry create one
/// (docs/protocol/multipart.md#lost-initiate).
struct duplicate_cleanup {
    bool ran = false;                  ///< the client said Initiate may have repeated, so a cleanup ran
    std::vector<std::string> aborted{};  ///< ids of the empty duplicates that were aborted
    std::vector<std::string> left{};     ///< ids of duplicates whose probe or abort failed: abort them yourself
    /// Why the cleanup did not finish (the listing failed, an id in `left`, no time reference);
    /// empty when it did. Duplicates may remain when it is set.
    std::optional<error> failure{};
};

/// What a finished upload produced, checked end to end.
struct multipart_upload_result {
    std::string upload_id{};
    std::string etag{};           ///< the object's ETag, unquoted ("<32 hex>-<N>" for multipart objects)
    std::uint64_t crc64 = 0;    ///< the whole object's CRC-64/XZ, equal to COS's
    std::uint32_t parts = 0;
    std::uint32_t parts_reused = 0;  ///< parts a resumed upload did not send again
    bool confirmed_by_head = false;  ///< a retried Complete answered NoSuchUpload; HEAD proved success
    upload_verification verified{};    ///< which checks of COS's answers were made
    duplicate_cleanup duplicates{};    ///< what happened to uploads a repeated Initiate created
};

}  // namespace coswire
