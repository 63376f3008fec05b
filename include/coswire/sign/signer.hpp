// SPDX-License-Identifier: MIT
// The signing stages after the canonical request: SignKey, StringToSign and Signature
// (COS-PROTOCOL.md §1.4, §1.9, §1.10), each public so it can be tested and explained alone.
#pragma once

#include <coswire/crypto/hmac.hpp>
#include <coswire/crypto/sha1.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/encoding/percent.hpp>
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

/// SignKey = hex(HMAC-SHA1(SecretKey, KeyTime)). Secret material: never print it.
inline hex_sha1 sign_key(const secret_string& secret_key, const key_time& time) noexcept {
    const key_time_text text(time);
    return to_hex(hmac_sha1(secret_key.reveal(), text.view()));
}

/// StringToSign = "sha1\n" KeyTime "\n" hex(SHA1(HttpString)) "\n"  (§1.9), held without
/// allocating. Precondition: validate(time) succeeded.
class string_to_sign_text {
public:
    string_to_sign_text(const key_time& time, const hex_sha1& http_string_sha1) noexcept {
        append("sha1\n");
        append(key_time_text(time).view());
        append("\n");
        append(to_string_view(http_string_sha1));
        append("\n");
    }
    std::string_view view() const noexcept { return {buffer_.data(), size_}; }

private:
    void append(std::string_view s) noexcept {
        for (char c : s) buffer_[size_++] = c;
    }
    std::array<char, 5 + 40 + 1 + 40 + 1> buffer_{};
    std::size_t size_ = 0;
};

/// StringToSign as a string (see string_to_sign_text).
inline std::string string_to_sign(const key_time& time, const hex_sha1& http_string_sha1) {
    return std::string(string_to_sign_text(time, http_string_sha1).view());
}

/// Signature = hex(HMAC-SHA1(SignKey as its 40 ASCII characters, StringToSign)). SignKey is the
/// hex text, not the 20 raw bytes (§1.4; the English doc: "a string rather than the binary").
inline hex_sha1 signature(const hex_sha1& sign_key_text, std::string_view string_to_sign) noexcept {
    return to_hex(hmac_sha1(to_string_view(sign_key_text), string_to_sign));
}

namespace detail {

/// Feeds SHA-1 through a small buffer, so the HttpString is hashed while it is written and
/// never stored.
class sha1_sink {
public:
    void put(char c) noexcept {
        if (used_ == buffer_.size()) flush();
        buffer_[used_++] = c;
    }
    void put(std::string_view s) noexcept {
        if (s.size() > buffer_.size() - used_) {
            flush();
            if (s.size() >= buffer_.size()) {
                hash_.update(s);
                return;
            }
        }
        for (char c : s) buffer_[used_++] = c;
    }
    void put_encoded(std::string_view value, bool /*redact: hashing needs the real value*/) noexcept {
        while (!value.empty()) {
            // Worst case each byte becomes three; encode as much as surely fits.
            if (buffer_.size() - used_ < 3) flush();
            const std::size_t take = std::min(value.size(), (buffer_.size() - used_) / 3);
            char* end = percent_encode_unchecked(value.substr(0, take), buffer_.data() + used_);
            used_ = static_cast<std::size_t>(end - buffer_.data());
            value.remove_prefix(take);
        }
    }
    hex_sha1 finish() noexcept {
        flush();
        return to_hex(hash_.finish());
    }

private:
    void flush() noexcept {
        hash_.update(std::string_view(buffer_.data(), used_));
        used_ = 0;
    }

    sha1 hash_;
    std::array<char, 256> buffer_{};
    std::size_t used_ = 0;
};

/// A sink that writes into a caller buffer already known to be large enough.
struct span_sink {
    char* out;
    void put(char c) noexcept { *out++ = c; }
    void put(std::string_view s) noexcept {
        for (char c : s) *out++ = c;
    }
    void put_encoded(std::string_view value, bool) noexcept { out = percent_encode_unchecked(value, out); }
};

}  // namespace detail

/// hex(SHA1(HttpString)) of a canonical request, computed without building the string.
inline hex_sha1 http_string_sha1(const canonical_request& c) noexcept {
    detail::sha1_sink sink;
    detail::write_http_string(sink, c);
    return sink.finish();
}

}  // namespace coswire
