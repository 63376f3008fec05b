// SPDX-License-Identifier: MIT
#include <transports/curl_transport.hpp>

#include <doctest/doctest.h>

#include <coswire/api/endpoint.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using coswire::examples::curl_transport;
using coswire::examples::curl_transport_options;

namespace {

static_assert(coswire::transport<curl_transport>);

/// A request as the loopback server read it off the socket.
struct raw_request {
    std::string head;  ///< request line and headers, CRLFs included, up to the blank line
    std::string body;
    int connection = 0;  ///< which accepted connection carried it (1, 2, ...)

    std::string_view request_line() const { return std::string_view(head).substr(0, head.find("\r\n")); }

    /// Every value of header `name` (exact case, as curl sent it).
    std::vector<std::string> values(std::string_view name) const {
        std::vector<std::string> out;
        std::string_view rest = std::string_view(head).substr(head.find("\r\n") + 2);
        while (!rest.empty()) {
            const std::size_t end = rest.find("\r\n");
            const std::string_view line = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
            const std::size_t colon = line.find(':');
            if (colon == std::string_view::npos || line.substr(0, colon) != name) continue;
            std::string_view v = line.substr(colon + 1);
            while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
            out.emplace_back(v);
        }
        return out;
    }
    bool has(std::string_view name) const {
        std::string lower_head;
        for (char c : head) lower_head.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
        std::string needle = "\r\n";
        for (char c : name) needle.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
        needle += ":";
        return lower_head.find(needle) != std::string::npos;
    }
};

/// A tiny HTTP/1.1 server on 127.0.0.1: one thread, one connection at a time, keep-alive,
/// replying the canned responses in order and recording each raw request.
class loopback_server {
public:
    explicit loopback_server(std::vector<std::string> responses) : responses_(responses.begin(), responses.end()) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(listener_, 4) == 0);
        socklen_t length = sizeof address;
        REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    loopback_server(const loopback_server&) = delete;
    loopback_server& operator=(const loopback_server&) = delete;
    ~loopback_server() {
        ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
        thread_.join();
        ::close(listener_);
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<raw_request> requests() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }

private:
    void serve() {
        int connections = 0;
        for (;;) {
            const int fd = ::accept(listener_, nullptr, nullptr);
            if (fd < 0) return;
            ++connections;
            while (serve_one(fd, connections)) {
            }
            ::close(fd);
        }
    }

    // Reads one request (head, then Content-Length bytes of body), answers it; false at EOF.
    bool serve_one(int fd, int connection) {
        raw_request r;
        r.connection = connection;
        std::size_t end = std::string::npos;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
            if (!fill(fd)) return false;
        r.head = buffer_.substr(0, end + 2);
        buffer_.erase(0, end + 4);
        std::size_t length = 0;
        for (const std::string& v : r.values("Content-Length")) length = std::stoul(v);
        while (buffer_.size() < length)
            if (!fill(fd)) return false;
        r.body = buffer_.substr(0, length);
        buffer_.erase(0, length);
        std::string reply;
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(r);
            if (!responses_.empty()) {
                reply = responses_.front();
                responses_.pop_front();
            } else {
                reply = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
            }
        }
        for (std::size_t sent = 0; sent < reply.size();) {
            const ssize_t n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }

    bool fill(int fd) {
        char chunk[65536];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::string buffer_;
    mutable std::mutex mutex_;
    std::deque<std::string> responses_;
    std::vector<raw_request> requests_;
    std::thread thread_;
};

const std::string cos_host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";

coswire::endpoint cos_endpoint() { return coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(); }

std::string ok(std::string_view extra_headers, std::string_view body) {
    return "HTTP/1.1 200 OK\r\n" + std::string(extra_headers) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           std::string(body);
}

}  // namespace

TEST_CASE("curl_transport: a large PUT goes to the override with the signed Host, its headers and its body, unchanged") {
    loopback_server server({ok("ETag: \"abc\"\r\nx-cos-hash-crc64ecma: 42\r\n", "")});
    curl_transport send(curl_transport_options{server.url(), 5, 5});
    std::string payload(2 * 1024 * 1024 + 7, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 131 % 251);
    coswire::upload_part_params p;
    p.key = "doc/a b+c.bin";
    p.upload_id = "upload-1";
    p.part_number = 3;
    p.payload.bytes = std::as_bytes(std::span<const char>(payload));
    auto request = coswire::make_upload_part_request(cos_endpoint(), p);
    REQUIRE(request);
    request->headers.push_back({"Authorization", "q-sign-algorithm=sha1&q-ak=AKID"});
    request->headers.push_back({"x-cos-meta-empty", ""});

    auto response = send(*request);
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->header("etag") == "\"abc\"");
    CHECK(response->header("x-cos-hash-crc64ecma") == "42");
    CHECK(response->body.empty());

    const auto seen = server.requests();
    REQUIRE(seen.size() == 1);
    const raw_request& r = seen[0];
    CHECK(r.request_line() == "PUT /doc/a%20b%2Bc.bin?partNumber=3&uploadId=upload-1 HTTP/1.1");
    CHECK(r.values("Host") == std::vector<std::string>{cos_host});
    CHECK(r.values("Content-Length") == std::vector<std::string>{std::to_string(payload.size())});
    CHECK(r.values("Authorization") == std::vector<std::string>{"q-sign-algorithm=sha1&q-ak=AKID"});
    CHECK(r.values("x-cos-meta-empty") == std::vector<std::string>{""});
    CHECK_FALSE(r.has("Expect"));
    CHECK_FALSE(r.has("Accept"));
    CHECK_FALSE(r.has("Content-Type"));
    CHECK_FALSE(r.has("Transfer-Encoding"));
    CHECK(r.body == payload);
}

