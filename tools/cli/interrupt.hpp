// SPDX-License-Identifier: MIT
// SIGINT/SIGTERM for the coswire CLI's long transfers: the first signal asks the running
// transfer to stop at its next part or range (the drivers poll `cancelled`), so `put` can abort
// its upload and `get` can keep its checkpoint; a second signal ends the process at once.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace cli {

namespace detail {
inline std::atomic<int>& received_signal() {
    static std::atomic<int> number{0};
    return number;
}

inline void on_stop_signal(int number) {
    if (received_signal().exchange(number) != 0) {
        // A second signal: the user does not want to wait for the transfer to wind down.
        ::signal(number, SIG_DFL);
        ::raise(number);
    }
}
}  // namespace detail

static_assert(std::atomic<int>::is_always_lock_free, "the handler may only touch a lock-free atomic");

/// Installs the handler for SIGINT and SIGTERM. Call once, before the transfer starts.
inline void catch_stop_signals() {
    struct ::sigaction action {};
    action.sa_handler = detail::on_stop_signal;
    ::sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

/// True once SIGINT or SIGTERM arrived: the drivers' `cancelled` callback.
inline bool stop_requested() { return detail::received_signal().load() != 0; }

/// The signal that arrived (SIGINT or SIGTERM), 0 when none did; the exit status of an
/// interrupted command is 128 + this number, as a shell reports a process the signal ended.
inline int stop_signal() { return detail::received_signal().load(); }

}  // namespace cli
