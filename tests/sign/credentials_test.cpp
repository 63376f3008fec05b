// SPDX-License-Identifier: MIT
#include <coswire/sign/credentials.hpp>

#include <doctest/doctest.h>

#include <sstream>
#include <type_traits>
#include <utility>

namespace {
template <class T>
concept streamable = requires(std::ostream& os, const T& v) { os << v; };
}  // namespace

static_assert(!streamable<coswire::secret_string>, "a secret must not be streamable");
static_assert(!streamable<coswire::credentials>, "credentials must not be streamable");
static_assert(!std::is_convertible_v<coswire::secret_string, std::string_view>, "no implicit reveal");
static_assert(!std::is_convertible_v<coswire::secret_string, std::string>, "no implicit reveal");
static_assert(streamable<int>, "the concept itself works");

TEST_CASE("secret_string: holds the value behind an explicit reveal()") {
    coswire::secret_string s("hunter2");
    CHECK(s.reveal() == "hunter2");
    CHECK_FALSE(s.empty());
    coswire::secret_string moved = std::move(s);
    CHECK(moved.reveal() == "hunter2");
    CHECK(coswire::secret_string().empty());
    CHECK(coswire::secret_string::redacted == "***");
}
