// examples/sign.cpp: sign Tencent's documented GET example and print the Authorization header
#include <coswire/coswire.hpp>
#include <cstdio>

int main() {
    const coswire::credentials creds{.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                                     .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz")};
    const coswire::header_field headers[] = {{.name = "Host", .value = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"}};
    const coswire::key_time window{.start = 1557989753, .end = 1557996953};  // you pass the time: no clock inside
    auto parts = coswire::sign({.method = "GET", .path = "/exampleobject(腾讯云)", .headers = headers}, creds, window);
    if (!parts) return std::fprintf(stderr, "%s\n", coswire::describe(parts.error()).c_str()), 1;
    std::printf("Authorization: %s\n", parts->authorization.c_str());
}
