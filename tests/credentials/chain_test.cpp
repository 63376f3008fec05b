// SPDX-License-Identifier: MIT
#include <coswire/credentials/chain.hpp>

#include <coswire/credentials/environment.hpp>
#include <coswire/credentials/static.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>

using coswire::chain_provider;
using coswire::credentials;
using coswire::errc;
using coswire::result;

static_assert(std::is_convertible_v<chain_provider, coswire::callback<result<credentials>()>>);

namespace {
// An environment with nothing set.
const coswire::environment_lookup empty_environment = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
}  // namespace

TEST_CASE("chain_provider: gives the first provider's credentials that succeed and says which") {
    int calls_after = 0;
    const chain_provider chain({
        {.name = "environment", .provider = coswire::environment_provider{.lookup = empty_environment}},
        {.name = "static", .provider = coswire::static_provider{.creds = {.secret_id = "AKIDstatic", .secret_key = coswire::secret_string("k")}}},
        {.name = "never", .provider = [&]() -> result<credentials> { ++calls_after; return credentials{}; }},
    });
    CHECK(chain.last_used().empty());
    auto r = chain.resolve();
    REQUIRE(r);
    CHECK(r->provider == "static");
    CHECK(r->creds.secret_id == "AKIDstatic");
    CHECK(calls_after == 0);
    const coswire::callback<result<credentials>()> as_client_sees_it = chain;
    CHECK(as_client_sees_it()->secret_id == "AKIDstatic");
    CHECK(chain.last_used() == "static");  // the copy inside the callback shares it
}

TEST_CASE("chain_provider: when none works, lists what each said, without secrets") {
    const std::string secret = "SECRET-0123456789";
    const chain_provider chain({
        {.name = "environment", .provider = coswire::environment_provider{.lookup = [&](std::string_view name) -> std::optional<std::string> {
             if (name == "COS_SECRET_ID") return std::string("AKID");
             if (name == "COS_SESSION_TOKEN") return secret;
             return std::nullopt;
         }}},
        {.name = "static", .provider = coswire::static_provider{.creds = {.secret_key = coswire::secret_string(secret)}}},
        {.name = "unset"},
    });
    auto r = chain();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_argument);
    CHECK(r.error().argument == "providers");
    CHECK(r.error().reason ==
          "no provider gave credentials (environment: environment: COS_SECRET_ID is set but COS_SECRET_KEY is not; "
          "static: credentials: the SecretId is empty; unset: no provider was given)");
    CHECK(coswire::describe(r.error()).find(secret) == std::string::npos);
    CHECK(chain.last_used().empty());
    auto empty = chain_provider({})();
    REQUIRE_FALSE(empty);
    CHECK(empty.error().reason == "the chain has no provider");
}
