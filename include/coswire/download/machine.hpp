// SPDX-License-Identifier: MIT
// The download as a step machine: one object into a caller's sink through ranged GETs pinned
// to the first answer's ETag, up to N ranges in flight, each range one operation machine (its
// signing, retries and backoff), every answer checked and its CRC-64 folded into the whole
// object's, resumable from a checkpoint (docs/download.md#the-download-machine). The decisions
// are the pure functions of download/plan.hpp; download_object and download_object_parallel
// drive this machine.
#pragma once

#include <coswire/api/object.hpp>
#include <coswire/callback.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/download/plan.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/operation.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/result.hpp>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// A sink that takes the object's bytes in order: a stream, a file opened for writing, stdout,
/// a flash writer. write(bytes) takes all of `bytes` or fails.
template <class S>
concept sequential_sink = requires(S& s, std::span<const std::byte> bytes) {
    { s.write(bytes) } -> std::same_as<result<void>>;
};

/// A sink that takes bytes at an offset, in any order: a file or a buffer the size of the
/// object, filled by ranges in parallel. write_at(offset, bytes) takes all of `bytes` or fails.
/// A type with both members is used positionally.
template <class S>
concept positional_sink = requires(S& s, std::uint64_t offset, std::span<const std::byte> bytes) {
    { s.write_at(offset, bytes) } -> std::same_as<result<void>>;
};

/// Either kind of sink.
template <class S>
concept download_sink = sequential_sink<S> || positional_sink<S>;

/// Progress after each range: bytes delivered to the sink so far (ranges reused from a
/// checkpoint included) and the object size.
struct download_progress {
    std::uint64_t bytes_done = 0;
    std::uint64_t bytes_total = 0;
};

/// How to run one download.
struct download_options {
    /// Bytes per ranged GET, min_download_part_size..max_download_part_size; grows when the
    /// object would need more than max_download_ranges ranges. A resumed download keeps the
    /// checkpoint's.
    std::uint64_t part_size = 8 * mib;
    std::optional<std::string> version_id{};  ///< versionId: read that version
    /// Further headers on every GET (and the HEAD), e.g. the SSE-C key headers (docs/protocol/objects.md#get-object).
    std::vector<http_header> extra_headers{};
    /// In and out, when set: on entry a checkpoint of an earlier call (a default one: nothing
    /// done) whose missing ranges are fetched; the driver updates it after each range, so after
    /// a failure it says what is done. Persist it with serialize_checkpoint.
    download_checkpoint* checkpoint = nullptr;
    callback<void(const download_progress&)> on_progress{};
    /// Polled before each range; returning true stops with errc::cancelled.
    callback<bool()> cancelled{};
};

/// What a finished download delivered, and what was checked.
struct download_result {
    std::uint64_t size = 0;
    std::string etag{};                ///< the pinned ETag, unquoted
    std::uint64_t crc64 = 0;           ///< CRC-64/XZ of the bytes delivered to the sink
    crc_check crc = crc_check::not_sent;  ///< whether crc64 was compared with COS's (see crc_check)
    std::uint32_t ranges = 0;          ///< ranges in the plan (1 when one answer carried the object)
    std::uint32_t ranges_fetched = 0;  ///< ranges this call delivered
    std::uint32_t ranges_reused = 0;   ///< ranges the checkpoint had already done
    bool restarted = false;            ///< the checkpoint's object had been replaced: started over
};

namespace detail {

/// The plan a first answer implies. `whole`: that answer carries the whole object (a 200, or an
/// empty object), which is then one range whatever the part size.
struct first_plan {
    download_plan plan{};
    bool whole = false;
};

inline result<first_plan> plan_from_first(const first_answer& answer, std::uint64_t part_size) {
    auto plan = plan_download(answer.object.size, part_size);
    if (!plan) return std::move(plan).error();
    if (!answer.whole && answer.object.size > 0) return first_plan{.plan = *plan, .whole = false};
    plan->range_count = answer.object.size == 0 ? 0u : 1u;
    return first_plan{.plan = *plan, .whole = true};
}

inline error cancelled_before(std::uint32_t index) {
    return make_error(errc::cancelled, "cancelled", "the download was cancelled before range " + std::to_string(index));
}

}  // namespace detail

