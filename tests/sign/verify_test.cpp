// SPDX-License-Identifier: MIT
#include <coswire/sign/verify.hpp>

#include <doctest/doctest.h>

#include "vectors.hpp"

#include <coswire/sign/presign.hpp>
#include <coswire/sign/request.hpp>

#include <array>
#include <string>
#include <vector>

using coswire::credentials;
using coswire::header_field;
using coswire::query_param;
using coswire::secret_string;

namespace {

struct keyring {
    std::vector<credentials> known;
    const secret_string* operator()(std::string_view id) const {
        for (const auto& c : known)
            if (c.secret_id == id) return &c.secret_key;
        return nullptr;
    }
};

/// Splits and decodes a query string the way a server does.
struct decoded_query {
    std::vector<std::string> storage;
    std::vector<query_param> params;
    explicit decoded_query(std::string_view q) {
        std::vector<std::pair<std::string, std::optional<std::string>>> pairs;
        while (!q.empty()) {
            const auto amp = q.find('&');
            const std::string_view item = q.substr(0, amp);
            const auto eq = item.find('=');
            pairs.emplace_back(coswire::percent_decode(item.substr(0, eq)).value(),
                               eq == std::string_view::npos ? std::nullopt
                                                            : std::optional<std::string>(coswire::percent_decode(item.substr(eq + 1)).value()));
            if (amp == std::string_view::npos) break;
            q.remove_prefix(amp + 1);
        }
        storage.reserve(pairs.size() * 2);
        for (auto& [n, v] : pairs) {
            storage.push_back(n);
            const std::string& name = storage.back();
            if (v) {
                storage.push_back(*v);
                params.push_back({name, storage.back()});
            } else {
                params.push_back({name, std::nullopt});
            }
        }
    }
};

template <class T>
std::string code_of(const coswire::result<T>& r) { return r ? "" : r.error().service->code; }

}  // namespace

TEST_CASE("verify_request: a request signed by the signer verifies; any change to what is signed does not") {
    const keyring keys{{vectors::doc_credentials()}};
    const auto creds = vectors::doc_credentials();
    auto parts = coswire::sign(vectors::put_request, creds, vectors::put_time);
    REQUIRE(parts);
    std::vector<header_field> headers(vectors::put_headers.begin(), vectors::put_headers.end());
    headers.push_back({"Authorization", parts->authorization});
    const std::int64_t now = vectors::put_time.start + 10;
    CHECK(coswire::verify_request({"PUT", "/exampleobject(腾讯云)", {}, headers}, keys, now).has_value());

    SUBCASE("a signed header changed") {
        headers[2].value = "text/html";
        auto r = coswire::verify_request({"PUT", "/exampleobject(腾讯云)", {}, headers}, keys, now);
        REQUIRE_FALSE(r);
        CHECK(r.error().service->code == "SignatureDoesNotMatch");
        CHECK(r.error().service->http_status == 403);
        CHECK(r.error().service->format_string.find("content-type=text%2Fhtml") != std::string::npos);
        CHECK(r.error().service->string_to_sign.starts_with("sha1\n1557989151;1557996351\n"));
    }
    SUBCASE("an unsigned header changed") {
        headers[0].value = "Fri, 17 May 2019 00:00:00 GMT";  // Date is not in the standard selection
        CHECK(coswire::verify_request({"PUT", "/exampleobject(腾讯云)", {}, headers}, keys, now).has_value());
    }
    SUBCASE("the path changed: a '+' that became a space") {
        CHECK(code_of(coswire::verify_request({"PUT", "/exampleobject(腾讯 云)", {}, headers}, keys, now)) == "SignatureDoesNotMatch");
    }
    SUBCASE("outside the window") {
        auto late = coswire::verify_request({"PUT", "/exampleobject(腾讯云)", {}, headers}, keys, vectors::put_time.end + 1);
        REQUIRE_FALSE(late);
        CHECK(late.error().service->code == "AccessDenied");
        CHECK(late.error().service->message == "Request has expired");
    }
    SUBCASE("an unknown SecretId") {
        CHECK(code_of(coswire::verify_request({"PUT", "/exampleobject(腾讯云)", {}, headers}, keyring{}, now)) == "InvalidAccessKeyId");
    }
    SUBCASE("a signed header removed") {
        headers.erase(headers.begin() + 4);  // Content-MD5
        CHECK(code_of(coswire::verify_request({"PUT", "/exampleobject(腾讯云)", {}, headers}, keys, now)) == "SignatureDoesNotMatch");
    }
}

