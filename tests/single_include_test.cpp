// SPDX-License-Identifier: MIT
// Builds against single_include/coswire/coswire.hpp alone (no include/ on the path) and
// re-checks Tencent's documented GET signing example through it.
#include <coswire/coswire.hpp>

#include <doctest/doctest.h>

#ifndef COSWIRE_SINGLE_INCLUDE_HPP
#error "this test must compile against the generated single header"
#endif

#include <array>

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
