// SPDX-License-Identifier: MIT
#include <coswire/parse/append.hpp>

#include <doctest/doctest.h>

#include <coswire/client.hpp>
#include <coswire/testing/fake_transport.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

using coswire::errc;
using coswire::http_header;
using coswire::http_response;

namespace {

// The documented answer (docs/protocol/append.md#request): an unquoted ETag, the next position.
http_response documented_answer(std::string next = "16") {
    return http_response{200,
                         {{"Content-Length", "0"},
                          {"ETag", "1ce5b469f1a3c0c9bd5db7bd1fd2c4b9"},
                          {"x-cos-content-sha1", "2ba9a63bdcbde1d7da1d55c36f2e5fd1eaa96c49"},
                          {"x-cos-next-append-position", std::move(next)},
                          {"x-cos-request-id", "NWVhOTZiNGVfYjAyMjJhMDlfMWI3Nl8xZTMx"}},
                         ""};
}

http_response cos_error(int status, std::string_view code) {
    return http_response{status, {{"x-cos-request-id", "rid"}}, "<Error><Code>" + std::string(code) + "</Code><Message>m</Message></Error>"};
}

struct fixture {
    coswire::testing::fake_transport transport;
    coswire::client<coswire::testing::fake_transport> client{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(),
                                                             coswire::credentials{.secret_id = "AKIDapp", .secret_key = coswire::secret_string("s")},
                                                             transport, [] { return std::int64_t{1700000000}; }, [](std::uint32_t) {},
                                                             coswire::client_options{.max_attempts = 3}};
};

}  // namespace

TEST_CASE("parse_append_object_response: the documented answer gives the next position") {
    auto r = coswire::parse_append_object_response(documented_answer());
    REQUIRE(r);
    CHECK(r->next_append_position == 16);
    CHECK(r->etag == "1ce5b469f1a3c0c9bd5db7bd1fd2c4b9");
    CHECK(r->request_id == "NWVhOTZiNGVfYjAyMjJhMDlfMWI3Nl8xZTMx");
    CHECK_FALSE(r->crc64);
    CHECK_FALSE(r->confirmed_by_head);
}

TEST_CASE("parse_append_object_response: missing or bad next position, and COS's refusals") {
    http_response missing = documented_answer();
    missing.headers.erase(missing.headers.begin() + 3);
    auto m = coswire::parse_append_object_response(missing);
    REQUIRE_FALSE(m);
    CHECK(m.error().code == errc::malformed_response);
    CHECK(m.error().argument == "x-cos-next-append-position");
    auto bad = coswire::parse_append_object_response(documented_answer("-1"));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().argument == "x-cos-next-append-position");
    auto normal = coswire::parse_append_object_response(cos_error(409, "ObjectNotAppendable"));
    REQUIRE_FALSE(normal);
    CHECK(normal.error().service->code == "ObjectNotAppendable");
    auto position = coswire::parse_append_object_response(cos_error(409, "AppendPositionErr"));
    REQUIRE_FALSE(position);
    CHECK(position.error().service->http_status == 409);
    CHECK_FALSE(coswire::parse_append_object_response(cos_error(200, "InternalError")));
}

TEST_CASE("append_object: checks the new length, and settles a retried append by HEAD") {
    fixture f;
    const coswire::append_object_params p{.key = "log.txt", .position = 10, .body = "123456"};
    SUBCASE("the answer's position is position plus the bytes") {
        f.transport.respond(documented_answer("16"));
        auto r = coswire::append_object(f.client, p);
        REQUIRE(r);
        CHECK(r->next_append_position == 16);
    }
    SUBCASE("an answer with another length is an integrity failure") {
        f.transport.respond(documented_answer("17"));
        auto r = coswire::append_object(f.client, p);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::integrity_failure);
    }
    SUBCASE("the connection drops, the retry meets AppendPositionErr, HEAD shows the bytes landed") {
        f.transport.respond(coswire::make_error(errc::transport_failure, "transport", "connection reset"));
        f.transport.respond(cos_error(409, "AppendPositionErr"));
        f.transport.respond(200, {{"Content-Length", "16"}, {"ETag", "e"}, {"x-cos-object-type", "appendable"}});
        auto r = coswire::append_object(f.client, p);
        REQUIRE(r);
        CHECK(r->confirmed_by_head);
        CHECK(r->next_append_position == 16);
        REQUIRE(f.transport.requests().size() == 3);
        CHECK(f.transport.requests()[2].method == "HEAD");
    }
    SUBCASE("the same, but HEAD shows another length: the position error stands") {
        f.transport.respond(coswire::make_error(errc::transport_failure, "transport", "connection reset"));
        f.transport.respond(cos_error(409, "AppendPositionErr"));
        f.transport.respond(200, {{"Content-Length", "30"}, {"ETag", "e"}});
        auto r = coswire::append_object(f.client, p);
        REQUIRE_FALSE(r);
        CHECK(r.error().service->code == "AppendPositionErr");
        CHECK(r.error().reason.find("holds 30 bytes") != std::string::npos);
    }
    SUBCASE("AppendPositionErr without a retry is the caller's wrong position: no HEAD") {
        f.transport.respond(cos_error(409, "AppendPositionErr"));
        auto r = coswire::append_object(f.client, p);
        REQUIRE_FALSE(r);
        CHECK(f.transport.requests().size() == 1);
    }
}
