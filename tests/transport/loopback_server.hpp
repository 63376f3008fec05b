// SPDX-License-Identifier: MIT
// loopback: a tiny HTTP/1.1 server on 127.0.0.1 that records raw requests, and the checks every
// transport in include/coswire/transport/ must pass against it (tests/transport/*_test.cpp).
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/sign/request.hpp>
#include <coswire/sign/verify.hpp>

#include <doctest/doctest.h>

#include "../support/memory.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace loopback {

inline char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

inline bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) { return lower(x) == lower(y); });
}

/// The reason of a failed result, for the test log.
template <class Result>
std::string reason_of(const Result& r) {
    return r ? std::string() : r.error().reason;
}

/// A request as the loopback server read it off the socket.
struct raw_request {
    std::string head;  ///< request line and headers, CRLFs included, up to the blank line
    std::string body;
    int connection = 0;  ///< which accepted connection carried it (1, 2, ...)

    std::string_view request_line() const { return std::string_view(head).substr(0, head.find("\r\n")); }

    /// Every header line in order, the value without leading blanks.
    std::vector<coswire::http_header> fields() const {
        std::vector<coswire::http_header> out;
        std::string_view rest = std::string_view(head).substr(head.find("\r\n") + 2);
        while (!rest.empty()) {
            const std::size_t end = rest.find("\r\n");
            const std::string_view line = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
            const std::size_t colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            std::string_view v = line.substr(colon + 1);
            while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
            out.push_back({std::string(line.substr(0, colon)), std::string(v)});
        }
        return out;
    }

    /// Every value of header `name` (exact case, as the transport sent it).
    std::vector<std::string> values(std::string_view name) const {
        std::vector<std::string> out;
        for (const coswire::http_header& h : fields())
            if (h.name == name) out.push_back(h.value);
        return out;
    }

    /// Whether a header `name` was sent, in any case.
    bool has(std::string_view name) const {
        const auto all = fields();
        return std::any_of(all.begin(), all.end(), [&](const coswire::http_header& h) { return iequals(h.name, name); });
    }

    /// Verifies the signature as COS would, from the bytes received alone: method and target of
    /// the request line (decoded), headers as they arrived.
    coswire::result<coswire::verified_signature> verify(const coswire::credentials& creds, std::int64_t now) const {
        const std::string_view line = request_line();
        const std::size_t space = line.find(' ');
        const std::string method(line.substr(0, space));
        std::string_view target = line.substr(space + 1, line.rfind(' ') - space - 1);
        const std::size_t question = target.find('?');
        auto path = coswire::percent_decode(target.substr(0, question));
        if (!path) return std::move(path).error();
        std::vector<std::pair<std::string, std::optional<std::string>>> decoded;
        for (std::string_view query = question == std::string_view::npos ? "" : target.substr(question + 1); !query.empty();) {
            const std::string_view item = query.substr(0, query.find('&'));
            query.remove_prefix(std::min(query.size(), item.size() + 1));
            const std::size_t equals = item.find('=');
            auto name = coswire::percent_decode(item.substr(0, equals));
            if (!name) return std::move(name).error();
            decoded.push_back({*name, std::nullopt});
            if (equals == std::string_view::npos) continue;
            auto value = coswire::percent_decode(item.substr(equals + 1));
            if (!value) return std::move(value).error();
            decoded.back().second = *value;
        }
        std::vector<coswire::query_param> params;
        for (const auto& [name, value] : decoded)
            params.push_back({name, value ? std::optional<std::string_view>(*value) : std::nullopt});
        const auto received = fields();
        std::vector<coswire::header_field> headers;
        for (const coswire::http_header& h : received) headers.push_back({h.name, h.value});
        const auto lookup = [&](std::string_view id) { return id == creds.secret_id ? &creds.secret_key : nullptr; };
        return coswire::verify_request({method, *path, params, headers}, lookup, now);
    }
};

/// Binds a listening socket on 127.0.0.1 with an ephemeral port.
class listener {
public:
    /// `backlog`: how many connections may wait to be accepted.
    explicit listener(int backlog = 4) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(fd_, backlog) == 0);
        socklen_t length = sizeof address;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
    }
    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;
    ~listener() { ::close(fd_); }

    int fd() const { return fd_; }
    std::uint16_t port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

/// Byte `i` of a server::reply's generated body.
inline char generated_byte(std::uint64_t i) { return static_cast<char>('a' + (i * 7 + i / 4096) % 26); }

