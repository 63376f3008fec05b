// SPDX-License-Identifier: MIT
// beast_transport: a synchronous coswire::streaming_transport over Boost.Beast's HTTP/1.1 serializer and
// parser on an Asio TCP socket (plain HTTP only), sending the request's headers exactly.
//
// Limits and build notes:
// - Plain HTTP only: https needs boost::asio::ssl::stream and OpenSSL, which this example leaves
//   out; an https origin is refused with errc::invalid_argument. Use it with a local emulator,
//   a TLS-terminating proxy, or the libcurl or cpp-httplib adapter.
// - Builds with -fno-exceptions: only the error_code overloads are called, and the socket is a
//   plain tcp::socket (beast::tcp_stream has a catch(...) inside). Boost then asks the program
//   to define boost::throw_exception(const std::exception&) and its overload with a
//   boost::source_location, once (tests/transport/beast_test.cpp does). No I/O failure
//   reaches it; the size check below keeps Beast's "field too large" there too.
// - Synchronous to the caller; inside, each step is an Asio asynchronous operation run on the
//   transport's own io_context for at most the timeout, since Asio's blocking calls have none.
// - Optional: not in <coswire/coswire.hpp>; include it with Boost 1.70 or later on the include
//   path (header-only here) and link -pthread.
#pragma once

#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/result.hpp>
#include <coswire/transport/origin.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::transports {

/// How a beast_transport connects. Every member has a default, so name only what differs. No
/// proxy, CA bundle or HTTP version: plain HTTP/1.1 straight to the origin is all it speaks.
struct beast_transport_options {
    /// Where to connect instead of the request's host, as `http://host[:port]` (for example
    /// `http://127.0.0.1:9000`, a local emulator or proxy). The Host header, and so the
    /// signature, stays the request's. Empty: connect to the request's scheme://host.
    std::string connect_to{};
    long connect_timeout_seconds = 10;  ///< 0: the system's connect timeout
    /// Fail when one read or write of the socket waits this long; 0: never.
    long stall_timeout_seconds = 60;
};

/// A transport over Boost.Beast: one socket, kept open while the server allows it (a reused
/// connection that fails before any byte of an answer is replaced once, as curl does). Sends
/// the request's method, target and headers exactly (Beast adds none; Content-Length only when
/// a body has none) and the body from request.body_bytes() without a copy, or pulled from
/// request.reader piece_size bytes at a time (coswire::body_pulling_transport). Response headers
/// come back in the order received, the body whole (no size limit). Any HTTP status is a
/// response; only a failure to get one (resolve, refused, reset, timeout, malformed answer) is
/// errc::transport_failure ("transport") with the step and Asio's or Beast's message.
/// Not thread-safe: one per thread.
class beast_transport {
public:
    /// A pulled body (http_request::reader) is read as it is written, never held whole.
    static constexpr bool pulls_request_body = true;

    explicit beast_transport(beast_transport_options options = {}) : options_(std::move(options)) {}

    /// Sends `request` and returns the response. Errors: invalid_argument for a bad or https
    /// connect_to or request host ("connect_to", "request") or a header over 64 KiB
    /// ("headers"); errc::transport_failure ("transport") when no response arrived.
    result<http_response> operator()(const http_request& request) { return send(request, nullptr); }

    /// The streaming call (coswire::streaming_transport): the head goes to sink.head once Beast
    /// has parsed it, then the body to sink.body in pieces of at most piece_size bytes read into
    /// one fixed buffer (Beast's buffer_body), nothing collected. Errors: the other call's, and
    /// the sink's, returned unchanged (the connection is then closed: the rest is unread).
    result<http_response> operator()(const http_request& request, response_sink& sink) { return send(request, &sink); }

    /// The read buffer of the streaming call, and so its largest piece; also the piece a pulled
    /// request body is read in.
    static constexpr std::size_t piece_size = 64 * 1024;

private:
    using tcp = boost::asio::ip::tcp;
    using error_code = boost::system::error_code;
    using outgoing = boost::beast::http::request<boost::beast::http::span_body<const char>>;

