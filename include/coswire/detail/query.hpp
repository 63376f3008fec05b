// SPDX-License-Identifier: MIT
// The one query-string reader: splits `name[=value]&...` into items and, for a request target,
// percent-decodes them with encoding/percent.hpp's decoder.
#pragma once

#include <coswire/encoding/percent.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail {

/// One `name[=value]` item as written, not decoded; `value` is absent without a '='.
struct query_item {
    std::string_view name{};
    std::optional<std::string_view> value{};
};

/// Calls `f(query_item)` for each '&'-separated item of `text`, in order, splitting each at its
/// first '='. Empty items between two '&' are passed on (callers decide what they mean); a
/// trailing '&' ends the text without one. `f` returns result<void>; the first error stops the
/// walk and is returned.
template <class F>
result<void> for_each_query_item(std::string_view text, F&& f) {
    while (!text.empty()) {
        const std::size_t amp = text.find('&');
        const std::string_view item = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
        const std::size_t eq = item.find('=');
        query_item q{item.substr(0, eq), std::nullopt};
        if (eq != std::string_view::npos) q.value = item.substr(eq + 1);
        if (result<void> ok = f(q); !ok) return ok;
    }
    return {};
}

/// How a raw '+' in a request target reads: as itself (RFC 3986; percent_decode) or as a space,
/// which is how COS's server reads a request line (docs/protocol/signing.md#what-the-server-does).
enum class plus_sign { literal, space };

/// `text` percent-decoded, a raw '+' read as `plus` says. Errors: percent_decode's, naming `argument`.
inline result<std::string> decode_target_text(std::string_view text, plus_sign plus, std::string_view argument) {
    if (plus == plus_sign::literal) return percent_decode(text, argument);
    std::string spaced(text);
    std::replace(spaced.begin(), spaced.end(), '+', ' ');
    return percent_decode(spaced, argument);
}

/// The parameters of a query string (what follows '?'), names and values decoded; empty items
/// ("a&&b") are skipped, as a server skips them. Errors: a bad %-escape, naming `argument`.
inline result<std::vector<http_query_param>> parse_query(std::string_view query, plus_sign plus, std::string_view argument) {
    std::vector<http_query_param> out;
    result<void> read = for_each_query_item(query, [&](const query_item& item) -> result<void> {
        if (item.name.empty() && !item.value) return {};
        result<std::string> name = decode_target_text(item.name, plus, argument);
        if (!name) return std::move(name).error();
        http_query_param p{std::move(*name), std::nullopt};
        if (item.value) {
            result<std::string> value = decode_target_text(*item.value, plus, argument);
            if (!value) return std::move(value).error();
            p.value = std::move(*value);
        }
        out.push_back(std::move(p));
        return {};
    });
    if (!read) return std::move(read).error();
    return out;
}

}  // namespace coswire::detail
