// SPDX-License-Identifier: MIT
// The transport concepts: anything callable with an http_request that returns
// result<http_response>, and the streaming step beyond it, which hands the response body to a
// response_sink as it arrives. coswire holds no socket, thread or clock; the user's HTTP stack
// plugs in here.
#pragma once

#include <coswire/callback.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <concepts>
#include <cstddef>
#include <span>
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

/// Sends `request` through `t`, delivering the response to `sink`: streamed by a
/// streaming_transport; for a plain transport, collected first and then delivered in one piece
/// (memory then grows with the body, which is fine for small answers and tests). Returns the
/// head (body empty), or the transport's or sink's error. Also checks the transport's side of
/// the contract: errc::transport_failure naming "transport" when body bytes came before the head.
template <transport Transport>
result<http_response> send_streaming(Transport& t, const http_request& request, response_sink& sink) {
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
        auto response = t(request);
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
