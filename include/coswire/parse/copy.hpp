// SPDX-License-Identifier: MIT
// Response parser for PUT Object - Copy (docs/protocol/copy.md#the-answer).
//
// Choices where Tencent's pages are silent:
// - COS reports a copy that failed after it started as a 200 whose body is <Error>: that is the
//   error (as for Upload Part - Copy), and so is a 200 CopyObjectResult without an ETag (the
//   Python SDK's test).
// - The CRC-64 of the copy is the CRC64 element; the x-cos-hash-crc64ecma header is used when the
//   element is absent, and the two disagreeing is malformed_response (which one would be true?).
//   The version id is the VersionId element, else the x-cos-version-id header.
#pragma once

#include <coswire/api/copy.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/parse/xml_fields.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/reader.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace coswire {

/// What PUT Object - Copy answered (CopyObjectResult, docs/protocol/copy.md#the-answer).
struct put_object_copy_result {
    std::string request_id{};                     ///< x-cos-request-id
    std::string etag_raw{};                       ///< the copy's ETag as listed, quotes included
    std::string etag{};                           ///< the same without its quotes
    std::optional<std::uint64_t> crc64{};         ///< CRC-64/XZ of the copy (CRC64, or x-cos-hash-crc64ecma)
    std::optional<std::int64_t> last_modified{};  ///< Unix seconds
    std::string version_id{};                     ///< the copy's version (versioned destination bucket)
    std::string source_version_id{};              ///< x-cos-copy-source-version-id (versioned source)
    std::string server_side_encryption{};         ///< x-cos-server-side-encryption of the copy
};

/// PUT Object - Copy: a 200 CopyObjectResult{ETag, CRC64, LastModified, VersionId}. Errors:
/// parse_error_response(r) for any other status or a 200 whose body is <Error>;
/// malformed_response naming "document" (bad XML, another root), "ETag" (missing or empty),
/// "CRC64" or "LastModified" (does not parse), "CRC64" also when it differs from
/// x-cos-hash-crc64ecma, or a header that does not parse or repeats; limit_exceeded from the XML
/// reader's limits.
inline result<put_object_copy_result> parse_put_object_copy_response(const http_response& r) {
    put_object_copy_result out;
    auto headers = detail::parse_object_result_document(r, "CopyObjectResult", [&](std::string_view name, xml::reader& c) -> result<void> {
        if (detail::element_is(name, "ETag")) return detail::read_element_etag(c, out.etag_raw, out.etag);
        if (detail::element_is(name, "CRC64")) return detail::store(detail::read_element_decimal(c, "CRC64"), out.crc64);
        if (detail::element_is(name, "LastModified")) return detail::store(detail::read_element_time(c, "LastModified"), out.last_modified);
        if (detail::element_is(name, "VersionId")) return detail::read_element_text(c, out.version_id);
        return {};
    });
    if (!headers) return std::move(headers).error();
    if (out.etag.empty()) return detail::malformed_element("ETag", "CopyObjectResult has no ETag, so the copy cannot be told to have worked");
    if (out.crc64 && headers->crc64 && *out.crc64 != *headers->crc64)
        return detail::malformed_element("CRC64", "the CRC64 element " + std::to_string(*out.crc64) +
                                                      " differs from the x-cos-hash-crc64ecma header " + std::to_string(*headers->crc64));
    if (!out.crc64) out.crc64 = headers->crc64;
    if (out.version_id.empty()) out.version_id = std::move(headers->version_id);
    out.request_id = std::move(headers->request_id);
    out.server_side_encryption = std::move(headers->server_side_encryption);
    if (auto v = r.header("x-cos-copy-source-version-id")) out.source_version_id = std::string(*v);
    return out;
}

}  // namespace coswire
