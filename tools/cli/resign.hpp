// SPDX-License-Identifier: MIT
// What a sent request was signed with, recovered for coswire::diagnose_signature_mismatch: the
// client does not hand back the signed_parts of its attempts, so the CLI re-signs the request as
// it went out, with the key time and header list its Authorization names.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/http/message.hpp>
#include <coswire/sign/request.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

/// The value of `name` among the `name=value` fields of an Authorization value, if present.
inline std::optional<std::string_view> authorization_field(std::string_view authorization, std::string_view name) {
    while (!authorization.empty()) {
        const std::size_t amp = authorization.find('&');
        const std::string_view field = authorization.substr(0, amp);
        if (field.size() > name.size() && field.starts_with(name) && field[name.size()] == '=') return field.substr(name.size() + 1);
        if (amp == std::string_view::npos) break;
        authorization.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

/// `sent`'s signed_parts, made again from `creds` and what its Authorization names (q-key-time,
/// q-header-list). nullopt when `sent` has no Authorization that parses, or when signing again
/// does not give the same Authorization (then these are not the parts that were sent).
inline std::optional<coswire::signed_parts> resign_as_sent(const coswire::http_request& sent, const coswire::credentials& creds) {
    const auto authorization = sent.header("Authorization");
    if (!authorization) return std::nullopt;
    const auto key_time = authorization_field(*authorization, "q-key-time");
    const auto header_list = authorization_field(*authorization, "q-header-list");
    if (!key_time || !header_list) return std::nullopt;
    const std::size_t semicolon = key_time->find(';');
    if (semicolon == std::string_view::npos) return std::nullopt;
    coswire::key_time window;
    const std::string_view start = key_time->substr(0, semicolon), end = key_time->substr(semicolon + 1);
    if (std::from_chars(start.data(), start.data() + start.size(), window.start).ptr != start.data() + start.size() ||
        std::from_chars(end.data(), end.data() + end.size(), window.end).ptr != end.data() + end.size())
        return std::nullopt;
    std::vector<std::string_view> names;
    for (std::string_view rest = *header_list; !rest.empty();) {
        const std::size_t next = rest.find(';');
        names.push_back(rest.substr(0, next));
        rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    }
    coswire::http_request unsigned_copy = sent;
    std::erase_if(unsigned_copy.headers, [](const coswire::http_header& h) { return coswire::detail::iequals(h.name, "Authorization"); });
    auto s = coswire::signer::create(creds, window);
    if (!s) return std::nullopt;
    const coswire::detail::signable_views views(unsigned_copy);
    auto parts = s->sign(views.view(unsigned_copy), {coswire::header_selection::listed, {names.data(), names.size()}});
    if (!parts || parts->authorization != *authorization) return std::nullopt;
    return std::move(*parts);
}

}  // namespace cli
