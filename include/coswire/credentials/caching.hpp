// SPDX-License-Identifier: MIT
// caching_provider: temporary credentials behind a refresh callable, renewed a margin before
// they expire, one refresh at a time, the old ones served while a refresh fails and they are
// still valid. Time comes from the caller's clock. See docs/credentials.md#caching.
#pragma once

#include <coswire/callback.hpp>
#include <coswire/credentials/static.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace coswire {

/// Credentials and the Unix second at which they stop working.
struct expiring_credentials {
    credentials creds{};
    std::int64_t expires_at = 0;
};

/// What a caching_provider needs.
struct caching_options {
    /// Fetches new credentials (e.g. from STS or the instance metadata service). Called with no
    /// lock held, never by two threads at once for the same provider.
    callback<result<expiring_credentials>()> refresh{};
    /// The current time in Unix seconds.
    callback<std::int64_t()> clock{};
    /// Refresh this many seconds before expires_at (the SDKs use 30 s to 10 min; 5 min here),
    /// or at half their lifetime when they were fetched with less than twice this left.
    std::int64_t refresh_margin = 300;
    /// After a failed refresh while the old credentials still serve, wait this many seconds
    /// before trying again, so a down metadata service is not asked on every request.
    std::int64_t retry_interval = 10;
};

/// A copyable handle to one shared cache (copies share it, so the copy inside a client and the
/// one the caller keeps for invalidate() are the same cache). Thread-safe; it starts no thread.
///
/// A call returns the cached credentials while now < expires_at - refresh_margin. Past that,
/// one caller refreshes; meanwhile other callers get the old credentials if they are still
/// valid (now < expires_at), else they wait for that refresh and share its outcome. A failed
/// refresh keeps the old credentials while they are valid (retrying after retry_interval) and
/// is returned once they have expired. Errors: the refresh's own; errc::invalid_argument naming
/// "options" when refresh or clock is missing or refresh_margin or retry_interval is negative;
/// errc::malformed_response naming "refresh" when it gives credentials without a SecretId or
/// SecretKey, or ones that have already expired.
class caching_provider {
public:
    explicit caching_provider(caching_options options) : state_(std::make_shared<state>(std::move(options))) {}

    result<credentials> operator()() const { return state_->get(); }

    /// Drops the cached credentials, so the next call refreshes (and waits for it). For a client
    /// that COS told the credentials are no longer valid (ExpiredToken, InvalidAccessKeyId).
    void invalidate() const { state_->invalidate(); }

private:
    struct state {
        explicit state(caching_options o) : options(std::move(o)) {}

        result<credentials> get() {
            if (!options.refresh || !options.clock)
                return make_error(errc::invalid_argument, "options", "caching_provider needs refresh and clock");
            if (options.refresh_margin < 0 || options.retry_interval < 0)
                return make_error(errc::invalid_argument, "options", "refresh_margin and retry_interval must not be negative");
            std::unique_lock<std::mutex> lock(mutex);
            for (;;) {
                const std::int64_t now = options.clock();
                const bool valid = cached && now < cached->expires_at;
                // Credentials that live shorter than twice the margin refresh at half their life.
                const std::int64_t margin = valid ? std::min(options.refresh_margin, (cached->expires_at - refreshed_at) / 2) : 0;
                const bool fresh = valid && now < cached->expires_at - margin;
                const bool resting = valid && last_failure && now < *last_failure + options.retry_interval;
                if (fresh || (valid && (refreshing || resting))) return cached->creds;
                if (!refreshing) return refresh_locked(lock, now);
                // Nothing valid to serve: wait for the refresh under way and share its outcome.
                const std::uint64_t awaited = generation;
                ready.wait(lock, [&] { return generation != awaited; });
                if (last_error && (!cached || options.clock() >= cached->expires_at)) return *last_error;
                // Otherwise look again: the new (or still valid old) credentials are served above.
            }
        }

        // Runs one refresh with the lock released; called with `refreshing` false.
        result<credentials> refresh_locked(std::unique_lock<std::mutex>& lock, std::int64_t now) {
            refreshing = true;
            lock.unlock();
            auto fetched = options.refresh();
            std::optional<error> failure;
            if (!fetched) {
                failure = std::move(fetched).error();
            } else if (auto ok = check_credentials(fetched->creds, "refresh"); !ok) {
                failure = make_error(errc::malformed_response, "refresh", std::move(ok).error().reason);
            } else if (fetched->expires_at <= now) {
                failure = make_error(errc::malformed_response, "refresh",
                                     "the new credentials expired at " + std::to_string(fetched->expires_at) +
                                         ", not after now (" + std::to_string(now) + ")");
            }
            lock.lock();
            refreshing = false;
            ++generation;
            if (failure) {
                last_error = failure;
                last_failure = now;
            } else {
                cached = std::move(*fetched);
                refreshed_at = now;
                last_error.reset();
                last_failure.reset();
            }
            ready.notify_all();
            if (failure && (!cached || now >= cached->expires_at)) return std::move(*failure);
            return cached->creds;
        }

        void invalidate() {
            const std::lock_guard<std::mutex> guard(mutex);
            cached.reset();
            last_failure.reset();
        }

        caching_options options;
        std::mutex mutex;
        std::condition_variable ready;  // signalled when a refresh ends
        std::optional<expiring_credentials> cached{};
        std::optional<error> last_error{};          // the latest refresh's failure, if it failed
        std::optional<std::int64_t> last_failure{};  // when it failed
        std::int64_t refreshed_at = 0;               // when `cached` was fetched
        bool refreshing = false;
        std::uint64_t generation = 0;  // counts finished refreshes
    };

    std::shared_ptr<state> state_;
};

}  // namespace coswire
