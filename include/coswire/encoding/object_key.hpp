// SPDX-License-Identifier: MIT
// Object key validation and its two paths: the signed UriPathname and the request-line path
// (docs/protocol/endpoints.md#object-keys, #the-key-in-the-request-line;
// docs/protocol/signing.md#path).
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace coswire {

/// Choices for map_object_key.
struct object_key_options {
    /// Accept `.` and `..` path segments (e.g. `a/./b`, `../x`). COS stores them verbatim
    /// (docs/protocol/endpoints.md#object-keys), but intermediaries may collapse them, so they are
    /// refused unless the caller opts in. A key that normalises to `/` is refused even then.
    bool allow_dot_segments = false;
};

/// The two forms of an object key's path.
struct object_key_paths {
    std::string signed_path{};  ///< "/" + key, raw UTF-8, no encoding (docs/protocol/signing.md#path)
    std::string wire_path{};    ///< request-target path: "/" + pathenc(key) (docs/protocol/endpoints.md#the-key-in-the-request-line)
};

namespace detail {

/// Keys must not carry NUL, LF or CR, nor CAN, EM, SUB, ESC (0x18–0x1B) (docs/protocol/endpoints.md#object-keys).
constexpr bool is_forbidden_in_object_key(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x00 || u == 0x0A || u == 0x0D || (u >= 0x18 && u <= 0x1B);
}

constexpr bool is_dot_segment(std::string_view segment) noexcept {
    return segment == "." || segment == "..";
}

/// The longest key COS stores (docs/protocol/endpoints.md#object-keys), in bytes.
inline constexpr std::size_t max_object_key_size = 850;

inline error object_key_error(errc code, std::string reason) {
    return make_error(code, "object_key", std::move(reason));
}

}  // namespace detail

/// Validates an object key (docs/protocol/endpoints.md#object-keys) and returns both of its paths:
/// - signed_path = "/" + key verbatim (docs/protocol/signing.md#path);
/// - wire_path = "/" + pathenc(key) (docs/protocol/endpoints.md#the-key-in-the-request-line): `/` stays
///   literal, every byte outside `A-Z a-z 0-9 - _ . ~` becomes `%XX` upper-case (so `+` → `%2B`, space
///   → `%20`); when dot segments are allowed, the dots of a `.` or `..` segment are sent as `%2E` so
///   that no HTTP stack or proxy collapses them. percent_decode(wire_path) == signed_path always holds.
/// Errors, all with argument "object_key": invalid_argument when the key is empty, is not UTF-8,
/// starts with `/` or `\`, contains NUL, CR, LF or 0x18–0x1B, has a `.`/`..` segment while
/// options.allow_dot_segments is false, or normalises to `/` (`.`, `./`, `a/..`; always
/// refused: it would turn an object request into a bucket request); limit_exceeded when it is
/// longer than 850 bytes. Offsets are byte offsets into `key`.
inline result<object_key_paths> map_object_key(std::string_view key, const object_key_options& options = {}) {
    if (key.empty()) return detail::object_key_error(errc::invalid_argument, "must not be empty");
    if (key.size() > detail::max_object_key_size)
        return detail::object_key_error(errc::limit_exceeded, "is " + std::to_string(key.size()) +
                                                                  " bytes long, COS allows at most 850");
    if (const std::size_t bad = detail::utf8_error_offset(key); bad != key.size())
        return detail::object_key_error(errc::invalid_argument,
                                        "is not valid UTF-8 at offset " + std::to_string(bad));
    if (key.front() == '/' || key.front() == '\\')
        return detail::object_key_error(errc::invalid_argument, "must not start with '/' or '\\'");
    for (std::size_t i = 0; i < key.size(); ++i)
        if (detail::is_forbidden_in_object_key(key[i]))
            return detail::object_key_error(errc::invalid_argument,
                                            "contains a forbidden control character at offset " + std::to_string(i));

    object_key_paths paths;
    paths.signed_path.reserve(key.size() + 1);
    paths.signed_path += '/';
    paths.signed_path += key;
    paths.wire_path.reserve(percent_encoded_size(key) + 1);

    // Walk the segments once, encoding each and tracking the depth the path would have after
    // dot-segment removal. Empty segments (`a//..`) are not counted, as path.Clean-style
    // normalisers drop them; that refuses a superset of what RFC 3986 section 5.2.4 collapses to `/`.
    std::size_t depth = 0;
    std::size_t start = 0;
    while (start <= key.size()) {
        const std::size_t found = key.find('/', start);
        const std::size_t slash = found == std::string_view::npos ? key.size() : found;
        const std::string_view segment = key.substr(start, slash - start);
        paths.wire_path += '/';
        if (detail::is_dot_segment(segment)) {
            if (!options.allow_dot_segments)
                return detail::object_key_error(errc::invalid_argument,
                                                "has a '" + std::string(segment) + "' path segment at offset " +
                                                    std::to_string(start) + " (see object_key_options)");
            paths.wire_path += segment.size() == 1 ? "%2E" : "%2E%2E";
            if (segment.size() == 2 && depth > 0) --depth;
        } else {
            percent_encode_append(paths.wire_path, segment);
            if (!segment.empty()) ++depth;
        }
        start = slash + 1;
    }
    if (depth == 0)
        return detail::object_key_error(errc::invalid_argument,
                                        "normalises to '/', which would address the bucket instead of an object");
    return paths;
}

}  // namespace coswire
