// SPDX-License-Identifier: MIT
#include <coswire/objects/delete_multiple.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using coswire::errc;
using coswire::http_response;
using coswire::object_to_delete;
using coswire::step_kind;

namespace {

const coswire::credentials creds{.secret_id = "AKIDdelete", .secret_key = coswire::secret_string("delete-secret")};

struct fixture {
    coswire::operation_context context{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds,
                                       [] { return std::int64_t{1700000000}; }, coswire::client_options{.max_attempts = 2}};
};

std::string key(std::size_t i) { return "k" + std::to_string(i); }

std::vector<object_to_delete> keys(std::size_t n) {
    std::vector<object_to_delete> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back({.key = key(i)});
    return out;
}

/// A DeleteResult that reports keys [from, to) deleted, the key `refused` (when in range) as an error.
http_response answer(std::size_t from, std::size_t to, std::string request_id, std::size_t refused = SIZE_MAX) {
    std::string body = "<DeleteResult>";
    for (std::size_t i = from; i < to; ++i)
        body += i == refused ? "<Error><Key>" + key(i) + "</Key><Code>AccessDenied</Code></Error>"
                             : "<Deleted><Key>" + key(i) + "</Key></Deleted>";
    body += "</DeleteResult>";
    return {200, {{"x-cos-request-id", std::move(request_id)}}, std::move(body)};
}

http_response busy() { return {503, {{"x-cos-request-id", "r"}}, "<Error><Code>SlowDown</Code></Error>"}; }

bool names(const coswire::step& s, std::size_t i) {
    return s.request->body.find("<Key>" + key(i) + "</Key>") != std::string::npos;
}

}  // namespace

static_assert(coswire::step_machine<coswire::delete_objects_machine>);

TEST_CASE("delete_objects_machine: 2500 keys are three requests, one at a time, merged in order") {
    fixture f;
    const auto all = keys(2500);
    coswire::delete_objects_machine m(f.context, all);
    const std::size_t edges[] = {0, 1000, 2000, 2500};
    for (std::uint32_t batch = 0; batch < 3; ++batch) {
        const coswire::step s = m.next();
        REQUIRE(s.kind == step_kind::send);
        CHECK(s.id == batch + 1);  // one operation machine, restarted: the ids run on
        CHECK(s.request->method == "POST");
        CHECK(names(s, edges[batch]));
        CHECK(names(s, edges[batch + 1] - 1));
        CHECK_FALSE(names(s, edges[batch + 1]));
        CHECK(m.next().kind == step_kind::idle);  // the next batch waits for this one
        REQUIRE(m.receive(s.id, answer(edges[batch], edges[batch + 1], "r" + std::to_string(batch), 1500)));
    }
    REQUIRE(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE(r);
    CHECK(r->deleted.size() == 2499);
    CHECK(r->deleted.front().key == "k0");
    CHECK(r->deleted.back().key == "k2499");
    REQUIRE(r->errors.size() == 1);
    CHECK(r->errors[0].key == "k1500");
    CHECK(r->request_id == "r2");
    CHECK_FALSE(m.may_have_repeated());
}

TEST_CASE("delete_objects_machine: a batch's retries are its steps; a lost request is reported as repeated") {
    fixture f;
    const auto all = keys(1001);
    coswire::delete_objects_machine m(f.context, all, true);
    const coswire::step first = m.next();
    REQUIRE(m.receive(first.id, busy()));
    const coswire::step wait = m.next();
    REQUIRE(wait.kind == step_kind::wait);
    CHECK(wait.id == 2);
    REQUIRE(m.waited(wait.id));
    const coswire::step again = m.next();
    REQUIRE(again.kind == step_kind::send);
    CHECK(again.id == 3);
    CHECK(again.request->header("x-cos-sdk-retry") == "true");
    REQUIRE(m.receive(again.id, answer(0, 0, "quiet")));  // quiet mode: nothing reported is fine
    const coswire::step second = m.next();
    REQUIRE(second.kind == step_kind::send);
    CHECK(second.id == 4);
    CHECK_FALSE(second.request->header("x-cos-sdk-retry"));  // a new batch starts with a first attempt
    CHECK(names(second, 1000));
    REQUIRE(m.receive(second.id, coswire::make_error(errc::transport_failure, "transport", "reset")));
    const coswire::step wait2 = m.next();
    REQUIRE(m.waited(wait2.id));
    const coswire::step resent = m.next();
    REQUIRE(m.receive(resent.id, answer(1000, 1001, "last")));
    REQUIRE(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE(r);
    CHECK(r->deleted.size() == 1);
    CHECK(m.may_have_repeated());
}

TEST_CASE("delete_objects_machine: a failing batch stops it, later batches untouched; answers about other keys are not believed") {
    fixture f;
    const auto all = keys(2500);
    SUBCASE("the second request is refused") {
        coswire::delete_objects_machine m(f.context, all);
        const coswire::step s = m.next();
        REQUIRE(m.receive(s.id, answer(0, 1000, "r0")));
        const coswire::step second = m.next();
        REQUIRE(m.receive(second.id, http_response{403, {{"x-cos-request-id", "no"}}, "<Error><Code>AccessDenied</Code></Error>"}));
        REQUIRE(m.next().kind == step_kind::done);  // no third request
        auto r = m.take_result();
        REQUIRE_FALSE(r);
        CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::access_denied));
    }
    SUBCASE("an answer about keys of another batch") {
        coswire::delete_objects_machine m(f.context, all);
        const coswire::step s = m.next();
        REQUIRE(m.receive(s.id, answer(1, 1001, "shifted")));
        REQUIRE(m.next().kind == step_kind::done);
        auto r = m.take_result();
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::malformed_response);
        CHECK(r.error().argument == "Key");
    }
    SUBCASE("an answer silent about a key outside quiet mode") {
        coswire::delete_objects_machine m(f.context, all);
        const coswire::step s = m.next();
        REQUIRE(m.receive(s.id, answer(0, 999, "short")));
        REQUIRE(m.next().kind == step_kind::done);
        CHECK(m.take_result().error().argument == "Key");
    }
}

