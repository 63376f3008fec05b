// SPDX-License-Identifier: MIT
// origin: the scheme, host and port a transport connects to, split from `scheme://host[:port]`
// (RFC 3986 sections 3.1-3.2; an IPv6 literal host is bracketed), for the adapters that take them apart.
#pragma once

#include <coswire/detail/decimal.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace coswire::transports {

/// Where to connect: "http" or "https", a host name or address (IPv6 without brackets), a port.
struct origin {
    std::string scheme{};
    std::string host{};
    unsigned short port = 0;

    friend bool operator==(const origin&, const origin&) = default;
};

/// Splits `scheme://host[:port]`; the port defaults to 80 (http) or 443 (https). Errors:
/// invalid_argument naming `argument` for another scheme, a path or user part, an empty host,
/// or a port that is not a number in 1..65535.
inline result<origin> parse_origin(std::string_view text, std::string_view argument) {
    origin out;
    const std::size_t sep = text.find("://");
    out.scheme = std::string(text.substr(0, sep));
    if (sep == std::string_view::npos || (out.scheme != "http" && out.scheme != "https"))
        return make_error(errc::invalid_argument, argument, "expected http://host[:port] or https://host[:port]");
    std::string_view rest = text.substr(sep + 3);
    if (rest.find_first_of("/?#@") != std::string_view::npos)
        return make_error(errc::invalid_argument, argument, "expected scheme://host[:port] without path, query or user");
    std::string_view host = rest;
    std::string_view port;
    if (rest.starts_with('[')) {  // [IPv6]:port
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos) return make_error(errc::invalid_argument, argument, "unclosed '[' in the host");
        host = rest.substr(1, close - 1);
        rest.remove_prefix(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) return make_error(errc::invalid_argument, argument, "junk after ']'");
        port = rest.empty() ? std::string_view() : rest.substr(1);
    } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty()) return make_error(errc::invalid_argument, argument, "empty host");
    out.host = std::string(host);
    if (port.empty() && rest.ends_with(':')) return make_error(errc::invalid_argument, argument, "empty port");
    std::uint64_t number = out.scheme == "https" ? 443 : 80;
    if (!port.empty()) {
        const auto parsed = detail::parse_unsigned_decimal(port, 65535);
        if (!parsed || parsed.value == 0) return make_error(errc::invalid_argument, argument, "port is not 1..65535");
        number = parsed.value;
    }
    out.port = static_cast<unsigned short>(number);
    return out;
}

/// Where `request` goes: `connect_to` when it is not empty (errors name "connect_to"), else the
/// request's own scheme://host (errors name "request").
inline result<origin> connect_origin(const std::string& connect_to, const http_request& request) {
    if (!connect_to.empty()) return parse_origin(connect_to, "connect_to");
    return parse_origin(request.scheme + "://" + request.host, "request");
}

}  // namespace coswire::transports
