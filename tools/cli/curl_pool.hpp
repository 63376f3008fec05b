// SPDX-License-Identifier: MIT
// curl_pool: a thread-safe transport over several curl_transports (one easy handle each), so
// parallel part uploads and ranged downloads can share it; each call borrows an idle handle or
// opens a new one. Streaming calls hand the body on as it arrives.
#pragma once

#include <transports/curl_transport.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace cli {

/// Lends each request an idle curl_transport, creating one when all are busy; handles (and
/// their kept-alive connections) are reused. Safe to call from several threads.
class curl_pool {
public:
    /// Every handle of the pool connects as `options` says.
    explicit curl_pool(coswire::examples::curl_transport_options options) : options_(std::move(options)) {}

    /// Sends `request` on a borrowed handle. Errors: those of curl_transport.
    coswire::result<coswire::http_response> operator()(const coswire::http_request& request) {
        return on_idle_handle(request, [&](coswire::examples::curl_transport& t) { return t(request); });
    }

    /// The streaming call (coswire::streaming_transport), so `get` holds curl's read buffer
    /// rather than a range. Errors: those of curl_transport's, the sink's unchanged.
    coswire::result<coswire::http_response> operator()(const coswire::http_request& request, coswire::response_sink& sink) {
        return on_idle_handle(request, [&](coswire::examples::curl_transport& t) { return t(request, sink); });
    }

    /// The last request COS answered with 403, without its body: what a SignatureDoesNotMatch
    /// is diagnosed against (cli/resign.hpp). Holds the session token header: never printed.
    std::optional<coswire::http_request> last_refused() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return last_refused_;
    }

private:
    template <class Send>
    coswire::result<coswire::http_response> on_idle_handle(const coswire::http_request& request, Send send) {
        std::unique_ptr<coswire::examples::curl_transport> handle;
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            if (!idle_.empty()) {
                handle = std::move(idle_.back());
                idle_.pop_back();
            }
        }
        if (!handle) handle = std::make_unique<coswire::examples::curl_transport>(options_);
        auto response = send(*handle);
        const std::lock_guard<std::mutex> lock(mutex_);
        idle_.push_back(std::move(handle));
        if (response && response->status == 403)
            last_refused_ = coswire::http_request{.method = request.method, .scheme = request.scheme, .host = request.host,
                                                  .path = request.path, .wire_path = request.wire_path, .query = request.query,
                                                  .headers = request.headers};
        return response;
    }

    coswire::examples::curl_transport_options options_;
    mutable std::mutex mutex_;
    std::optional<coswire::http_request> last_refused_;
    std::vector<std::unique_ptr<coswire::examples::curl_transport>> idle_;
};

static_assert(coswire::streaming_transport<curl_pool>);

}  // namespace cli
