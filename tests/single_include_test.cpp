// SPDX-License-Identifier: MIT
// Builds against single_include/coswire/coswire.hpp alone (no include/ on the path).
#include <coswire/coswire.hpp>

#include <doctest/doctest.h>

#ifndef COSWIRE_SINGLE_INCLUDE_HPP
#error "this test must compile against the generated single header"
#endif

TEST_CASE("single header: exposes the version and the result type") {
    CHECK(std::string_view(coswire::version_string) == "0.1.0");
    coswire::result<int> r = 3;
    CHECK(r.value() == 3);
}
