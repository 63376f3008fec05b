// SPDX-License-Identifier: MIT
// A test transport that passes each request to the emulator (when it has one) and then lets the
// test alter, replace or fabricate the answer: a lying server or a meddling proxy. Records every
// request it carried, so tests can prove a check the driver claims was really made.
#pragma once

#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator.hpp>

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

/// What a request asks for, from its method and query parameters.
enum class request_kind { initiate, upload_part, complete, abort, list_parts, list_uploads, put_object, get_object, head_object, delete_object, list_objects, other };

inline bool has_param(const coswire::http_request& r, std::string_view name) {
    for (const coswire::http_query_param& p : r.query)
        if (p.name == name) return true;
    return false;
}

inline request_kind kind_of(const coswire::http_request& r) {
    const bool upload_id = has_param(r, "uploadId"), uploads = has_param(r, "uploads");
    if (r.method == "POST") return uploads ? request_kind::initiate : upload_id ? request_kind::complete : request_kind::other;
    if (r.method == "PUT") return has_param(r, "partNumber") ? request_kind::upload_part : request_kind::put_object;
    if (r.method == "DELETE") return upload_id ? request_kind::abort : request_kind::delete_object;
    if (r.method == "HEAD") return request_kind::head_object;
    if (r.method == "GET") {
        if (upload_id) return request_kind::list_parts;
        if (uploads) return request_kind::list_uploads;
        return r.path == "/" ? request_kind::list_objects : request_kind::get_object;
    }
    return request_kind::other;
}

/// Drops every header named `name` (any case).
inline void remove_header(coswire::http_response& r, std::string_view name) {
    std::erase_if(r.headers, [&](const coswire::http_header& h) { return coswire::detail::iequals(h.name, name); });
}

/// Replaces the first `from` in the body with `to`; returns whether there was one.
inline bool replace_in_body(coswire::http_response& r, std::string_view from, std::string_view to) {
    const std::size_t at = r.body.find(from);
    if (at == std::string::npos) return false;
    r.body.replace(at, from.size(), to);
    return true;
}

/// The value of query parameter `name`, or "" when absent.
inline std::string param_of(const coswire::http_request& r, std::string_view name) {
    for (const coswire::http_query_param& p : r.query)
        if (p.name == name) return p.value.value_or("");
    return {};
}

/// Flips one bit of the body's byte at `offset` (moving a borrowed payload into the owned body).
inline void flip_body_byte(coswire::http_request& r, std::size_t offset) {
    const auto bytes = r.body_bytes();
    r.body.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    r.payload = {};
    if (offset < r.body.size()) r.body[offset] = static_cast<char>(r.body[offset] ^ 0x01);
}

struct hostile_transport {
    using alteration = coswire::callback<void(const coswire::http_request&, coswire::result<coswire::http_response>&)>;

    coswire::testing::cos_emulator* server = nullptr;  ///< null: every answer is fabricated by `alter`
    alteration alter{};                                ///< called after the server answered (or with an empty 200)
    /// Requests it returns true for never reach the server: `alter` fabricates their answer.
    coswire::callback<bool(const coswire::http_request&)> withhold{};
    /// Alters a copy of each request before the server sees it (a corrupting link); `alter`
    /// still gets the request as the client sent it.
    coswire::callback<void(coswire::http_request&)> meddle{};
    std::mutex lock{};
    std::vector<request_kind> seen{};  ///< every request carried, in order

    coswire::result<coswire::http_response> operator()(const coswire::http_request& r) {
        const bool reaches = server != nullptr && !(withhold && withhold(r));
        coswire::result<coswire::http_response> answer = coswire::http_response{200, {}, ""};
        if (reaches && meddle) {
            coswire::http_request changed = r;
            meddle(changed);
            answer = (*server)(changed);
        } else if (reaches) {
            answer = (*server)(r);
        }
        const std::lock_guard<std::mutex> guard(lock);
        seen.push_back(kind_of(r));
        if (alter) alter(r, answer);
        return answer;
    }

    std::size_t count(request_kind k) {
        const std::lock_guard<std::mutex> guard(lock);
        return static_cast<std::size_t>(std::count(seen.begin(), seen.end(), k));
    }
};
static_assert(coswire::transport<hostile_transport>);
