// SPDX-License-Identifier: MIT
// curl_multi_loop: the glue between coswire's step machines and libcurl's multi interface, for
// examples/async_curl_multi.cpp. A send step becomes an easy handle added to one multi handle
// (handles are reused, so are their connections); a wait step becomes a timer whose deadline
// bounds curl_multi_poll; a finished transfer comes back from curl_multi_info_read as the
// outcome of its step. Everything runs on the calling thread: no thread is started here.
#pragma once

#include <coswire/callback.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::examples {

/// Where a streamed transfer reports its response as it arrives: the head once, when the first
/// body byte comes (or at the end, for an empty body), then each piece curl hands over. An error
/// returned ends that transfer; it becomes the transfer's outcome.
struct stream_target {
    callback<result<void>(std::uint32_t id, const http_response& head)> head{};
    callback<result<void>(std::uint32_t id, std::span<const std::byte> bytes)> body{};
};

/// A transfer that ended: the step it belongs to and what happened (the response, or a
/// transport_failure with curl's message, or the error the stream_target returned).
struct finished_transfer {
    std::uint32_t id = 0;
    result<http_response> outcome = http_response{};
};

/// How curl_multi_loop connects.
struct curl_multi_options {
    /// `scheme://host[:port]` to connect to instead of the request's host (a local emulator, a
    /// proxy); the Host header, and so the signature, stays the request's. Empty: request.url().
    std::string connect_to{};
    long connect_timeout_seconds = 10;
    long stall_timeout_seconds = 60;  ///< abort a transfer slower than 1 byte/s for this long
};

/// One libcurl multi handle, its easy handles and the timers of wait steps. Not thread-safe,
/// and needs none: one thread calls send/after, poll, then due_timer/next_finished, in a loop.
class curl_multi_loop {
public:
    /// `now_ms` is the caller's monotonic clock in milliseconds (timers are measured on it).
    curl_multi_loop(curl_multi_options options, callback<std::uint64_t()> now_ms)
        : options_(std::move(options)), now_ms_(std::move(now_ms)), multi_(curl_multi_init()) {}
    curl_multi_loop(const curl_multi_loop&) = delete;
    curl_multi_loop& operator=(const curl_multi_loop&) = delete;
    ~curl_multi_loop() {
        for (auto& t : transfers_) {
            if (t->busy) curl_multi_remove_handle(multi_, t->easy);
            curl_slist_free_all(t->headers);
            curl_easy_cleanup(t->easy);
        }
        if (multi_ != nullptr) curl_multi_cleanup(multi_);
    }

    /// Starts sending `request` (which must stay valid until its transfer has finished) as step
    /// `id`, streaming the response to `stream` when given, else collecting its body. A request
    /// curl cannot take finishes at once with a transport_failure.
    void send(std::uint32_t id, const http_request& request, const stream_target* stream) {
        transfer& t = idle_transfer();
        t.id = id;
        t.stream = stream;
        t.response = {};
        t.head_reported = false;
        t.refusal.reset();
        t.body = request.body_bytes();
        t.reader = request.body_is_pulled() ? &request.reader : nullptr;
        t.sent = 0;
        t.message[0] = '\0';
        if (auto ok = configure(t, request); !ok) {
            done_.push_back({id, std::move(ok).error()});
            return;
        }
        t.busy = true;
        ++in_flight_;
        most_in_flight_ = std::max(most_in_flight_, in_flight_);
    }

    /// Sets a timer: step `id` is due `ms` milliseconds from now.
    void after(std::uint32_t ms, std::uint32_t id) { timers_.push_back({now_ms_() + ms, id}); }

