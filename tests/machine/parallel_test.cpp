// SPDX-License-Identifier: MIT
#include <coswire/machine/parallel.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

using coswire::errc;
using coswire::http_request;
using coswire::http_response;
using coswire::step;
using coswire::step_kind;

namespace {

/// A machine that sends `total` requests with at most `width` in flight (and, when asked, a wait
/// before each), and is done once every answer came back. It checks the driver's side of the
/// contract: every outcome is for a step it issued, once, and a streamed step's head and body
/// arrive for that step before its outcome.
struct fan_out {
    std::uint32_t total = 0;
    std::uint32_t width = 1;
    bool streamed = false;
    bool waits = false;
    std::uint32_t refuse = 0;  // the send step whose outcome it refuses (0: none)

    static constexpr std::uint32_t capacity = 8;
    std::deque<http_request> requests{};  // grows at the back only, so issued requests stay put
    coswire::detail::steps_in_flight<capacity> in_flight{};
    std::vector<std::uint32_t> waited_for{};  // wait ids done, so the next send may go
    std::uint32_t issued = 0;
    std::uint32_t answered = 0;
    std::uint32_t waits_pending = 0;
    std::set<std::uint32_t> heads{};     // streamed steps whose head arrived
    std::size_t body_bytes = 0;
    std::vector<std::string> errors{};  // contract breaches seen

    step next() {
        if (answered == total) return {.kind = step_kind::done};
        if (issued == total || in_flight.size() == width) return {.kind = step_kind::idle};
        if (waits && waits_pending == 0 && waited_for.size() == issued) {
            ++waits_pending;
            return {.kind = step_kind::wait, .id = in_flight.issue(step_kind::wait), .wait_ms = 7};
        }
        if (waits && waits_pending > 0) return {.kind = step_kind::idle};
        http_request& r = requests.emplace_back(http_request{.method = "GET", .host = "h", .path = "/" + std::to_string(issued), .wire_path = "/" + std::to_string(issued)});
        ++issued;
        return {.kind = step_kind::send, .id = in_flight.issue(step_kind::send), .request = &r, .streamed = streamed};
    }
    coswire::result<void> receive(std::uint32_t id, coswire::result<http_response> outcome) {
        if (auto ok = in_flight.settle(id, step_kind::send); !ok) return ok;
        if (id == refuse) return coswire::make_error(errc::invalid_argument, "step_id", "refused on purpose");
        if (!outcome) errors.push_back("transport failed: " + outcome.error().reason);
        if (streamed && heads.count(id) == 0) errors.push_back("no head before the outcome of " + std::to_string(id));
        ++answered;
        return {};
    }
    coswire::result<void> receive_head(std::uint32_t id, const http_response&) {
        if (auto ok = in_flight.check(id, step_kind::send); !ok) return ok;
        heads.insert(id);
        return {};
    }
    coswire::result<void> receive_body(std::uint32_t id, std::span<const std::byte> bytes) {
        if (auto ok = in_flight.check(id, step_kind::send); !ok) return ok;
        body_bytes += bytes.size();
        return {};
    }
    coswire::result<void> waited(std::uint32_t id) {
        if (auto ok = in_flight.settle(id, step_kind::wait); !ok) return ok;
        --waits_pending;
        waited_for.push_back(id);
        return {};
    }
    coswire::result<std::uint32_t> take_result() { return answered; }
    bool may_have_repeated() const { return false; }
};

/// A thread-safe transport that answers 200 with a 3-byte body and records how many calls were
/// inside it at once. Each call waits (bounded) until `expected_together` calls are inside, so a
/// driver that serialises calls is seen as such rather than by luck of timing.
struct gathering_transport {
    std::size_t expected_together = 1;
    std::mutex mutex{};
    std::condition_variable changed{};
    std::size_t inside = 0;
    std::size_t most_inside = 0;
    std::size_t calls = 0;
    std::set<std::thread::id> threads{};