/// Writes all of `bytes` to socket `fd`; false when the peer is gone.
inline bool send_all(int fd, std::string_view bytes) {
    for (std::size_t sent = 0; sent < bytes.size();) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

/// Appends what socket `fd` has to `buffer`; false at EOF or on an error.
inline bool fill(int fd, std::string& buffer) {
    char chunk[65536];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
}

/// Reads one request (head, then Content-Length bytes of body) from `fd`, `buffer` holding the
/// bytes read past the previous one; nothing at EOF.
inline std::optional<raw_request> read_request(int fd, std::string& buffer) {
    raw_request r;
    std::size_t end = std::string::npos;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos)
        if (!fill(fd, buffer)) return std::nullopt;
    r.head = buffer.substr(0, end + 2);
    buffer.erase(0, end + 4);
    std::size_t length = 0;
    for (const coswire::http_header& h : r.fields())
        if (iequals(h.name, "Content-Length")) length = std::stoul(h.value);
    while (buffer.size() < length)
        if (!fill(fd, buffer)) return std::nullopt;
    r.body = buffer.substr(0, length);
    buffer.erase(0, length);
    return r;
}

/// A tiny HTTP/1.1 server on 127.0.0.1, keep-alive, recording each raw request. Canned: one
/// thread, one connection at a time, replying the canned responses in order. With a handler:
/// each connection on its own thread (a client's parallel transfers are served at once), each
/// request answered by the handler. An empty reply closes the connection without an answer; one
/// with `Connection: close` closes after it.
class server {
public:
    /// One canned answer: `bytes` as they are, then `generated` bytes of generated_byte(i)
    /// written as they are made, so a test can send a body larger than it wants to hold.
    struct reply {
        std::string bytes;
        std::uint64_t generated = 0;
        reply(std::string b, std::uint64_t g = 0) : bytes(std::move(b)), generated(g) {}  // NOLINT: from a plain string
        reply(const char* b) : bytes(b) {}                                                  // NOLINT: from a literal
    };

    /// Answers one request; called from the connections' threads at once.
    using handler = std::function<reply(const raw_request&)>;

    explicit server(std::vector<reply> responses) : responses_(responses.begin(), responses.end()) {
        answer_ = [this](const raw_request& r) {
            const std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(r);
            if (responses_.empty()) return reply("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
            reply next = responses_.front();
            responses_.pop_front();
            return next;
        };
        thread_ = std::thread([this] { serve(); });
    }
    /// Requests are recorded by the handler, if it wants them (requests() stays empty). A
    /// template, so that `server({})` still means no canned responses.
    template <std::invocable<const raw_request&> Handler>
    explicit server(Handler answer) : answer_(std::move(answer)), concurrent_(true) {
        thread_ = std::thread([this] { serve(); });
    }
    server(const server&) = delete;
    server& operator=(const server&) = delete;
    ~server() {
        ::shutdown(listener_.fd(), SHUT_RDWR);  // wakes accept()
        thread_.join();
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            for (const int fd : open_) ::shutdown(fd, SHUT_RDWR);  // wakes the connections' recv()
        }
        for (std::thread& t : connection_threads_) t.join();
    }

    std::uint16_t port() const { return listener_.port(); }
    std::string url() const { return listener_.url(); }
    std::vector<raw_request> requests() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }
    /// The most connections that were open at once.
    std::size_t most_connections_open() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return most_open_;
    }

