// SPDX-License-Identifier: MIT
// The server-side copy as a step machine (docs/event-loop.md#the-machines): HEAD the source,
// then one PUT Object - Copy, or a multipart copy with up to N Upload Part - Copy in flight,
// Complete and what settles it, abort on failure; every request pinned to the source's ETag and
// the copy's CRC-64 compared with the source's (docs/protocol/copy.md#copying-large-objects).
#pragma once

#include <coswire/api/copy.hpp>
#include <coswire/api/limits.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/copy/options.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/multipart/checks.hpp>
#include <coswire/multipart/cleanup.hpp>
#include <coswire/multipart/machine.hpp>
#include <coswire/multipart/options.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/operation.hpp>
#include <coswire/parse/copy.hpp>
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
#include <utility>
#include <variant>
#include <vector>

namespace coswire {

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

}  // namespace detail

/// The copy of copy_object as a step machine: it HEADs `source_key` through the `source` context
/// (its bucket, credentials and clock), then copies to `key` through the `destination` context
/// (the same context for a copy within one bucket), exactly as copy_object documents: one PUT
/// Object - Copy up to options.threshold, else Initiate (with the duplicate cleanup after an
/// Initiate that may have been applied twice), up to `in_flight` Upload Part - Copy requests in
/// flight, each through its own operation machine whose sends and waits this machine issues under
/// ids of its own, Complete (a NoSuchUpload settled by a HEAD of the copy), the CRC-64 check, and
/// the abort after a failure unless options.keep_on_failure. Every request is pinned to the
/// source's ETag. Borrows both contexts; owns its options. Storage for the parts in flight and
/// their answers is sized once, when the HEAD gave the part count.
class copy_machine {
public:
    using result_type = result<copy_object_result>;

    /// Errors at the first step, nothing sent: invalid_argument naming "in_flight" for 0,
    /// "threshold" above 5 GiB, or the metadata attribute set under metadata_directive::copy.
    copy_machine(operation_context& destination, operation_context& source, std::string source_key, std::string key,
                 copy_object_options options = {}, std::uint32_t in_flight = 1)
        : destination_(&destination), source_(&source), source_key_(std::move(source_key)), key_(std::move(key)),
          options_(std::move(options)), in_flight_(in_flight) {
        if (auto ok = check_arguments(); !ok) {
            finish(std::move(ok).error());
            return;
        }
        run(*source_, head_object_params{.key = source_key_, .version_id = options_.source_version_id});
        phase_ = phase::source_head;
    }

    step next() {
        for (;;) {
            switch (phase_) {
                case phase::parts:
                    if (auto s = next_part_step(); s) return *s;
                    continue;
                case phase::done:
                    return {};
                default: {
                    const step s = ids_.rename(serial_step_, cleanup_ ? cleanup_->next() : serial_op_->next());
                    if (s.kind != step_kind::done) return s;
                    serial_done();
                    continue;
                }
            }
        }
    }

    result<void> receive(std::uint32_t id, result<http_response> outcome) {
        return forward(id, step_kind::send, true, [&](auto& child, std::uint32_t inner) { return child.receive(inner, std::move(outcome)); });
    }
    result<void> receive_head(std::uint32_t id, const http_response& head) {
        return forward(id, step_kind::send, false, [&](auto& child, std::uint32_t inner) { return child.receive_head(inner, head); });
    }
    result<void> receive_body(std::uint32_t id, std::span<const std::byte> bytes) {
        return forward(id, step_kind::send, false, [&](auto& child, std::uint32_t inner) { return child.receive_body(inner, bytes); });
    }
    result<void> waited(std::uint32_t id) {
        return forward(id, step_kind::wait, true, [&](auto& child, std::uint32_t inner) { return child.waited(inner); });
    }

    /// The result, once next() said done; errors: those of copy_object, or invalid_argument naming
    /// "machine" before done or when it was already taken.
    result_type take_result() {
        if (phase_ != phase::done) return detail::machine_misused("take_result: not done yet; call next() until it says done");
        if (!result_) return detail::machine_misused("take_result: the result was already taken");
        result_type out = std::move(*result_);
        result_.reset();
        return out;
    }

