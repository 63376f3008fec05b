// SPDX-License-Identifier: MIT
// Uploads of unknown length: a reader that can only be read forward (stdin, a pipe, a camera)
// goes to COS as one PUT Object when it ends within a threshold, otherwise as a multipart upload
// whose parts are read one after another into one part buffer, the total learnt at the end.
// The checks are the multipart driver's (docs/protocol/multipart.md).
#pragma once

#include <coswire/api/limits.hpp>
#include <coswire/api/object.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/settled.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/multipart/checks.hpp>
#include <coswire/multipart/machine.hpp>
#include <coswire/multipart/options.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/multipart/upload.hpp>
#include <coswire/parse/object.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// Bytes read forward from a stream whose length is unknown: read(out) fills a prefix of `out`
/// (at least one byte, at most out.size()) and returns its length, or 0 once the stream has
/// ended. After returning 0 it is not called again.
template <class R>
concept stream_reader = requires(R& r, std::span<std::byte> out) {
    { r.read(out) } -> std::same_as<result<std::size_t>>;
};

/// The part size for streams unless chosen: 16 MiB parts carry up to 10000 x 16 MiB =
/// 156.25 GiB, and one part is all the driver holds in memory.
inline constexpr std::uint64_t default_stream_part_size = 16 * mib;

/// How to upload a stream.
struct stream_upload_options {
    /// Attributes, callbacks, keep_on_failure and content_md5 as for upload_multipart. resume_upload_id is
    /// refused: the bytes of a stream cannot be read again. on_progress reports bytes_total and
    /// part_count as 0, since neither is known before the end.
    multipart_upload_options upload{};
    /// Every part but the last has this size (min_part_size..max_part_size).
    std::uint64_t part_size = default_stream_part_size;
    /// The most parts the stream may fill (1..max_part_count): a longer stream fails and its
    /// upload is aborted, so an endless producer cannot run up an unbounded bill.
    std::uint32_t max_parts = max_part_count;
    /// A stream of at most this many bytes goes as one PUT Object; a longer one as a multipart
    /// upload. At most part_size.
    std::uint64_t threshold = default_stream_part_size;
};

/// What a stream upload stored, checked end to end.
struct stream_upload_result {
    std::uint64_t size = 0;   ///< bytes read from the stream, all of which COS stored
    std::string etag{};         ///< the object's ETag, unquoted
    std::uint64_t crc64 = 0;  ///< CRC-64/XZ of the bytes read, equal to COS's
    /// true: the stream went as a multipart upload, described by `upload`; false: as one PUT
    /// Object, whose CRC-64 came from its answer or, when it had none, from a HEAD.
    bool multipart = false;
    crc64_evidence crc64_from = crc64_evidence::complete_header;  ///< for a PUT: complete_header means its own answer
    multipart_upload_result upload{};
};

namespace detail {

/// Reads from `reader` until `out` is full or the stream ends (`ended` set). A reader claiming
/// more bytes than it was given is an error, never an overrun.
template <stream_reader Reader>
result<std::size_t> fill_from_stream(Reader& reader, std::span<std::byte> out, bool& ended) {
    std::size_t have = 0;
    while (have < out.size() && !ended) {
        auto got = reader.read(out.subspan(have));
        if (!got) return std::move(got).error();
        if (*got > out.size() - have)
            return make_error(errc::invalid_argument, "reader",
                              "read() returned " + std::to_string(*got) + " for a buffer of " + std::to_string(out.size() - have) + " bytes");
        ended = *got == 0;
        have += *got;
    }
    return have;
}

inline result<void> check_stream_options(const stream_upload_options& o) {
    if (o.part_size < min_part_size || o.part_size > max_part_size)
        return make_error(errc::invalid_argument, "part_size",
                          std::to_string(o.part_size) + " is outside COS's " + std::to_string(min_part_size) + ".." +
                              std::to_string(max_part_size) + " bytes");
    if (o.part_size + 1 > SIZE_MAX)  // the part buffer holds one byte more, to learn whether the stream goes on
        return make_error(errc::limit_exceeded, "part_size", "a part of " + std::to_string(o.part_size) + " bytes does not fit this platform's memory");
    if (o.max_parts == 0 || o.max_parts > max_part_count)
        return make_error(errc::invalid_argument, "max_parts", std::to_string(o.max_parts) + " is outside 1.." + std::to_string(max_part_count));
    if (o.threshold > o.part_size)
        return make_error(errc::invalid_argument, "threshold",
                          std::to_string(o.threshold) + " is larger than part_size " + std::to_string(o.part_size));
    if (o.upload.resume_upload_id)
        return make_error(errc::invalid_argument, "resume_upload_id", "a stream cannot be resumed: its bytes cannot be read again");
    if (auto ok = check_traffic_limit(o.upload.traffic_limit); !ok) return ok;
    return {};
}

/// The parts of a stream for the upload machine, read forward one after another into one buffer
/// of part_size + 1 bytes: the byte past a part says whether the stream goes on, and starts the
/// next part. Each part is read only once the one before was sent (the machine runs one part in
/// flight), so the buffer is never overwritten under a request.
template <stream_reader Reader>
class streamed_parts {
public:
    /// Adds the size of every part it hands out to `total`.
    streamed_parts(Reader& reader, std::vector<std::byte> buffer, std::size_t have, bool ended, const stream_upload_options& options,
                   std::uint64_t& total)
        : reader_(&reader), buffer_(std::move(buffer)), have_(have), ended_(ended), part_size_(options.part_size),
          max_parts_(options.max_parts), total_(&total) {}

