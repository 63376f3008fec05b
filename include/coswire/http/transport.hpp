// SPDX-License-Identifier: MIT
// The transport concept: anything callable with an http_request that returns
// result<http_response>. coswire holds no socket, thread or clock; the user's HTTP stack plugs in here.
#pragma once

#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <concepts>

namespace coswire {

/// A transport sends one request and returns the response, or errc::transport_failure when no
/// response arrived (connection refused, reset, timeout). Any HTTP status is a response, not a
/// transport failure. A lambda around libcurl, a retrying wrapper or the in-process emulator all
/// qualify.
template <class T>
concept transport = requires(T& t, const http_request& r) {
    { t(r) } -> std::same_as<result<http_response>>;
};

}  // namespace coswire
