// SPDX-License-Identifier: MIT
// The multipart upload driver: the one loop that initiates (or resumes), uploads and checks each
// part, completes, verifies the whole-object CRC-64, and aborts on failure (COS-PROTOCOL.md §5.8,
// §7). Every decision it makes is a pure function of a lower layer.
#pragma once

#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/callback.hpp>
#include <coswire/client.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/encoding/hex.hpp>
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
    object_attributes attributes;                ///< stored with the object (sent at Initiate)
    std::optional<std::string> resume_upload_id;  ///< continue this upload: reuse matching parts
    bool keep_on_failure = false;                ///< leave the upload (and its billed parts) for resuming
    /// Called once the upload id is known (journal it to resume after a crash).
    callback<void(std::string_view upload_id)> on_upload_id;
    callback<void(const upload_progress&)> on_progress;
    /// Polled before each part; returning true aborts the upload (unless keep_on_failure).
    callback<bool()> cancelled;
};

/// What a finished upload produced, checked end to end.
struct multipart_upload_result {
    std::string upload_id;
    std::string etag;           ///< the object's ETag, unquoted ("<32 hex>-<N>" for multipart objects)
    std::uint64_t crc64 = 0;    ///< the whole object's CRC-64/XZ, equal to COS's
    std::uint32_t parts = 0;
    std::uint32_t parts_reused = 0;  ///< parts a resumed upload did not send again
    bool confirmed_by_head = false;  ///< a retried Complete answered NoSuchUpload; HEAD proved success
};

