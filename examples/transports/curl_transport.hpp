// SPDX-License-Identifier: MIT
// curl_transport: a coswire::streaming_transport over one reused libcurl easy handle, sending
// exactly the headers the request holds (and so the ones that were signed), over HTTP/1.1.
#pragma once

#include <coswire/detail/decimal.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/result.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace coswire::examples {

/// How a curl_transport connects.
struct curl_transport_options {
    /// Where to connect instead of the request's host, as `scheme://host[:port]` (for example
    /// `http://127.0.0.1:9000`, a local emulator or proxy). The Host header, and so the
    /// signature, stays the request's. Empty: connect to request.url().
    std::string connect_to{};
    long connect_timeout_seconds = 10;  ///< 0: curl's default (300 s)
    /// Abort a transfer slower than 1 byte/s for this long; 0: never.
    long stall_timeout_seconds = 60;
};

/// A transport over libcurl: one easy handle, reused, so connections are kept alive between
/// requests. Sends the request's method, target and headers as they are: curl's own `Accept`,
/// `Expect` and `Content-Type` are suppressed, since a header curl adds is one that was not
/// signed. The body is streamed from request.body_bytes() without a copy, or pulled from
/// request.reader piece by piece as curl sends (coswire::body_pulling_transport). Any HTTP status is a
/// response; only a failure to get one (DNS, refused, reset, timeout, TLS) is an error:
/// errc::transport_failure with curl's message. Not thread-safe: one per thread.
class curl_transport {
public:
    /// A pulled body (http_request::reader) is read as curl sends it, never held whole.
    static constexpr bool pulls_request_body = true;

    /// A transport with its own easy handle. curl_easy_init() initialises libcurl on first use;
    /// a program with threads should call curl_global_init() first.
    explicit curl_transport(curl_transport_options options = {}) : options_(std::move(options)), curl_(curl_easy_init()) {}
    curl_transport(const curl_transport&) = delete;
    curl_transport& operator=(const curl_transport&) = delete;
    ~curl_transport() {
        if (curl_ != nullptr) curl_easy_cleanup(curl_);
    }

    /// Sends `request` and returns the final response (status, headers in the order received,
    /// body). The body is collected in one string reserved from Content-Length (at most
    /// max_reserve), so it does not grow by copies. Errors: errc::transport_failure
    /// ("transport") when no response arrived.
    result<http_response> operator()(const http_request& request) {
        exchange x{.body = request.body_bytes()};
        return perform(request, x);
    }

    /// The streaming call (coswire::streaming_transport): the final response's head goes to
    /// sink.head when its first body byte arrives (or after the transfer, for an empty body), then
    /// each piece curl hands over goes to sink.body; nothing is collected. Errors: those of the
    /// other call, and the sink's, returned unchanged (the transfer is aborted).
    result<http_response> operator()(const http_request& request, response_sink& sink) {
        exchange x{.body = request.body_bytes(), .sink = &sink};
        auto head = perform(request, x);
        if (!head) return head;
        if (!x.head_sent)
            if (auto ok = sink.head(*head); !ok) return std::move(ok).error();
        return head;
    }

    /// The most a collected body reserves up front from Content-Length, so a lying header cannot
    /// make it allocate more; a longer body still arrives, growing past it.
    static constexpr std::size_t max_reserve = std::size_t{1} << 30;

private:
    struct exchange;

