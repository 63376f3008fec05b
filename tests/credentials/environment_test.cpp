// SPDX-License-Identifier: MIT
#include <coswire/credentials/environment.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <string>

using coswire::environment_provider;

namespace {
// An environment as a map: the lookup the provider is given instead of the process's.
coswire::environment_lookup from(std::map<std::string, std::string, std::less<>> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}
}  // namespace

static_assert(std::is_convertible_v<environment_provider, coswire::callback<coswire::result<coswire::credentials>()>>);

TEST_CASE("environment_provider: reads COS_SECRET_ID, COS_SECRET_KEY and COS_SESSION_TOKEN") {
    auto c = environment_provider{.lookup = from({{"COS_SECRET_ID", "AKIDcos"}, {"COS_SECRET_KEY", "kcos"}, {"COS_SESSION_TOKEN", "tcos"}})}();
    REQUIRE(c);
    CHECK(c->secret_id == "AKIDcos");
    CHECK(c->secret_key.reveal() == "kcos");
    CHECK(c->session_token.reveal() == "tcos");
}

TEST_CASE("environment_provider: COS_* comes before TENCENTCLOUD_*, and the families are never mixed") {
    SUBCASE("both set: COS_*") {
        auto c = environment_provider{.lookup = from({{"COS_SECRET_ID", "AKIDcos"}, {"COS_SECRET_KEY", "kcos"},
                                                      {"TENCENTCLOUD_SECRET_ID", "AKIDtc"}, {"TENCENTCLOUD_SECRET_KEY", "ktc"},
                                                      {"TENCENTCLOUD_SESSION_TOKEN", "ttc"}})}();
        REQUIRE(c);
        CHECK(c->secret_id == "AKIDcos");
        CHECK(c->secret_key.reveal() == "kcos");
        CHECK(c->session_token.empty());  // not TENCENTCLOUD_SESSION_TOKEN
    }
    SUBCASE("only TENCENTCLOUD_*") {
        auto c = environment_provider{.lookup = from({{"TENCENTCLOUD_SECRET_ID", "AKIDtc"}, {"TENCENTCLOUD_SECRET_KEY", "ktc"},
                                                      {"TENCENTCLOUD_SESSION_TOKEN", "ttc"}, {"COS_SESSION_TOKEN", "tcos"}})}();
        REQUIRE(c);
        CHECK(c->secret_id == "AKIDtc");
        CHECK(c->secret_key.reveal() == "ktc");
        CHECK(c->session_token.reveal() == "ttc");
    }
    SUBCASE("an empty COS_SECRET_ID counts as unset") {
        auto c = environment_provider{.lookup = from({{"COS_SECRET_ID", ""}, {"TENCENTCLOUD_SECRET_ID", "AKIDtc"}, {"TENCENTCLOUD_SECRET_KEY", "ktc"}})}();
        REQUIRE(c);
        CHECK(c->secret_id == "AKIDtc");
        CHECK(c->session_token.empty());
    }
    SUBCASE("COS_SECRET_ID without COS_SECRET_KEY is an error, not a fallback") {
        auto c = environment_provider{.lookup = from({{"COS_SECRET_ID", "AKIDcos"}, {"TENCENTCLOUD_SECRET_ID", "AKIDtc"},
                                                      {"TENCENTCLOUD_SECRET_KEY", "SECRET-TC-KEY"}})}();
        REQUIRE_FALSE(c);
        CHECK(c.error().argument == "environment");
        CHECK(c.error().reason == "COS_SECRET_ID is set but COS_SECRET_KEY is not");
    }
}

TEST_CASE("environment_provider: says what is missing, never a value") {
    SUBCASE("nothing set") {
        auto c = environment_provider{.lookup = from({{"COS_SESSION_TOKEN", "SECRET-TOKEN-9"}})}();
        REQUIRE_FALSE(c);
        CHECK(c.error().code == coswire::errc::invalid_argument);
        CHECK(c.error().reason == "neither COS_SECRET_ID nor TENCENTCLOUD_SECRET_ID is set");
        CHECK(coswire::describe(c.error()).find("SECRET-TOKEN-9") == std::string::npos);
    }
    SUBCASE("empty key") {
        auto c = environment_provider{.lookup = from({{"TENCENTCLOUD_SECRET_ID", "AKIDtc"}, {"TENCENTCLOUD_SECRET_KEY", ""},
                                                      {"TENCENTCLOUD_SESSION_TOKEN", "SECRET-TOKEN-9"}})}();
        REQUIRE_FALSE(c);
        CHECK(c.error().reason == "TENCENTCLOUD_SECRET_ID is set but TENCENTCLOUD_SECRET_KEY is not");
        CHECK(coswire::describe(c.error()).find("SECRET-TOKEN-9") == std::string::npos);
    }
    SUBCASE("no lookup") {
        auto c = environment_provider{}();
        REQUIRE_FALSE(c);
        CHECK(c.error().reason == "no lookup was given");
    }
}

TEST_CASE("process_environment: reads the process environment when the caller chose it") {
    const coswire::environment_lookup env = coswire::process_environment();
    ::setenv("COSWIRE_ENVIRONMENT_TEST", "value 1", 1);
    CHECK(env("COSWIRE_ENVIRONMENT_TEST") == std::optional<std::string>("value 1"));
    ::unsetenv("COSWIRE_ENVIRONMENT_TEST");
    CHECK_FALSE(env("COSWIRE_ENVIRONMENT_TEST").has_value());

    ::setenv("COS_SECRET_ID", "AKIDprocess", 1);
    ::setenv("COS_SECRET_KEY", "kprocess", 1);
    auto c = environment_provider{.lookup = env}();
    ::unsetenv("COS_SECRET_ID");
    ::unsetenv("COS_SECRET_KEY");
    REQUIRE(c);
    CHECK(c->secret_id == "AKIDprocess");
}