namespace detail {

/// A part as Complete needs it, plus what the driver checked.
struct finished_part {
    std::string etag_raw;
    std::uint64_t crc64 = 0;
    std::uint64_t size = 0;
};

/// Every part of an existing upload, through all List Parts pages (10000 parts are 10 pages).
template <class Client>
result<std::vector<listed_part>> list_all_parts(Client& c, std::string_view key, std::string_view upload_id) {
    std::vector<listed_part> parts;
    list_parts_params page{std::string(key), std::string(upload_id), {}, {}, true, {}};
    for (;;) {
        auto listed = c.send(page);
        if (!listed) return std::move(listed).error();
        for (listed_part& p : listed->parts) parts.push_back(std::move(p));
        auto next = next_list_parts_params(page, *listed);
        if (!next) return parts;
        page = std::move(*next);
    }
}

/// The bytes of one part: lent by a contiguous source, otherwise read into `buffer`.
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

/// Reads, hashes and (unless `existing` already holds the same bytes) uploads one part, then
/// checks COS's ETag against the MD5 and its CRC-64 against ours.
template <class Client, upload_source Source>
result<finished_part> upload_one_part(Client& c, std::string_view key, std::string_view upload_id, Source& source,
                                      const part_range& range, std::vector<std::byte>& buffer, const listed_part* existing,
                                      bool etag_is_md5, bool& reused) {
    if (range.size > SIZE_MAX)  // 32-bit targets cannot hold a part above 4 GiB in memory
        return make_error(errc::limit_exceeded, "part_size",
                          "part " + std::to_string(range.number) + " has " + std::to_string(range.size) +
                              " bytes, more than this platform's memory can address");
    auto lent = part_bytes(source, range, buffer);
    if (!lent) return std::move(lent).error();
    const std::span<const std::byte> bytes = *lent;
    const md5_digest md5 = md5_hash(bytes);
    const std::string md5_hex = to_hex(std::span<const std::uint8_t>(md5));
    finished_part out{{}, crc64(bytes), range.size};
    reused = existing != nullptr && existing->size == range.size && existing->etag == md5_hex;
    if (reused) {
        out.etag_raw = existing->etag_raw;
        return out;
    }
    upload_part_params params;
    params.key = std::string(key);
    params.upload_id = std::string(upload_id);
    params.part_number = range.number;
    params.payload.bytes = bytes;
    params.content_md5 = base64_encode(std::span<const std::uint8_t>(md5));
    auto sent = c.send(params);
    if (!sent) return std::move(sent).error();
    const auto mismatch = [&](std::string what) {
        return make_error(errc::integrity_failure, "part", "part " + std::to_string(range.number) + ": " + what);
    };
    if (etag_is_md5 && sent->etag != md5_hex) return mismatch("COS's ETag " + sent->etag + " is not the MD5 " + md5_hex + " of the bytes sent");
    if (sent->crc64 && *sent->crc64 != out.crc64)
        return mismatch("COS's CRC-64 " + std::to_string(*sent->crc64) + " differs from ours " + std::to_string(out.crc64));
    out.etag_raw = sent->etag_raw;
    return out;
}

/// Completes the upload and proves the object is what was sent: COS's whole-object CRC-64 must
/// equal the combination of the parts'. A Complete answering NoSuchUpload (a retry after a first
/// attempt that did complete) is settled by HEAD: accepted when size and CRC-64 match.
template <class Client>
result<multipart_upload_result> complete_and_verify(Client& c, std::string_view key, std::string_view upload_id,
                                                    const std::vector<finished_part>& parts) {
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
    std::optional<std::uint64_t> reported_crc;
    auto completed = c.send(params);
    if (completed) {
        out.etag = completed->etag;
        reported_crc = completed->crc64;
    } else if (is_cos_error(completed.error(), cos_errc::no_such_upload)) {
        auto head = c.send(head_object_params{std::string(key), {}, {}, {}});
        if (!head || head->content_length != whole_size || head->headers.crc64 != whole_crc) return std::move(completed).error();
        out.etag = head->headers.etag;
        out.confirmed_by_head = true;
        reported_crc = head->headers.crc64;
    } else {
        return std::move(completed).error();
    }
    if (reported_crc && *reported_crc != whole_crc)
        return make_error(errc::integrity_failure, "object",
                          "COS's whole-object CRC-64 " + std::to_string(*reported_crc) + " differs from the parts' " + std::to_string(whole_crc));
    return out;
}

/// Aborts so no billed parts stay behind; returns `cause`, noting whether the abort worked.
template <class Client>
error abort_after(Client& c, std::string_view key, std::string_view upload_id, error cause) {
    auto aborted = c.send(abort_multipart_upload_params{std::string(key), std::string(upload_id), {}});
    cause.reason += aborted ? "; the upload was aborted" : "; aborting the upload failed too: " + describe(aborted.error());
    return cause;
}

/// After an Initiate whose lost first attempt may have created an upload too, aborts the other
/// uploads of `key` that were initiated within two minutes of ours and hold no part yet, so no
/// empty upload stays behind. Best effort: a failing listing or abort leaves things as they are.
/// (A concurrent writer's empty upload of the same key started in that window would be aborted
/// as well; it was racing to overwrite the same object.)
template <class Client>
void discard_duplicate_uploads(Client& c, std::string_view key, std::string_view ours) {
    std::vector<multipart_upload_summary> same_key;
    std::optional<std::int64_t> our_time;
    list_multipart_uploads_params page;
    page.prefix = std::string(key);
    for (;;) {
        auto listed = c.send(page);
        if (!listed) return;
        for (multipart_upload_summary& u : listed->uploads) {
            if (u.key != key) continue;
            if (u.upload_id == ours) our_time = u.initiated;
            else same_key.push_back(std::move(u));
        }
        auto next = next_list_multipart_uploads_params(page, *listed);
        if (!next) break;
        page = std::move(*next);
    }
    if (!our_time) return;
    for (const multipart_upload_summary& u : same_key) {
        if (!u.initiated || *u.initiated < *our_time - 120 || *u.initiated > *our_time + 120) continue;
        list_parts_params probe{std::string(key), u.upload_id, 1, {}, true, {}};
        auto parts = c.send(probe);
        if (parts && parts->parts.empty()) (void)c.send(abort_multipart_upload_params{std::string(key), u.upload_id, {}});
    }
}

/// Initiates, or lists the parts of the upload being resumed.
template <class Client>
result<std::string> start_or_resume(Client& c, std::string_view key, const multipart_upload_options& options,
                                    std::vector<listed_part>& existing) {
    std::string upload_id;
    if (options.resume_upload_id) {
        upload_id = *options.resume_upload_id;
        auto listed = detail::list_all_parts(c, key, upload_id);
        if (!listed) return std::move(listed).error();
        existing = std::move(*listed);
    } else {
        auto started = c.send(initiate_multipart_upload_params{std::string(key), options.attributes, {}});
        if (!started) return std::move(started).error();
        upload_id = std::move(started->upload_id);
        if (c.last_call_may_have_repeated()) discard_duplicate_uploads(c, key, upload_id);
    }
    if (options.on_upload_id) options.on_upload_id(upload_id);
    return upload_id;
}

/// ETags are MD5s except under SSE-KMS / SSE-C (§7.3).
inline bool etag_is_md5(const multipart_upload_options& options) {
    const auto& sse = options.attributes.server_side_encryption;
    return !sse || *sse == "AES256";
}

template <upload_source Source>
result<void> check_plan(const part_plan& plan, Source& source) {
    if (plan.object_size != source.size() || plan.part_count == 0)
        return make_error(errc::invalid_argument, "plan", "was made for a different object size than the source's");
    return {};
}

/// The part a resumed upload already holds under `number`, if any.
inline const listed_part* find_part(const std::vector<listed_part>& existing, std::uint32_t number) noexcept {
    for (const listed_part& p : existing)
        if (p.part_number == number) return &p;
    return nullptr;
}

/// The failure policy: abort (so no billed parts stay behind) unless the caller keeps the upload.
template <class Client>
error fail_upload(Client& c, std::string_view key, std::string_view upload_id, const multipart_upload_options& options, error e) {
    return options.keep_on_failure ? std::move(e) : detail::abort_after(c, key, upload_id, std::move(e));
}

/// Completes after every part is in; a completed object with a wrong CRC cannot be aborted any
/// more, every other failure is handled by fail_upload.
template <class Client>
result<multipart_upload_result> finish_upload(Client& c, std::string_view key, std::string_view upload_id,
                                              const std::vector<finished_part>& parts, std::uint32_t reused,
                                              const multipart_upload_options& options) {
    auto done = detail::complete_and_verify(c, key, upload_id, parts);
    if (!done) {
        if (done.error().code == errc::integrity_failure) return std::move(done).error();
        return fail_upload(c, key, upload_id, options, std::move(done).error());
    }
    done->parts_reused = reused;
    return done;
}

}  // namespace detail

