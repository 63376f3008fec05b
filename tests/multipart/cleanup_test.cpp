// SPDX-License-Identifier: MIT
#include <coswire/multipart/cleanup.hpp>

#include <doctest/doctest.h>

#include <coswire/client.hpp>
#include <coswire/testing/emulator.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

using coswire::testing::cos_emulator;

namespace {

const coswire::credentials creds{.secret_id = "AKIDcleanup", .secret_key = coswire::secret_string("cleanup-secret")};

struct harness {
    cos_emulator server{options()};
    coswire::client<cos_emulator> client{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, server,
                                         [this] { return server.server_time(); }, [](std::uint32_t) {}};

    static coswire::testing::emulator_options options() {
        coswire::testing::emulator_options o;
        o.accepted = {creds};
        return o;
    }

    std::string initiate(const std::string& key) {
        return client.send(coswire::initiate_multipart_upload_params{.key = key}).value().upload_id;
    }

    coswire::duplicate_cleanup clean(const std::string& key, std::optional<std::string> ours) {
        coswire::duplicate_cleanup_machine m(client.context(), key, std::move(ours));
        return client.drive(m).value();
    }
};

bool has_upload(const cos_emulator& server, const std::string& id) {
    for (const auto& u : server.uploads())
        if (u.upload_id == id) return true;
    return false;
}

}  // namespace

static_assert(coswire::step_machine<coswire::duplicate_cleanup_machine>);

TEST_CASE("duplicate_cleanup_machine: aborts the empty uploads of the key, keeps ours, one with parts and other keys'") {
    harness h;
    const std::string ours = h.initiate("k");
    const std::string empty = h.initiate("k");
    const std::string busy = h.initiate("k");
    const std::string other_key = h.initiate("k2");
    const std::string part = "part bytes";
    REQUIRE(h.client.send(coswire::upload_part_params{
        .key = "k", .upload_id = busy, .part_number = 1, .payload = {.bytes = std::as_bytes(std::span<const char>(part.data(), part.size()))}}));

    const coswire::duplicate_cleanup done = h.clean("k", ours);
    CHECK(done.ran);
    CHECK(done.aborted == std::vector<std::string>{empty});
    CHECK(done.left.empty());
    CHECK_FALSE(done.failure);
    CHECK(has_upload(h.server, ours));
    CHECK_FALSE(has_upload(h.server, empty));
    CHECK(has_upload(h.server, busy));
    CHECK(has_upload(h.server, other_key));
}

TEST_CASE("duplicate_cleanup_machine: without an upload of ours, every empty upload of the key around the listing's Date goes") {
    harness h;
    const std::string first = h.initiate("k");
    const std::string second = h.initiate("k");
    const coswire::duplicate_cleanup done = h.clean("k", std::nullopt);
    CHECK(done.aborted.size() == 2);
    CHECK_FALSE(done.failure);
    CHECK(h.server.uploads().empty());
}

TEST_CASE("duplicate_cleanup_machine: an upload of ours that is not listed leaves no time reference, reported not guessed") {
    harness h;
    const std::string other = h.initiate("k");
    const coswire::duplicate_cleanup done = h.clean("k", std::string("not-an-upload"));
    REQUIRE(done.failure);
    CHECK(done.failure->argument == "Initiated");
    CHECK(done.aborted.empty());
    CHECK(has_upload(h.server, other));
}

namespace {

/// The emulator behind a wire that refuses every List Parts (the cleanup's probe) with 403.
struct refusing_probes {
    cos_emulator* server;
    coswire::result<coswire::http_response> operator()(const coswire::http_request& r) const {
        for (const coswire::http_query_param& p : r.query)
            if (r.method == "GET" && p.name == "uploadId")
                return coswire::http_response{403, {{"x-cos-request-id", "probe-refused"}}, "<Error><Code>AccessDenied</Code></Error>"};
        return (*server)(r);
    }
};

}  // namespace

TEST_CASE("duplicate_cleanup_machine: a refused probe leaves that upload in place, named in left, and says why") {
    harness h;
    const std::string ours = h.initiate("k");
    const std::string other = h.initiate("k");
    refusing_probes wire{&h.server};
    coswire::client<refusing_probes> refused(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, wire,
                                             [&h] { return h.server.server_time(); }, [](std::uint32_t) {});
    coswire::duplicate_cleanup_machine m(refused.context(), "k", ours);
    const coswire::duplicate_cleanup done = refused.drive(m).value();
    CHECK(done.left == std::vector<std::string>{other});
    CHECK(done.aborted.empty());
    REQUIRE(done.failure);
    CHECK(coswire::is_cos_error(*done.failure, coswire::cos_errc::access_denied));
    CHECK(done.failure->reason.find(other) != std::string::npos);
    CHECK(has_upload(h.server, other));
}

TEST_CASE("duplicate_cleanup_machine: driven alone, every step id it issues is new and every outcome is taken exactly once") {
    harness h;
    const std::string ours = h.initiate("k");
    h.initiate("k");
    h.initiate("k");
    coswire::duplicate_cleanup_machine m(h.client.context(), "k", ours);
    // An event loop's bookkeeping: ids it has seen, answered at once (each request's first attempt
    // is answered 503, so every request of the cleanup also waits and retries).
    std::set<std::uint32_t> seen;
    bool slow_down = true;
    std::size_t sends = 0;
    for (coswire::step s = m.next(); s.kind != coswire::step_kind::done; s = m.next()) {
        REQUIRE((s.kind == coswire::step_kind::send || s.kind == coswire::step_kind::wait));
        CHECK_MESSAGE(seen.insert(s.id).second, "step id " << s.id << " was issued again");
        const std::string answered = "step " + std::to_string(s.id) + " has already been answered";
        if (s.kind == coswire::step_kind::send) {
            ++sends;
            const coswire::http_response answer =
                slow_down ? coswire::http_response{503, {{"x-cos-request-id", "busy"}}, "<Error><Code>SlowDown</Code></Error>"}
                          : h.server(*s.request).value();
            slow_down = !slow_down;
            REQUIRE(m.receive(s.id, answer));
            CHECK(m.receive(s.id, answer).error().reason == answered);
        } else {
            REQUIRE(m.waited(s.id));
            CHECK(m.waited(s.id).error().reason == answered);
        }
    }
    // The listing, then a probe and an abort for each of the two empty uploads: 5 requests, each
    // sent twice around a wait.
    CHECK(sends == 10);
    CHECK(seen.size() == 15);
    const coswire::duplicate_cleanup done = m.take_result().value();
    CHECK(done.aborted.size() == 2);
    CHECK_FALSE(done.failure);
    REQUIRE(h.server.uploads().size() == 1);
    CHECK(h.server.uploads().front().upload_id == ours);
}
