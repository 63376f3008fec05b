// SPDX-License-Identifier: MIT
// The decisions of a multipart upload as pure functions: how parts are hashed, sent and checked,
// which answers of Complete and HEAD prove the object, which uploads a repeated Initiate left
// behind (docs/protocol/multipart.md). The upload machine calls them; they do no I/O.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/error.hpp>
#include <coswire/listing/all_pages.hpp>
#include <coswire/multipart/options.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coswire::detail {

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

/// One part hashed: what Complete needs of it, its MD5 when one was taken, and whether a listed
/// part of a resumed upload already holds these bytes (then nothing is sent).
struct hashed_part {
    finished_part done{};
    std::optional<md5_digest> md5{};
    std::string md5_hex{};
    bool reused = false;
};

/// Hashes a part. The MD5 is taken only to send it or to recognise a listed part of the same
/// size; without either the part is hashed at CRC-64 speed.
inline hashed_part hash_part(std::span<const std::byte> bytes, const listed_part* existing, const part_policy& policy) {
    hashed_part out;
    out.done = {{}, crc64(bytes), bytes.size()};
    const bool may_reuse = existing != nullptr && existing->size == bytes.size();
    if (policy.content_md5 || may_reuse) {
        out.md5 = md5_hash(bytes);
        out.md5_hex = to_hex(std::span<const std::uint8_t>(*out.md5));
    }
    out.reused = may_reuse && existing->etag == out.md5_hex;
    if (out.reused) out.done.etag_raw = existing->etag_raw;
    return out;
}

/// The Upload Part request of a hashed part.
inline upload_part_params part_params(std::string_view key, std::string_view upload_id, std::uint32_t number,
                                      std::span<const std::byte> bytes, const hashed_part& part, const part_policy& policy) {
    upload_part_params params;
    params.key = std::string(key);
    params.upload_id = std::string(upload_id);
    params.part_number = number;
    params.payload.bytes = bytes;
    if (policy.content_md5) params.content_md5 = base64_encode(std::span<const std::uint8_t>(*part.md5));
    params.extra_headers = policy.headers;
    params.traffic_limit = policy.traffic_limit;
    return params;
}

/// Checks COS's answer to Upload Part: its ETag against the MD5 (when one was taken and the ETag
/// is an MD5) and its CRC-64 against ours; on success `part` holds the ETag Complete names.
inline result<void> check_part_answer(const upload_part_result& sent, std::uint32_t number, const part_policy& policy, hashed_part& part) {
    const auto mismatch = [&](std::string what) {
        return make_error(errc::integrity_failure, "part", "part " + std::to_string(number) + ": " + what);
    };
    if (part.md5 && etag_is_md5(policy.request_opaque_etag, sent.server_side_encryption, sent.sse_customer_algorithm) &&
        sent.etag != part.md5_hex)
        return mismatch("COS's ETag " + sent.etag + " is not the MD5 " + part.md5_hex + " of the bytes sent");
    if (sent.crc64 && *sent.crc64 != part.done.crc64)
        return mismatch("COS's CRC-64 " + std::to_string(*sent.crc64) + " differs from ours " + std::to_string(part.done.crc64));
    part.done.etag_raw = sent.etag_raw;
    return {};
}

/// The part a resumed upload already holds under `number`, if any.
inline const listed_part* find_part(const std::vector<listed_part>& existing, std::uint32_t number) noexcept {
    for (const listed_part& p : existing)
        if (p.part_number == number) return &p;
    return nullptr;
}

/// The HEAD that settles a completed object: the `version_id` Complete named, if any, with the
/// SSE-C headers the object needs.
inline head_object_params completed_object_head(std::string_view key, std::string_view version_id, const multipart_upload_options& options) {
    head_object_params params;
    params.key = std::string(key);
    params.extra_headers = sse_customer_headers(options.attributes);
    if (!version_id.empty()) params.version_id = std::string(version_id);
    return params;
}