    result<void> check() const { return {}; }
    std::uint64_t total() const noexcept { return 0; }  // unknown until the stream ends
    std::uint32_t part_count() const noexcept { return 0; }

    result<std::optional<std::span<const std::byte>>> part(std::uint32_t n, std::vector<std::byte>&) {
        const std::size_t left = have_ - last_size_;
        if (left > 0 && last_size_ > 0) buffer_[0] = buffer_[last_size_];
        have_ = left;
        last_size_ = 0;
        auto got = fill_from_stream(*reader_, std::span<std::byte>(buffer_).subspan(have_), ended_);
        if (!got) return std::move(got).error();
        have_ += *got;
        if (have_ == 0) return std::optional<std::span<const std::byte>>();  // ended at the end of the last part
        if (n > max_parts_)
            return make_error(errc::limit_exceeded, "max_parts",
                              "the stream is longer than " + std::to_string(max_parts_) + " parts of " + std::to_string(part_size_) +
                                  " bytes; choose a larger part_size");
        last_size_ = have_ < part_size_ ? have_ : static_cast<std::size_t>(part_size_);
        *total_ += last_size_;
        return std::optional<std::span<const std::byte>>(std::span<const std::byte>(buffer_).first(last_size_));
    }

private:
    Reader* reader_;
    std::vector<std::byte> buffer_;
    std::size_t have_ = 0;       // bytes in the buffer
    std::size_t last_size_ = 0;  // the size of the part last handed out
    bool ended_ = false;
    std::uint64_t part_size_;
    std::uint32_t max_parts_;
    std::uint64_t* total_;
};

}  // namespace detail

/// One PUT Object of a whole (short) stream already read into `bytes`, its answer checked: the
/// ETag against the MD5 (when options.upload.content_md5 is on and the ETag is an MD5), the
/// CRC-64 against the bytes', from the answer or, when it carries none, from a HEAD of the version
/// stored. The PUT and the HEAD each run as an operation machine (retries, waits), one after the
/// other, under ids of this machine. Errors: those of the PUT and the HEAD; integrity_failure
/// naming "ETag" or "object" (a CRC-64 or a HEAD length that differs), or "x-cos-hash-crc64ecma"
/// (HEAD sends none either); a misused machine's (invalid_argument naming "step_id" or
/// "machine"). Borrows the context, the bytes and the options.
class stream_put_machine : public detail::request_then_head<stream_put_machine, put_object_params, stream_upload_result> {
public:
    stream_put_machine(operation_context& context, std::string_view key, std::span<const std::byte> bytes,
                       const stream_upload_options& options)
        : stream_put_machine(context, key, bytes, options, options.upload.content_md5 ? md5_hash(bytes) : md5_digest{}) {}

private:
    friend request_then_head;

    stream_put_machine(operation_context& context, std::string_view key, std::span<const std::byte> bytes,
                       const stream_upload_options& options, const md5_digest& md5)
        : request_then_head(context, put_params(key, bytes, options, md5)), key_(key), options_(&options), md5_(md5) {
        out_.size = bytes.size();
        out_.crc64 = crc64(bytes);
    }

