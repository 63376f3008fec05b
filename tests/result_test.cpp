// SPDX-License-Identifier: MIT
#include <coswire/result.hpp>

#include <doctest/doctest.h>

#include <string>

using coswire::errc;
using coswire::make_error;
using coswire::result;

namespace {
result<int> parse_digit(char c) {
    if (c < '0' || c > '9') return make_error(errc::invalid_argument, "c", "not a digit");
    return c - '0';
}
}  // namespace

TEST_CASE("result: holds a value or an error, never both") {
    auto ok = parse_digit('7');
    REQUIRE(ok.has_value());
    CHECK(static_cast<bool>(ok));
    CHECK(*ok == 7);
    CHECK(ok.value_or(-1) == 7);

    auto bad = parse_digit('x');
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == errc::invalid_argument);
    CHECK(bad.error().argument == "c");
    CHECK(bad.value_or(-1) == -1);
}

TEST_CASE("result: and_then, transform, or_else and transform_error compose like std::expected") {
    auto twice = [](int v) { return result<int>(v * 2); };
    CHECK(parse_digit('4').and_then(twice).value() == 8);
    CHECK(parse_digit('x').and_then(twice).error().reason == "not a digit");

    auto text = parse_digit('5').transform([](int v) { return std::to_string(v); });
    CHECK(text.value() == "5");

    auto recovered = parse_digit('x').or_else([](const coswire::error&) { return result<int>(0); });
    CHECK(recovered.value() == 0);

    auto relabelled = parse_digit('x').transform_error([](coswire::error e) {
        e.argument = "digit";
        return e;
    });
    CHECK(relabelled.error().argument == "digit");
}

TEST_CASE("result<void>: success or an error") {
    result<void> ok;
    CHECK(ok.has_value());
    result<void> bad = make_error(errc::limit_exceeded, "parts", "too many");
    CHECK_FALSE(bad);
    CHECK(bad.error().code == errc::limit_exceeded);
    CHECK(ok.transform([] { return 3; }).value() == 3);
}

TEST_CASE("describe: names the argument, or the COS code, status and request id") {
    CHECK(coswire::describe(make_error(errc::invalid_argument, "object_key", "must not be empty")) ==
          "object_key: must not be empty");
    coswire::error e = make_error(errc::service_error, "", "COS refused the request");
    e.service = coswire::cos_error{404, "NoSuchUpload", "The specified upload does not exist.", "", "req-1", "", {}, "", ""};
    CHECK(coswire::describe(e) == "NoSuchUpload (404): The specified upload does not exist. [request-id req-1]");
    CHECK(coswire::to_string(errc::buffer_too_small) == "buffer_too_small");
}

TEST_CASE("result: transform with a void callable gives result<void>; rvalue transform moves") {
    int seen = 0;
    result<void> done = parse_digit('3').transform([&](int v) { seen = v; });
    CHECK(done.has_value());
    CHECK(seen == 3);
    result<std::string> text = std::string("abc");
    auto size = std::move(text).transform([](std::string s) { return s.size(); });
    CHECK(size.value() == 3);
    CHECK(parse_digit('x').transform([](int) {}).error().argument == "c");
}