/// Checks that HEAD shows `size` bytes and carries x-cos-hash-crc64ecma (the caller compares it).
/// Errors: integrity_failure naming "object" for another size, or "x-cos-hash-crc64ecma" when HEAD
/// sends none, so the object cannot be verified.
inline result<void> check_head_answer(const head_object_result& head, std::uint64_t size) {
    if (head.content_length != size)
        return make_error(errc::integrity_failure, "object",
                          "HEAD reports " + std::to_string(head.content_length) + " bytes, the parts hold " + std::to_string(size));
    if (!head.headers.crc64)
        return make_error(errc::integrity_failure, "x-cos-hash-crc64ecma",
                          "HEAD's answer carries no whole-object CRC-64 either, so the stored object cannot be verified");
    return {};
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

/// The Complete request of the finished parts (numbered from 1, in order), with the whole
/// object's CRC-64 and size they combine to.
struct completion {
    complete_multipart_upload_params params{};
    std::uint64_t crc64 = 0;
    std::uint64_t size = 0;
};

inline completion completion_of(std::string_view key, std::string_view upload_id, const std::vector<finished_part>& parts) {
    completion out;
    out.params.key = std::string(key);
    out.params.upload_id = std::string(upload_id);
    out.params.parts.reserve(parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) {
        out.params.parts.push_back({static_cast<std::uint32_t>(i + 1), parts[i].etag_raw});
        out.crc64 = crc64_combine(out.crc64, parts[i].crc64, parts[i].size);
        out.size += parts[i].size;
    }
    return out;
}

/// The failure after a whole-object CRC-64 differs from the parts'.
inline result<void> check_object_crc(std::uint64_t reported, std::uint64_t ours) {
    if (reported == ours) return {};
    return make_error(errc::integrity_failure, "object",
                      "COS's whole-object CRC-64 " + std::to_string(reported) + " differs from the parts' " + std::to_string(ours));
}

/// Appends the outcome of the abort that followed `cause`. An abort finding no such upload is said
/// so: a Complete that did complete (but whose answer failed a check) leaves no upload, and its
/// object stays, unverified.
inline error with_abort_outcome(error cause, const result<abort_multipart_upload_result>& aborted) {
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

/// The span of Initiated times (Unix seconds, inclusive) in which an upload of the key counts as
/// a duplicate a repeated Initiate made: around our upload's Initiated (`ours`), or, without one
/// (Initiate failed), before the listing's Date, on the same server clock. Errors:
/// malformed_response naming "Initiated" or "Date" when the listing lacks that reference.
struct duplicate_window {
    std::int64_t from = 0;
    std::int64_t to = 0;
};

inline result<duplicate_window> duplicate_window_of(const all_multipart_uploads& listed, std::string_view key,
                                                    std::optional<std::string_view> ours) {
    if (ours) {
        for (const multipart_upload_summary& u : listed.uploads)
            if (u.key == key && u.upload_id == *ours && u.initiated)
                return duplicate_window{*u.initiated - duplicate_window_around_ours, *u.initiated + duplicate_window_around_ours};
        return make_error(errc::malformed_response, "Initiated", "our upload is not listed with its Initiated time");
    }
    if (listed.date)
        return duplicate_window{*listed.date - duplicate_window_before_listing, *listed.date + duplicate_window_after_listing};
    return make_error(errc::malformed_response, "Date", "the listing has no Date header");
}

/// Whether a listed upload may be a duplicate to probe: another upload of the key, initiated in
/// the window.
inline bool may_be_duplicate(const multipart_upload_summary& u, std::string_view key, std::optional<std::string_view> ours,
                             const duplicate_window& window) {
    return u.key == key && !(ours && u.upload_id == *ours) && u.initiated && *u.initiated >= window.from && *u.initiated <= window.to;
}

/// Records the first reason the cleanup could not finish, saying what it was doing.
inline void note_cleanup_failure(duplicate_cleanup& cleanup, error e, std::string_view doing) {
    if (cleanup.failure) return;
    e.reason = std::string(doing) + ": " + e.reason;
    cleanup.failure = std::move(e);
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

}  // namespace coswire::detail
