// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/checks.hpp>

#include <doctest/doctest.h>

#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/sign/request.hpp>

#include <string>
#include <vector>

namespace emu = coswire::detail::emu;
using coswire::http_request;

namespace {

constexpr std::int64_t t0 = 1700000000;

coswire::testing::emulator_options options_with(coswire::credentials c) {
    coswire::testing::emulator_options o;
    o.accepted.push_back(std::move(c));
    return o;
}

const coswire::credentials permanent{"AKIDchecks", coswire::secret_string("checks-secret"), coswire::secret_string()};
const coswire::credentials temporary{"AKIDtemp", coswire::secret_string("temp-secret"), coswire::secret_string("token-1")};

http_request get_request(const coswire::testing::emulator_options& o) {
    http_request r;
    r.method = "GET";
    r.host = o.host;
    r.path = r.wire_path = "/k";
    r.headers.push_back({"Host", o.host});
    return r;
}

void sign(http_request& r, const coswire::credentials& c, coswire::key_time window) {
    auto s = coswire::signer::create(c, window);
    REQUIRE(s);
    REQUIRE(coswire::authorize(r, *s));
}

std::string code_of(const emu::refusal& r) {
    REQUIRE(r);
    return coswire::parse_error_response(*r).service->code;
}

}  // namespace

TEST_CASE("check_host_and_target: the one Host (or another the caller serves), then a decodable target") {
    const coswire::testing::emulator_options o;
    http_request r = get_request(o);
    CHECK_FALSE(emu::check_host_and_target(o, emu::read_exchange(r, o.host, t0, 1)));
    r.headers[0].value = "EXAMPLEBUCKET-1250000000.cos.ap-beijing.myqcloud.com";
    CHECK_FALSE(emu::check_host_and_target(o, emu::read_exchange(r, o.host, t0, 1)));
    r.headers[0].value = "other.example";
    CHECK(code_of(emu::check_host_and_target(o, emu::read_exchange(r, o.host, t0, 1))) == "AccessDenied");
    CHECK_FALSE(emu::check_host_and_target(o, emu::read_exchange(r, o.host, t0, 1), true));
    r.headers.clear();
    r.host.clear();
    CHECK(code_of(emu::check_host_and_target(o, emu::read_exchange(r, o.host, t0, 1))) == "MissingHost");
    r = get_request(o);
    r.wire_path = "/%zz";
    CHECK(code_of(emu::check_host_and_target(o, emu::read_exchange(r, o.host, t0, 1))) == "InvalidURI");
}

TEST_CASE("authenticate: signatures, windows, tokens and Date") {
    coswire::testing::emulator_options o = options_with(permanent);
    o.accepted.push_back(temporary);
    coswire::testing::fault_counters faults;
    const auto check = [&](const http_request& r, std::int64_t now) { return emu::authenticate(o, emu::read_exchange(r, o.host, now, 1), faults); };

    http_request r = get_request(o);
    sign(r, permanent, {t0 - 60, t0 + 60});
    CHECK_FALSE(check(r, t0));
    CHECK(code_of(check(r, t0 + 120)) == "AccessDenied");          // expired
    CHECK(code_of(check(r, t0 - 600)) == "RequestTimeTooSkewed");  // signed for later
    CHECK(faults.clock_skew == 1);

    http_request forged = get_request(o);
    sign(forged, coswire::credentials{"AKIDchecks", coswire::secret_string("wrong"), coswire::secret_string()}, {t0 - 60, t0 + 60});
    const emu::refusal mismatch = check(forged, t0);
    CHECK(code_of(mismatch) == "SignatureDoesNotMatch");
    CHECK(coswire::parse_error_response(*mismatch).service->string_to_sign.starts_with("sha1\n"));
    CHECK(mismatch->body.find("wrong") == std::string::npos);

    http_request unknown = get_request(o);
    sign(unknown, coswire::credentials{"AKIDnobody", coswire::secret_string("s"), coswire::secret_string()}, {t0 - 60, t0 + 60});
    CHECK(code_of(check(unknown, t0)) == "InvalidAccessKeyId");

    http_request with_token = get_request(o);  // the signer sends the credentials' token
    sign(with_token, temporary, {t0 - 60, t0 + 60});
    REQUIRE(with_token.header("x-cos-security-token") == "token-1");
    CHECK_FALSE(check(with_token, t0));
    http_request other_token = get_request(o);
    sign(other_token, coswire::credentials{"AKIDtemp", coswire::secret_string("temp-secret"), coswire::secret_string("token-2")},
         {t0 - 60, t0 + 60});
    CHECK(code_of(check(other_token, t0)) == "InvalidAccessKeyId");
    http_request stray_token = get_request(o);
    stray_token.headers.push_back({"x-cos-security-token", "token-1"});
    sign(stray_token, permanent, {t0 - 60, t0 + 60});
    CHECK(code_of(check(stray_token, t0)) == "InvalidAccessKeyId");

    http_request dated = get_request(o);
    dated.headers.push_back({"Date", "Tue, 14 Nov 2023 21:13:20 GMT"});  // an hour before t0
    sign(dated, permanent, {t0 - 60, t0 + 60});
    CHECK(code_of(check(dated, t0)) == "RequestTimeTooSkewed");
    CHECK(faults.clock_skew == 2);
}

