// SPDX-License-Identifier: MIT
// The SRC and DST arguments of `coswire cp`: a local path, or an object written
// cos://BUCKET-APPID/KEY as coscli spells it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cli {

/// An object named by a `cos://` argument.
struct cos_location {
    std::string bucket{};  ///< BUCKET-APPID, as written (make_endpoint checks it)
    std::string key{};     ///< everything after the first '/' past the bucket, as written
};

/// `text` as a COS object when it starts with `cos://` (lower case, as coscli writes it), else
/// nullopt: a local path. The bucket runs to the first '/', the key is the rest; either may be
/// empty, which the caller refuses with the argument's name (the key through map_object_key).
inline std::optional<cos_location> parse_cos_location(std::string_view text) {
    constexpr std::string_view scheme = "cos://";
    if (!text.starts_with(scheme)) return std::nullopt;
    text.remove_prefix(scheme.size());
    const std::size_t slash = text.find('/');
    if (slash == std::string_view::npos) return cos_location{std::string(text), {}};
    return cos_location{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
}

}  // namespace cli