    static put_object_params put_params(std::string_view key, std::span<const std::byte> bytes, const stream_upload_options& options,
                                        const md5_digest& md5) {
        put_object_params params;
        params.key = std::string(key);
        params.payload.bytes = bytes;
        params.attributes = options.upload.attributes;
        if (options.upload.content_md5) params.content_md5 = base64_encode(std::span<const std::uint8_t>(md5));
        params.traffic_limit = options.upload.traffic_limit;
        return params;
    }

    void requested() {
        auto put = first_.take_result();
        if (!put) return finish(std::move(put).error());
        out_.etag = put->headers.etag;
        const bool etag_is_md5 = options_->upload.content_md5 &&
                                 detail::etag_is_md5(detail::requests_opaque_etag(options_->upload.attributes),
                                                     put->headers.server_side_encryption, put->headers.sse_customer_algorithm);
        if (etag_is_md5) {
            const std::string md5_hex = to_hex(std::span<const std::uint8_t>(md5_));
            if (put->headers.etag != md5_hex)
                return finish(make_error(errc::integrity_failure, "ETag",
                                         "COS's ETag " + put->headers.etag.substr(0, 80) + " is not the MD5 " + md5_hex + " of the bytes sent"));
        }
        if (put->headers.crc64) return compare(*put->headers.crc64);
        out_.crc64_from = crc64_evidence::head_header;
        settle_with(detail::completed_object_head(key_, put->headers.version_id, options_->upload));
    }

    void headed() {
        auto head = head_->take_result();
        if (!head) return finish(std::move(head).error());
        if (auto ok = detail::check_head_answer(*head, out_.size); !ok) return finish(std::move(ok).error());
        compare(*head->headers.crc64);
    }

    void compare(std::uint64_t reported) {
        if (reported != out_.crc64)
            return finish(make_error(errc::integrity_failure, "object",
                                     "COS's CRC-64 " + std::to_string(reported) + " differs from the stream's " + std::to_string(out_.crc64)));
        finish(std::move(out_));
    }

    std::string key_;
    const stream_upload_options* options_;
    md5_digest md5_;
    stream_upload_result out_{};
};

/// Uploads everything `reader` yields to `key`. A stream of at most options.threshold bytes goes
/// as one PUT Object (Content-MD5 and the ETag as options.upload.content_md5 and the encryption
/// allow, CRC-64 always checked); a longer one as a multipart upload
/// with the multipart driver's checks, aborting on failure unless keep_on_failure. Memory: one
/// part buffer of part_size + 1 bytes, whatever the stream's length. Errors: invalid_argument
/// naming "part_size", "max_parts", "threshold", "resume_upload_id", "traffic_limit" or "reader" (a read that
/// claims more bytes than asked); limit_exceeded naming "max_parts" when the stream needs more
/// parts (the upload is then aborted); the reader's own errors; and those of put and upload_multipart.
template <class Client, stream_reader Reader>
result<stream_upload_result> upload_stream(Client& c, std::string_view key, Reader& reader, const stream_upload_options& options = {}) {
    if (auto ok = detail::check_stream_options(options); !ok) return std::move(ok).error();
    // One byte past a part (or past the threshold) says whether the stream goes on.
    std::vector<std::byte> buffer(static_cast<std::size_t>(options.part_size) + 1);
    bool ended = false;
    auto first = detail::fill_from_stream(reader, std::span<std::byte>(buffer).first(static_cast<std::size_t>(options.threshold) + 1), ended);
    if (!first) return std::move(first).error();
    if (*first <= options.threshold) {
        stream_put_machine m(c.context(), key, std::span<const std::byte>(buffer).first(*first), options);
        return c.drive(m);
    }

    std::uint64_t total = 0;
    basic_multipart_upload_machine<detail::streamed_parts<Reader>> m(
        c.context(), std::string(key), detail::streamed_parts<Reader>(reader, std::move(buffer), *first, ended, options, total),
        options.upload);
    auto done = c.drive(m);
    if (!done) return std::move(done).error();
    stream_upload_result out;
    out.size = total;
    out.etag = done->etag;
    out.crc64 = done->crc64;
    out.multipart = true;
    out.crc64_from = done->verified.crc64_from;
    out.upload = std::move(*done);
    return out;
}

}  // namespace coswire
