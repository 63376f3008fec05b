// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/request.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

using coswire::detail::emu::exchange;
using coswire::detail::emu::read_exchange;

namespace {

constexpr std::string_view host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";

coswire::http_request request(std::string wire_path, std::vector<coswire::http_query_param> query = {}) {
    coswire::http_request r;
    r.method = "GET";
    r.host = std::string(host);
    r.wire_path = std::move(wire_path);
    r.query = std::move(query);
    return r;
}

}  // namespace

TEST_CASE("saturating_add stops at the int64 limits") {
    using coswire::detail::emu::saturating_add;
    constexpr auto max = std::numeric_limits<std::int64_t>::max(), min = std::numeric_limits<std::int64_t>::min();
    CHECK(saturating_add(1, 2) == 3);
    CHECK(saturating_add(max, 1) == max);
    CHECK(saturating_add(min, -1) == min);
    CHECK(saturating_add(max, min) == -1);
}

TEST_CASE("read_exchange: path, parameters, Host and ids as a server reads them") {
    coswire::http_request r = request("/dir/a+b%2B", {{"uploads", std::nullopt}, {"prefix", "x y"}});
    r.body = "payload";
    const exchange x = read_exchange(r, host, 1234, 7);
    REQUIRE(x.target_ok);
    CHECK(x.path == "/dir/a b+");
    CHECK(x.key() == "dir/a b+");
    CHECK(x.resource == std::string(host) + "/dir/a+b+");  // a raw '+' kept in the Resource
    CHECK(x.param("uploads") != nullptr);
    CHECK_FALSE(x.param("uploads")->value);
    CHECK(x.param_value("prefix") == "x y");
    CHECK(x.param("Prefix") == nullptr);  // parameter names are case-sensitive
    CHECK(x.header("host") == host);      // taken from request.host, found in any case
    CHECK(x.body == "payload");
    CHECK(x.now == 1234);
    CHECK(x.request_id == "emu-7");
    CHECK(x.trace_id == "emu-trace-7");
    CHECK_FALSE(x.is_head());
    CHECK_FALSE(x.is_complete());
}

TEST_CASE("read_exchange: a sent Host wins; headers are trimmed of blanks when read") {
    coswire::http_request r = request("/k");
    r.headers = {{"Host", "other.example"}, {"X-Blank", "  v \t"}};
    const exchange x = read_exchange(r, host, 0, 1);
    CHECK(x.headers.size() == 2);
    CHECK(x.header("HOST") == "other.example");
    CHECK(x.header("x-blank") == "v");
    CHECK_FALSE(x.header("absent"));
}

TEST_CASE("read_exchange: a target that does not decode is marked, never an error") {
    coswire::http_request bad_path = request("/a%zz");
    CHECK_FALSE(read_exchange(bad_path, host, 0, 1).target_ok);
    coswire::http_request relative = request("k");
    const exchange x = read_exchange(relative, host, 0, 1);
    CHECK_FALSE(x.target_ok);
    CHECK(x.resource == std::string(host) + "k");
}

TEST_CASE("exchange: is_complete is a POST with uploadId on an object") {
    coswire::http_request r = request("/k", {{"uploadId", "1"}});
    r.method = "POST";
    CHECK(read_exchange(r, host, 0, 1).is_complete());
    r.wire_path = "/";
    CHECK_FALSE(read_exchange(r, host, 0, 1).is_complete());
    r.method = "HEAD";
    CHECK(read_exchange(r, host, 0, 1).is_head());
}

TEST_CASE("read_exchange: a raw query is split on '&', empty items skipped, '+' read as a space") {
    const exchange x = read_exchange(request("/k?a=1+2&&b&c=&d=%41"), host, 0, 1);
    REQUIRE(x.target_ok);
    REQUIRE(x.params.size() == 4);
    CHECK(x.param_value("a") == "1 2");
    CHECK_FALSE(x.param("b")->value);
    CHECK(x.param("c")->value == "");
    CHECK(x.param_value("d") == "A");
    CHECK_FALSE(read_exchange(request("/k?a=%4"), host, 0, 1).target_ok);
}
