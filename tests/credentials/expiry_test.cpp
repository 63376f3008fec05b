// SPDX-License-Identifier: MIT
// End to end: temporary keys from a caching_provider that expire in the middle of a multipart
// upload to the emulator (issue 20, credential providers). The server's clock runs ahead of the
// client's, so the provider still trusts key A when the emulator refuses it with ExpiredToken;
// only the client's one retry with fresh credentials (client_options::refresh_credentials)
// recovers, with key B.
#include <coswire/credentials/caching.hpp>

#include <doctest/doctest.h>

#include <coswire/multipart/parallel.hpp>
#include <coswire/multipart/upload.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/testing/emulator.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using coswire::mib;
using coswire::testing::cos_emulator;

namespace {

constexpr std::int64_t t0 = 1700000000;  // the client's clock, which stands still
constexpr std::uint32_t part_count = 8;

coswire::credentials key(std::string_view name) {
    const std::string n(name);
    return {.secret_id = "AKID" + n, .secret_key = coswire::secret_string("secret-" + n), .session_token = coswire::secret_string("token-" + n)};
}

const std::vector<std::string_view> secrets{"secret-A", "token-A", "secret-B", "token-B"};

bool holds_a_secret(std::string_view text) {
    for (const std::string_view s : secrets)
        if (text.find(s) != std::string_view::npos) return true;
    return false;
}

// The emulator behind a transport that counts requests (the emulator's clock is t0 plus that
// count, so time passes with each request) and reads every error answer: how many were
// ExpiredToken, and whether any carried a secret.
struct scene {
    std::atomic<std::int64_t> sent{0};
    std::atomic<int> expired_tokens{0};
    std::atomic<bool> secret_seen{false};
    std::atomic<int> fetches{0};
    cos_emulator server;

    explicit scene(std::int64_t a_expires_after_requests)
        : server(coswire::testing::emulator_options{
              .accepted = {key("A"), key("B")},
              .credential_expiry = {{"AKIDA", t0 + a_expires_after_requests + 1}},
              .clock = [this] { return t0 + sent.load(); },
          }) {}

    coswire::result<coswire::http_response> operator()(const coswire::http_request& r) {
        ++sent;
        auto answer = server(r);
        if (answer && answer->status >= 300) {
            const coswire::error e = coswire::parse_error_response(*answer);
            if (coswire::is_cos_error(e, coswire::cos_errc::expired_token)) ++expired_tokens;
            if (holds_a_secret(answer->body) || holds_a_secret(coswire::describe(e)) || holds_a_secret(e.reason)) secret_seen = true;
        }
        return answer;
    }

    // Hands out key A, which the provider believes good for an hour, then key B.
    coswire::caching_provider provider() {
        return coswire::caching_provider(coswire::caching_options{
            .refresh = [this]() -> coswire::result<coswire::expiring_credentials> {
                return coswire::expiring_credentials{.creds = key(++fetches == 1 ? "A" : "B"), .expires_at = t0 + 3600};
            },
            .clock = [] { return t0; },
        });
    }
};

std::vector<std::byte> input() {
    std::mt19937_64 rng(20);
    std::vector<std::byte> data(part_count * mib);
    for (auto& b : data) b = static_cast<std::byte>(rng());
    return data;
}

bool stored_equals(const cos_emulator& server, std::string_view name, const std::vector<std::byte>& data) {
    const auto stored = server.object(name);
    return stored && stored->data.size() == data.size() && std::equal(data.begin(), data.end(), stored->data.begin(), [](std::byte a, char b) {
               return a == static_cast<std::byte>(b);
           });
}

coswire::client<scene> make_client(scene& s, const coswire::caching_provider& p, bool refresh) {
    coswire::client_options o;
    if (refresh) o.refresh_credentials = [p] { p.invalidate(); };
    return coswire::client<scene>(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), p, s, [] { return t0; },
                                  [](std::uint32_t) {}, std::move(o));
}

}  // namespace

TEST_CASE("expiry: key A expires after part 3 of 8; the client's one retry with fresh credentials finishes the upload with key B") {
    scene s(4);  // Initiate and parts 1-3 are requests 1-4; part 4 is the first after A expired
    const coswire::caching_provider p = s.provider();
    auto client = make_client(s, p, true);
    const std::vector<std::byte> data = input();
    coswire::memory_source source(data);

    const auto r = coswire::upload_multipart(client, "expiring.bin", source, coswire::plan_parts(data.size(), mib).value());
    REQUIRE_MESSAGE(r, (r ? std::string() : coswire::describe(r.error())));  // doctest -s reads the message on success too
    CHECK(r->parts == part_count);
    CHECK(stored_equals(s.server, "expiring.bin", data));
    CHECK(s.server.uploads().empty());
    CHECK(s.expired_tokens.load() == 1);
    CHECK(s.fetches.load() == 2);
    CHECK(p()->secret_id == "AKIDB");
    CHECK(s.sent.load() == 1 + part_count + 1 + 1);  // Initiate, the parts, part 4 again, Complete
    CHECK_FALSE(s.secret_seen.load());
}

TEST_CASE("expiry: four upload threads recover from the expired key as well") {
    scene s(4);
    const coswire::caching_provider p = s.provider();
    auto client = make_client(s, p, true);
    const std::vector<std::byte> data = input();
    coswire::memory_source source(data);

    const auto r = coswire::upload_multipart_parallel(client, "parallel.bin", source, coswire::plan_parts(data.size(), mib).value(), 4);
    REQUIRE_MESSAGE(r, (r ? std::string() : coswire::describe(r.error())));  // doctest -s reads the message on success too
    CHECK(stored_equals(s.server, "parallel.bin", data));
    CHECK(s.server.uploads().empty());
    // Parts in flight when A expires may each be refused and each drop the cache once: every
    // refusal costs at most one fetch, and all of them end with key B.
    CHECK(s.expired_tokens.load() >= 1);
    CHECK(s.fetches.load() >= 2);
    CHECK(s.fetches.load() <= 1 + s.expired_tokens.load());
    CHECK(p()->secret_id == "AKIDB");
    CHECK_FALSE(s.secret_seen.load());
}

TEST_CASE("expiry: without refresh_credentials the upload fails with ExpiredToken, and the abort, signed with the same key, is refused too") {
    scene s(4);
    const coswire::caching_provider p = s.provider();
    auto client = make_client(s, p, false);
    const std::vector<std::byte> data = input();
    coswire::memory_source source(data);

    const auto r = coswire::upload_multipart(client, "stuck.bin", source, coswire::plan_parts(data.size(), mib).value());
    REQUIRE_FALSE(r);
    CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::expired_token));
    CHECK(r.error().reason.find("aborting the upload failed too: ExpiredToken (400)") != std::string::npos);
    CHECK_FALSE(holds_a_secret(r.error().reason));
    CHECK_FALSE(holds_a_secret(coswire::describe(r.error())));
    // Part 4 and then the abort, both under key A; the provider was never asked again.
    CHECK(s.expired_tokens.load() == 2);
    CHECK(s.fetches.load() == 1);
    CHECK(s.sent.load() == 1 + 3 + 1 + 1);
    // The upload stays, holding parts 1-3, for a later cleanup with fresh credentials.
    const auto left = s.server.uploads();
    REQUIRE(left.size() == 1);
    CHECK(left[0].key == "stuck.bin");
    CHECK(left[0].parts.size() == 3);
    CHECK_FALSE(s.server.object("stuck.bin").has_value());
    CHECK_FALSE(s.secret_seen.load());
}
