// SPDX-License-Identifier: MIT
// Signing a request into its Authorization value (docs/protocol/signing.md#authorization): the signer
// with a cached key, the explained std::string form and the heap-free buffer form.
#pragma once

#include <coswire/detail/sign_errors.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/http_string.hpp>
#include <coswire/sign/signer.hpp>
#include <coswire/time/key_time.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace coswire {

/// Everything a signature is made of, for sending and for explaining. Holds neither the secret
/// key nor the sign key; a session token's value reads "***" in http_string.
struct signed_parts {
    std::string authorization{};   ///< the Authorization header value
    std::string header_list{};     ///< q-header-list
    std::string url_param_list{};  ///< q-url-param-list
    std::string http_string{};     ///< HttpString (token redacted)
    std::string string_to_sign{};  ///< StringToSign
    std::string signature{};       ///< q-signature
};

/// Checks what goes into q-ak and the key. Errors name "secret_id" / "secret_key".
inline result<void> validate_credentials(const credentials& creds) {
    if (creds.secret_id.empty()) return make_error(errc::invalid_argument, "secret_id", "must not be empty");
    for (char c : creds.secret_id)
        if (c <= ' ' || c > '~' || c == '&' || c == ';' || c == '=')
            return make_error(errc::invalid_argument, "secret_id",
                              "must be printable ASCII without spaces, '&', ';' or '='");
    if (creds.secret_key.empty()) return make_error(errc::invalid_argument, "secret_key", "must not be empty");
    return {};
}

// ---- Signing path 5/5: the Authorization value ----

/// Signs requests with one credentials/key-time pair. The sign key and its HMAC pad states are
/// derived once, so signing many requests in the same window skips that work. Borrows `creds`:
/// keep them alive while the signer is used. Not printable; holds secret material.
class signer {
public:
    /// Errors: those of validate_credentials and validate_key_time.
    static result<signer> create(const credentials& creds, const key_time& time) {
        if (auto ok = validate_credentials(creds); !ok) return std::move(ok).error();
        if (auto ok = validate_key_time(time); !ok) return std::move(ok).error();
        return signer(creds, time);
    }
    /// A signer borrows its credentials, so it cannot be made from a temporary.
    static result<signer> create(const credentials&& creds, const key_time& time) = delete;

    const key_time& time() const noexcept { return time_; }
    const credentials& creds() const noexcept { return *creds_; }

    /// The Authorization value and every intermediate stage.
    /// Errors: those of canonicalize().
    result<signed_parts> sign(const signable_request& request, const sign_options& options = {}) const {
        canonical_request canonical;
        if (auto ok = canonicalize_into(canonical, request, options, creds_->session_token.reveal()); !ok)
            return std::move(ok).error();
        return explain(canonical);
    }

    /// Every stage for a request already canonicalized with this signer's session token.
    signed_parts explain(const canonical_request& canonical) const {
        signed_parts out;
        out.http_string = http_string(canonical);
        const string_to_sign_text sts(time_text_, http_string_sha1(canonical));
        out.string_to_sign = std::string(sts.view());
        out.signature = std::string(to_string_view(signature_of(sts.view())));
        out.header_list = header_list(canonical);
        out.url_param_list = url_param_list(canonical);
        out.authorization.resize(authorization_size(canonical));
        write_authorization(out.authorization.data(), canonical, sts);
        return out;
    }

    /// Writes the Authorization value into `out` without touching the heap; returns its length.
    /// Errors: those of canonicalize(); buffer_too_small (argument "out", error.size = the
    /// length needed) when `out` is too short — nothing is written then.
    result<std::size_t> sign_to(std::span<char> out, const signable_request& request,
                                const sign_options& options = {}) const {
        canonical_request canonical;
        if (auto ok = canonicalize_into(canonical, request, options, creds_->session_token.reveal()); !ok)
            return std::move(ok).error();
        const std::size_t needed = authorization_size(canonical);
        if (out.size() < needed) [[unlikely]]
            return detail::authorization_buffer_error(needed);
        write_authorization(out.data(), canonical, http_string_sha1(canonical));
        return needed;
    }

