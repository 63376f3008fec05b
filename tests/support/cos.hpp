// SPDX-License-Identifier: MIT
// Test support for requests and answers: the endpoint of Tencent's documented examples, the
// Content-MD5 of a text, an edit of a canned document, and the checks a builder's refusal and a
// parser's malformed_response get in every test.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/error.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace test_support {

/// examplebucket-1250000000 in ap-beijing, the bucket of Tencent's documented examples.
inline coswire::endpoint doc_endpoint() {
    auto ep = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing");
    REQUIRE(ep);
    return *ep;
}

/// The Content-MD5 value of `text`: base64 of its binary MD5, computed here independently of the
/// builders' own helper.
inline std::string md5_base64(std::string_view text) {
    const auto digest = coswire::md5_hash(std::as_bytes(std::span<const char>(text.data(), text.size())));
    const auto b64 = coswire::base64_encode(std::span<const std::uint8_t>(digest));
    return std::string(b64.data(), b64.size());
}

/// `text` with the first `from` replaced by `to`; `from` must be there (a canned document edited
/// into a hostile one).
inline std::string replace_once(std::string text, std::string_view from, std::string_view to) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

/// A parser's refusal of a malformed answer, naming `argument`.
template <class Result>
void check_malformed(const Result& r, std::string_view argument) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == coswire::errc::malformed_response);
    CHECK(r.error().argument == argument);
}

/// A builder's refusal naming `argument` (invalid_argument unless said otherwise).
template <class Result>
void check_refused(const Result& r, std::string_view argument, coswire::errc code = coswire::errc::invalid_argument) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    CHECK(r.error().argument == argument);
}

}  // namespace test_support
