// SPDX-License-Identifier: MIT
// Response parser for APPEND Object (docs/protocol/append.md); append_object, which sends one
// and settles a retried one, is in <coswire/objects/append.hpp>.
//
// Choices where Tencent's pages are silent:
// - x-cos-next-append-position is required: it is what the next append needs.
#pragma once

#include <coswire/api/append.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/parse/xml_fields.hpp>
#include <coswire/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace coswire {

/// What APPEND Object answered.
struct append_object_result {
    std::string request_id{};                 ///< x-cos-request-id
    std::string etag{};                       ///< ETag, unquoted (COS sends it without quotes)
    std::uint64_t next_append_position = 0;   ///< x-cos-next-append-position: the object's new length
    std::optional<std::uint64_t> crc64{};     ///< x-cos-hash-crc64ecma of the whole object, when sent
    /// Set by append_object (its machine) only: the answer was lost, and a HEAD showed the append had landed.
    bool confirmed_by_head = false;
};

/// APPEND Object: 200 with x-cos-next-append-position. Errors: parse_error_response(r)
/// otherwise (409 ObjectNotAppendable, 409 AppendPositionErr, ...), also for a 200 <Error>;
/// malformed_response naming "x-cos-next-append-position" (missing or not a number) or a header
/// that does not parse or repeats.
inline result<append_object_result> parse_append_object_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    auto headers = parse_object_headers(r);
    if (!headers) return std::move(headers).error();
    const auto next = r.header("x-cos-next-append-position");
    if (!next) return detail::malformed_element("x-cos-next-append-position", "is missing from an APPEND Object answer");
    auto position = detail::parse_decimal(*next, "x-cos-next-append-position");
    if (!position) return std::move(position).error();
    return append_object_result{std::move(headers->request_id), std::move(headers->etag), *position, headers->crc64, false};
}

}  // namespace coswire
