// SPDX-License-Identifier: MIT
#include <coswire/machine/operation.hpp>

#include <doctest/doctest.h>

#include <coswire/sign/verify.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::http_response;
using coswire::step_kind;

namespace {

const coswire::credentials creds{.secret_id = "AKIDmachine", .secret_key = coswire::secret_string("machine-secret")};

/// A context over a clock the test moves by hand.
struct fixture {
    std::int64_t now = 1700000000;
    coswire::operation_context context;

    explicit fixture(coswire::client_options options = {})
        : context(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, [this] { return now; }, options) {}

    coswire::operation_machine<coswire::operation_parser<coswire::delete_object_params>> delete_machine(std::string key = "k") {
        return coswire::make_operation_machine(context, coswire::delete_object_params{.key = std::move(key)});
    }
};

coswire::client_options attempts(std::uint32_t n) {
    coswire::client_options o;
    o.max_attempts = n;
    return o;
}

http_response cos_error(int status, const std::string& code, const std::string& extra = {}, bool request_id = true) {
    http_response r{status, {{"Content-Type", "application/xml"}}, "<Error><Code>" + code + "</Code><Message>m</Message>" + extra + "</Error>"};
    if (request_id) r.headers.push_back({"x-cos-request-id", "rid"});
    return r;
}

http_response deleted(std::string request_id = "ok") { return {204, {{"x-cos-request-id", std::move(request_id)}}, {}}; }

bool signature_valid(const coswire::http_request& r, std::int64_t now) {
    std::vector<coswire::header_field> headers;
    for (const auto& h : r.headers) headers.push_back({h.name, h.value});
    const auto lookup = [](std::string_view id) { return id == creds.secret_id ? &creds.secret_key : nullptr; };
    return coswire::verify_request({r.method, r.path, {}, headers}, lookup, now).has_value();
}

std::size_t count_headers(const coswire::http_request& r, std::string_view name) {
    std::size_t n = 0;
    for (const auto& h : r.headers) n += coswire::detail::iequals(h.name, name) ? 1 : 0;
    return n;
}

std::span<const std::byte> bytes_of(std::string_view s) { return {reinterpret_cast<const std::byte*>(s.data()), s.size()}; }

}  // namespace

static_assert(coswire::step_machine<coswire::operation_machine<coswire::operation_parser<coswire::head_object_params>>>);

TEST_CASE("operation_machine: one attempt, step by step") {
    fixture f;
    auto m = f.delete_machine("a b.txt");
    const coswire::step s = m.next();
    REQUIRE(s.kind == step_kind::send);
    CHECK(s.id == 1);
    CHECK_FALSE(s.streamed);
    REQUIRE(s.request != nullptr);
    CHECK(s.request->method == "DELETE");
    CHECK(s.request->target() == "/a%20b.txt");
    CHECK(s.request->header("Authorization")->find("q-sign-time=1699999940;1700000900") != std::string_view::npos);
    CHECK(signature_valid(*s.request, f.now));
    CHECK_FALSE(s.request->header("x-cos-sdk-retry"));
    CHECK(m.next().kind == step_kind::idle);  // nothing to do until the answer is reported
    CHECK(m.next().kind == step_kind::idle);
    REQUIRE(m.receive(s.id, deleted("r1")));
    CHECK(m.next().kind == step_kind::done);
    CHECK(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE(r);
    CHECK(r->request_id == "r1");
    CHECK_FALSE(m.may_have_repeated());
}

TEST_CASE("operation_machine: transient failures become wait steps, and each retry is re-signed and marked") {
    coswire::client_options o;
    o.backoff_base_ms = 100;
    o.backoff_max_ms = 250;
    fixture f(o);
    auto m = f.delete_machine();
    std::vector<std::uint32_t> waits;
    const coswire::result<http_response> answers[] = {coswire::make_error(errc::transport_failure, "transport", "reset"),
                                                      cos_error(503, "SlowDown"), cos_error(500, "InternalError"), deleted()};
    std::uint32_t last_id = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        const coswire::step s = m.next();
        REQUIRE(s.kind == step_kind::send);
        CHECK(s.id > last_id);
        last_id = s.id;
        CHECK(count_headers(*s.request, "Authorization") == 1);
        CHECK(count_headers(*s.request, "x-cos-sdk-retry") == (i == 0 ? 0u : 1u));
        CHECK(signature_valid(*s.request, f.now));
        REQUIRE(m.receive(s.id, answers[i]));
        if (i == 3) break;
        const coswire::step w = m.next();
        REQUIRE(w.kind == step_kind::wait);
        CHECK(w.id > last_id);
        last_id = w.id;
        waits.push_back(w.wait_ms);
        CHECK(m.next().kind == step_kind::idle);  // until the wait has passed
        f.now += 1;                               // time goes on while waiting: the next window follows it
        REQUIRE(m.waited(w.id));
    }
    REQUIRE(m.next().kind == step_kind::done);
    REQUIRE(m.take_result());
    REQUIRE(waits.size() == 3);
    CHECK(waits[0] <= 100);
    CHECK(waits[1] <= 200);
    CHECK(waits[2] <= 250);
    CHECK(m.may_have_repeated());  // the reset attempt was followed by others
}

