// SPDX-License-Identifier: MIT
#include <coswire/credentials/caching.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

using coswire::caching_options;
using coswire::caching_provider;
using coswire::errc;
using coswire::expiring_credentials;
using coswire::result;

static_assert(std::is_convertible_v<caching_provider, coswire::callback<result<coswire::credentials>()>>);

namespace {

expiring_credentials issued(const std::string& id, std::int64_t expires_at) {
    return {.creds = {.secret_id = id, .secret_key = coswire::secret_string("key-" + id), .session_token = coswire::secret_string("tok-" + id)},
            .expires_at = expires_at};
}

// A fake clock and a refresh that answers from a script, counting its calls.
struct fixture {
    std::shared_ptr<std::int64_t> now = std::make_shared<std::int64_t>(1000);
    std::shared_ptr<std::deque<result<expiring_credentials>>> script = std::make_shared<std::deque<result<expiring_credentials>>>();
    std::shared_ptr<int> refreshes = std::make_shared<int>(0);

    caching_provider provider(std::int64_t margin = 300, std::int64_t retry = 10) const {
        return caching_provider(caching_options{
            .refresh = [script = script, refreshes = refreshes]() -> result<expiring_credentials> {
                ++*refreshes;
                if (script->empty()) return coswire::make_error(errc::transport_failure, "transport", "no scripted answer");
                auto next = std::move(script->front());
                script->pop_front();
                return next;
            },
            .clock = [now = now] { return *now; },
            .refresh_margin = margin,
            .retry_interval = retry,
        });
    }
};

}  // namespace

TEST_CASE("caching_provider: refreshes on first use, then serves the cache until the margin") {
    fixture f;
    f.script->push_back(issued("one", 1000 + 3600));
    f.script->push_back(issued("two", 1000 + 7200));
    const caching_provider p = f.provider();
    auto a = p();
    REQUIRE(a);
    CHECK(a->secret_id == "one");
    CHECK(a->session_token.reveal() == "tok-one");
    *f.now = 1000 + 3600 - 301;  // one second before the margin
    CHECK(p()->secret_id == "one");
    CHECK(*f.refreshes == 1);
    *f.now += 1;  // exactly expires_at - margin
    CHECK(p()->secret_id == "two");
    CHECK(*f.refreshes == 2);
    const caching_provider copy = p;  // copies share the cache
    CHECK(copy()->secret_id == "two");
    CHECK(*f.refreshes == 2);
}

TEST_CASE("caching_provider: credentials living less than twice the margin refresh at half their life") {
    fixture f;
    f.script->push_back(issued("short", 1000 + 200));
    f.script->push_back(issued("next", 1100 + 200));
    const caching_provider p = f.provider(300);
    CHECK(p()->secret_id == "short");
    *f.now = 1099;
    CHECK(p()->secret_id == "short");
    *f.now = 1100;
    CHECK(p()->secret_id == "next");
    CHECK(*f.refreshes == 2);
}

TEST_CASE("caching_provider: a failed refresh keeps the old credentials while valid, then returns the error") {
    fixture f;
    f.script->push_back(issued("one", 2000));
    f.script->push_back(coswire::make_error(errc::transport_failure, "transport", "metadata service down"));
    f.script->push_back(coswire::make_error(errc::transport_failure, "transport", "still down"));
    f.script->push_back(coswire::make_error(errc::transport_failure, "transport", "down at expiry"));
    f.script->push_back(issued("two", 9000));
    const caching_provider p = f.provider(300, 10);
    CHECK(p()->secret_id == "one");
    *f.now = 1700;  // inside the margin: refresh fails, the old ones serve
    CHECK(p()->secret_id == "one");
    CHECK(*f.refreshes == 2);
    *f.now = 1709;  // within retry_interval of the failure: no new attempt
    CHECK(p()->secret_id == "one");
    CHECK(*f.refreshes == 2);
    *f.now = 1710;
    CHECK(p()->secret_id == "one");
    CHECK(*f.refreshes == 3);
    *f.now = 2000;  // expired: the refresh's error comes back
    auto expired = p();
    REQUIRE_FALSE(expired);
    CHECK(expired.error().code == errc::transport_failure);
    CHECK(expired.error().reason == "down at expiry");
    CHECK(*f.refreshes == 4);
    CHECK(p()->secret_id == "two");  // expired: every call tries again
    CHECK(*f.refreshes == 5);
}

