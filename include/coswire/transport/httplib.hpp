// SPDX-License-Identifier: MIT
// httplib_transport: a coswire::streaming_transport over a cpp-httplib client (0.11, HTTP/1.1, keep-alive),
// sending the request's method, target, headers and body as they are.
//
// Builds with -fno-exceptions: the header httplib.h of Debian's libcpp-httplib-dev (a shared
// library) declares no try or throw, and every failure of a request arrives as httplib::Error.
// The library's own code is built with exceptions; all it could still throw at us is
// std::bad_alloc, and the constructor that parses a URL (std::stoi on the port) is not used:
// the adapter splits scheme://host:port itself (<coswire/transport/origin.hpp>).
//
// Optional: not in <coswire/coswire.hpp>; include it and build with cpp-httplib's flags
// (`pkg-config --cflags --libs cpp-httplib`: -DCPPHTTPLIB_OPENSSL_SUPPORT ... -lcpp-httplib).
#pragma once

#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/result.hpp>
#include <coswire/transport/origin.hpp>

#include <httplib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace coswire::transports {

/// How an httplib_transport connects. Every member has a default, so name only what differs.
struct httplib_transport_options {
    /// Where to connect instead of the request's host, as `scheme://host[:port]` (for example
    /// `http://127.0.0.1:9000`, a local emulator). The Host header, and so the signature, stays
    /// the request's. Empty: connect to the request's scheme://host.
    std::string connect_to{};
    long connect_timeout_seconds = 10;  ///< 0: cpp-httplib's default (300 s)
    /// Fail when a read or write waits this long without progress; 0: cpp-httplib's default (5 s).
    long stall_timeout_seconds = 60;
    /// An HTTP proxy as `http://host[:port]`. Empty: none (cpp-httplib reads no environment).
    std::string proxy{};
    /// A PEM file of the certificate authorities that verify an https server (needs cpp-httplib
    /// with CPPHTTPLIB_OPENSSL_SUPPORT). Empty: OpenSSL's default paths.
    std::string ca_bundle{};
};

/// A transport over cpp-httplib: one client, kept while the origin stays the same, so the
/// connection is reused between requests. Sends the request's headers exactly; cpp-httplib adds
/// `Accept: */*` and `User-Agent: cpp-httplib/0.11.4` when the request has none (neither is
/// signed, neither changes what COS does). PUT and POST stream the body from
/// request.body_bytes() without a copy, or pull it from request.reader 64 KiB at a time
/// (coswire::body_pulling_transport), which also keeps cpp-httplib from adding
/// `Content-Type: text/plain` to a body without one. GET, HEAD, DELETE and OPTIONS carry no body.
/// Percent-encoding and decompression are off: the target is sent and the body returned as
/// they are. Response headers come back sorted by name (cpp-httplib keeps them in a multimap),
/// equal names in the order received. Any HTTP status is a response; only a failure to get one
/// is errc::transport_failure ("transport") with cpp-httplib's error name. https works when
/// cpp-httplib has OpenSSL (Debian's does), verifying the server's certificate. Unlike curl,
/// cpp-httplib 0.11 does not resend a request when a kept-alive connection turns out dropped:
/// that call is a transport_failure (which coswire's retry policy retries), the next reconnects.
/// Not thread-safe: one per thread.
class httplib_transport {
public:
    /// A pulled body (http_request::reader) is read as cpp-httplib sends it, never held whole.
    static constexpr bool pulls_request_body = true;

    explicit httplib_transport(httplib_transport_options options = {}) : options_(std::move(options)) {}

    /// Sends `request` and returns the response (status, headers, body). Errors:
    /// invalid_argument for a bad connect_to or request host ("connect_to", "request"), a
    /// method cpp-httplib cannot send or a body on GET, HEAD, DELETE or OPTIONS ("method");
    /// errc::transport_failure ("transport") when no response arrived.
    result<http_response> operator()(const http_request& request) {
        auto where = connect_origin(options_.connect_to, request);
        if (!where) return std::move(where).error();
        if (auto made = client_for(*where); !made) return std::move(made).error();
        httplib::Headers headers;
        for (const http_header& h : request.headers) headers.emplace(h.name, h.value);
        const std::string target = request.target();
        if constexpr (sizeof(std::size_t) < sizeof(std::uint64_t))
            if (request.body_size() > std::numeric_limits<std::size_t>::max())
                return make_error(errc::invalid_argument, "request", "a body over this platform's size_t cannot go through cpp-httplib");
        const auto size = static_cast<std::size_t>(request.body_size());
        std::vector<std::byte> piece;
        std::optional<error> unreadable;
        const auto provide = [&](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            if (!request.body_is_pulled())
                return sink.write(reinterpret_cast<const char*>(request.body_bytes().data()) + offset, length);
            if (piece.empty()) piece.resize(64 * 1024);
            const std::size_t n = std::min(length, piece.size());
            if (auto ok = request.reader.read(offset, {piece.data(), n}); !ok) {
                unreadable = std::move(ok).error();
                return false;
            }
            return sink.write(reinterpret_cast<const char*>(piece.data()), n);
        };
        const std::string& m = request.method;
        httplib::Result r(nullptr, httplib::Error::Unknown);
        if (m == "PUT") {
            r = client_->Put(target, headers, size, provide, "");
        } else if (m == "POST") {
            r = client_->Post(target, headers, size, provide, "");
        } else if (size > 0 || (m != "GET" && m != "HEAD" && m != "DELETE" && m != "OPTIONS")) {
            return make_error(errc::invalid_argument, "method", m + (size == 0 ? " is not supported" : " with a body is not supported"));
        } else {
            r = m == "GET" ? client_->Get(target, headers) : m == "HEAD" ? client_->Head(target, headers)
                : m == "DELETE" ? client_->Delete(target, headers) : client_->Options(target, headers);
        }
        if (unreadable) return std::move(*unreadable);
        if (!r) return make_error(errc::transport_failure, "transport", "cpp-httplib: " + httplib::to_string(r.error()));
        http_response response;
        response.status = r->status;
        for (const auto& [name, value] : r->headers) response.headers.push_back({name, value});
        response.body = std::move(r->body);
        return response;
    }

