// SPDX-License-Identifier: MIT
// The emulator's reading of a request: the target decoded as a server decodes it (a raw '+' is
// a space, detail/query.hpp), the parameters, headers and body, and the server time it is answered at.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/detail/query.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/http_string.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// `a + b` without overflow, saturating at the int64 limits.
constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
    if (b > 0 && a > std::numeric_limits<std::int64_t>::max() - b) return std::numeric_limits<std::int64_t>::max();
    if (b < 0 && a < std::numeric_limits<std::int64_t>::min() - b) return std::numeric_limits<std::int64_t>::min();
    return a + b;
}

/// One request as the emulator sees it on the wire. Views borrow the http_request.
struct exchange {
    std::string method{};
    std::string path{};                      ///< decoded request-line path ('+' read as a space)
    std::string resource{};                  ///< <Resource>: host + path decoded with '+' kept, as COS shows it (docs/protocol/signing.md#what-the-server-does)
    std::vector<http_query_param> params{};  ///< decoded
    std::vector<header_field> headers{};     ///< as sent, plus Host from the URL when the request has no Host header
    std::string_view body{};
    bool target_ok = false;  ///< the request target decoded
    std::int64_t now = 0;    ///< server time (skew included)
    std::string request_id{};
    std::string trace_id{};

    /// The first parameter named `name` (case-sensitive, as COS names them).
    const http_query_param* param(std::string_view name) const noexcept {
        for (const http_query_param& p : params)
            if (p.name == name) return &p;
        return nullptr;
    }
    /// A parameter's value; empty for an absent or valueless parameter.
    std::string_view param_value(std::string_view name) const noexcept {
        const http_query_param* p = param(name);
        return p != nullptr && p->value ? std::string_view(*p->value) : std::string_view();
    }
    /// The first header named `name` (any case), trimmed of blanks.
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        for (const header_field& h : headers)
            if (iequals(h.name, name)) return trim_blanks(h.value);
        return std::nullopt;
    }
    /// The object key: the path without its leading '/'.
    std::string_view key() const noexcept { return std::string_view(path).substr(1); }
    bool is_head() const noexcept { return method == "HEAD"; }
    bool is_complete() const noexcept { return target_ok && method == "POST" && path != "/" && param("uploadId") != nullptr; }
};

/// Reads `request` as the endpoint `host` does at server time `now`; `sequence` numbers the
/// request (its x-cos-request-id is `emu-<sequence>`). The target is read from
/// `request.target()`; a missing Host header is taken from `request.host`. A target that does
/// not decode leaves `target_ok` false (400 InvalidURI later), never an error here.
inline exchange read_exchange(const http_request& request, std::string_view host, std::int64_t now, std::uint64_t sequence) {
    exchange x;
    const std::string seq = std::to_string(sequence);
    x.request_id = "emu-" + seq;
    x.trace_id = "emu-trace-" + seq;
    x.method = request.method;
    x.now = now;
    for (const http_header& h : request.headers) x.headers.push_back({h.name, h.value});
    if (!x.header("Host") && !request.host.empty()) x.headers.push_back({"Host", request.host});
    const std::span<const std::byte> body = request.body_bytes();
    x.body = std::string_view(reinterpret_cast<const char*>(body.data()), body.size());

    const std::string target = request.target();
    const std::size_t question = target.find('?');
    const std::string_view wire_path = std::string_view(target).substr(0, question);
    x.resource = std::string(host) + std::string(wire_path);
    if (wire_path.empty() || wire_path.front() != '/') return x;
    result<std::string> path = decode_target_text(wire_path, plus_sign::space, "target");
    if (!path) return x;
    x.path = std::move(*path);
    if (result<std::string> kept_plus = percent_decode(wire_path)) x.resource = std::string(host) + *kept_plus;
    const std::string_view query = question == std::string::npos ? std::string_view() : std::string_view(target).substr(question + 1);
    result<std::vector<http_query_param>> params = parse_query(query, plus_sign::space, "target");
    if (!params) return x;
    x.params = std::move(*params);
    x.target_ok = true;
    return x;
}

}  // namespace coswire::detail::emu
