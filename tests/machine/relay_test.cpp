// SPDX-License-Identifier: MIT
#include <coswire/machine/relay.hpp>

#include <doctest/doctest.h>

#include <coswire/machine/operation.hpp>

#include <cstdint>
#include <string>

using coswire::errc;
using coswire::http_response;
using coswire::step_kind;

namespace {

const coswire::credentials creds{.secret_id = "AKIDrelay", .secret_key = coswire::secret_string("relay-secret")};

struct fixture {
    coswire::operation_context context{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds,
                                       [] { return std::int64_t{1700000000}; }};

    coswire::operation_machine<coswire::operation_parser<coswire::delete_object_params>> deleting(std::string key) {
        return coswire::make_operation_machine(context, coswire::delete_object_params{.key = std::move(key)});
    }
};

http_response deleted() { return {204, {{"x-cos-request-id", "r"}}, {}}; }
http_response busy() { return {503, {{"x-cos-request-id", "r"}}, "<Error><Code>SlowDown</Code></Error>"}; }

}  // namespace

TEST_CASE("step_relay: two inner machines that both count from 1 get distinct outer ids") {
    fixture f;
    coswire::detail::step_relay relay;
    auto first = f.deleting("a");
    auto second = f.deleting("b");

    const coswire::step a = relay.forward(first.next());
    REQUIRE(a.kind == step_kind::send);
    CHECK(a.id == 1);
    REQUIRE(relay.receive(first, a.id, busy()));
    const coswire::step wait = relay.forward(first.next());
    REQUIRE(wait.kind == step_kind::wait);
    CHECK(wait.id == 2);
    REQUIRE(relay.waited(first, wait.id));
    const coswire::step retry = relay.forward(first.next());
    CHECK(retry.id == 3);
    REQUIRE(relay.receive(first, retry.id, deleted()));
    REQUIRE(first.next().kind == step_kind::done);

    const coswire::step b = relay.forward(second.next());
    REQUIRE(b.kind == step_kind::send);
    CHECK(b.id == 4);
    CHECK(b.request->target() == "/b");
    CHECK(relay.forward(second.next()).kind == step_kind::idle);  // idle and done pass through unnamed
    REQUIRE(relay.receive(second, b.id, deleted()));
    CHECK(relay.forward(second.next()).kind == step_kind::done);
}

TEST_CASE("step_relay: ids never issued, already answered or of the other kind are refused before the inner machine") {
    fixture f;
    coswire::detail::step_relay relay;
    auto inner = f.deleting("a");
    const coswire::step s = relay.forward(inner.next());
    CHECK(relay.receive(inner, 5, deleted()).error().reason == "step 5 was never issued");
    CHECK(relay.waited(inner, s.id).error().reason == "step 1 is a send step, not a wait step");
    CHECK(relay.receive_body(inner, 5, {}).error().argument == "step_id");
    // The inner machine's own refusal (not streamed) leaves the step in flight.
    CHECK(relay.receive_head(inner, s.id, deleted()).error().argument == "machine");
    REQUIRE(relay.receive(inner, s.id, deleted()));
    const auto again = relay.receive(inner, s.id, deleted());
    REQUIRE_FALSE(again);
    CHECK(again.error().code == errc::invalid_argument);
    CHECK(again.error().reason == "step 1 has already been answered");
}