/// Uploads `source` to `key` in the parts of `plan`, one at a time; peak memory is one part
/// (none for a contiguous_upload_source such as memory_source).
/// Each part carries Content-MD5; COS's ETag and CRC-64 are checked per part and for the whole
/// object. On a failure the client could not retry away, or on cancellation, the upload is
/// aborted unless options.keep_on_failure. Errors: the failing operation's (with the abort's
/// outcome appended), integrity_failure on a checksum mismatch, cancelled, invalid_argument
/// ("plan") when the plan does not match the source size.
template <class Client, upload_source Source>
result<multipart_upload_result> upload_multipart(Client& c, std::string_view key, Source& source, const part_plan& plan,
                                                 const multipart_upload_options& options = {}) {
    if (auto ok = detail::check_plan(plan, source); !ok) return std::move(ok).error();
    std::vector<listed_part> existing;
    auto upload_id = detail::start_or_resume(c, key, options, existing);
    if (!upload_id) return std::move(upload_id).error();
    std::vector<detail::finished_part> parts;
    parts.reserve(plan.part_count);
    std::vector<std::byte> buffer;
    upload_progress progress{0, plan.object_size, 0, 0, plan.part_count};
    std::uint32_t reused_count = 0;
    for (std::uint32_t n = 1; n <= plan.part_count; ++n) {
        if (options.cancelled && options.cancelled())
            return detail::fail_upload(c, key, *upload_id, options,
                                       make_error(errc::cancelled, "cancelled", "the upload was cancelled before part " + std::to_string(n)));
        const part_range range = plan.part(n);
        bool reused = false;
        auto part = detail::upload_one_part(c, key, *upload_id, source, range, buffer, detail::find_part(existing, n),
                                            detail::etag_is_md5(options), reused);
        if (!part) return detail::fail_upload(c, key, *upload_id, options, std::move(part).error());
        reused_count += reused ? 1 : 0;
        parts.push_back(std::move(*part));
        progress.bytes_done += range.size;
        progress.part_number = n;
        progress.parts_done = n;
        if (options.on_progress) options.on_progress(progress);
    }
    return detail::finish_upload(c, key, *upload_id, parts, reused_count, options);
}

}  // namespace coswire
