// SPDX-License-Identifier: MIT
// COS's numeric limits, each stated once: object and part sizes, part numbers, page sizes and
// the x-cos-traffic-limit range (docs/protocol/multipart.md#part-limits, docs/protocol/objects.md,
// docs/protocol/headers.md#traffic-limit).
//
// "MB" and "GB" in the COS pages are binary units in the SDKs (1 MB = 1048576 bytes, 5 GB =
// 5 × 2^30 bytes, docs/protocol/multipart.md#part-limits), so these are too.
#pragma once

#include <cstdint>

namespace coswire {

/// One mebibyte, 2^20 bytes: the "1 MB" of the COS pages and SDKs (docs/protocol/multipart.md#part-limits).
inline constexpr std::uint64_t mib = std::uint64_t{1} << 20;

/// The smallest part but the last one: 1 MB (docs/protocol/multipart.md#part-limits); COS refuses a
/// smaller non-last part at Complete with EntityTooSmall.
inline constexpr std::uint64_t min_part_size = 1 * mib;
/// The largest part, uploaded or copied: 5 GB = 5 × 2^30 bytes (docs/protocol/multipart.md#part-limits, #upload-part-copy).
inline constexpr std::uint64_t max_part_size = std::uint64_t{5} << 30;
/// Part numbers run from 1 to 10000 (docs/protocol/multipart.md#part-limits).
inline constexpr std::uint32_t max_part_number = 10000;
/// The most parts one upload may have: every number from 1 to max_part_number (docs/protocol/multipart.md#part-limits).
inline constexpr std::uint32_t max_part_count = max_part_number;
/// The largest object a multipart upload can build: 10000 parts of 5 GB, ~48.8 TiB (docs/protocol/multipart.md#part-limits).
inline constexpr std::uint64_t max_object_size = max_part_size * max_part_count;

/// The largest body one PUT Object may carry: 5 GB = 5 × 2^30 bytes
/// (docs/protocol/objects.md#put-object); larger objects need a multipart upload.
inline constexpr std::uint64_t max_put_object_size = std::uint64_t{5} << 30;

/// The lowest x-cos-traffic-limit COS accepts, in bit/s (100 KB/s; docs/protocol/headers.md#traffic-limit).
inline constexpr std::uint64_t min_traffic_limit = 819200;
/// The highest x-cos-traffic-limit COS accepts, in bit/s (100 MB/s; docs/protocol/headers.md#traffic-limit).
inline constexpr std::uint64_t max_traffic_limit = 838860800;

/// The largest max-keys GET Bucket accepts (docs/protocol/objects.md#get-bucket).
inline constexpr std::uint32_t max_list_objects_keys = 1000;
/// The largest page List Parts is asked for; the SDKs cap max-parts at 1000 (docs/protocol/multipart.md#list-parts).
inline constexpr std::uint32_t max_list_parts_page = 1000;
/// max-uploads of List Multipart Uploads is 1 to 1000 (docs/protocol/multipart.md#list-multipart-uploads).
inline constexpr std::uint32_t max_list_uploads_page = 1000;

}  // namespace coswire
