// examples/emulator_in_tests.cpp: unit-test your own COS code against the in-process emulator
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <coswire/coswire.hpp>
#include <coswire/testing/emulator.hpp>
#include <vector>

// The code under test: yours, written against any client (a real transport in production).
template <class Client>
coswire::result<coswire::multipart_upload_result> archive(Client& cos, const char* key, std::span<const std::byte> data) {
    coswire::memory_source source(data);
    auto plan = coswire::plan_parts(source.size(), 1 << 20);
    if (!plan) return plan.error();
    return coswire::upload_multipart(cos, key, source, *plan);
}

struct fixture {
    coswire::credentials creds{.secret_id = "AKIDexample", .secret_key = coswire::secret_string("example-secret")};
    coswire::testing::cos_emulator bucket{[&] {
        coswire::testing::emulator_options o;
        o.accepted = {creds};
        o.seed = 7;  // fault draws are seeded: every run sees the same faults
        return o;
    }()};
    std::int64_t now = 1700000000;
    coswire::client<coswire::testing::cos_emulator> cos{
        coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, bucket,
        [this] { return now; }, [](std::uint32_t) {}};  // no real sleeping in tests
    std::vector<std::byte> data = std::vector<std::byte>(5 << 20, std::byte{7});
};

TEST_CASE_FIXTURE(fixture, "archive survives 5xx, SlowDown and dropped connections") {
    bucket.set_fault_plan({.internal_error = 0.2, .slow_down = 0.1, .drop_after = 0.05});
    auto done = archive(cos, "logs/day.tar", data);
    REQUIRE(done);
    CHECK(done->parts == 5);
    auto head = cos.send(coswire::head_object_params{.key = "logs/day.tar"});  // any *_params
    CHECK((head && head->content_length == data.size()));
    CHECK(bucket.stats().faults.total() > 0);
}

TEST_CASE_FIXTURE(fixture, "archive that keeps failing leaves no billed parts behind") {
    bucket.fail_next(coswire::testing::fault_kind::none);               // the Initiate goes through,
    bucket.fail_next(coswire::testing::fault_kind::internal_error, 4);  // part 1 fails all 4 attempts
    auto done = archive(cos, "logs/day.tar", data);
    REQUIRE_FALSE(done);
    CHECK(bucket.uploads().empty());  // aborted, nothing orphaned
    CHECK_FALSE(bucket.object("logs/day.tar"));
}