TEST_CASE("curl_transport: GET, HEAD, POST and DELETE on one kept-alive connection, responses parsed") {
    loopback_server server({
        "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-4/11\r\nX-Cos-Request-Id: id-1\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nETag: \"e\"\r\n\r\n",
        ok("Content-Type: application/xml\r\n", "<InitiateMultipartUploadResult/>"),
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\nContent-Length: 7\r\n\r\n<Error>",
        "HTTP/1.1 204 No Content\r\nx-cos-request-id: id-5\r\n\r\n",
    });
    curl_transport send(curl_transport_options{server.url(), 5, 5});
    const coswire::endpoint ep = cos_endpoint();

    coswire::get_object_params get;
    get.key = "a.txt";
    get.range = coswire::byte_range{0, 4};
    auto got = send(coswire::make_get_object_request(ep, get).value());
    REQUIRE(got);
    CHECK(got->status == 206);
    CHECK(got->body == "hello");
    CHECK(got->header("x-cos-request-id") == "id-1");

    coswire::head_object_params head;
    head.key = "a.txt";
    auto headed = send(coswire::make_head_object_request(ep, head).value());
    REQUIRE(headed);
    CHECK(headed->status == 200);
    CHECK(headed->header("Content-Length") == "1234");
    CHECK(headed->body.empty());

    auto initiated = send(coswire::make_initiate_multipart_upload_request(ep, {"a.txt", {}, {}}).value());
    REQUIRE(initiated);
    CHECK(initiated->body == "<InitiateMultipartUploadResult/>");

    coswire::complete_multipart_upload_params complete{"a.txt", "upload-1", {{1, "\"e1\""}}, {}};
    auto complete_request = coswire::make_complete_multipart_upload_request(ep, complete).value();
    auto completed = send(complete_request);
    REQUIRE(completed);
    CHECK(completed->status == 404);  // an HTTP error is a response, not a transport failure
    CHECK(completed->body == "<Error>");

    auto deleted = send(coswire::make_delete_object_request(ep, {"a.txt", {}, {}, {}}).value());
    REQUIRE(deleted);
    CHECK(deleted->status == 204);
    CHECK(deleted->header("X-COS-REQUEST-ID") == "id-5");

    const auto seen = server.requests();
    REQUIRE(seen.size() == 5);
    CHECK(seen[0].request_line() == "GET /a.txt HTTP/1.1");
    CHECK(seen[0].values("Range") == std::vector<std::string>{"bytes=0-4"});
    CHECK(seen[1].request_line() == "HEAD /a.txt HTTP/1.1");
    CHECK(seen[2].request_line() == "POST /a.txt?uploads HTTP/1.1");
    CHECK(seen[2].values("Content-Length") == std::vector<std::string>{"0"});
    CHECK(seen[2].body.empty());
    CHECK(seen[3].request_line() == "POST /a.txt?uploadId=upload-1 HTTP/1.1");
    CHECK(seen[3].body == complete_request.body);
    CHECK(seen[3].values("Content-Type") == std::vector<std::string>{std::string(*complete_request.header("Content-Type"))});
    CHECK(seen[4].request_line() == "DELETE /a.txt HTTP/1.1");
    for (const raw_request& r : seen) {
        CHECK(r.values("Host") == std::vector<std::string>{cos_host});
        CHECK_FALSE(r.has("Accept"));
        CHECK_FALSE(r.has("Expect"));
        CHECK(r.connection == 1);  // the easy handle kept the connection
    }
    CHECK_FALSE(seen[0].has("Content-Type"));
    CHECK_FALSE(seen[2].has("Content-Type"));
}

TEST_CASE("curl_transport: without an override the URL is the request's own") {
    loopback_server server({ok("", "x")});
    curl_transport send;
    coswire::endpoint_options options;
    options.use_https = false;
    auto ep = coswire::make_custom_endpoint("127.0.0.1", options);
    REQUIRE(ep);
    coswire::get_object_params get;
    get.key = "k";
    auto request = coswire::make_get_object_request(*ep, get).value();
    const std::string port = server.url().substr(server.url().rfind(':'));
    request.host += port;
    for (coswire::http_header& h : request.headers)
        if (h.name == "Host") h.value += port;
    auto got = send(request);
    REQUIRE(got);
    CHECK(got->body == "x");
    REQUIRE(server.requests().size() == 1);
    CHECK(server.requests()[0].values("Host") == std::vector<std::string>{"127.0.0.1" + port});
}

TEST_CASE("curl_transport: a refused connection is a transport_failure carrying curl's message") {
    std::string url;
    {
        loopback_server closed({});
        url = closed.url();
    }  // the port is closed again: connecting is refused
    curl_transport send(curl_transport_options{url, 5, 5});
    auto r = send(coswire::make_head_object_request(cos_endpoint(), {"k", {}, {}, {}, {}}).value());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == coswire::errc::transport_failure);
    CHECK(r.error().argument == "transport");
    CHECK(r.error().reason.find("onnect") != std::string::npos);
}
