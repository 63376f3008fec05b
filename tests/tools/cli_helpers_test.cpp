// SPDX-License-Identifier: MIT
// The coswire CLI's own helpers: SIZE arguments and the stop-signal flag.
#include "cli/interrupt.hpp"
#include "cli/size.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdint>

TEST_CASE("parse_size reads bytes and binary suffixes") {
    CHECK(cli::parse_size("0") == std::uint64_t{0});
    CHECK(cli::parse_size("1048576") == std::uint64_t{1} << 20);
    CHECK(cli::parse_size("512K") == std::uint64_t{512} << 10);
    CHECK(cli::parse_size("512k") == std::uint64_t{512} << 10);
    CHECK(cli::parse_size("16M") == std::uint64_t{16} << 20);
    CHECK(cli::parse_size("1G") == std::uint64_t{1} << 30);
    CHECK(cli::parse_size("2t") == std::uint64_t{2} << 40);
    CHECK(cli::parse_size("18446744073709551615") == UINT64_MAX);
    CHECK(cli::parse_size("16777215T") == std::uint64_t{16777215} << 40);
}

TEST_CASE("parse_size refuses what is not a size, and overflow") {
    for (const char* bad : {"", "M", "-1", "+1", " 1", "1 ", "1.5M", "1MB", "1Mi", "0x10", "1P", "18446744073709551616",
                            "16777216T", "99999999999999999999", "000000000000000000001"})
        CHECK_MESSAGE(!cli::parse_size(bad), bad);
}

TEST_CASE("the first stop signal is recorded for the transfer to poll") {
    cli::catch_stop_signals();
    CHECK_FALSE(cli::stop_requested());
    CHECK(cli::stop_signal() == 0);
    std::raise(SIGTERM);
    CHECK(cli::stop_requested());
    CHECK(cli::stop_signal() == SIGTERM);
}
