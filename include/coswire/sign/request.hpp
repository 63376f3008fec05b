// SPDX-License-Identifier: MIT
// Signing an http_request in place (Authorization header) or into a presigned URL.
#pragma once

#include <coswire/http/message.hpp>
#include <coswire/sign/authorization.hpp>
#include <coswire/sign/presign.hpp>

#include <string>
#include <vector>

namespace coswire {

namespace detail {

/// Borrowed views of an http_request in the signer's terms; valid while the request lives.
struct signable_views {
    std::vector<query_param> params;
    std::vector<header_field> headers;

    explicit signable_views(const http_request& r) {
        params.reserve(r.query.size());
        for (const http_query_param& p : r.query)
            params.push_back({p.name, p.value ? std::optional<std::string_view>(*p.value) : std::nullopt});
        headers.reserve(r.headers.size());
        for (const http_header& h : r.headers) headers.push_back({h.name, h.value});
    }
    // Spans from data() and size(), not from the vectors: the range constructor's concept checks cost
    // compile time in every TU.
    signable_request view(const http_request& r) const {
        return {r.method, r.path, {params.data(), params.size()}, {headers.data(), headers.size()}};
    }
};

}  // namespace detail

/// Signs `request` and adds its Authorization header (and, with a session token, the
/// x-cos-security-token header that the signature covers). Returns the stages for explaining.
/// Errors: those of signer::sign; invalid_argument ("request") when the request already carries
/// an Authorization header or no Host header.
inline result<signed_parts> authorize(http_request& request, const signer& s, const sign_options& options = {}) {
    if (request.header("Authorization"))
        return make_error(errc::invalid_argument, "request", "already has an Authorization header");
    if (!request.header("Host")) return make_error(errc::invalid_argument, "request", "has no Host header");
    const std::string_view token = s.creds().session_token.reveal();
    const bool add_token = !token.empty() && !request.header("x-cos-security-token");
    if (add_token) request.headers.push_back({"x-cos-security-token", std::string(token)});
    const detail::signable_views views(request);
    auto parts = s.sign(views.view(request), options);
    if (!parts) {
        if (add_token) request.headers.pop_back();
        return std::move(parts).error();
    }
    request.headers.push_back({"Authorization", parts->authorization});
    return parts;
}

/// The presigned URL of `request`: scheme://host + wire path + "?" + presigned query (the
/// session token, when there is one, is a signed parameter). Headers the signature covers must
/// be sent with the URL exactly as they are in `request`; by default only Host is signed.
/// Errors: those of presign().
inline result<std::string> presigned_url(const http_request& request, const signer& s,
                                         const sign_options& options = {header_selection::listed, {}}) {
    static constexpr std::string_view host_only[] = {"host"};
    sign_options effective = options;
    if (effective.headers == header_selection::listed && effective.listed_headers.empty())
        effective.listed_headers = {host_only, 1};
    const detail::signable_views views(request);
    auto p = presign(s, views.view(request), effective);
    if (!p) return std::move(p).error();
    return request.scheme + "://" + request.host + request.wire_path + "?" + p->query;
}

}  // namespace coswire
