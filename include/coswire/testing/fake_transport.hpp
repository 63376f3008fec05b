// SPDX-License-Identifier: MIT
// fake_transport: records every request and replays canned responses, for unit tests of code
// that talks to COS through the transport concepts (plain and streaming).
#pragma once

#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/result.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace coswire::testing {

/// Answers requests in order from a queue of canned results; once the queue is empty every
/// request fails with errc::transport_failure ("no canned response left"). Keeps a copy of each
/// request (borrowed payloads are copied into the body, so they can be inspected later).
/// Streams too: t(request, sink) delivers the same canned answers to a response_sink in pieces
/// of piece_size bytes, and a body queued with respond_repeated is generated as it streams, so
/// a test can pass a large body through without holding it.
class fake_transport {
public:
    /// Queues the answer to the next unanswered request.
    fake_transport& respond(result<http_response> r) {
        replies_.push_back(canned{std::move(r), {}, 0});
        return *this;
    }
    fake_transport& respond(int status, std::vector<http_header> headers = {}, std::string body = {}) {
        return respond(http_response{status, std::move(headers), std::move(body)});
    }
    /// Queues an answer whose body is `pattern` repeated to `size` bytes (the last repetition cut
    /// short). Streamed, it is generated piece by piece; answered to t(request) it is built whole.
    fake_transport& respond_repeated(int status, std::vector<http_header> headers, std::string pattern, std::uint64_t size) {
        if (pattern.empty()) pattern = std::string(1, '\0');
        replies_.push_back(canned{http_response{status, std::move(headers), {}}, std::move(pattern), size});
        return *this;
    }

    result<http_response> operator()(const http_request& request) {
        auto next = take(request);
        if (!next.response || next.size == 0) return std::move(next.response);
        next.response->body.reserve(static_cast<std::size_t>(next.size));
        while (next.response->body.size() < next.size)
            next.response->body.append(next.pattern, 0,
                                       static_cast<std::size_t>(std::min<std::uint64_t>(next.pattern.size(), next.size - next.response->body.size())));
        return std::move(next.response);
    }

    /// The streaming call: the next canned answer's head to sink.head, then its body in pieces.
    result<http_response> operator()(const http_request& request, response_sink& sink) {
        auto next = take(request);
        if (!next.response) return std::move(next.response);
        http_response head = std::move(*next.response);
        const std::string body = std::move(head.body);
        head.body.clear();
        if (auto ok = sink.head(head); !ok) return std::move(ok).error();
        const auto deliver = [&](std::string_view piece) -> result<void> {
            return sink.body({reinterpret_cast<const std::byte*>(piece.data()), piece.size()});
        };
        for (std::size_t at = 0; at < body.size(); at += piece_size_)
            if (auto ok = deliver(std::string_view(body).substr(at, piece_size_)); !ok) return std::move(ok).error();
        std::string piece;
        for (std::uint64_t at = 0; at < next.size;) {
            piece.clear();
            while (piece.size() < piece_size_ && at < next.size) {
                const std::size_t offset = static_cast<std::size_t>(at % next.pattern.size());
                const std::size_t n = static_cast<std::size_t>(
                    std::min<std::uint64_t>({next.pattern.size() - offset, piece_size_ - piece.size(), next.size - at}));
                piece.append(next.pattern, offset, n);
                at += n;
            }
            if (auto ok = deliver(piece); !ok) return std::move(ok).error();
        }
        return head;
    }

    /// Bytes per sink.body call when streaming (at least 1; default 16 KiB).
    fake_transport& piece_size(std::size_t bytes) {
        piece_size_ = bytes == 0 ? 1 : bytes;
        return *this;
    }

    /// Every request received, oldest first.
    const std::vector<http_request>& requests() const noexcept { return requests_; }
    /// Canned responses not yet used.
    std::size_t pending() const noexcept { return replies_.size(); }

private:
    struct canned {
        result<http_response> response;
        std::string pattern{};    // a generated body: pattern repeated to `size` bytes
        std::uint64_t size = 0;
    };

    canned take(const http_request& request) {
        http_request copy = request;
        if (!copy.payload.bytes.empty()) {
            const auto bytes = copy.payload.bytes;
            copy.body.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            copy.payload = {};
        }
        requests_.push_back(std::move(copy));
        if (replies_.empty())
            return canned{make_error(errc::transport_failure, "transport", "no canned response left"), {}, 0};
        canned r = std::move(replies_.front());
        replies_.pop_front();
        return r;
    }

    std::deque<canned> replies_;
    std::vector<http_request> requests_;
    std::size_t piece_size_ = 16 * 1024;
};

static_assert(transport<fake_transport>);
static_assert(streaming_transport<fake_transport>);

}  // namespace coswire::testing
