// SPDX-License-Identifier: MIT
#include <coswire/client.hpp>

#include <doctest/doctest.h>

#include <coswire/sign/verify.hpp>
#include <coswire/testing/fake_transport.hpp>

#include <string>
#include <vector>

using coswire::errc;
using coswire::http_response;
using coswire::testing::fake_transport;

namespace {

const coswire::credentials creds{.secret_id = "AKIDexample", .secret_key = coswire::secret_string("secret-key")};

struct fixture {
    fake_transport transport;
    std::int64_t now = 1700000000;
    std::vector<std::uint32_t> waits;
    coswire::client<fake_transport> make(coswire::client_options options = {}) {
        return coswire::client<fake_transport>(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds,
                                               transport, [this] { return now; }, [this](std::uint32_t ms) { waits.push_back(ms); },
                                               options);
    }
};

coswire::client_options options(std::uint32_t attempts, std::uint32_t base_ms = 100, std::uint32_t max_ms = 10000) {
    coswire::client_options o;
    o.max_attempts = attempts;
    o.backoff_base_ms = base_ms;
    o.backoff_max_ms = max_ms;
    return o;
}

http_response cos_error(int status, const std::string& code, const std::string& extra = {}) {
    return {status, {{"x-cos-request-id", "rid"}, {"Content-Type", "application/xml"}},
            "<Error><Code>" + code + "</Code><Message>m</Message>" + extra + "</Error>"};
}

bool signature_valid(const coswire::http_request& r, std::int64_t now) {
    std::vector<coswire::header_field> headers;
    for (const auto& h : r.headers) headers.push_back({h.name, h.value});
    const auto lookup = [](std::string_view id) { return id == creds.secret_id ? &creds.secret_key : nullptr; };
    return coswire::verify_request({r.method, r.path, {}, headers}, lookup, now).has_value();
}

}  // namespace

TEST_CASE("client: signs each request with a window around the injected clock") {
    fixture f;
    auto c = f.make();
    f.transport.respond(200, {{"ETag", "\"abc\""}, {"Content-Length", "3"}, {"x-cos-request-id", "r1"}});
    auto head = c.send(coswire::head_object_params{.key = "a b.txt"});
    REQUIRE(head);
    CHECK(head->headers.etag == "abc");
    REQUIRE(f.transport.requests().size() == 1);
    const auto& sent = f.transport.requests()[0];
    CHECK(sent.target() == "/a%20b.txt");
    CHECK(sent.header("Authorization")->find("q-sign-time=1699999940;1700000900") != std::string_view::npos);
    CHECK(signature_valid(sent, f.now));
    CHECK_FALSE(sent.header("x-cos-sdk-retry"));
}

TEST_CASE("client: retries transient failures with jittered backoff and marks retries") {
    fixture f;
    auto c = f.make(options(4, 100, 250));
    f.transport.respond(coswire::make_error(errc::transport_failure, "transport", "reset"))
        .respond(cos_error(503, "SlowDown"))
        .respond(cos_error(500, "InternalError"))
        .respond(204, {{"x-cos-request-id", "ok"}});
    auto r = c.send(coswire::delete_object_params{.key = "k"});
    REQUIRE(r);
    CHECK(r->request_id == "ok");
    REQUIRE(f.transport.requests().size() == 4);
    CHECK_FALSE(f.transport.requests()[0].header("x-cos-sdk-retry"));
    for (std::size_t i = 1; i < 4; ++i) CHECK(f.transport.requests()[i].header("x-cos-sdk-retry") == "true");
    REQUIRE(f.waits.size() == 3);
    CHECK(f.waits[0] <= 100);
    CHECK(f.waits[1] <= 200);
    CHECK(f.waits[2] <= 250);
    CHECK(signature_valid(f.transport.requests()[3], f.now));
}

TEST_CASE("client: gives up after max_attempts and returns the last error") {
    fixture f;
    auto c = f.make(options(2));
    f.transport.respond(cos_error(503, "SlowDown")).respond(cos_error(503, "ServiceUnavailable")).respond(204);
    auto r = c.send(coswire::delete_object_params{.key = "k"});
    REQUIRE_FALSE(r);
    CHECK(r.error().service->code == "ServiceUnavailable");
    CHECK(f.transport.pending() == 1);
}

TEST_CASE("client: client errors are not retried") {
    fixture f;
    auto c = f.make();
    f.transport.respond(cos_error(404, "NoSuchUpload")).respond(204);
    auto r = c.send(coswire::abort_multipart_upload_params{.key = "k", .upload_id = "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361"});
    REQUIRE_FALSE(r);
    CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::no_such_upload));
    CHECK(f.transport.requests().size() == 1);
    CHECK(f.waits.empty());
}

