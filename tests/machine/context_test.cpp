// SPDX-License-Identifier: MIT
#include <coswire/machine/context.hpp>

#include <doctest/doctest.h>

#include <coswire/machine/operation.hpp>

#include <cstdint>
#include <string>

using coswire::step_kind;

namespace {

const coswire::credentials creds{.secret_id = "AKIDcontext", .secret_key = coswire::secret_string("context-secret")};

coswire::endpoint beijing() { return coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(); }

/// The Authorization header of the first attempt a fresh machine on `context` signs.
std::string first_authorization(coswire::operation_context& context) {
    auto m = coswire::make_operation_machine(context, coswire::head_object_params{.key = "k"});
    const coswire::step s = m.next();
    REQUIRE(s.kind == step_kind::send);
    return std::string(*s.request->header("Authorization"));
}

}  // namespace

TEST_CASE("operation_context: holds the endpoint and options, and no clock offset until the server teaches one") {
    coswire::client_options o;
    o.max_attempts = 9;
    coswire::operation_context context(beijing(), creds, [] { return std::int64_t{1700000000}; }, o);
    CHECK(context.bucket_endpoint().host == "examplebucket-1250000000.cos.ap-beijing.myqcloud.com");
    CHECK(context.options().max_attempts == 9);
    CHECK(context.clock_offset() == 0);
}

TEST_CASE("operation_context: fixed credentials and a provider of the same credentials sign alike") {
    const auto clock = [] { return std::int64_t{1700000000}; };
    coswire::operation_context fixed(beijing(), creds, clock);
    coswire::operation_context provided(
        beijing(), coswire::credentials_provider([]() -> coswire::result<coswire::credentials> { return creds; }), clock);
    CHECK(first_authorization(fixed) == first_authorization(provided));
}

TEST_CASE("operation_context: the clock is read when each attempt is signed, never cached") {
    std::int64_t now = 1700000000;
    coswire::operation_context context(beijing(), creds, [&now] { return now; });
    const std::string at_first = first_authorization(context);
    now += 3600;
    const std::string an_hour_later = first_authorization(context);
    CHECK(at_first.find("q-sign-time=1699999940;1700000900") != std::string::npos);
    CHECK(an_hour_later.find("q-sign-time=1700003540;1700004500") != std::string::npos);
}

TEST_CASE("operation_context: a copy carries the offset learnt before it was made") {
    std::int64_t now = 1600000000;
    coswire::operation_context context(beijing(), creds, [&now] { return now; });
    auto m = coswire::make_operation_machine(context, coswire::head_object_params{.key = "k"});
    REQUIRE(m.receive(m.next().id, coswire::http_response{403,
                                                          {{"x-cos-request-id", "rid"}},
                                                          "<Error><Code>RequestTimeTooSkewed</Code><Message>m</Message>"
                                                          "<ServerTime>2023-11-14T22:13:20Z</ServerTime></Error>"}));
    REQUIRE(context.clock_offset() == 100000000);
    coswire::operation_context copy = context;
    CHECK(copy.clock_offset() == 100000000);
    CHECK(first_authorization(copy) == first_authorization(context));
}
