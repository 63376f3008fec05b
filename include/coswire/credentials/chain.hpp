// SPDX-License-Identifier: MIT
// chain_provider: tries credentials providers in order, gives the first credentials one returns
// and remembers which one that was; when none works, one error says what each said.
// See docs/credentials.md#chain.
#pragma once

#include <coswire/callback.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace coswire {

/// One link of a chain: a name for messages and the provider.
struct named_provider {
    std::string name{};
    callback<result<credentials>()> provider{};
};

/// Credentials and the name of the provider that gave them.
struct chain_result {
    credentials creds{};
    std::string provider{};
};

/// Tries `providers` in order. A copyable handle: copies share what last_used() reports, so the
/// copy a client holds and the caller's agree. Thread-safe when its providers are.
class chain_provider {
public:
    explicit chain_provider(std::vector<named_provider> providers) : shared_(std::make_shared<shared>()) {
        shared_->providers = std::move(providers);
    }

    /// The first provider's credentials that succeed, and its name. Errors: errc::invalid_argument
    /// naming "providers" when the chain is empty, a provider is empty, or none succeeds; the
    /// reason then lists "name: what it said" for each, in order (each provider's reason holds no
    /// secret, so neither does the list).
    result<chain_result> resolve() const {
        if (shared_->providers.empty()) return make_error(errc::invalid_argument, "providers", "the chain has no provider");
        std::string tried;
        for (const named_provider& p : shared_->providers) {
            if (!tried.empty()) tried += "; ";
            if (!p.provider) {
                tried += p.name + ": no provider was given";
                continue;
            }
            auto c = p.provider();
            if (c) {
                const std::lock_guard<std::mutex> guard(shared_->mutex);
                shared_->last_used = p.name;
                return chain_result{std::move(*c), p.name};
            }
            tried += p.name + ": " + describe(c.error());
        }
        return make_error(errc::invalid_argument, "providers", "no provider gave credentials (" + tried + ")");
    }

    /// resolve() without the name; converts to the client's credentials_provider.
    result<credentials> operator()() const {
        auto r = resolve();
        if (!r) return std::move(r).error();
        return std::move(r->creds);
    }

    /// The name of the provider that gave the latest credentials; empty before any did.
    std::string last_used() const {
        const std::lock_guard<std::mutex> guard(shared_->mutex);
        return shared_->last_used;
    }

private:
    struct shared {
        std::vector<named_provider> providers;
        std::mutex mutex;  // guards last_used
        std::string last_used;
    };
    std::shared_ptr<shared> shared_;
};

}  // namespace coswire
