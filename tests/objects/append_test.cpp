// SPDX-License-Identifier: MIT
#include <coswire/objects/append.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

using coswire::errc;
using coswire::http_response;
using coswire::step_kind;

namespace {

const coswire::credentials creds{.secret_id = "AKIDappend", .secret_key = coswire::secret_string("append-secret")};

struct fixture {
    std::int64_t now = 1700000000;
    coswire::operation_context context{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds,
                                       [this] { return now; }, coswire::client_options{.max_attempts = 3}};
};

// An answer as documented (docs/protocol/append.md#request): the next position in a header.
http_response appended(std::string next) {
    return {200, {{"ETag", "1ce5b469f1a3c0c9bd5db7bd1fd2c4b9"}, {"x-cos-next-append-position", std::move(next)}, {"x-cos-request-id", "a"}}, ""};
}

http_response cos_error(int status, std::string_view code) {
    return {status, {{"x-cos-request-id", "rid"}}, "<Error><Code>" + std::string(code) + "</Code><Message>m</Message></Error>"};
}

http_response head_of(std::string length) {
    return {200, {{"Content-Length", std::move(length)}, {"ETag", "e"}, {"x-cos-request-id", "h"}, {"x-cos-hash-crc64ecma", "42"}}, ""};
}

coswire::result<http_response> lost() { return coswire::make_error(errc::transport_failure, "transport", "connection reset"); }

const coswire::append_object_params six_at_ten{.key = "log.txt", .position = 10, .body = "123456"};

/// Drives `m` from its `first` step through a lost attempt, its retry (after the backoff wait)
/// refused with AppendPositionErr, and returns the HEAD step that follows.
coswire::step lose_then_refuse(coswire::append_object_machine& m, const coswire::step& first) {
    REQUIRE(first.kind == step_kind::send);
    REQUIRE(m.receive(first.id, lost()));
    const coswire::step wait = m.next();
    REQUIRE(wait.kind == step_kind::wait);
    CHECK(wait.id == 2);
    REQUIRE(m.waited(wait.id));
    const coswire::step retry = m.next();
    REQUIRE(retry.kind == step_kind::send);
    CHECK(retry.id == 3);
    CHECK(retry.request->header("x-cos-sdk-retry") == "true");
    REQUIRE(m.receive(retry.id, cos_error(409, "AppendPositionErr")));
    return m.next();
}

}  // namespace

static_assert(coswire::step_machine<coswire::append_object_machine>);

TEST_CASE("append_object_machine: one append, step by step, its new length checked") {
    fixture f;
    coswire::append_object_machine m(f.context, six_at_ten);
    const coswire::step s = m.next();
    REQUIRE(s.kind == step_kind::send);
    CHECK(s.id == 1);
    CHECK(s.request->method == "POST");
    CHECK(s.request->target() == "/log.txt?append&position=10");
    CHECK(m.next().kind == step_kind::idle);
    SUBCASE("position plus the bytes: done") {
        REQUIRE(m.receive(s.id, appended("16")));
        CHECK(m.next().kind == step_kind::done);
        auto r = m.take_result();
        REQUIRE(r);
        CHECK(r->next_append_position == 16);
        CHECK_FALSE(r->confirmed_by_head);
        CHECK_FALSE(m.may_have_repeated());
    }
    SUBCASE("another length is an integrity failure") {
        REQUIRE(m.receive(s.id, appended("17")));
        CHECK(m.next().kind == step_kind::done);
        auto r = m.take_result();
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::integrity_failure);
        CHECK(r.error().argument == "x-cos-next-append-position");
    }
    SUBCASE("AppendPositionErr without a lost attempt is the caller's wrong position: no HEAD") {
        REQUIRE(m.receive(s.id, cos_error(409, "AppendPositionErr")));
        CHECK(m.next().kind == step_kind::done);
        CHECK(coswire::is_cos_error(m.take_result().error(), coswire::cos_errc::append_position_err));
    }
}

