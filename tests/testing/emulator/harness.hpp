// SPDX-License-Identifier: MIT
// What the tests of the emulator's operation parts share: an emulator and a coswire::client on
// it, so a test sends a params value through the library's own builder and parser
// (make_X_request → emulator → parse_X_response), one attempt unless it asks for more.
#pragma once

#include <coswire/client.hpp>
#include <coswire/testing/emulator.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>

namespace emu_test {

inline const coswire::credentials creds{.secret_id = "AKIDemulatorops", .secret_key = coswire::secret_string("emulator-ops-secret")};

inline coswire::testing::emulator_options options() {
    coswire::testing::emulator_options o;
    o.accepted = {creds};
    o.min_part_size = 16;
    return o;
}

struct harness {
    coswire::testing::cos_emulator server;
    coswire::client<coswire::testing::cos_emulator> client;

    explicit harness(std::uint32_t attempts = 1, coswire::testing::emulator_options o = options())
        : server(std::move(o)),
          client(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, server,
                 [this] { return server.server_time(); }, [](std::uint32_t) {}, coswire::client_options{.max_attempts = attempts}) {}

    /// Sends `params`; the call must succeed.
    template <class Params>
    auto ok(const Params& params) {
        auto r = client.send(params);
        REQUIRE_MESSAGE(r, coswire::describe(r.error()));
        return std::move(*r);
    }

    /// Sends `params`; the call must fail with a COS error, whose status and code are returned
    /// as "<status> <code>".
    template <class Params>
    std::string refused(const Params& params) {
        auto r = client.send(params);
        REQUIRE_FALSE(r);
        REQUIRE_MESSAGE(r.error().service, coswire::describe(r.error()));
        return std::to_string(r.error().service->http_status) + " " + r.error().service->code;
    }
};

/// `n` bytes from a generator seeded with `seed`.
inline std::string random_bytes(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(rng());
    return out;
}

}  // namespace emu_test