TEST_CASE("verify_request: presigned queries, coswire's form and the merged 'sign' form (Go G3)") {
    const auto doc = vectors::doc_credentials();
    const credentials sts{doc.secret_id, doc.secret_key, secret_string("tok/EN+123==")};
    const keyring keys{{sts}};
    const std::array<header_field, 1> host{{{"Host", vectors::doc_host}}};
    auto p = coswire::presign({"GET", vectors::multipart_path, {}, host}, sts, vectors::multipart_time);
    REQUIRE(p);
    const decoded_query q(p->query);
    CHECK(coswire::verify_request({"GET", vectors::multipart_path, q.params, host}, keys, 1700000001).has_value());
    CHECK(code_of(coswire::verify_request({"GET", "/other", q.params, host}, keys, 1700000001)) == "SignatureDoesNotMatch");

    const credentials g2{.secret_id = "QmFzZTY0IGlzIGEgZ*******", .secret_key = secret_string("ZfbOA78asKUYBcXFrJD0a1I*******")};
    const decoded_query merged(
        "test=params&sign=q-sign-algorithm%3Dsha1%26q-ak%3DQmFzZTY0IGlzIGEgZ*******%26q-sign-time%3D1622702557%3B1622706157"
        "%26q-key-time%3D1622702557%3B1622706157%26q-header-list%3D%26q-url-param-list%3Dtest%26"
        "q-signature%3D7757e84ed5f8953eafc30afcd2a5d1ad68e00d67");
    CHECK(coswire::verify_request({.method = "PUT", .path = "/test.jpg", .params = merged.params}, keyring{{g2}}, 1622702600).has_value());
}

TEST_CASE("parse_authorization: malformed values are AccessDenied, never a crash") {
    for (const char* bad : {"", "garbage", "q-sign-algorithm=md5&q-ak=a&q-sign-time=1;2&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature=x",
                            "q-sign-algorithm=sha1&q-ak=a&q-sign-time=2;1&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature=x",
                            "q-sign-algorithm=sha1&q-ak=a&q-sign-time=1;2&q-key-time=1;2&q-header-list=&q-url-param-list=",
                            "q-sign-algorithm=sha1&q-sign-algorithm=sha1", "q-sign-time=1;99999999999999999999"}) {
        CAPTURE(bad);
        auto r = coswire::parse_authorization(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().service->code == "AccessDenied");
    }
    CHECK(coswire::detail::constant_time_equal("abc", "abc"));
    CHECK_FALSE(coswire::detail::constant_time_equal("abc", "abd"));
    CHECK_FALSE(coswire::detail::constant_time_equal("abc", "ab"));
}

TEST_CASE("verify_request: listed names with reserved characters match their encoded form once") {
    const credentials c{.secret_id = "id", .secret_key = secret_string("k")};
    const keyring keys{{c}};
    const std::array<query_param, 2> q{{{"a/x", "1"}, {"B", "3"}}};
    auto parts = coswire::sign({.method = "GET", .path = "/o", .params = q}, c, {1, 2});
    REQUIRE(parts);
    CHECK(parts->url_param_list == "a%2fx;b");
    const std::array<header_field, 1> auth{{{"Authorization", parts->authorization}}};
    CHECK(coswire::verify_request({"GET", "/o", q, auth}, keys, 1).has_value());
    CHECK(coswire::detail::signed_name_is("a/x", "a%2fx"));
    CHECK_FALSE(coswire::detail::signed_name_is("a/x", "a%252fx"));
    CHECK_FALSE(coswire::detail::signed_name_is("ab", "a"));
}

namespace {

/// A request signed by coswire's signer over `params` and `headers`, the Authorization appended.
struct signed_request {
    credentials creds{.secret_id = "id", .secret_key = secret_string("k")};
    std::vector<query_param> params;
    std::vector<header_field> headers;
    std::string authorization;

    signed_request(std::vector<query_param> p, std::vector<header_field> h, coswire::key_time window = {100, 200})
        : params(std::move(p)), headers(std::move(h)) {
        auto parts = coswire::sign({"GET", "/o", params, headers}, creds, window);
        REQUIRE(parts);
        authorization = parts->authorization;
        headers.push_back({"Authorization", authorization});
    }
    coswire::result<coswire::verified_signature> verify(const coswire::verify_options& options = {}) const {
        return coswire::verify_request({"GET", "/o", params, headers}, keyring{{creds}}, 150, options);
    }
};

std::string message_of(const coswire::result<coswire::verified_signature>& r) { return r ? "" : r.error().service->message; }

}  // namespace

