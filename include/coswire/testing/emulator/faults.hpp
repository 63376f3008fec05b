// SPDX-License-Identifier: MIT
// The emulator's fault injection: what a fault does, the random plan and its counters, and the
// injector that picks one fault per request from a script or a seeded draw.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <utility>

namespace coswire::testing {

/// What a fault does to one request.
enum class fault_kind {
    none,            ///< scripted only: serve the request normally (lets a script skip requests)
    internal_error,  ///< 500 InternalError; the request is not applied
    slow_down,       ///< 503 SlowDown; the request is not applied
    drop_before,     ///< errc::transport_failure; the request is not applied
    drop_after,      ///< the request is applied, then the client sees errc::transport_failure
    complete_error,  ///< Complete Multipart Upload only: 200 whose body is <Error> InternalError; not applied
    /// The request is applied and its answer starts: the head and the first half of the body
    /// (rounded down) reach a streaming caller's sink, then the connection fails with
    /// errc::transport_failure. A collecting call sees only the failure, as a client whose
    /// transport lost the connection mid-body does.
    cut_body,
};

/// Random faults, drawn per request from the emulator's seeded generator. Each probability is
/// in [0, 1] and their sum at most 1; complete_error applies to Complete requests only.
struct fault_plan {
    double internal_error = 0;
    double slow_down = 0;
    double drop_before = 0;
    double drop_after = 0;
    double complete_error = 0;
    double cut_body = 0;
    /// Seconds added to the emulator's clock: a server clock that is off (docs/protocol/signing.md#validity-and-clock-skew). Requests whose
    /// key time starts after the skewed server time get 403 RequestTimeTooSkewed.
    std::int64_t clock_offset = 0;
};

/// How many faults were injected, by kind.
struct fault_counters {
    std::uint64_t internal_error = 0;
    std::uint64_t slow_down = 0;
    std::uint64_t drop_before = 0;
    std::uint64_t drop_after = 0;
    std::uint64_t complete_error = 0;
    std::uint64_t cut_body = 0;
    std::uint64_t clock_skew = 0;  ///< 403 RequestTimeTooSkewed answers

    /// Sum of every counter.
    constexpr std::uint64_t total() const noexcept {
        return internal_error + slow_down + drop_before + drop_after + complete_error + cut_body + clock_skew;
    }
};

}  // namespace coswire::testing

namespace coswire::detail::emu {

/// Picks the fault of each request: the scripted queue first, else a draw against a fault_plan
/// from a generator seeded once, so a seed replays the same faults for the same requests.
class fault_injector {
public:
    explicit fault_injector(std::uint64_t seed) : rng_(seed) {}

    /// Appends `count` entries of `kind` to the script.
    void script(testing::fault_kind kind, std::size_t count) { script_.insert(script_.end(), count, kind); }

    /// Scripted entries not yet used.
    std::size_t pending() const noexcept { return script_.size(); }

    /// The fault of the next request. A complete_error entry at the front of the script waits
    /// for a Complete request (`is_complete`), letting other requests through unharmed.
    testing::fault_kind draw(const testing::fault_plan& plan, bool is_complete) {
        using testing::fault_kind;
        // One uniform draw per request keeps the random sequence aligned with the request count,
        // whatever is scripted.
        const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
        if (!script_.empty() && (script_.front() != fault_kind::complete_error || is_complete)) {
            const fault_kind kind = script_.front();
            script_.pop_front();
            return kind;
        }
        const std::array<std::pair<double, fault_kind>, 6> table{
            {{plan.internal_error, fault_kind::internal_error},
             {plan.slow_down, fault_kind::slow_down},
             {plan.drop_before, fault_kind::drop_before},
             {plan.drop_after, fault_kind::drop_after},
             {is_complete ? plan.complete_error : 0.0, fault_kind::complete_error},
             {plan.cut_body, fault_kind::cut_body}}};
        double edge = 0;
        for (const auto& [probability, kind] : table) {
            edge += probability;
            if (u < edge) return kind;
        }
        return fault_kind::none;
    }

private:
    std::mt19937_64 rng_;
    std::deque<testing::fault_kind> script_{};
};

/// How many bytes of a `size`-byte body a cut_body fault lets through: the first half, so a
/// body of one byte or none is cut before its first byte.
constexpr std::size_t cut_length(std::size_t size) noexcept { return size / 2; }

}  // namespace coswire::detail::emu
