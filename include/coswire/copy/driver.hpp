// SPDX-License-Identifier: MIT
// The copy driver: copies one object on the server side, whatever its size. It HEADs the source,
// copies up to a threshold (5 GiB) with one PUT Object - Copy, and larger objects by multipart
// copy (Initiate, Upload Part - Copy per range, Complete, abort on failure); every request is
// pinned to the source's ETag, and the copy's CRC-64 is compared with the source's
// (docs/protocol/copy.md#copying-large-objects).
#pragma once

#include <coswire/api/copy.hpp>
#include <coswire/api/limits.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/multipart/checks.hpp>
#include <coswire/multipart/cleanup.hpp>
#include <coswire/multipart/options.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/multipart/upload.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// How to run one copy.
struct copy_object_options {
    /// Sources of at most this many bytes are copied with one PUT Object - Copy, larger ones by
    /// multipart copy; at most max_put_object_size (5 GiB), the largest single copy COS advises.
    std::uint64_t threshold = max_put_object_size;
    /// The preferred part size of a multipart copy (1 MiB to 5 GiB); plan_parts grows it when the
    /// object would need more than 10000 parts.
    std::uint64_t part_size = 16 * mib;
    std::optional<std::string> source_version_id{};  ///< copy this version of the source
    /// Keep the source's Content-Type, Cache-Control, ... and x-cos-meta-* (copy), or take
    /// them from `attributes` (replaced). A multipart copy sends the source's, read by the HEAD,
    /// on Initiate, so both ways of copying give the same object.
    metadata_directive directive = metadata_directive::copy;
    /// Storage class, ACL, tags and encryption of the copy (never taken from the source), and the
    /// metadata when directive is replaced.
    object_attributes attributes{};
    bool keep_on_failure = false;  ///< leave a failed multipart copy's upload (and its parts) in place
};

/// What a finished copy produced and which checks were made.
struct copy_object_result {
    std::uint64_t size = 0;       ///< bytes copied (the source's Content-Length)
    std::string source_etag{};    ///< the source's ETag every copy request was pinned to, unquoted
    bool multipart = false;     ///< copied by multipart copy rather than one PUT Object - Copy
    std::string upload_id{};      ///< the multipart copy's upload id
    std::uint32_t parts = 0;    ///< parts of a multipart copy; 0 for a single copy
    std::string etag{};           ///< the copy's ETag, unquoted
    std::string version_id{};     ///< the copy's version (versioned destination bucket)
    std::optional<std::uint64_t> crc64{};  ///< the copy's CRC-64 as COS reported it, when it did
    /// True only when the source's CRC-64 (HEAD) and the copy's were both known and equal.
    bool crc64_matched = false;
    /// Why the CRC-64 check could not be made when crc64_matched is false; empty when it was made.
    std::string crc64_unchecked{};
    /// A retried Complete answered NoSuchUpload and a HEAD of the copy (size and CRC-64) showed an
    /// earlier attempt had completed it.
    bool confirmed_by_head = false;
};

