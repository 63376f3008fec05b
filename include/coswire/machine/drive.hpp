// SPDX-License-Identifier: MIT
// The blocking driver: runs any step machine to its end through a transport and a sleeper, one
// step at a time. The client's calls and the whole-listing functions are this loop over their
// machines, so they share one engine with an event loop (docs/event-loop.md).
#pragma once

#include <coswire/callback.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>

namespace coswire {

/// Waits the given number of milliseconds (tests pass one that only records).
using sleeper = callback<void(std::uint32_t)>;

/// Runs `m` until it is done and returns its result: each send step goes through
/// send_collected(t, request), or send_streaming(t, request, sink) for a streamed one whose head
/// and body pieces are reported to the machine as they arrive; each wait step through `sleep`.
/// Steps are answered one at a time, in order. Errors: the machine's result; and, should the
/// machine refuse an outcome or stall, that refusal (invalid_argument naming "step_id" or "machine").
template <step_machine Machine, transport Transport>
auto drive(Machine& m, Transport& t, const sleeper& sleep) -> decltype(m.take_result()) {
    std::uint32_t current = 0;
    std::optional<response_sink> to_machine;  // made at the first streamed step: collected ones need none
    for (;;) {
        const step s = m.next();
        switch (s.kind) {
            case step_kind::send: {
                current = s.id;
                if (s.streamed && !to_machine)
                    to_machine.emplace(response_sink{
                        .head = [&m, &current](const http_response& head) { return m.receive_head(current, head); },
                        .body = [&m, &current](std::span<const std::byte> bytes) { return m.receive_body(current, bytes); },
                    });
                auto outcome = s.streamed ? send_streaming(t, *s.request, *to_machine) : send_collected(t, *s.request);
                if (auto fed = m.receive(s.id, std::move(outcome)); !fed) return std::move(fed).error();
                break;
            }
            case step_kind::wait:
                sleep(s.wait_ms);
                if (auto fed = m.waited(s.id); !fed) return std::move(fed).error();
                break;
            case step_kind::idle:
                // Every step is answered before the next is asked for, so nothing is in flight.
                return detail::machine_misused("the machine is idle with no step in flight");
            case step_kind::done:
                return m.take_result();
        }
    }
}

}  // namespace coswire
