// SPDX-License-Identifier: MIT
#include <coswire/credentials/instance_role.hpp>

#include <coswire/testing/fake_transport.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

using coswire::errc;
using coswire::http_response;
using coswire::testing::fake_transport;

namespace {

constexpr std::string_view secret_key = "SECRET-KEY-0123456789";
constexpr std::string_view token = "SECRET-TOKEN-0123456789";

// The document shape of Tencent's "Viewing Instance Metadata" page, with test values.
std::string document(std::string_view id, std::int64_t expired_time) {
    return R"({"TmpSecretId": ")" + std::string(id) + R"(", "TmpSecretKey": ")" + std::string(secret_key) +
           R"(", "ExpiredTime": )" + std::to_string(expired_time) + R"(, "Expiration": "2021-03-12T23:00:47Z", "Token": ")" +
           std::string(token) + R"(", "Code": "Success"})";
}

void check_no_secret(const coswire::error& e) {
    const std::string text = coswire::describe(e);
    CHECK(text.find(secret_key) == std::string::npos);
    CHECK(text.find(token) == std::string::npos);
}

}  // namespace

TEST_CASE("instance role: the requests go to the metadata service over plain http") {
    auto list = coswire::make_role_name_request();
    REQUIRE(list);
    CHECK(list->method == "GET");
    CHECK(list->url() == "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/");
    CHECK(list->header("Host") == "metadata.tencentyun.com");
    auto creds = coswire::make_role_credentials_request("CVM_QcsRole", {.host = "bm.metadata.tencentyun.com"});
    REQUIRE(creds);
    CHECK(creds->url() == "http://bm.metadata.tencentyun.com/latest/meta-data/cam/security-credentials/CVM_QcsRole");
    CHECK(coswire::make_role_credentials_request("a+=,.@_-Z9"));
}

TEST_CASE("instance role: refuses role names and hosts that would change the request") {
    for (std::string_view role : {"", "../x", "a/b", "a b", "a\r\nX-Injected: 1", "a?b"}) {
        CAPTURE(role);
        auto r = coswire::make_role_credentials_request(role);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "role");
    }
    CHECK_FALSE(coswire::make_role_credentials_request(std::string(129, 'a')));
    for (std::string_view host : {"", "a/b", "evil.com\r\nX: 1", "user@host"}) {
        auto r = coswire::make_role_name_request({.host = std::string(host)});
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "host");
    }
}

TEST_CASE("parse_role_name_response: the first listed role") {
    CHECK(coswire::parse_role_name_response({.status = 200, .body = "CVM_QcsRole\nOther\n"}).value_or("") == "CVM_QcsRole");
    CHECK(coswire::parse_role_name_response({.status = 200, .body = "\r\nrole-1\r\n"}).value_or("") == "role-1");
    auto none = coswire::parse_role_name_response({.status = 200, .body = "\n"});
    REQUIRE_FALSE(none);
    CHECK(none.error().code == errc::malformed_response);
    auto html = coswire::parse_role_name_response({.status = 200, .body = "<html>"});
    REQUIRE_FALSE(html);
    CHECK(html.error().reason == "the first line is not a CAM role name");
    auto missing = coswire::parse_role_name_response({.status = 404, .body = "not found"});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == errc::service_error);
    REQUIRE(missing.error().service);
    CHECK(missing.error().service->http_status == 404);
}

TEST_CASE("parse_role_credentials_response: reads the documented fields") {
    auto c = coswire::parse_role_credentials_response({.status = 200, .body = document("AKIDtmp", 1615590047)});
    REQUIRE(c);
    CHECK(c->creds.secret_id == "AKIDtmp");
    CHECK(c->creds.secret_key.reveal() == secret_key);
    CHECK(c->creds.session_token.reveal() == token);
    CHECK(c->expires_at == 1615590047);
    SUBCASE("Expiration when ExpiredTime is absent; no Code is fine") {
        auto e = coswire::parse_role_credentials_response(
            {.status = 200, .body = R"({"TmpSecretId":"a","TmpSecretKey":"b","Token":"c","Expiration":"2021-03-12T23:00:47Z","Extra":{"x":[1]}})"});
        REQUIRE(e);
        CHECK(e->expires_at == 1615590047);
    }
}

