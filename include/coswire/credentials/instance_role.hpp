// SPDX-License-Identifier: MIT
// The CVM / CPM instance-role provider: temporary credentials of the CAM role bound to the
// instance, read from the instance metadata service through the user's transport, cached and
// refreshed by caching_provider. Requests and answers in docs/credentials.md#instance-role.
#pragma once

#include <coswire/callback.hpp>
#include <coswire/credentials/caching.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/detail/json.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/machine/drive.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/time/http_date.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace coswire {

/// Where the metadata service is and which role to ask for.
struct instance_role_options {
    std::string role{};  ///< the CAM role name; empty: the first role the service lists
    std::string host = "metadata.tencentyun.com";  ///< bare-metal CPM: "bm.metadata.tencentyun.com"
};

namespace detail::instance_role {

inline constexpr std::string_view credentials_path = "/latest/meta-data/cam/security-credentials/";

// CAM role names: 1 to 128 of letters, digits and + = , . @ _ - (all safe in a URL path).
inline bool is_role_name(std::string_view s) noexcept {
    if (s.empty() || s.size() > 128) return false;
    for (char c : s)
        if (!(is_alpha(c) || is_digit(c) || std::string_view("+=,.@_-").find(c) != std::string_view::npos)) return false;
    return true;
}

inline bool is_host(std::string_view s) noexcept {
    if (s.empty() || s.size() > 255) return false;
    for (char c : s)
        if (!(is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) return false;
    return true;
}

inline result<http_request> get(std::string_view host, std::string path) {
    if (!is_host(host)) return make_error(errc::invalid_argument, "host", "not a host name (letters, digits, '.', '-', ':port')");
    http_request r{.method = "GET", .scheme = "http", .host = std::string(host), .path = path, .wire_path = path};
    r.headers.push_back({"Host", std::string(host)});
    return r;
}

// The service answered, but not 200: a 404 means no such role (or no role bound at all).
inline error status_error(const http_response& r, std::string_view what) {
    std::string reason = std::string(what) + ": HTTP " + std::to_string(r.status);
    if (r.status == 404) reason += " (no CAM role of that name is bound to this instance)";
    error e = make_error(errc::service_error, "response", reason);
    e.service = cos_error{.http_status = r.status, .message = std::move(reason)};
    return e;
}

}  // namespace detail::instance_role

/// GET http://<host>/latest/meta-data/cam/security-credentials/ : the names of the roles bound
/// to the instance. Errors: errc::invalid_argument naming "host" for an unusable host.
inline result<http_request> make_role_name_request(const instance_role_options& options = {}) {
    return detail::instance_role::get(options.host, std::string(detail::instance_role::credentials_path));
}

/// The first role name of the list (one name a line). Errors: errc::service_error for a status
/// other than 200; errc::malformed_response naming "body" when the first line is not a role name.
inline result<std::string> parse_role_name_response(const http_response& r) {
    if (r.status != 200) return detail::instance_role::status_error(r, "listing the instance's roles");
    std::string_view body = r.body;
    while (!body.empty() && (body.front() == '\n' || body.front() == '\r' || body.front() == ' ')) body.remove_prefix(1);
    std::string_view first = body.substr(0, body.find('\n'));
    while (!first.empty() && (first.back() == '\r' || first.back() == ' ')) first.remove_suffix(1);
    if (first.empty()) return make_error(errc::malformed_response, "body", "the metadata service lists no role");
    if (!detail::instance_role::is_role_name(first))
        return make_error(errc::malformed_response, "body", "the first line is not a CAM role name");
    return std::string(first);
}

/// GET http://<host>/latest/meta-data/cam/security-credentials/<role>. Errors:
/// errc::invalid_argument naming "role" (not 1-128 of letters, digits, + = , . @ _ -) or "host".
inline result<http_request> make_role_credentials_request(std::string_view role, const instance_role_options& options = {}) {
    if (!detail::instance_role::is_role_name(role))
        return make_error(errc::invalid_argument, "role", "a CAM role name is 1 to 128 of letters, digits and + = , . @ _ -");
    return detail::instance_role::get(options.host, std::string(detail::instance_role::credentials_path) + std::string(role));
}

/// The role's temporary credentials from the service's JSON document: TmpSecretId, TmpSecretKey,
/// Token and ExpiredTime (Unix seconds; Expiration, the same instant in ISO 8601, is read when
/// ExpiredTime is absent). A `Code` other than "Success" is refused. Other members are ignored.
/// Errors: errc::service_error for a status other than 200; errc::malformed_response or
/// errc::limit_exceeded naming "body" for a document that is not such an object. No error
/// holds any part of the document.
inline result<expiring_credentials> parse_role_credentials_response(const http_response& r) {
    namespace json = detail::json;
    if (r.status != 200) return detail::instance_role::status_error(r, "fetching the role's credentials");
    auto members = json::parse_object(r.body, "body");
    if (!members) return std::move(members).error();
    const auto text = [&](std::string_view name) -> const std::string* {
        const json::member* m = json::find(*members, name);
        return m != nullptr && m->type == json::kind::string ? &m->value : nullptr;
    };
    if (const json::member* code = json::find(*members, "Code"); code != nullptr) {
        if (code->type != json::kind::string) return make_error(errc::malformed_response, "body", "Code is not a string");
        if (code->value != "Success") {
            std::string reason = "the metadata service answered Code ";
            // Codes are short words; anything else is not repeated.
            if (code->value.size() <= 64 && detail::is_token(code->value)) reason += code->value;
            else reason += "(not shown)";
            return make_error(errc::service_error, "body", reason);
        }
    }
    expiring_credentials out;
    for (std::string_view name : {std::string_view("TmpSecretId"), std::string_view("TmpSecretKey"), std::string_view("Token")})
        if (const std::string* v = text(name); v == nullptr || v->empty())
            return make_error(errc::malformed_response, "body", std::string(name) + " is missing, empty or not a string");
    out.creds.secret_id = *text("TmpSecretId");
    out.creds.secret_key = secret_string(*text("TmpSecretKey"));
    out.creds.session_token = secret_string(*text("Token"));
    if (const json::member* expired = json::find(*members, "ExpiredTime"); expired != nullptr) {
        const auto at = expired->type == json::kind::number ? json::to_int64(expired->value) : std::nullopt;
        if (!at || *at <= 0) return make_error(errc::malformed_response, "body", "ExpiredTime is not a positive whole number of seconds");
        out.expires_at = *at;
    } else if (const std::string* expiration = text("Expiration"); expiration != nullptr) {
        const auto at = parse_iso8601(*expiration);
        if (!at || *at <= 0) return make_error(errc::malformed_response, "body", "Expiration is not an ISO 8601 time after 1970");
        out.expires_at = *at;
    } else {
        return make_error(errc::malformed_response, "body", "neither ExpiredTime nor Expiration is present");
    }
    return out;
}

/// The instance-role fetch as a step machine (docs/event-loop.md), for an event loop that asks
/// the metadata service itself: the role list first when options.role is empty, then the role's
/// document, one request at a time and without retries (the service is local to the instance;
/// caching_provider asks again on the next use after a failure). Nothing is signed or streamed,
/// and it never waits. Errors in the result: the builders', the transport's and the parsers'.
class instance_role_machine {
public:
    explicit instance_role_machine(instance_role_options options = {})
        : options_(std::move(options)),
          request_(options_.role.empty() ? make_role_name_request(options_) : make_role_credentials_request(options_.role, options_)) {}

