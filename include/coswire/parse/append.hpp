// SPDX-License-Identifier: MIT
// Response parser for APPEND Object, and append_object, which sends one append through a client
// and settles a retried one (docs/protocol/append.md).
//
// Choices where Tencent's pages are silent:
// - x-cos-next-append-position is required: it is what the next append needs.
// - An append is not idempotent. When the client retried after a lost connection and COS then
//   refuses the position (409 AppendPositionErr), the lost attempt may have appended already:
//   append_object HEADs the object and takes the append as done when its length is the
//   position plus the bytes sent, and as failed otherwise.
#pragma once

#include <coswire/api/append.hpp>
#include <coswire/api/object.hpp>
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
    /// Set by append_object only: the answer was lost, and a HEAD showed the append had landed.
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

/// Sends one append through `c` and checks the answer: the new length must be position plus the
/// bytes sent. When the client's retry met 409 AppendPositionErr after a lost connection, a HEAD
/// of the object settles whether the lost attempt appended (see the header comment).
/// Errors: the builder's and c.send's; integrity_failure naming "x-cos-next-append-position"
/// when the answer (or the HEAD's length) is not position plus the bytes.
template <class Client>
result<append_object_result> append_object(Client& c, const append_object_params& p) {
    const std::uint64_t size = p.payload.bytes.empty() ? p.body.size() : p.payload.bytes.size();
    const std::uint64_t expected = p.position + size;  // the builder refuses sums past 5 GiB
    auto sent = c.send(p);
    if (!sent && c.last_call_may_have_repeated() && is_cos_error(sent.error(), cos_errc::append_position_err)) {
        auto head = c.send(head_object_params{.key = p.key, .key_options = p.key_options});
        if (!head) {
            error e = std::move(sent).error();
            e.reason += "; an earlier attempt may have appended, and HEAD could not tell: " + describe(head.error());
            return e;
        }
        if (head->content_length != expected) {
            error e = std::move(sent).error();
            e.reason += "; the object holds " + std::to_string(head->content_length) + " bytes, not the " + std::to_string(expected) +
                        " a landed earlier attempt would have made";
            return e;
        }
        return append_object_result{head->headers.request_id, head->headers.etag, expected, head->headers.crc64, true};
    }
    if (!sent) return sent;
    if (sent->next_append_position != expected)
        return make_error(errc::integrity_failure, "x-cos-next-append-position",
                          "COS says the object is now " + std::to_string(sent->next_append_position) + " bytes, not " +
                              std::to_string(expected) + " (position plus the bytes sent)");
    return sent;
}

}  // namespace coswire