namespace detail {

/// The attributes Initiate sends for a multipart copy: the caller's, plus, when the metadata is
/// copied, the source's as HEAD showed it (Initiate starts a new object without them).
inline object_attributes multipart_copy_attributes(const copy_object_options& options, const head_object_result& source) {
    object_attributes out = options.attributes;
    if (options.directive == metadata_directive::replaced) return out;
    const auto keep = [](std::optional<std::string>& slot, const std::string& value) {
        if (!value.empty()) slot = value;
    };
    keep(out.content_type, source.headers.content_type);
    keep(out.cache_control, source.details.cache_control);
    keep(out.content_disposition, source.details.content_disposition);
    keep(out.content_encoding, source.details.content_encoding);
    keep(out.expires, source.details.expires);
    out.metadata = source.headers.metadata;
    return out;
}

/// A 412 from a request pinned to the source's ETag means the source was replaced meanwhile.
inline error explain_source_change(error e, std::string_view source_etag) {
    if (is_cos_error(e, cos_errc::precondition_failed))
        e.reason = "the source no longer has the ETag " + std::string(source_etag) + ": it changed during the copy; " + e.reason;
    return e;
}

/// Compares the copy's CRC-64 with the source's when both are known; records in `out` whether
/// the check was made. Errors: integrity_failure naming "object" when they differ.
inline result<void> check_copy_crc64(std::optional<std::uint64_t> source_crc64, std::optional<std::uint64_t> copy_crc64,
                                     copy_object_result& out) {
    out.crc64 = copy_crc64;
    if (!source_crc64) {
        out.crc64_unchecked = "the source's HEAD carried no x-cos-hash-crc64ecma";
        return {};
    }
    if (!copy_crc64) {
        out.crc64_unchecked = "COS's answers gave no CRC-64 of the copy";
        return {};
    }
    if (*source_crc64 != *copy_crc64)
        return make_error(errc::integrity_failure, "object",
                          "the copy's CRC-64 " + std::to_string(*copy_crc64) + " differs from the source's " + std::to_string(*source_crc64));
    out.crc64_matched = true;
    return {};
}

/// One PUT Object - Copy pinned to the source's ETag.
template <class Client>
result<void> copy_in_one_request(Client& destination, const endpoint& source_ep, std::string_view source_key,
                                 std::string_view key, const copy_object_options& options, const head_object_result& source,
                                 copy_object_result& out) {
    put_object_copy_params params{.key = std::string(key),
                                  .source = source_ep,
                                  .source_key = std::string(source_key),
                                  .source_version_id = options.source_version_id,
                                  .directive = options.directive,
                                  .attributes = options.attributes,
                                  .source_conditions = {.if_match = source.headers.etag_raw}};
    auto copied = destination.send(params);
    if (!copied) return explain_source_change(std::move(copied).error(), out.source_etag);
    out.etag = copied->etag;
    out.version_id = copied->version_id;
    if (auto ok = check_copy_crc64(source.headers.crc64, copied->crc64, out); !ok) {
        error e = std::move(ok).error();
        e.reason += "; the copy is stored under the key and is wrong";
        return e;
    }
    return {};
}

/// What every part request of one multipart copy shares.
struct part_copy_job {
    const endpoint& source_ep;
    std::string_view source_key;
    std::string_view key;
    std::string_view upload_id;
    const part_plan& plan;
    const copy_object_options& options;
    const head_object_result& source;
};

/// Upload Part - Copy of part `n` of the job's plan, pinned to the source's ETag. Errors: the
/// operation's, a 412 explained as a source that changed.
template <class Client>
result<upload_part_copy_result> copy_one_part(Client& destination, const part_copy_job& job, std::uint32_t n) {
    const part_range range = job.plan.part(n);
    upload_part_copy_params params{.key = std::string(job.key),
                                   .upload_id = std::string(job.upload_id),
                                   .part_number = n,
                                   .source = job.source_ep,
                                   .source_key = std::string(job.source_key),
                                   .source_version_id = job.options.source_version_id,
                                   .range = byte_range{range.offset, range.offset + range.size - 1},
                                   .if_match = job.source.headers.etag_raw};
    auto copied = destination.send(params);
    if (!copied) return explain_source_change(std::move(copied).error(), job.source.headers.etag);
    return copied;
}

/// The copied parts, in part order, as Complete lists them.
struct copied_parts {
    std::vector<completed_part> parts{};
    std::optional<std::uint64_t> crc64{};  ///< the parts' combined CRC-64, when every part had one
};

/// Collects the answers of parts 1..N (in order) for Complete and combines their CRC-64s.
inline copied_parts collect_parts(std::vector<upload_part_copy_result>& answers, const part_plan& plan) {
    copied_parts out;
    out.parts.reserve(answers.size());
    out.crc64 = std::uint64_t{0};
    for (std::uint32_t n = 1; n <= answers.size(); ++n) {
        upload_part_copy_result& a = answers[n - 1];
        if (out.crc64 && a.crc64) out.crc64 = crc64_combine(*out.crc64, *a.crc64, plan.part(n).size);
        else out.crc64.reset();
        out.parts.push_back({n, std::move(a.etag_raw)});
    }
    return out;
}

/// Copies every part of the job, one after another.
template <class Client>
result<copied_parts> copy_parts_in_order(Client& destination, const part_copy_job& job) {
    std::vector<upload_part_copy_result> answers;
    answers.reserve(job.plan.part_count);
    for (std::uint32_t n = 1; n <= job.plan.part_count; ++n) {
        auto copied = copy_one_part(destination, job, n);
        if (!copied) return std::move(copied).error();
        answers.push_back(std::move(*copied));
    }
    return collect_parts(answers, job.plan);
}

/// Completes a multipart copy and takes the copy's CRC-64 from Complete's answer, which must name
/// this key, bucket and part count (else the parts' combined CRC-64 stands in). A Complete
/// answering NoSuchUpload is settled by a HEAD of the copy, as the upload driver does.
template <class Client>
result<std::optional<std::uint64_t>> complete_copy(Client& destination, std::string_view key, std::string_view upload_id,
                                                   std::vector<completed_part> parts, std::optional<std::uint64_t> parts_crc64,
                                                   const multipart_upload_options& upload_options, copy_object_result& out) {
    const std::size_t count = parts.size();
    auto done = destination.send(
        complete_multipart_upload_params{.key = std::string(key), .upload_id = std::string(upload_id), .parts = std::move(parts)});
    upload_verification verified;
    if (!done && is_cos_error(done.error(), cos_errc::no_such_upload)) {
        auto head = destination.send(completed_object_head(key, {}, upload_options));
        const result<void> settled = head ? check_head_answer(*head, out.size) : result<void>(head.error());
        if (!settled) {
            error e = std::move(done).error();
            e.reason += "; HEAD did not confirm that an earlier attempt completed the copy: " + describe(settled.error());
            return e;
        }
        if (auto ok = check_etag_part_count(head->headers.etag, count, "HEAD's", verified); !ok) return std::move(ok).error();
        out.etag = head->headers.etag;
        out.confirmed_by_head = true;
        return head->headers.crc64;
    }
    if (!done) return std::move(done).error();
    if (auto ok = check_complete_answer(destination.bucket_endpoint(), key, count, *done, verified); !ok) return std::move(ok).error();
    out.etag = done->etag;
    out.version_id = done->version_id;
    if (done->crc64 && parts_crc64 && *done->crc64 != *parts_crc64)
        return make_error(errc::integrity_failure, "object",
                          "Complete's CRC-64 " + std::to_string(*done->crc64) + " differs from the copied parts' " +
                              std::to_string(*parts_crc64));
    return done->crc64 ? done->crc64 : parts_crc64;
}

/// The copy's multipart upload, started blocking: Initiate and, after an Initiate the client says
/// may have been applied twice (or that failed after losing a connection), the duplicate cleanup
/// machine. (The upload machine does the same as steps; the copy driver is still a blocking loop.)
struct started_copy_upload {
    std::string upload_id{};
    duplicate_cleanup duplicates{};
};

/// The duplicate cleanup machine, run to its end through the client.
template <class Client>
duplicate_cleanup discard_duplicate_uploads(Client& c, std::string_view key, std::optional<std::string> ours) {
    duplicate_cleanup_machine m(c.context(), std::string(key), std::move(ours));
    auto cleaned = c.drive(m);
    if (cleaned) return std::move(*cleaned);
    duplicate_cleanup out;  // the machine was refused an outcome: say so rather than claim a cleanup
    out.ran = true;
    out.failure = std::move(cleaned).error();
    return out;
}

template <class Client>
result<started_copy_upload> start_copy_upload(Client& c, std::string_view key, const multipart_upload_options& options) {
    auto started = c.send(initiate_multipart_upload_params{std::string(key), options.attributes, {}});
    const bool repeated = c.last_call_may_have_repeated();  // read before the cleanup's calls reset it
    if (!started) {
        if (!repeated && started.error().code != errc::transport_failure) return std::move(started).error();
        error e = std::move(started).error();
        e.reason += describe_cleanup(discard_duplicate_uploads(c, key, std::nullopt));
        return e;
    }
    started_copy_upload out{std::move(started->upload_id), {}};
    if (repeated) out.duplicates = discard_duplicate_uploads(c, key, out.upload_id);
    return out;
}

/// The failure policy of the upload machine: abort unless keep_on_failure, the abort's outcome
/// and an incomplete duplicate cleanup told in the reason.
template <class Client>
error fail_copy_upload(Client& c, std::string_view key, const started_copy_upload& upload, const multipart_upload_options& options,
                       error e) {
    if (upload.duplicates.failure) e.reason += describe_cleanup(upload.duplicates);
    if (options.keep_on_failure) return e;
    return with_abort_outcome(std::move(e), c.send(abort_multipart_upload_params{std::string(key), upload.upload_id, {}}));
}

/// The multipart copy: Initiate (with the source's metadata unless replaced), the parts by
/// copy_parts(destination, job) -> result<copied_parts>, Complete, the CRC-64 check; any failure
/// after Initiate aborts unless keep_on_failure.
template <class Client, class CopyParts>
result<void> copy_in_parts(Client& destination, const endpoint& source_ep, std::string_view source_key, std::string_view key,
                           const copy_object_options& options, const head_object_result& source, copy_object_result& out,
                           CopyParts&& copy_parts) {
    auto plan = plan_parts(out.size, options.part_size);
    if (!plan) return std::move(plan).error();
    const multipart_upload_options upload_options{.attributes = multipart_copy_attributes(options, source),
                                                  .keep_on_failure = options.keep_on_failure};
    auto upload = start_copy_upload(destination, key, upload_options);
    if (!upload) return std::move(upload).error();
    out.multipart = true;
    out.upload_id = upload->upload_id;
    out.parts = plan->part_count;
    const part_copy_job job{source_ep, source_key, key, upload->upload_id, *plan, options, source};
    auto parts = copy_parts(destination, job);
    if (!parts) return fail_copy_upload(destination, key, *upload, upload_options, std::move(parts).error());
    auto crc64 = complete_copy(destination, key, upload->upload_id, std::move(parts->parts), parts->crc64, upload_options, out);
    if (!crc64) return fail_copy_upload(destination, key, *upload, upload_options, std::move(crc64).error());
    if (auto ok = check_copy_crc64(source.headers.crc64, *crc64, out); !ok)
        return fail_copy_upload(destination, key, *upload, upload_options, std::move(ok).error());
    return {};
}

/// copy_object with the multipart copy's parts copied by copy_parts (copy_in_parts); the
/// sequential and the parallel driver differ only there.
template <class Client, class SourceClient, class CopyParts>
result<copy_object_result> run_copy(Client& destination, SourceClient& source, std::string_view source_key, std::string_view key,
                                    const copy_object_options& options, CopyParts&& copy_parts) {
    if (options.threshold > max_put_object_size)
        return make_error(errc::invalid_argument, "threshold",
                          "is " + std::to_string(options.threshold) + " bytes; one PUT Object - Copy takes at most 5 GiB (5368709120)");
    if (options.directive == metadata_directive::copy)
        if (auto ok = check_copied_metadata(options.attributes); !ok) return std::move(ok).error();
    auto head = source.send(head_object_params{.key = std::string(source_key), .version_id = options.source_version_id});
    if (!head) return std::move(head).error();
    if (head->headers.etag.empty())
        return make_error(errc::malformed_response, "ETag", "the source's HEAD gave no ETag to pin the copy to");
    copy_object_result out;
    out.size = head->content_length;
    out.source_etag = head->headers.etag;
    const endpoint& source_ep = source.bucket_endpoint();
    auto done = out.size <= options.threshold
                    ? copy_in_one_request(destination, source_ep, source_key, key, options, *head, out)
                    : copy_in_parts(destination, source_ep, source_key, key, options, *head, out,
                                    std::forward<CopyParts>(copy_parts));
    if (!done) return std::move(done).error();
    return out;
}

}  // namespace detail

