// SPDX-License-Identifier: MIT
// The multipart-driver row of coswire-bench (issue 5): upload_multipart through a transport that
// answers like COS but does nothing (every answer prepared before the timing), against the
// hashing no correct client can skip: MD5 (Content-MD5, the ETag check) and CRC-64 of each part.
// What the driver costs beyond that is its own overhead: signing, building and parsing ten
// requests, the CRC-64 combine, and for a source that can only read (a file, say) copying each
// part into the part buffer; memory_source lends its bytes, so that copy is gone. With
// Content-MD5 off the driver hashes with CRC-64 only, and is compared with just that.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/client.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/multipart/upload.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

/// A transport that is a COS bucket with one object's answers ready: Initiate, each Upload
/// Part's ETag and CRC-64, Complete's whole-object CRC-64. Requests are matched by method and
/// query only; nothing is copied or hashed, so its cost is close to nothing.
class canned_cos {
public:
    canned_cos(std::span<const std::byte> object, const coswire::part_plan& plan) {
        for (std::uint32_t n = 1; n <= plan.part_count; ++n) {
            const coswire::part_range r = plan.part(n);
            const auto part = object.subspan(static_cast<std::size_t>(r.offset), static_cast<std::size_t>(r.size));
            const coswire::md5_digest md5 = coswire::md5_hash(part);
            part_answers_.push_back(coswire::http_response{
                200,
                {{"ETag", "\"" + coswire::to_hex(std::span<const std::uint8_t>(md5)) + "\""},
                 {"x-cos-hash-crc64ecma", std::to_string(coswire::crc64(part))}},
                {}});
        }
        initiate_answer_ = {200, {{"Content-Type", "application/xml"}},
                            "<InitiateMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket>"
                            "<Key>bench/object.bin</Key><UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b</UploadId>"
                            "</InitiateMultipartUploadResult>"};
        object_crc_ = coswire::crc64(object);
        complete_answer_ = {200,
                            {{"Content-Type", "application/xml"}, {"x-cos-hash-crc64ecma", std::to_string(object_crc_)}},
                            "<CompleteMultipartUploadResult><Location>examplebucket-1250000000.cos.ap-beijing.myqcloud.com/"
                            "bench/object.bin</Location><Bucket>examplebucket-1250000000</Bucket><Key>bench/object.bin</Key>"
                            "<ETag>&quot;0123456789abcdef0123456789abcdef-" +
                                std::to_string(plan.part_count) + "&quot;</ETag></CompleteMultipartUploadResult>"};
    }

    /// The whole object's CRC-64/XZ, as Complete reports it.
    std::uint64_t object_crc() const noexcept { return object_crc_; }

    coswire::result<coswire::http_response> operator()(const coswire::http_request& r) const {
        if (r.method == "POST" && has_param(r, "uploads")) return initiate_answer_;
        if (r.method == "POST" && has_param(r, "uploadId")) return complete_answer_;
        if (r.method == "PUT")
            for (const coswire::http_query_param& p : r.query)
                if (p.name == "partNumber" && p.value) {
                    const auto n = coswire::detail::parse_decimal(*p.value, "partNumber");
                    if (n && *n >= 1 && *n <= part_answers_.size()) return part_answers_[static_cast<std::size_t>(*n - 1)];
                }
        return coswire::make_error(coswire::errc::transport_failure, "transport", "canned_cos: unexpected request");
    }

private:
    static bool has_param(const coswire::http_request& r, std::string_view name) {
        for (const coswire::http_query_param& p : r.query)
            if (p.name == name) return true;
        return false;
    }

    std::vector<coswire::http_response> part_answers_;
    coswire::http_response initiate_answer_;
    coswire::http_response complete_answer_;
    std::uint64_t object_crc_ = 0;
};

/// Hides memory_source's view: the driver must read each part into its buffer, as from a file.
class read_only_source {
public:
    explicit read_only_source(std::span<const std::byte> bytes) noexcept : inner_(bytes) {}
    std::uint64_t size() const noexcept { return inner_.size(); }
    coswire::result<void> read(std::uint64_t offset, std::span<std::byte> out) const { return inner_.read(offset, out); }

private:
    coswire::memory_source inner_;
};

/// One upload of `object` with upload_multipart through `cos`, the bytes lent by a
/// memory_source or, with a read_only_source, copied part by part; false when it fails or its
/// result is not the object's.
template <class Source = coswire::memory_source>
bool upload_through_driver(canned_cos& cos, std::span<const std::byte> object, const coswire::part_plan& plan,
                           const coswire::multipart_upload_options& options = {}) {
    const coswire::credentials creds{.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q", .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz")};
    coswire::client<canned_cos> client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds,
                                       cos, [] { return std::int64_t{1700000000}; }, [](std::uint32_t) {});
    Source source(object);
    auto done = coswire::upload_multipart(client, "bench/object.bin", source, plan, options);
    return done && done->parts == plan.part_count && done->crc64 == cos.object_crc();
}

/// The hashing every correct client does per part: MD5 and CRC-64 of its bytes.
inline std::uint64_t hash_parts(std::span<const std::byte> object, const coswire::part_plan& plan) {
    std::uint64_t fold = 0;
    for (std::uint32_t n = 1; n <= plan.part_count; ++n) {
        const coswire::part_range r = plan.part(n);
        const auto part = object.subspan(static_cast<std::size_t>(r.offset), static_cast<std::size_t>(r.size));
        const coswire::md5_digest md5 = coswire::md5_hash(part);
        fold ^= coswire::crc64(part) ^ md5[0];
    }
    return fold;
}

/// What is left to hash with Content-MD5 off: the CRC-64 of each part.
inline std::uint64_t crc_parts(std::span<const std::byte> object, const coswire::part_plan& plan) {
    std::uint64_t fold = 0;
    for (std::uint32_t n = 1; n <= plan.part_count; ++n) {
        const coswire::part_range r = plan.part(n);
        fold ^= coswire::crc64(object.subspan(static_cast<std::size_t>(r.offset), static_cast<std::size_t>(r.size)));
    }
    return fold;
}

}  // namespace bench
