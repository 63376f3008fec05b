// SPDX-License-Identifier: MIT
// environment_provider: credentials from environment variables, COS's own names first, then
// Tencent Cloud's. The lookup is a parameter; process_environment() is the std::getenv one.
// See docs/credentials.md#environment.
#pragma once

#include <coswire/callback.hpp>
#include <coswire/credentials/static.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>

#include <array>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace coswire {

/// Looks up one environment variable by name; nullopt when it is not set.
using environment_lookup = callback<std::optional<std::string>(std::string_view name)>;

/// One family of variable names: SecretId, SecretKey and (optional) session token.
struct environment_names {
    std::string_view secret_id{};
    std::string_view secret_key{};
    std::string_view session_token{};
};

/// The families environment_provider tries, in order.
inline constexpr std::array<environment_names, 2> environment_families = {{
    {"COS_SECRET_ID", "COS_SECRET_KEY", "COS_SESSION_TOKEN"},
    {"TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN"},
}};

/// The process environment through std::getenv. Only code that calls this reads the
/// environment; nothing in coswire does on its own. std::getenv is not safe against a
/// concurrent setenv, so set variables before the threads that sign start.
inline environment_lookup process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const std::string key(name);
        const char* value = std::getenv(key.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
}

/// Credentials from the first family of environment_families whose SecretId variable is set
/// and not empty: its SecretKey variable must then be set too (the families are never mixed),
/// and its session token variable, when set and not empty, makes them temporary credentials.
/// Errors (errc::invalid_argument, argument "environment"): no family is set; a family's
/// SecretKey is missing or empty; `lookup` is empty. Reasons name variables, never values.
struct environment_provider {
    environment_lookup lookup{};

    result<credentials> operator()() const {
        if (!lookup) return make_error(errc::invalid_argument, "environment", "no lookup was given");
        for (const environment_names& family : environment_families) {
            std::optional<std::string> id = lookup(family.secret_id);
            if (!id || id->empty()) continue;
            std::optional<std::string> key = lookup(family.secret_key);
            if (!key || key->empty())
                return make_error(errc::invalid_argument, "environment",
                                  std::string(family.secret_id) + " is set but " + std::string(family.secret_key) + " is not");
            credentials c{.secret_id = std::move(*id), .secret_key = secret_string(std::move(*key))};
            if (std::optional<std::string> token = lookup(family.session_token); token && !token->empty())
                c.session_token = secret_string(std::move(*token));
            return c;
        }
        return make_error(errc::invalid_argument, "environment",
                          "neither COS_SECRET_ID nor TENCENTCLOUD_SECRET_ID is set");
    }
};

}  // namespace coswire
