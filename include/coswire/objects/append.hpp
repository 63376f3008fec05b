// SPDX-License-Identifier: MIT
// One APPEND Object through an operation machine, with its answer checked and a retried append
// settled, as a step machine, and append_object, the blocking loop over it (docs/protocol/append.md).
//
// Choices where Tencent's pages are silent:
// - An append is not idempotent. When the operation machine retried after a lost connection and
//   COS then refuses the position (409 AppendPositionErr), the lost attempt may have appended
//   already: the machine HEADs the object and takes the append as done when its length is the
//   position plus the bytes sent, and as failed otherwise.
#pragma once

#include <coswire/api/append.hpp>
#include <coswire/api/object.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/settled.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/parse/append.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace coswire {

/// Appends `p` to its object and checks the answer: the new length must be position plus the
/// bytes sent. When the append's retry met 409 AppendPositionErr after a lost connection, a HEAD
/// of the object settles whether the lost attempt appended (see the header comment); the result
/// then has confirmed_by_head set. The append and the HEAD each run as an operation machine
/// (retries, waits), one after the other, under ids of this machine. Errors: the builder's
/// (nothing is sent), the append's, the HEAD's folded into the append's error; integrity_failure
/// naming "x-cos-next-append-position" when the answer is not position plus the bytes; a misused
/// machine's (invalid_argument naming "step_id" or "machine"). Borrows the context and p's
/// borrowed payload.
class append_object_machine : public detail::request_then_head<append_object_machine, append_object_params, append_object_result> {
public:
    append_object_machine(operation_context& context, const append_object_params& p)
        : request_then_head(context, p), key_(p.key), key_options_(p.key_options),
          // The builder refuses sums past 5 GiB, so this cannot wrap for a request that is sent.
          expected_(p.position + (p.payload.bytes.empty() ? p.body.size() : p.payload.bytes.size())) {}

private:
    friend request_then_head;

    void requested() {
        auto sent = first_.take_result();
        if (!sent && first_.may_have_repeated() && is_cos_error(sent.error(), cos_errc::append_position_err)) {
            refused_.emplace(std::move(sent).error());
            return settle_with(head_object_params{.key = key_, .key_options = key_options_});
        }
        if (sent && sent->next_append_position != expected_)
            return finish(make_error(errc::integrity_failure, "x-cos-next-append-position",
                                     "COS says the object is now " + std::to_string(sent->next_append_position) + " bytes, not " +
                                         std::to_string(expected_) + " (position plus the bytes sent)"));
        finish(std::move(sent));
    }

    void headed() {
        auto head = head_->take_result();
        error e = std::move(*refused_);
        if (!head) {
            e.reason += "; an earlier attempt may have appended, and HEAD could not tell: " + describe(head.error());
            return finish(std::move(e));
        }
        if (head->content_length != expected_) {
            e.reason += "; the object holds " + std::to_string(head->content_length) + " bytes, not the " + std::to_string(expected_) +
                        " a landed earlier attempt would have made";
            return finish(std::move(e));
        }
        finish(append_object_result{head->headers.request_id, head->headers.etag, expected_, head->headers.crc64, true});
    }

    std::string key_;
    object_key_options key_options_;
    std::uint64_t expected_;          // position plus the bytes sent: the object's length after the append
    std::optional<error> refused_{};  // the append's AppendPositionErr, which the HEAD settles
};

/// Sends one append through `c` (drive over an append_object_machine; see there).
template <class Client>
result<append_object_result> append_object(Client& c, const append_object_params& p) {
    append_object_machine m(c.context(), p);
    return c.drive(m);
}

}  // namespace coswire