TEST_CASE("caching_provider: refuses refreshed credentials that are incomplete or already expired") {
    fixture f;
    f.script->push_back(issued("old", 1000));
    f.script->push_back(expiring_credentials{.creds = {.secret_id = "AKID", .session_token = coswire::secret_string("SECRET-TOKEN-1")}, .expires_at = 5000});
    const caching_provider p = f.provider();
    auto stale = p();
    REQUIRE_FALSE(stale);
    CHECK(stale.error().code == errc::malformed_response);
    CHECK(stale.error().argument == "refresh");
    CHECK(stale.error().reason == "the new credentials expired at 1000, not after now (1000)");
    auto incomplete = p();
    REQUIRE_FALSE(incomplete);
    CHECK(incomplete.error().reason == "the SecretKey is empty");
    CHECK(coswire::describe(incomplete.error()).find("SECRET-TOKEN-1") == std::string::npos);
}

TEST_CASE("caching_provider: invalidate() makes the next call refresh") {
    fixture f;
    f.script->push_back(issued("one", 9000));
    f.script->push_back(issued("two", 9000));
    f.script->push_back(coswire::make_error(errc::transport_failure, "transport", "down"));
    const caching_provider p = f.provider();
    CHECK(p()->secret_id == "one");
    const caching_provider held_by_client = p;
    held_by_client.invalidate();
    CHECK(p()->secret_id == "two");
    p.invalidate();
    auto after = p();  // the dropped credentials are not served again
    REQUIRE_FALSE(after);
    CHECK(after.error().reason == "down");
}

TEST_CASE("caching_provider: refuses missing or negative options") {
    auto no_clock = caching_provider(caching_options{.refresh = [] { return result<expiring_credentials>(issued("x", 1)); }})();
    REQUIRE_FALSE(no_clock);
    CHECK(no_clock.error().argument == "options");
    fixture f;
    auto negative = f.provider(-1)();
    REQUIRE_FALSE(negative);
    CHECK(negative.error().argument == "options");
    CHECK(*f.refreshes == 0);
}

namespace {
// Waits until pred() holds; gives up after a minute so a broken provider fails instead of hanging.
template <class Pred>
bool eventually(std::mutex& m, std::condition_variable& cv, Pred pred) {
    std::unique_lock<std::mutex> lock(m);
    return cv.wait_for(lock, std::chrono::minutes(1), pred);
}
}  // namespace

TEST_CASE("caching_provider: two threads asking with nothing cached cause one refresh and share it") {
    std::mutex m;
    std::condition_variable cv;
    int clock_calls = 0;
    std::atomic<int> refreshes = 0;
    const caching_provider p(caching_options{
        // The refresh holds on until the second thread has looked at the clock, i.e. is inside
        // the provider while the refresh is under way.
        .refresh = [&]() -> result<expiring_credentials> {
            ++refreshes;
            if (!eventually(m, cv, [&] { return clock_calls >= 2; }))
                return coswire::make_error(errc::transport_failure, "transport", "the second caller never came");
            return issued("shared", 5000);
        },
        .clock = [&]() -> std::int64_t {
            {
                const std::lock_guard<std::mutex> guard(m);
                ++clock_calls;
            }
            cv.notify_all();
            return 1000;
        },
    });
    result<coswire::credentials> a = coswire::make_error(errc::cancelled, "test", "not run");
    result<coswire::credentials> b = a;
    std::thread first([&] { a = p(); });
    std::thread second([&] { b = p(); });
    first.join();
    second.join();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->secret_id == "shared");
    CHECK(b->secret_id == "shared");
    CHECK(refreshes == 1);
}

TEST_CASE("caching_provider: while one thread refreshes, another gets the still-valid old credentials at once") {
    std::mutex m;
    std::condition_variable cv;
    bool other_served = false;
    std::atomic<int> refreshes = 0;
    std::atomic<std::int64_t> now = 1000;
    const caching_provider p(caching_options{
        .refresh = [&]() -> result<expiring_credentials> {
            if (++refreshes == 1) return issued("old", 2000);
            // The second refresh waits for the other thread to be served without it.
            if (!eventually(m, cv, [&] { return other_served; }))
                return coswire::make_error(errc::transport_failure, "transport", "the other caller waited for the refresh");
            return issued("new", 9000);
        },
        .clock = [&] { return now.load(); },
    });
    REQUIRE(p()->secret_id == "old");
    now = 1800;  // inside the margin, still valid
    result<coswire::credentials> refreshed = coswire::make_error(errc::cancelled, "test", "not run");
    std::thread refresher([&] { refreshed = p(); });
    // Ask until this call sees the refresh under way (before, it would start the refresh itself).
    result<coswire::credentials> served = coswire::make_error(errc::cancelled, "test", "not run");
    while (refreshes.load() < 2) std::this_thread::yield();
    served = p();
    {
        const std::lock_guard<std::mutex> guard(m);
        other_served = true;
    }
    cv.notify_all();
    refresher.join();
    REQUIRE(served);
    CHECK(served->secret_id == "old");
    REQUIRE(refreshed);
    CHECK(refreshed->secret_id == "new");
    CHECK(refreshes == 2);
    CHECK(p()->secret_id == "new");
}
