// SPDX-License-Identifier: MIT
// The upload progress bar the coswire CLI draws on stderr when stderr is a terminal.
#pragma once

#include <coswire/multipart/upload.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace cli {

/// True when stderr is a terminal, so a redrawn bar makes sense there.
inline bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

/// Redraws `[#####.....]  45%  28.8/64.0 MiB  part 4/8` in place on stderr; finish() ends the line.
class progress_bar {
public:
    /// Draws the bar for `p`.
    void update(const coswire::upload_progress& p) {
        constexpr int width = 30;
        const double fraction = p.bytes_total == 0 ? 1.0 : static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total);
        const int filled = static_cast<int>(fraction * width);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.append(static_cast<std::size_t>(width - filled), '.');
        constexpr double mib = 1024.0 * 1024.0;
        std::fprintf(stderr, "\r[%s] %3d%%  %.1f/%.1f MiB  part %u/%u", bar.c_str(), static_cast<int>(fraction * 100),
                     static_cast<double>(p.bytes_done) / mib, static_cast<double>(p.bytes_total) / mib, p.parts_done, p.part_count);
        std::fflush(stderr);
        drawn_ = true;
    }
    /// Ends the bar's line, if one was drawn.
    void finish() {
        if (drawn_) std::fputc('\n', stderr);
        drawn_ = false;
    }

private:
    bool drawn_ = false;
};

}  // namespace cli
