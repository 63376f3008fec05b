// SPDX-License-Identifier: MIT
// The transport concepts: anything callable with an http_request that returns
// result<http_response>; the streaming step beyond it, which hands the response body to a
// response_sink as it arrives; and the transport that pulls a request body from its reader as it
// sends. coswire holds no socket, thread or clock; the user's HTTP stack
// plugs in here.
#pragma once

#include <coswire/callback.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <utility>

namespace coswire {

/// A transport sends one request and returns the response, or errc::transport_failure when no
/// response arrived (connection refused, reset, timeout). Any HTTP status is a response, not a
/// transport failure. A lambda around libcurl, a retrying wrapper or the in-process emulator all
/// qualify.
template <class T>
concept transport = requires(T& t, const http_request& r) {
    { t(r) } -> std::same_as<result<http_response>>;
};

/// Where a streaming transport delivers one response: `head` exactly once, with the status and
/// headers (body empty), before any body byte and also when the body is empty; then `body` for
/// each piece of the body, in order, whatever the status (an error document too). Either may
/// refuse with an error value: the transport then stops reading this response and returns that
/// error unchanged. Both members must be set.
struct response_sink {
    callback<result<void>(const http_response& head)> head{};
    callback<result<void>(std::span<const std::byte> bytes)> body{};
};

/// A streaming transport is a transport with a second call operator, t(request, sink), that
/// delivers the response to `sink` as it arrives instead of collecting its body, and returns the
/// head (status and headers, body empty), a transport_failure, or the error the sink returned.
/// Its memory is then bounded by its own read buffer, not by the body. See
/// docs/download.md#streaming-transports.
template <class T>
concept streaming_transport = transport<T> && requires(T& t, const http_request& r, response_sink& s) {
    { t(r, s) } -> std::same_as<result<http_response>>;
};

/// A transport that sends a pulled body (http_request::reader) itself, reading it in pieces as it
/// writes, declares `static constexpr bool pulls_request_body = true;`. Any other transport is
/// handed the body collected into memory first, by send_collected and send_streaming. See
/// docs/transport.md#pulled-request-bodies.
template <class T>
concept body_pulling_transport = transport<T> && requires { requires T::pulls_request_body; };

namespace detail {

/// A copy of `request` whose pulled body has been read into `body`, for a transport that only
/// sends bodies from memory. Errors: limit_exceeded "body" when the size does not fit in memory's
/// address space; the reader's own error.
inline result<http_request> with_body_collected(const http_request& request) {
    const std::uint64_t size = request.reader.size;
    if (size > std::uint64_t{std::string().max_size()})
        return make_error(errc::limit_exceeded, "body", "a pulled body of " + std::to_string(size) + " bytes does not fit in memory");
    http_request copy = request;
    copy.reader = {};
    copy.body.resize(static_cast<std::size_t>(size));
    if (auto ok = request.reader.read(0, {reinterpret_cast<std::byte*>(copy.body.data()), copy.body.size()}); !ok)
        return std::move(ok).error();
    return copy;
}

}  // namespace detail

/// Sends `request` through `t` and returns the whole response. A pulled body goes to a
/// body_pulling_transport as it is; any other transport gets it read into memory first.
template <transport Transport>
result<http_response> send_collected(Transport& t, const http_request& request) {
    if constexpr (!body_pulling_transport<Transport>) {
        if (request.body_is_pulled()) {
            auto collected = detail::with_body_collected(request);
            if (!collected) return std::move(collected).error();
            return t(*collected);
        }
    }
    return t(request);
}

/// Sends `request` through `t`, delivering the response to `sink`: streamed by a
/// streaming_transport; for a plain transport, collected first and then delivered in one piece
/// (memory then grows with the body, which is fine for small answers and tests). Returns the
/// head (body empty), or the transport's or sink's error. Also checks the transport's side of
/// the contract: errc::transport_failure naming "transport" when body bytes came before the head.
/// A pulled request body is handled as by send_collected.
template <transport Transport>
result<http_response> send_streaming(Transport& t, const http_request& request, response_sink& sink) {
    if constexpr (!body_pulling_transport<Transport>) {
        if (request.body_is_pulled()) {
            auto collected = detail::with_body_collected(request);
            if (!collected) return std::move(collected).error();
            return send_streaming(t, *collected, sink);
        }
    }
    if constexpr (streaming_transport<Transport>) {
        bool head_seen = false;
        response_sink checked{
            .head = [&](const http_response& head) -> result<void> {
                if (head_seen) return make_error(errc::transport_failure, "transport", "delivered a second response head");
                head_seen = true;
                return sink.head(head);
            },
            .body = [&](std::span<const std::byte> bytes) -> result<void> {
                if (!head_seen) return make_error(errc::transport_failure, "transport", "delivered body bytes before the head");
                return sink.body(bytes);
            },
        };
        auto head = t(request, checked);
        if (!head) return head;
        if (!head_seen) {
            // A transport that returned without calling head (allowed only for an empty body).
            if (!head->body.empty()) return make_error(errc::transport_failure, "transport", "returned a body instead of streaming it");
            if (auto ok = sink.head(*head); !ok) return std::move(ok).error();
        }
        head->body.clear();
        return head;
    } else {
        auto response = send_collected(t, request);
        if (!response) return response;
        std::string body = std::move(response->body);
        response->body.clear();
        if (auto ok = sink.head(*response); !ok) return std::move(ok).error();
        if (!body.empty())
            if (auto ok = sink.body({reinterpret_cast<const std::byte*>(body.data()), body.size()}); !ok)
                return std::move(ok).error();
        return response;
    }
}

}  // namespace coswire