    /// Whether Initiate may have been applied twice (the machine cleans up after that itself).
    bool may_have_repeated() const noexcept { return initiate_repeated_; }

private:
    enum class phase : std::uint8_t { source_head, single, initiate, cleanup, parts, complete, settle, abort, done };

    struct part_slot {
        std::optional<detail::upload_operation> op{};
        std::uint32_t number = 0;
        detail::child_step pending{};
    };

    result<void> check_arguments() const {
        if (in_flight_ == 0) return make_error(errc::invalid_argument, "in_flight", "must be at least 1");
        if (options_.threshold > max_put_object_size)
            return make_error(errc::invalid_argument, "threshold",
                              "is " + std::to_string(options_.threshold) + " bytes; one PUT Object - Copy takes at most 5 GiB (5368709120)");
        if (options_.directive == metadata_directive::copy) return detail::check_copied_metadata(options_.attributes);
        return {};
    }

    template <class Params>
    void run(operation_context& context, const Params& params) {
        serial_op_.emplace(context, operation<Params>::build(context.bucket_endpoint(), params),
                           detail::upload_answer_parser{&detail::parse_upload_answer<Params>});
    }

    template <class T>
    result<T> take() {
        auto answer = serial_op_->take_result();
        if (!answer) return std::move(answer).error();
        return std::get<T>(std::move(*answer));
    }

    /// Hands an outcome to the child that issued step `id`; `settles` forgets the step once the
    /// child took it.
    template <class F>
    result<void> forward(std::uint32_t id, step_kind kind, bool settles, F&& f) {
        const auto pass = [&](detail::child_step& slot, auto& child) {
            return ids_.pass(&slot, id, kind, settles, [&](std::uint32_t inner) { return f(child, inner); });
        };
        if (detail::child_step_ids::holds(serial_step_, id)) return cleanup_ ? pass(serial_step_, *cleanup_) : pass(serial_step_, *serial_op_);
        for (part_slot& slot : slots_)
            if (detail::child_step_ids::holds(slot.pending, id)) return pass(slot.pending, *slot.op);
        return ids_.check(nullptr, id, kind);
    }

    // The serial phases -------------------------------------------------------------------------

    void serial_done() {
        switch (phase_) {
            case phase::source_head: return headed_source();
            case phase::single: return copied_in_one();
            case phase::initiate: return initiated();
            case phase::cleanup: {
                auto cleaned = cleanup_->take_result();  // a value: the cleanup's failures are inside it
                cleanup_.reset();
                if (cleaned) duplicates_ = std::move(*cleaned);
                if (!failure_) return start_parts();
                failure_->reason += detail::describe_cleanup(duplicates_);
                return finish(std::move(*failure_));
            }
            case phase::complete: return completed();
            case phase::settle: return settled();
            case phase::abort: {
                auto aborted = take<abort_multipart_upload_result>();
                return finish(detail::with_abort_outcome(std::move(*failure_), aborted));
            }
            case phase::parts:
            case phase::done:
                return;
        }
    }

    void headed_source() {
        auto head = take<head_object_result>();
        if (!head) return finish(std::move(head).error());
        if (head->headers.etag.empty())
            return finish(make_error(errc::malformed_response, "ETag", "the source's HEAD gave no ETag to pin the copy to"));
        out_.size = head->content_length;
        out_.source_etag = head->headers.etag;
        source_etag_raw_ = head->headers.etag_raw;
        source_crc64_ = head->headers.crc64;
        if (out_.size <= options_.threshold) {
            run(*destination_, put_object_copy_params{.key = key_,
                                                      .source = source_->bucket_endpoint(),
                                                      .source_key = source_key_,
                                                      .source_version_id = options_.source_version_id,
                                                      .directive = options_.directive,
                                                      .attributes = options_.attributes,
                                                      .source_conditions = {.if_match = source_etag_raw_}});
            phase_ = phase::single;
            return;
        }
        auto plan = plan_parts(out_.size, options_.part_size);
        if (!plan) return finish(std::move(plan).error());
        plan_ = *plan;
        upload_options_ = {.attributes = detail::multipart_copy_attributes(options_, *head), .keep_on_failure = options_.keep_on_failure};
        run(*destination_, initiate_multipart_upload_params{key_, upload_options_.attributes, {}});
        phase_ = phase::initiate;
    }

