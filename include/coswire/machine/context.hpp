// SPDX-License-Identifier: MIT
// What the operation machines of one client share: the endpoint, the credentials provider, the
// clock, the signing and retry options, the backoff jitter and the clock offset learnt from the
// server (docs/protocol/signing.md#validity-and-clock-skew, docs/protocol/errors.md#retry-classification).
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/callback.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/authorization.hpp>
#include <coswire/sign/credentials.hpp>

#include <cstdint>
#include <utility>

namespace coswire {

/// How the client signs and retries.
struct client_options {
    std::int64_t signature_lifetime = 900;  ///< seconds each signature stays valid
    std::int64_t signature_backdate = 60;   ///< seconds the window starts before "now", absorbing small skew
    std::uint32_t max_attempts = 4;         ///< attempts per operation, first one included (>= 1)
    std::uint32_t backoff_base_ms = 100;    ///< first retry waits up to this, doubling each time
    std::uint32_t backoff_max_ms = 10000;   ///< cap of one wait
    std::uint64_t jitter_seed = 0;          ///< seeds the jitter: randomness is a parameter too
    sign_options signing{};                   ///< header selection
    /// Called when COS answers ExpiredToken (the temporary credentials' session token expired),
    /// before the one retry that asks the credentials provider again: make the provider drop what
    /// it holds, e.g. [&cache] { cache.invalidate(); } for a caching_provider
    /// (docs/credentials.md). Unset: ExpiredToken fails the operation.
    callback<void()> refresh_credentials{};
};

namespace detail {

/// The backoff jitter source: splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom
/// number generators", 2014), seeded with client_options::jitter_seed. Statistically fine for
/// spreading retries, not for secrets; and, unlike <random>, nearly free to compile.
class jitter_generator {
public:
    explicit jitter_generator(std::uint64_t seed) noexcept : state_(seed) {}
    std::uint64_t operator()() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15u);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
        return z ^ (z >> 31);
    }

private:
    std::uint64_t state_;
};

}  // namespace detail

/// Supplies credentials for each attempt; temporary (STS) credentials refresh behind it.
using credentials_provider = callback<result<credentials>()>;
/// Returns the current Unix time in seconds. The library never reads a clock itself.
using clock_source = callback<std::int64_t()>;

template <class Parse>
class operation_machine;

/// The state every operation machine of one client shares, so that a clock offset learnt by one
/// request signs the next and the jitter sequence runs on across operations. A client holds one;
/// an event loop makes its own and lends it to the machines it drives (they keep a reference:
/// it must outlive them, and on one thread only).
class operation_context {
public:
    operation_context(endpoint ep, credentials_provider provider, clock_source clock, client_options options = {})
        : endpoint_(std::move(ep)), provider_(std::move(provider)), clock_(std::move(clock)), options_(std::move(options)),
          jitter_(options_.jitter_seed) {}

    /// Fixed credentials.
    operation_context(endpoint ep, credentials creds, clock_source clock, client_options options = {})
        : operation_context(std::move(ep), [c = std::move(creds)]() -> result<credentials> { return c; }, std::move(clock),
                            std::move(options)) {}

    /// The endpoint every request goes to: its scheme, Host and bucket.
    const endpoint& bucket_endpoint() const noexcept { return endpoint_; }
    const client_options& options() const noexcept { return options_; }
    /// Seconds added to the local clock, learnt from the server (0 until a skew was corrected).
    std::int64_t clock_offset() const noexcept { return clock_offset_; }

private:
    template <class Parse>
    friend class operation_machine;

    result<credentials> fetch_credentials() const { return provider_(); }
    /// The server's time as far as we know: the local clock plus the learnt offset.
    std::int64_t now() const { return clock_() + clock_offset_; }
    void correct_clock(std::int64_t server_time) { clock_offset_ = server_time - clock_(); }

    /// Full jitter: a uniform wait in [0, min(cap, base * 2^(attempt-1))].
    std::uint32_t backoff(std::uint32_t attempt) {
        const std::uint64_t doubled = std::uint64_t{options_.backoff_base_ms} << (attempt - 1 < 20 ? attempt - 1 : 20);
        const std::uint64_t ceiling = doubled < options_.backoff_max_ms ? doubled : std::uint64_t{options_.backoff_max_ms};
        return static_cast<std::uint32_t>(jitter_() % (ceiling + 1));
    }

    endpoint endpoint_;
    credentials_provider provider_;
    clock_source clock_;
    client_options options_;
    detail::jitter_generator jitter_;
    std::int64_t clock_offset_ = 0;
};

}  // namespace coswire
