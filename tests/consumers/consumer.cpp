// SPDX-License-Identifier: MIT
// One program for every way of consuming coswire (CMake, meson, pkg-config, single header): it
// signs Tencent's documented GET example and checks the published q-signature.
#include <coswire/coswire.hpp>

#include <cstdio>
#include <string_view>

int main() {
    const coswire::credentials creds{.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q", .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz")};
    const coswire::query_param params[] = {{"response-content-type", "application/octet-stream"},
                                           {"response-cache-control", "max-age=600"}};
    const coswire::header_field headers[] = {{"Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"}};
    const coswire::key_time window{1557989753, 1557996953};
    auto parts = coswire::sign({"GET", "/exampleobject(腾讯云)", params, headers}, creds, window);
    if (!parts) {
        std::fprintf(stderr, "sign failed: %s\n", coswire::describe(parts.error()).c_str());
        return 1;
    }
    constexpr std::string_view expected = "cf18ded2f669fcafa4b98e02c2a3fdb2b2e55c43";
    if (parts->signature != expected) {
        std::fprintf(stderr, "signature %s, expected %.*s\n", parts->signature.c_str(),
                     static_cast<int>(expected.size()), expected.data());
        return 1;
    }
    std::printf("coswire %s: signature ok\n", coswire::version_string);
    return 0;
}
