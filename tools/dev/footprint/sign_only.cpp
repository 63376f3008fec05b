// SPDX-License-Identifier: MIT
// The smallest useful coswire program for tools/dev/measure-footprint: it signs one request with
// coswire::sign and prints the Authorization, so the binary holds the signer and nothing else.
#include <coswire/sign/authorization.hpp>

#include <cstdio>

int main() {
    const coswire::credentials creds{"AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                                     coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"), {}};
    const coswire::header_field headers[] = {{"Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"}};
    const coswire::key_time window{1557989753, 1557996953};
    auto parts = coswire::sign({"GET", "/exampleobject", {}, headers}, creds, window);
    if (!parts) return 1;
    std::puts(parts->authorization.c_str());
    return 0;
}
