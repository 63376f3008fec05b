// SPDX-License-Identifier: MIT
// The shape every step machine shares (sans-IO): the machine is asked for its next step (send
// this request, wait this long, done) and is told what happened to each step it issued, by id.
// It performs no I/O, reads no clock it was not given and starts no thread, so a blocking loop
// and an event loop drive the same engine (docs/event-loop.md).
#pragma once

#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace coswire {

/// What a machine asks its driver to do next.
enum class step_kind : std::uint8_t {
    send,  ///< send `request`; report the outcome with receive(id, ...)
    wait,  ///< let `wait_ms` milliseconds pass; then call waited(id)
    idle,  ///< nothing to start now: report an outcome for a step still in flight first
    done,  ///< finished: take_result() gives the result
};

/// One step of a machine. Ids count up from 1 and are never reused by the same machine, so an
/// outcome for a step that was already answered is told apart from one for a step never issued.
struct step {
    step_kind kind = step_kind::done;
    std::uint32_t id = 0;                    ///< send, wait: names the step when its outcome is reported
    const http_request* request = nullptr;  ///< send: the signed request, owned by the machine; valid until its outcome is reported
    bool streamed = false;                   ///< send: report the head and body pieces as they arrive (receive_head, receive_body) before receive
    std::uint32_t wait_ms = 0;               ///< wait: how long
};

/// A step machine producing a `result<T>`: the interface the blocking drive() and an event loop
/// use. Every reporting member returns an error value, and changes nothing, when the caller
/// misuses it: an id never issued, a second outcome for one id, an outcome of the wrong kind.
/// - next(): the next step; call it again after each one until it says done (it says idle while
///   everything left depends on steps in flight).
/// - receive(id, outcome): the response of send step `id`, or the transport's failure. For a
///   streamed step, the head returned by the transport (body empty) once the body has been
///   reported, or the failure that ended it.
/// - receive_head(id, head), receive_body(id, bytes): a streamed step's head, exactly once, then
///   its body pieces in order. An error they return must end that response: the transport stops
///   reading and reports the error through receive.
/// - waited(id): the wait step `id` has elapsed.
/// - take_result(): once done, the result (then the machine is spent).
/// - may_have_repeated(): an attempt lost its connection and another followed, so a
///   non-idempotent request may have taken effect twice.
template <class M>
concept step_machine = requires(M& m, std::uint32_t id, result<http_response> outcome, const http_response& head,
                                std::span<const std::byte> bytes) {
    { m.next() } -> std::same_as<step>;
    { m.receive(id, std::move(outcome)) } -> std::same_as<result<void>>;
    { m.receive_head(id, head) } -> std::same_as<result<void>>;
    { m.receive_body(id, bytes) } -> std::same_as<result<void>>;
    { m.waited(id) } -> std::same_as<result<void>>;
    m.take_result();
    { m.may_have_repeated() } -> std::same_as<bool>;
};

namespace detail {

/// The error for an outcome reported for step `id` that is not in flight: answered already when
/// the id was issued (ids count up to `last_id`), else never issued.
inline error step_not_in_flight(std::uint32_t id, std::uint32_t last_id) {
    return make_error(errc::invalid_argument, "step_id",
                      "step " + std::to_string(id) + (id != 0 && id <= last_id ? " has already been answered" : " was never issued"));
}

/// The error for an outcome of kind `reported` for step `id`, which is a step of kind `issued`.
inline error step_of_other_kind(std::uint32_t id, step_kind issued, step_kind reported) {
    const auto name = [](step_kind kind) { return kind == step_kind::send ? "send" : "wait"; };
    return make_error(errc::invalid_argument, "step_id",
                      "step " + std::to_string(id) + " is a " + name(issued) + " step, not a " + name(reported) + " step");
}

/// The steps a machine has issued and not yet heard back about, at most `Capacity` at once, in
/// fixed storage (nothing allocates). Outcomes are checked against it, so misuse is an error
/// value naming "step_id".
template <std::size_t Capacity>
class steps_in_flight {
public:
    /// Records a new step of `kind` and returns its id. The caller keeps count below Capacity.
    std::uint32_t issue(step_kind kind) noexcept {
        COSWIRE_ASSERT(count_ < Capacity);
        entries_[count_++] = {++last_id_, kind};
        return last_id_;
    }

