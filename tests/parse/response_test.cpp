// SPDX-License-Identifier: MIT
#include <coswire/parse/response.hpp>

#include <doctest/doctest.h>

using coswire::errc;

TEST_CASE("unquote_etag: strips exactly one pair of quotes") {
    CHECK(coswire::unquote_etag("\"abc\"") == "abc");
    CHECK(coswire::unquote_etag("abc") == "abc");
    CHECK(coswire::unquote_etag("\"\"abc\"\"") == "\"abc\"");
    CHECK(coswire::unquote_etag("\"") == "\"");
}

TEST_CASE("parse_decimal: unsigned 64-bit decimal only") {
    CHECK(coswire::detail::parse_decimal("0", "n").value() == 0);
    CHECK(coswire::detail::parse_decimal("18446744073709551615", "n").value() == UINT64_MAX);
    CHECK(coswire::detail::parse_decimal("9999999999999999999", "n").value() == 9999999999999999999u);
    CHECK(coswire::detail::parse_decimal("0000000000000000000000018446744073709551615", "n").value() == UINT64_MAX);
    for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "18446744073709551616", "1e3", "99999999999999999999",
                            "00000000000000000000018446744073709551616", "1844674407370955161x"}) {
        auto r = coswire::detail::parse_decimal(bad, "n");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::malformed_response);
        CHECK(r.error().argument == "n");
    }
}

TEST_CASE("parse_object_headers: the Upload Part example's ETag and CRC-64") {
    const coswire::http_response r{200,
                                   {{"ETag", "\"108f528eb63b65e734f27ae331f5ffaa\""},
                                    {"x-cos-hash-crc64ecma", "4510578591875220731"},
                                    {"x-cos-request-id", "NTg3ZjI5MzlfOTgxZjRlXzZhYjNf****"},
                                    {"Last-Modified", "Thu, 16 May 2019 06:45:51 GMT"},
                                    {"Content-Length", "13"},
                                    {"x-cos-meta-Author", "me"},
                                    {"x-cos-storage-class", "STANDARD_IA"}},
                                   ""};
    auto h = coswire::parse_object_headers(r);
    REQUIRE(h);
    CHECK(h->etag == "108f528eb63b65e734f27ae331f5ffaa");
    CHECK(h->etag_raw == "\"108f528eb63b65e734f27ae331f5ffaa\"");
    CHECK(h->crc64 == 4510578591875220731ull);
    CHECK(h->request_id == "NTg3ZjI5MzlfOTgxZjRlXzZhYjNf****");
    CHECK(h->last_modified == 1557989151);
    CHECK(h->content_length == 13);
    CHECK(h->storage_class == "STANDARD_IA");
    REQUIRE(h->metadata.size() == 1);
    CHECK(h->metadata[0].first == "Author");
    CHECK(coswire::parse_object_headers({200, {}, ""})->storage_class == "STANDARD");
}

TEST_CASE("parse_object_headers: the encryption, tag count and lifecycle expiration of a HEAD answer") {
    // The SSE-KMS and SSE-C HEAD Object examples' headers, with a tag count and an expiration.
    const coswire::http_response kms{200,
                                     {{"x-cos-server-side-encryption", "cos/kms"},
                                      {"x-cos-server-side-encryption-cos-kms-key-id", "48ba38aa-26c5-11ea-855c-52540085****"},
                                      {"x-cos-tagging-count", "3"},
                                      {"x-cos-expiration", "expiry-date=\"Fri, 23 Dec 2022 00:00:00 GMT\", rule-id=\"r1\""}},
                                     ""};
    auto h = coswire::parse_object_headers(kms);
    REQUIRE(h);
    CHECK(h->server_side_encryption == "cos/kms");
    CHECK(h->sse_kms_key_id == "48ba38aa-26c5-11ea-855c-52540085****");
    CHECK(h->tagging_count == 3);
    CHECK(h->expiration == "expiry-date=\"Fri, 23 Dec 2022 00:00:00 GMT\", rule-id=\"r1\"");
    auto c = coswire::parse_object_headers({200,
                                            {{"x-cos-server-side-encryption-customer-algorithm", "AES256"},
                                             {"x-cos-server-side-encryption-customer-key-MD5", "U5L61r7jcwdNvT7frmUG8g=="}},
                                            ""});
    REQUIRE(c);
    CHECK(c->sse_customer_algorithm == "AES256");
    CHECK(c->sse_customer_key_md5 == "U5L61r7jcwdNvT7frmUG8g==");
    CHECK_FALSE(c->tagging_count);
    CHECK(coswire::parse_object_headers({200, {{"x-cos-tagging-count", "three"}}, ""}).error().argument == "x-cos-tagging-count");
}

TEST_CASE("parse_object_headers: a malformed header value names the header") {
    auto crc = coswire::parse_object_headers({200, {{"x-cos-hash-crc64ecma", "-5"}}, ""});
    CHECK(crc.error().argument == "x-cos-hash-crc64ecma");
    auto date = coswire::parse_object_headers({200, {{"Last-Modified", "yesterday"}}, ""});
    CHECK(date.error().argument == "Last-Modified");
    CHECK(date.error().code == errc::malformed_response);
}

TEST_CASE("expect_status: expected statuses pass, others and 200-with-Error become COS errors") {
    CHECK(coswire::expect_status({204, {}, ""}, {200, 204}).has_value());
    auto missing = coswire::expect_status({404, {}, ""}, {200});
    CHECK(missing.error().service->code == "NoSuchResource");
    const coswire::http_response hidden{200, {}, "  <Error><Code>InternalError</Code></Error>"};
    CHECK(coswire::expect_status(hidden, {200}).has_value());
    CHECK(coswire::expect_status(hidden, {200}, true).error().service->code == "InternalError");
}

TEST_CASE("check_single_value_headers: any single-value header sent twice is refused, named") {
    for (std::string_view name : coswire::single_value_response_headers) {
        CAPTURE(name);
        const coswire::http_response once{200, {{std::string(name), "1"}, {"x-cos-meta-a", "1"}, {"x-cos-meta-a", "2"}}, ""};
        CHECK(coswire::check_single_value_headers(once).has_value());
        coswire::http_response twice = once;
        std::string upper(name);
        for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        twice.headers.push_back({upper, "1"});  // the same value, in another case: still two headers
        auto refused = coswire::check_single_value_headers(twice);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == errc::malformed_response);
        CHECK(refused.error().argument == name);
        CHECK(coswire::expect_status(twice, {200}).error().argument == name);
        CHECK(coswire::parse_object_headers(twice).error().argument == name);
    }
    // An error answer keeps its COS error: its headers only feed diagnostics.
    const coswire::http_response error_twice{500, {{"Content-Length", "0"}, {"Content-Length", "0"}}, ""};
    CHECK(coswire::expect_status(error_twice, {200}).error().code == errc::service_error);
}
