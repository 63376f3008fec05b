// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/faults.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

using coswire::detail::emu::cut_length;
using coswire::detail::emu::fault_injector;
using coswire::testing::fault_kind;
using coswire::testing::fault_plan;

TEST_CASE("fault_injector: the script wins, in order; complete_error waits for a Complete") {
    fault_injector f(1);
    f.script(fault_kind::slow_down, 2);
    f.script(fault_kind::complete_error, 1);
    f.script(fault_kind::cut_body, 1);
    CHECK(f.pending() == 4);
    CHECK(f.draw({}, false) == fault_kind::slow_down);
    CHECK(f.draw({}, false) == fault_kind::slow_down);
    CHECK(f.draw({}, false) == fault_kind::none);  // complete_error lets this one through
    CHECK(f.pending() == 2);
    CHECK(f.draw({}, true) == fault_kind::complete_error);
    CHECK(f.draw({.internal_error = 1}, false) == fault_kind::cut_body);  // scripted beats random
    CHECK(f.pending() == 0);
    CHECK(f.draw({}, true) == fault_kind::none);
}

TEST_CASE("fault_injector: random draws follow the plan and replay for a seed") {
    const fault_plan plan{.internal_error = 0.2, .drop_after = 0.2, .complete_error = 0.2, .cut_body = 0.2};
    fault_injector a(7), b(7), c(8);
    std::vector<fault_kind> first, second, other;
    std::size_t cuts = 0, completes = 0;
    for (int i = 0; i < 2000; ++i) {
        first.push_back(a.draw(plan, false));
        second.push_back(b.draw(plan, false));
        other.push_back(c.draw(plan, false));
        if (first.back() == fault_kind::cut_body) ++cuts;
        if (first.back() == fault_kind::complete_error) ++completes;
    }
    CHECK(first == second);
    CHECK(first != other);
    CHECK(completes == 0);  // never for a request that is not a Complete
    CHECK(cuts > 300);
    CHECK(cuts < 500);
    CHECK(fault_injector(3).draw({.cut_body = 1}, false) == fault_kind::cut_body);
    CHECK(fault_injector(3).draw({.complete_error = 1}, true) == fault_kind::complete_error);
}

TEST_CASE("fault_injector: a script does not shift the random sequence") {
    const fault_plan plan{.slow_down = 0.5};
    fault_injector plain(11), scripted(11);
    scripted.script(fault_kind::drop_before, 1);
    static_cast<void>(plain.draw(plan, false));
    CHECK(scripted.draw(plan, false) == fault_kind::drop_before);
    for (int i = 0; i < 50; ++i) CHECK(plain.draw(plan, false) == scripted.draw(plan, false));
}

TEST_CASE("cut_length: the first half, so one byte or none is cut before its first byte") {
    CHECK(cut_length(0) == 0);
    CHECK(cut_length(1) == 0);
    CHECK(cut_length(2) == 1);
    CHECK(cut_length(7) == 3);
    CHECK(cut_length(1u << 20) == 1u << 19);
}

TEST_CASE("fault_counters: total counts every kind") {
    const coswire::testing::fault_counters c{.internal_error = 1,
                                             .slow_down = 2,
                                             .drop_before = 3,
                                             .drop_after = 4,
                                             .complete_error = 5,
                                             .cut_body = 6,
                                             .clock_skew = 7};
    CHECK(c.total() == 28);
}
