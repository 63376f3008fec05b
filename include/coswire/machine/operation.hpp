// SPDX-License-Identifier: MIT
// The operation machine: one COS operation with fresh signatures, retries with jittered
// exponential backoff and clock correction from the server's time, as a step machine
// (docs/event-loop.md; docs/protocol/signing.md#validity-and-clock-skew,
// docs/protocol/errors.md#retry-classification).
#pragma once

#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/operation.hpp>
#include <coswire/parse/retry.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/request.hpp>
#include <coswire/time/key_time.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace coswire {

/// Runs one prepared request to its parsed result: each attempt is signed afresh with a window
/// around the context's clock (plus the offset learnt from the server); retries carry the signed
/// header `x-cos-sdk-retry: true`; a failure retry_advice_for calls transient is retried after a
/// wait step of full jitter (uniform in [0, min(backoff_max_ms, backoff_base_ms * 2^(attempt-1))]);
/// a skewed or expired signature corrects the context's clock from the server's time (only from
/// an answer that carried x-cos-request-id) and is retried at once; an expired session token
/// (ExpiredToken) calls client_options::refresh_credentials, when set, and is retried at once,
/// once per operation; at most client_options::max_attempts attempts. One request is in flight
/// at a time.
///
/// `Parse` turns a response into the result: `parse(const http_response&) -> result<T>`; its
/// errors are classified like transport failures and COS errors. It may be a reference type
/// (the machine then calls the caller's parser). With a `sink`, responses are streamed: a 2xx
/// answer's head goes to sink->head and its body to sink->body as reported, so a retried attempt
/// calls sink->head again and its body restarts; any other answer is kept (body up to
/// max_streamed_error_body, else limit_exceeded naming "body") and never reaches the sink; parse
/// then sees the head with an empty body for a 2xx answer, the whole error answer otherwise. An
/// error the sink returns ends the attempt with that error (retried only if it is a
/// transport_failure). Borrows the context and the sink; owns the request.
template <class Parse>
class operation_machine {
public:
    /// What take_result() returns: what `Parse` returns.
    using result_type = std::invoke_result_t<std::remove_reference_t<Parse>&, const http_response&>;

    /// Largest error document kept for `parse` when streaming (COS's are a few hundred bytes).
    static constexpr std::size_t max_streamed_error_body = 64 * 1024;

    /// A machine for `prepared` (a builder's error makes a machine that is done with that error,
    /// so nothing is sent). Errors at the first step: invalid_argument naming "max_attempts" for 0.
    operation_machine(operation_context& context, result<http_request> prepared, Parse parse = Parse{},
                      response_sink* sink = nullptr)
        : context_(&context), parse_(std::forward<Parse>(parse)), sink_(sink) {
        begin(std::move(prepared));
    }

    /// Starts another operation on this finished machine (its result taken or not), for machines
    /// that run operations one after another: step ids keep counting, so an outcome reported for a
    /// request of an earlier operation is refused. Errors: invalid_argument naming "machine"
    /// while the current operation is not done.
    result<void> restart(result<http_request> prepared) {
        if (phase_ != phase::done) return detail::machine_misused("restart: the current operation is not done");
        begin(std::move(prepared));
        return {};
    }

    step next() {
        for (;;) {
            switch (phase_) {
                case phase::sign:
                    if (auto signed_request = sign_attempt(); !signed_request) {
                        fail(std::move(signed_request).error());
                        continue;
                    }
                    phase_ = phase::sending;
                    return {.kind = step_kind::send, .id = in_flight_.issue(step_kind::send), .request = &request_,
                            .streamed = sink_ != nullptr};
                case phase::back_off:
                    phase_ = phase::waiting;
                    return {.kind = step_kind::wait, .id = in_flight_.issue(step_kind::wait), .wait_ms = wait_ms_};
                case phase::sending:
                case phase::waiting:
                    return {.kind = step_kind::idle};
                case phase::done:
                    return {};
            }
        }
    }

    result<void> receive(std::uint32_t id, result<http_response> outcome) {
        if (auto ok = in_flight_.check(id, step_kind::send); !ok) return ok;
        if (sink_ && outcome && !head_seen_)
            return detail::machine_misused("step " + std::to_string(id) + " is streamed: report its head (receive_head) before its end");
        (void)in_flight_.settle(id, step_kind::send);
        if (!outcome) {
            fail(std::move(outcome).error());
            return {};
        }
        if (sink_ && !to_sink_) outcome->body = std::move(error_body_);
        // Parsed straight into the machine's slot: a result such as HEAD's holds a dozen strings,
        // and each move of it showed in the client's overhead over the same work by hand.
        result_.emplace(parsed_answer{parse_, *outcome});
        if (*result_) {
            phase_ = phase::done;
        } else {
            error e = std::move(*result_).error();
            result_.reset();
            fail(std::move(e));
        }
        return {};
    }

    result<void> receive_head(std::uint32_t id, const http_response& head) {
        if (auto ok = streamed_step(id); !ok) return ok;
        if (head_seen_) return detail::machine_misused("step " + std::to_string(id) + " already reported its head");
        head_seen_ = true;
        to_sink_ = head.status >= 200 && head.status < 300;
        return to_sink_ ? sink_->head(head) : result<void>{};
    }

    result<void> receive_body(std::uint32_t id, std::span<const std::byte> bytes) {
        if (auto ok = streamed_step(id); !ok) return ok;
        if (!head_seen_) return detail::machine_misused("step " + std::to_string(id) + " reported body bytes before its head");
        if (to_sink_) return sink_->body(bytes);
        if (bytes.size() > max_streamed_error_body - error_body_.size())
            return make_error(errc::limit_exceeded, "body", "an error answer's body exceeds 64 KiB");
        error_body_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        return {};
    }

