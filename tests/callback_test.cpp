// SPDX-License-Identifier: MIT
#include <coswire/callback.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

using coswire::callback;

namespace {
int twice(int v) { return 2 * v; }
struct not_callable {};
}  // namespace

static_assert(std::is_nothrow_move_constructible_v<callback<void()>>);
static_assert(std::is_copy_constructible_v<callback<void()>>);
static_assert(std::is_convertible_v<int (*)(int), callback<int(int)>>);
static_assert(!std::is_convertible_v<not_callable, callback<int(int)>>);
static_assert(!std::is_convertible_v<int (*)(int), callback<std::string(int)>>);
static_assert(std::is_convertible_v<int (*)(int), callback<void(int)>>);  // a result may be dropped
static_assert(!std::is_convertible_v<int, callback<void()>>);

TEST_CASE("callback: empty by default, from nullptr, from a null function pointer or an empty std::function") {
    callback<void()> a;
    CHECK_FALSE(a);
    CHECK(a == nullptr);
    callback<void()> b = nullptr;
    CHECK_FALSE(b);
    void (*null_fn)() = nullptr;
    callback<void()> c = null_fn;
    CHECK_FALSE(c);
    callback<void()> d = std::function<void()>();
    CHECK_FALSE(d);
    callback<int(int)> e = callback<long(long)>();  // a different, empty callback
    CHECK_FALSE(e);
}

TEST_CASE("callback: calls lambdas, mutable lambdas, function pointers and std::function objects") {
    callback<int(int)> f = [](int v) { return v + 1; };
    REQUIRE(f);
    CHECK(f != nullptr);
    CHECK(f(41) == 42);
    f = twice;
    CHECK(f(21) == 42);
    f = std::function<int(int)>([](int v) { return v * 3; });
    CHECK(f(14) == 42);

    int calls = 0;
    const callback<int()> counter = [n = 0, &calls]() mutable { ++calls; return ++n; };  // const, like std::function
    CHECK(counter() == 1);
    CHECK(counter() == 2);
    CHECK(calls == 2);

    std::string seen;
    callback<void(std::string_view)> record = [&seen](std::string_view s) { seen += s; };
    record("abc");
    record(std::string("def"));
    CHECK(seen == "abcdef");

    callback<void(std::uint32_t)> drop = [](std::uint32_t v) { return v; };  // result ignored
    drop(7);
}

TEST_CASE("callback: copies copy the target, moves empty the source, nullptr empties") {
    auto shared = std::make_shared<int>(0);
    callback<int()> a = [shared, n = 0]() mutable { return ++n; };
    CHECK(shared.use_count() == 2);
    CHECK(a() == 1);
    callback<int()> b = a;  // copies the state too
    CHECK(shared.use_count() == 3);
    CHECK(b() == 2);
    CHECK(a() == 2);

    callback<int()> c = std::move(a);
    CHECK_FALSE(a);  // NOLINT: checking the moved-from state on purpose
    CHECK(c() == 3);
    CHECK(shared.use_count() == 3);

    b = nullptr;
    CHECK_FALSE(b);
    CHECK(shared.use_count() == 2);
    const callback<int()>& same = c;
    c = same;  // self-assignment keeps the target
    CHECK(c() == 4);
    b = c;
    c = std::move(b);
    CHECK(c() == 5);
    c = {};
    CHECK(shared.use_count() == 1);

    std::function<int()> back = callback<int()>([] { return 9; });  // and back into a std::function
    CHECK(back() == 9);
}