    void copied_in_one() {
        auto copied = take<put_object_copy_result>();
        if (!copied) return finish(detail::explain_source_change(std::move(copied).error(), out_.source_etag));
        out_.etag = copied->etag;
        out_.version_id = copied->version_id;
        if (auto ok = detail::check_copy_crc64(source_crc64_, copied->crc64, out_); !ok) {
            error e = std::move(ok).error();
            e.reason += "; the copy is stored under the key and is wrong";
            return finish(std::move(e));
        }
        finish(std::move(out_));
    }

    void initiated() {
        initiate_repeated_ = serial_op_->may_have_repeated();
        auto started = take<initiate_multipart_upload_result>();
        if (!started) {
            // A last attempt that lost its connection may have created an upload as well: the
            // operation machine counts only lost attempts that were followed by another.
            if (!initiate_repeated_ && started.error().code != errc::transport_failure) return finish(std::move(started).error());
            failure_ = std::move(started).error();
            return start_cleanup();
        }
        upload_id_ = std::move(started->upload_id);
        out_.multipart = true;
        out_.upload_id = upload_id_;
        out_.parts = plan_.part_count;
        if (initiate_repeated_) return start_cleanup();
        start_parts();
    }

    void start_cleanup() {
        cleanup_.emplace(*destination_, key_, failure_ ? std::nullopt : std::optional<std::string>(upload_id_));
        phase_ = phase::cleanup;
    }

    // The parts --------------------------------------------------------------------------------

    void start_parts() {
        answers_.resize(plan_.part_count);
        slots_.resize(plan_.part_count < in_flight_ ? plan_.part_count : in_flight_);
        phase_ = phase::parts;
    }

    /// The next step of the parts phase, or nothing when the phase moved on (to Complete or abort).
    std::optional<step> next_part_step() {
        const auto start = [this](part_slot& slot) { return start_part(slot); };
        if (auto s = detail::next_of_children(ids_, slots_, start, [this](part_slot& slot) { part_done(slot); }); s) return s;
        if (failure_) fail_after_initiate();
        else start_complete();
        return std::nullopt;
    }

    /// Starts the next part in `slot`; false when none is left to start (or one failed).
    bool start_part(part_slot& slot) {
        if (failure_ || next_part_ > plan_.part_count) return false;
        slot.number = next_part_++;
        const part_range range = plan_.part(slot.number);
        const upload_part_copy_params params{.key = key_,
                                             .upload_id = upload_id_,
                                             .part_number = slot.number,
                                             .source = source_->bucket_endpoint(),
                                             .source_key = source_key_,
                                             .source_version_id = options_.source_version_id,
                                             .range = byte_range{range.offset, range.offset + range.size - 1},
                                             .if_match = source_etag_raw_};
        slot.op.emplace(*destination_, operation<upload_part_copy_params>::build(destination_->bucket_endpoint(), params),
                        detail::upload_answer_parser{&detail::parse_upload_answer<upload_part_copy_params>});
        return true;
    }

    void part_done(part_slot& slot) {
        auto answer = slot.op->take_result();
        slot.op.reset();
        if (failure_) return;  // the copy failed while this part was in flight
        if (!answer) {
            failure_ = detail::explain_source_change(std::move(answer).error(), out_.source_etag);
            return;
        }
        answers_[slot.number - 1] = std::get<upload_part_copy_result>(std::move(*answer));
    }

    // Complete, HEAD, abort ------------------------------------------------------------------

    void start_complete() {
        detail::copied_parts parts = detail::collect_parts(answers_, plan_);
        parts_crc64_ = parts.crc64;
        run(*destination_, complete_multipart_upload_params{.key = key_, .upload_id = upload_id_, .parts = std::move(parts.parts)});
        phase_ = phase::complete;
    }