TEST_CASE("authenticate: a key in credential_expiry is ExpiredToken from its expiry on; others are unaffected") {
    coswire::testing::emulator_options o = options_with(temporary);
    o.accepted.push_back(permanent);
    o.credential_expiry = {{"AKIDtemp", t0 + 10}};
    coswire::testing::fault_counters faults;
    const auto check = [&](const http_request& r, std::int64_t now) { return emu::authenticate(o, emu::read_exchange(r, o.host, now, 7), faults); };

    http_request expiring = get_request(o);
    sign(expiring, temporary, {t0 - 60, t0 + 60});
    http_request lasting = get_request(o);
    sign(lasting, permanent, {t0 - 60, t0 + 60});
    CHECK_FALSE(check(expiring, t0 + 9));
    for (const std::int64_t now : {t0 + 10, t0 + 11, t0 + 59}) {
        const emu::refusal r = check(expiring, now);
        REQUIRE(r);
        CHECK(r->status == 400);
        const auto parsed = coswire::parse_error_response(*r);
        CHECK(parsed.service->code == "ExpiredToken");
        CHECK(parsed.service->request_id == "emu-7");
        CHECK(coswire::to_cos_errc(parsed.service->code) == coswire::cos_errc::expired_token);
        CHECK(r->body.find("temp-secret") == std::string::npos);
        CHECK(r->body.find("token-1") == std::string::npos);
    }
    CHECK_FALSE(check(lasting, t0 + 30));

    // The signature is checked first: a forged request under the expired key learns nothing of it.
    http_request forged = get_request(o);
    sign(forged, coswire::credentials{"AKIDtemp", coswire::secret_string("wrong"), coswire::secret_string("token-1")}, {t0 - 60, t0 + 60});
    CHECK(code_of(check(forged, t0 + 30)) == "SignatureDoesNotMatch");
    CHECK(faults.clock_skew == 0);
}

TEST_CASE("refuse_repeated_names: a header or parameter twice, in any case") {
    emu::exchange x;
    x.headers = {{"x-cos-meta-a", "1"}, {"X-Cos-Meta-A", "2"}};
    CHECK(code_of(emu::refuse_repeated_names(x)) == "InvalidRequest");
    x.headers.pop_back();
    CHECK_FALSE(emu::refuse_repeated_names(x));
    x.params = {{"prefix", "a"}, {"Prefix", "b"}};
    CHECK(code_of(emu::refuse_repeated_names(x)) == "InvalidRequest");
}

TEST_CASE("read_body: Content-Length cuts or refuses; Content-MD5 is checked") {
    emu::exchange x;
    x.body = "hello world";
    x.headers = {{"Content-Length", "5"}};
    CHECK_FALSE(emu::read_body(x));
    CHECK(x.body == "hello");
    x.headers = {{"Content-Length", "6"}};
    CHECK(code_of(emu::read_body(x)) == "IncompleteBody");
    x.headers = {{"Content-Length", "-1"}};
    CHECK(code_of(emu::read_body(x)) == "InvalidArgument");
    const std::string good = coswire::base64_encode(std::span<const std::uint8_t>(coswire::md5_hash("hello")));
    const std::string other = coswire::base64_encode(std::span<const std::uint8_t>(coswire::md5_hash("other")));
    x.headers = {{"Content-MD5", good}};
    CHECK_FALSE(emu::read_body(x));
    x.headers = {{"Content-MD5", other}};
    CHECK(code_of(emu::read_body(x)) == "BadDigest");
    x.headers = {{"Content-MD5", "abc"}};
    CHECK(code_of(emu::read_body(x)) == "InvalidDigest");
}