TEST_CASE("delete_objects_machine: an empty list sends nothing; a bad entry is the builder's error, nothing sent") {
    fixture f;
    coswire::delete_objects_machine none(f.context, {});
    CHECK(none.next().kind == step_kind::done);
    CHECK(none.receive(1, answer(0, 0, "x")).error().reason == "step 1 was never issued");
    CHECK(none.waited(1).error().argument == "step_id");
    auto empty = none.take_result();
    REQUIRE(empty);
    CHECK(empty->deleted.empty());

    const std::vector<object_to_delete> bad{{.key = "fine"}, {.key = ""}};
    coswire::delete_objects_machine refused(f.context, bad);
    CHECK(refused.next().kind == step_kind::done);
    auto r = refused.take_result();
    REQUIRE_FALSE(r);
    CHECK(r.error().argument == "objects");
}

TEST_CASE("delete_objects_machine: misuse is an error value that changes nothing") {
    fixture f;
    const auto all = keys(1001);
    coswire::delete_objects_machine m(f.context, all);
    CHECK(m.take_result().error().argument == "machine");
    const coswire::step first = m.next();
    CHECK(m.receive(first.id + 1, answer(0, 1000, "r")).error().reason == "step 2 was never issued");
    CHECK(m.waited(first.id).error().reason == "step 1 is a send step, not a wait step");
    CHECK(m.receive_head(first.id, answer(0, 1000, "r")).error().argument == "machine");  // not streamed
    REQUIRE(m.receive(first.id, answer(0, 1000, "r")));
    CHECK(m.receive(first.id, answer(0, 1000, "r")).error().reason == "step 1 has already been answered");
    const coswire::step second = m.next();
    REQUIRE(m.receive(second.id, answer(1000, 1001, "r")));
    REQUIRE(m.next().kind == step_kind::done);
    CHECK(m.next().kind == step_kind::done);  // a step after done is done again, nothing sent
    CHECK(m.receive(second.id, answer(1000, 1001, "r")).error().argument == "step_id");
    REQUIRE(m.take_result());
    CHECK(m.take_result().error().reason.find("already taken") != std::string::npos);
}
