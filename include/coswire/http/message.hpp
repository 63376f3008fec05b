// SPDX-License-Identifier: MIT
// http_request and http_response: the value types that request builders produce, the signer
// signs and a user's transport carries.
#pragma once

#include <coswire/callback.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coswire {

/// One header line. Names compare case-insensitively.
struct http_header {
    std::string name{};
    std::string value{};
};

/// One query parameter, decoded. A parameter without a value (`?uploads`) has no value.
struct http_query_param {
    std::string name{};
    std::optional<std::string> value{};
};

/// A large upload body the request borrows instead of copying: the caller keeps the bytes alive
/// until the transport has sent them.
struct payload_view {
    std::span<const std::byte> bytes{};
};

/// A request body the transport pulls from the caller while it sends, so no copy of it needs to
/// sit in memory: `size` bytes, read by position. read(offset, into) fills `into` exactly with the
/// bytes at [offset, offset + into.size()), or returns an error, which ends the request with that
/// error. A retried attempt reads again from offset 0, so the reader must be repeatable (a file,
/// a flash region, bytes produced on demand), not a one-way stream.
struct body_reader {
    std::uint64_t size = 0;
    callback<result<void>(std::uint64_t offset, std::span<std::byte> into)> read{};
};

/// A complete request, ready to sign and send. Builders fill every member; the signer adds the
/// Authorization header. The body is owned (`body`, e.g. XML), borrowed (`payload`) or pulled
/// (`reader`): at most one of them. A transport that does not pull bodies itself gets a pulled body
/// already collected into `body` (send_collected, send_streaming in <coswire/http/transport.hpp>).
struct http_request {
    std::string method{};                      ///< "GET", "PUT", ...
    std::string scheme = "https";            ///< "https" or "http"
    std::string host{};                        ///< equals the Host header (":port" when not default)
    std::string path{};                        ///< decoded path that is signed: "/" + raw key, or "/"
    std::string wire_path{};                   ///< the same path percent-encoded for the request line
    std::vector<http_query_param> query{};     ///< decoded; every parameter is signed
    std::vector<http_header> headers{};        ///< includes Host; never holds CR, LF or NUL
    std::string body{};                        ///< owned body
    payload_view payload{};                    ///< borrowed body (uploads)
    body_reader reader{};                      ///< pulled body (uploads read as they are sent)

    /// True when the body is pulled through `reader` rather than held in memory.
    bool body_is_pulled() const noexcept { return static_cast<bool>(reader.read); }

    /// The body's length in bytes, whichever form holds it.
    std::uint64_t body_size() const noexcept { return body_is_pulled() ? reader.size : body_bytes().size(); }

    /// The body bytes when they are in memory (owned or borrowed); empty for a pulled body.
    std::span<const std::byte> body_bytes() const noexcept {
        if (!payload.bytes.empty()) return payload.bytes;
        return {reinterpret_cast<const std::byte*>(body.data()), body.size()};
    }

    /// The request target: wire_path, then "?" and each parameter as enc(name) or
    /// enc(name)=enc(value), in order.
    std::string target() const {
        std::string out = wire_path;
        char separator = '?';
        for (const http_query_param& p : query) {
            out.push_back(separator);
            separator = '&';
            percent_encode_append(out, p.name);
            if (p.value) {
                out.push_back('=');
                percent_encode_append(out, *p.value);
            }
        }
        return out;
    }

    /// scheme://host + target().
    std::string url() const { return scheme + "://" + host + target(); }

    /// The value of the first header named `name` (any case), if present.
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        for (const http_header& h : headers)
            if (detail::iequals(h.name, name)) return std::string_view(h.value);
        return std::nullopt;
    }
};

/// What the transport received: status, headers as sent by the server, and the body.
struct http_response {
    int status = 0;
    std::vector<http_header> headers{};
    std::string body{};

    /// The value of the first header named `name` (any case), if present.
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        for (const http_header& h : headers)
            if (detail::iequals(h.name, name)) return std::string_view(h.value);
        return std::nullopt;
    }
};

}  // namespace coswire
