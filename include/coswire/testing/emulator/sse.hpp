// SPDX-License-Identifier: MIT
// The emulator's server-side encryption named by a request (docs/protocol/headers.md#server-side-encryption-headers):
// SSE-COS, SSE-KMS and SSE-C headers of a write, the SSE-C key a read of such bytes must bring,
// and the encryption headers an answer echoes.
#pragma once

#include <coswire/api/encryption.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/detail/json.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/verify.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/storage.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace coswire::detail::emu {

/// The names of a request's own SSE-C headers, and of those for the source of a copy.
inline constexpr std::string_view customer_key_prefix = "x-cos-server-side-encryption-customer-";
inline constexpr std::string_view source_customer_key_prefix = "x-cos-copy-source-server-side-encryption-customer-";

/// The SSE-C key sent under `prefix` (`algorithm`, `key`, `key-MD5`): none of the three leaves
/// `md5` empty; otherwise all three must come, the algorithm AES256, the key the base64 of 32
/// bytes and the key MD5 the base64 of their MD5, else 400 InvalidArgument. `md5` receives the
/// key's MD5 (base64). Answers name the header at fault, never the key.
inline refusal read_customer_key(const exchange& x, std::string_view prefix, std::string& md5) {
    const std::string name(prefix);
    const auto algorithm = x.header(name + "algorithm");
    const auto key = x.header(name + "key");
    const auto key_md5 = x.header(name + "key-MD5");
    md5.clear();
    if (!algorithm && !key && !key_md5) return std::nullopt;
    if (!algorithm || !key || !key_md5)
        return invalid_argument(x, name + "algorithm, " + name + "key and " + name + "key-MD5 must be sent together.");
    if (*algorithm != "AES256") return invalid_argument(x, name + "algorithm must be AES256.");
    const result<std::string> raw = base64_decode(*key);
    if (!raw || raw->size() != sse_customer_key_size) return invalid_argument(x, name + "key must be the base64 of a 32-byte key.");
    const md5_digest digest = md5_hash(*raw);
    std::string expected = base64_encode(std::span<const std::uint8_t>(digest));
    if (!constant_time_equal(expected, *key_md5)) return invalid_argument(x, name + "key-MD5 is not the MD5 of the key.");
    md5 = std::move(expected);
    return std::nullopt;
}

/// The encryption a write names: `x-cos-server-side-encryption` AES256 (SSE-COS) or cos/kms
/// (SSE-KMS, with an optional key id and a context that must be the base64 of one JSON object),
/// or an SSE-C key (read_customer_key); anything else, KMS headers without cos/kms, or SSE-C
/// together with another mode → 400 InvalidArgument. A write that names none gets the bucket's
/// default_encryption.
inline refusal read_write_encryption(const bucket_store& store, const exchange& x, testing::emulated_encryption& out) {
    out = {};
    if (refusal r = read_customer_key(x, customer_key_prefix, out.customer_key_md5)) return r;
    const auto mode = x.header("x-cos-server-side-encryption");
    const auto key_id = x.header("x-cos-server-side-encryption-cos-kms-key-id");
    const auto context = x.header("x-cos-server-side-encryption-context");
    if (mode && *mode != "AES256" && *mode != "cos/kms")
        return invalid_argument(x, "x-cos-server-side-encryption must be AES256 or cos/kms.");
    if ((key_id || context) && mode != "cos/kms")
        return invalid_argument(x, "The SSE-KMS key id and context need x-cos-server-side-encryption: cos/kms.");
    if (mode && out.customer()) return invalid_argument(x, "SSE-C cannot be combined with x-cos-server-side-encryption.");
    if (context) {
        const result<std::string> json = base64_decode(*context);
        if (!json || !json::parse_object(*json, "x-cos-server-side-encryption-context"))
            return invalid_argument(x, "x-cos-server-side-encryption-context must be the base64 of one JSON object.");
    }
    if (!mode && !out.customer()) {
        out = store.default_encryption();
        return std::nullopt;
    }
    out.mode = std::string(mode.value_or(""));
    out.kms_key_id = std::string(key_id.value_or(""));
    out.kms_context = std::string(context.value_or(""));
    return std::nullopt;
}

/// What a request does with bytes that may be under SSE-C, which decides the key it must bring.
enum class key_use {
    read,      ///< GET, HEAD, Upload Part: the key is required
    source,    ///< the source of a copy: the key is required under the x-cos-copy-source- names
    optional,  ///< Complete, an Upload Part - Copy destination: not needed, but checked when sent
};

/// Whether a request may use bytes encrypted as `stored`. Under SSE-C a missing key is 400
/// InvalidArgument and another key 403 AccessDenied (Tencent's pages are silent; S3's answers),
/// except for a copy source, where both are COS's 400 SsecDecryptHeaderInvalid. A key sent for
/// bytes not under SSE-C is 400 InvalidArgument; a malformed one as read_customer_key says.
inline refusal check_customer_key(const exchange& x, const testing::emulated_encryption& stored, key_use use) {
    std::string sent;
    if (refusal r = read_customer_key(x, use == key_use::source ? source_customer_key_prefix : customer_key_prefix, sent)) return r;
    if (!stored.customer()) {
        if (sent.empty()) return std::nullopt;
        return invalid_argument(x, "An SSE-C key was sent, but the object is not encrypted with a customer key.");
    }
    if (use == key_use::source && (sent.empty() || !constant_time_equal(sent, stored.customer_key_md5)))
        return error_reply(x, 400, "SsecDecryptHeaderInvalid", "The copy source is encrypted with a customer key; send that key.");
    if (sent.empty())
        return use == key_use::optional ? refusal() : invalid_argument(x, "The object is encrypted with a customer key; send that key.");
    if (!constant_time_equal(sent, stored.customer_key_md5))
        return error_reply(x, 403, "AccessDenied", "The customer key does not match the key the object was encrypted with.");
    return std::nullopt;
}

/// The encryption headers of an answer about bytes encrypted as `e`: x-cos-server-side-encryption
/// and the KMS key id, or the SSE-C algorithm and key MD5.
inline void add_encryption_headers(http_response& r, const testing::emulated_encryption& e) {
    add_encryption_header(r, e.mode);
    if (!e.kms_key_id.empty()) r.headers.push_back({"x-cos-server-side-encryption-cos-kms-key-id", e.kms_key_id});
    if (!e.customer()) return;
    r.headers.push_back({std::string(customer_key_prefix) + "algorithm", "AES256"});
    r.headers.push_back({std::string(customer_key_prefix) + "key-MD5", e.customer_key_md5});
}

}  // namespace coswire::detail::emu