TEST_CASE("operation_machine: the jitter follows the seed, so two contexts seeded alike wait alike") {
    const auto waits_of = [](std::uint64_t seed) {
        coswire::client_options o;
        o.jitter_seed = seed;
        o.max_attempts = 4;
        fixture f(o);
        auto m = f.delete_machine();
        std::vector<std::uint32_t> waits;
        for (coswire::step s = m.next(); s.kind != step_kind::done; s = m.next()) {
            if (s.kind == step_kind::send) REQUIRE(m.receive(s.id, cos_error(503, "SlowDown")));
            if (s.kind == step_kind::wait) {
                waits.push_back(s.wait_ms);
                REQUIRE(m.waited(s.id));
            }
        }
        CHECK(m.take_result().error().service->code == "SlowDown");
        return waits;
    };
    CHECK(waits_of(1) == waits_of(1));
    CHECK(waits_of(1).size() == 3);
    CHECK(waits_of(1) != waits_of(2));
}

TEST_CASE("operation_machine: a skewed clock is corrected on the context and the request re-signed at once") {
    fixture f;
    f.now = 1600000000;  // the local clock is far behind the server's 1700000000
    auto m = f.delete_machine();
    const coswire::step first = m.next();
    REQUIRE(m.receive(first.id, cos_error(403, "RequestTimeTooSkewed", "<ServerTime>2023-11-14T22:13:20Z</ServerTime>")));
    CHECK(f.context.clock_offset() == 100000000);
    const coswire::step again = m.next();
    REQUIRE(again.kind == step_kind::send);  // no wait step
    CHECK(signature_valid(*again.request, 1700000000));
    CHECK(again.request->header("x-cos-sdk-retry") == "true");
    REQUIRE(m.receive(again.id, deleted()));
    CHECK(m.next().kind == step_kind::done);
    CHECK(m.take_result());

    SUBCASE("a later machine on the same context signs with the corrected clock from its first attempt") {
        auto later = f.delete_machine("other");
        const coswire::step s = later.next();
        CHECK(signature_valid(*s.request, 1700000000));
    }
}

TEST_CASE("operation_machine: a lying server: a skew claim without x-cos-request-id fixes no clock, a garbled 200 is not retried") {
    fixture f;
    SUBCASE("no request id") {
        auto m = f.delete_machine();
        const coswire::step s = m.next();
        REQUIRE(m.receive(s.id, cos_error(403, "RequestTimeTooSkewed", "<ServerTime>2030-01-01T00:00:00Z</ServerTime>", false)));
        CHECK(f.context.clock_offset() == 0);
        CHECK(m.next().kind == step_kind::send);  // retried with the clock as it was
    }
    SUBCASE("garbled listing") {
        auto m = coswire::make_operation_machine(f.context, coswire::list_objects_params{});
        const coswire::step s = m.next();
        REQUIRE(m.receive(s.id, http_response{200, {}, "<ListBucketResult><IsTruncated>maybe</IsTruncated>"}));
        REQUIRE(m.next().kind == step_kind::done);
        CHECK(m.take_result().error().code == errc::malformed_response);
    }
}

