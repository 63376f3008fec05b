// SPDX-License-Identifier: MIT
// The shape two machines share: one request, then, when its answer leaves a question open (no
// CRC-64 in a PUT's answer, an append refused after a retry), a HEAD of the object that settles it.
// Each runs as an operation machine (retries, waits) under ids of the outer machine.
#pragma once

#include <coswire/api/object.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/relay.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>

namespace coswire::detail {

/// The step plumbing of a request-then-HEAD machine. `Derived` decides what the answers mean:
/// `requested()` runs when the request's machine is done (take first_'s result; call settle_with()
/// to HEAD, or finish()), `headed()` when the HEAD's is (take head_'s result, finish()).
template <class Derived, class Params, class Result>
class request_then_head {
public:
    step next() {
        for (;;) {
            if (result_) return {};
            const step s = head_ ? head_->next() : first_.next();
            if (s.kind != step_kind::done) return relay_.forward(s);
            if (head_) self().headed();
            else self().requested();
        }
    }
    result<void> receive(std::uint32_t id, result<http_response> outcome) {
        return head_ ? relay_.receive(*head_, id, std::move(outcome)) : relay_.receive(first_, id, std::move(outcome));
    }
    result<void> receive_head(std::uint32_t id, const http_response& head) {
        return head_ ? relay_.receive_head(*head_, id, head) : relay_.receive_head(first_, id, head);
    }
    result<void> receive_body(std::uint32_t id, std::span<const std::byte> bytes) {
        return head_ ? relay_.receive_body(*head_, id, bytes) : relay_.receive_body(first_, id, bytes);
    }
    result<void> waited(std::uint32_t id) { return head_ ? relay_.waited(*head_, id) : relay_.waited(first_, id); }

    /// The result, once next() said done; invalid_argument naming "machine" before done or when
    /// it was already taken.
    result<Result> take_result() {
        if (!result_) return machine_misused("take_result: not done yet; call next() until it says done");
        if (taken_) return machine_misused("take_result: the result was already taken");
        taken_ = true;
        return std::move(*result_);
    }

    /// The request lost a connection and was sent again.
    bool may_have_repeated() const noexcept { return first_.may_have_repeated(); }

protected:
    request_then_head(operation_context& context, const Params& request)
        : context_(&context), first_(make_operation_machine(context, request)) {}

    void settle_with(const head_object_params& head) { head_.emplace(make_operation_machine(*context_, head)); }
    void finish(result<Result> r) { result_.emplace(std::move(r)); }

    operation_context* context_;
    operation_machine<operation_parser<Params>> first_;
    std::optional<operation_machine<operation_parser<head_object_params>>> head_{};  // the settling HEAD, once needed

private:
    Derived& self() { return static_cast<Derived&>(*this); }

    step_relay relay_{};
    std::optional<result<Result>> result_{};
    bool taken_ = false;
};

}  // namespace coswire::detail
