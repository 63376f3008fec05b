// SPDX-License-Identifier: MIT
// The multipart upload as a step machine (docs/event-loop.md#multipart-uploads): initiate or
// resume, up to N parts in flight, Complete and what settles it, abort on failure. Every request
// runs through an operation machine, so retries, backoff and clock fixes are the client's; the
// checks are the pure functions of multipart/checks.hpp.
#pragma once

#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/listing/all_pages.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/multipart/checks.hpp>
#include <coswire/multipart/cleanup.hpp>
#include <coswire/multipart/options.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/multipart/source.hpp>
#include <coswire/operation.hpp>
#include <coswire/parse/error_response.hpp>
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

using upload_operation = operation_machine<upload_answer_parser>;

/// The parts of a plan, read from a positional source: part(n, buffer) gives part n's bytes
/// (lent, or read into `buffer`), nothing past the last part.
template <upload_source Source>
class planned_parts {
public:
    planned_parts(Source& source, const part_plan& plan) : source_(&source), plan_(plan) {}

    result<void> check() const {
        if (plan_.object_size != source_->size() || plan_.part_count == 0)
            return make_error(errc::invalid_argument, "plan", "was made for a different object size than the source's");
        return {};
    }
    std::uint64_t total() const noexcept { return plan_.object_size; }
    std::uint32_t part_count() const noexcept { return plan_.part_count; }

    result<std::optional<std::span<const std::byte>>> part(std::uint32_t n, std::vector<std::byte>& buffer) {
        if (n > plan_.part_count) return std::optional<std::span<const std::byte>>();
        const part_range range = plan_.part(n);
        if (range.size > SIZE_MAX)  // 32-bit targets cannot hold a part above 4 GiB in memory
            return make_error(errc::limit_exceeded, "part_size",
                              "part " + std::to_string(n) + " has " + std::to_string(range.size) +
                                  " bytes, more than this platform's memory can address");
        auto bytes = part_bytes(*source_, range, buffer);
        if (!bytes) return std::move(bytes).error();
        return std::optional<std::span<const std::byte>>(*bytes);
    }

private:
    Source* source_;
    part_plan plan_;
};

}  // namespace detail

/// The multipart upload of one object as a step machine, `Parts` giving the bytes of part n
/// (detail::planned_parts for a source and a plan; see make_multipart_upload_machine). It
/// initiates, or resumes options.resume_upload_id (listing its parts and reusing each whose size
/// and MD5 match); after an Initiate that may have been applied twice it aborts the empty
/// duplicates (docs/protocol/multipart.md#lost-initiate). Then it keeps up to `in_flight` parts
/// in flight, each through its own operation machine (its retries and waits are this machine's
/// steps), polling options.cancelled before sending each part. Parts are read by the machine
/// inside next(), synchronously through the caller's source: reading is not a step, because a
/// positional read of a file or of memory does not block the way a network request does, and
/// the bytes read must be hashed before the request that carries them can be built. Then it
/// completes and proves the object exactly as upload_multipart documents; on a failure or a
/// cancellation it aborts unless options.keep_on_failure. Borrows the context and the source;
/// owns its options. Part bodies are lent to the transport from the source or the slot's buffer,
/// one buffer per part in flight, reused.
template <class Parts>
class basic_multipart_upload_machine {
public:
    using result_type = result<multipart_upload_result>;

