// SPDX-License-Identifier: MIT
// A plain slicing-by-8 CRC-64/XZ (reflected ECMA-182, init and xorout all ones), the portable
// yardstick for coswire::crc64 in coswire-bench (docs/protocol/integrity.md#the-crc-64-algorithm).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace bench {

class crc64_slicing8 {
public:
    /// Fills the eight 256-entry tables at run time: table[0] is the classic byte-at-a-time
    /// table; table[k][b] advances table[k-1][b] by one more zero byte.
    crc64_slicing8() noexcept {
        constexpr std::uint64_t poly = 0xC96C5795D7870F42u;  // 0x42F0E1EBA9EA3693 bit-reversed
        for (std::uint32_t b = 0; b < 256; ++b) {
            std::uint64_t r = b;
            for (int i = 0; i < 8; ++i) r = (r >> 1) ^ ((r & 1u) != 0 ? poly : 0);
            table_[0][b] = r;
        }
        for (std::size_t k = 1; k < 8; ++k)
            for (std::uint32_t b = 0; b < 256; ++b) table_[k][b] = (table_[k - 1][b] >> 8) ^ table_[0][table_[k - 1][b] & 0xFF];
    }

    /// CRC-64/XZ of `n` bytes at `p`, continuing from the finished CRC `crc` (0 to start).
    std::uint64_t operator()(std::uint64_t crc, const unsigned char* p, std::size_t n) const noexcept {
        std::uint64_t r = ~crc;
        while (n >= 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, p, 8);
            if constexpr (std::endian::native == std::endian::big) word = byte_swap(word);
            r ^= word;
            r = table_[7][r & 0xFF] ^ table_[6][(r >> 8) & 0xFF] ^ table_[5][(r >> 16) & 0xFF] ^
                table_[4][(r >> 24) & 0xFF] ^ table_[3][(r >> 32) & 0xFF] ^ table_[2][(r >> 40) & 0xFF] ^
                table_[1][(r >> 48) & 0xFF] ^ table_[0][r >> 56];
            p += 8;
            n -= 8;
        }
        while (n-- > 0) r = table_[0][(r ^ *p++) & 0xFF] ^ (r >> 8);
        return ~r;
    }

private:
    static constexpr std::uint64_t byte_swap(std::uint64_t v) noexcept {
        std::uint64_t out = 0;
        for (int i = 0; i < 8; ++i, v >>= 8) out = (out << 8) | (v & 0xFF);
        return out;
    }

    std::array<std::array<std::uint64_t, 256>, 8> table_{};
};

}  // namespace bench