    /// The streaming call (coswire::streaming_transport): a GET's head goes to sink.head as soon
    /// as cpp-httplib has read it, and each piece of its body to sink.body, nothing collected.
    /// Other methods answer small bodies (XML or none): they are collected and then delivered, as
    /// coswire::send_streaming does for a plain transport. Errors: the other call's, and the
    /// sink's, returned unchanged (cpp-httplib then drops the connection).
    result<http_response> operator()(const http_request& request, response_sink& sink) {
        if (request.method != "GET" || request.body_size() > 0) {
            auto collected = [this](const http_request& r) { return (*this)(r); };
            return send_streaming(collected, request, sink);
        }
        auto where = connect_origin(options_.connect_to, request);
        if (!where) return std::move(where).error();
        if (auto made = client_for(*where); !made) return std::move(made).error();
        httplib::Headers headers;
        for (const http_header& h : request.headers) headers.emplace(h.name, h.value);
        http_response head;
        bool head_sent = false;
        std::optional<error> refused;
        const auto take_head = [&](const httplib::Response& r) {
            head.status = r.status;
            for (const auto& [name, value] : r.headers) head.headers.push_back({name, value});
            head_sent = true;
            if (auto ok = sink.head(head); !ok) refused = std::move(ok).error();
            return !refused;
        };
        const auto take_body = [&](const char* data, std::size_t n) {
            if (auto ok = sink.body({reinterpret_cast<const std::byte*>(data), n}); !ok) refused = std::move(ok).error();
            return !refused;
        };
        httplib::Result r = client_->Get(request.target(), headers, take_head, take_body);
        if (refused) return std::move(*refused);
        if (!r) return make_error(errc::transport_failure, "transport", "cpp-httplib: " + httplib::to_string(r.error()));
        if (!head_sent && !take_head(*r)) return std::move(*refused);
        return head;
    }

private:
    // A client for `where`, made anew only when the origin changes (cpp-httplib binds one).
    result<void> client_for(const origin& where) {
        if (client_ != nullptr && where == origin_) return {};
        // The options are checked before a client exists, so a refused one leaves none behind.
        std::optional<origin> proxy;
        if (!options_.proxy.empty()) {
            auto parsed = parse_origin(options_.proxy, "proxy");
            if (!parsed) return std::move(parsed).error();
            if (parsed->scheme != "http") return make_error(errc::invalid_argument, "proxy", "cpp-httplib speaks to an http:// proxy only");
            proxy = std::move(*parsed);
        }
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
        if (!options_.ca_bundle.empty())
            return make_error(errc::invalid_argument, "ca_bundle", "needs cpp-httplib built with CPPHTTPLIB_OPENSSL_SUPPORT");
#endif
        if (where.scheme == "https") {
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
            client_ = std::make_unique<httplib::SSLClient>(where.host, where.port);
#else
            return make_error(errc::invalid_argument, "request", "https needs cpp-httplib built with CPPHTTPLIB_OPENSSL_SUPPORT");
#endif
        } else {
            client_ = std::make_unique<httplib::ClientImpl>(where.host, where.port);
        }
        origin_ = where;
        if (proxy) client_->set_proxy(proxy->host, proxy->port);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
        if (!options_.ca_bundle.empty()) client_->set_ca_cert_path(options_.ca_bundle);
#endif
        client_->set_keep_alive(true);
        client_->set_url_encode(false);  // the target is percent-encoded already, as it was signed
        client_->set_decompress(false);  // the body as stored: its CRC-64 and Content-Length hold
        if (options_.connect_timeout_seconds > 0) client_->set_connection_timeout(options_.connect_timeout_seconds);
        if (options_.stall_timeout_seconds > 0) {
            client_->set_read_timeout(options_.stall_timeout_seconds);
            client_->set_write_timeout(options_.stall_timeout_seconds);
        }
        return {};
    }

    httplib_transport_options options_;
    origin origin_;
    std::unique_ptr<httplib::ClientImpl> client_;
};

static_assert(transport<httplib_transport>);
static_assert(streaming_transport<httplib_transport>);
static_assert(body_pulling_transport<httplib_transport>);

}  // namespace coswire::transports
