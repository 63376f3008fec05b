// SPDX-License-Identifier: MIT
// `--profile NAME`: the settings the CLI takes from a profile of coswire's key=value credentials
// file besides the keys (which <coswire/credentials/file.hpp> reads): bucket, region, endpoint.
#pragma once

#include <coswire/credentials/file.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace cli {

/// The value of `name` in profile `profile` of a key=value credentials file, nullopt when that
/// profile does not set it. Call it on a text parse_key_value_credentials accepted for the same
/// profile: that parse reports malformed lines (with their numbers), this lookup then only
/// walks the profile's lines. Lines before the first `[name]` belong to "default".
inline std::optional<std::string> profile_value(std::string_view text, std::string_view profile, std::string_view name) {
    const auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
        return s;
    };
    std::string_view current = "default";
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        const std::string_view line = trim(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (line.empty() || line.front() == '#') continue;
        if (line.front() == '[' && line.back() == ']') {
            current = trim(line.substr(1, line.size() - 2));
            continue;
        }
        const std::size_t eq = line.find('=');
        if (current == profile && eq != std::string_view::npos && trim(line.substr(0, eq)) == name)
            return std::string(trim(line.substr(eq + 1)));
    }
    return std::nullopt;
}

}  // namespace cli
