// SPDX-License-Identifier: MIT
// Shared helpers of the fuzz targets: cutting one fuzzer input into the parts of a message.
#pragma once

#include <coswire/http/message.hpp>
#include <coswire/sign/http_string.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// Removes and returns the text up to the first '\n' (all of `rest` when there is none).
inline std::string_view take_line(std::string_view& rest) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    return line;
}

/// An http_response from "STATUS\nName: value\n...\n\nBODY": the status is the first line's
/// leading digits (at most 3), the headers run to the first empty line, the rest is the body.
inline coswire::http_response make_response(std::string_view in) {
    coswire::http_response r;
    const std::string_view status = take_line(in);
    for (std::size_t i = 0; i < status.size() && i < 3 && status[i] >= '0' && status[i] <= '9'; ++i)
        r.status = r.status * 10 + (status[i] - '0');
    while (!in.empty()) {
        const std::string_view line = take_line(in);
        if (line.empty()) break;
        const std::size_t colon = line.find(':');
        std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        if (value.starts_with(' ')) value.remove_prefix(1);
        r.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    r.body = std::string(in);
    return r;
}

/// "a=1&b&c=" as parameters; a name without '=' has no value.
inline std::vector<coswire::query_param> split_query(std::string_view query) {
    std::vector<coswire::query_param> out;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            out.push_back({item, std::nullopt});
        else
            out.push_back({item.substr(0, eq), item.substr(eq + 1)});
    }
    return out;
}

/// A request as a server receives it, from "METHOD\nPATH\nQUERY\nName: value\n...". Views
/// borrow the input.
struct request_parts {
    std::string_view method;
    std::string_view path;
    std::vector<coswire::query_param> params;
    std::vector<coswire::header_field> headers;
};

inline request_parts make_request(std::string_view rest) {
    request_parts out;
    out.method = take_line(rest);
    out.path = take_line(rest);
    out.params = split_query(take_line(rest));
    while (!rest.empty()) {
        const std::string_view line = take_line(rest);
        const std::size_t colon = line.find(':');
        std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        if (value.starts_with(' ')) value.remove_prefix(1);
        out.headers.push_back({line.substr(0, colon), value});
    }
    return out;
}

}  // namespace fuzz