/// The download of one object into `Sink` as a step machine (coswire::step_machine; see
/// docs/event-loop.md and docs/download.md#the-download-machine). It runs as download_object
/// describes: a fresh download's first request, GET bytes=0-(part_size-1), pins the ETag, size
/// and x-cos-hash-crc64ecma and gives the plan (an empty object answers 416: then one plain GET);
/// a resumed one first fetches its first missing range alone, If-Match the checkpoint's ETag.
/// After that first request, up to `jobs` ranges are in flight at once, each with If-Match, each
/// one operation machine (fresh signatures, retries, backoff), every answer checked (status,
/// Content-Range, ETag, body length) and its CRC-64 computed as it streams. When all are done the
/// combined CRC-64 is compared with COS's, from the first answer or else a HEAD (If-Match).
///
/// Every send step is streamed. The machine writes each checked piece to the sink itself, from
/// inside receive_body: the sink is the caller's own synchronous callback (a pwrite, a memcpy), not
/// I/O the machine starts, so an event loop needs no extra step for it. A retried range skips the
/// bytes already written, so the sink sees each byte once (in order, for a sequential sink, which
/// is why it takes one range at a time). Progress is reported after each range, cancellation polled
/// before each range's request. After a range fails for good no new range starts; those in flight
/// finish (and are recorded in the checkpoint), then the machine is done with the first failure.
///
/// Storage: min(jobs, max_download_ranges) range slots allocated once, by the constructor; a step
/// allocates nothing beyond its request. Borrows the context and the sink; copies the options
/// (the checkpoint they point to is updated in place). Must not move while steps are in flight.
/// Errors (from take_result): invalid_argument naming "jobs" (0, or above 1 with a sequential
/// sink), "part_size" or "checkpoint" (nothing sent), "sink" (the sink failed); object_changed;
/// malformed_response; integrity_failure; cancelled; the operation machine's, with the range named.
template <download_sink Sink>
class download_machine {
public:
    download_machine(operation_context& context, std::string_view key, Sink& sink, download_options options = {},
                     std::uint32_t jobs = 1)
        : context_(&context), key_(key), sink_(&sink), options_(std::move(options)),
          checkpoint_(options_.checkpoint ? options_.checkpoint : &local_checkpoint_) {
        if (auto ok = check_arguments(jobs); !ok) {
            finish(std::move(ok).error());
            return;
        }
        slots_ = std::vector<range_slot>(std::min(jobs, max_download_ranges));
        for (range_slot& slot : slots_)
            slot.sink = response_sink{
                .head = [&slot](const http_response& head) { return slot.owner->on_head(slot, head); },
                .body = [&slot](std::span<const std::byte> bytes) { return slot.owner->on_body(slot, bytes); },
            };
        begin();
    }

    // The range slots' sinks point into the machine's own storage: moving keeps it, a copy could not.
    download_machine(const download_machine&) = delete;
    download_machine& operator=(const download_machine&) = delete;
    download_machine(download_machine&&) = default;
    download_machine& operator=(download_machine&&) = default;

    step next() {
        for (;;) {
            if (stage_ == stage::done) return {};
            bool settled = false;
            for (range_slot& slot : slots_) {
                if (!slot.op || slot.child.outer != 0) continue;
                const step s = ids_.rename(slot.child, slot.op->next());
                if (s.kind != step_kind::done) return s;
                settle(slot);
                settled = true;
                break;
            }
            if (settled) continue;
            if (head_ && head_step_.outer == 0) {
                const step s = ids_.rename(head_step_, head_->next());
                if (s.kind != step_kind::done) return s;
                settle_head();
                continue;
            }
            if (start_next()) continue;
            if (in_flight()) return {.kind = step_kind::idle};
            advance();
        }
    }