    /// Takes the copy's CRC-64 from Complete's answer, which must name this key, bucket and part
    /// count (else the parts' combined CRC-64 stands in); a NoSuchUpload goes to the HEAD.
    void completed() {
        auto done = take<complete_multipart_upload_result>();
        if (!done && is_cos_error(done.error(), cos_errc::no_such_upload)) {
            lost_complete_ = std::move(done).error();
            run(*destination_, detail::completed_object_head(key_, {}, upload_options_));
            phase_ = phase::settle;
            return;
        }
        if (!done) return fail(std::move(done).error());
        upload_verification verified;
        if (auto ok = detail::check_complete_answer(destination_->bucket_endpoint(), key_, plan_.part_count, *done, verified); !ok)
            return fail(std::move(ok).error());
        out_.etag = done->etag;
        out_.version_id = done->version_id;
        if (done->crc64 && parts_crc64_ && *done->crc64 != *parts_crc64_)
            return fail(make_error(errc::integrity_failure, "object",
                                   "Complete's CRC-64 " + std::to_string(*done->crc64) + " differs from the copied parts' " +
                                       std::to_string(*parts_crc64_)));
        verify(done->crc64 ? done->crc64 : parts_crc64_);
    }

    /// A Complete that answered NoSuchUpload counts as done only when a HEAD of the copy shows its
    /// size, a CRC-64 and (in an "-N" ETag) the part count.
    void settled() {
        auto head = take<head_object_result>();
        const result<void> ok = head ? detail::check_head_answer(*head, out_.size) : result<void>(head.error());
        if (!ok) {
            lost_complete_->reason += "; HEAD did not confirm that an earlier attempt completed the copy: " + describe(ok.error());
            return fail(std::move(*lost_complete_));
        }
        upload_verification verified;
        if (auto counted = detail::check_etag_part_count(head->headers.etag, plan_.part_count, "HEAD's", verified); !counted)
            return fail(std::move(counted).error());
        out_.etag = head->headers.etag;
        out_.confirmed_by_head = true;
        verify(head->headers.crc64);
    }

    void verify(std::optional<std::uint64_t> copy_crc64) {
        if (auto ok = detail::check_copy_crc64(source_crc64_, copy_crc64, out_); !ok) return fail(std::move(ok).error());
        finish(std::move(out_));
    }

    void fail(error e) {
        failure_ = std::move(e);
        fail_after_initiate();
    }

    /// The upload machine's failure policy: abort unless keep_on_failure; an incomplete duplicate
    /// cleanup is told in the reason.
    void fail_after_initiate() {
        if (duplicates_.failure) failure_->reason += detail::describe_cleanup(duplicates_);
        if (options_.keep_on_failure) return finish(std::move(*failure_));
        run(*destination_, abort_multipart_upload_params{key_, upload_id_, {}});
        phase_ = phase::abort;
    }

    void finish(result_type r) {
        result_.emplace(std::move(r));
        phase_ = phase::done;
    }

    operation_context* destination_;
    operation_context* source_;
    std::string source_key_;
    std::string key_;
    copy_object_options options_;
    std::uint32_t in_flight_;
    phase phase_ = phase::done;
    detail::child_step_ids ids_{};
    // The serial phases' child: one of these at a time.
    std::optional<detail::upload_operation> serial_op_{};
    std::optional<duplicate_cleanup_machine> cleanup_{};
    detail::child_step serial_step_{};
    std::string source_etag_raw_{};  // quotes included, as x-cos-copy-source-If-Match sends it
    std::optional<std::uint64_t> source_crc64_{};
    part_plan plan_{};
    multipart_upload_options upload_options_{};  // Initiate's attributes; the HEAD after a lost Complete takes its SSE-C headers
    std::string upload_id_{};
    bool initiate_repeated_ = false;
    duplicate_cleanup duplicates_{};
    std::vector<part_slot> slots_{};
    std::vector<upload_part_copy_result> answers_{};  // by part number - 1
    std::uint32_t next_part_ = 1;
    std::optional<error> failure_{};        // the first failure; the abort follows it
    std::optional<error> lost_complete_{};  // Complete answered NoSuchUpload; HEAD must settle it
    std::optional<std::uint64_t> parts_crc64_{};
    copy_object_result out_{};
    std::optional<result_type> result_{};
};

}  // namespace coswire
