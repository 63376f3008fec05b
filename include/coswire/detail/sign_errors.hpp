// SPDX-License-Identifier: MIT
// The checks of text the signer takes, and the errors that name what was wrong with it, kept out
// of the canonical request's loops (sign/http_string.hpp) so those read as the protocol does.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace coswire::detail {

/// True when `text` is valid UTF-8 and holds none of the control bytes `controls` forbids.
constexpr bool text_passes(std::string_view text, control_bytes controls) noexcept {
    const text_scan scan = scan_text(text, controls);
    return scan.control == text.size() && scan.utf8_error == text.size();
}

/// "header #2 value" — built only when an error is reported, so valid input never allocates.
inline std::string field_label(std::string_view kind, std::size_t index, std::string_view part) {
    return std::string(kind) + " #" + std::to_string(index) + " " + std::string(part);
}

/// The error for text that text_passes() refused: the control byte when there is one (those
/// are checked first), else the UTF-8 error. `label` names the offending piece in the reason.
inline error text_error(std::string_view text, control_bytes controls, std::string_view argument, const std::string& label) {
    const text_scan scan = scan_text(text, controls);
    if (scan.control != text.size())
        return make_error(errc::invalid_argument, argument,
                          label + " contains a control character (CR, LF, NUL or other) at byte " +
                              std::to_string(scan.control));
    return make_error(errc::invalid_argument, argument,
                      label + " is not valid UTF-8 (byte " + std::to_string(scan.utf8_error) + ")");
}

inline error method_error() { return make_error(errc::invalid_argument, "method", "must be a non-empty HTTP token"); }

inline error path_error(std::string_view path) {
    if (path.empty()) return make_error(errc::invalid_argument, "path", "must not be empty (use \"/\")");
    const text_scan scan = scan_text(path, control_bytes::forbidden);
    if (scan.control != path.size())
        return make_error(errc::invalid_argument, "path",
                          "contains a control character at byte " + std::to_string(scan.control));
    return make_error(errc::invalid_argument, "path",
                      "path is not valid UTF-8 (byte " + std::to_string(scan.utf8_error) + ")");
}

inline error count_error(std::string_view argument, std::size_t most) {
    return make_error(errc::limit_exceeded, argument, "more than " + std::to_string(most) + " entries");
}

inline error param_error(std::size_t i, std::string_view name, std::string_view value) {
    if (name.empty())
        return make_error(errc::invalid_argument, "params", field_label("parameter", i, "has an empty name"));
    if (!text_passes(name, control_bytes::allowed))
        return text_error(name, control_bytes::allowed, "params", field_label("parameter", i, "name"));
    return text_error(value, control_bytes::allowed, "params", field_label("parameter", i, "value"));
}

inline error header_name_error(std::size_t i) {
    return make_error(errc::invalid_argument, "headers", field_label("header", i, "name is not an HTTP token"));
}

inline error duplicate_header_error(std::string_view name) {
    return make_error(errc::invalid_argument, "headers", "duplicate header '" + std::string(name) + "'");
}

inline error header_value_error(std::string_view name, std::string_view value) {
    return text_error(value, control_bytes::forbidden_but_htab, "headers", "header '" + std::string(name) + "' value");
}

inline error token_error(std::string_view token) {
    return text_error(token, control_bytes::forbidden_but_htab, "session_token", "the session token");
}

/// buffer_too_small for a caller buffer that cannot hold the Authorization; error.size says how much would.
inline error authorization_buffer_error(std::size_t needed) {
    error e = make_error(errc::buffer_too_small, "out", "the Authorization needs " + std::to_string(needed) + " bytes");
    e.size = needed;
    return e;
}

}  // namespace coswire::detail