TEST_CASE("parse_role_credentials_response: refuses malformed documents without quoting them") {
    const std::string key(secret_key), tok(token);
    const struct {
        std::string body;
        errc code;
        std::string_view reason;
    } cases[] = {
        {R"({"TmpSecretId":"a","TmpSecretKey":")" + key + R"(","Token":")" + tok + R"(","ExpiredTime":1615590047,"Code":"Failed"})",
         errc::service_error, "the metadata service answered Code Failed"},
        {R"({"TmpSecretId":"a","TmpSecretKey":"k","Token":"t","ExpiredTime":1,"Code":")" + key + R"( x"})", errc::service_error,
         "the metadata service answered Code (not shown)"},
        {R"({"TmpSecretId":"a","TmpSecretKey":"k","Token":"t","ExpiredTime":1,"Code":7})", errc::malformed_response, "Code is not a string"},
        {R"({"TmpSecretKey":")" + key + R"(","Token":")" + tok + R"(","ExpiredTime":1})", errc::malformed_response,
         "TmpSecretId is missing, empty or not a string"},
        {R"({"TmpSecretId":"a","TmpSecretKey":"","Token":"t","ExpiredTime":1})", errc::malformed_response,
         "TmpSecretKey is missing, empty or not a string"},
        {R"({"TmpSecretId":"a","TmpSecretKey":")" + key + R"(","Token":5,"ExpiredTime":1})", errc::malformed_response,
         "Token is missing, empty or not a string"},
        {R"({"TmpSecretId":"a","TmpSecretKey":")" + key + R"(","Token":")" + tok + R"(","ExpiredTime":"1615590047"})", errc::malformed_response,
         "ExpiredTime is not a positive whole number of seconds"},
        {R"({"TmpSecretId":"a","TmpSecretKey":"k","Token":"t","ExpiredTime":1.5})", errc::malformed_response,
         "ExpiredTime is not a positive whole number of seconds"},
        {R"({"TmpSecretId":"a","TmpSecretKey":"k","Token":"t","ExpiredTime":0})", errc::malformed_response,
         "ExpiredTime is not a positive whole number of seconds"},
        {R"({"TmpSecretId":"a","TmpSecretKey":"k","Token":"t","Expiration":"tomorrow"})", errc::malformed_response,
         "Expiration is not an ISO 8601 time after 1970"},
        // Found by fuzz_json: a time before 1970 would give credentials that expired long ago.
        {R"({"TmpSecretId":"a","TmpSecretKey":"k","Token":"t","Expiration":"1011-03-12T23:00:47Z"})", errc::malformed_response,
         "Expiration is not an ISO 8601 time after 1970"},
        {R"({"TmpSecretId":"a","TmpSecretKey":")" + key + R"(","Token":")" + tok + R"("})", errc::malformed_response,
         "neither ExpiredTime nor Expiration is present"},
        // The documentation's sample lacks the quote before TmpSecretId; a JSON reader refuses it.
        {"{\n  TmpSecretId\": \"a\",\n  \"TmpSecretKey\": \"" + key + "\"\n}", errc::malformed_response, "JSON: expected a string at byte 4"},
        {R"({"TmpSecretKey":")" + key + R"(", "Token":")" + tok, errc::malformed_response, "JSON: a string is not closed at byte 73"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.reason);
        auto r = coswire::parse_role_credentials_response({.status = 200, .body = c.body});
        REQUIRE_FALSE(r);
        CHECK(r.error().code == c.code);
        CHECK(r.error().argument == "body");
        CHECK(r.error().reason == c.reason);
        check_no_secret(r.error());
    }
    auto forbidden = coswire::parse_role_credentials_response({.status = 500, .body = document("AKIDtmp", 1)});
    REQUIRE_FALSE(forbidden);
    CHECK(forbidden.error().code == errc::service_error);
    CHECK(forbidden.error().reason == "fetching the role's credentials: HTTP 500");
    check_no_secret(forbidden.error());
}

TEST_CASE("fetch_instance_role_credentials: asks for the role name when none is given") {
    fake_transport t;
    t.respond(200, {}, "CVM_QcsRole\n").respond(200, {}, document("AKIDtmp", 5000));
    auto c = coswire::fetch_instance_role_credentials(t);
    REQUIRE(c);
    CHECK(c->creds.secret_id == "AKIDtmp");
    REQUIRE(t.requests().size() == 2);
    CHECK(t.requests()[0].url() == "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/");
    CHECK(t.requests()[1].url() == "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/CVM_QcsRole");

    fake_transport named;
    named.respond(200, {}, document("AKIDnamed", 5000));
    CHECK(coswire::fetch_instance_role_credentials(named, {.role = "mine"})->creds.secret_id == "AKIDnamed");
    REQUIRE(named.requests().size() == 1);
    CHECK(named.requests()[0].path == "/latest/meta-data/cam/security-credentials/mine");

    fake_transport down;  // no canned answer: the transport's failure comes back
    auto failed = coswire::fetch_instance_role_credentials(down);
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == errc::transport_failure);
    fake_transport no_role;
    no_role.respond(404, {}, "");
    auto unbound = coswire::fetch_instance_role_credentials(no_role);
    REQUIRE_FALSE(unbound);
    CHECK(unbound.error().reason == "listing the instance's roles: HTTP 404 (no CAM role of that name is bound to this instance)");
}

