// SPDX-License-Identifier: MIT
// cli::curl_pool: the library's curl pool (<coswire/transport/curl_pool.hpp>) that also keeps
// the last request COS refused with 403, for the CLI's SignatureDoesNotMatch diagnosis.
#pragma once

#include <coswire/transport/curl_pool.hpp>

#include <mutex>
#include <optional>
#include <utility>

namespace cli {

/// Sends through coswire::transports::curl_pool; safe to call from several threads.
class curl_pool {
public:
    explicit curl_pool(coswire::transports::curl_transport_options options) : pool_(std::move(options)) {}

    /// Errors: those of coswire::transports::curl_pool.
    coswire::result<coswire::http_response> operator()(const coswire::http_request& request) {
        return noted(request, pool_(request));
    }

    /// The streaming call. Errors: those of coswire::transports::curl_pool.
    coswire::result<coswire::http_response> operator()(const coswire::http_request& request, coswire::response_sink& sink) {
        return noted(request, pool_(request, sink));
    }

    /// The last request COS answered with 403, without its body: what a SignatureDoesNotMatch
    /// is diagnosed against (cli/resign.hpp). Holds the session token header: never printed.
    std::optional<coswire::http_request> last_refused() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return last_refused_;
    }

private:
    coswire::result<coswire::http_response> noted(const coswire::http_request& request, coswire::result<coswire::http_response> response) {
        if (response && response->status == 403) {
            const std::lock_guard<std::mutex> lock(mutex_);
            last_refused_ = coswire::http_request{.method = request.method, .scheme = request.scheme, .host = request.host,
                                                  .path = request.path, .wire_path = request.wire_path, .query = request.query,
                                                  .headers = request.headers};
        }
        return response;
    }

    coswire::transports::curl_pool pool_;
    mutable std::mutex mutex_;
    std::optional<coswire::http_request> last_refused_;
};

static_assert(coswire::streaming_transport<curl_pool>);

}  // namespace cli
