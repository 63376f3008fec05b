// SPDX-License-Identifier: MIT
// Server-side encryption as one value: SSE-COS, SSE-KMS or SSE-C, and the request headers that
// ask for it (docs/protocol/headers.md#server-side-encryption-headers).
//
// Choices where Tencent's pages are silent:
// - The SSE-C key is given as its 32 raw bytes in a secret_string; coswire sends its base64 and
//   the base64 of its MD5, so a caller cannot send a key with a mismatched digest.
// - The SSE-KMS context is given as JSON text and must be one JSON object; coswire base64s it.
#pragma once

#include <coswire/crypto/md5.hpp>
#include <coswire/detail/json.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coswire {

/// Which key encrypts the object at rest.
enum class sse_mode {
    cos,       ///< SSE-COS: a key COS manages (x-cos-server-side-encryption: AES256)
    kms,       ///< SSE-KMS: a KMS master key (x-cos-server-side-encryption: cos/kms)
    customer,  ///< SSE-C: the caller's own AES-256 key, sent with every request that touches the bytes
};

/// The size of an SSE-C key: AES-256.
inline constexpr std::size_t sse_customer_key_size = 32;

/// How an object is, or is to be, encrypted at rest. Set only the members of the chosen mode,
/// e.g. `{.mode = sse_mode::customer, .customer_key = secret_string(key_bytes)}`.
struct server_side_encryption {
    sse_mode mode = sse_mode::cos;  ///< which key
    std::string kms_key_id{};       ///< SSE-KMS: the master key's id; empty: COS's default key
    std::string kms_context{};      ///< SSE-KMS: a JSON object, e.g. {"team":"a"}; empty: none
    /// SSE-C: the 32 raw key bytes (not their base64). A secret: never shown in any error or
    /// explanation; lose it and the object is lost.
    secret_string customer_key{};
};

/// Whose encryption headers to write: the object the request stores or reads, or the source of
/// a copy (the same SSE-C headers with an x-cos-copy-source- prefix).
enum class sse_target { object, copy_source };

/// The request headers that ask for `e`, in this order: SSE-COS `x-cos-server-side-encryption:
/// AES256`; SSE-KMS `x-cos-server-side-encryption: cos/kms`, then `...-cos-kms-key-id` and
/// `...-context` (base64 of the JSON) when set; SSE-C `...-customer-algorithm: AES256`,
/// `...-customer-key` (base64 of the key) and `...-customer-key-MD5` (base64 of the key's MD5).
/// For sse_target::copy_source every name starts with `x-cos-copy-source-`. Errors
/// (invalid_argument): "mode" for copy_source with a mode other than customer (only an SSE-C
/// source needs its key); "kms_key_id", "kms_context" when set outside SSE-KMS; "kms_context"
/// when it is not one JSON object; "customer_key" when it is not 32 bytes (the reason gives the
/// size, never the bytes) or is set outside SSE-C.
inline result<std::vector<http_header>> server_side_encryption_headers(const server_side_encryption& e,
                                                                      sse_target target = sse_target::object) {
    const auto refuse = [](std::string_view argument, std::string reason) {
        return make_error(errc::invalid_argument, argument, std::move(reason));
    };
    if (target == sse_target::copy_source && e.mode != sse_mode::customer)
        return refuse("mode", "a copy source needs headers only for SSE-C; COS decrypts SSE-COS and SSE-KMS sources itself");
    if (e.mode != sse_mode::kms && !e.kms_key_id.empty()) return refuse("kms_key_id", "is set but the mode is not SSE-KMS");
    if (e.mode != sse_mode::kms && !e.kms_context.empty()) return refuse("kms_context", "is set but the mode is not SSE-KMS");
    if (e.mode != sse_mode::customer && !e.customer_key.empty())
        return refuse("customer_key", "is set but the mode is not SSE-C");
    const std::string prefix = target == sse_target::copy_source ? "x-cos-copy-source-server-side-encryption"
                                                                  : "x-cos-server-side-encryption";
    std::vector<http_header> out;
    switch (e.mode) {
        case sse_mode::cos: out.push_back({prefix, "AES256"}); break;
        case sse_mode::kms:
            out.push_back({prefix, "cos/kms"});
            if (!e.kms_key_id.empty()) out.push_back({prefix + "-cos-kms-key-id", e.kms_key_id});
            if (!e.kms_context.empty()) {
                if (auto parsed = detail::json::parse_object(e.kms_context, "kms_context"); !parsed)
                    return refuse("kms_context", "must be one JSON object, e.g. {\"team\":\"a\"}");
                out.push_back({prefix + "-context", base64_encode(e.kms_context)});
            }
            break;
        case sse_mode::customer: {
            const std::string_view key = e.customer_key.reveal();
            if (key.size() != sse_customer_key_size)
                return refuse("customer_key", "must be the 32 raw bytes of an AES-256 key, is " + std::to_string(key.size()) +
                                                  " bytes (give the bytes, not their base64)");
            const auto bytes = std::as_bytes(std::span<const char>(key.data(), key.size()));
            out.push_back({prefix + "-customer-algorithm", "AES256"});
            out.push_back({prefix + "-customer-key", base64_encode(bytes)});
            const md5_digest digest = md5_hash(bytes);
            out.push_back({prefix + "-customer-key-MD5", base64_encode(std::span<const std::uint8_t>(digest))});
            break;
        }
    }
    return out;
}

}  // namespace coswire
