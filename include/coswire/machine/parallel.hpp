// SPDX-License-Identifier: MIT
// The threaded driver: serves one step machine from several threads, so a machine with N
// requests in flight gets N transport calls at once through a blocking transport. The parallel
// upload and download functions are this over their machines. Opt-in, because it starts threads;
// an event loop gets the same concurrency on one thread (docs/event-loop.md).
#pragma once

#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/machine/drive.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/result.hpp>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <utility>
#include <vector>

namespace coswire {

namespace detail {

/// The state the workers of one drive_parallel call share. Every call into the machine happens
/// with `mutex_` held; transport calls and waits happen without it.
template <class Machine, class Transport>
class parallel_driver {
public:
    parallel_driver(Machine& m, Transport& t, const sleeper& sleep) : machine_(m), transport_(t), sleep_(sleep) {}

    /// One worker: asks for a step, performs it unlocked, reports the outcome; until the machine
    /// is done or an outcome was refused.
    void work() {
        std::uint32_t serving = 0;  // the send step this worker performs, read by its sink
        std::optional<response_sink> to_machine;
        std::unique_lock<std::mutex> lock(mutex_);
        while (!finished_) {
            const step s = machine_.next();
            switch (s.kind) {
                case step_kind::send: {
                    serving = s.id;
                    if (s.streamed && !to_machine) to_machine.emplace(sink_for(serving));
                    const http_request& request = *s.request;  // the machine's, untouched until its outcome
                    ++in_flight_;
                    lock.unlock();
                    auto outcome = s.streamed ? send_streaming(transport_, request, *to_machine) : send_collected(transport_, request);
                    lock.lock();
                    --in_flight_;
                    if (!finished_) report(machine_.receive(s.id, std::move(outcome)));
                    break;
                }
                case step_kind::wait:
                    ++in_flight_;
                    lock.unlock();
                    sleep_(s.wait_ms);
                    lock.lock();
                    --in_flight_;
                    if (!finished_) report(machine_.waited(s.id));
                    break;
                case step_kind::idle:
                    if (in_flight_ == 0) {
                        report(machine_misused("the machine is idle with no step in flight"));
                        break;
                    }
                    outcome_reported_.wait(lock);
                    break;
                case step_kind::done:
                    finished_ = true;
                    outcome_reported_.notify_all();
                    break;
            }
        }
    }

    /// The machine's result, or the refusal that stopped the workers. Call after they all ended.
    auto take_result() -> decltype(std::declval<Machine&>().take_result()) {
        if (failure_) return std::move(*failure_);
        return machine_.take_result();
    }

private:
    /// A streamed response's head and body pieces, reported under the lock for step `serving`.
    /// Once the drive has failed they end the response at once instead.
    response_sink sink_for(const std::uint32_t& serving) {
        return response_sink{
            .head = [this, &serving](const http_response& head) -> result<void> {
                const std::lock_guard<std::mutex> guard(mutex_);
                if (finished_) return stopped();
                return machine_.receive_head(serving, head);
            },
            .body = [this, &serving](std::span<const std::byte> bytes) -> result<void> {
                const std::lock_guard<std::mutex> guard(mutex_);
                if (finished_) return stopped();
                return machine_.receive_body(serving, bytes);
            },
        };
    }

    /// Records the machine's answer to an outcome; the first refusal stops every worker. Wakes
    /// the workers waiting on an idle machine either way. Outcomes arriving after the machine is
    /// done or has failed are not reported to it.
    void report(result<void> fed) {
        if (!fed && !finished_) {
            failure_ = std::move(fed).error();
            finished_ = true;
        }
        outcome_reported_.notify_all();
    }

    static error stopped() { return make_error(errc::cancelled, "machine", "another step of this drive failed"); }

    Machine& machine_;
    Transport& transport_;
    const sleeper& sleep_;
    std::mutex mutex_;
    std::condition_variable outcome_reported_;
    std::size_t in_flight_ = 0;  // steps handed to workers and not yet reported
    bool finished_ = false;
    std::optional<error> failure_;
};

}  // namespace detail

/// Runs `m` until it is done, like drive(), with `threads` workers taking its steps: the calling
/// thread and threads - 1 more. A worker asks the machine for a step, performs it without holding
/// any lock (a send through send_collected or send_streaming, a wait through `sleep`) and reports
/// the outcome; a worker that finds the machine idle waits until another reports. The machine is
/// only ever called under one mutex, so it needs no locking of its own and sees the same calls as
/// under drive(); the transport and `sleep` are called from several threads at once and must
/// allow it. How many requests are in flight is the machine's choice (its next() says idle when
/// it wants no more); threads beyond that wait. Errors: invalid_argument naming "threads" for 0;
/// the machine's result; otherwise, should the machine refuse an outcome or stall (idle with
/// nothing in flight), that refusal, after every worker has ended.
template <step_machine Machine, transport Transport>
auto drive_parallel(Machine& m, Transport& t, const sleeper& sleep, std::uint32_t threads) -> decltype(m.take_result()) {
    if (threads == 0) return make_error(errc::invalid_argument, "threads", "must be at least 1");
    detail::parallel_driver<Machine, Transport> driver(m, t, sleep);
    std::vector<std::thread> others;
    others.reserve(threads - 1);
    for (std::uint32_t i = 1; i < threads; ++i) others.emplace_back([&driver] { driver.work(); });
    driver.work();
    for (std::thread& other : others) other.join();
    return driver.take_result();
}

}  // namespace coswire
