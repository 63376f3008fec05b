// SPDX-License-Identifier: MIT
// What a server-side copy is asked to do and what it reports, shared by the copy machine and the
// blocking functions over it (docs/protocol/copy.md#copying-large-objects).
#pragma once

#include <coswire/api/copy.hpp>
#include <coswire/api/limits.hpp>
#include <coswire/api/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace coswire {

/// How to run one copy.
struct copy_object_options {
    /// Sources of at most this many bytes are copied with one PUT Object - Copy, larger ones by
    /// multipart copy; at most max_put_object_size (5 GiB), the largest single copy COS advises.
    std::uint64_t threshold = max_put_object_size;
    /// The preferred part size of a multipart copy (1 MiB to 5 GiB); plan_parts grows it when the
    /// object would need more than 10000 parts.
    std::uint64_t part_size = 16 * mib;
    std::optional<std::string> source_version_id{};  ///< copy this version of the source
    /// Keep the source's Content-Type, Cache-Control, ... and x-cos-meta-* (copy), or take
    /// them from `attributes` (replaced). A multipart copy sends the source's, read by the HEAD,
    /// on Initiate, so both ways of copying give the same object.
    metadata_directive directive = metadata_directive::copy;
    /// Storage class, ACL, tags and encryption of the copy (never taken from the source), and the
    /// metadata when directive is replaced.
    object_attributes attributes{};
    bool keep_on_failure = false;  ///< leave a failed multipart copy's upload (and its parts) in place
};

/// What a finished copy produced and which checks were made.
struct copy_object_result {
    std::uint64_t size = 0;       ///< bytes copied (the source's Content-Length)
    std::string source_etag{};    ///< the source's ETag every copy request was pinned to, unquoted
    bool multipart = false;     ///< copied by multipart copy rather than one PUT Object - Copy
    std::string upload_id{};      ///< the multipart copy's upload id
    std::uint32_t parts = 0;    ///< parts of a multipart copy; 0 for a single copy
    std::string etag{};           ///< the copy's ETag, unquoted
    std::string version_id{};     ///< the copy's version (versioned destination bucket)
    std::optional<std::uint64_t> crc64{};  ///< the copy's CRC-64 as COS reported it, when it did
    /// True only when the source's CRC-64 (HEAD) and the copy's were both known and equal.
    bool crc64_matched = false;
    /// Why the CRC-64 check could not be made when crc64_matched is false; empty when it was made.
    std::string crc64_unchecked{};
    /// A retried Complete answered NoSuchUpload and a HEAD of the copy (size and CRC-64) showed an
    /// earlier attempt had completed it.
    bool confirmed_by_head = false;
};

}  // namespace coswire