    step next() {
        if (in_flight_.size() != 0) return {.kind = step_kind::idle};
        if (result_ || !request_) return {};
        return {.kind = step_kind::send, .id = in_flight_.issue(step_kind::send), .request = &*request_};
    }

    result<void> receive(std::uint32_t id, result<http_response> outcome) {
        if (auto ok = in_flight_.settle(id, step_kind::send); !ok) return ok;
        if (!outcome) return finish(std::move(outcome).error());
        if (options_.role.empty()) {  // the answer names the role; its document comes next
            auto role = parse_role_name_response(*outcome);
            if (!role) return finish(std::move(role).error());
            options_.role = std::move(*role);
            request_ = make_role_credentials_request(options_.role, options_);
            return {};
        }
        result_.emplace(parse_role_credentials_response(*outcome));
        return {};
    }

    result<void> receive_head(std::uint32_t id, const http_response&) { return unstreamed(id); }
    result<void> receive_body(std::uint32_t id, std::span<const std::byte>) { return unstreamed(id); }
    result<void> waited(std::uint32_t id) { return in_flight_.settle(id, step_kind::wait); }

    /// The credentials, once next() said done; errors: invalid_argument naming "machine" before
    /// that or when they were already taken.
    result<expiring_credentials> take_result() {
        if (!result_ && request_) return detail::machine_misused("take_result: not done yet; call next() until it says done");
        if (taken_) return detail::machine_misused("take_result: the result was already taken");
        taken_ = true;
        return result_ ? std::move(*result_) : result<expiring_credentials>(std::move(request_).error());
    }

    bool may_have_repeated() const noexcept { return false; }  // every request is a GET, sent once

private:
    result<void> finish(error e) {
        result_.emplace(std::move(e));
        return {};
    }

    result<void> unstreamed(std::uint32_t id) const {
        if (auto ok = in_flight_.check(id, step_kind::send); !ok) return ok;
        return detail::machine_misused("step " + std::to_string(id) + " is not streamed: report it with receive alone");
    }

    instance_role_options options_;
    result<http_request> request_;  // the next request, or the builder's error
    detail::steps_in_flight<1> in_flight_{};
    std::optional<result<expiring_credentials>> result_{};
    bool taken_ = false;
};

/// Fetches the role's credentials once through `t`: instance_role_machine driven by drive().
/// Errors: the builders', the transport's and the parsers'.
template <transport Transport>
result<expiring_credentials> fetch_instance_role_credentials(Transport& t, const instance_role_options& options = {}) {
    instance_role_machine m(options);
    return drive(m, t, sleeper([](std::uint32_t) {}));  // the machine never asks to wait
}

/// The instance-role provider: a caching_provider whose refresh is
/// fetch_instance_role_credentials through `t`, which must outlive it (and be safe to call from
/// the threads that ask for credentials). `clock` gives Unix seconds; `refresh_margin` as in
/// caching_options. Call invalidate() on it when COS says the credentials expired.
template <transport Transport>
caching_provider make_instance_role_provider(Transport& t, callback<std::int64_t()> clock, instance_role_options options = {},
                                             std::int64_t refresh_margin = caching_options{}.refresh_margin) {
    return caching_provider(caching_options{
        .refresh = [&t, options = std::move(options)]() { return fetch_instance_role_credentials(t, options); },
        .clock = std::move(clock),
        .refresh_margin = refresh_margin,
    });
}

}  // namespace coswire