private:
    void serve() {
        int connections = 0;
        for (;;) {
            const int fd = ::accept(listener_.fd(), nullptr, nullptr);
            if (fd < 0) return;
            ++connections;
            {
                const std::lock_guard<std::mutex> lock(mutex_);
                open_.push_back(fd);
                most_open_ = std::max(most_open_, open_.size());
            }
            if (concurrent_)
                connection_threads_.emplace_back([this, fd, connections] { serve_connection(fd, connections); });
            else
                serve_connection(fd, connections);
        }
    }

    void serve_connection(int fd, int connection) {
        std::string buffer;
        while (serve_one(fd, connection, buffer)) {
        }
        const std::lock_guard<std::mutex> lock(mutex_);
        open_.erase(std::find(open_.begin(), open_.end(), fd));
        ::close(fd);
    }

    // Reads one request (head, then Content-Length bytes of body), answers it; false at EOF or
    // after a response that says Connection: close.
    bool serve_one(int fd, int connection, std::string& buffer) {
        auto read = read_request(fd, buffer);
        if (!read) return false;
        raw_request& r = *read;
        r.connection = connection;
        const reply answer = answer_(r);
        if (answer.bytes.empty()) return false;
        if (!send_all(fd, answer.bytes)) return false;
        std::string piece;
        for (std::uint64_t at = 0; at < answer.generated;) {
            piece.clear();
            for (; piece.size() < 65536 && at < answer.generated; ++at) piece.push_back(generated_byte(at));
            if (!send_all(fd, piece)) return false;
        }
        return answer.bytes.find("\r\nConnection: close\r\n") == std::string::npos;
    }

    listener listener_;
    handler answer_;
    bool concurrent_ = false;
    mutable std::mutex mutex_;
    std::deque<reply> responses_;
    std::vector<raw_request> requests_;
    std::vector<int> open_;  // connections accepted and not yet closed
    std::size_t most_open_ = 0;
    std::vector<std::thread> connection_threads_;
    std::thread thread_;
};

inline const std::string cos_host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";

inline coswire::endpoint cos_endpoint() { return coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(); }

/// A 200 response with `extra_headers` (CRLF-terminated lines) and `body`.
inline std::string ok(std::string_view extra_headers, std::string_view body) {
    return "HTTP/1.1 200 OK\r\n" + std::string(extra_headers) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           std::string(body);
}

/// GET /k from the example bucket.
inline coswire::http_request get_request() {
    coswire::get_object_params get;
    get.key = "k";
    return coswire::make_get_object_request(cos_endpoint(), get).value();
}

/// A loopback HTTP/1.1 server for many clients at once: each connection is served on its own
/// thread, keep-alive, and every request is answered 200 with its request target as the body.
/// Counts the connections it accepted and the requests it answered.
class echo_server {
public:
    echo_server() : listener_(64) {
        thread_ = std::thread([this] { serve(); });
    }
    echo_server(const echo_server&) = delete;
    echo_server& operator=(const echo_server&) = delete;
    ~echo_server() {
        ::shutdown(listener_.fd(), SHUT_RDWR);  // wakes accept()
        thread_.join();
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            for (const int fd : open_) ::shutdown(fd, SHUT_RDWR);  // wakes each recv()
        }
        for (std::thread& worker : workers_) worker.join();
    }

    std::string url() const { return listener_.url(); }
    int connections() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return connections_;
    }
    int requests() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }

private:
    void serve() {
        for (;;) {
            const int fd = ::accept(listener_.fd(), nullptr, nullptr);
            if (fd < 0) return;
            const std::lock_guard<std::mutex> lock(mutex_);
            ++connections_;
            open_.push_back(fd);
            workers_.emplace_back([this, fd] { answer(fd); });
        }
    }

    void answer(int fd) {
        std::string buffer;
        while (auto r = read_request(fd, buffer)) {
            const std::string_view line = r->request_line();
            const std::size_t from = line.find(' ') + 1;
            const std::string target(line.substr(from, line.rfind(' ') - from));
            {
                const std::lock_guard<std::mutex> lock(mutex_);
                ++requests_;
            }
            if (!send_all(fd, ok("", target))) break;
        }
        const std::lock_guard<std::mutex> lock(mutex_);
        std::erase(open_, fd);
        ::close(fd);
    }

    listener listener_;
    mutable std::mutex mutex_;
    int connections_ = 0;
    int requests_ = 0;
    std::vector<int> open_;
    std::vector<std::thread> workers_;
    std::thread thread_;
};

/// Headers a library adds on its own (never one that changes the request's meaning or is signed).
using added_headers = std::initializer_list<std::string_view>;

/// `seen` is `sent` exactly: the request line with wire_path and query, each of the request's
/// headers once with its value and its case, no header beyond `added`, and the body.
inline void check_sent(const raw_request& seen, const coswire::http_request& sent, added_headers added) {
    CHECK(seen.request_line() == sent.method + " " + sent.target() + " HTTP/1.1");
    for (const coswire::http_header& h : sent.headers) CHECK(seen.values(h.name) == std::vector<std::string>{h.value});
    for (const coswire::http_header& h : seen.fields()) {
        const bool from_request = std::any_of(sent.headers.begin(), sent.headers.end(),
                                              [&](const coswire::http_header& s) { return s.name == h.name; });
        const bool from_library = std::any_of(added.begin(), added.end(), [&](std::string_view a) { return iequals(a, h.name); });
        CHECK_MESSAGE((from_request || from_library), "header not in the request: " << h.name);
    }
    const auto body = sent.body_bytes();
    CHECK(seen.body == std::string_view(reinterpret_cast<const char*>(body.data()), body.size()));
}