    result<http_response> perform(const http_request& request, exchange& x) {
        if (curl_ == nullptr) return make_error(errc::transport_failure, "transport", "curl_easy_init failed");
        curl_easy_reset(curl_);  // drops the previous request's options, keeps the connection cache
        x.handle = curl_;
        const std::string url = options_.connect_to.empty() ? request.url() : options_.connect_to + request.target();
        header_list headers;
        for (const http_header& h : request.headers)
            // "Name;" is curl's spelling of a header with an empty value ("Name:" would remove it).
            if (!headers.append(h.value.empty() ? h.name + ";" : h.name + ": " + h.value)) return out_of_memory();
        for (std::string_view name : {"Accept", "Expect", "Content-Type"})
            if (!request.header(name) && !headers.append(std::string(name) + ":")) return out_of_memory();

        message_[0] = '\0';
        curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, message_);
        curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers.list);
        curl_easy_setopt(curl_, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
        curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
        // libcurl reads 16 KiB per recv by default; 512 KiB (its maximum in 7.88) cut a 256 MiB
        // loopback download from 16k recv calls to 900 and brought coswire get level with curl -o.
        curl_easy_setopt(curl_, CURLOPT_BUFFERSIZE, 512L * 1024L);
        curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_seconds);
        if (options_.stall_timeout_seconds > 0) {
            curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
            curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_seconds);
        }
        curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &on_header);
        curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &x);
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &on_body);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &x);
        if (request.method == "HEAD") {
            curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
        } else if (request.body_size() > 0 || request.method == "PUT" || request.method == "POST") {
            // An upload reads the body through on_read, so a 5 GB part is never copied. curl
            // calls every upload PUT; CUSTOMREQUEST puts the real method on the request line.
            // on_seek lets curl rewind the body when it must send it again (a redirect, say).
            if (request.body_is_pulled()) x.reader = &request.reader;
            curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &on_read);
            curl_easy_setopt(curl_, CURLOPT_READDATA, &x);
            curl_easy_setopt(curl_, CURLOPT_SEEKFUNCTION, &on_seek);
            curl_easy_setopt(curl_, CURLOPT_SEEKDATA, &x);
            curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_size()));
            if (request.method != "PUT") curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        } else if (request.method != "GET") {
            curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        }

        const CURLcode code = curl_easy_perform(curl_);
        if (x.caller_error) return std::move(*x.caller_error);
        if (code != CURLE_OK)
            return make_error(errc::transport_failure, "transport",
                              std::string(curl_easy_strerror(code)) + (message_[0] != '\0' ? std::string(": ") + message_ : ""));
        long status = 0;
        curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
        x.response.status = static_cast<int>(status);
        return std::move(x.response);
    }

    /// What the callbacks share during one transfer.
    struct exchange {
        std::span<const std::byte> body{};   ///< the request body, in memory
        const body_reader* reader = nullptr; ///< or pulled from here
        std::uint64_t sent = 0;              ///< bytes of it handed to curl
        http_response response{};
        response_sink* sink = nullptr;       ///< streaming: where the response goes
        bool head_sent = false;              ///< sink.head was called
        std::optional<error> caller_error{}; ///< what the sink or the body reader failed with
        CURL* handle = nullptr;              ///< for the status, when the head goes out
    };

    /// A curl_slist that frees itself.
    struct header_list {
        curl_slist* list = nullptr;
        header_list() = default;
        header_list(const header_list&) = delete;
        header_list& operator=(const header_list&) = delete;
        ~header_list() { curl_slist_free_all(list); }
        bool append(const std::string& line) {
            curl_slist* grown = curl_slist_append(list, line.c_str());
            if (grown == nullptr) return false;
            list = grown;
            return true;
        }
    };

    static error out_of_memory() { return make_error(errc::transport_failure, "transport", "curl_slist_append failed"); }

    static std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
        auto& x = *static_cast<exchange*>(user);
        const std::uint64_t total = x.reader != nullptr ? x.reader->size : x.body.size();
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size * count, total - x.sent));
        if (x.reader != nullptr) {
            if (auto ok = x.reader->read(x.sent, {reinterpret_cast<std::byte*>(buffer), n}); !ok) {
                x.caller_error = std::move(ok).error();
                return CURL_READFUNC_ABORT;
            }
        } else {
            std::memcpy(buffer, x.body.data() + x.sent, n);
        }
        x.sent += n;
        return n;
    }

    // Only rewinds are asked for in practice; any offset inside the body is served.
    static int on_seek(void* user, curl_off_t offset, int origin) {
        auto& x = *static_cast<exchange*>(user);
        const std::uint64_t total = x.reader != nullptr ? x.reader->size : x.body.size();
        if (origin != SEEK_SET || offset < 0 || static_cast<std::uint64_t>(offset) > total) return CURL_SEEKFUNC_FAIL;
        x.sent = static_cast<std::uint64_t>(offset);
        return CURL_SEEKFUNC_OK;
    }

    // Returning less than given makes curl abort the transfer with CURLE_WRITE_ERROR.
    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
        auto& x = *static_cast<exchange*>(user);
        const std::size_t n = size * count;
        if (x.sink == nullptr) {
            if (x.response.body.empty()) reserve_body(x.response);
            x.response.body.append(data, n);
            return n;
        }
        if (!x.head_sent) {
            long status = 0;
            curl_easy_getinfo(x.handle, CURLINFO_RESPONSE_CODE, &status);
            x.response.status = static_cast<int>(status);
            x.head_sent = true;
            if (auto ok = x.sink->head(x.response); !ok) {
                x.caller_error = std::move(ok).error();
                return 0;
            }
        }
        if (auto ok = x.sink->body({reinterpret_cast<const std::byte*>(data), n}); !ok) {
            x.caller_error = std::move(ok).error();
            return 0;
        }
        return n;
    }

    // Reserves the announced Content-Length (at most max_reserve) before the first body byte.
    static void reserve_body(http_response& response) {
        const auto length = response.header("Content-Length");
        if (!length) return;
        const auto n = detail::parse_unsigned_decimal(*length);
        if (!n) return;
        response.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(n.value, max_reserve)));
    }

    // One header line per call, CRLF included. A status line starts a new response (after a
    // 100 Continue or an informational answer), so only the final response's headers are kept.
    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
        auto& x = *static_cast<exchange*>(user);
        std::string_view line(data, size * count);
        while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
        const auto trim = [](std::string_view s) {
            while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
            while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
            return s;
        };
        if (line.starts_with("HTTP/")) {
            x.response.headers.clear();
        } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
            x.response.headers.push_back({std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
        }
        return size * count;
    }

    curl_transport_options options_;
    CURL* curl_;
    char message_[CURL_ERROR_SIZE] = {};  ///< curl's detailed message for the last failure
};

static_assert(transport<curl_transport>);
static_assert(streaming_transport<curl_transport>);
static_assert(body_pulling_transport<curl_transport>);

}  // namespace coswire::examples
