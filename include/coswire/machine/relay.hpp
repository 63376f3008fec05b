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

/// Relays the one step in flight of a sequence of inner machines: forward() gives an inner
/// machine's send or wait step a fresh outer id, and the reporting members turn an outer id back
/// into the inner machine's before passing the outcome on. An id never issued, one already
/// answered, or one of the other kind is refused (invalid_argument naming "step_id") before the
/// inner machine sees it; an outcome the inner machine refuses leaves the step in flight.
class step_relay {
public:
    step forward(step s) {
        if (s.kind == step_kind::send || s.kind == step_kind::wait) {
            inner_ = s.id;
            s.id = outer_.issue(s.kind);
        }
        return s;
    }

    template <class Machine>
    result<void> receive(Machine& m, std::uint32_t id, result<http_response> outcome) {
        if (auto ok = outer_.check(id, step_kind::send); !ok) return ok;
        auto fed = m.receive(inner_, std::move(outcome));
        if (fed) (void)outer_.settle(id, step_kind::send);
        return fed;
    }

    template <class Machine>
    result<void> receive_head(Machine& m, std::uint32_t id, const http_response& head) {
        if (auto ok = outer_.check(id, step_kind::send); !ok) return ok;
        return m.receive_head(inner_, head);
    }

    template <class Machine>
    result<void> receive_body(Machine& m, std::uint32_t id, std::span<const std::byte> bytes) {
        if (auto ok = outer_.check(id, step_kind::send); !ok) return ok;
        return m.receive_body(inner_, bytes);
    }

    template <class Machine>
    result<void> waited(Machine& m, std::uint32_t id) {
        if (auto ok = outer_.check(id, step_kind::wait); !ok) return ok;
        auto fed = m.waited(inner_);
        if (fed) (void)outer_.settle(id, step_kind::wait);
        return fed;
    }

private:
    steps_in_flight<1> outer_{};
    std::uint32_t inner_ = 0;  // the inner machine's id of the step in flight
};

}  // namespace coswire::detail