    /// Errors at the first step, nothing sent: invalid_argument naming "in_flight" for 0, those of
    /// parts.check() ("plan"), and "traffic_limit" for a limit out of COS's range.
    basic_multipart_upload_machine(operation_context& context, std::string key, Parts parts, multipart_upload_options options,
                                   std::uint32_t in_flight = 1)
        : context_(&context), key_(std::move(key)), parts_(std::move(parts)), options_(std::move(options)),
          policy_(detail::part_policy_of(options_)) {
        progress_.bytes_total = parts_.total();
        progress_.part_count = parts_.part_count();
        if (auto ok = check_arguments(in_flight); !ok) {
            finish(std::move(ok).error());
            return;
        }
        const std::uint32_t known = parts_.part_count();
        slots_.resize(known != 0 && known < in_flight ? known : in_flight);
        finished_.reserve(known);
        if (options_.resume_upload_id) {
            upload_id_ = *options_.resume_upload_id;
            list_parts_params first;
            first.key = key_;
            first.upload_id = upload_id_;
            parts_listing_.emplace(context, std::move(first));
            phase_ = phase::resume_listing;
        } else {
            run(initiate_multipart_upload_params{key_, options_.attributes, {}});
            phase_ = phase::initiate;
        }
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
                    const step s = serial_next();
                    if (s.kind != step_kind::done) return s;
                    serial_done();
                    continue;
                }
            }
        }
    }

    result<void> receive(std::uint32_t id, result<http_response> outcome) {
        return settle(id, step_kind::send, [&](auto& child, std::uint32_t inner) { return child.receive(inner, std::move(outcome)); });
    }
    result<void> receive_head(std::uint32_t id, const http_response& head) {
        return forward(id, step_kind::send, false, [&](auto& child, std::uint32_t inner) { return child.receive_head(inner, head); });
    }
    result<void> receive_body(std::uint32_t id, std::span<const std::byte> bytes) {
        return forward(id, step_kind::send, false, [&](auto& child, std::uint32_t inner) { return child.receive_body(inner, bytes); });
    }
    result<void> waited(std::uint32_t id) {
        return settle(id, step_kind::wait, [&](auto& child, std::uint32_t inner) { return child.waited(inner); });
    }

    /// The result, once next() said done; errors: those of upload_multipart, or invalid_argument
    /// naming "machine" before done or when it was already taken.
    result_type take_result() {
        if (phase_ != phase::done) return detail::machine_misused("take_result: not done yet; call next() until it says done");
        if (!result_) return detail::machine_misused("take_result: the result was already taken");
        result_type out = std::move(*result_);
        result_.reset();
        return out;
    }

    /// Whether Initiate may have been applied twice. The machine cleans up after that itself
    /// (result.duplicates); the flag is kept for drivers that report it.
    bool may_have_repeated() const noexcept { return initiate_repeated_; }

