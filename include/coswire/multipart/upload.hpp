// SPDX-License-Identifier: MIT
// The multipart upload driver: the one loop that initiates (or resumes), uploads and checks each
// part, completes, checks Complete's answer and the whole-object CRC-64, and aborts on failure
// (docs/protocol/multipart.md). Every decision it makes is a pure function of a lower layer.
#pragma once

#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/callback.hpp>
#include <coswire/client.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/listing/all_pages.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coswire {

/// Where upload bytes come from: a size and random-access reads, so objects larger than memory
/// stream through one part buffer. read(offset, out) fills all of `out` or fails.
template <class S>
concept upload_source = requires(S& s, std::uint64_t offset, std::span<std::byte> out) {
    { s.size() } -> std::convertible_to<std::uint64_t>;
    { s.read(offset, out) } -> std::same_as<result<void>>;
};

/// An upload_source whose bytes already sit in memory lends them: view(offset, size) returns
/// the bytes in place, and the drivers hash and send them from there instead of copying each
/// part into a buffer (no part buffer at all; the copy was most of the driver's own cost).
/// The bytes must stay valid and unchanged until the upload returns; view is called
/// concurrently by upload_multipart_parallel, so it must not modify the source.
template <class S>
concept contiguous_upload_source = upload_source<S> && requires(const S& s, std::uint64_t offset, std::uint64_t size) {
    { s.view(offset, size) } -> std::same_as<result<std::span<const std::byte>>>;
};

/// An upload_source over bytes in memory (borrowed), lent to the drivers without copying.
class memory_source {
public:
    explicit memory_source(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}
    std::uint64_t size() const noexcept { return bytes_.size(); }
    result<std::span<const std::byte>> view(std::uint64_t offset, std::uint64_t size) const {
        if (offset > bytes_.size() || size > bytes_.size() - offset)
            return make_error(errc::invalid_argument, "offset",
                              "bytes " + std::to_string(offset) + "+" + std::to_string(size) + " lie past the end of the " +
                                  std::to_string(bytes_.size()) + "-byte source");
        return bytes_.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
    }
    result<void> read(std::uint64_t offset, std::span<std::byte> out) const {
        auto bytes = view(offset, out.size());
        if (!bytes) return std::move(bytes).error();
        if (!out.empty()) std::memcpy(out.data(), bytes->data(), out.size());  // a loop ran at 1 B/cycle
        return {};
    }

private:
    std::span<const std::byte> bytes_;
};

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

