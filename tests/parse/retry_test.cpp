// SPDX-License-Identifier: MIT
#include <coswire/parse/retry.hpp>

#include <doctest/doctest.h>

#include <string>

using coswire::errc;
using coswire::retry_action;

namespace {
coswire::error service(int status, std::string code, std::string message = {}, std::string request_id = "rid") {
    coswire::error e = coswire::make_error(errc::service_error, "response", "COS refused");
    e.service = coswire::cos_error{.http_status = status, .code = std::move(code), .message = std::move(message), .request_id = std::move(request_id), .server_time = 1700000000};
    return e;
}
}  // namespace

TEST_CASE("classify: transient failures are retried") {
    CHECK(coswire::retry_advice_for(coswire::make_error(errc::transport_failure, "transport", "reset")).action == retry_action::retry);
    for (const char* code : {"InternalError", "ServiceUnavailable", "SlowDown", "KmsFreqControl", "SomethingNew"})
        CHECK(coswire::retry_advice_for(service(503, code)).action == retry_action::retry);
    CHECK(coswire::retry_advice_for(service(400, "RequestTimeout")).action == retry_action::retry);
    CHECK(coswire::retry_advice_for(service(400, "UserNetworkTooSlow")).action == retry_action::retry);
    CHECK(coswire::retry_advice_for(service(409, "PathConflict")).action == retry_action::retry);
    CHECK(coswire::retry_advice_for(service(409, "UploadConflict")).action == retry_action::retry);
    CHECK(coswire::retry_advice_for(service(200, "InternalError")).action == retry_action::retry);
}

TEST_CASE("classify: a skewed or expired signature is retried after fixing the clock") {
    auto skewed = coswire::retry_advice_for(service(403, "RequestTimeTooSkewed"));
    CHECK(skewed.action == retry_action::retry_after_clock_fix);
    CHECK(skewed.server_time == 1700000000);
    auto expired = coswire::retry_advice_for(service(403, "AccessDenied", "Request has expired"));
    CHECK(expired.action == retry_action::retry_after_clock_fix);
    auto unproven = coswire::retry_advice_for(service(403, "RequestTimeTooSkewed", "", ""));
    CHECK(unproven.action == retry_action::retry_after_clock_fix);
    CHECK_FALSE(unproven.server_time);
}

TEST_CASE("classify: an expired session token is retried with fresh credentials, at either status COS has used") {
    CHECK(coswire::retry_advice_for(service(400, "ExpiredToken")).action == retry_action::retry_with_fresh_credentials);
    CHECK(coswire::retry_advice_for(service(403, "ExpiredToken")).action == retry_action::retry_with_fresh_credentials);
}

TEST_CASE("classify: client errors and misuse are not retried") {
    for (const char* code : {"AccessDenied", "SignatureDoesNotMatch", "NoSuchUpload", "InvalidPart", "EntityTooSmall", "NoSuchKey"})
        CHECK(coswire::retry_advice_for(service(code == std::string("NoSuchUpload") ? 404 : 400, code)).action == retry_action::fail);
    CHECK(coswire::retry_advice_for(coswire::make_error(errc::invalid_argument, "x", "y")).action == retry_action::fail);
    CHECK(coswire::retry_advice_for(coswire::make_error(errc::malformed_response, "x", "y")).action == retry_action::fail);
}