// The scenarios below take `make(connect_to)`, which returns a transport connecting to
// `connect_to` ("http://127.0.0.1:port", or "" for the request's own URL) with short timeouts.

/// How a pulled body was read: how many calls, the largest piece asked for, the bytes handed out.
struct pull_record {
    int reads = 0;
    std::size_t largest = 0;
    std::uint64_t handed = 0;
};

/// A pulled body of `size` bytes, byte i being generated_byte(i), that records its reads in
/// `record` and fails with "source" / "disk gone" once asked for any byte at or past `fail_at`.
inline coswire::body_reader generated_reader(std::uint64_t size, pull_record& record, std::uint64_t fail_at = UINT64_MAX) {
    return {.size = size, .read = [&record, size, fail_at](std::uint64_t offset, std::span<std::byte> into) -> coswire::result<void> {
                if (offset > size || into.size() > size - offset)
                    return coswire::make_error(coswire::errc::invalid_argument, "offset", "past the end");
                if (offset + into.size() > fail_at) return coswire::make_error(coswire::errc::invalid_argument, "source", "disk gone");
                ++record.reads;
                record.largest = std::max(record.largest, into.size());
                record.handed += into.size();
                for (std::size_t i = 0; i < into.size(); ++i) into[i] = static_cast<std::byte>(generated_byte(offset + i));
                return {};
            }};
}

/// A PUT whose 24 MiB body is pulled through a body_reader: the server receives exactly the
/// generated bytes, Content-Length is the reader's size, and the transport read it in pieces of at
/// most 1 MiB, never all at once. A reader that fails mid-way ends the call with the reader's own
/// error, and the transport still works for the next request.
template <class Make>
void check_pulled_upload(Make make) {
    server srv({ok("ETag: \"p\"\r\n", ""), ok("ETag: \"q\"\r\n", "")});
    auto send = make(srv.url());
    static_assert(coswire::body_pulling_transport<decltype(send)>);
    constexpr std::uint64_t size = 24 * 1024 * 1024 + 5;
    pull_record record;
    auto request = coswire::make_put_object_request(cos_endpoint(), {.key = "pulled.bin", .reader = generated_reader(size, record)});
    REQUIRE(request);
    auto response = send(*request);
    REQUIRE_MESSAGE(response.has_value(), reason_of(response));
    CHECK(response->status == 200);
    CHECK(record.handed == size);
    CHECK(record.reads > 1);
    CHECK(record.largest <= 1024 * 1024);

    pull_record failing_record;
    auto failing = coswire::make_put_object_request(
        cos_endpoint(), {.key = "broken.bin", .reader = generated_reader(size, failing_record, size / 2)});
    REQUIRE(failing);
    auto refused = send(*failing);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().argument == "source");
    CHECK(refused.error().reason == "disk gone");

    auto again = coswire::make_put_object_request(cos_endpoint(), {.key = "small.bin", .body = "after"});
    REQUIRE(again);
    auto second = send(*again);
    REQUIRE_MESSAGE(second.has_value(), reason_of(second));
    CHECK(second->header("ETag") == "\"q\"");

    const auto seen = srv.requests();
    REQUIRE(seen.size() >= 2);
    CHECK(seen[0].request_line() == "PUT /pulled.bin HTTP/1.1");
    CHECK(seen[0].values("Content-Length") == std::vector<std::string>{std::to_string(size)});
    REQUIRE(seen[0].body.size() == size);
    bool same = true;
    for (std::uint64_t i = 0; i < size && same; ++i) same = seen[0].body[i] == generated_byte(i);
    CHECK(same);
    CHECK(seen.back().body == "after");
}

