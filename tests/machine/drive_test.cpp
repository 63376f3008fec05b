// SPDX-License-Identifier: MIT
#include <coswire/machine/drive.hpp>

#include <doctest/doctest.h>

#include <coswire/machine/operation.hpp>
#include <coswire/testing/fake_transport.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

using coswire::errc;
using coswire::http_response;
using coswire::step_kind;
using coswire::testing::fake_transport;

namespace {

const coswire::credentials creds{.secret_id = "AKIDdrive", .secret_key = coswire::secret_string("drive-secret")};

struct fixture {
    fake_transport transport;
    std::vector<std::uint32_t> waits;
    coswire::sleeper sleep = [this](std::uint32_t ms) { waits.push_back(ms); };
    coswire::operation_context context{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds,
                                       [] { return std::int64_t{1700000000}; }};
};

http_response slow_down() {
    return {503, {{"x-cos-request-id", "rid"}}, "<Error><Code>SlowDown</Code><Message>m</Message></Error>"};
}

/// A machine that misbehaves as told, for the driver's own checks.
struct broken_machine {
    enum class fault { idles, refuses } how = fault::idles;
    std::uint32_t sent = 0;
    coswire::http_request request{};

    coswire::step next() {
        if (how == fault::idles || sent > 0) return {.kind = step_kind::idle};
        return {.kind = step_kind::send, .id = ++sent, .request = &request};
    }
    coswire::result<void> receive(std::uint32_t, coswire::result<http_response>) {
        return coswire::make_error(errc::invalid_argument, "step_id", "refused");
    }
    coswire::result<void> receive_head(std::uint32_t, const http_response&) { return {}; }
    coswire::result<void> receive_body(std::uint32_t, std::span<const std::byte>) { return {}; }
    coswire::result<void> waited(std::uint32_t) { return {}; }
    coswire::result<int> take_result() { return 0; }
    bool may_have_repeated() const { return false; }
};

}  // namespace

TEST_CASE("drive: sends, sleeps and returns the machine's result") {
    fixture f;
    f.transport.respond(slow_down()).respond(slow_down()).respond(204, {{"x-cos-request-id", "ok"}});
    auto m = coswire::make_operation_machine(f.context, coswire::delete_object_params{.key = "k"});
    auto r = coswire::drive(m, f.transport, f.sleep);
    REQUIRE(r);
    CHECK(r->request_id == "ok");
    CHECK(f.transport.requests().size() == 3);
    CHECK(f.waits.size() == 2);
    CHECK(m.next().kind == step_kind::done);
}

TEST_CASE("drive: a streamed machine gets the body in pieces as the transport streams it") {
    fixture f;
    f.transport.piece_size(4).respond(slow_down()).respond(200, {{"x-cos-request-id", "r"}}, "0123456789");
    std::vector<std::string> pieces;
    int heads = 0;
    coswire::response_sink sink{
        .head = [&](const http_response&) -> coswire::result<void> {
            ++heads;
            return {};
        },
        .body = [&](std::span<const std::byte> b) -> coswire::result<void> {
            pieces.emplace_back(reinterpret_cast<const char*>(b.data()), b.size());
            return {};
        },
    };
    auto parse = [](const http_response& r) -> coswire::result<int> {
        if (r.status >= 300) return coswire::parse_error_response(r);
        return r.status;
    };
    coswire::operation_machine<decltype(parse)> m(f.context, coswire::make_get_object_request(f.context.bucket_endpoint(), {.key = "k"}),
                                                  parse, &sink);
    auto r = coswire::drive(m, f.transport, f.sleep);
    REQUIRE(r);
    CHECK(*r == 200);
    CHECK(heads == 1);  // the 503 never reached the sink
    CHECK(pieces == std::vector<std::string>{"0123", "4567", "89"});
    CHECK(f.waits.size() == 1);
}

TEST_CASE("drive: a pulled request body reaches a plain transport collected, through send_collected") {
    fixture f;
    f.transport.respond(200, {{"x-cos-request-id", "r"}, {"ETag", "\"e\""}});
    const std::string data = "pulled bytes";
    auto request = coswire::make_put_object_request(f.context.bucket_endpoint(), {.key = "k"});
    REQUIRE(request);
    request->reader = {.size = data.size(), .read = [&data](std::uint64_t offset, std::span<std::byte> into) -> coswire::result<void> {
                           for (std::size_t i = 0; i < into.size(); ++i) into[i] = static_cast<std::byte>(data[offset + i]);
                           return {};
                       }};
    coswire::operation_machine<coswire::operation_parser<coswire::put_object_params>> m(f.context, std::move(request));
    REQUIRE(coswire::drive(m, f.transport, f.sleep));
    REQUIRE(f.transport.requests().size() == 1);
    CHECK(f.transport.requests()[0].body == data);
}

TEST_CASE("drive: a machine that stalls or refuses an outcome ends the loop with an error, not a hang") {
    fixture f;
    SUBCASE("idle with nothing in flight") {
        broken_machine m{.how = broken_machine::fault::idles};
        auto r = coswire::drive(m, f.transport, f.sleep);
        CHECK(r.error().argument == "machine");
        CHECK(f.transport.requests().empty());
    }
    SUBCASE("an outcome refused") {
        f.transport.respond(200);
        broken_machine m{.how = broken_machine::fault::refuses};
        auto r = coswire::drive(m, f.transport, f.sleep);
        CHECK(r.error().reason == "refused");
        CHECK(f.transport.requests().size() == 1);
    }
}