    result<void> receive(std::uint32_t id, result<http_response> outcome) {
        return forward(id, step_kind::send, true,
                       [&](auto& op, std::uint32_t inner) { return op.receive(inner, std::move(outcome)); });
    }

    result<void> receive_head(std::uint32_t id, const http_response& head) {
        return forward(id, step_kind::send, false, [&](auto& op, std::uint32_t inner) { return op.receive_head(inner, head); });
    }

    result<void> receive_body(std::uint32_t id, std::span<const std::byte> bytes) {
        return forward(id, step_kind::send, false, [&](auto& op, std::uint32_t inner) { return op.receive_body(inner, bytes); });
    }

    result<void> waited(std::uint32_t id) {
        return forward(id, step_kind::wait, true, [](auto& op, std::uint32_t inner) { return op.waited(inner); });
    }

    /// The result, once next() said done; errors: invalid_argument naming "machine" before that
    /// or when it was already taken.
    result<download_result> take_result() {
        if (stage_ != stage::done) return detail::machine_misused("take_result: not done yet; call next() until it says done");
        if (!result_) return detail::machine_misused("take_result: the result was already taken");
        result<download_result> out = std::move(*result_);
        result_.reset();
        return out;
    }

    /// Whether a request lost its connection and was sent again (harmless for a GET).
    bool may_have_repeated() const noexcept { return repeated_; }

private:
    // Which request the machine is at: one of the lone first requests, the ranges, or the HEAD.
    enum class stage : std::uint8_t { fresh_first, whole_first, refetch_first, resume_first, ranges, head, done };

    struct range_slot;

    // Turns a range's answer into its result: a 412 to If-Match is object_changed, another non-2xx
    // the COS error, a 2xx is checked for its body length.
    struct range_parser {
        range_slot* slot = nullptr;
        result<void> operator()(const http_response& r) const { return slot->owner->parse_range(*slot, r); }
    };

    // One range in flight. Across its attempts `delivery` counts what reached the sink and its
    // CRC-64; a retried attempt re-reads the range from its start and skips those bytes.
    struct range_slot {
        download_machine* owner = nullptr;  // set when a request starts: the machine may have moved while idle
        download_range range{};             // what must be delivered
        std::uint64_t last_asked = 0;       // the last byte the request asks for
        download_range carried{};           // the bytes the current answer carries
        std::uint64_t received = 0;         // of them, how many arrived
        std::uint64_t delivered = 0;
        std::uint64_t crc64 = 0;
        response_sink sink{};
        std::optional<operation_machine<range_parser>> op{};
        detail::child_step child{};  // the range's step in flight, renamed
    };

    using head_machine = operation_machine<operation_parser<head_object_params>>;

    result<void> check_arguments(std::uint32_t jobs) const {
        if (jobs == 0) return make_error(errc::invalid_argument, "jobs", "must be at least 1");
        if (!positional_sink<Sink> && jobs > 1)
            return make_error(errc::invalid_argument, "jobs",
                              "a sequential sink takes the bytes in order, one range at a time: jobs must be 1");
        if (options_.part_size < min_download_part_size || options_.part_size > max_download_part_size)
            return make_error(errc::invalid_argument, "part_size",
                              std::to_string(options_.part_size) + " is outside 65536..5368709120 bytes");
        if (checkpoint_->etag.empty()) return {};
        if (auto ok = check_checkpoint(*checkpoint_); !ok) return std::move(ok).error();
        if constexpr (!positional_sink<Sink>) {
            for (std::size_t i = 0; i < checkpoint_->done.size(); ++i)
                if (checkpoint_->done[i].index != i)
                    return make_error(errc::invalid_argument, "checkpoint",
                                      "a sequential sink resumes only when ranges 0..k-1 are done; range " + std::to_string(i) + " is not");
        }
        return {};
    }

