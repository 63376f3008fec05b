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
