// SPDX-License-Identifier: MIT
#include <coswire/machine/step.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <span>
#include <string>

using coswire::errc;
using coswire::step_kind;

namespace {

/// The smallest machine the concept accepts: done at once with 7.
struct answer_seven {
    coswire::step next() { return {}; }
    coswire::result<void> receive(std::uint32_t, coswire::result<coswire::http_response>) { return {}; }
    coswire::result<void> receive_head(std::uint32_t, const coswire::http_response&) { return {}; }
    coswire::result<void> receive_body(std::uint32_t, std::span<const std::byte>) { return {}; }
    coswire::result<void> waited(std::uint32_t) { return {}; }
    coswire::result<int> take_result() { return 7; }
    bool may_have_repeated() const { return false; }
};

/// The same without waited: not a step machine.
struct never_waits {
    coswire::step next() { return {}; }
    coswire::result<void> receive(std::uint32_t, coswire::result<coswire::http_response>) { return {}; }
    coswire::result<void> receive_head(std::uint32_t, const coswire::http_response&) { return {}; }
    coswire::result<void> receive_body(std::uint32_t, std::span<const std::byte>) { return {}; }
    coswire::result<int> take_result() { return 7; }
    bool may_have_repeated() const { return false; }
};

}  // namespace

static_assert(coswire::step_machine<answer_seven>);
static_assert(!coswire::step_machine<never_waits>);
static_assert(!coswire::step_machine<int>);

TEST_CASE("step: a default step is done and names nothing") {
    const coswire::step s;
    CHECK(s.kind == step_kind::done);
    CHECK(s.id == 0);
    CHECK(s.request == nullptr);
    CHECK_FALSE(s.streamed);
    CHECK(s.wait_ms == 0);
}

TEST_CASE("steps_in_flight: ids count up from 1 and are never reused") {
    coswire::detail::steps_in_flight<2> steps;
    const std::uint32_t a = steps.issue(step_kind::send);
    const std::uint32_t b = steps.issue(step_kind::wait);
    CHECK(a == 1);
    CHECK(b == 2);
    CHECK(steps.size() == 2);
    REQUIRE(steps.settle(a, step_kind::send));
    CHECK(steps.issue(step_kind::send) == 3);
    CHECK(steps.check(b, step_kind::wait));
    CHECK(steps.check(3, step_kind::send));
}

TEST_CASE("steps_in_flight: an outcome for a step never issued, already answered or of another kind is refused, changing nothing") {
    coswire::detail::steps_in_flight<2> steps;
    const std::uint32_t id = steps.issue(step_kind::send);

    SUBCASE("never issued") {
        for (std::uint32_t wrong : {0u, 2u, 1000u}) {
            auto r = steps.settle(wrong, step_kind::send);
            REQUIRE_FALSE(r);
            CHECK(r.error().code == errc::invalid_argument);
            CHECK(r.error().argument == "step_id");
            CHECK(r.error().reason.find("never issued") != std::string::npos);
        }
    }
    SUBCASE("answered twice") {
        REQUIRE(steps.settle(id, step_kind::send));
        auto r = steps.settle(id, step_kind::send);
        REQUIRE_FALSE(r);
        CHECK(r.error().reason == "step 1 has already been answered");
        CHECK(steps.size() == 0);
    }
    SUBCASE("a wait's outcome for a send") {
        auto r = steps.settle(id, step_kind::wait);
        REQUIRE_FALSE(r);
        CHECK(r.error().reason == "step 1 is a send step, not a wait step");
        CHECK(steps.size() == 1);
        CHECK(steps.settle(id, step_kind::send));
    }
}

TEST_CASE("steps_in_flight: steps settle in any order") {
    coswire::detail::steps_in_flight<3> steps;
    const std::uint32_t a = steps.issue(step_kind::send), b = steps.issue(step_kind::send), c = steps.issue(step_kind::wait);
    REQUIRE(steps.settle(b, step_kind::send));
    REQUIRE(steps.settle(c, step_kind::wait));
    CHECK_FALSE(steps.check(b, step_kind::send));
    REQUIRE(steps.settle(a, step_kind::send));
    CHECK(steps.size() == 0);
}

TEST_CASE("child_step_ids: children's steps get one sequence of ids, and outcomes reach the child under its own id") {
    coswire::detail::child_step_ids ids;
    coswire::detail::child_step first{}, second{};
    // Two children that both count from 1.
    const coswire::step a = ids.rename(first, {.kind = step_kind::send, .id = 1});
    const coswire::step b = ids.rename(second, {.kind = step_kind::wait, .id = 1, .wait_ms = 30});
    CHECK(a.id == 1);
    CHECK(b.id == 2);
    CHECK(b.wait_ms == 30);
    CHECK(ids.rename(second, {.kind = step_kind::idle}).kind == step_kind::idle);  // idle and done keep no slot
    CHECK(second.outer == 2);
    CHECK(coswire::detail::child_step_ids::holds(first, 1));
    CHECK_FALSE(coswire::detail::child_step_ids::holds(first, 2));
    CHECK_FALSE(coswire::detail::child_step_ids::holds(coswire::detail::child_step{}, 0));

    std::uint32_t seen = 0;
    const auto take = [&](std::uint32_t inner) {
        seen = inner;
        return coswire::result<void>{};
    };
    const auto refuse = [](std::uint32_t) -> coswire::result<void> { return coswire::detail::machine_misused("not now"); };

    // A report that does not settle, and one the child refuses, leave the step in flight.
    REQUIRE(ids.pass(&first, a.id, step_kind::send, false, take));
    CHECK(seen == 1);
    CHECK(ids.pass(&first, a.id, step_kind::send, true, refuse).error().argument == "machine");
    CHECK(first.outer == a.id);
    // Misuse is refused before the child sees it.
    seen = 0;
    CHECK(ids.pass(&first, a.id, step_kind::wait, true, take).error().reason == "step 1 is a send step, not a wait step");
    CHECK(ids.pass(nullptr, 9, step_kind::send, true, take).error().reason == "step 9 was never issued");
    CHECK(seen == 0);
    // The settling report empties the slot; the id is then answered.
    REQUIRE(ids.pass(&second, b.id, step_kind::wait, true, take));
    CHECK(second.outer == 0);
    const auto again = ids.check(nullptr, b.id, step_kind::wait);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == errc::invalid_argument);
    CHECK(again.error().argument == "step_id");
    CHECK(again.error().reason == "step 2 has already been answered");
}