    // A fresh download starts with its first range; a resumed one takes the checkpoint's object
    // and plan (check_arguments accepted them) and fetches its first missing range alone, which
    // proves that object is still there.
    void begin() {
        if (checkpoint_->etag.empty()) {
            stage_ = stage::fresh_first;
            return;
        }
        const download_checkpoint& c = *checkpoint_;
        pinned_ = object_identity{.size = c.object_size, .etag = c.etag, .crc64 = c.crc64};
        planned_ = detail::first_plan{.plan = *plan_download(c.object_size, c.part_size), .whole = false};
        missing_ = missing_ranges(planned_.plan, c);
        out_.ranges_reused = static_cast<std::uint32_t>(c.done.size());
        for (const done_range& r : c.done) bytes_done_ += planned_.plan.range(r.index).size;
        stage_ = missing_.empty() ? stage::ranges : stage::resume_first;
    }

    // Starts the next request the stage allows, if any; false when there is none to start now.
    bool start_next() {
        if (failure_) return false;
        range_slot& first = slots_.front();
        switch (stage_) {
            case stage::fresh_first:
            case stage::whole_first:
                if (first.op) return false;
                first.delivered = 0;
                first.crc64 = 0;
                return start(first, download_range{.index = 0, .first = 0, .size = options_.part_size},
                             stage_ == stage::fresh_first ? options_.part_size - 1 : std::numeric_limits<std::uint64_t>::max());
            case stage::refetch_first:
                // Keeps what range 0 already delivered: those bytes are skipped.
                return !first.op && start(first, first.range, first.range.last());
            case stage::resume_first:
                if (first.op) return false;
                next_ = 1;
                return start_planned(first, missing_[0]);
            case stage::ranges:
                if (next_ >= missing_.size()) return false;
                for (range_slot& slot : slots_)
                    if (!slot.op) return start_planned(slot, missing_[next_++]);
                return false;
            case stage::head:
            case stage::done:
                return false;
        }
        return false;
    }

    bool start_planned(range_slot& slot, std::uint32_t index) {
        const download_range range = planned_.plan.range(index);
        slot.delivered = 0;
        slot.crc64 = 0;
        return start(slot, range, range.last());
    }

    // Polls cancellation, then makes the range's operation machine: GET bytes=first-last_asked
    // (no Range for the plain GET after a 416), If-Match once pinned. A builder error or a
    // cancellation is the failure; true either way, since the machine's state changed.
    bool start(range_slot& slot, download_range range, std::uint64_t last_asked) {
        if (options_.cancelled && options_.cancelled()) {
            failure_ = detail::cancelled_before(range.index);
            return true;
        }
        get_object_params params;
        params.key = key_;
        if (stage_ != stage::whole_first) params.range = byte_range{.first = range.first, .last = last_asked};
        params.version_id = options_.version_id;
        if (pinned_) params.conditions.if_match = if_match_value(pinned_->etag);
        params.extra_headers = options_.extra_headers;
        auto request = make_get_object_request(context_->bucket_endpoint(), params);
        if (!request) {
            failure_ = std::move(request).error();
            return true;
        }
        slot.owner = this;
        slot.range = range;
        slot.last_asked = last_asked;
        slot.carried = range;
        slot.received = 0;
        slot.op.emplace(*context_, std::move(*request), range_parser{&slot}, &slot.sink);
        return true;
    }

    result<void> on_head(range_slot& slot, const http_response& head) {
        slot.received = 0;
        auto answer = check_range_answer(head, slot.range.first, slot.last_asked);
        if (!answer) return std::move(answer).error();
        if (pinned_) return check_same_object(*pinned_, answer->object);
        // The first answer of a fresh download: it pins the object and gives the plan.
        auto planned = detail::plan_from_first(*answer, options_.part_size);
        if (!planned) return std::move(planned).error();
        planned_ = *planned;
        pinned_ = answer->object;
        const std::uint64_t size = answer->object.size;
        *checkpoint_ = download_checkpoint{.etag = answer->object.etag, .object_size = size,
                                           .part_size = planned_.plan.part_size, .crc64 = answer->object.crc64, .done = {}};
        slot.range = planned_.whole ? download_range{.index = 0, .first = 0, .size = size} : planned_.plan.range(0);
        slot.carried = download_range{.index = 0, .first = 0, .size = answer->whole ? size : std::min(slot.last_asked + 1, size)};
        return {};
    }