/// Copies `source_key`, in the bucket of the client `source`, to `key` in the bucket of
/// `destination` (the same client for a copy within one bucket; no object byte passes through
/// the caller). HEADs the source for its size, ETag and CRC-64; a source of up to
/// options.threshold bytes is copied with one PUT Object - Copy, a larger one by multipart copy
/// in parts of about options.part_size, one after another (<coswire/copy/parallel.hpp> copies
/// parts concurrently). Every request carries x-cos-copy-source-If-Match with the source's ETag,
/// so a source replaced during the copy fails the copy (412, said so in the reason) rather than
/// mixing two objects. The copy's CRC-64 (PUT Object - Copy's, or Complete's, else the parts'
/// combined) must equal the source's; result.crc64_matched says the check was made, and
/// crc64_unchecked why not. A multipart copy that fails after Initiate is aborted unless
/// options.keep_on_failure. Errors: invalid_argument naming "threshold" (above 5 GiB) or the
/// metadata attribute set under metadata_directive::copy, both before anything is sent; the
/// builders' for bad keys or attributes; malformed_response naming "ETag" when the source's
/// HEAD has none; the failing operation's (with the abort's outcome); integrity_failure naming
/// "object" when the CRC-64s differ (a single copy is then already stored: the reason says so).
template <class Client, class SourceClient>
result<copy_object_result> copy_object(Client& destination, SourceClient& source, std::string_view source_key, std::string_view key,
                                       const copy_object_options& options = {}) {
    return detail::run_copy(destination, source, source_key, key, options,
                            [](Client& c, const detail::part_copy_job& job) { return detail::copy_parts_in_order(c, job); });
}

}  // namespace coswire