/// A plain-http GET through a proxy: the proxy receives it in absolute form with the signed Host,
/// and its answer comes back. `make_proxied(proxy_url)` returns a transport sending through that
/// proxy; `port_in_url` is what the transport writes after the host in the absolute URL ("" or,
/// for cpp-httplib, which writes the default port too, ":80": the same resource).
template <class MakeProxied>
void check_proxy(MakeProxied make_proxied, std::string_view port_in_url) {
    server proxy({ok("", "via proxy")});
    auto t = make_proxied(proxy.url());
    auto request = get_request();
    request.scheme = "http";  // https would open a CONNECT tunnel, which the loopback server does not speak
    auto got = t(request);
    REQUIRE_MESSAGE(got.has_value(), reason_of(got));
    CHECK(got->body == "via proxy");
    const auto seen = proxy.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].request_line() == "GET http://" + cos_host + std::string(port_in_url) + request.target() + " HTTP/1.1");
    CHECK(seen[0].values("Host") == std::vector<std::string>{cos_host});
}

/// A signed 2 MiB Upload Part through the override: the server sees the signed Host, every header
/// and the body unchanged (the signature verifies from the received bytes), and the response's
/// status and headers come back.
template <class Make>
void check_signed_put(Make make, added_headers added) {
    server srv({ok("ETag: \"abc\"\r\nx-cos-hash-crc64ecma: 42\r\n", "")});
    auto send = make(srv.url());
    static_assert(coswire::transport<decltype(send)>);
    std::string payload(2 * 1024 * 1024 + 7, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 131 % 251);
    coswire::upload_part_params p;
    p.key = "doc/a b+c.bin";
    p.upload_id = "upload-1";
    p.part_number = 3;
    p.payload.bytes = std::as_bytes(std::span<const char>(payload));
    auto request = coswire::make_upload_part_request(cos_endpoint(), p);
    REQUIRE(request);
    request->headers.push_back({"x-cos-meta-empty", ""});
    const coswire::credentials creds{.secret_id = "AKIDloopback", .secret_key = coswire::secret_string(std::string_view("loopback-secret"))};
    constexpr std::int64_t now = 1700000000;
    auto signer = coswire::signer::create(creds, coswire::key_time{now - 60, now + 600});
    REQUIRE(signer);
    REQUIRE(coswire::authorize(*request, *signer, {.headers = coswire::header_selection::all}));

    auto response = send(*request);
    REQUIRE_MESSAGE(response.has_value(), reason_of(response));
    CHECK(response->status == 200);
    CHECK(response->header("etag") == "\"abc\"");
    CHECK(response->header("x-cos-hash-crc64ecma") == "42");
    CHECK(response->body.empty());

    const auto seen = srv.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].request_line() == "PUT /doc/a%20b%2Bc.bin?partNumber=3&uploadId=upload-1 HTTP/1.1");
    CHECK(seen[0].values("Host") == std::vector<std::string>{cos_host});
    check_sent(seen[0], *request, added);
    CHECK(seen[0].body.size() == payload.size());
    CHECK_FALSE(seen[0].has("Content-Type"));
    CHECK_FALSE(seen[0].has("Expect"));
    CHECK_FALSE(seen[0].has("Transfer-Encoding"));
    const auto verified = seen[0].verify(creds, now);
    CHECK_MESSAGE(verified.has_value(), (verified ? std::string() : verified.error().reason));
}

