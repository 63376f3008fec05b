// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/sse.hpp>

#include <doctest/doctest.h>

#include "harness.hpp"

#include <coswire/api/copy.hpp>
#include <coswire/api/encryption.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>

#include <span>
#include <string>
#include <vector>

using coswire::http_header;
using coswire::server_side_encryption;
using coswire::sse_mode;
using emu_test::harness;

namespace emu = coswire::detail::emu;

namespace {

// Tencent's SSE-C example key and the base64 of its MD5 (docs/protocol/headers.md#server-side-encryption-headers).
const std::string doc_key = "0123456789ABCDEF0123456789ABCDEF";
const std::string doc_key_md5 = "U5L61r7jcwdNvT7frmUG8g==";
const std::string other_key = "0123456789abcdef0123456789abcdef";

server_side_encryption customer(const std::string& key) {
    return {.mode = sse_mode::customer, .customer_key = coswire::secret_string(key)};
}

/// The three SSE-C headers with a key and a key MD5 chosen freely, past the builder's checks.
std::vector<http_header> raw_customer_headers(const std::string& key_base64, const std::string& md5_base64) {
    return {{"x-cos-server-side-encryption-customer-algorithm", "AES256"},
            {"x-cos-server-side-encryption-customer-key", key_base64},
            {"x-cos-server-side-encryption-customer-key-MD5", md5_base64}};
}

std::string base64(const std::string& s) { return coswire::base64_encode(s); }

/// Sends `params`, which must fail; returns "<status> <code>" and checks that no text of the
/// answer or of the error holds the key or its base64.
template <class Params>
std::string refused_without_key_text(harness& h, const Params& params) {
    auto r = h.client.send(params);
    REQUIRE_FALSE(r);
    REQUIRE(r.error().service);
    const std::string text = coswire::describe(r.error()) + r.error().service->message + r.error().reason;
    for (const std::string& secret : {doc_key, other_key, base64(doc_key), base64(other_key)}) CHECK(text.find(secret) == std::string::npos);
    return std::to_string(r.error().service->http_status) + " " + r.error().service->code;
}

}  // namespace

TEST_CASE("emulator sse: SSE-COS and SSE-KMS named by a PUT are stored and echoed by PUT, GET and HEAD") {
    harness h;
    const auto cos = h.ok(coswire::put_object_params{.key = "c", .body = "bytes", .attributes = {.encryption = server_side_encryption{}}});
    CHECK(cos.headers.server_side_encryption == "AES256");
    CHECK(cos.headers.etag_raw == emu::quoted_md5("bytes"));
    CHECK(h.ok(coswire::get_object_params{.key = "c"}).headers.server_side_encryption == "AES256");

    const server_side_encryption kms{.mode = sse_mode::kms, .kms_key_id = "kms-key-1", .kms_context = "{\"team\":\"a\"}"};
    const auto put = h.ok(coswire::put_object_params{.key = "k", .body = "bytes", .attributes = {.encryption = kms}});
    CHECK(put.headers.server_side_encryption == "cos/kms");
    CHECK(put.headers.sse_kms_key_id == "kms-key-1");
    CHECK(put.headers.etag_raw != emu::quoted_md5("bytes"));
    const auto got = h.ok(coswire::get_object_params{.key = "k"});
    CHECK(got.body == "bytes");
    CHECK(got.headers.server_side_encryption == "cos/kms");
    CHECK(got.headers.sse_kms_key_id == "kms-key-1");
    CHECK(got.headers.etag_raw == put.headers.etag_raw);
    CHECK(h.ok(coswire::head_object_params{.key = "k"}).headers.sse_kms_key_id == "kms-key-1");
    const auto stored = h.server.object("k")->encryption;
    CHECK(stored.mode == "cos/kms");
    CHECK(stored.kms_context == base64("{\"team\":\"a\"}"));
    // A plain object stays plain.
    CHECK(h.ok(coswire::put_object_params{.key = "p", .body = "x"}).headers.server_side_encryption.empty());
}

TEST_CASE("emulator sse: a request's encryption wins over default_encryption, which applies when it names none") {
    auto o = emu_test::options();
    o.default_encryption = "AES256";
    harness h(1, o);
    CHECK(h.ok(coswire::put_object_params{.key = "d", .body = "x"}).headers.server_side_encryption == "AES256");
    CHECK(h.server.object("d")->encryption.mode == "AES256");
    const auto kms = h.ok(coswire::put_object_params{.key = "k", .body = "x", .attributes = {.encryption = server_side_encryption{.mode = sse_mode::kms}}});
    CHECK(kms.headers.server_side_encryption == "cos/kms");
    const auto c = h.ok(coswire::put_object_params{.key = "s", .body = "x", .attributes = {.encryption = customer(doc_key)}});
    CHECK(c.headers.server_side_encryption.empty());
    CHECK(c.headers.sse_customer_key_md5 == doc_key_md5);
}

