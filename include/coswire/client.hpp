// SPDX-License-Identifier: MIT
// The client: binds an endpoint, credentials, a clock, a sleeper and the user's transport, and
// runs any operation with fresh signatures, retries with jittered exponential backoff, and clock
// correction from the server's time (docs/protocol/signing.md#validity-and-clock-skew,
// docs/protocol/errors.md#retry-classification). Each call is the blocking loop (drive) over an
// operation machine, the engine an event loop drives too (docs/event-loop.md). The blocking
// calls that take a client and run a machine of several requests (append_object, delete_objects)
// come with it.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/drive.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/objects/append.hpp>
#include <coswire/objects/delete_multiple.hpp>
#include <coswire/operation.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

namespace coswire {

/// Runs COS operations through `Transport`. Every attempt is signed afresh with a short
/// window; retries carry the signed header `x-cos-sdk-retry: true`; retryable failures (see
/// classify) back off exponentially with full jitter through the sleeper; a skewed or expired
/// signature corrects the clock offset from the server's time (only from responses that carry
/// x-cos-request-id) and retries at once (operation_machine holds these rules). Borrows the
/// transport.
template <transport Transport>
class client {
public:
    client(endpoint ep, credentials_provider provider, Transport& transport, clock_source clock, sleeper sleep,
           client_options options = {})
        : context_(std::move(ep), std::move(provider), std::move(clock), std::move(options)), transport_(&transport),
          sleep_(std::move(sleep)) {}

    /// Fixed credentials.
    client(endpoint ep, credentials creds, Transport& transport, clock_source clock, sleeper sleep, client_options options = {})
        : context_(std::move(ep), std::move(creds), std::move(clock), std::move(options)), transport_(&transport),
          sleep_(std::move(sleep)) {}

    /// The endpoint every request of this client goes to: its scheme, Host and bucket.
    const endpoint& bucket_endpoint() const noexcept { return context_.bucket_endpoint(); }
    /// Seconds added to the local clock, learnt from the server (0 until a skew was corrected).
    std::int64_t clock_offset() const noexcept { return context_.clock_offset(); }
    /// True when an attempt of the last call lost its connection and a later attempt was made:
    /// the lost one may have taken effect too. Non-idempotent calls (Initiate Multipart Upload)
    /// use it to find the duplicate they may have created.
    bool last_call_may_have_repeated() const noexcept { return last_call_repeated_; }
    /// What this client's machines share (credentials, clock, options, clock offset), for making
    /// machines that drive() then runs, such as the whole-listing machines.
    operation_context& context() noexcept { return context_; }

    /// Builds, signs, sends and parses one operation, retrying as described above.
    /// Errors: the builder's (nothing is sent), the credentials provider's, and the last
    /// attempt's transport, service or parse error.
    template <class Params>
    result<operation_result<Params>> send(const Params& params) {
        auto built = operation<Params>::build(context_.bucket_endpoint(), params);
        if (!built) return std::move(built).error();
        operation_machine<operation_parser<Params>> m(context_, std::move(*built));
        return drive(m);
    }

    /// Sends a prepared request (built by hand or by a builder) through the same signing and retry
    /// loop, parsing the answer with `parse`.
    template <class Parse>
    auto run(const http_request& prepared, Parse&& parse) -> decltype(parse(std::declval<const http_response&>())) {
        operation_machine<std::remove_reference_t<Parse>&> m(context_, prepared, parse);
        return drive(m);
    }

    /// Largest error document run_streaming keeps for `parse` (COS's are a few hundred bytes).
    static constexpr std::size_t max_streamed_error_body = 64 * 1024;

    /// run with the response body streamed (through send_streaming, so a plain transport works
    /// too): on every attempt a 2xx answer's head goes to sink.head and its body to sink.body as
    /// it arrives, so a retried attempt calls sink.head again and its body restarts; any other
    /// answer is kept (body up to max_streamed_error_body, else limit_exceeded naming "body") and
    /// never reaches the sink. `parse` sees the head with an empty body for a 2xx answer, the whole
    /// error answer otherwise, and decides as in run; retries follow its errors. An error the sink
    /// returns ends the attempt with that error (retried only if it is a transport_failure).
    template <class Parse>
    auto run_streaming(const http_request& prepared, response_sink& sink, Parse&& parse)
        -> decltype(parse(std::declval<const http_response&>())) {
        using machine = operation_machine<std::remove_reference_t<Parse>&>;
        static_assert(machine::max_streamed_error_body == max_streamed_error_body);
        machine m(context_, prepared, parse, &sink);
        return drive(m);
    }

    /// The transport and sleeper this client's machines run through, for drivers other than
    /// drive() (drive_parallel in the opt-in parallel headers).
    Transport& bound_transport() noexcept { return *transport_; }
    const sleeper& bound_sleeper() const noexcept { return sleep_; }

    /// Runs a machine made with context() to its end through this client's transport and sleeper
    /// (coswire::drive), and returns its result; last_call_may_have_repeated() then reports it.
    template <step_machine Machine>
    auto drive(Machine& m) -> decltype(m.take_result()) {
        auto out = coswire::drive(m, *transport_, sleep_);
        last_call_repeated_ = m.may_have_repeated();
        return out;
    }

private:
    operation_context context_;
    Transport* transport_;
    sleeper sleep_;
    bool last_call_repeated_ = false;
};

}  // namespace coswire