private:
    enum class phase : std::uint8_t { initiate, resume_listing, cleanup, parts, complete, head, abort, done };

    struct part_slot {
        std::optional<detail::upload_operation> op{};
        std::vector<std::byte> buffer{};
        detail::hashed_part part{};
        std::uint32_t number = 0;
        detail::child_step pending{};
    };

    result<void> check_arguments(std::uint32_t in_flight) const {
        if (in_flight == 0) return make_error(errc::invalid_argument, "in_flight", "must be at least 1");
        if (auto ok = parts_.check(); !ok) return ok;
        return detail::check_traffic_limit(options_.traffic_limit);
    }

    // Children and the steps in flight --------------------------------------------------------

    template <class Params>
    void run(const Params& params) {
        serial_op_.emplace(*context_, operation<Params>::build(context_->bucket_endpoint(), params),
                           detail::upload_answer_parser{&detail::parse_upload_answer<Params>});
    }

    template <class F>
    decltype(auto) on_serial(F&& f) {
        if (parts_listing_) return f(*parts_listing_);
        if (cleanup_) return f(*cleanup_);
        return f(*serial_op_);
    }

    /// The serial child's next step, renamed with an id of this machine when it starts a step.
    step serial_next() {
        return ids_.rename(serial_link_, on_serial([](auto& child) { return child.next(); }));
    }

    part_slot& slot_of(detail::child_step& l) {
        for (part_slot& slot : slots_)
            if (&slot.pending == &l) return slot;
        return slots_.front();
    }

    detail::child_step* find(std::uint32_t id) {
        if (detail::child_step_ids::holds(serial_link_, id)) return &serial_link_;
        for (part_slot& slot : slots_)
            if (detail::child_step_ids::holds(slot.pending, id)) return &slot.pending;
        return nullptr;
    }

    /// Hands an outcome to the child that issued step `id`; `settles` forgets the step once the
    /// child took it.
    template <class F>
    result<void> forward(std::uint32_t id, step_kind kind, bool settles, F&& f) {
        detail::child_step* l = find(id);
        return ids_.pass(l, id, kind, settles, [&](std::uint32_t inner) {
            return l == &serial_link_ ? on_serial([&](auto& child) { return f(child, inner); }) : f(*slot_of(*l).op, inner);
        });
    }

    template <class F>
    result<void> settle(std::uint32_t id, step_kind kind, F&& f) {
        return forward(id, kind, true, std::forward<F>(f));
    }

    // The serial phases -------------------------------------------------------------------------

    void serial_done() {
        switch (phase_) {
            case phase::initiate: return initiated();
            case phase::resume_listing: {
                auto listed = parts_listing_->take_result();
                parts_listing_.reset();
                if (!listed) return finish(std::move(listed).error());
                existing_ = std::move(*listed);
                return start_parts();
            }
            case phase::cleanup: {
                auto cleaned = cleanup_->take_result();  // a value: the cleanup's failures are inside it
                cleanup_.reset();
                if (cleaned) duplicates_ = std::move(*cleaned);
                return cleanup_finished();
            }
            case phase::complete: return completed();
            case phase::head: return headed();
            case phase::abort: {
                auto aborted = take<abort_multipart_upload_result>();
                return finish(detail::with_abort_outcome(std::move(*failure_), aborted));
            }
            case phase::parts:
            case phase::done:
                return;
        }
    }

    template <class T>
    result<T> take() {
        auto answer = serial_op_->take_result();
        if (!answer) return std::move(answer).error();
        return std::get<T>(std::move(*answer));
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
        if (initiate_repeated_) return start_cleanup();
        return start_parts();
    }

    void start_cleanup() {
        cleanup_.emplace(*context_, key_, failure_ ? std::nullopt : std::optional<std::string>(upload_id_));
        phase_ = phase::cleanup;
    }

    void cleanup_finished() {
        if (!failure_) return start_parts();
        failure_->reason += detail::describe_cleanup(duplicates_);
        finish(std::move(*failure_));
    }

    // The parts --------------------------------------------------------------------------------

    void start_parts() {
        if (options_.on_upload_id) options_.on_upload_id(upload_id_);
        phase_ = phase::parts;
    }

    /// The next step of the parts phase, or nothing when the phase moved on (to Complete or abort).
    std::optional<step> next_part_step() {
        const auto start = [this](part_slot& slot) { return start_part(slot); };
        if (auto s = detail::next_of_children(ids_, slots_, start, [this](part_slot& slot) { part_done(slot); }); s) return s;
        if (failure_) start_abort_or_fail();
        else start_complete();
        return std::nullopt;
    }

    /// Starts the next part in `slot`; false when no part is left to start (or one failed).
    /// A part already held by a resumed upload finishes here, and the next one is tried.
    bool start_part(part_slot& slot) {
        for (;;) {
            if (failure_ || parts_ended_) return false;
            const std::uint32_t n = next_part_;
            auto bytes = parts_.part(n, slot.buffer);
            if (!bytes) {
                failure_ = std::move(bytes).error();
                return false;
            }
            if (!*bytes) {
                parts_ended_ = true;
                return false;
            }
            if (options_.cancelled && options_.cancelled()) {
                failure_ = make_error(errc::cancelled, "cancelled", "the upload was cancelled before part " + std::to_string(n));
                return false;
            }
            ++next_part_;
            slot.number = n;
            slot.part = detail::hash_part(**bytes, detail::find_part(existing_, n), policy_);
            if (slot.part.reused) {
                ++reused_;
                record(slot);
                continue;
            }
            const upload_part_params params = detail::part_params(key_, upload_id_, n, **bytes, slot.part, policy_);
            slot.op.emplace(*context_, operation<upload_part_params>::build(context_->bucket_endpoint(), params),
                            detail::upload_answer_parser{&detail::parse_upload_answer<upload_part_params>});
            return true;
        }
    }

    void part_done(part_slot& slot) {
        auto answer = slot.op->take_result();
        slot.op.reset();
        if (failure_) return;  // the upload failed while this part was in flight
        result<void> ok = answer ? detail::check_part_answer(std::get<upload_part_result>(*answer), slot.number, policy_, slot.part)
                                 : result<void>(std::move(answer).error());
        if (!ok) {
            failure_ = std::move(ok).error();
            return;
        }
        record(slot);
    }

    void record(part_slot& slot) {
        if (finished_.size() < slot.number) finished_.resize(slot.number);
        finished_[slot.number - 1] = std::move(slot.part.done);
        progress_.bytes_done += finished_[slot.number - 1].size;
        progress_.part_number = slot.number;
        ++progress_.parts_done;
        if (options_.on_progress) options_.on_progress(progress_);
    }

    // Complete, HEAD, abort ------------------------------------------------------------------

    void start_complete() {
        detail::completion c = detail::completion_of(key_, upload_id_, finished_);
        whole_crc_ = c.crc64;
        whole_size_ = c.size;
        run(c.params);
        phase_ = phase::complete;
    }

    void completed() {
        auto done = take<complete_multipart_upload_result>();
        out_.upload_id = upload_id_;
        out_.crc64 = whole_crc_;
        out_.parts = static_cast<std::uint32_t>(finished_.size());
        if (done) {
            if (auto ok = detail::check_complete_answer(context_->bucket_endpoint(), key_, finished_.size(), *done, out_.verified); !ok)
                return fail(std::move(ok).error());
            out_.etag = done->etag;
            if (done->crc64) return verified(*done->crc64);
            run(detail::completed_object_head(key_, done->version_id, options_));
        } else if (is_cos_error(done.error(), cos_errc::no_such_upload)) {
            lost_complete_ = std::move(done).error();
            run(detail::completed_object_head(key_, {}, options_));
        } else {
            return fail(std::move(done).error());
        }
        phase_ = phase::head;
    }

    void headed() {
        auto head = take<head_object_result>();
        result<void> ok = head ? detail::check_head_answer(*head, whole_size_) : result<void>(std::move(head).error());
        if (lost_complete_) {
            if (!ok) {
                lost_complete_->reason += "; HEAD did not confirm that an earlier attempt completed the upload: " + describe(ok.error());
                return fail(std::move(*lost_complete_));
            }
            if (auto counted = detail::check_etag_part_count(head->headers.etag, finished_.size(), "HEAD's", out_.verified); !counted)
                return fail(std::move(counted).error());
            out_.etag = head->headers.etag;
            out_.confirmed_by_head = true;
        } else if (!ok) {
            error e = std::move(ok).error();
            e.reason = "Complete's answer has no x-cos-hash-crc64ecma and settling it by HEAD failed: " + e.reason;
            return fail(std::move(e));
        }
        out_.verified.crc64_from = crc64_evidence::head_header;
        out_.verified.size_by_head = true;
        verified(*head->headers.crc64);
    }

    void verified(std::uint64_t reported_crc) {
        if (auto ok = detail::check_object_crc(reported_crc, whole_crc_); !ok) return fail(std::move(ok).error());
        out_.parts_reused = reused_;
        out_.duplicates = std::move(duplicates_);
        finish(std::move(out_));
    }

    void fail(error e) {
        failure_ = std::move(e);
        start_abort_or_fail();
    }

    /// The failure policy: abort (so no billed parts stay behind) unless the caller keeps the
    /// upload; an incomplete duplicate cleanup is told in the reason as well.
    void start_abort_or_fail() {
        if (duplicates_.failure) failure_->reason += detail::describe_cleanup(duplicates_);
        if (options_.keep_on_failure) return finish(std::move(*failure_));
        run(abort_multipart_upload_params{key_, upload_id_, {}});
        phase_ = phase::abort;
    }

    void finish(result_type r) {
        result_.emplace(std::move(r));
        phase_ = phase::done;
    }

    operation_context* context_;
    std::string key_;
    Parts parts_;
    multipart_upload_options options_;
    detail::part_policy policy_;
    phase phase_ = phase::done;
    detail::child_step_ids ids_{};
    // The serial phases' child: one of these at a time.
    std::optional<detail::upload_operation> serial_op_{};
    std::optional<list_all_parts_machine> parts_listing_{};
    std::optional<duplicate_cleanup_machine> cleanup_{};
    detail::child_step serial_link_{};
    std::vector<part_slot> slots_{};
    std::string upload_id_{};
    bool initiate_repeated_ = false;
    duplicate_cleanup duplicates_{};
    std::vector<listed_part> existing_{};    // what a resumed upload holds
    std::uint32_t next_part_ = 1;
    bool parts_ended_ = false;
    std::vector<detail::finished_part> finished_{};
    std::uint32_t reused_ = 0;
    upload_progress progress_{};
    std::optional<error> failure_{};        // the first failure; the abort follows it
    std::optional<error> lost_complete_{};  // Complete answered NoSuchUpload; HEAD must settle it
    std::uint64_t whole_crc_ = 0;
    std::uint64_t whole_size_ = 0;
    multipart_upload_result out_{};
    std::optional<result_type> result_{};
};

/// The upload machine of `source` in the parts of `plan`, up to `in_flight` parts at a time.
template <upload_source Source>
using multipart_upload_machine = basic_multipart_upload_machine<detail::planned_parts<Source>>;

template <upload_source Source>
multipart_upload_machine<Source> make_multipart_upload_machine(operation_context& context, std::string key, Source& source,
                                                               const part_plan& plan, multipart_upload_options options = {},
                                                               std::uint32_t in_flight = 1) {
    return {context, std::move(key), detail::planned_parts<Source>(source, plan), std::move(options), in_flight};
}

}  // namespace coswire
