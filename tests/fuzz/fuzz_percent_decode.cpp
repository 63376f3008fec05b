// SPDX-License-Identifier: MIT
// libFuzzer target: strict percent-decoding; what decodes must survive encode then decode.
#include <coswire/encoding/percent.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto decoded = coswire::percent_decode(text);
    if (!decoded) {
        // The reported offset must point at a '%' of the input.
        if (decoded.error().size >= size || text[decoded.error().size] != '%') std::abort();
        return 0;
    }
    if (decoded->size() > size) std::abort();
    auto again = coswire::percent_decode(coswire::percent_encode(*decoded));
    if (!again || *again != *decoded) std::abort();
    return 0;
}
