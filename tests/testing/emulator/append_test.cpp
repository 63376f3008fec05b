// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/append.hpp>

#include <doctest/doctest.h>

#include "harness.hpp"

#include <coswire/crypto/crc64.hpp>
#include <coswire/parse/append.hpp>
#include <coswire/parse/object.hpp>

#include <string>

using coswire::append_object_params;
using coswire::testing::fault_kind;
using emu_test::harness;

TEST_CASE("APPEND Object: position 0 creates an appendable object; each append names the length so far") {
    harness h;
    const auto first = h.ok(append_object_params{.key = "log", .position = 0, .body = "hello ",
                                                 .attributes = {.content_type = "text/plain", .tagging = "a=1"}});
    CHECK(first.next_append_position == 6);
    const auto second = h.ok(append_object_params{.key = "log", .position = 6, .body = "world",
                                                  .attributes = {.content_type = "image/png"}});
    CHECK(second.next_append_position == 11);
    CHECK(second.crc64 == coswire::crc64("hello world"));
    CHECK(h.server.object("log")->data == "hello world");
    const auto head = h.ok(coswire::head_object_params{.key = "log"});
    CHECK(head.details.object_type == "appendable");
    CHECK(head.content_length == 11);
    CHECK(head.headers.content_type == "text/plain");  // the first append's, kept
    CHECK(head.headers.etag == second.etag);
    CHECK(h.server.object("log")->tags.size() == 1);
}

TEST_CASE("APPEND Object: a wrong position is 409 AppendPositionErr; a normal object is 409 ObjectNotAppendable") {
    harness h;
    CHECK(h.refused(append_object_params{.key = "log", .position = 3, .body = "x"}) == "409 AppendPositionErr");
    CHECK_FALSE(h.server.object("log"));
    h.ok(append_object_params{.key = "log", .position = 0, .body = "abc"});
    CHECK(h.refused(append_object_params{.key = "log", .position = 0, .body = "x"}) == "409 AppendPositionErr");
    CHECK(h.refused(append_object_params{.key = "log", .position = 4, .body = "x"}) == "409 AppendPositionErr");
    h.server.put_object("plain", "abc");
    CHECK(h.refused(append_object_params{.key = "plain", .position = 3, .body = "x"}) == "409 ObjectNotAppendable");
    CHECK(h.ok(coswire::head_object_params{.key = "plain"}).details.object_type == "normal");
    // Writing the key another way makes it normal again.
    h.ok(coswire::put_object_params{.key = "log", .body = "new"});
    CHECK(h.refused(append_object_params{.key = "log", .position = 3, .body = "x"}) == "409 ObjectNotAppendable");
}

TEST_CASE("append_object: an append whose answer was lost is confirmed by HEAD after the retry's AppendPositionErr") {
    harness h(3);
    h.ok(append_object_params{.key = "log", .position = 0, .body = "abc"});
    h.server.fail_next(fault_kind::drop_after);
    const auto r = coswire::append_object(h.client, {.key = "log", .position = 3, .body = "def"});
    REQUIRE_MESSAGE(r, coswire::describe(r.error()));
    CHECK(r->confirmed_by_head);
    CHECK(r->next_append_position == 6);
    CHECK(h.server.object("log")->data == "abcdef");
}