TEST_CASE("verify_request: a signed name that appears twice is refused, whichever copy comes first") {
    const std::vector<header_field> host{{"Host", "h"}};
    SUBCASE("a signed Range and an unsigned one put before it") {
        signed_request r({}, {{"Host", "h"}, {"Range", "bytes=0-3"}});
        REQUIRE(r.verify());
        r.headers.insert(r.headers.begin(), {"Range", "bytes=0-"});
        CHECK(code_of(r.verify()) == "AccessDenied");
        CHECK(message_of(r.verify()) == "signed header range appears more than once; a signed name must appear once");
        r.headers.front().name = "RANGE";  // a case variant is the same name
        CHECK(code_of(r.verify()) == "AccessDenied");
    }
    SUBCASE("a signed uploadId and another one, in either order and in another case") {
        signed_request r({{"uploadId", "A"}}, host);
        REQUIRE(r.verify());
        for (const char* name : {"uploadId", "uploadid", "UPLOADID"}) {
            CAPTURE(name);
            auto replayed = r;
            replayed.params.insert(replayed.params.begin(), {name, "B"});
            CHECK(message_of(replayed.verify()) == "signed parameter uploadid appears more than once; a signed name must appear once");
            replayed.params = {{"uploadId", "A"}, {name, "B"}};
            CHECK(code_of(replayed.verify()) == "AccessDenied");
        }
    }
    SUBCASE("Content-MD5, Content-Length and Host pairs") {
        signed_request r({}, {{"Host", "h"}, {"Content-Length", "3"}, {"Content-MD5", "x"}});
        REQUIRE(r.verify());
        for (header_field extra : {header_field{"content-length", "5"}, header_field{"Content-MD5", "y"}, header_field{"host", "evil"}}) {
            CAPTURE(extra.name);
            auto tampered = r;
            tampered.headers.insert(tampered.headers.begin(), extra);
            CHECK(code_of(tampered.verify()) == "AccessDenied");
        }
    }
    SUBCASE("an unsigned name repeated is not the signature's business") {
        signed_request r({}, host);
        r.headers.push_back({"User-Agent", "a"});
        r.headers.push_back({"user-agent", "b"});
        CHECK(r.verify().has_value());
    }
}

TEST_CASE("verify_request: one signature, in one place") {
    signed_request r({}, {{"Host", "h"}});
    REQUIRE(r.verify());
    SUBCASE("two Authorization headers, even identical ones") {
        r.headers.push_back({"authorization", r.authorization});
        CHECK(message_of(r.verify()) == "the request carries several Authorization headers");
    }
    SUBCASE("an Authorization header and q-* material in the query") {
        r.params.push_back({"q-ak", "id"});
        CHECK(message_of(r.verify()) == "the request carries both an Authorization header and a signature in its query");
        r.params.back() = {"sign", r.authorization};
        CHECK(message_of(r.verify()) == "the request carries both an Authorization header and a signature in its query");
    }
    SUBCASE("a presigned query with sign twice, or sign beside q-* fields") {
        const std::vector<query_param> twice{{"sign", r.authorization}, {"sign", r.authorization}};
        CHECK(message_of(coswire::verify_request({"GET", "/o", twice, {{{"Host", "h"}}}}, keyring{{r.creds}}, 150)) == "sign appears twice");
        const std::vector<query_param> both{{"sign", r.authorization}, {"q-sign-algorithm", "sha1"}};
        CHECK(message_of(coswire::verify_request({"GET", "/o", both, {{{"Host", "h"}}}}, keyring{{r.creds}}, 150)) ==
              "the query carries both sign and q-* fields");
    }
}

TEST_CASE("verify_request: the work is bounded before anything is parsed") {
    const credentials c{.secret_id = "id", .secret_key = secret_string("k")};
    SUBCASE("a 5 MB q-header-list is refused by its size") {
        std::string huge = "q-sign-algorithm=sha1&q-ak=id&q-sign-time=1;2&q-key-time=1;2&q-url-param-list=&q-signature=00&q-header-list=";
        for (int i = 0; i < 500000; ++i) huge += "host;abcde";
        const std::vector<header_field> h{{"Host", "h"}, {"Authorization", huge}};
        auto v = coswire::verify_request({"GET", "/o", {}, h}, keyring{{c}}, 1);
        CHECK(message_of(v) == "the signature has " + std::to_string(huge.size()) + " bytes, more than the 16384 this verifier reads");
    }
    SUBCASE("a list longer than the signer can make, or naming one name twice") {
        std::string list;
        for (int i = 0; i <= 128; ++i) list += "h" + std::to_string(i) + ";";
        auto many = coswire::parse_authorization("q-sign-algorithm=sha1&q-ak=id&q-sign-time=1;2&q-key-time=1;2&q-url-param-list=&q-signature=0&q-header-list=" + list);
        REQUIRE_FALSE(many);
        CHECK(many.error().service->message == "q-header-list lists more than 128 names");
        auto twice = coswire::parse_authorization("q-sign-algorithm=sha1&q-ak=id&q-sign-time=1;2&q-key-time=1;2&q-url-param-list=a;b;a&q-signature=0&q-header-list=");
        REQUIRE_FALSE(twice);
        CHECK(twice.error().service->message == "q-url-param-list lists a twice");
    }
    SUBCASE("more headers and parameters than max_fields") {
        signed_request r({}, {{"Host", "h"}});
        for (int i = 0; i < 1100; ++i) r.params.push_back({"p", "v"});
        CHECK(message_of(r.verify()) == "the request has 1102 headers and parameters, more than the 1024 this verifier checks");
        CHECK(code_of(r.verify({.max_fields = 2000})) == "");
    }
}