    result<http_response> send(const http_request& request, response_sink* sink) {
        auto where = connect_origin(options_.connect_to, request);
        if (!where) return std::move(where).error();
        if (where->scheme != "http")
            return make_error(errc::invalid_argument, options_.connect_to.empty() ? "request" : "connect_to",
                              "beast_transport speaks plain HTTP only (https needs Asio SSL)");
        outgoing out;
        out.method_string(request.method);
        out.target(request.target());
        for (const http_header& h : request.headers) {
            // Beast keeps a name and a value in at most 65535 bytes with the ": " and throws past it.
            if (h.name.size() + h.value.size() > 65000)
                return make_error(errc::invalid_argument, "headers", h.name + " is over 64 KiB");
            out.insert(h.name, h.value);
        }
        const auto body = request.body_bytes();
        out.body() = {reinterpret_cast<const char*>(body.data()), body.size()};
        if (request.body_size() > 0 && !request.header("Content-Length")) out.content_length(request.body_size());
        for (;;) {
            const bool reused = socket_.is_open() && *where == origin_;
            if (!reused)
                if (auto connected = connect(*where); !connected) return std::move(connected).error();
            bool answered = false;
            auto response = exchange(out, request, answered, sink);
            // Only a connection that failed is worth replacing; a pulled body's reader error is final.
            if (response || !reused || answered || response.error().code != errc::transport_failure) return response;
        }
    }

    // Runs the one pending operation for at most `seconds` (0: no limit). Past it, closing the
    // socket cancels the operation, and `ec` says timed_out.
    void run(long seconds, error_code& ec) {
        io_.restart();
        if (seconds > 0) {
            io_.run_for(std::chrono::seconds(seconds));
        } else {
            io_.run();
        }
        if (io_.stopped()) return;
        error_code ignored;
        socket_.close(ignored);
        io_.run();  // the cancelled handler
        ec = boost::asio::error::timed_out;
    }

    static error failure(std::string_view step, const error_code& ec) {
        return make_error(errc::transport_failure, "transport", std::string(step) + ": " + ec.message());
    }

    result<void> connect(const origin& where) {
        error_code ec;
        socket_.close(ec);
        buffer_.clear();
        const auto addresses = resolver_.resolve(where.host, std::to_string(where.port), ec);  // DNS has its own timeouts
        if (ec) return failure("resolve " + where.host, ec);
        boost::asio::async_connect(socket_, addresses, [&ec](const error_code& e, const tcp::endpoint&) { ec = e; });
        run(options_.connect_timeout_seconds, ec);
        if (ec) return failure("connect", ec);
        origin_ = where;
        return {};
    }

    // Writes `out` (and a pulled body after its head) and reads one response (collected, or
    // streamed to `sink`), each socket operation bounded by the stall timeout. `answered`: some of
    // a response arrived, so the request must not be sent again.
    result<http_response> exchange(outgoing& out, const http_request& request, bool& answered, response_sink* sink) {
        namespace http = boost::beast::http;
        error_code ec;
        http::serializer<true, http::span_body<const char>> serializer(out);
        while (!ec && !serializer.is_done()) {
            http::async_write_some(socket_, serializer, [&ec](const error_code& e, std::size_t) { ec = e; });
            run(options_.stall_timeout_seconds, ec);
        }
        if (ec) return drop("write", ec);
        if (request.body_is_pulled())
            if (auto written = write_pulled(request.reader); !written) return written.error();
        const bool head = request.method == "HEAD";
        return sink == nullptr ? read_collected(head, answered) : read_streamed(head, answered, *sink);
    }

