// SPDX-License-Identifier: MIT
// The signing stages after the canonical request: SignKey, StringToSign and Signature
// (docs/protocol/signing.md#sign-key, #stringtosign, #signature), each public so it can be tested and
// explained alone.
#pragma once

#include <coswire/crypto/hmac.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/crypto/sha1.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/http_string.hpp>
#include <coswire/time/key_time.hpp>

#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace coswire {

/// 40 lower-case hex characters (a SHA-1 or HMAC-SHA1 rendered as text).
using hex_sha1 = std::array<char, 40>;

constexpr std::string_view to_string_view(const hex_sha1& h) noexcept { return {h.data(), h.size()}; }

/// SignKey = hex(HMAC-SHA1(SecretKey, KeyTime)). Secret material: never print it.
inline hex_sha1 sign_key(const secret_string& secret_key, const key_time_text& time) noexcept {
    return to_hex(hmac_sha1(secret_key.reveal(), time.view()));
}

/// SignKey from the window itself (see the overload above).
inline hex_sha1 sign_key(const secret_string& secret_key, const key_time& time) noexcept {
    return sign_key(secret_key, key_time_text(time));
}

/// StringToSign = "sha1\n" KeyTime "\n" hex(SHA1(HttpString)) "\n"
/// (docs/protocol/signing.md#stringtosign), held without allocating. Precondition: validate(time)
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

/// StringToSign as a string (see string_to_sign_text).
inline std::string string_to_sign(const key_time& time, const hex_sha1& http_string_sha1) {
    return std::string(string_to_sign_text(time, http_string_sha1).view());
}

/// Signature = hex(HMAC-SHA1(SignKey as its 40 ASCII characters, StringToSign)). SignKey is the
/// hex text, not the 20 raw bytes, as Tencent's page says (docs/protocol/signing.md#sign-key).
inline hex_sha1 signature(const hex_sha1& sign_key_text, std::string_view string_to_sign) noexcept {
    return to_hex(hmac_sha1(to_string_view(sign_key_text), string_to_sign));
}

namespace detail {

/// Feeds SHA-1 through a small buffer, so the HttpString is hashed while it is written and
/// never stored. Pieces are written straight into the buffer; when one does not fit, the
/// buffer's whole 64-byte blocks go to SHA-1 in one update (compressed in place, no copy) and
/// the remainder moves to the front.
class sha1_sink {
public:
    void put(char c) noexcept {
        char* p = room(1);
        *p = c;
        used_ += 1;
    }
    void put(std::string_view s) noexcept {
        while (!s.empty()) {
            const std::size_t take = s.size() < max_piece ? s.size() : max_piece;
            char* p = room(take);
            copy_chars(s.data(), take, p);
            used_ += take;
            s.remove_prefix(take);
        }
    }
    void put_signed_name(const signed_field& f) noexcept {
        if (f.plain_name && f.name.size() <= max_piece) {
            char* p = room(f.name.size());
            used_ = static_cast<std::size_t>(write_plain_name_unchecked(f.name, p) - data());
            return;
        }
        std::string_view name = f.name;
        while (!name.empty()) {
            const std::size_t take = name.size() < max_piece / 3 ? name.size() : max_piece / 3;  // at most 3 bytes per byte
            char* p = room(3 * take);
            used_ = static_cast<std::size_t>(write_signed_name_unchecked(name.substr(0, take), p) - data());
            name.remove_prefix(take);
        }
    }
    void put_encoded(std::string_view value, bool /*redact: hashing needs the real value*/) noexcept {
        while (!value.empty()) {
            const std::size_t take = value.size() < max_piece / 3 ? value.size() : max_piece / 3;  // at most 3 bytes per byte
            char* p = room(3 * take);
            used_ = static_cast<std::size_t>(encode_unchecked<false>(value.substr(0, take), p) - data());
            value.remove_prefix(take);
        }
    }
    hex_sha1 finish() noexcept {
        hash_.update(std::string_view(data(), used_));
        return to_hex(hash_.finish());
    }

private:
    static constexpr std::size_t block = 64;
    static constexpr std::size_t max_piece = 192;  // the most one write adds
    static constexpr std::size_t buffer_size = 7 * block;
    // After a drain fewer than `block` bytes remain, so any piece then fits.
    static_assert(block + max_piece <= buffer_size);

    /// Room for `n` <= max_piece bytes at the end of the buffer.
    char* room(std::size_t n) noexcept {
        if (buffer_size - used_ < n) drain();
        return data() + used_;
    }

    void drain() noexcept {
        const std::size_t whole = used_ / block * block;
        hash_.update(std::string_view(data(), whole));
        std::memmove(data(), data() + whole, used_ - whole);
        used_ -= whole;
    }

    char* data() noexcept { return reinterpret_cast<char*>(buffer_.data()); }

    sha1 hash_;
    // Only the first used_ bytes are meaningful; unsigned char so that even copying the
    // uninitialised rest is well-defined, and nothing is zeroed per signature.
    std::array<unsigned char, buffer_size> buffer_;
    std::size_t used_ = 0;
};

/// A sink that writes into a caller buffer already known to be large enough.
struct span_sink {
    char* out;
    // Each write goes through a local copy of the pointer and stores the new end last: a store
    // through `out` itself may alias `out` (a char store may alias anything), forcing reloads.
    void put(char c) noexcept {
        char* p = out;
        *p = c;
        out = p + 1;
    }
    void put(std::string_view s) noexcept { out = copy_chars(s.data(), s.size(), static_cast<char*>(out)); }
    void put_signed_name(const signed_field& f) noexcept { out = write_signed_name_unchecked(f, out); }
    void put_encoded(std::string_view value, bool) noexcept { out = encode_unchecked<false>(value, out); }
};

}  // namespace detail

/// hex(SHA1(HttpString)) of a canonical request, computed without building the string.
inline hex_sha1 http_string_sha1(const canonical_request& c) noexcept {
    detail::sha1_sink sink;
    detail::write_http_string(sink, c);
    return sink.finish();
}

}  // namespace coswire
