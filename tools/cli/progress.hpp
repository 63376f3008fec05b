// SPDX-License-Identifier: MIT
// The progress bar the coswire CLI draws on stderr when stderr is a terminal: for uploads (parts),
// downloads (ranges) and streams of unknown length, with bytes, rate and time left.
#pragma once

#include <coswire/download/driver.hpp>
#include <coswire/multipart/upload.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace cli {

/// True when stderr is a terminal, so a redrawn bar makes sense there.
inline bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

/// `seconds` as `1h02m`, `3m07s` or `42s`; `--` when unknown (nothing moved yet).
inline std::string eta_text(double seconds) {
    if (!(seconds >= 0) || seconds > 99 * 3600.0) return "--";
    const auto s = static_cast<unsigned long>(seconds + 0.5);
    char text[32];
    if (s >= 3600) std::snprintf(text, sizeof text, "%luh%02lum", s / 3600, s / 60 % 60);
    else if (s >= 60) std::snprintf(text, sizeof text, "%lum%02lus", s / 60, s % 60);
    else std::snprintf(text, sizeof text, "%lus", s);
    return text;
}

/// The bar's text for `done` of `total` bytes (total 0: unknown, a stream) moving at `rate`
/// bytes per second (0: not known yet): `[#####.....]  45%  28.8/64.0 MiB  12.3 MiB/s  ETA 3s`
/// plus `tail`. Pure, so it is tested without a clock.
inline std::string progress_line(std::uint64_t done, std::uint64_t total, double rate, const std::string& tail) {
    constexpr double mib = 1024.0 * 1024.0;
    char rate_text[48];
    std::snprintf(rate_text, sizeof rate_text, "%.1f MiB/s", rate / mib);
    char text[160];
    if (total == 0) {
        // Unknown length: no bar, no percentage, no time left.
        std::snprintf(text, sizeof text, "%.1f MiB  %s", static_cast<double>(done) / mib, rate_text);
        return text + tail;
    }
    constexpr int width = 30;
    const double fraction = done >= total ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
    const int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(width - filled), '.');
    const double left = rate > 0 ? static_cast<double>(total - (done >= total ? total : done)) / rate : -1;
    std::snprintf(text, sizeof text, "[%s] %3d%%  %.1f/%.1f MiB  %s  ETA %s", bar.c_str(), static_cast<int>(fraction * 100),
                  static_cast<double>(done) / mib, static_cast<double>(total) / mib, rate_text, eta_text(left).c_str());
    return text + tail;
}

/// Redraws the bar in place on stderr; finish() ends the line. The rate counts from start(), or
/// else from the first update.
class progress_bar {
public:
    /// The transfer starts now, `already` bytes being done before it (a resumed download's): the
    /// rate is of the bytes moved since, and the time left follows from it.
    void start(std::uint64_t already = 0) {
        started_ = std::chrono::steady_clock::now();
        first_bytes_ = already;
        running_ = true;
    }
    /// Draws the bar for an upload: bytes, rate, time left and `part 4/8` (`part 4` for a stream).
    void update(const coswire::upload_progress& p) {
        const std::string tail = p.part_count == 0 ? "  part " + std::to_string(p.parts_done)
                                                   : "  part " + std::to_string(p.parts_done) + "/" + std::to_string(p.part_count);
        draw(p.bytes_done, p.bytes_total, tail);
    }
    /// Draws the bar for a download.
    void update(const coswire::download_progress& p) { draw(p.bytes_done, p.bytes_total, ""); }
    /// Ends the bar's line, if one was drawn.
    void finish() {
        if (drawn_) std::fputc('\n', stderr);
        drawn_ = false;
    }

private:
    void draw(std::uint64_t done, std::uint64_t total, const std::string& tail) {
        if (!running_) start(done);
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - started_).count();
        const std::uint64_t moved = done >= first_bytes_ ? done - first_bytes_ : 0;
        const double rate = seconds > 0 ? static_cast<double>(moved) / seconds : 0;
        const std::string line = progress_line(done, total, rate, tail);
        std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
        std::fflush(stderr);
        drawn_ = true;
    }

    bool drawn_ = false;
    bool running_ = false;
    std::chrono::steady_clock::time_point started_{};
    std::uint64_t first_bytes_ = 0;
};

}  // namespace cli
