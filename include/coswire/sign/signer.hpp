// SPDX-License-Identifier: MIT
// The signing stages after the canonical request: SignKey, StringToSign and Signature
// (docs/protocol/signing.md#sign-key, #stringtosign, #signature), each public so it can be tested and
// explained alone.
#pragma once

#include <coswire/crypto/hmac.hpp>
#include <coswire/crypto/sha1.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/detail/fast_http_string.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/http_string.hpp>
#include <coswire/time/key_time.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace coswire {

/// 40 lower-case hex characters (a SHA-1 or HMAC-SHA1 rendered as text).
using hex_sha1 = std::array<char, 40>;

constexpr std::string_view to_string_view(const hex_sha1& h) noexcept { return {h.data(), h.size()}; }

// ---- Signing path 3/5: SignKey and StringToSign ----

/// SignKey = hex(HMAC-SHA1(SecretKey, KeyTime)). Secret material: never print it.
inline hex_sha1 sign_key(const secret_string& secret_key, const key_time_text& time) noexcept {
    return to_hex(hmac_sha1(secret_key.reveal(), time.view()));
}

/// SignKey from the window itself (see the overload above).
inline hex_sha1 sign_key(const secret_string& secret_key, const key_time& time) noexcept {
    return sign_key(secret_key, key_time_text(time));
}

/// hex(SHA1(HttpString)) of a canonical request: the HttpString is written straight into SHA-1
/// (the session token's real value, not "***"), never stored.
inline hex_sha1 http_string_sha1(const canonical_request& c) noexcept {
    detail::fast::sha1_sink sink;
    detail::write_http_string(sink, c);
    return sink.finish();
}

/// StringToSign = "sha1\n" KeyTime "\n" hex(SHA1(HttpString)) "\n"
/// (docs/protocol/signing.md#stringtosign), held without allocating. Precondition: validate_key_time(time)
/// succeeded.
class string_to_sign_text {
public:
    string_to_sign_text(const key_time& time, const hex_sha1& http_string_sha1) noexcept
        : string_to_sign_text(key_time_text(time), http_string_sha1) {}

    /// The same from KeyTime already formatted (a signer formats it once).
    string_to_sign_text(const key_time_text& time, const hex_sha1& http_string_sha1) noexcept {
        char* const begin = data();
        char* out = begin;
        out = append(out, "sha1\n");
        out = append(out, time.view());
        *out++ = '\n';
        out = append(out, to_string_view(http_string_sha1));
        *out++ = '\n';
        size_ = static_cast<std::size_t>(out - begin);
    }
    std::string_view view() const noexcept { return {reinterpret_cast<const char*>(buffer_.data()), size_}; }

private:
    // Through a local pointer: a store through a member pointer would force a reload per byte.
    static char* append(char* out, std::string_view s) noexcept { return detail::copy_chars(s.data(), s.size(), out); }
    char* data() noexcept { return reinterpret_cast<char*>(buffer_.data()); }

    // Only the first size_ bytes are ever written or read; unsigned char, so copying the
    // uninitialised rest is well-defined, and nothing is zeroed per signature.
    std::array<unsigned char, 5 + 40 + 1 + 40 + 1> buffer_;
    std::size_t size_ = 0;
};

// ---- End of signing path 3/5 ----

/// StringToSign as a string (see string_to_sign_text).
inline std::string string_to_sign(const key_time& time, const hex_sha1& http_string_sha1) {
    return std::string(string_to_sign_text(time, http_string_sha1).view());
}

// ---- Signing path 4/5: Signature ----

/// Signature = hex(HMAC-SHA1(SignKey as its 40 ASCII characters, StringToSign)). SignKey is the
/// hex text, not the 20 raw bytes, as Tencent's page says (docs/protocol/signing.md#sign-key).
inline hex_sha1 signature(const hex_sha1& sign_key_text, std::string_view string_to_sign) noexcept {
    return to_hex(hmac_sha1(to_string_view(sign_key_text), string_to_sign));
}

// ---- End of signing path 4/5 ----

}  // namespace coswire