    /// The Authorization value only.
    result<std::string> authorization(const signable_request& request, const sign_options& options = {}) const {
        canonical_request canonical;
        if (auto ok = canonicalize_into(canonical, request, options, creds_->session_token.reveal()); !ok)
            return std::move(ok).error();
        std::string out(authorization_size(canonical), '\0');
        write_authorization(out.data(), canonical, http_string_sha1(canonical));
        return out;
    }

    /// HMAC-SHA1 under the sign key, for the stages that need it (presigning).
    hex_sha1 signature_of(std::string_view string_to_sign) const noexcept { return to_hex(key_.mac(string_to_sign)); }

    template <class Stream>
    friend Stream& operator<<(Stream&, const signer&) = delete;

private:
    // KeyTime is formatted once, here.
    signer(const credentials& creds, const key_time& time)
        : creds_(&creds), time_(time), time_text_(time), key_(to_string_view(sign_key(creds.secret_key, time_text_))) {}

    static constexpr std::string_view field_algorithm = "q-sign-algorithm=sha1&q-ak=";
    static constexpr std::string_view field_sign_time = "&q-sign-time=";
    static constexpr std::string_view field_key_time = "&q-key-time=";
    static constexpr std::string_view field_header_list = "&q-header-list=";
    static constexpr std::string_view field_param_list = "&q-url-param-list=";
    static constexpr std::string_view field_signature = "&q-signature=";

    std::size_t authorization_size(const canonical_request& c) const noexcept {
        const std::size_t time_size = time_text_.view().size();
        return field_algorithm.size() + creds_->secret_id.size() + field_sign_time.size() + time_size +
               field_key_time.size() + time_size + field_header_list.size() + c.headers.list_size() +
               field_param_list.size() + c.params.list_size() + field_signature.size() + 40;
    }

    // q-sign-algorithm=sha1&q-ak=..&q-sign-time=..&q-key-time=..&q-header-list=..
    // &q-url-param-list=..&q-signature=..  — this order, no spaces, no encoding
    // (docs/protocol/signing.md#authorization).
    void write_authorization(char* out, const canonical_request& c, const string_to_sign_text& sts) const noexcept {
        detail::fast::span_sink sink{out};
        sink.put(field_algorithm);
        sink.put(creds_->secret_id);
        sink.put(field_sign_time);
        sink.put(time_text_.view());
        sink.put(field_key_time);
        sink.put(time_text_.view());
        sink.put(field_header_list);
        detail::write_list(sink, c.headers);
        sink.put(field_param_list);
        detail::write_list(sink, c.params);
        sink.put(field_signature);
        to_hex_into(key_.mac(sts.view()), sink.out);  // q-signature, hex written in place
    }

    void write_authorization(char* out, const canonical_request& c, const hex_sha1& http_string_digest) const noexcept {
        write_authorization(out, c, string_to_sign_text(time_text_, http_string_digest));
    }

    const credentials* creds_;
    key_time time_;
    key_time_text time_text_;  // "start;end", used three times per signature
    hmac_sha1_key key_;
};

// ---- End of signing path 5/5 ----

/// Signs `request` with `creds` for `time`: the Authorization value and every stage.
/// Errors: those of signer::create and canonicalize().
inline result<signed_parts> sign(const signable_request& request, const credentials& creds, const key_time& time,
                                 const sign_options& options = {}) {
    return signer::create(creds, time).and_then([&](const signer& s) { return s.sign(request, options); });
}

/// Heap-free signing into a caller buffer (see signer::sign_to).
inline result<std::size_t> sign_to(std::span<char> out, const signable_request& request, const credentials& creds,
                                   const key_time& time, const sign_options& options = {}) {
    auto s = signer::create(creds, time);
    if (!s) return std::move(s).error();
    return s->sign_to(out, request, options);
}

}  // namespace coswire