    /// Checks that `id` is a step of `kind` in flight, without settling it.
    result<void> check(std::uint32_t id, step_kind kind) const {
        const std::size_t at = find(id);
        if (at == count_) return step_not_in_flight(id, last_id_);
        if (entries_[at].kind != kind) return step_of_other_kind(id, entries_[at].kind, kind);
        return {};
    }

    /// Checks like check() and then forgets the step: its outcome has arrived.
    result<void> settle(std::uint32_t id, step_kind kind) {
        if (auto ok = check(id, kind); !ok) return ok;
        const std::size_t at = find(id);
        entries_[at] = entries_[--count_];
        return {};
    }

    std::size_t size() const noexcept { return count_; }

private:
    struct entry {
        std::uint32_t id = 0;
        step_kind kind = step_kind::done;
    };

    std::size_t find(std::uint32_t id) const noexcept {
        std::size_t at = 0;
        while (at < count_ && entries_[at].id != id) ++at;
        return at;
    }

    std::array<entry, Capacity> entries_{};
    std::size_t count_ = 0;
    std::uint32_t last_id_ = 0;
};

/// A step a child machine issued (a machine run inside a larger one), as its parent renamed it:
/// the driver knows `outer`, the child its own `inner`. outer 0: no step of the child in flight.
struct child_step {
    std::uint32_t outer = 0;
    std::uint32_t inner = 0;
    step_kind kind = step_kind::done;
};

/// The ids a parent machine gives its children's steps, so that the driver sees one sequence
/// that never repeats, whether several children have steps in flight at once (parts, ranges) or
/// children run one after another, each counting its own ids from 1 (step_relay). Each child's
/// step in flight is kept in a child_step of the parent's; outcomes are checked before a child
/// sees them, so misuse is an error value naming "step_id".
class child_step_ids {
public:
    /// `s`, a child's next step; a send or wait is recorded in `slot` under a new id of the parent.
    step rename(child_step& slot, step s) noexcept {
        if (s.kind == step_kind::send || s.kind == step_kind::wait) {
            slot = {++last_id_, s.id, s.kind};
            s.id = slot.outer;
        }
        return s;
    }

    /// Whether `slot` holds the step the driver knows as `id`.
    static bool holds(const child_step& slot, std::uint32_t id) noexcept { return id != 0 && slot.outer == id; }

    /// Checks an outcome of `kind` reported for step `id`, which `slot` holds (nullptr: no child
    /// has it in flight). Errors: invalid_argument naming "step_id".
    result<void> check(const child_step* slot, std::uint32_t id, step_kind kind) const {
        if (!slot) return step_not_in_flight(id, last_id_);
        if (slot->kind != kind) return step_of_other_kind(id, slot->kind, kind);
        return {};
    }

    /// Checks like check(), then hands the outcome to the child: `report(inner)` passes it on
    /// under the child's own id. `settles` (the step's last report: the response, a transport
    /// failure, a wait elapsed) empties `slot` once the child took it; an outcome the child
    /// refuses leaves the step in flight. Errors: check()'s, then the child's.
    template <class Report>
    result<void> pass(child_step* slot, std::uint32_t id, step_kind kind, bool settles, Report&& report) {
        if (auto ok = check(slot, id, kind); !ok) return ok;
        result<void> ok = std::forward<Report>(report)(slot->inner);
        if (ok && settles) *slot = {};
        return ok;
    }

private:
    std::uint32_t last_id_ = 0;
};

/// The next step of the children kept in `slots` (each slot an `op`, an optional child machine,
/// and its `pending` child_step), for machines with several children in flight: an empty slot
/// is filled by start(slot) (false: nothing left to start), a child that is done is handed to
/// finished(slot), which empties it. Gives a child's send or wait under a new id, idle while
/// children still have steps in flight and nothing can start, nothing once every slot is empty.
template <class Slots, class Start, class Finished>
std::optional<step> next_of_children(child_step_ids& ids, Slots& slots, Start&& start, Finished&& finished) {
    bool busy = false;
    for (auto& slot : slots) {
        for (;;) {
            if (!slot.op && !start(slot)) break;
            if (slot.pending.outer != 0) {
                busy = true;
                break;
            }
            const step s = ids.rename(slot.pending, slot.op->next());
            if (s.kind != step_kind::done) return s;
            finished(slot);
        }
    }
    if (busy) return step{.kind = step_kind::idle};
    return std::nullopt;
}

/// The error for a member called in the wrong state, e.g. take_result() before done.
inline error machine_misused(std::string what) { return make_error(errc::invalid_argument, "machine", std::move(what)); }

}  // namespace detail

}  // namespace coswire
