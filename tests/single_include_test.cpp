// SPDX-License-Identifier: MIT
// Builds against single_include/coswire/ alone (no include/ on the path): re-checks Tencent's
// documented GET signing example through the core single header, and runs a parallel upload to
// the emulator through two companions (coswire_parallel.hpp, coswire_testing.hpp) on top of it.
#include <coswire/coswire.hpp>
#include <coswire/coswire_parallel.hpp>
#include <coswire/coswire_testing.hpp>

#include <doctest/doctest.h>

#ifndef COSWIRE_SINGLE_INCLUDE_HPP
#error "this test must compile against the generated single header"
#endif

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

TEST_CASE("single header: signs the documented GET example") {
    const coswire::credentials creds{.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q", .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz")};
    const std::array<coswire::query_param, 2> params{{{"response-content-type", "application/octet-stream"},
                                                       {"response-cache-control", "max-age=600"}}};
    const std::array<coswire::header_field, 2> headers{{{"Date", "Thu, 16 May 2019 06:55:53 GMT"},
                                                         {"Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"}}};
    auto parts = coswire::sign({"GET", "/exampleobject(腾讯云)", params, headers}, creds, {1557989753, 1557996953},
                               {.headers = coswire::header_selection::all});
    REQUIRE(parts);
    CHECK(parts->signature == "01681b8c9d798a678e43b685a9f1bba0f6c0e012");
    CHECK(std::string_view(coswire::version_string) ==
          std::to_string(COSWIRE_VERSION_MAJOR) + "." + std::to_string(COSWIRE_VERSION_MINOR) + "." + std::to_string(COSWIRE_VERSION_PATCH));
}

TEST_CASE("single header companions: a parallel upload to the emulator arrives whole") {
    const coswire::credentials creds{.secret_id = "AKIDexample", .secret_key = coswire::secret_string("example-secret")};
    coswire::testing::emulator_options options;
    options.accepted = {creds};
    coswire::testing::cos_emulator bucket(options);
    coswire::client<coswire::testing::cos_emulator> cos(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(),
                                                        creds, bucket, [] { return std::int64_t{1700000000}; }, [](std::uint32_t) {});
    std::vector<std::byte> data((3 << 20) + 5);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>(i * 31 % 251);
    coswire::memory_source source(data);
    auto plan = coswire::plan_parts(source.size(), 1 << 20);
    REQUIRE(plan);
    auto done = coswire::upload_multipart_parallel(cos, "single/parallel.bin", source, *plan, 3);
    REQUIRE(done);
    CHECK(done->parts == 4);
    const auto stored = bucket.object("single/parallel.bin");
    REQUIRE(stored);
    CHECK(stored->data == std::string(reinterpret_cast<const char*>(data.data()), data.size()));
}