TEST_CASE("client: a skewed clock is corrected from the server time and the request re-signed") {
    fixture f;
    auto c = f.make();
    f.transport.respond(cos_error(403, "RequestTimeTooSkewed", "<ServerTime>2023-11-14T22:13:20Z</ServerTime>"))
        .respond(204, {{"x-cos-request-id", "ok"}});
    f.now = 1600000000;  // the local clock is far behind the server's 1700000000
    auto r = c.send(coswire::delete_object_params{.key = "k"});
    REQUIRE(r);
    CHECK(c.clock_offset() == 100000000);
    CHECK(f.waits.empty());
    CHECK(signature_valid(f.transport.requests()[1], 1700000000));
    CHECK_FALSE(signature_valid(f.transport.requests()[0], 1700000000));
}

TEST_CASE("client: builder errors are returned before anything is sent") {
    fixture f;
    auto c = f.make();
    auto r = c.send(coswire::delete_object_params{.key = ""});
    REQUIRE_FALSE(r);
    CHECK(r.error().argument == "object_key");
    CHECK(f.transport.requests().empty());
}

TEST_CASE("client: a failing credentials provider fails the call") {
    fake_transport t;
    coswire::client<fake_transport> c(
        coswire::make_endpoint("b-1", "ap-beijing").value(),
        coswire::credentials_provider([]() -> coswire::result<coswire::credentials> {
            return coswire::make_error(errc::transport_failure, "credentials", "STS unreachable");
        }),
        t, [] { return std::int64_t{1}; }, [](std::uint32_t) {}, options(1));
    auto r = c.send(coswire::delete_object_params{.key = "k"});
    REQUIRE_FALSE(r);
    CHECK(r.error().reason == "STS unreachable");
    CHECK(t.requests().empty());
}

TEST_CASE("client: ExpiredToken asks for fresh credentials through refresh_credentials and retries once, at once") {
    // A provider holding a session token until it is told to drop it (as a caching provider's invalidate()).
    int generation = 1;
    int refreshes = 0;
    const coswire::credentials_provider provider = [&generation]() -> coswire::result<coswire::credentials> {
        return coswire::credentials{.secret_id = "AKIDtemp", .secret_key = coswire::secret_string("temp-key"),
                                    .session_token = coswire::secret_string("token-" + std::to_string(generation))};
    };
    coswire::client_options o = options(4);
    o.refresh_credentials = [&] {
        ++refreshes;
        ++generation;
    };
    fake_transport t;
    std::vector<std::uint32_t> waits;
    coswire::client<fake_transport> c(coswire::make_endpoint("b-1250000000", "ap-beijing").value(), provider, t,
                                      [] { return std::int64_t{1700000000}; }, [&](std::uint32_t ms) { waits.push_back(ms); }, o);

    SUBCASE("a fresh token succeeds") {
        t.respond(cos_error(400, "ExpiredToken")).respond(204, {{"x-cos-request-id", "ok"}});
        REQUIRE(c.send(coswire::delete_object_params{.key = "k"}));
        REQUIRE(t.requests().size() == 2);
        CHECK(t.requests()[0].header("x-cos-security-token") == "token-1");
        CHECK(t.requests()[1].header("x-cos-security-token") == "token-2");
        CHECK(refreshes == 1);
        CHECK(waits.empty());
    }
    SUBCASE("a second ExpiredToken (403, as older tables list it) is the error: one refresh per operation") {
        t.respond(cos_error(403, "ExpiredToken")).respond(cos_error(403, "ExpiredToken")).respond(204);
        auto r = c.send(coswire::delete_object_params{.key = "k"});
        REQUIRE_FALSE(r);
        REQUIRE(r.error().service);
        CHECK(r.error().service->code == "ExpiredToken");
        CHECK(t.requests().size() == 2);
        CHECK(refreshes == 1);
        // The next operation may refresh again.
        REQUIRE(c.send(coswire::delete_object_params{.key = "k"}));
        CHECK(refreshes == 1);
    }
}

TEST_CASE("client: without refresh_credentials an ExpiredToken fails the operation without a retry") {
    fixture f;
    auto c = f.make(options(4));
    f.transport.respond(cos_error(400, "ExpiredToken")).respond(204);
    auto r = c.send(coswire::delete_object_params{.key = "k"});
    REQUIRE_FALSE(r);
    CHECK(f.transport.requests().size() == 1);
    CHECK(f.waits.empty());
}