    result<void> waited(std::uint32_t id) {
        if (auto ok = in_flight_.settle(id, step_kind::wait); !ok) return ok;
        phase_ = phase::sign;
        return {};
    }

    /// The result, once next() said done; errors: invalid_argument naming "machine" before that
    /// or when it was already taken.
    result_type take_result() {
        if (phase_ != phase::done) return detail::machine_misused("take_result: not done yet; call next() until it says done");
        if (taken_) return detail::machine_misused("take_result: the result was already taken");
        taken_ = true;
        return std::move(*result_);
    }

    /// True when an attempt lost its connection and a later attempt was made: the lost one may
    /// have taken effect too (a non-idempotent Initiate Multipart Upload may have created two uploads).
    bool may_have_repeated() const noexcept { return repeated_; }

private:
    enum class phase : std::uint8_t { sign, sending, back_off, waiting, done };

    void begin(result<http_request> prepared) {
        attempt_ = 0;
        repeated_ = false;
        refreshed_ = false;
        taken_ = false;
        result_.reset();
        if (!prepared) return finish(std::move(prepared).error());
        request_ = std::move(*prepared);
        unsigned_headers_ = request_.headers.size();
        if (context_->options().max_attempts == 0)
            return finish(make_error(errc::invalid_argument, "max_attempts", "must be at least 1"));
        phase_ = phase::sign;
    }

    // Signs the next attempt in place: the headers an earlier attempt added (retry mark, session
    // token, Authorization) are dropped first, so each attempt sends the prepared request plus its own.
    result<void> sign_attempt() {
        ++attempt_;
        head_seen_ = false;
        to_sink_ = false;
        error_body_.clear();
        request_.headers.resize(unsigned_headers_);
        auto creds = context_->fetch_credentials();
        if (!creds) return std::move(creds).error();
        const client_options& options = context_->options();
        auto window = key_time::starting_at(context_->now(), options.signature_lifetime, options.signature_backdate);
        if (!window) return std::move(window).error();
        auto s = signer::create(*creds, *window);
        if (!s) return std::move(s).error();
        if (attempt_ > 1) request_.headers.push_back({"x-cos-sdk-retry", "true"});
        if (auto signed_parts = authorize(request_, *s, options.signing); !signed_parts) return std::move(signed_parts).error();
        return {};
    }

    // A failed attempt: give up, retry at once after fixing the clock, or back off first.
    void fail(error e) {
        if (attempt_ >= context_->options().max_attempts) return finish(std::move(e));
        repeated_ = repeated_ || e.code == errc::transport_failure;
        const retry_advice advice = retry_advice_for(e);
        switch (advice.action) {
            case retry_action::fail:
                return finish(std::move(e));
            case retry_action::retry_with_fresh_credentials:
                if (refreshed_ || !context_->options().refresh_credentials) return finish(std::move(e));
                refreshed_ = true;
                context_->options().refresh_credentials();
                phase_ = phase::sign;  // the next attempt fetches the credentials again
                return;
            case retry_action::retry_after_clock_fix:
                if (advice.server_time) context_->correct_clock(*advice.server_time);
                phase_ = phase::sign;  // a fresh signature with the corrected clock; no wait needed
                return;
            case retry_action::retry:
                wait_ms_ = context_->backoff(attempt_);
                phase_ = phase::back_off;
                return;
        }
    }

    // Converts to the parser's result where emplace constructs it, so the parser's return value
    // is built in the slot itself rather than moved there from a temporary.
    struct parsed_answer {
        std::remove_reference_t<Parse>& parse;
        const http_response& answer;
        operator result_type() const { return parse(answer); }  // NOLINT: converts by design
    };

    void finish(error e) {
        result_.emplace(std::move(e));
        phase_ = phase::done;
    }

    result<void> streamed_step(std::uint32_t id) const {
        if (auto ok = in_flight_.check(id, step_kind::send); !ok) return ok;
        if (!sink_) return detail::machine_misused("step " + std::to_string(id) + " is not streamed: report it with receive alone");
        return {};
    }

    operation_context* context_;
    Parse parse_;
    response_sink* sink_;
    http_request request_{};
    std::size_t unsigned_headers_ = 0;  // the prepared request's headers; later ones belong to an attempt
    detail::steps_in_flight<1> in_flight_{};
    phase phase_ = phase::done;
    std::uint32_t attempt_ = 0;
    std::uint32_t wait_ms_ = 0;
    bool repeated_ = false;
    bool refreshed_ = false;  // this operation already asked for fresh credentials once
    bool head_seen_ = false;  // streamed: the current attempt's head was reported
    bool to_sink_ = false;    // streamed: the current attempt's answer is 2xx and goes to the sink
    std::string error_body_{};
    std::optional<result_type> result_{};
    bool taken_ = false;  // take_result() moved result_ out (it stays, emptied, until the next operation)
};

/// The parser of an operation's params type, as the operation registry names it.
template <class Params>
struct operation_parser {
    result<operation_result<Params>> operator()(const http_response& r) const { return operation<Params>::parse(r); }
};

/// The machine of the operation `params` describe, built for the context's endpoint (a builder
/// error makes a machine that is done with it at once).
template <class Params>
operation_machine<operation_parser<Params>> make_operation_machine(operation_context& context, const Params& params) {
    return {context, operation<Params>::build(context.bucket_endpoint(), params)};
}

}  // namespace coswire
