// SPDX-License-Identifier: MIT
#include <coswire/credentials/static.hpp>

#include <coswire/callback.hpp>

#include <doctest/doctest.h>

#include <string>

using coswire::credentials;
using coswire::secret_string;
using coswire::static_provider;

static_assert(std::is_convertible_v<static_provider, coswire::callback<coswire::result<credentials>()>>);

TEST_CASE("static_provider: gives the same credentials on every call") {
    const static_provider p{.creds = {.secret_id = "AKIDexample", .secret_key = secret_string("key"), .session_token = secret_string("tok")}};
    for (int i = 0; i < 2; ++i) {
        auto c = p();
        REQUIRE(c);
        CHECK(c->secret_id == "AKIDexample");
        CHECK(c->secret_key.reveal() == "key");
        CHECK(c->session_token.reveal() == "tok");
    }
}

TEST_CASE("static_provider: refuses an empty SecretId or SecretKey without showing the other") {
    SUBCASE("no SecretId") {
        auto c = static_provider{.creds = {.secret_key = secret_string("SECRET-KEY-0123")}}();
        REQUIRE_FALSE(c);
        CHECK(c.error().code == coswire::errc::invalid_argument);
        CHECK(c.error().argument == "credentials");
        CHECK(c.error().reason == "the SecretId is empty");
        CHECK(coswire::describe(c.error()).find("SECRET-KEY-0123") == std::string::npos);
    }
    SUBCASE("no SecretKey") {
        auto c = static_provider{.creds = {.secret_id = "AKIDexample", .session_token = secret_string("SECRET-TOKEN-0123")}}();
        REQUIRE_FALSE(c);
        CHECK(c.error().reason == "the SecretKey is empty");
        CHECK(coswire::describe(c.error()).find("SECRET-TOKEN-0123") == std::string::npos);
    }
}