TEST_CASE("emulator sse: an SSE-C object keeps only its key's MD5 and is read only with that key") {
    harness h;
    const auto put = h.ok(coswire::put_object_params{.key = "s", .body = "secret bytes", .attributes = {.encryption = customer(doc_key)}});
    CHECK(put.headers.sse_customer_algorithm == "AES256");
    CHECK(put.headers.sse_customer_key_md5 == doc_key_md5);
    CHECK(put.headers.etag_raw != emu::quoted_md5("secret bytes"));
    const coswire::testing::emulated_object stored = *h.server.object("s");
    CHECK(stored.encryption.customer_key_md5 == doc_key_md5);
    CHECK(stored.encryption.kms_context.empty());

    const auto got = h.ok(coswire::get_object_params{.key = "s", .encryption = customer(doc_key)});
    CHECK(got.body == "secret bytes");
    CHECK(got.headers.sse_customer_key_md5 == doc_key_md5);
    CHECK(h.ok(coswire::head_object_params{.key = "s", .encryption = customer(doc_key)}).content_length == 12);

    CHECK(refused_without_key_text(h, coswire::get_object_params{.key = "s"}) == "400 InvalidArgument");
    CHECK(refused_without_key_text(h, coswire::get_object_params{.key = "s", .encryption = customer(other_key)}) == "403 AccessDenied");
    // A HEAD error has no body, so only its status tells.
    CHECK(h.refused(coswire::head_object_params{.key = "s"}).starts_with("400 "));
    CHECK(h.refused(coswire::head_object_params{.key = "s", .encryption = customer(other_key)}).starts_with("403 "));
    // Headers the builder would never send: a key MD5 that is not the key's, a 16-byte key, a
    // key without its MD5, another algorithm.
    CHECK(refused_without_key_text(h, coswire::get_object_params{.key = "s", .extra_headers = raw_customer_headers(base64(doc_key), "hRasmdxgYDKV3nvbahU1MA==")}) ==
          "400 InvalidArgument");
    CHECK(refused_without_key_text(h, coswire::get_object_params{.key = "s", .extra_headers = raw_customer_headers(base64(doc_key.substr(16)), doc_key_md5)}) ==
          "400 InvalidArgument");
    CHECK(refused_without_key_text(h, coswire::get_object_params{.key = "s", .extra_headers = {raw_customer_headers(base64(doc_key), doc_key_md5)[1]}}) ==
          "400 InvalidArgument");
    auto other_algorithm = raw_customer_headers(base64(doc_key), doc_key_md5);
    other_algorithm[0].value = "SM4";
    CHECK(refused_without_key_text(h, coswire::get_object_params{.key = "s", .extra_headers = other_algorithm}) == "400 InvalidArgument");
    // A key for an object that has none, and SSE headers on a download.
    h.ok(coswire::put_object_params{.key = "plain", .body = "x"});
    CHECK(h.refused(coswire::get_object_params{.key = "plain", .encryption = customer(doc_key)}) == "400 InvalidArgument");
    CHECK(h.refused(coswire::get_object_params{.key = "plain", .extra_headers = {{"x-cos-server-side-encryption", "AES256"}}}) ==
          "400 SSEHeaderNotAllowed");
}

TEST_CASE("emulator sse: a write naming a bad mode, KMS headers without cos/kms, a bad context or two modes is 400 InvalidArgument") {
    harness h;
    const std::vector<std::vector<http_header>> bad{
        {{"x-cos-server-side-encryption", "AES128"}},
        {{"x-cos-server-side-encryption", "AES256"}, {"x-cos-server-side-encryption-cos-kms-key-id", "k"}},
        {{"x-cos-server-side-encryption", "cos/kms"}, {"x-cos-server-side-encryption-context", base64("[1]")}},
        {{"x-cos-server-side-encryption", "cos/kms"}, {"x-cos-server-side-encryption-context", "not base64!"}},
        {{"x-cos-server-side-encryption", "AES256"}, raw_customer_headers(base64(doc_key), doc_key_md5)[0],
         raw_customer_headers(base64(doc_key), doc_key_md5)[1], raw_customer_headers(base64(doc_key), doc_key_md5)[2]},
    };
    for (const auto& headers : bad) {
        CAPTURE(headers[0].value);
        CHECK(h.refused(coswire::put_object_params{.key = "b", .body = "x", .attributes = {.extra_headers = headers}}) == "400 InvalidArgument");
        CHECK(h.refused(coswire::initiate_multipart_upload_params{.key = "b", .attributes = {.extra_headers = headers}}) == "400 InvalidArgument");
    }
    CHECK_FALSE(h.server.object("b"));
    CHECK(h.server.uploads().empty());
}

