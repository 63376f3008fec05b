// SPDX-License-Identifier: MIT
// Where the bytes of a multipart upload come from: a size and positional reads (or bytes lent in
// place), read by the upload machine one part at a time.
#pragma once

#include <coswire/error.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/result.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace coswire {

/// Where upload bytes come from: a size and random-access reads, so objects larger than memory
/// stream through one part buffer. read(offset, out) fills all of `out` or fails.
template <class S>
concept upload_source = requires(S& s, std::uint64_t offset, std::span<std::byte> out) {
    { s.size() } -> std::convertible_to<std::uint64_t>;
    { s.read(offset, out) } -> std::same_as<result<void>>;
};

/// An upload_source whose bytes already sit in memory lends them: view(offset, size) returns
/// the bytes in place, and the drivers hash and send them from there instead of copying each
/// part into a buffer (no part buffer at all; the copy was most of the driver's own cost).
/// The bytes must stay valid and unchanged until the upload returns; view is called
/// concurrently by upload_multipart_parallel, so it must not modify the source.
template <class S>
concept contiguous_upload_source = upload_source<S> && requires(const S& s, std::uint64_t offset, std::uint64_t size) {
    { s.view(offset, size) } -> std::same_as<result<std::span<const std::byte>>>;
};

/// An upload_source over bytes in memory (borrowed), lent to the drivers without copying.
class memory_source {
public:
    explicit memory_source(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}
    std::uint64_t size() const noexcept { return bytes_.size(); }
    result<std::span<const std::byte>> view(std::uint64_t offset, std::uint64_t size) const {
        if (offset > bytes_.size() || size > bytes_.size() - offset)
            return make_error(errc::invalid_argument, "offset",
                              "bytes " + std::to_string(offset) + "+" + std::to_string(size) + " lie past the end of the " +
                                  std::to_string(bytes_.size()) + "-byte source");
        return bytes_.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
    }
    result<void> read(std::uint64_t offset, std::span<std::byte> out) const {
        auto bytes = view(offset, out.size());
        if (!bytes) return std::move(bytes).error();
        if (!out.empty()) std::memcpy(out.data(), bytes->data(), out.size());  // a loop ran at 1 B/cycle
        return {};
    }

private:
    std::span<const std::byte> bytes_;
};

namespace detail {

/// The bytes of one part: lent in place by a contiguous source, else read into `buffer`.
template <upload_source Source>
result<std::span<const std::byte>> part_bytes(Source& source, const part_range& range, std::vector<std::byte>& buffer) {
    if constexpr (contiguous_upload_source<Source>) {
        auto lent = source.view(range.offset, range.size);
        if (lent && lent->size() != range.size)  // a wrong length would be hashed and sent as the part
            return make_error(errc::invalid_argument, "source",
                              "view(" + std::to_string(range.offset) + ", " + std::to_string(range.size) + ") lent " +
                                  std::to_string(lent->size()) + " bytes");
        return lent;
    } else {
        buffer.resize(static_cast<std::size_t>(range.size));
        if (auto ok = source.read(range.offset, buffer); !ok) return std::move(ok).error();
        return std::span<const std::byte>(buffer.data(), buffer.size());
    }
}

}  // namespace detail

}  // namespace coswire