    result<void> on_body(range_slot& slot, std::span<const std::byte> bytes) {
        if (auto ok = check_range_overrun(slot.carried, slot.received, bytes.size()); !ok) return ok;
        const std::uint64_t behind = slot.delivered > slot.received ? slot.delivered - slot.received : 0;
        const std::uint64_t skip = std::min<std::uint64_t>(behind, bytes.size());
        slot.received += bytes.size();
        const auto fresh = bytes.subspan(static_cast<std::size_t>(skip));
        if (fresh.empty()) return {};
        const std::uint64_t offset = slot.range.first + slot.delivered;
        // The CRC goes first: it reads the piece from memory once, and the sink then finds it in
        // cache. It counts only once the sink has taken the piece.
        const std::uint64_t crc = crc64_update(slot.crc64, fresh);
        result<void> written;
        if constexpr (positional_sink<Sink>) written = sink_->write_at(offset, fresh);
        else written = sink_->write(fresh);
        if (!written)
            return make_error(errc::invalid_argument, "sink",
                              "writing " + std::to_string(fresh.size()) + " bytes at offset " + std::to_string(offset) +
                                  " failed: " + describe(written.error()));
        slot.crc64 = crc;
        slot.delivered += fresh.size();
        return {};
    }

    result<void> parse_range(const range_slot& slot, const http_response& r) const {
        if (r.status == 412 && pinned_)
            return make_error(errc::object_changed, "ETag", "the object is no longer \"" + pinned_->etag + "\" (412 to If-Match)");
        if (r.status < 200 || r.status >= 300) return parse_error_response(r);
        return check_range_body(slot.carried, slot.received);
    }

    // A range's operation machine is done: record the range, or decide what its failure means.
    void settle(range_slot& slot) {
        result<void> outcome = slot.op->take_result();
        repeated_ = repeated_ || slot.op->may_have_repeated();
        slot.op.reset();
        if (!outcome) {
            error e = std::move(outcome).error();
            e.reason = "range " + std::to_string(slot.range.index) + ": " + e.reason;
            return settle_failure(std::move(e));
        }
        switch (stage_) {
            case stage::fresh_first:
            case stage::whole_first:
                if (planned_.whole) {
                    out_.ranges_fetched = planned_.plan.range_count;
                    bytes_done_ = slot.delivered;
                    whole_crc_ = slot.crc64;
                    stage_ = stage::ranges;
                    return progress();
                }
                missing_ = missing_ranges(planned_.plan, *checkpoint_);
                // The plan's part size grew past the one asked (over 10000 ranges): range 0 again.
                if (slot.delivered < slot.range.size) {
                    stage_ = stage::refetch_first;
                    return;
                }
                break;
            case stage::refetch_first:
            case stage::resume_first:
            case stage::ranges:
            case stage::head:
            case stage::done:
                break;
        }
        if (stage_ != stage::ranges) {
            stage_ = stage::ranges;
            next_ = 1;
        }
        mark_done(*checkpoint_, slot.range.index, slot.crc64);
        bytes_done_ += slot.range.size;
        ++out_.ranges_fetched;
        progress();
    }

    void settle_failure(error e) {
        const bool refused = e.service && e.service->http_status == 416;
        if (stage_ == stage::fresh_first && !pinned_ && refused) {
            stage_ = stage::whole_first;  // an empty object: no range is satisfiable
            return;
        }
        if (stage_ == stage::resume_first && e.code == errc::object_changed) {
            if constexpr (!positional_sink<Sink>) {
                e.reason += "; a sequential sink cannot start over";
            } else {
                // The checkpoint's object was replaced (nothing of it was written by this call): start over.
                *checkpoint_ = download_checkpoint{};
                pinned_.reset();
                missing_.clear();
                next_ = 0;
                bytes_done_ = 0;
                out_ = download_result{};
                out_.restarted = true;
                stage_ = stage::fresh_first;
                return;
            }
        }
        if (!failure_) failure_ = std::move(e);
    }

