// SPDX-License-Identifier: MIT
// fake_transport: records every request and replays canned responses, for unit tests of code
// that talks to COS through the transport concept.
#pragma once

#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

namespace coswire::testing {

/// Answers requests in order from a queue of canned results; once the queue is empty every
/// request fails with errc::transport_failure ("no canned response left"). Keeps a copy of each
/// request (borrowed payloads are copied into the body, so they can be inspected later).
class fake_transport {
public:
    /// Queues the answer to the next unanswered request.
    fake_transport& respond(result<http_response> r) {
        replies_.push_back(std::move(r));
        return *this;
    }
    fake_transport& respond(int status, std::vector<http_header> headers = {}, std::string body = {}) {
        return respond(http_response{status, std::move(headers), std::move(body)});
    }

    result<http_response> operator()(const http_request& request) {
        http_request copy = request;
        if (!copy.payload.bytes.empty()) {
            const auto bytes = copy.payload.bytes;
            copy.body.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            copy.payload = {};
        }
        requests_.push_back(std::move(copy));
        if (replies_.empty()) return make_error(errc::transport_failure, "transport", "no canned response left");
        result<http_response> r = std::move(replies_.front());
        replies_.pop_front();
        return r;
    }

    /// Every request received, oldest first.
    const std::vector<http_request>& requests() const noexcept { return requests_; }
    /// Canned responses not yet used.
    std::size_t pending() const noexcept { return replies_.size(); }

private:
    std::deque<result<http_response>> replies_;
    std::vector<http_request> requests_;
};

static_assert(transport<fake_transport>);

}  // namespace coswire::testing