namespace detail {

/// A part as Complete needs it, plus what the driver checked.
struct finished_part {
    std::string etag_raw;
    std::uint64_t crc64 = 0;
    std::uint64_t size = 0;
};

/// The SSE-C key headers among the attributes' extra headers: every request that writes or
/// reads an SSE-C object's bytes carries them (Upload Part, HEAD; docs/protocol/multipart.md#complete).
inline std::vector<http_header> sse_customer_headers(const object_attributes& attributes) {
    std::vector<http_header> out;
    for (const http_header& h : attributes.extra_headers)
        if (istarts_with(h.name, "x-cos-server-side-encryption-customer-")) out.push_back(h);
    return out;
}

template <upload_source Source>
result<std::span<const std::byte>> part_bytes(Source& source, const part_range& range, std::vector<std::byte>& buffer) {
    if constexpr (contiguous_upload_source<Source>) {
        auto lent = source.view(range.offset, range.size);
        if (lent && lent->size() != range.size)  // a wrong length would be hashed and sent as the part
            return make_error(errc::invalid_argument, "source",
                              "view(" + std::to_string(range.offset) + ", " + std::to_string(range.size) + ") lent " +
                                  std::to_string(lent->size()) + " bytes");
        return lent;
    } else {
        buffer.resize(static_cast<std::size_t>(range.size));
        if (auto ok = source.read(range.offset, buffer); !ok) return std::move(ok).error();
        return std::span<const std::byte>(buffer.data(), buffer.size());
    }
}

/// Whether a request with these attributes asks for an encryption under which COS's ETag is not
/// the MD5 of the bytes: SSE-KMS (x-cos-server-side-encryption other than AES256) or SSE-C (the
/// customer-key headers), set as an attribute or among the extra headers
/// (docs/protocol/multipart.md#etags-and-encryption).
inline bool requests_opaque_etag(const object_attributes& attributes) {
    if (attributes.server_side_encryption && *attributes.server_side_encryption != "AES256") return true;
    for (const http_header& h : attributes.extra_headers)
        if (istarts_with(h.name, "x-cos-server-side-encryption-customer-") ||
            (iequals(h.name, "x-cos-server-side-encryption") && h.value != "AES256"))
            return true;
    return false;
}

/// Whether COS's ETag in an answer is the MD5 of the bytes sent: not when the request asked for
/// SSE-KMS or SSE-C, nor when the answer says the object is stored so (x-cos-server-side-encryption
/// other than AES256, or an SSE-C algorithm): a bucket's default encryption applies without
/// the request naming it.
inline bool etag_is_md5(bool request_opaque, std::string_view answer_encryption, std::string_view answer_customer_algorithm) {
    return !request_opaque && (answer_encryption.empty() || answer_encryption == "AES256") && answer_customer_algorithm.empty();
}

/// How every part of one upload is sent and checked, decided once from its options.
struct part_policy {
    bool content_md5 = true;            ///< send Content-MD5 (so every part is hashed with MD5)
    bool request_opaque_etag = false;   ///< the request's encryption makes ETags other than MD5s
    std::vector<http_header> headers;   ///< the SSE-C key headers, which go with every part
    std::optional<std::uint64_t> traffic_limit;  ///< x-cos-traffic-limit, on every part too
};

inline part_policy part_policy_of(const multipart_upload_options& options) {
    return {options.content_md5, requests_opaque_etag(options.attributes), sse_customer_headers(options.attributes),
            options.traffic_limit};
}

/// Reads, hashes and (unless `existing` already holds the same bytes) uploads one part, then
/// checks COS's ETag against the MD5 (when one was taken and the ETag is an MD5) and its CRC-64
/// against ours.
template <class Client, upload_source Source>
result<finished_part> upload_one_part(Client& c, std::string_view key, std::string_view upload_id, Source& source,
                                      const part_range& range, std::vector<std::byte>& buffer, const listed_part* existing,
                                      const part_policy& policy, bool& reused) {
    if (range.size > SIZE_MAX)  // 32-bit targets cannot hold a part above 4 GiB in memory
        return make_error(errc::limit_exceeded, "part_size",
                          "part " + std::to_string(range.number) + " has " + std::to_string(range.size) +
                              " bytes, more than this platform's memory can address");
    auto lent = part_bytes(source, range, buffer);
    if (!lent) return std::move(lent).error();
    const std::span<const std::byte> bytes = *lent;
    // The MD5 is taken only to send it or to recognise a listed part of the same size; without
    // either the part is hashed at CRC-64 speed.
    const bool may_reuse = existing != nullptr && existing->size == range.size;
    std::optional<md5_digest> md5;
    if (policy.content_md5 || may_reuse) md5 = md5_hash(bytes);
    const std::string md5_hex = md5 ? to_hex(std::span<const std::uint8_t>(*md5)) : std::string();
    finished_part out{{}, crc64(bytes), range.size};
    reused = may_reuse && existing->etag == md5_hex;
    if (reused) {
        out.etag_raw = existing->etag_raw;
        return out;
    }
    upload_part_params params;
    params.key = std::string(key);
    params.upload_id = std::string(upload_id);
    params.part_number = range.number;
    params.payload.bytes = bytes;
    if (policy.content_md5) params.content_md5 = base64_encode(std::span<const std::uint8_t>(*md5));
    params.extra_headers = policy.headers;
    params.traffic_limit = policy.traffic_limit;
    auto sent = c.send(params);
    if (!sent) return std::move(sent).error();
    const auto mismatch = [&](std::string what) {
        return make_error(errc::integrity_failure, "part", "part " + std::to_string(range.number) + ": " + what);
    };
    if (md5 && etag_is_md5(policy.request_opaque_etag, sent->server_side_encryption, sent->sse_customer_algorithm) &&
        sent->etag != md5_hex)
        return mismatch("COS's ETag " + sent->etag + " is not the MD5 " + md5_hex + " of the bytes sent");
    if (sent->crc64 && *sent->crc64 != out.crc64)
        return mismatch("COS's CRC-64 " + std::to_string(*sent->crc64) + " differs from ours " + std::to_string(out.crc64));
    out.etag_raw = sent->etag_raw;
    return out;
}

/// A HEAD of the completed object (the `version_id` Complete named, if any, with the SSE-C
/// headers the object needs) that must show `size` bytes and carry x-cos-hash-crc64ecma; the
/// caller compares that CRC-64. Errors: c.send's; integrity_failure naming "object" for another
/// size, or "x-cos-hash-crc64ecma" when HEAD sends none, so the object cannot be verified.
template <class Client>
result<head_object_result> head_completed_object(Client& c, std::string_view key, std::string_view version_id,
                                                 const multipart_upload_options& options, std::uint64_t size) {
    head_object_params params;
    params.key = std::string(key);
    params.extra_headers = sse_customer_headers(options.attributes);
    if (!version_id.empty()) params.version_id = std::string(version_id);
    auto head = c.send(params);
    if (!head) return head;
    if (head->content_length != size)
        return make_error(errc::integrity_failure, "object",
                          "HEAD reports " + std::to_string(head->content_length) + " bytes, the parts hold " + std::to_string(size));
    if (!head->headers.crc64)
        return make_error(errc::integrity_failure, "x-cos-hash-crc64ecma",
                          "HEAD's answer carries no whole-object CRC-64 either, so the stored object cannot be verified");
    return head;
}

/// Checks that `etag`, when of the form "<32 hex>-<N>", states `part_count` parts.
inline result<void> check_etag_part_count(std::string_view etag, std::size_t part_count, std::string_view whose,
                                          upload_verification& verified) {
    const auto stated = etag_part_count(etag);
    if (!stated) return {};
    if (*stated != part_count)
        return make_error(errc::integrity_failure, "ETag",
                          std::string(whose) + " ETag " + std::string(etag.substr(0, 80)) + " states " + std::to_string(*stated) +
                              " parts, " + std::to_string(part_count) + " were uploaded");
    verified.part_count_matched = true;
    return {};
}

/// Checks that Complete's result is about this upload: our key (as the parser decodes it), the
/// endpoint's bucket when both are known, the part count of an "-N" ETag.
inline result<void> check_complete_answer(const endpoint& ep, std::string_view key, std::size_t part_count,
                                          const complete_multipart_upload_result& done, upload_verification& verified) {
    if (done.key != key)
        return make_error(errc::malformed_response, "Key",
                          done.key.empty() ? std::string("Complete's answer names no key, so it cannot be told to be about this upload")
                                           : "Complete's answer names the key '" + done.key.substr(0, 80) +
                                                 "', not the one uploaded to");
    verified.key_matched = true;
    if (!done.bucket.empty() && !ep.bucket.empty()) {
        if (done.bucket != ep.bucket)
            return make_error(errc::malformed_response, "Bucket",
                              "Complete's answer names the bucket '" + done.bucket.substr(0, 80) + "', not " + ep.bucket);
        verified.bucket_matched = true;
    }
    return check_etag_part_count(done.etag, part_count, "Complete's", verified);
}

/// Completes the upload and proves the object is what was sent: COS's whole-object CRC-64 must
/// equal the combination of the parts'. Complete's answer must name this key and bucket and the
/// part count; without its CRC-64 header the object is settled by HEAD (size and CRC-64). A
/// Complete answering NoSuchUpload (a retry after a first attempt that did complete) is settled
/// by HEAD too. Errors: Complete's; malformed_response naming "Key" or "Bucket";
/// integrity_failure naming "ETag", "object" or "x-cos-hash-crc64ecma".
template <class Client>
result<multipart_upload_result> complete_and_verify(Client& c, std::string_view key, std::string_view upload_id,
                                                    const std::vector<finished_part>& parts, const multipart_upload_options& options) {
    complete_multipart_upload_params params;
    params.key = std::string(key);
    params.upload_id = std::string(upload_id);
    std::uint64_t whole_crc = 0, whole_size = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        params.parts.push_back({static_cast<std::uint32_t>(i + 1), parts[i].etag_raw});
        whole_crc = crc64_combine(whole_crc, parts[i].crc64, parts[i].size);
        whole_size += parts[i].size;
    }
    multipart_upload_result out;
    out.upload_id = std::string(upload_id);
    out.crc64 = whole_crc;
    out.parts = static_cast<std::uint32_t>(parts.size());
    std::uint64_t reported_crc = 0;
    auto completed = c.send(params);
    if (completed) {
        if (auto ok = check_complete_answer(c.bucket_endpoint(), key, parts.size(), *completed, out.verified); !ok) return std::move(ok).error();
        out.etag = completed->etag;
        if (completed->crc64) {
            reported_crc = *completed->crc64;
        } else {
            auto head = head_completed_object(c, key, completed->version_id, options, whole_size);
            if (!head) {
                error e = std::move(head).error();
                e.reason = "Complete's answer has no x-cos-hash-crc64ecma and settling it by HEAD failed: " + e.reason;
                return e;
            }
            reported_crc = *head->headers.crc64;
            out.verified.crc64_from = crc64_evidence::head_header;
            out.verified.size_by_head = true;
        }
    } else if (is_cos_error(completed.error(), cos_errc::no_such_upload)) {
        auto head = head_completed_object(c, key, {}, options, whole_size);
        if (!head) {
            error e = std::move(completed).error();
            e.reason += "; HEAD did not confirm that an earlier attempt completed the upload: " + describe(head.error());
            return e;
        }
        if (auto ok = check_etag_part_count(head->headers.etag, parts.size(), "HEAD's", out.verified); !ok) return std::move(ok).error();
        out.etag = head->headers.etag;
        out.confirmed_by_head = true;
        out.verified.crc64_from = crc64_evidence::head_header;
        out.verified.size_by_head = true;
        reported_crc = *head->headers.crc64;
    } else {
        return std::move(completed).error();
    }
    if (reported_crc != whole_crc)
        return make_error(errc::integrity_failure, "object",
                          "COS's whole-object CRC-64 " + std::to_string(reported_crc) + " differs from the parts' " + std::to_string(whole_crc));
    return out;
}

