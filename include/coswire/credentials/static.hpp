// SPDX-License-Identifier: MIT
// static_provider: the credentials provider that always gives the same key pair (permanent keys,
// or temporary ones the caller renews by building a new provider). See docs/credentials.md.
#pragma once

#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>

#include <string_view>
#include <utility>

namespace coswire {

/// Checks that `c` can sign: a SecretId and a SecretKey are both present. The error names
/// `argument` and the missing part, never a value.
inline result<void> check_credentials(const credentials& c, std::string_view argument) {
    if (c.secret_id.empty()) return make_error(errc::invalid_argument, argument, "the SecretId is empty");
    if (c.secret_key.empty()) return make_error(errc::invalid_argument, argument, "the SecretKey is empty");
    return {};
}

/// Gives `creds` on every call; errc::invalid_argument naming "credentials" when the SecretId or
/// SecretKey is empty. Converts to the client's credentials_provider.
struct static_provider {
    credentials creds{};

    result<credentials> operator()() const {
        if (auto ok = check_credentials(creds, "credentials"); !ok) return std::move(ok).error();
        return creds;
    }
};

}  // namespace coswire
