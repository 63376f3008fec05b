// SPDX-License-Identifier: MIT
#include <coswire/api/encryption.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/api/copy.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/detail/redact.hpp>
#include <coswire/sign/request.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

using coswire::errc;
using coswire::server_side_encryption;
using coswire::sse_mode;
using coswire::sse_target;
using test_support::doc_endpoint;

namespace {

// The SSE-C key of Tencent's examples: base64 MDEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUY=, whose
// MD5 the page gives as U5L61r7jcwdNvT7frmUG8g== (docs/protocol/test-vectors.md#sse-c-keys).
constexpr std::string_view doc_key = "0123456789ABCDEF0123456789ABCDEF";
constexpr std::string_view doc_key_base64 = "MDEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUY=";

server_side_encryption customer(std::string_view key) {
    return {.mode = sse_mode::customer, .customer_key = coswire::secret_string(key)};
}

using pairs = std::vector<std::pair<std::string, std::string>>;

pairs headers_of(const server_side_encryption& e, sse_target target = sse_target::object) {
    auto h = coswire::server_side_encryption_headers(e, target);
    REQUIRE(h);
    pairs out;
    for (const coswire::http_header& header : *h) out.emplace_back(header.name, header.value);
    return out;
}

}  // namespace

TEST_CASE("server_side_encryption_headers: SSE-COS and SSE-KMS with the documented context") {
    const pairs cos = {{"x-cos-server-side-encryption", "AES256"}};
    CHECK(headers_of({}) == cos);
    // The context example of the PUT Object page decodes to {"a":"asdfa","b":"123321"}.
    const pairs kms = {
        {"x-cos-server-side-encryption", "cos/kms"},
        {"x-cos-server-side-encryption-cos-kms-key-id", "48ba38aa-26c5-11ea-855c-52540085****"},
        {"x-cos-server-side-encryption-context", "eyJhIjoiYXNkZmEiLCJiIjoiMTIzMzIxIn0="}};
    CHECK(headers_of({.mode = sse_mode::kms,
                      .kms_key_id = "48ba38aa-26c5-11ea-855c-52540085****",
                      .kms_context = R"({"a":"asdfa","b":"123321"})"}) == kms);
    CHECK(headers_of({.mode = sse_mode::kms}).size() == 1);
}

TEST_CASE("server_side_encryption_headers: SSE-C sends the documented key and its MD5, also for a copy source") {
    const pairs c = {
        {"x-cos-server-side-encryption-customer-algorithm", "AES256"},
        {"x-cos-server-side-encryption-customer-key", std::string(doc_key_base64)},
        {"x-cos-server-side-encryption-customer-key-MD5", "U5L61r7jcwdNvT7frmUG8g=="}};
    CHECK(headers_of(customer(doc_key)) == c);
    // The page's second key, 0123456789abcdef twice, and its MD5.
    CHECK(headers_of(customer("0123456789abcdef0123456789abcdef"))[2].second == "hRasmdxgYDKV3nvbahU1MA==");
    const auto source = headers_of(customer(doc_key), sse_target::copy_source);
    REQUIRE(source.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(source[i].first == "x-cos-copy-source-" + c[i].first.substr(6));
        CHECK(source[i].second == c[i].second);
    }
}

TEST_CASE("server_side_encryption_headers: bad values name the member and never show the key") {
    const auto refused = [](const server_side_encryption& e, std::string_view argument, sse_target target = sse_target::object) {
        auto h = coswire::server_side_encryption_headers(e, target);
        REQUIRE_FALSE(h);
        CHECK(h.error().code == errc::invalid_argument);
        CHECK(h.error().argument == argument);
        return coswire::describe(h.error());
    };
    const std::string short_key(31, 'k');
    const std::string why = refused(customer(short_key), "customer_key");
    CHECK(why.find("31 bytes") != std::string::npos);
    CHECK(why.find(short_key) == std::string::npos);
    // The base64 form instead of the raw bytes: 44 characters, refused with a hint.
    CHECK(refused(customer(doc_key_base64), "customer_key").find("not their base64") != std::string::npos);
    refused({.mode = sse_mode::cos, .kms_key_id = "k"}, "kms_key_id");
    refused({.mode = sse_mode::customer, .kms_context = "{}"}, "kms_context");
    refused({.mode = sse_mode::kms, .customer_key = coswire::secret_string(doc_key)}, "customer_key");
    refused({.mode = sse_mode::kms, .kms_context = "[1]"}, "kms_context");
    refused({.mode = sse_mode::kms, .kms_context = "{\"a\":"}, "kms_context");
    refused({.mode = sse_mode::kms}, "mode", sse_target::copy_source);
    refused({}, "mode", sse_target::copy_source);
}