TEST_CASE("operation_machine: client errors end it, and the last attempt's error is the result") {
    SUBCASE("not retried") {
        fixture f;
        auto m = f.delete_machine();
        REQUIRE(m.receive(m.next().id, cos_error(404, "NoSuchKey")));
        REQUIRE(m.next().kind == step_kind::done);
        CHECK(coswire::is_cos_error(m.take_result().error(), coswire::cos_errc::no_such_key));
    }
    SUBCASE("attempts run out") {
        fixture f(attempts(2));
        auto m = f.delete_machine();
        REQUIRE(m.receive(m.next().id, cos_error(503, "SlowDown")));
        REQUIRE(m.waited(m.next().id));
        REQUIRE(m.receive(m.next().id, coswire::make_error(errc::transport_failure, "transport", "reset")));
        REQUIRE(m.next().kind == step_kind::done);
        auto r = m.take_result();
        CHECK(r.error().code == errc::transport_failure);
        CHECK_FALSE(m.may_have_repeated());  // the lost attempt was the last: nothing followed it
    }
}

TEST_CASE("operation_machine: a failing credentials provider is retried like a transport failure, without a send") {
    int calls = 0;
    coswire::operation_context context(
        coswire::make_endpoint("b-1250000000", "ap-beijing").value(),
        coswire::credentials_provider([&calls]() -> coswire::result<coswire::credentials> {
            if (++calls == 1) return coswire::make_error(errc::transport_failure, "credentials", "STS unreachable");
            return creds;
        }),
        [] { return std::int64_t{1700000000}; });
    auto m = coswire::make_operation_machine(context, coswire::delete_object_params{.key = "k"});
    const coswire::step w = m.next();
    REQUIRE(w.kind == step_kind::wait);  // the first attempt failed before anything was sent
    REQUIRE(m.waited(w.id));
    const coswire::step s = m.next();
    REQUIRE(s.kind == step_kind::send);
    CHECK(s.request->header("x-cos-sdk-retry") == "true");
    CHECK(calls == 2);
}

TEST_CASE("operation_machine: errors before anything is sent make a machine that is done at once") {
    SUBCASE("the builder's") {
        fixture f;
        auto m = f.delete_machine("");
        REQUIRE(m.next().kind == step_kind::done);
        CHECK(m.take_result().error().argument == "object_key");
    }
    SUBCASE("max_attempts 0") {
        fixture f(attempts(0));
        auto m = f.delete_machine();
        REQUIRE(m.next().kind == step_kind::done);
        CHECK(m.take_result().error().argument == "max_attempts");
    }
}

TEST_CASE("operation_machine: misuse is an error value that changes nothing") {
    fixture f;
    auto m = f.delete_machine();
    CHECK(m.take_result().error().argument == "machine");  // not done yet
    const coswire::step s = m.next();
    CHECK(m.receive(s.id + 1, deleted()).error().argument == "step_id");
    CHECK(m.waited(s.id).error().reason == "step 1 is a send step, not a wait step");
    CHECK(m.receive_head(s.id, deleted()).error().argument == "machine");  // not streamed
    CHECK(m.receive_body(s.id, bytes_of("x")).error().argument == "machine");
    CHECK(m.restart(coswire::http_request{}).error().argument == "machine");
    CHECK(m.next().kind == step_kind::idle);
    REQUIRE(m.receive(s.id, deleted()));
    CHECK(m.receive(s.id, deleted()).error().reason == "step 1 has already been answered");
    REQUIRE(m.next().kind == step_kind::done);
    REQUIRE(m.take_result());
    CHECK(m.take_result().error().reason.find("already taken") != std::string::npos);
    CHECK(m.waited(7).error().reason == "step 7 was never issued");
    CHECK(m.next().kind == step_kind::done);
}

