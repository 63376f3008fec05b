// SPDX-License-Identifier: MIT
// Deleting a list of objects of any length with DELETE Multiple Objects, 1000 keys a request, as
// a step machine, and delete_objects, the blocking loop over it (docs/protocol/delete-multiple.md#answer).
#pragma once

#include <coswire/api/delete_multiple.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/operation.hpp>
#include <coswire/parse/delete_multiple.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace coswire {

/// Deletes every object of `objects` (any number) with DELETE Multiple Objects, 1000 a request
/// in order (split_delete_multiple_objects), one request at a time, each through the same
/// operation machine (restarted, so the ids run on), and merges the answers: `deleted` and
/// `errors` of all requests, in order; request_id is the last request's. Per-key failures are in
/// `errors`, not an error of the call. Stops at the first request that fails; the objects of
/// earlier requests are deleted by then and later ones untouched. An empty list sends nothing.
/// Errors: the builder's ("objects", before that request is sent); the failing request's;
/// malformed_response naming "Key" for an answer about keys not asked for or, outside quiet mode,
/// silent about some; a misused machine's (invalid_argument naming "step_id" or "machine").
/// Copies the list; borrows the context.
class delete_objects_machine {
public:
    delete_objects_machine(operation_context& context, std::span<const object_to_delete> objects, bool quiet = false,
                           const object_key_options& key_options = {})
        : context_(&context), batches_(split_delete_multiple_objects(objects, quiet, key_options)) {
        if (batches_.empty()) result_.emplace(std::move(merged_));
        else call_.emplace(context, build(0));
    }

    step next() {
        for (;;) {
            if (result_) return {};
            const step s = call_->next();
            if (s.kind != step_kind::done) return s;
            answered();
        }
    }
    result<void> receive(std::uint32_t id, result<http_response> outcome) {
        return call_ ? call_->receive(id, std::move(outcome)) : never_issued(id, step_kind::send);
    }
    result<void> receive_head(std::uint32_t id, const http_response& head) {
        return call_ ? call_->receive_head(id, head) : never_issued(id, step_kind::send);
    }
    result<void> receive_body(std::uint32_t id, std::span<const std::byte> bytes) {
        return call_ ? call_->receive_body(id, bytes) : never_issued(id, step_kind::send);
    }
    result<void> waited(std::uint32_t id) { return call_ ? call_->waited(id) : never_issued(id, step_kind::wait); }

    /// The merged answers, once next() said done; errors: as the class comment says, or
    /// invalid_argument naming "machine" before done or when it was already taken.
    result<delete_multiple_objects_result> take_result() {
        if (!result_) return detail::machine_misused("take_result: not done yet; call next() until it says done");
        if (taken_) return detail::machine_misused("take_result: the result was already taken");
        taken_ = true;
        return std::move(*result_);
    }

    /// A request lost its connection and was sent again (deleting twice deletes the same keys).
    bool may_have_repeated() const noexcept { return repeated_ || (call_ && call_->may_have_repeated()); }

private:
    using call = operation_machine<operation_parser<delete_multiple_objects_params>>;

    result<http_request> build(std::size_t batch) const {
        return operation<delete_multiple_objects_params>::build(context_->bucket_endpoint(), batches_[batch]);
    }

    void answered() {
        repeated_ = repeated_ || call_->may_have_repeated();
        auto answer = call_->take_result();
        if (!answer) return finish(std::move(answer).error());
        if (auto ok = detail::check_delete_answer(batches_[at_], *answer); !ok) return finish(std::move(ok).error());
        merged_.request_id = std::move(answer->request_id);
        for (deleted_object& d : answer->deleted) merged_.deleted.push_back(std::move(d));
        for (delete_failure& e : answer->errors) merged_.errors.push_back(std::move(e));
        if (++at_ == batches_.size()) return finish(std::move(merged_));
        (void)call_->restart(build(at_));  // refused only while an operation runs, and this one is done
    }

    void finish(result<delete_multiple_objects_result> r) { result_.emplace(std::move(r)); }

    // With nothing to delete no step is ever issued, so every report names an unknown step.
    static result<void> never_issued(std::uint32_t id, step_kind kind) { return detail::steps_in_flight<1>{}.check(id, kind); }

    operation_context* context_;
    std::vector<delete_multiple_objects_params> batches_;
    std::size_t at_ = 0;  // the batch in flight
    std::optional<call> call_{};
    delete_multiple_objects_result merged_{};
    bool repeated_ = false;  // an earlier batch's request was sent again
    std::optional<result<delete_multiple_objects_result>> result_{};
    bool taken_ = false;
};

/// Deletes `objects` through `c` (drive over a delete_objects_machine; see there).
template <class Client>
result<delete_multiple_objects_result> delete_objects(Client& c, std::span<const object_to_delete> objects, bool quiet = false,
                                                      const object_key_options& key_options = {}) {
    delete_objects_machine m(c.context(), objects, quiet, key_options);
    return c.drive(m);
}

}  // namespace coswire