TEST_CASE("builders: the typed encryption reaches PUT, GET, HEAD, Upload Part and both copies") {
    auto put = coswire::make_put_object_request(
        doc_endpoint(), {.key = "a", .body = "x", .attributes = {.encryption = server_side_encryption{.mode = sse_mode::kms}}});
    REQUIRE(put);
    CHECK(put->header("x-cos-server-side-encryption") == "cos/kms");

    auto get = coswire::make_get_object_request(doc_endpoint(), {.key = "a", .encryption = customer(doc_key)});
    REQUIRE(get);
    CHECK(get->header("x-cos-server-side-encryption-customer-key") == doc_key_base64);
    auto head = coswire::make_head_object_request(doc_endpoint(), {.key = "a", .encryption = customer(doc_key)});
    REQUIRE(head);
    CHECK(head->header("x-cos-server-side-encryption-customer-key-MD5") == "U5L61r7jcwdNvT7frmUG8g==");
    auto part = coswire::make_upload_part_request(
        doc_endpoint(), {.key = "a", .upload_id = "u", .part_number = 1, .encryption = customer(doc_key)});
    REQUIRE(part);
    CHECK(part->header("x-cos-server-side-encryption-customer-algorithm") == "AES256");

    const auto source = doc_endpoint();
    auto copy = coswire::make_put_object_copy_request(doc_endpoint(), {.key = "b",
                                                                       .source = source,
                                                                       .source_key = "a",
                                                                       .attributes = {.encryption = server_side_encryption{}},
                                                                       .source_encryption = customer(doc_key)});
    REQUIRE(copy);
    CHECK(copy->header("x-cos-copy-source-server-side-encryption-customer-key") == doc_key_base64);
    CHECK(copy->header("x-cos-server-side-encryption") == "AES256");
    auto part_copy = coswire::make_upload_part_copy_request(doc_endpoint(), {.key = "b",
                                                                             .upload_id = "u",
                                                                             .part_number = 1,
                                                                             .source = source,
                                                                             .source_key = "a",
                                                                             .source_encryption = customer(doc_key),
                                                                             .encryption = customer(doc_key)});
    REQUIRE(part_copy);
    CHECK(part_copy->header("x-cos-copy-source-server-side-encryption-customer-key-MD5") == "U5L61r7jcwdNvT7frmUG8g==");
    CHECK(part_copy->header("x-cos-server-side-encryption-customer-key") == doc_key_base64);
}

TEST_CASE("builders: SSE-C only where a key is all that is sent, only over https, and never twice") {
    auto kms_get = coswire::make_get_object_request(doc_endpoint(), {.key = "a", .encryption = server_side_encryption{.mode = sse_mode::kms}});
    REQUIRE_FALSE(kms_get);
    CHECK(kms_get.error().argument == "encryption");
    auto cos_source = coswire::make_put_object_copy_request(
        doc_endpoint(), {.key = "b", .source = doc_endpoint(), .source_key = "a", .source_encryption = server_side_encryption{}});
    REQUIRE_FALSE(cos_source);
    CHECK(cos_source.error().argument == "source_encryption");

    auto plain = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing", {.use_https = false});
    REQUIRE(plain);
    auto over_http = coswire::make_head_object_request(*plain, {.key = "a", .encryption = customer(doc_key)});
    REQUIRE_FALSE(over_http);
    CHECK(over_http.error().argument == "encryption");
    CHECK(over_http.error().reason.find("https") != std::string::npos);
    // SSE-COS over http is fine: no key crosses the network.
    CHECK(coswire::make_put_object_request(*plain, {.key = "a", .attributes = {.encryption = server_side_encryption{}}}));

    auto bad_key = coswire::make_get_object_request(doc_endpoint(), {.key = "a", .encryption = customer("short")});
    REQUIRE_FALSE(bad_key);
    CHECK(bad_key.error().argument == "encryption");
    CHECK(bad_key.error().reason.find("customer_key") != std::string::npos);

    auto both = coswire::make_put_object_request(
        doc_endpoint(), {.key = "a", .attributes = {.server_side_encryption = "AES256", .encryption = server_side_encryption{}}});
    REQUIRE_FALSE(both);
    CHECK(both.error().argument == "encryption");
    auto extra = coswire::make_get_object_request(
        doc_endpoint(),
        {.key = "a", .extra_headers = {{"x-cos-server-side-encryption-customer-key", "x"}}, .encryption = customer(doc_key)});
    REQUIRE_FALSE(extra);
    CHECK(extra.error().argument == "extra_headers");
}

TEST_CASE("signing an SSE-C request: the key is signed but every explanation shows ***") {
    const coswire::credentials creds{.secret_id = "AKIDx", .secret_key = coswire::secret_string("k")};
    auto s = coswire::signer::create(creds, {1700000000, 1700003600});
    REQUIRE(s);
    auto signed_with = [&](std::string_view key) {
        auto r = coswire::make_get_object_request(doc_endpoint(), {.key = "a", .encryption = customer(key)});
        REQUIRE(r);
        auto parts = coswire::authorize(*r, *s);
        REQUIRE(parts);
        return *parts;
    };
    const auto parts = signed_with(doc_key);
    CHECK(parts.header_list.find("x-cos-server-side-encryption-customer-key") != std::string::npos);
    CHECK(parts.http_string.find("x-cos-server-side-encryption-customer-key=***&") != std::string::npos);
    CHECK(parts.http_string.find("MDEyMzQ1") == std::string::npos);
    CHECK(parts.http_string.find("x-cos-server-side-encryption-customer-key-md5=U5L61r7jcwdNvT7frmUG8g%3D%3D") != std::string::npos);
    // The redaction is for people only: another key gives another signature.
    CHECK(signed_with("0123456789abcdef0123456789abcdef").signature != parts.signature);
}

TEST_CASE("redact_tokens: COS's FormatString loses SSE-C keys, of the object and of a copy source") {
    const std::string format = "get\n/a\n\nhost=h&x-cos-copy-source-server-side-encryption-customer-key=MDEy%3D"
                               "&x-cos-server-side-encryption-customer-key=MDEy%3D"
                               "&x-cos-server-side-encryption-customer-key-md5=U5L6\n";
    const std::string redacted = coswire::detail::redact_tokens(format);
    CHECK(redacted == "get\n/a\n\nhost=h&x-cos-copy-source-server-side-encryption-customer-key=***"
                      "&x-cos-server-side-encryption-customer-key=***"
                      "&x-cos-server-side-encryption-customer-key-md5=U5L6\n");
    CHECK(coswire::detail::redact_tokens(redacted) == redacted);
}
