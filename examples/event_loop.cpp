// examples/event_loop.cpp: drive coswire's step machines from a one-thread event loop
#include <coswire/coswire.hpp>
#include <coswire/testing/emulator.hpp>

#include "loops/toy_async_stack.hpp"  // stands in for libcurl multi, Asio, Qt or libuv

#include <cstdio>
#include <string>
#include <vector>

using coswire::examples::toy_async_http;
using coswire::examples::toy_timers;

// The driver: start every step the machine asks for; each completion reports back and asks again.
template <coswire::step_machine Machine>
void pump(Machine& m, toy_async_http& http, toy_timers& timers) {
    for (;;) {
        const coswire::step s = m.next();
        switch (s.kind) {
            case coswire::step_kind::send:  // s.request stays valid until its outcome is reported
                http.start(*s.request, [&m, &http, &timers, id = s.id](coswire::result<coswire::http_response> r) {
                    if (m.receive(id, std::move(r))) pump(m, http, timers);
                });
                break;
            case coswire::step_kind::wait:
                timers.after(s.wait_ms, [&m, &http, &timers, id = s.id] {
                    if (m.waited(id)) pump(m, http, timers);
                });
                break;
            case coswire::step_kind::idle:  // the rest waits for a completion
            case coswire::step_kind::done:  // take_result() once the loop has run dry
                return;
        }
    }
}

// The loop itself: completions first, then the earliest timer, until nothing is left.
void run(toy_async_http& http, toy_timers& timers) {
    while (http.run_one() || timers.run_one()) {
    }
}

int fail(const coswire::error& e) {
    std::fprintf(stderr, "error: %s\n", coswire::describe(e).c_str());
    return 1;
}

int main() {
    const coswire::credentials creds{.secret_id = "AKIDexample", .secret_key = coswire::secret_string("example-secret")};
    coswire::testing::emulator_options o;
    o.accepted = {creds};
    o.seed = 3;                                       // seeded fault draws: every run sees the same faults
    o.faults = {.internal_error = 0.2, .slow_down = 0.2};  // answers the machines retry after a wait
    coswire::testing::cos_emulator server(o);
    toy_async_http http(server);
    toy_timers timers;
    coswire::operation_context context(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds,
                                       [&server] { return server.server_time(); });

    // Three uploads in flight at once on this one thread; a machine must stay put while pumped.
    std::vector<coswire::operation_machine<coswire::operation_parser<coswire::put_object_params>>> puts;
    puts.reserve(3);
    for (std::string text : {"one", "two", "three"})
        puts.push_back(coswire::make_operation_machine(context, coswire::put_object_params{.key = "logs/" + text, .body = text}));
    for (auto& m : puts) pump(m, http, timers);
    run(http, timers);
    for (auto& m : puts)
        if (auto put = m.take_result(); !put) return fail(put.error());

    // Then the whole listing, one key a page.
    coswire::list_objects_params first;
    first.prefix = "logs/";
    first.max_keys = 1;
    coswire::list_all_objects_machine listing(context, first);
    pump(listing, http, timers);
    run(http, timers);
    auto all = listing.take_result();
    if (!all) return fail(all.error());
    std::printf("%zu objects listed; %llu answers were faults, retried after %llu ms of backoff\n", all->contents.size(),
                static_cast<unsigned long long>(server.stats().faults.total()), static_cast<unsigned long long>(timers.now_ms()));
    return all->contents.size() == 3 ? 0 : 1;
}