    // The pulled body, after a head that announced its Content-Length: read piece by piece into
    // one buffer and written as it comes. A reader's error closes the connection (the server
    // waits for bytes that will not come) and is returned unchanged.
    result<void> write_pulled(const body_reader& reader) {
        for (std::uint64_t at = 0; at < reader.size;) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(piece_size, reader.size - at));
            if (auto ok = reader.read(at, {reinterpret_cast<std::byte*>(piece_.data()), n}); !ok) {
                error_code ignored;
                socket_.close(ignored);
                return std::move(ok).error();
            }
            error_code ec;
            boost::asio::async_write(socket_, boost::asio::buffer(piece_.data(), n), [&ec](const error_code& e, std::size_t) { ec = e; });
            run(options_.stall_timeout_seconds, ec);
            if (ec) return drop("write", ec);
            at += n;
        }
        return {};
    }

    // The same limits for both parsers.
    template <class Parser>
    static void limit(Parser& parser, bool head) {
        // COS objects may be any size. Not boost::none: Beast 1.74 compares a Content-Length
        // with an empty limit as if the limit were below every length.
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        parser.header_limit(64 * 1024);   // COS's headers fit easily; more is a broken peer
        parser.skip(head);                // a HEAD answer has Content-Length but no body
    }

    // Status and headers of a parsed message, in the order received.
    template <class Message>
    static http_response head_of(const Message& message) {
        http_response response;
        response.status = static_cast<int>(message.result_int());
        for (const auto& field : message) response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
        return response;
    }

    error drop(std::string_view step, const error_code& ec) {
        error_code ignored;
        socket_.close(ignored);
        return failure(step, ec);
    }

    result<http_response> read_collected(bool head, bool& answered) {
        namespace http = boost::beast::http;
        error_code ec;
        http::response_parser<http::string_body> parser;
        limit(parser, head);
        while (!ec && !parser.is_done()) {
            http::async_read_some(socket_, buffer_, parser, [&ec](const error_code& e, std::size_t) { ec = e; });
            run(options_.stall_timeout_seconds, ec);
            answered = answered || parser.got_some();
        }
        if (ec) return drop("read", ec);
        auto& message = parser.get();
        http_response response = head_of(message);
        response.body = std::move(message.body());
        if (!message.keep_alive()) socket_.close(ec);
        return response;
    }

    result<http_response> read_streamed(bool head, bool& answered, response_sink& sink) {
        namespace http = boost::beast::http;
        error_code ec;
        http::response_parser<http::buffer_body> parser;
        limit(parser, head);
        http::async_read_header(socket_, buffer_, parser, [&ec](const error_code& e, std::size_t) { ec = e; });
        run(options_.stall_timeout_seconds, ec);
        answered = answered || parser.got_some();
        if (ec) return drop("read", ec);
        http_response response = head_of(parser.get());
        if (auto ok = sink.head(response); !ok) return drop_for(std::move(ok).error());
        while (!parser.is_done()) {
            parser.get().body().data = piece_.data();
            parser.get().body().size = piece_.size();
            http::async_read_some(socket_, buffer_, parser, [&ec](const error_code& e, std::size_t) { ec = e; });
            run(options_.stall_timeout_seconds, ec);
            if (ec == http::error::need_buffer) ec = {};  // the piece is full: hand it over
            if (ec) return drop("read", ec);
            const std::size_t n = piece_.size() - parser.get().body().size;
            if (n > 0)
                if (auto ok = sink.body({reinterpret_cast<const std::byte*>(piece_.data()), n}); !ok)
                    return drop_for(std::move(ok).error());
        }
        if (!parser.get().keep_alive()) socket_.close(ec);
        return response;
    }

    // The sink refused: the rest of the answer stays unread, so the connection cannot be reused.
    error drop_for(error refused) {
        error_code ignored;
        socket_.close(ignored);
        return refused;
    }

    beast_transport_options options_;
    boost::asio::io_context io_;
    tcp::resolver resolver_{io_};
    tcp::socket socket_{io_};
    boost::beast::flat_buffer buffer_;  ///< bytes read past a response, kept with the connection
    std::vector<char> piece_ = std::vector<char>(piece_size);  ///< the streaming call's read buffer
    origin origin_;
};

static_assert(transport<beast_transport>);
static_assert(streaming_transport<beast_transport>);
static_assert(body_pulling_transport<beast_transport>);

}  // namespace coswire::transports