TEST_CASE("operation_machine: restart runs another operation and keeps counting ids") {
    fixture f;
    auto m = f.delete_machine("one");
    const coswire::step first = m.next();
    REQUIRE(m.receive(first.id, deleted()));
    REQUIRE(m.next().kind == step_kind::done);
    auto next_request = coswire::make_delete_object_request(f.context.bucket_endpoint(), {.key = "two"});
    REQUIRE(m.restart(std::move(next_request)));
    const coswire::step second = m.next();
    REQUIRE(second.kind == step_kind::send);
    CHECK(second.id == first.id + 1);
    CHECK(second.request->target() == "/two");
    CHECK_FALSE(second.request->header("x-cos-sdk-retry"));  // a first attempt again
    CHECK(m.receive(first.id, deleted()).error().reason == "step 1 has already been answered");
    REQUIRE(m.receive(second.id, deleted("second")));
    REQUIRE(m.next().kind == step_kind::done);
    CHECK(m.take_result()->request_id == "second");
}

TEST_CASE("operation_machine: two machines in flight on one thread and one context, answered out of order") {
    fixture f;
    auto a = f.delete_machine("a");
    auto b = coswire::make_operation_machine(f.context, coswire::head_object_params{.key = "b"});
    const coswire::step sa = a.next();
    const coswire::step sb = b.next();
    REQUIRE(sa.kind == step_kind::send);
    REQUIRE(sb.kind == step_kind::send);
    CHECK(sa.request->target() == "/a");
    CHECK(sb.request->target() == "/b");
    // b's answer arrives first and teaches the context the server's clock; a then fails and is
    // retried with that clock.
    REQUIRE(b.receive(sb.id, cos_error(403, "RequestTimeTooSkewed", "<ServerTime>2023-11-14T22:13:20Z</ServerTime>")));
    REQUIRE(a.receive(sa.id, cos_error(503, "ServiceUnavailable")));
    const coswire::step wa = a.next();
    REQUIRE(wa.kind == step_kind::wait);
    const coswire::step sb2 = b.next();
    REQUIRE(sb2.kind == step_kind::send);
    REQUIRE(b.receive(sb2.id, http_response{200, {{"Content-Length", "3"}, {"ETag", "\"e\""}, {"x-cos-request-id", "rb"}}, {}}));
    REQUIRE(a.waited(wa.id));
    const coswire::step sa2 = a.next();
    REQUIRE(sa2.kind == step_kind::send);
    CHECK(signature_valid(*sa2.request, f.now + f.context.clock_offset()));
    REQUIRE(a.receive(sa2.id, deleted("ra")));
    REQUIRE(a.next().kind == step_kind::done);
    REQUIRE(b.next().kind == step_kind::done);
    CHECK(a.take_result()->request_id == "ra");
    CHECK(b.take_result()->content_length == 3);
}