/// Aborts so no billed parts stay behind; returns `cause`, noting whether the abort worked. An
/// abort finding no such upload is said so: a Complete that did complete (but whose answer failed
/// a check) leaves no upload, and its object stays, unverified.
template <class Client>
error abort_after(Client& c, std::string_view key, std::string_view upload_id, error cause) {
    auto aborted = c.send(abort_multipart_upload_params{std::string(key), std::string(upload_id), {}});
    if (aborted) cause.reason += "; the upload was aborted";
    else if (is_cos_error(aborted.error(), cos_errc::no_such_upload))
        cause.reason += "; aborting found no such upload (already completed or aborted: an object stored under the key is unverified)";
    else cause.reason += "; aborting the upload failed too: " + describe(aborted.error());
    return cause;
}

/// How far from the reference time a duplicate's Initiated may lie, in seconds: around our own
/// upload's Initiated, or, when Initiate failed and there is no upload of ours, before the
/// listing's Date, which must cover the whole retried Initiate call (backoff and timeouts).
inline constexpr std::int64_t duplicate_window_around_ours = 120;
inline constexpr std::int64_t duplicate_window_before_listing = 600;
inline constexpr std::int64_t duplicate_window_after_listing = 60;

/// After an Initiate that may have been applied more than once, aborts the other uploads of `key`
/// that were initiated around then and hold no part, so no empty upload stays behind. The time
/// reference is our upload's Initiated (`ours`), or, without one (Initiate failed), the Date of
/// the listing, which is on the same server clock. The listing, probes and aborts go through
/// the client's retries; an abort answering NoSuchUpload (an earlier attempt of it worked)
/// counts as done. Whatever could not be done is in the returned report, never dropped.
/// (A concurrent writer's empty upload of the same key started in that window is aborted as
/// well; it was racing to overwrite the same object.)
template <class Client>
duplicate_cleanup discard_duplicate_uploads(Client& c, std::string_view key, std::optional<std::string_view> ours) {
    duplicate_cleanup out;
    out.ran = true;
    const auto fail = [&out](error e, std::string_view doing) {
        if (!out.failure) {
            e.reason = std::string(doing) + ": " + e.reason;
            out.failure = std::move(e);
        }
    };
    list_multipart_uploads_params page;
    page.prefix = std::string(key);
    auto listed = list_all_multipart_uploads(c, page);
    if (!listed) {
        fail(std::move(listed).error(), "listing the uploads of the key failed");
        return out;
    }
    std::optional<std::int64_t> from, to;
    if (ours) {
        for (const multipart_upload_summary& u : listed->uploads)
            if (u.key == key && u.upload_id == *ours && u.initiated) {
                from = *u.initiated - duplicate_window_around_ours;
                to = *u.initiated + duplicate_window_around_ours;
            }
    } else if (listed->date) {
        from = *listed->date - duplicate_window_before_listing;
        to = *listed->date + duplicate_window_after_listing;
    }
    if (!from) {
        fail(make_error(errc::malformed_response, ours ? "Initiated" : "Date",
                        ours ? "our upload is not listed with its Initiated time" : "the listing has no Date header"),
             "no time reference to tell duplicates by");
        return out;
    }
    for (const multipart_upload_summary& u : listed->uploads) {
        if (u.key != key || (ours && u.upload_id == *ours) || !u.initiated || *u.initiated < *from || *u.initiated > *to) continue;
        list_parts_params first_part;
        first_part.key = std::string(key);
        first_part.upload_id = u.upload_id;
        first_part.max_parts = 1;
        auto probe = c.send(first_part);
        if (!probe && is_cos_error(probe.error(), cos_errc::no_such_upload)) continue;  // gone already
        if (!probe) {
            out.left.push_back(u.upload_id);
            fail(std::move(probe).error(), "listing the parts of upload " + u.upload_id + " failed");
            continue;
        }
        if (!probe->parts.empty() || probe->is_truncated) continue;  // someone is uploading to it
        auto aborted = c.send(abort_multipart_upload_params{std::string(key), u.upload_id, {}});
        if (aborted || is_cos_error(aborted.error(), cos_errc::no_such_upload)) {
            out.aborted.push_back(u.upload_id);
        } else {
            out.left.push_back(u.upload_id);
            fail(std::move(aborted).error(), "aborting upload " + u.upload_id + " failed");
        }
    }
    return out;
}