    void gather() {
        std::unique_lock<std::mutex> lock(mutex);
        ++calls;
        threads.insert(std::this_thread::get_id());
        most_inside = std::max(most_inside, ++inside);
        changed.notify_all();
        // A liveness guard, not a timing assertion: the outcome is checked through most_inside.
        changed.wait_for(lock, std::chrono::seconds(5), [&] { return most_inside >= expected_together; });
        --inside;
    }
    coswire::result<http_response> operator()(const http_request&) {
        gather();
        return http_response{.status = 200, .headers = {}, .body = "abc"};
    }
    coswire::result<http_response> operator()(const http_request&, coswire::response_sink& sink) {
        gather();
        const http_response head{.status = 200, .headers = {}, .body = {}};
        if (auto ok = sink.head(head); !ok) return std::move(ok).error();
        const std::string body = "abc";
        if (auto ok = sink.body(std::as_bytes(std::span<const char>(body))); !ok) return std::move(ok).error();
        return head;
    }
};

const coswire::sleeper no_sleep = [](std::uint32_t) {};

}  // namespace

TEST_CASE("drive_parallel: as many calls at once as the machine allows, every outcome reported once") {
    for (const bool streamed : {false, true}) {
        CAPTURE(streamed);
        fan_out m{.total = 40, .width = 4, .streamed = streamed};
        gathering_transport t{.expected_together = 4};
        auto r = coswire::drive_parallel(m, t, no_sleep, 4);
        REQUIRE(r);
        CHECK(*r == 40);
        CHECK(t.calls == 40);
        CHECK(t.most_inside == 4);
        CHECK(t.threads.size() == 4);
        CHECK(m.errors.empty());
        CHECK(m.body_bytes == (streamed ? 40u * 3u : 0u));
    }
}

TEST_CASE("drive_parallel: the machine's width bounds the calls, not the thread count") {
    fan_out m{.total = 12, .width = 2};
    gathering_transport t{.expected_together = 2};
    auto r = coswire::drive_parallel(m, t, no_sleep, 6);
    REQUIRE(r);
    CHECK(*r == 12);
    CHECK(t.most_inside == 2);
}

TEST_CASE("drive_parallel: one thread is drive() on the calling thread") {
    fan_out m{.total = 5, .width = 3};
    gathering_transport t{.expected_together = 1};
    auto r = coswire::drive_parallel(m, t, no_sleep, 1);
    REQUIRE(r);
    CHECK(*r == 5);
    CHECK(t.most_inside == 1);
    CHECK(t.threads == std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST_CASE("drive_parallel: wait steps go through the sleeper") {
    fan_out m{.total = 6, .width = 2, .waits = true};
    gathering_transport t;
    std::mutex guard;
    std::vector<std::uint32_t> slept;
    const coswire::sleeper sleep = [&](std::uint32_t ms) {
        const std::lock_guard<std::mutex> lock(guard);
        slept.push_back(ms);
    };
    auto r = coswire::drive_parallel(m, t, sleep, 3);
    REQUIRE(r);
    CHECK(*r == 6);
    CHECK(slept == std::vector<std::uint32_t>(6, 7));
}

TEST_CASE("drive_parallel: a refused outcome or a stalled machine ends every worker with the error") {
    SUBCASE("refused") {
        fan_out m{.total = 30, .width = 3, .refuse = 5};
        gathering_transport t;
        auto r = coswire::drive_parallel(m, t, no_sleep, 3);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().reason == "refused on purpose");
        CHECK(m.answered < 30);
    }
    SUBCASE("stalled") {
        fan_out m{.total = 3, .width = 0};  // never sends, never finishes
        gathering_transport t;
        auto r = coswire::drive_parallel(m, t, no_sleep, 2);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "machine");
        CHECK(t.calls == 0);
    }
    SUBCASE("no threads") {
        fan_out m{.total = 1, .width = 1};
        gathering_transport t;
        auto r = coswire::drive_parallel(m, t, no_sleep, 0);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "threads");
        CHECK(t.calls == 0);
    }
}
