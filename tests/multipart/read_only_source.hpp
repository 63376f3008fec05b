// SPDX-License-Identifier: MIT
// A test upload_source that can only read, as a file would: the drivers copy each part into
// their buffer (and the parallel one reads under its lock). Counts the reads.
#pragma once

#include <coswire/multipart/upload.hpp>

#include <cstdint>
#include <span>

struct read_only_source {
    coswire::memory_source inner;
    std::uint32_t reads = 0;
    std::uint64_t size() const { return inner.size(); }
    coswire::result<void> read(std::uint64_t offset, std::span<std::byte> out) {
        ++reads;
        return inner.read(offset, out);
    }
};
static_assert(coswire::upload_source<read_only_source> && !coswire::contiguous_upload_source<read_only_source>);
static_assert(coswire::contiguous_upload_source<coswire::memory_source>);
