// SPDX-License-Identifier: MIT
// Ids of its own for a machine that runs other machines one after another: each inner machine
// counts its ids from 1, so without renaming, the second one's first step would reuse an id the
// driver has already seen answered (docs/event-loop.md).
#pragma once

#include <coswire/http/message.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace coswire::detail {

/// Relays the one step in flight of a sequence of inner machines, a child_step_ids with one slot:
/// forward() gives an inner machine's send or wait step a fresh outer id, and the reporting
/// members turn an outer id back into the inner machine's before passing the outcome on. An id
/// never issued, one already answered, or one of the other kind is refused (invalid_argument
/// naming "step_id") before the inner machine sees it; an outcome the inner machine refuses
/// leaves the step in flight.
class step_relay {
public:
    step forward(step s) noexcept { return ids_.rename(held_, s); }

    template <class Machine>
    result<void> receive(Machine& m, std::uint32_t id, result<http_response> outcome) {
        return ids_.pass(holding(id), id, step_kind::send, true,
                         [&](std::uint32_t inner) { return m.receive(inner, std::move(outcome)); });
    }

    template <class Machine>
    result<void> receive_head(Machine& m, std::uint32_t id, const http_response& head) {
        return ids_.pass(holding(id), id, step_kind::send, false, [&](std::uint32_t inner) { return m.receive_head(inner, head); });
    }

    template <class Machine>
    result<void> receive_body(Machine& m, std::uint32_t id, std::span<const std::byte> bytes) {
        return ids_.pass(holding(id), id, step_kind::send, false, [&](std::uint32_t inner) { return m.receive_body(inner, bytes); });
    }

    template <class Machine>
    result<void> waited(Machine& m, std::uint32_t id) {
        return ids_.pass(holding(id), id, step_kind::wait, true, [&](std::uint32_t inner) { return m.waited(inner); });
    }

private:
    child_step* holding(std::uint32_t id) noexcept { return child_step_ids::holds(held_, id) ? &held_ : nullptr; }

    child_step_ids ids_{};
    child_step held_{};  // the inner machine's step in flight
};

}  // namespace coswire::detail