/// GET (206 with a body), HEAD (Content-Length without a body), two POSTs (one answered 404,
/// which is a response) and DELETE (204) in a row: each sent exactly, each response parsed, all
/// on the first connection when `kept_alive`.
template <class Make>
void check_methods(Make make, added_headers added, bool kept_alive) {
    server srv({
        "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-4/11\r\nX-Cos-Request-Id: id-1\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nETag: \"e\"\r\n\r\n",
        ok("Content-Type: application/xml\r\n", "<InitiateMultipartUploadResult/>"),
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\nContent-Length: 7\r\n\r\n<Error>",
        "HTTP/1.1 204 No Content\r\nx-cos-request-id: id-5\r\n\r\n",
    });
    auto send = make(srv.url());
    const coswire::endpoint ep = cos_endpoint();
    std::vector<coswire::http_request> sent;

    coswire::get_object_params get;
    get.key = "a.txt";
    get.range = coswire::byte_range{0, 4};
    sent.push_back(coswire::make_get_object_request(ep, get).value());
    auto got = send(sent.back());
    REQUIRE_MESSAGE(got.has_value(), reason_of(got));
    CHECK(got->status == 206);
    CHECK(got->body == "hello");
    CHECK(got->header("x-cos-request-id") == "id-1");
    CHECK(got->header("Content-Range") == "bytes 0-4/11");

    coswire::head_object_params head;
    head.key = "a.txt";
    sent.push_back(coswire::make_head_object_request(ep, head).value());
    auto headed = send(sent.back());
    REQUIRE_MESSAGE(headed.has_value(), reason_of(headed));
    CHECK(headed->status == 200);
    CHECK(headed->header("Content-Length") == "1234");
    CHECK(headed->body.empty());

    sent.push_back(coswire::make_initiate_multipart_upload_request(ep, {.key = "a.txt"}).value());
    auto initiated = send(sent.back());
    REQUIRE_MESSAGE(initiated.has_value(), reason_of(initiated));
    CHECK(initiated->status == 200);
    CHECK(initiated->body == "<InitiateMultipartUploadResult/>");

    coswire::complete_multipart_upload_params complete{.key = "a.txt", .upload_id = "upload-1", .parts = {{1, "\"e1\""}}};
    sent.push_back(coswire::make_complete_multipart_upload_request(ep, complete).value());
    auto completed = send(sent.back());
    REQUIRE_MESSAGE(completed.has_value(), reason_of(completed));
    CHECK(completed->status == 404);  // an HTTP error is a response, not a transport failure
    CHECK(completed->body == "<Error>");

    sent.push_back(coswire::make_delete_object_request(ep, {.key = "a.txt"}).value());
    auto deleted = send(sent.back());
    REQUIRE_MESSAGE(deleted.has_value(), reason_of(deleted));
    CHECK(deleted->status == 204);
    CHECK(deleted->header("X-COS-REQUEST-ID") == "id-5");
    CHECK(deleted->body.empty());

    const auto seen = srv.requests();
    REQUIRE(seen.size() == sent.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
        CAPTURE(i);
        check_sent(seen[i], sent[i], added);
        CHECK_FALSE(seen[i].has("Expect"));
        if (kept_alive) CHECK(seen[i].connection == 1);
    }
    CHECK(seen[2].request_line() == "POST /a.txt?uploads HTTP/1.1");
    CHECK(seen[2].values("Content-Length") == std::vector<std::string>{"0"});
    CHECK_FALSE(seen[0].has("Content-Type"));
    CHECK_FALSE(seen[2].has("Content-Type"));
}

// Two GETs from one transport while the server ends the first connection as `replies` say;
// the answer "b" must come on a second connection, every earlier request on the first.
template <class Make>
void check_second_connection(Make make, std::vector<std::string> replies, bool resends) {
    const std::size_t expected = replies.size();
    server srv(std::vector<server::reply>(replies.begin(), replies.end()));
    auto send = make(srv.url());
    const auto request = get_request();
    auto first = send(request);
    REQUIRE_MESSAGE(first.has_value(), reason_of(first));
    CHECK(first->body == "a");
    auto second = send(request);
    if (!resends) {
        REQUIRE_FALSE(second);
        CHECK(second.error().code == coswire::errc::transport_failure);
        second = send(request);
    }
    REQUIRE_MESSAGE(second.has_value(), reason_of(second));
    CHECK(second->body == "b");
    const auto seen = srv.requests();
    REQUIRE(seen.size() == expected);
    for (std::size_t i = 0; i + 1 < seen.size(); ++i) CHECK(seen[i].connection == 1);
    CHECK(seen.back().connection == 2);
}