    /// Waits in curl_multi_poll until a transfer's socket is ready or the nearest timer is due,
    /// then lets curl move every transfer on (curl_multi_perform). Errors: invalid_argument
    /// ("machine") when nothing is in flight and no timer is set, as nothing could ever wake it;
    /// transport_failure when the multi handle fails.
    result<void> poll() {
        if (multi_ == nullptr) return make_error(errc::transport_failure, "transport", "curl_multi_init failed");
        if (!done_.empty()) return {};  // a send that failed at once is waiting to be reported
        if (in_flight_ == 0 && timers_.empty())
            return make_error(errc::invalid_argument, "machine", "idle with nothing in flight and no timer set");
        int timeout_ms = 1000;  // with no timer: curl's own timeouts and its sockets wake it sooner
        if (!timers_.empty()) {
            const std::uint64_t now = now_ms_();
            const std::uint64_t nearest = std::min_element(timers_.begin(), timers_.end())->due_ms;
            timeout_ms = nearest <= now ? 0 : static_cast<int>(std::min<std::uint64_t>(nearest - now, 1000));
        }
        // curl shortens the wait itself when one of its own timeouts comes first.
        if (const CURLMcode code = curl_multi_poll(multi_, nullptr, 0, timeout_ms, nullptr); code != CURLM_OK) return failed(code);
        int running = 0;
        if (const CURLMcode code = curl_multi_perform(multi_, &running); code != CURLM_OK) return failed(code);
        int queued = 0;
        while (const CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
            if (msg->msg != CURLMSG_DONE) continue;
            char* owner = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &owner);
            transfer* t = reinterpret_cast<transfer*>(owner);
            curl_multi_remove_handle(multi_, t->easy);
            t->busy = false;
            --in_flight_;
            done_.push_back({t->id, outcome_of(*t, msg->data.result)});
        }
        return {};
    }

    /// A wait step whose time has come, if any (each is returned once).
    std::optional<std::uint32_t> due_timer() {
        const std::uint64_t now = now_ms_();
        const auto due = std::find_if(timers_.begin(), timers_.end(), [now](const timer& t) { return t.due_ms <= now; });
        if (due == timers_.end()) return std::nullopt;
        const std::uint32_t id = due->id;
        timers_.erase(due);
        return id;
    }

    /// A transfer that has finished, if any (each is returned once).
    std::optional<finished_transfer> next_finished() {
        if (done_.empty()) return std::nullopt;
        finished_transfer f = std::move(done_.front());
        done_.erase(done_.begin());
        return f;
    }

    /// The most transfers that were in flight at once since the last call (then counting starts
    /// again from those in flight now).
    std::size_t take_most_in_flight() noexcept { return std::exchange(most_in_flight_, in_flight_); }
    /// Easy handles made: no more than were ever in flight at once, as they are reused.
    std::size_t easy_handles() const noexcept { return transfers_.size(); }