TEST_CASE("emulator sse: every part of an SSE-C upload brings the Initiate key; Complete needs none; the object keeps it") {
    harness h;
    const auto up = h.ok(coswire::initiate_multipart_upload_params{.key = "m", .attributes = {.encryption = customer(doc_key)}});
    const std::string a(16, 'a'), b = "tail";
    const auto part = [&](std::uint32_t n, const std::string& bytes, std::optional<server_side_encryption> e) {
        return coswire::upload_part_params{.key = "m", .upload_id = up.upload_id, .part_number = n,
                                           .payload = {std::as_bytes(std::span<const char>(bytes))}, .encryption = std::move(e)};
    };
    CHECK(refused_without_key_text(h, part(1, a, std::nullopt)) == "400 InvalidArgument");
    CHECK(refused_without_key_text(h, part(1, a, customer(other_key))) == "403 AccessDenied");
    const auto p1 = h.ok(part(1, a, customer(doc_key)));
    CHECK(p1.etag_raw != emu::quoted_md5(a));
    const auto p2 = h.ok(part(2, b, customer(doc_key)));
    h.ok(coswire::complete_multipart_upload_params{.key = "m", .upload_id = up.upload_id, .parts = {{1, p1.etag_raw}, {2, p2.etag_raw}}});
    CHECK(h.server.object("m")->encryption.customer_key_md5 == doc_key_md5);
    CHECK(h.refused(coswire::get_object_params{.key = "m"}) == "400 InvalidArgument");
    CHECK(h.ok(coswire::get_object_params{.key = "m", .encryption = customer(doc_key)}).body == a + b);

    // A plain upload refuses a part that brings a key.
    const auto plain = h.ok(coswire::initiate_multipart_upload_params{.key = "p"});
    CHECK(h.refused(coswire::upload_part_params{.key = "p", .upload_id = plain.upload_id, .part_number = 1,
                                                .payload = {std::as_bytes(std::span<const char>(b))}, .encryption = customer(doc_key)}) ==
          "400 InvalidArgument");
}

TEST_CASE("emulator sse: the source of a copy under SSE-C needs its key (400 SsecDecryptHeaderInvalid); the copy is encrypted as the request says") {
    harness h;
    h.ok(coswire::put_object_params{.key = "s", .body = "source bytes", .attributes = {.encryption = customer(doc_key)}});
    const auto copy = [&](std::string key, std::optional<server_side_encryption> source, std::optional<server_side_encryption> own) {
        return coswire::put_object_copy_params{.key = std::move(key), .source = h.client.bucket_endpoint(), .source_key = "s",
                                               .attributes = {.encryption = std::move(own)}, .source_encryption = std::move(source)};
    };
    CHECK(refused_without_key_text(h, copy("c", std::nullopt, std::nullopt)) == "400 SsecDecryptHeaderInvalid");
    CHECK(refused_without_key_text(h, copy("c", customer(other_key), std::nullopt)) == "400 SsecDecryptHeaderInvalid");
    CHECK_FALSE(h.server.object("c"));
    CHECK(h.ok(copy("c", customer(doc_key), server_side_encryption{})).server_side_encryption == "AES256");
    CHECK(h.server.object("c")->encryption.mode == "AES256");
    CHECK(h.ok(coswire::get_object_params{.key = "c"}).body == "source bytes");
    h.ok(copy("d", customer(doc_key), customer(other_key)));
    CHECK(h.server.object("d")->encryption.customer_key_md5 != doc_key_md5);
    CHECK(h.ok(coswire::get_object_params{.key = "d", .encryption = customer(other_key)}).body == "source bytes");

    // Upload Part - Copy takes the source key the same way.
    const auto up = h.ok(coswire::initiate_multipart_upload_params{.key = "m"});
    const auto part_copy = [&](std::optional<server_side_encryption> source) {
        return coswire::upload_part_copy_params{.key = "m", .upload_id = up.upload_id, .part_number = 1, .source = h.client.bucket_endpoint(),
                                                .source_key = "s", .source_encryption = std::move(source)};
    };
    CHECK(refused_without_key_text(h, part_copy(std::nullopt)) == "400 SsecDecryptHeaderInvalid");
    h.ok(part_copy(customer(doc_key)));
}

TEST_CASE("check_customer_key: which key each use needs") {
    const coswire::testing::emulated_encryption sealed{.customer_key_md5 = doc_key_md5}, plain{};
    emu::exchange x;
    CHECK_FALSE(emu::check_customer_key(x, plain, emu::key_use::read));
    CHECK_FALSE(emu::check_customer_key(x, sealed, emu::key_use::optional));
    CHECK(emu::check_customer_key(x, sealed, emu::key_use::read)->status == 400);
    CHECK(emu::check_customer_key(x, sealed, emu::key_use::source)->status == 400);
    const auto headers = raw_customer_headers(base64(doc_key), doc_key_md5);
    for (const http_header& hd : headers) x.headers.push_back({hd.name, hd.value});
    CHECK_FALSE(emu::check_customer_key(x, sealed, emu::key_use::read));
    CHECK_FALSE(emu::check_customer_key(x, sealed, emu::key_use::optional));
    CHECK(emu::check_customer_key(x, plain, emu::key_use::optional)->status == 400);
    // The source names are others: the same headers do not open a copy source.
    CHECK(emu::check_customer_key(x, sealed, emu::key_use::source)->status == 400);
}
