// SPDX-License-Identifier: MIT
// The OpenSSL 3 side of coswire-bench: COS q-sign-algorithm=sha1 signing (docs/protocol/signing.md)
// written the straightforward way an application would, and EVP digests for the hash rows.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openssl_reference {

/// A name/value pair as an application would keep it.
using field = std::pair<std::string, std::string>;

/// The request as an application would hold it before signing.
struct request {
    std::string method;
    std::string path;  // decoded UriPathname, e.g. "/exampleobject(腾讯云)"
    std::vector<field> params;
    std::vector<field> headers;  // all of them are signed
};

/// enc() of docs/protocol/signing.md#percent-encoding: keep A-Z a-z 0-9 - _ . ~, everything else becomes %XX (upper-case hex).
inline std::string percent_encode(const std::string& s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

inline std::string to_lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

inline std::string to_hex(const unsigned char* p, std::size_t n) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out += hex[p[i] >> 4];
        out += hex[p[i] & 0xF];
    }
    return out;
}

/// hex(HMAC-SHA1(key, message)) through OpenSSL's one-shot HMAC(); "" if OpenSSL fails.
inline std::string hmac_sha1_hex(const std::string& key, const std::string& message) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(), md, &length) == nullptr)
        return {};
    return to_hex(md, length);
}

/// hex(SHA1(message)) through EVP_Digest; "" if OpenSSL fails.
inline std::string sha1_hex(const std::string& message) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(message.data(), message.size(), md, &length, EVP_sha1(), nullptr) != 1) return {};
    return to_hex(md, length);
}

/// k = lower(enc(name)), v = enc(value), sorted by k; builds "k1;k2" and "k1=v1&k2=v2" (docs/protocol/signing.md#parameter-list).
inline void canonical_fields(const std::vector<field>& in, std::string& list, std::string& pairs) {
    std::vector<field> sorted;
    for (const auto& [name, value] : in) sorted.emplace_back(to_lower(percent_encode(name)), percent_encode(value));
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i != 0) {
            list += ';';
            pairs += '&';
        }
        list += sorted[i].first;
        pairs += sorted[i].first + "=" + sorted[i].second;
    }
}

/// The Authorization value (docs/protocol/signing.md#authorization) for `r`, every stage recomputed (SignKey included).
inline std::string authorization(const request& r, const std::string& secret_id, const std::string& secret_key,
                                 std::int64_t start, std::int64_t end) {
    const std::string key_time = std::to_string(start) + ";" + std::to_string(end);
    const std::string sign_key = hmac_sha1_hex(secret_key, key_time);
    std::string param_list, param_pairs, header_list, header_pairs;
    canonical_fields(r.params, param_list, param_pairs);
    canonical_fields(r.headers, header_list, header_pairs);
    const std::string http_string = to_lower(r.method) + "\n" + r.path + "\n" + param_pairs + "\n" + header_pairs + "\n";
    const std::string string_to_sign = "sha1\n" + key_time + "\n" + sha1_hex(http_string) + "\n";
    const std::string signature = hmac_sha1_hex(sign_key, string_to_sign);
    return "q-sign-algorithm=sha1&q-ak=" + secret_id + "&q-sign-time=" + key_time + "&q-key-time=" + key_time +
           "&q-header-list=" + header_list + "&q-url-param-list=" + param_list + "&q-signature=" + signature;
}

/// A digest fetched once and a context reused for every message: the fastest ordinary way to
/// hash many messages with OpenSSL 3, so the hash rows compare against its best.
class evp_digest {
public:
    explicit evp_digest(const char* algorithm) noexcept
        : md_(EVP_MD_fetch(nullptr, algorithm, nullptr)), ctx_(EVP_MD_CTX_new()) {}
    evp_digest(const evp_digest&) = delete;
    evp_digest& operator=(const evp_digest&) = delete;
    ~evp_digest() {
        EVP_MD_CTX_free(ctx_);
        EVP_MD_free(md_);
    }

    bool ok() const noexcept { return md_ != nullptr && ctx_ != nullptr; }

    /// Writes the digest of `data` to `out` (EVP_MAX_MD_SIZE bytes); returns its length, 0 on failure.
    unsigned int digest(std::string_view data, unsigned char* out) noexcept {
        unsigned int length = 0;
        if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 || EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1 ||
            EVP_DigestFinal_ex(ctx_, out, &length) != 1)
            return 0;
        return length;
    }

private:
    EVP_MD* md_;
    EVP_MD_CTX* ctx_;
};

}  // namespace openssl_reference