TEST_CASE("operation_machine: a streamed step sends a 2xx body to the sink and keeps an error answer for the parser") {
    fixture f;
    std::vector<int> heads;
    std::string streamed;
    coswire::response_sink sink{
        .head = [&](const http_response& h) -> coswire::result<void> {
            heads.push_back(h.status);
            streamed.clear();
            return {};
        },
        .body = [&](std::span<const std::byte> b) -> coswire::result<void> {
            streamed.append(reinterpret_cast<const char*>(b.data()), b.size());
            return {};
        },
    };
    std::vector<std::string> parsed_bodies;
    auto parse = [&](const http_response& r) -> coswire::result<int> {
        parsed_bodies.push_back(r.body);
        if (r.status >= 300) return coswire::parse_error_response(r);
        return r.status;
    };
    auto request = coswire::make_get_object_request(f.context.bucket_endpoint(), {.key = "k"});
    coswire::operation_machine<decltype(parse)&> m(f.context, std::move(request), parse, &sink);

    const coswire::step s1 = m.next();
    REQUIRE(s1.streamed);
    const http_response busy = cos_error(503, "SlowDown");
    REQUIRE(m.receive_head(s1.id, {503, busy.headers, {}}));
    REQUIRE(m.receive_body(s1.id, bytes_of(busy.body).first(10)));
    REQUIRE(m.receive_body(s1.id, bytes_of(busy.body).subspan(10)));
    REQUIRE(m.receive(s1.id, http_response{503, busy.headers, {}}));
    CHECK(heads.empty());  // the error answer never reached the sink
    REQUIRE(parsed_bodies.size() == 1);
    CHECK(parsed_bodies[0] == busy.body);

    const coswire::step w = m.next();
    REQUIRE(w.kind == step_kind::wait);
    REQUIRE(m.waited(w.id));
    const coswire::step s2 = m.next();
    REQUIRE(s2.kind == step_kind::send);
    CHECK(m.receive_body(s2.id, bytes_of("early")).error().argument == "machine");  // before the head
    CHECK(m.receive(s2.id, http_response{200, {}, {}}).error().argument == "machine");  // its head first
    REQUIRE(m.receive_head(s2.id, {200, {{"x-cos-request-id", "r"}}, {}}));
    CHECK(m.receive_head(s2.id, {200, {}, {}}).error().argument == "machine");  // one head only
    REQUIRE(m.receive_body(s2.id, bytes_of("hello ")));
    REQUIRE(m.receive_body(s2.id, bytes_of("world")));
    REQUIRE(m.receive(s2.id, http_response{200, {{"x-cos-request-id", "r"}}, {}}));
    REQUIRE(m.next().kind == step_kind::done);
    CHECK(m.take_result().value() == 200);
    CHECK(heads == std::vector<int>{200});
    CHECK(streamed == "hello world");
    CHECK(parsed_bodies.back().empty());  // a 2xx head reaches the parser without its body
}

TEST_CASE("operation_machine: a streamed error answer over 64 KiB and a refusing sink end the attempt") {
    fixture f(attempts(1));
    bool refuse = false;
    coswire::response_sink sink{
        .head = [&](const http_response&) -> coswire::result<void> {
            if (refuse) return coswire::make_error(errc::invalid_argument, "sink", "full");
            return {};
        },
        .body = [](std::span<const std::byte>) -> coswire::result<void> { return {}; },
    };
    auto parse = [](const http_response& r) -> coswire::result<int> { return r.status; };
    auto request = coswire::make_get_object_request(f.context.bucket_endpoint(), {.key = "k"});
    coswire::operation_machine<decltype(parse)> m(f.context, std::move(request), parse, &sink);
    const coswire::step s = m.next();
    SUBCASE("too long an error") {
        REQUIRE(m.receive_head(s.id, {500, {}, {}}));
        const std::string chunk(40 * 1024, 'x');
        REQUIRE(m.receive_body(s.id, bytes_of(chunk)));
        auto over = m.receive_body(s.id, bytes_of(chunk));
        CHECK(over.error().code == errc::limit_exceeded);
        CHECK(over.error().argument == "body");
        REQUIRE(m.receive(s.id, std::move(over).error()));  // the transport reports what ended it
        REQUIRE(m.next().kind == step_kind::done);
        CHECK(m.take_result().error().code == errc::limit_exceeded);
    }
    SUBCASE("the sink refuses") {
        refuse = true;
        auto refused = m.receive_head(s.id, {200, {}, {}});
        CHECK(refused.error().argument == "sink");
        REQUIRE(m.receive(s.id, std::move(refused).error()));
        REQUIRE(m.next().kind == step_kind::done);
        CHECK(m.take_result().error().reason == "full");
    }
}
