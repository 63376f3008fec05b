// SPDX-License-Identifier: MIT
#include <coswire/sign/verify.hpp>

#include <doctest/doctest.h>

#include "vectors.hpp"

#include <coswire/sign/presign.hpp>

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

std::string code_of(const coswire::result<void>& r) { return r ? "" : r.error().service->code; }

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

    const credentials g2{"QmFzZTY0IGlzIGEgZ*******", secret_string("ZfbOA78asKUYBcXFrJD0a1I*******"), {}};
    const decoded_query merged(
        "test=params&sign=q-sign-algorithm%3Dsha1%26q-ak%3DQmFzZTY0IGlzIGEgZ*******%26q-sign-time%3D1622702557%3B1622706157"
        "%26q-key-time%3D1622702557%3B1622706157%26q-header-list%3D%26q-url-param-list%3Dtest%26"
        "q-signature%3D7757e84ed5f8953eafc30afcd2a5d1ad68e00d67");
    CHECK(coswire::verify_request({"PUT", "/test.jpg", merged.params, {}}, keyring{{g2}}, 1622702600).has_value());
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
    const credentials c{"id", secret_string("k"), {}};
    const keyring keys{{c}};
    const std::array<query_param, 2> q{{{"a/x", "1"}, {"B", "3"}}};
    auto parts = coswire::sign({"GET", "/o", q, {}}, c, {1, 2});
    REQUIRE(parts);
    CHECK(parts->url_param_list == "a%2fx;b");
    const std::array<header_field, 1> auth{{{"Authorization", parts->authorization}}};
    CHECK(coswire::verify_request({"GET", "/o", q, auth}, keys, 1).has_value());
    CHECK(coswire::detail::signed_name_is("a/x", "a%2fx"));
    CHECK_FALSE(coswire::detail::signed_name_is("a/x", "a%252fx"));
    CHECK_FALSE(coswire::detail::signed_name_is("ab", "a"));
}