    void progress() {
        if (options_.on_progress) options_.on_progress(download_progress{.bytes_done = bytes_done_, .bytes_total = pinned_->size});
    }

    bool in_flight() const noexcept {
        if (head_) return true;
        for (const range_slot& slot : slots_)
            if (slot.op) return true;
        return false;
    }

    // Nothing in flight and nothing to start: the download failed, or every range is done and the
    // CRC-64 is checked, with a HEAD first when the first answer did not carry COS's.
    void advance() {
        if (failure_) return finish(std::move(*failure_));
        if (stage_ == stage::ranges && !pinned_->crc64) {
            stage_ = stage::head;
            head_object_params params;
            params.key = key_;
            params.version_id = options_.version_id;
            params.conditions.if_match = if_match_value(pinned_->etag);
            params.extra_headers = options_.extra_headers;
            head_.emplace(*context_, operation<head_object_params>::build(context_->bucket_endpoint(), params));
            return;
        }
        complete(pinned_->crc64);
    }

    void settle_head() {
        auto head = head_->take_result();
        repeated_ = repeated_ || head_->may_have_repeated();
        head_.reset();
        if (!head) {
            if (head.error().service && head.error().service->http_status == 412)
                return finish(make_error(errc::object_changed, "ETag", "the object is no longer \"" + pinned_->etag + "\" (412 to If-Match)"));
            return finish(std::move(head).error());
        }
        complete(head->headers.crc64);
    }

    void complete(std::optional<std::uint64_t> stated) {
        out_.size = pinned_->size;
        out_.etag = pinned_->etag;
        out_.ranges = planned_.plan.range_count;
        out_.crc64 = planned_.whole ? whole_crc_ : combined_crc64(planned_.plan, *checkpoint_);
        auto verdict = check_whole_crc(out_.crc64, stated);
        if (!verdict) return finish(std::move(verdict).error());
        out_.crc = *verdict;
        finish(std::move(out_));
    }

    void finish(result<download_result> r) {
        result_.emplace(std::move(r));
        stage_ = stage::done;
    }

    // Passes a report for step `id` to the operation machine that issued it; `settles`: it is the
    // step's last report.
    template <class Report>
    result<void> forward(std::uint32_t id, step_kind kind, bool settles, Report&& report) {
        const auto pass = [&](detail::child_step& child, auto& op) {
            return ids_.pass(&child, id, kind, settles, [&](std::uint32_t inner) { return report(op, inner); });
        };
        for (range_slot& slot : slots_)
            if (slot.op && detail::child_step_ids::holds(slot.child, id)) return pass(slot.child, *slot.op);
        if (head_ && detail::child_step_ids::holds(head_step_, id)) return pass(head_step_, *head_);
        return ids_.check(nullptr, id, kind);
    }

    operation_context* context_;
    std::string key_;
    Sink* sink_;
    download_options options_;
    download_checkpoint local_checkpoint_{};
    download_checkpoint* checkpoint_;  // options_.checkpoint, or local_checkpoint_
    std::vector<range_slot> slots_{};
    std::optional<head_machine> head_{};
    detail::child_step head_step_{};
    stage stage_ = stage::done;
    std::optional<object_identity> pinned_{};  // from the first answer, or the checkpoint
    detail::first_plan planned_{};
    std::vector<std::uint32_t> missing_{};  // the ranges to fetch; missing_[next_..] not yet started
    std::size_t next_ = 0;
    std::uint64_t bytes_done_ = 0;
    std::uint64_t whole_crc_ = 0;  // the CRC-64 of an answer that carried the whole object
    download_result out_{};
    std::optional<error> failure_{};
    std::optional<result<download_result>> result_{};
    detail::child_step_ids ids_{};  // the ranges' and the HEAD's steps, under ids of this machine
    bool repeated_ = false;
};

}  // namespace coswire
