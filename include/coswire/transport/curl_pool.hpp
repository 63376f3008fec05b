// SPDX-License-Identifier: MIT
// curl_pool: a thread-safe coswire::streaming_transport over several curl_transports (one easy
// handle each), for the parallel drivers: each call borrows an idle handle, or opens one when
// all are busy, and gives it back with its kept-alive connection.
//
// Optional: not in <coswire/coswire.hpp>; include it and link libcurl and threads
// (-lcurl -pthread). Call curl_global_init(CURL_GLOBAL_DEFAULT) once before the first thread.
#pragma once

#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/result.hpp>
#include <coswire/transport/curl.hpp>

#include <curl/curl.h>

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace coswire::transports {

/// Lends each request an idle curl_transport, creating one when all are busy, so there are at
/// most as many handles (and connections) as calls at once. The handles share one CURLSH with
/// the DNS cache and the TLS session cache: a new handle skips the lookup and resumes a TLS
/// session another one made. Connections stay per handle (libcurl does not support sharing its
/// connection cache between threads that transfer at the same time); since handles are reused,
/// so are their connections. Safe to call from several threads.
class curl_pool {
public:
    /// Every handle of the pool connects as `options` says.
    explicit curl_pool(curl_transport_options options = {}) : options_(std::move(options)), share_(curl_share_init()) {
        if (share_ == nullptr) return;  // the handles then work unshared
        curl_share_setopt(share_.get(), CURLSHOPT_LOCKFUNC, &on_lock);
        curl_share_setopt(share_.get(), CURLSHOPT_UNLOCKFUNC, &on_unlock);
        curl_share_setopt(share_.get(), CURLSHOPT_USERDATA, &locks_);
        curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }
    curl_pool(const curl_pool&) = delete;
    curl_pool& operator=(const curl_pool&) = delete;

    /// Sends `request` on a borrowed handle. Errors: those of curl_transport.
    result<http_response> operator()(const http_request& request) {
        return on_idle_handle([&](curl_transport& t) { return t(request); });
    }

    /// The streaming call (coswire::streaming_transport): the body goes to `sink` as it arrives.
    /// Errors: those of curl_transport's, the sink's unchanged.
    result<http_response> operator()(const http_request& request, response_sink& sink) {
        return on_idle_handle([&](curl_transport& t) { return t(request, sink); });
    }

    /// A pulled body (http_request::reader) is read as curl sends it, never held whole.
    static constexpr bool pulls_request_body = curl_transport::pulls_request_body;

    /// How many handles the pool holds, busy or idle: the most calls it has seen at once.
    std::size_t handles() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return created_;
    }

private:
    template <class Send>
    result<http_response> on_idle_handle(Send send) {
        std::unique_ptr<curl_transport> handle;
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            if (!idle_.empty()) {
                handle = std::move(idle_.back());
                idle_.pop_back();
            } else {
                ++created_;
            }
        }
        if (!handle) handle = std::make_unique<curl_transport>(options_, share_.get());
        auto response = send(*handle);
        const std::lock_guard<std::mutex> lock(mutex_);
        idle_.push_back(std::move(handle));
        return response;
    }

    using lock_table = std::array<std::mutex, CURL_LOCK_DATA_LAST>;

    // libcurl locks one kind of shared data at a time; each kind gets its own mutex.
    static void on_lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
        (*static_cast<lock_table*>(user))[static_cast<std::size_t>(data)].lock();
    }
    static void on_unlock(CURL*, curl_lock_data data, void* user) {
        (*static_cast<lock_table*>(user))[static_cast<std::size_t>(data)].unlock();
    }

    struct share_cleanup {
        void operator()(CURLSH* share) const { curl_share_cleanup(share); }
    };

    curl_transport_options options_;
    lock_table locks_;
    // Declared before idle_, so the handles are cleaned up before the share they use.
    std::unique_ptr<CURLSH, share_cleanup> share_;
    mutable std::mutex mutex_;
    std::size_t created_ = 0;
    std::vector<std::unique_ptr<curl_transport>> idle_;
};

static_assert(transport<curl_pool>);
static_assert(streaming_transport<curl_pool>);
static_assert(body_pulling_transport<curl_pool>);

}  // namespace coswire::transports
