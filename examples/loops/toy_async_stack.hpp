// SPDX-License-Identifier: MIT
// A stand-in for an asynchronous HTTP stack and its timers, for examples/event_loop.cpp: start()
// returns at once and run_one() later completes one exchange, the newest first, so answers
// arrive out of the order they were asked in. The answers come from the in-process COS emulator;
// the timers run on a virtual clock, so backoff costs no real time. A real program has libcurl
// multi, Asio, Qt or libuv here.
#pragma once

#include <coswire/callback.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator.hpp>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace coswire::examples {

/// Called with the outcome of one exchange.
using completion = callback<void(result<http_response>)>;

/// Exchanges started and not yet completed; each is answered by the emulator when completed.
class toy_async_http {
public:
    explicit toy_async_http(testing::cos_emulator& server) : server_(&server) {}

    /// Starts an exchange; `request` must stay valid until `done` has been called.
    void start(const http_request& request, completion done) { started_.emplace_back(&request, std::move(done)); }

    /// Completes the newest exchange; false when none is left.
    bool run_one() {
        if (started_.empty()) return false;
        auto [request, done] = std::move(started_.back());
        started_.pop_back();
        done((*server_)(*request));
        return true;
    }

private:
    testing::cos_emulator* server_;
    std::vector<std::pair<const http_request*, completion>> started_;
};

/// Timers on a virtual clock: run_one() jumps to the earliest and fires it.
class toy_timers {
public:
    void after(std::uint32_t ms, callback<void()> fire) { due_.emplace(now_ms_ + ms, std::move(fire)); }

    /// Fires the earliest timer; false when none is left.
    bool run_one() {
        if (due_.empty()) return false;
        now_ms_ = due_.begin()->first;
        auto fire = std::move(due_.begin()->second);
        due_.erase(due_.begin());
        fire();
        return true;
    }

    /// Milliseconds of virtual time gone by.
    std::uint64_t now_ms() const noexcept { return now_ms_; }

private:
    std::multimap<std::uint64_t, callback<void()>> due_;
    std::uint64_t now_ms_ = 0;
};

}  // namespace coswire::examples