/// A server that closes after answering is followed by a new connection for the next request.
template <class Make>
void check_reconnects_after_close(Make make) {
    check_second_connection(make, {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na", ok("", "b")}, true);
}

/// A kept-alive connection the server drops without an answer (as an idle timeout may, just as
/// the request leaves). With `resends`, the transport sends the request once more on a new
/// connection; without, that call is a transport_failure (which coswire's retry policy retries)
/// and the next call opens a new connection.
template <class Make>
void check_after_drop(Make make, bool resends) {
    check_second_connection(make, {ok("", "a"), "", ok("", "b")}, resends);
}

/// Without an override the connection goes to the request's own scheme://host (with its port).
template <class Make>
void check_own_url(Make make) {
    server srv({ok("", "x")});
    auto send = make("");
    coswire::endpoint_options options;
    options.use_https = false;
    auto ep = coswire::make_custom_endpoint("127.0.0.1", options);
    REQUIRE(ep);
    coswire::get_object_params get;
    get.key = "k";
    auto request = coswire::make_get_object_request(*ep, get).value();
    const std::string port = ":" + std::to_string(srv.port());
    request.host += port;
    for (coswire::http_header& h : request.headers)
        if (h.name == "Host") h.value += port;
    auto got = send(request);
    REQUIRE_MESSAGE(got.has_value(), reason_of(got));
    CHECK(got->body == "x");
    REQUIRE(srv.requests().size() == 1);
    CHECK(srv.requests()[0].values("Host") == std::vector<std::string>{"127.0.0.1" + port});
}

/// A closed port: the call returns errc::transport_failure ("transport"), whose reason the
/// caller checks further.
template <class Make>
coswire::error check_refused(Make make) {
    std::string url;
    {
        listener closed;
        url = closed.url();
    }  // the port is closed again: connecting is refused
    auto send = make(url);
    auto r = send(coswire::make_head_object_request(cos_endpoint(), {.key = "k"}).value());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == coswire::errc::transport_failure);
    CHECK(r.error().argument == "transport");
    return r.error();
}

/// A server that accepts and never answers: the stall timeout (1 s in `make`) ends the call with
/// errc::transport_failure instead of hanging.
template <class Make>
coswire::error check_stalled(Make make) {
    listener silent;  // the kernel accepts the connection; nobody reads or answers
    auto send = make(silent.url());
    auto r = send(get_request());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == coswire::errc::transport_failure);
    return r.error();
}

/// The streaming call: a 100 MiB body reaches the sink in order, in bounded pieces, after one
/// head, with peak memory that does not grow by anything near the body's size; an error answer
/// streams too; a sink that refuses ends the call with its own error, and the next call works.
template <class Make>
void check_streams_large_body(Make make) {
    const std::uint64_t size = std::uint64_t{100} << 20;
    server srv(std::vector<server::reply>{
        server::reply("HTTP/1.1 200 OK\r\nETag: \"e\"\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n", size),
        server::reply("HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\n<Error>"),
        server::reply("HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n", 1048576),
        server::reply(ok("", "after")),
    });
    auto t = make(srv.url());
    static_assert(coswire::streaming_transport<decltype(t)>);
    std::vector<int> heads;
    std::uint64_t bytes = 0;
    std::size_t largest = 0;
    bool in_order = true;
    std::string kept;    // bodies of the small answers
    bool large = true;   // the current answer is the generated 100 MiB
    std::uint64_t refuse_after = UINT64_MAX;
    coswire::response_sink sink{
        .head = [&](const coswire::http_response& head) -> coswire::result<void> {
            heads.push_back(head.status);
            bytes = 0;
            kept.clear();
            if (!head.body.empty()) return coswire::make_error(coswire::errc::malformed_response, "head", "carries a body");
            return {};
        },
        .body = [&](std::span<const std::byte> piece) -> coswire::result<void> {
            if (bytes + piece.size() > refuse_after) return coswire::make_error(coswire::errc::limit_exceeded, "sink", "full");
            largest = std::max(largest, piece.size());
            const char* p = reinterpret_cast<const char*>(piece.data());
            if (large) {
                for (std::size_t i = 0; i < piece.size(); ++i) in_order = in_order && p[i] == generated_byte(bytes + i);
            } else {
                kept.append(p, piece.size());
            }
            bytes += piece.size();
            return {};
        },
    };
    const long before = test_support::peak_rss_kib();
    auto got = t(get_request(), sink);
    REQUIRE_MESSAGE(got.has_value(), reason_of(got));
    CHECK(got->status == 200);
    CHECK(got->header("ETag") == "\"e\"");
    CHECK(got->body.empty());
    CHECK(heads == std::vector<int>{200});
    CHECK(bytes == size);
    CHECK(in_order);
    CHECK(largest <= 1024 * 1024);
    if (test_support::rss_bounds_hold) CHECK(test_support::peak_rss_kib() - before < 32 * 1024);  // the body is 100 MiB

    large = false;
    auto missing = t(get_request(), sink);
    REQUIRE_MESSAGE(missing.has_value(), reason_of(missing));
    CHECK(missing->status == 404);
    CHECK(kept == "<Error>");

    refuse_after = 65536;
    auto refused = t(get_request(), sink);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().argument == "sink");
    CHECK(bytes <= 65536);

    refuse_after = UINT64_MAX;
    auto after = t(get_request(), sink);
    REQUIRE_MESSAGE(after.has_value(), reason_of(after));
    CHECK(kept == "after");
}

}  // namespace loopback
