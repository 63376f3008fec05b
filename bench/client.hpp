// SPDX-License-Identifier: MIT
// The client rows of coswire-bench: one HEAD Object through client::send against a transport
// whose answer is ready, against the same work done by hand with no loop around it (credentials
// from the provider, a window from the clock, a signer, the Authorization header, the transport
// call, the parser). What the client adds beyond that is its retry loop; allocations it makes
// beyond the by-hand work are the loop's own. And the allocations of the operation machine's
// bookkeeping steps, driven by hand through a retry.
#pragma once

#include "alloc_counter.hpp"

#include <coswire/api/endpoint.hpp>
#include <coswire/api/object.hpp>
#include <coswire/client.hpp>
#include <coswire/http/message.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/step.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/authorization.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/request.hpp>
#include <coswire/time/key_time.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

namespace bench {

/// A transport with one answer ready: a HEAD's 200.
class canned_head {
public:
    coswire::result<coswire::http_response> operator()(const coswire::http_request&) const { return ok_; }

private:
    coswire::http_response ok_{200,
                               {{"Content-Length", "1048576"},
                                {"ETag", "\"0cc175b9c0f1b6a831c399e269772661\""},
                                {"Last-Modified", "Wed, 15 Nov 2023 10:00:00 GMT"},
                                {"x-cos-request-id", "NjU1NGM0ZDJfOTM1YTgyMWVfMjQ4OF8xMDA="}},
                               {}};
};

inline const coswire::credentials& bench_credentials() {
    static const coswire::credentials creds{.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                                            .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz")};
    return creds;
}

inline coswire::client<canned_head> head_client(canned_head& cos) {
    return coswire::client<canned_head>(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), bench_credentials(),
                                        cos, [] { return std::int64_t{1700000000}; }, [](std::uint32_t) {});
}

/// One HEAD through the client.
inline bool head_through_client(coswire::client<canned_head>& c) {
    auto head = c.send(coswire::head_object_params{.key = "bench/object.bin"});
    return head && head->content_length == 1048576;
}

/// The same HEAD by hand, one attempt, the credentials copied out of a provider as the client's
/// are: the work any signed request needs, without a loop.
inline bool head_by_hand(const coswire::endpoint& ep, const coswire::credentials_provider& provider, canned_head& cos) {
    auto request = coswire::make_head_object_request(ep, {.key = "bench/object.bin"});
    if (!request) return false;
    auto creds = provider();
    if (!creds) return false;
    const coswire::client_options options;
    auto window = coswire::key_time::starting_at(1700000000, options.signature_lifetime, options.signature_backdate);
    if (!window) return false;
    auto s = coswire::signer::create(*creds, *window);
    if (!s || !coswire::authorize(*request, *s, options.signing)) return false;
    auto response = cos(*request);
    if (!response) return false;
    auto head = coswire::parse_head_object_response(*response);
    return head && head->content_length == 1048576;
}

/// Allocations made by the steps of one retried HEAD that neither sign nor parse, the operation
/// machine driven by hand (a 503 SlowDown, then `ok`): the wait step, the idle answer while
/// waiting, waited(), the done step and take_result(). They are the machine's own bookkeeping;
/// the send steps (signing) and receive (parsing) do the request's work. The maximum value when
/// the machine did not go as expected.
inline std::uint64_t machine_bookkeeping_allocations(coswire::operation_context& context, const coswire::http_response& ok) {
    constexpr std::uint64_t failed = std::numeric_limits<std::uint64_t>::max();
    coswire::http_response busy{503, {{"x-cos-request-id", "NjU1NGM0ZDJfOTM1YTgyMWVfMjQ4OF8xMDE="}},
                                "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"};
    coswire::http_response answer = ok;
    auto m = coswire::make_operation_machine(context, coswire::head_object_params{.key = "bench/object.bin"});
    std::uint64_t counted = 0;
    const auto count = [&counted](auto&& step) {
        const std::uint64_t before = allocation_count();
        step();
        counted += allocation_count() - before;
    };
    coswire::step s = m.next();
    if (s.kind != coswire::step_kind::send || !m.receive(s.id, std::move(busy))) return failed;
    count([&] { s = m.next(); });
    if (s.kind != coswire::step_kind::wait) return failed;
    bool idle = false, waited = false;
    count([&] { idle = m.next().kind == coswire::step_kind::idle; });
    count([&] { waited = m.waited(s.id).has_value(); });
    s = m.next();
    if (!idle || !waited || s.kind != coswire::step_kind::send || !m.receive(s.id, std::move(answer))) return failed;
    std::optional<coswire::result<coswire::head_object_result>> head;
    bool done = false;
    count([&] {
        done = m.next().kind == coswire::step_kind::done;
        head.emplace(m.take_result());
    });
    return done && *head ? counted : failed;
}

}  // namespace bench