/// The cleanup's outcome as a sentence to append to an error's reason; empty when no cleanup ran.
inline std::string describe_cleanup(const duplicate_cleanup& cleanup) {
    if (!cleanup.ran) return {};
    std::string out = "; an Initiate attempt whose answer was lost may have created an upload: ";
    out += std::to_string(cleanup.aborted.size()) + " empty duplicate upload(s) aborted";
    if (!cleanup.left.empty()) {
        out += ", left behind:";
        for (const std::string& id : cleanup.left) out += " " + id;
    }
    if (cleanup.failure) out += "; the cleanup is incomplete: " + describe(*cleanup.failure);
    return out;
}

/// An upload being sent: its id, and what was done about duplicates a repeated Initiate made.
struct started_upload {
    std::string upload_id;
    duplicate_cleanup duplicates;
};

/// Initiates, or lists the parts of the upload being resumed. When the client says Initiate may
/// have been applied more than once, discards the empty duplicates; also when Initiate failed
/// in the end after such a repeat or with a lost connection (an attempt may still have created
/// an upload), and that failure's reason then says what the cleanup did.
template <class Client>
result<started_upload> start_or_resume(Client& c, std::string_view key, const multipart_upload_options& options,
                                       std::vector<listed_part>& existing) {
    started_upload out;
    if (options.resume_upload_id) {
        out.upload_id = *options.resume_upload_id;
        list_parts_params first;
        first.key = std::string(key);
        first.upload_id = out.upload_id;
        auto listed = list_all_parts(c, std::move(first));
        if (!listed) return std::move(listed).error();
        existing = std::move(*listed);
    } else {
        auto started = c.send(initiate_multipart_upload_params{std::string(key), options.attributes, {}});
        const bool repeated = c.last_call_may_have_repeated();  // read before the cleanup's calls reset it
        if (!started) {
            // A last attempt that lost its connection may have created an upload as well: the
            // client counts only lost attempts that were followed by another.
            if (!repeated && started.error().code != errc::transport_failure) return std::move(started).error();
            error e = std::move(started).error();
            e.reason += describe_cleanup(discard_duplicate_uploads(c, key, std::nullopt));
            return e;
        }
        out.upload_id = std::move(started->upload_id);
        if (repeated) out.duplicates = discard_duplicate_uploads(c, key, std::string_view(out.upload_id));
    }
    if (options.on_upload_id) options.on_upload_id(out.upload_id);
    return out;
}

