// SPDX-License-Identifier: MIT
// Credentials: SecretId in clear, SecretKey and session token as secret_string, which cannot be
// printed, streamed or converted by accident (docs/protocol/signing.md#inputs, #temporary-credentials).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace coswire {

/// A string that holds secret material. It has no stream operator, no implicit conversion and
/// no formatter; reading it takes an explicit reveal(). The storage is wiped on destruction and
/// on assignment.
class secret_string {
public:
    secret_string() = default;
    explicit secret_string(std::string value) noexcept : value_(std::move(value)) {}
    explicit secret_string(std::string_view value) : value_(value) {}
    explicit secret_string(const char* value) : value_(value) {}
    secret_string(const secret_string&) = default;
    secret_string(secret_string&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
    secret_string& operator=(const secret_string& other) {
        if (this != &other) {
            wipe();
            value_ = other.value_;
        }
        return *this;
    }
    secret_string& operator=(secret_string&& other) noexcept {
        if (this != &other) {
            wipe();
            value_ = std::move(other.value_);
            other.wipe();
        }
        return *this;
    }
    ~secret_string() { wipe(); }

    /// The secret itself; only signing code should call this.
    std::string_view reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }

    /// What any debug output shows instead of the secret.
    static constexpr std::string_view redacted = "***";

    template <class Stream>
    friend Stream& operator<<(Stream&, const secret_string&) = delete;

private:
    void wipe() noexcept {
        // Writes through a volatile pointer so the compiler cannot drop them as dead stores.
        volatile char* p = value_.data();
        for (std::size_t i = 0; i < value_.size(); ++i) p[i] = 0;
        value_.clear();
    }

    std::string value_;
};

/// A COS key pair, optionally temporary (STS): the session token then travels as
/// x-cos-security-token and is signed.
struct credentials {
    std::string secret_id{};        ///< the access key id; public (sent as q-ak)
    secret_string secret_key{};     ///< never transmitted, never printed
    secret_string session_token{};  ///< empty for permanent keys

    template <class Stream>
    friend Stream& operator<<(Stream&, const credentials&) = delete;
};

}  // namespace coswire
