// SPDX-License-Identifier: MIT
// The client: binds an endpoint, credentials, a clock, a sleeper and the user's transport, and
// runs any operation with fresh signatures, retries with jittered exponential backoff, and clock
// correction from the server's time (docs/protocol/signing.md#validity-and-clock-skew,
// docs/protocol/errors.md#retry-classification).
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/callback.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/operation.hpp>
#include <coswire/parse/retry.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/request.hpp>
#include <coswire/time/key_time.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

namespace coswire {

/// How the client signs and retries.
struct client_options {
    std::int64_t signature_lifetime = 900;  ///< seconds each signature stays valid
    std::int64_t signature_backdate = 60;   ///< seconds the window starts before "now", absorbing small skew
    std::uint32_t max_attempts = 4;         ///< attempts per operation, first one included (>= 1)
    std::uint32_t backoff_base_ms = 100;    ///< first retry waits up to this, doubling each time
    std::uint32_t backoff_max_ms = 10000;   ///< cap of one wait
    std::uint64_t jitter_seed = 0;          ///< seeds the jitter: randomness is a parameter too
    sign_options signing{};                   ///< header selection
};

namespace detail {

/// The backoff jitter source: splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom
/// number generators", 2014), seeded with client_options::jitter_seed. Statistically fine for
/// spreading retries, not for secrets; and, unlike <random>, nearly free to compile.
class jitter_generator {
public:
    explicit jitter_generator(std::uint64_t seed) noexcept : state_(seed) {}
    std::uint64_t operator()() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15u);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
        return z ^ (z >> 31);
    }

private:
    std::uint64_t state_;
};

}  // namespace detail

/// Supplies credentials for each attempt; temporary (STS) credentials refresh behind it.
using credentials_provider = callback<result<credentials>()>;
/// Returns the current Unix time in seconds. The library never reads a clock itself.
using clock_source = callback<std::int64_t()>;
/// Waits the given number of milliseconds (tests pass one that only records).
using sleeper = callback<void(std::uint32_t)>;

/// Runs COS operations through `Transport`. Every attempt is signed afresh with a short
/// window; retries carry the signed header `x-cos-sdk-retry: true`; retryable failures (see
/// classify) back off exponentially with full jitter through the sleeper; a skewed or expired
/// signature corrects the clock offset from the server's time (only from responses that carry
/// x-cos-request-id) and retries at once. Borrows the transport.
template <transport Transport>
class client {
public:
    client(endpoint ep, credentials_provider provider, Transport& transport, clock_source clock, sleeper sleep,
           client_options options = {})
        : endpoint_(std::move(ep)), provider_(std::move(provider)), transport_(&transport), clock_(std::move(clock)),
          sleep_(std::move(sleep)), options_(std::move(options)), jitter_(options_.jitter_seed) {}

    /// Fixed credentials.
    client(endpoint ep, credentials creds, Transport& transport, clock_source clock, sleeper sleep, client_options options = {})
        : client(std::move(ep), [c = std::move(creds)]() -> result<credentials> { return c; }, transport, std::move(clock),
                 std::move(sleep), std::move(options)) {}

    /// The endpoint every request of this client goes to: its scheme, Host and bucket.
    const endpoint& bucket_endpoint() const noexcept { return endpoint_; }
    /// Seconds added to the local clock, learnt from the server (0 until a skew was corrected).
    std::int64_t clock_offset() const noexcept { return clock_offset_; }
    /// True when an attempt of the last call lost its connection and a later attempt was made:
    /// the lost one may have taken effect too. Non-idempotent calls (Initiate Multipart Upload)
    /// use it to find the duplicate they may have created.
    bool last_call_may_have_repeated() const noexcept { return last_call_repeated_; }

    /// Builds, signs, sends and parses one operation, retrying as described above.
    /// Errors: the builder's (nothing is sent), the credentials provider's, and the last
    /// attempt's transport, service or parse error.
    template <class Params>
    result<operation_result<Params>> send(const Params& params) {
        auto built = operation<Params>::build(endpoint_, params);
        if (!built) return std::move(built).error();
        return run(*built, [](const http_response& r) { return operation<Params>::parse(r); });
    }