/// What can be checked before anything is sent: the plan against the source, and the options
/// every part will carry (a traffic limit out of range would otherwise fail only after Initiate).
template <upload_source Source>
result<void> check_upload(const part_plan& plan, Source& source, const multipart_upload_options& options) {
    if (plan.object_size != source.size() || plan.part_count == 0)
        return make_error(errc::invalid_argument, "plan", "was made for a different object size than the source's");
    return check_traffic_limit(options.traffic_limit);
}

/// The part a resumed upload already holds under `number`, if any.
inline const listed_part* find_part(const std::vector<listed_part>& existing, std::uint32_t number) noexcept {
    for (const listed_part& p : existing)
        if (p.part_number == number) return &p;
    return nullptr;
}

/// The failure policy: abort (so no billed parts stay behind) unless the caller keeps the upload;
/// an incomplete duplicate cleanup is told in the reason as well.
template <class Client>
error fail_upload(Client& c, std::string_view key, const started_upload& upload, const multipart_upload_options& options, error e) {
    if (upload.duplicates.failure) e.reason += describe_cleanup(upload.duplicates);
    return options.keep_on_failure ? std::move(e) : detail::abort_after(c, key, upload.upload_id, std::move(e));
}

/// Completes after every part is in. Any failure after Complete is handled by fail_upload too:
/// an answer that failed a check may not have completed anything, and the abort tells which.
template <class Client>
result<multipart_upload_result> finish_upload(Client& c, std::string_view key, started_upload& upload,
                                              const std::vector<finished_part>& parts, std::uint32_t reused,
                                              const multipart_upload_options& options) {
    auto done = detail::complete_and_verify(c, key, upload.upload_id, parts, options);
    if (!done) return fail_upload(c, key, upload, options, std::move(done).error());
    done->parts_reused = reused;
    done->duplicates = std::move(upload.duplicates);
    return done;
}

}  // namespace detail

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
    if (auto ok = detail::check_upload(plan, source, options); !ok) return std::move(ok).error();
    std::vector<listed_part> existing;
    auto upload = detail::start_or_resume(c, key, options, existing);
    if (!upload) return std::move(upload).error();
    const detail::part_policy policy = detail::part_policy_of(options);
    std::vector<detail::finished_part> parts;
    parts.reserve(plan.part_count);
    std::vector<std::byte> buffer;
    upload_progress progress{0, plan.object_size, 0, 0, plan.part_count};
    std::uint32_t reused_count = 0;
    for (std::uint32_t n = 1; n <= plan.part_count; ++n) {
        if (options.cancelled && options.cancelled())
            return detail::fail_upload(c, key, *upload, options,
                                       make_error(errc::cancelled, "cancelled", "the upload was cancelled before part " + std::to_string(n)));
        const part_range range = plan.part(n);
        bool reused = false;
        auto part = detail::upload_one_part(c, key, upload->upload_id, source, range, buffer, detail::find_part(existing, n),
                                            policy, reused);
        if (!part) return detail::fail_upload(c, key, *upload, options, std::move(part).error());
        reused_count += reused ? 1 : 0;
        parts.push_back(std::move(*part));
        progress.bytes_done += range.size;
        progress.part_number = n;
        progress.parts_done = n;
        if (options.on_progress) options.on_progress(progress);
    }
    return detail::finish_upload(c, key, *upload, parts, reused_count, options);
}

}  // namespace coswire
