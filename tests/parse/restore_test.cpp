// SPDX-License-Identifier: MIT
#include <coswire/parse/restore.hpp>

#include <doctest/doctest.h>

#include <coswire/parse/object.hpp>

#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::http_response;

namespace {

http_response cos_error(int status, std::string_view code, std::vector<coswire::http_header> headers = {}) {
    headers.push_back({"x-cos-request-id", "rid"});
    return http_response{status, std::move(headers), "<Error><Code>" + std::string(code) + "</Code><Message>m</Message></Error>"};
}

}  // namespace

TEST_CASE("parse_restore_object_response: 202 starts a restore; COS's refusals stay errors") {
    auto started = coswire::parse_restore_object_response(http_response{202, {{"x-cos-request-id", "NWU5MTlhYWRfMjNiMjQwOV8xM2E1XzJkMjI="}}, ""});
    REQUIRE(started);
    CHECK(started->request_id == "NWU5MTlhYWRfMjNiMjQwOV8xM2E1XzJkMjI=");
    CHECK_FALSE(started->already_restored);
    auto again = coswire::parse_restore_object_response(http_response{200, {}, ""});
    REQUIRE(again);
    CHECK(again->already_restored);
    auto running = coswire::parse_restore_object_response(cos_error(409, "RestoreAlreadyInProgress"));
    REQUIRE_FALSE(running);
    CHECK(running.error().service->code == "RestoreAlreadyInProgress");
    auto not_archived = coswire::parse_restore_object_response(cos_error(405, "RestoreNonArchiveObject"));
    REQUIRE_FALSE(not_archived);
    CHECK(not_archived.error().service->http_status == 405);
    CHECK_FALSE(coswire::parse_restore_object_response(cos_error(202, "InternalError")));
}

TEST_CASE("GET of an archived object that is not restored is InvalidObjectState") {
    // The GET Object page's example: 403, and the storage class in a header.
    auto r = coswire::parse_get_object_response(cos_error(403, "InvalidObjectState", {{"x-cos-storage-class", "ARCHIVE"}}));
    REQUIRE_FALSE(r);
    CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::invalid_object_state));
    CHECK(r.error().service->http_status == 403);
}

TEST_CASE("parse_restore_state: the documented forms of x-cos-restore") {
    auto running = coswire::parse_restore_state("ongoing-request=\"true\"");
    REQUIRE(running);
    CHECK(running->ongoing);
    CHECK_FALSE(running->expiry_date);
    auto done = coswire::parse_restore_state("ongoing-request=\"false\", expiry-date=\"Mon, 13 Apr 2020 16:00:00 GMT\"");
    REQUIRE(done);
    CHECK_FALSE(done->ongoing);
    CHECK(done->expiry_date == 1586793600);
    auto odd_case = coswire::parse_restore_state("Ongoing-Request=\"FALSE\",expiry-date=\"Mon, 13 Apr 2020 16:00:00 GMT\", other=\"x\"");
    REQUIRE(odd_case);
    CHECK_FALSE(odd_case->ongoing);
    for (std::string_view bad : {"", "ongoing-request=true", "ongoing-request=\"maybe\"", "ongoing-request=\"true", "expiry-date=\"Mon, 13 Apr 2020 16:00:00 GMT\"",
                                 "ongoing-request=\"false\", expiry-date=\"tomorrow\"", "ongoing-request"}) {
        CAPTURE(bad);
        auto r = coswire::parse_restore_state(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::malformed_response);
        CHECK(r.error().argument == "x-cos-restore");
    }
}