private:
    struct timer {
        std::uint64_t due_ms = 0;
        std::uint32_t id = 0;
        friend bool operator<(const timer& a, const timer& b) { return a.due_ms < b.due_ms; }
    };

    /// One easy handle and what its callbacks share while it carries a request.
    struct transfer {
        CURL* easy = nullptr;
        curl_slist* headers = nullptr;
        bool busy = false;
        std::uint32_t id = 0;
        const stream_target* stream = nullptr;
        http_response response{};
        bool head_reported = false;
        std::optional<error> refusal{};        ///< what the stream_target or the body reader failed with
        std::span<const std::byte> body{};     ///< the request body in memory,
        const body_reader* reader = nullptr;   ///< or pulled from here as curl sends
        std::uint64_t sent = 0;
        char message[CURL_ERROR_SIZE] = {};
    };

    // An easy handle not carrying a request, made when all are busy. Reusing one keeps the
    // connection it last used in the multi handle's cache.
    transfer& idle_transfer() {
        for (auto& t : transfers_)
            if (!t->busy) return *t;
        transfers_.push_back(std::make_unique<transfer>());
        transfers_.back()->easy = curl_easy_init();
        return *transfers_.back();
    }

    result<void> configure(transfer& t, const http_request& request) {
        if (multi_ == nullptr || t.easy == nullptr) return make_error(errc::transport_failure, "transport", "curl init failed");
        curl_easy_reset(t.easy);
        curl_slist_free_all(t.headers);
        t.headers = nullptr;
        // Exactly the request's headers, which were signed: curl's own Accept, Expect and
        // Content-Type are switched off ("Name:"), an empty value is spelt "Name;".
        for (const http_header& h : request.headers)
            if (!append(t, h.value.empty() ? h.name + ";" : h.name + ": " + h.value)) return out_of_memory();
        for (std::string_view name : {"Accept", "Expect", "Content-Type"})
            if (!request.header(name) && !append(t, std::string(name) + ":")) return out_of_memory();
        const std::string url = options_.connect_to.empty() ? request.url() : options_.connect_to + request.target();
        CURL* e = t.easy;
        curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
        curl_easy_setopt(e, CURLOPT_URL, url.c_str());  // curl copies it
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.message);
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_seconds);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_seconds);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
        if (request.method == "HEAD") {
            curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        } else if (t.reader != nullptr) {
            // A pulled body is read piece by piece as curl sends it (an upload PUT; the method
            // on the request line is the request's). It cannot be rewound: should curl need to
            // send it again on its own, the transfer fails and the machine retries it.
            curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(e, CURLOPT_READFUNCTION, &on_read);
            curl_easy_setopt(e, CURLOPT_READDATA, &t);
            curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.reader->size));
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        } else if (!t.body.empty() || request.method == "PUT" || request.method == "POST") {
            // A body in memory (an upload part lent by the machine) is sent from where it is.
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body.size()));
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.body.empty() ? "" : reinterpret_cast<const char*>(t.body.data()));
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        } else if (request.method != "GET") {
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        }
        if (const CURLMcode code = curl_multi_add_handle(multi_, e); code != CURLM_OK) return failed(code);
        return {};
    }

    static bool append(transfer& t, const std::string& line) {
        curl_slist* grown = curl_slist_append(t.headers, line.c_str());
        if (grown == nullptr) return false;
        t.headers = grown;
        return true;
    }

    // The outcome of a transfer curl says is done: the refusal of the stream target or reader
    // first, then curl's failure, else the response (for a streamed one: its head, reported
    // first when no body byte came).
    result<http_response> outcome_of(transfer& t, CURLcode code) {
        if (t.refusal) return std::move(*t.refusal);
        if (code != CURLE_OK)
            return make_error(errc::transport_failure, "transport",
                              std::string(curl_easy_strerror(code)) + (t.message[0] != '\0' ? std::string(": ") + t.message : ""));
        if (t.stream == nullptr) {
            t.response.status = status_of(t);
        } else if (!t.head_reported) {
            if (auto ok = report_head(t); !ok) return std::move(ok).error();
        }
        return std::move(t.response);
    }

    static int status_of(transfer& t) {
        long status = 0;
        curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
        return static_cast<int>(status);
    }

    static result<void> report_head(transfer& t) {
        t.response.status = status_of(t);
        t.head_reported = true;
        return t.stream->head(t.id, t.response);
    }

    static error failed(CURLMcode code) { return make_error(errc::transport_failure, "transport", curl_multi_strerror(code)); }
    static error out_of_memory() { return make_error(errc::transport_failure, "transport", "curl_slist_append failed"); }

    // One header line per call. A status line starts a new response (after a 100 Continue), so
    // only the final response's headers are kept.
    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
        auto& t = *static_cast<transfer*>(user);
        std::string_view line(data, size * count);
        while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
        if (line.starts_with("HTTP/")) {
            t.response.headers.clear();
        } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
            t.response.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
        }
        return size * count;
    }

    // Body pieces: straight to the stream target (nothing is collected), or into the response.
    // Returning less than given makes curl end the transfer with CURLE_WRITE_ERROR.
    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
        auto& t = *static_cast<transfer*>(user);
        const std::size_t n = size * count;
        if (t.stream == nullptr) {
            t.response.body.append(data, n);
            return n;
        }
        if (!t.head_reported)
            if (auto ok = report_head(t); !ok) {
                t.refusal = std::move(ok).error();
                return 0;
            }
        if (auto ok = t.stream->body(t.id, {reinterpret_cast<const std::byte*>(data), n}); !ok) {
            t.refusal = std::move(ok).error();
            return 0;
        }
        return n;
    }

    static std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
        auto& t = *static_cast<transfer*>(user);
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size * count, t.reader->size - t.sent));
        if (auto ok = t.reader->read(t.sent, {reinterpret_cast<std::byte*>(buffer), n}); !ok) {
            t.refusal = std::move(ok).error();
            return CURL_READFUNC_ABORT;
        }
        t.sent += n;
        return n;
    }

    curl_multi_options options_;
    callback<std::uint64_t()> now_ms_;
    CURLM* multi_;
    std::vector<std::unique_ptr<transfer>> transfers_;  // stable addresses: curl holds pointers into them
    std::vector<timer> timers_;
    std::vector<finished_transfer> done_;
    std::size_t in_flight_ = 0;
    std::size_t most_in_flight_ = 0;
};

}  // namespace coswire::examples
