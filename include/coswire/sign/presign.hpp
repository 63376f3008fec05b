// SPDX-License-Identifier: MIT
// Presigned URLs: the signature carried as seven q-* query parameters, with the session token
// as a signed x-cos-security-token parameter (docs/protocol/signing.md#presigned-urls).
#pragma once

#include <coswire/encoding/percent.hpp>
#include <coswire/sign/authorization.hpp>
#include <coswire/sign/http_string.hpp>

#include <string>
#include <string_view>

namespace coswire {

/// A presigned query and the stages that produced it.
struct presigned_parts {
    /// What follows '?' in the URL: the request's parameters (each enc(name) or
    /// enc(name)=enc(value), in the order given), the session token when there is one, then
    /// q-sign-algorithm, q-ak, q-sign-time, q-key-time, q-header-list, q-url-param-list and
    /// q-signature with percent-encoded values (';' becomes %3B). Contains the session token:
    /// a presigned URL is a bearer credential until it expires.
    std::string query{};
    signed_parts parts{};  ///< the stages; parts.authorization is the unencoded Authorization value
};

/// Presigns `request` (usually a GET or PUT with only `host` among its headers; any header it
/// signs must be sent with exactly that value). Errors: those of canonicalize(), plus a request
/// parameter named like a q-* signature field ("params").
inline result<presigned_parts> presign(const signer& s, const signable_request& request, const sign_options& options = {}) {
    for (const query_param& p : request.params)
        if (detail::istarts_with(p.name, "q-") || detail::iequals(p.name, "sign"))
            return make_error(errc::invalid_argument, "params",
                              "parameter '" + std::string(p.name) + "' collides with the presigned signature fields");
    const std::string_view token = s.creds().session_token.reveal();
    auto canonical = canonicalize(request, options, token, token_placement::query);
    if (!canonical) return std::move(canonical).error();

    presigned_parts out;
    out.parts = s.explain(*canonical);
    std::string& q = out.query;
    auto field = [&q](std::string_view name, std::string_view value) {
        if (!q.empty()) q.push_back('&');
        q.append(name).push_back('=');
        percent_encode_append(q, value);
    };
    bool token_in_request = false;
    for (const query_param& p : request.params) {
        if (!q.empty()) q.push_back('&');
        percent_encode_append(q, p.name);
        token_in_request = token_in_request || detail::compare_signed_names(p.name, "x-cos-security-token") == 0;
        if (p.value) {
            q.push_back('=');
            percent_encode_append(q, *p.value);
        }
    }
    if (!token.empty() && !token_in_request) field("x-cos-security-token", token);
    const key_time_text time(s.time());
    field("q-sign-algorithm", "sha1");
    field("q-ak", s.creds().secret_id);
    field("q-sign-time", time.view());
    field("q-key-time", time.view());
    field("q-header-list", out.parts.header_list);
    field("q-url-param-list", out.parts.url_param_list);
    field("q-signature", out.parts.signature);
    return out;
}

/// Presigns with a one-off signer (see the overload above).
inline result<presigned_parts> presign(const signable_request& request, const credentials& creds, const key_time& time,
                                       const sign_options& options = {}) {
    auto s = signer::create(creds, time);
    if (!s) return std::move(s).error();
    return presign(*s, request, options);
}

}  // namespace coswire