TEST_CASE("append_object_machine: a lost append refused on retry is settled by a HEAD under an id of its own") {
    fixture f;
    coswire::append_object_machine m(f.context, six_at_ten);
    const coswire::step head = lose_then_refuse(m, m.next());
    REQUIRE(head.kind == step_kind::send);
    CHECK(head.id == 4);  // the HEAD's own machine counts from 1; this machine's ids run on
    CHECK(head.request->method == "HEAD");
    CHECK(head.request->target() == "/log.txt");
    CHECK_FALSE(head.request->header("x-cos-sdk-retry"));
    SUBCASE("the object holds position plus the bytes: the lost attempt landed") {
        REQUIRE(m.receive(head.id, head_of("16")));
        REQUIRE(m.next().kind == step_kind::done);
        auto r = m.take_result();
        REQUIRE(r);
        CHECK(r->confirmed_by_head);
        CHECK(r->next_append_position == 16);
        CHECK(r->request_id == "h");
        CHECK(r->crc64 == 42u);
        CHECK(m.may_have_repeated());
    }
    SUBCASE("another length: the position error stands, saying what HEAD found") {
        REQUIRE(m.receive(head.id, head_of("30")));
        REQUIRE(m.next().kind == step_kind::done);
        auto r = m.take_result();
        REQUIRE_FALSE(r);
        CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::append_position_err));
        CHECK(r.error().reason.find("holds 30 bytes, not the 16") != std::string::npos);
    }
    SUBCASE("HEAD fails too (after its own retries): the position error stands, with HEAD's") {
        for (int attempt = 0; attempt < 3; ++attempt) {
            const coswire::step s = attempt == 0 ? head : m.next();
            REQUIRE(s.kind == step_kind::send);
            REQUIRE(m.receive(s.id, cos_error(403, "AccessDenied")));
            if (m.next().kind == step_kind::done) break;
        }
        auto r = m.take_result();
        REQUIRE_FALSE(r);
        CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::append_position_err));
        CHECK(r.error().reason.find("HEAD could not tell") != std::string::npos);
    }
}

TEST_CASE("append_object_machine: misuse is an error value that changes nothing") {
    fixture f;
    coswire::append_object_machine m(f.context, six_at_ten);
    CHECK(m.take_result().error().argument == "machine");
    const coswire::step first = m.next();
    CHECK(m.receive(9, appended("16")).error().reason == "step 9 was never issued");
    CHECK(m.waited(first.id).error().reason == "step 1 is a send step, not a wait step");
    CHECK(m.receive_head(first.id, appended("16")).error().argument == "machine");  // not streamed
    CHECK(m.next().kind == step_kind::idle);
    const coswire::step head = lose_then_refuse(m, first);
    REQUIRE(head.kind == step_kind::send);
    // The append's machine issued ids 1 and 2, which the HEAD's machine would reuse; they are
    // answered already, so the HEAD step is not mistaken for them.
    CHECK(m.receive(1, head_of("16")).error().reason == "step 1 has already been answered");
    CHECK(m.receive(3, head_of("16")).error().reason == "step 3 has already been answered");
    CHECK(m.next().kind == step_kind::idle);
    REQUIRE(m.receive(head.id, head_of("16")));
    CHECK(m.receive(head.id, head_of("16")).error().argument == "step_id");  // a second outcome
    REQUIRE(m.next().kind == step_kind::done);
    CHECK(m.next().kind == step_kind::done);  // a step after done is done again, nothing sent
    CHECK(m.waited(head.id + 1).error().argument == "step_id");
    REQUIRE(m.take_result());
    CHECK(m.take_result().error().reason.find("already taken") != std::string::npos);
}

TEST_CASE("append_object_machine: a request the builder refuses is done at once, nothing sent") {
    fixture f;
    coswire::append_object_machine m(f.context, {.key = "", .body = "x"});
    CHECK(m.next().kind == step_kind::done);
    auto r = m.take_result();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
}