TEST_CASE("verify_request: a window longer than max_window_seconds is refused; 0 takes COS's any-length windows") {
    signed_request week({}, {{"Host", "h"}}, {100, 100 + 7 * 24 * 3600});
    CHECK(week.verify().has_value());
    signed_request longer({}, {{"Host", "h"}}, {100, 100 + 7 * 24 * 3600 + 1});
    CHECK(message_of(longer.verify()) == "the signature is valid for 604801 seconds, longer than the 604800 this verifier accepts");
    // Tencent's documentation signs 1484728626;32557624626 (until the year 3001).
    signed_request doc({}, {{"Host", "h"}}, {100, 32557624626});
    CHECK(code_of(doc.verify()) == "AccessDenied");
    CHECK(doc.verify({.max_window_seconds = 0}).has_value());
    CHECK(doc.verify({.max_window_seconds = 60}).error().service->message.find("longer than the 60") != std::string::npos);
}

TEST_CASE("verify_request: says what the signature covered; refuse_unsigned refuses the rest") {
    signed_request r({{"uploadId", "A"}}, {{"Host", "h"}, {"x-cos-acl", "private"}});
    auto covered = r.verify();
    REQUIRE(covered);
    CHECK(covered->secret_id == "id");
    CHECK(covered->q_key_time == coswire::key_time{100, 200});
    CHECK(covered->signed_headers == std::vector<std::string>{"host", "x-cos-acl"});
    CHECK(covered->signed_params == std::vector<std::string>{"uploadid"});
    CHECK_FALSE(covered->presigned);
    const coswire::verify_options strict{.refuse_unsigned = true};
    CHECK(r.verify(strict).has_value());

    auto added_param = r;
    added_param.params.push_back({"response-content-type", "text/html"});
    CHECK(added_param.verify().has_value());  // COS's own rule: only the lists are checked
    CHECK(message_of(added_param.verify(strict)) == "the query parameter response-content-type is not signed");
    auto added_header = r;
    added_header.headers.push_back({"X-Cos-Copy-Source", "other/key"});
    CHECK(added_header.verify().has_value());
    CHECK(message_of(added_header.verify(strict)) == "the header X-Cos-Copy-Source is not signed");
    auto added_date = r;  // headers outside x-cos-* / x-ci-* stay the transport's business
    added_date.headers.push_back({"Date", "Fri, 17 May 2019 00:00:00 GMT"});
    CHECK(added_date.verify(strict).has_value());

    const std::array<header_field, 1> host{{{"Host", vectors::doc_host}}};
    const credentials sts{"id", secret_string("k"), secret_string("tok")};
    auto p = coswire::presign({.method = "GET", .path = "/o", .headers = host}, sts, {100, 200});
    REQUIRE(p);
    const decoded_query q(p->query);
    auto presigned = coswire::verify_request({"GET", "/o", q.params, host}, keyring{{sts}}, 150, strict);
    REQUIRE(presigned);
    CHECK(presigned->presigned);
    CHECK(presigned->signed_params == std::vector<std::string>{"x-cos-security-token"});
}

TEST_CASE("verify_request: the FormatString of a mismatch never holds the session token") {
    const credentials sts{"id", secret_string("k"), secret_string("very-secret-token")};
    coswire::http_request req;
    req.method = "GET";
    req.host = "h";
    req.path = req.wire_path = "/o";
    req.headers = {{"Host", "h"}};
    auto s = coswire::signer::create(sts, {100, 200});
    REQUIRE(s);
    REQUIRE(coswire::authorize(req, *s));
    std::vector<header_field> sent;
    for (const auto& x : req.headers) sent.push_back({x.name, x.value});
    CHECK(coswire::verify_request({"GET", "/o", {}, sent}, keyring{{sts}}, 150).has_value());
    auto mismatch = coswire::verify_request({"GET", "/other", {}, sent}, keyring{{sts}}, 150);
    REQUIRE_FALSE(mismatch);
    const std::string& format = mismatch.error().service->format_string;
    CHECK(format.find("x-cos-security-token=***") != std::string::npos);
    CHECK(format.find("very-secret-token") == std::string::npos);
    CHECK(coswire::describe(mismatch.error()).find("very-secret-token") == std::string::npos);
}
