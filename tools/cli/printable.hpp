// SPDX-License-Identifier: MIT
// printable(): text from a server made safe to print on a terminal, with every control
// character, invalid UTF-8 byte and bidirectional override shown as a visible \xHH escape.
#pragma once

#include <coswire/detail/ascii.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cli {

/// `text` as it may be shown on a terminal. Kept as they are: printable ASCII and well-formed
/// UTF-8 (RFC 3629) of printable characters. Shown as `\xHH`, one escape per byte: C0 controls
/// (tab and newline included, so a value cannot fake a column or a line), DEL, the C1 controls
/// U+0080..U+009F (in UTF-8 C2 80..C2 9F; a terminal may obey them like ESC sequences), the
/// bidirectional embeddings, overrides and isolates U+202A..U+202E and U+2066..U+2069 (they
/// reorder what is shown after them), and every byte that is not part of well-formed UTF-8.
/// A backslash stays a backslash, so ordinary text prints byte for byte as before; an
/// escape therefore cannot be told apart from the same four characters sent literally.
inline std::string printable(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    const auto escape = [&out](std::string_view bytes) {
        for (const char c : bytes) {
            const auto b = static_cast<std::uint8_t>(c);
            out += "\\x";
            out += hex[b >> 4];
            out += hex[b & 0xf];
        }
    };
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b = static_cast<std::uint8_t>(text[i]);
        if (b < 0x80) {
            if (b < 0x20 || b == 0x7f) escape(text.substr(i, 1));
            else out += text[i];
            ++i;
            continue;
        }
        const std::size_t len = coswire::detail::utf8_sequence_size(text, i);
        if (len == 0) {
            escape(text.substr(i, 1));
            ++i;
            continue;
        }
        const std::string_view sequence = text.substr(i, len);
        const auto b1 = static_cast<std::uint8_t>(sequence[1]);
        const bool c1_control = b == 0xc2 && b1 < 0xa0;
        const bool bidi_control =
            len == 3 && b == 0xe2 &&
            ((b1 == 0x80 && static_cast<std::uint8_t>(sequence[2]) >= 0xaa && static_cast<std::uint8_t>(sequence[2]) <= 0xae) ||
             (b1 == 0x81 && static_cast<std::uint8_t>(sequence[2]) >= 0xa6 && static_cast<std::uint8_t>(sequence[2]) <= 0xa9));
        if (c1_control || bidi_control) escape(sequence);
        else out += sequence;
        i += len;
    }
    return out;
}

}  // namespace cli
