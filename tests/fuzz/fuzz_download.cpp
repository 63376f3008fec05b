// SPDX-License-Identifier: MIT
// libFuzzer target: the download decisions a server's answers and a stored checkpoint reach.
// A checkpoint that parses must serialise back to the same text (the form is exact), and the
// checks of a ranged answer must never crash whatever the head says.
#include <coswire/download/plan.hpp>

#include "fuzz_input.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

// The input is either a checkpoint text, or (after a first line "range FIRST LAST") a response
// head as in fuzz_input.hpp's make_response.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    if (auto checkpoint = coswire::parse_checkpoint(text)) {
        if (coswire::serialize_checkpoint(*checkpoint) != text) std::abort();  // accepted text is canonical
        static_cast<void>(coswire::plan_download(checkpoint->object_size, checkpoint->part_size));
    }
    std::string_view rest = text;
    const std::string_view first_line = fuzz::take_line(rest);
    if (!first_line.starts_with("range ")) return 0;
    std::uint64_t first = 0, last = 0;
    std::size_t i = 6;
    for (; i < first_line.size() && first_line[i] >= '0' && first_line[i] <= '9' && first < (UINT64_MAX / 16); ++i)
        first = first * 10 + static_cast<std::uint64_t>(first_line[i] - '0');
    for (++i; i < first_line.size() && first_line[i] >= '0' && first_line[i] <= '9' && last < (UINT64_MAX / 16); ++i)
        last = last * 10 + static_cast<std::uint64_t>(first_line[i] - '0');
    const coswire::http_response head = fuzz::make_response(rest);
    if (auto answer = coswire::check_range_answer(head, first, last))
        static_cast<void>(coswire::plan_download(answer->object.size, 8u << 20));
    return 0;
}
