// examples/sign.cpp: sign Tencent's documented GET example and print the Authorization header
#include <coswire/coswire.hpp>
#include <cstdio>

int main() {
    const coswire::credentials creds{"AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                                     coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"), {}};
    const coswire::header_field headers[] = {{"Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"}};
    const coswire::key_time window{1557989753, 1557996953};  // you pass the time: no clock inside
    auto parts = coswire::sign({"GET", "/exampleobject(腾讯云)", {}, headers}, creds, window);
    if (!parts) return std::fprintf(stderr, "%s\n", coswire::describe(parts.error()).c_str()), 1;
    std::printf("Authorization: %s\n", parts->authorization.c_str());
}