    /// Sends a prepared request (built by hand or by a builder) through the same signing and retry
    /// loop, parsing the answer with `parse`.
    template <class Parse>
    auto run(const http_request& prepared, Parse&& parse) -> decltype(parse(std::declval<const http_response&>())) {
        return retrying(prepared, parse, [this](const http_request& r) { return send_collected(*transport_, r); });
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
        return retrying(prepared, parse, [this, &sink](const http_request& r) -> result<http_response> {
            std::string error_body;
            bool streaming = false;
            response_sink split{
                .head = [&](const http_response& head) -> result<void> {
                    streaming = head.status >= 200 && head.status < 300;
                    return streaming ? sink.head(head) : result<void>{};
                },
                .body = [&](std::span<const std::byte> bytes) -> result<void> {
                    if (streaming) return sink.body(bytes);
                    if (bytes.size() > max_streamed_error_body - error_body.size())
                        return make_error(errc::limit_exceeded, "body", "an error answer's body exceeds 64 KiB");
                    error_body.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
                    return {};
                },
            };
            auto head = send_streaming(*transport_, r, split);
            if (head && !streaming) head->body = std::move(error_body);
            return head;
        });
    }

private:
    // The signing and retry loop shared by run and run_streaming; `send` carries one signed attempt.
    template <class Parse, class Send>
    auto retrying(const http_request& prepared, Parse& parse, Send send) -> decltype(parse(std::declval<const http_response&>())) {
        if (options_.max_attempts == 0) return make_error(errc::invalid_argument, "max_attempts", "must be at least 1");
        coswire::error last = make_error(errc::transport_failure, "transport", "not attempted");
        last_call_repeated_ = false;
        for (std::uint32_t attempt = 1; attempt <= options_.max_attempts; ++attempt) {
            auto outcome = attempt_once(prepared, attempt, parse, send);
            if (outcome) return outcome;
            last = std::move(outcome).error();
            if (attempt == options_.max_attempts) break;
            last_call_repeated_ = last_call_repeated_ || last.code == errc::transport_failure;
            const retry_advice advice = retry_advice_for(last);
            if (advice.action == retry_action::fail) break;
            if (advice.action == retry_action::retry_after_clock_fix) {
                if (advice.server_time) clock_offset_ = *advice.server_time - clock_();
                continue;  // a fresh signature with the corrected clock; no wait needed
            }
            sleep_(backoff(attempt));
        }
        return last;
    }

    template <class Parse, class Send>
    auto attempt_once(const http_request& prepared, std::uint32_t attempt, Parse& parse, Send& send)
        -> decltype(parse(std::declval<const http_response&>())) {
        auto creds = provider_();
        if (!creds) return std::move(creds).error();
        auto window = key_time::starting_at(clock_() + clock_offset_, options_.signature_lifetime, options_.signature_backdate);
        if (!window) return std::move(window).error();
        auto s = signer::create(*creds, *window);
        if (!s) return std::move(s).error();
        http_request request = prepared;
        if (attempt > 1) request.headers.push_back({"x-cos-sdk-retry", "true"});
        if (auto signed_parts = authorize(request, *s, options_.signing); !signed_parts) return std::move(signed_parts).error();
        auto response = send(request);
        if (!response) return std::move(response).error();
        return parse(*response);
    }

    /// Full jitter: a uniform wait in [0, min(cap, base * 2^(attempt-1))].
    std::uint32_t backoff(std::uint32_t attempt) {
        const std::uint64_t doubled = std::uint64_t{options_.backoff_base_ms} << (attempt - 1 < 20 ? attempt - 1 : 20);
        const std::uint64_t ceiling = doubled < options_.backoff_max_ms ? doubled : std::uint64_t{options_.backoff_max_ms};
        return static_cast<std::uint32_t>(jitter_() % (ceiling + 1));
    }

    endpoint endpoint_;
    credentials_provider provider_;
    Transport* transport_;
    clock_source clock_;
    sleeper sleep_;
    client_options options_;
    detail::jitter_generator jitter_;
    std::int64_t clock_offset_ = 0;
    bool last_call_repeated_ = false;
};

}  // namespace coswire