TEST_CASE("instance_role_machine: two sends in order, driven by hand, nothing else asked") {
    coswire::instance_role_machine m;
    coswire::step s = m.next();
    REQUIRE(s.kind == coswire::step_kind::send);
    CHECK(s.request->url() == "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/");
    CHECK_FALSE(s.streamed);
    CHECK(m.next().kind == coswire::step_kind::idle);  // the answer is still awaited
    CHECK(m.take_result().error().argument == "machine");
    REQUIRE(m.receive(s.id, http_response{200, {}, "CVM_QcsRole\n"}));
    const coswire::step second = m.next();
    REQUIRE(second.kind == coswire::step_kind::send);
    CHECK(second.id != s.id);
    CHECK(second.request->path == "/latest/meta-data/cam/security-credentials/CVM_QcsRole");
    REQUIRE(m.receive(second.id, http_response{200, {}, document("AKIDtmp", 5000)}));
    CHECK(m.next().kind == coswire::step_kind::done);
    CHECK_FALSE(m.may_have_repeated());
    auto c = m.take_result();
    REQUIRE(c);
    CHECK(c->creds.secret_id == "AKIDtmp");
    CHECK(c->expires_at == 5000);
    CHECK(m.take_result().error().reason == "take_result: the result was already taken");
}

TEST_CASE("instance_role_machine: misuse is an error value and changes nothing") {
    coswire::instance_role_machine m({.role = "mine"});
    const coswire::step s = m.next();
    REQUIRE(s.kind == coswire::step_kind::send);
    CHECK(m.receive(s.id + 1, http_response{200, {}, ""}).error().reason == "step " + std::to_string(s.id + 1) + " was never issued");
    CHECK(m.waited(s.id).error().argument == "step_id");  // a send step, not a wait
    CHECK(m.receive_head(s.id, http_response{200, {}, ""}).error().argument == "machine");
    const std::byte piece{0x41};
    CHECK(m.receive_body(s.id, {&piece, 1}).error().argument == "machine");
    REQUIRE(m.receive(s.id, http_response{200, {}, document("AKIDnamed", 7000)}));
    CHECK(m.receive(s.id, http_response{200, {}, ""}).error().reason == "step " + std::to_string(s.id) + " has already been answered");
    CHECK(m.next().kind == coswire::step_kind::done);
    CHECK(m.next().kind == coswire::step_kind::done);  // asking again after done stays done
    CHECK(m.take_result()->creds.secret_id == "AKIDnamed");
}

TEST_CASE("instance_role_machine: a failed answer or a bad role name ends it with that error") {
    coswire::instance_role_machine lost;
    REQUIRE(lost.receive(lost.next().id, coswire::make_error(errc::transport_failure, "transport", "refused")));
    CHECK(lost.next().kind == coswire::step_kind::done);
    CHECK(lost.take_result().error().code == errc::transport_failure);

    coswire::instance_role_machine refused;
    REQUIRE(refused.receive(refused.next().id, http_response{200, {}, "CVM_QcsRole\n"}));
    const coswire::step second = refused.next();
    REQUIRE(refused.receive(second.id, http_response{403, {}, document("AKIDtmp", 5000)}));
    auto e = refused.take_result();
    REQUIRE_FALSE(e);
    CHECK(e.error().reason == "fetching the role's credentials: HTTP 403");
    check_no_secret(e.error());

    coswire::instance_role_machine bad_name({.role = "../other"});  // refused by the builder: nothing is sent
    CHECK(bad_name.next().kind == coswire::step_kind::done);
    CHECK(bad_name.take_result().error().argument == "role");
}

TEST_CASE("make_instance_role_provider: caches the role's credentials and refreshes before ExpiredTime") {
    fake_transport t;
    auto now = std::make_shared<std::int64_t>(1000);
    t.respond(200, {}, document("AKIDfirst", 1000 + 7200));
    const coswire::caching_provider p = coswire::make_instance_role_provider(t, [now] { return *now; }, {.role = "CVM_QcsRole"});
    CHECK(p()->secret_id == "AKIDfirst");
    *now = 1000 + 7200 - 301;
    CHECK(p()->secret_id == "AKIDfirst");
    CHECK(t.requests().size() == 1);
    *now += 1;
    t.respond(200, {}, document("AKIDsecond", 1000 + 14400));
    CHECK(p()->secret_id == "AKIDsecond");
    CHECK(t.requests().size() == 2);
    *now = 1000 + 7200;  // the metadata service is down but the second credentials still serve
    CHECK(p()->session_token.reveal() == token);
    p.invalidate();
    t.respond(200, {}, "{\"TmpSecretKey\": \"" + std::string(secret_key) + "\"");
    auto broken = p();
    REQUIRE_FALSE(broken);
    CHECK(broken.error().code == errc::malformed_response);
    check_no_secret(broken.error());
}
