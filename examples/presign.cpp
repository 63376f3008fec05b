// examples/presign.cpp: a presigned GET URL with temporary credentials and a key that needs encoding
#include <coswire/coswire.hpp>
#include <cstdio>

int main() {
    const coswire::credentials creds{.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                                     .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"),
                                     .session_token = coswire::secret_string("temporary-session-token")};
    auto endpoint = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing");
    if (!endpoint) return 1;
    // One call: the key's paths ('+' goes on the wire as %2B), a window from your clock, and the
    // session token as a signed parameter. The URL is a bearer credential until it expires.
    auto get = coswire::presign_object(*endpoint, creds,
                                       {.key = "doc/大文件 v1+final.bin", .start = 1700000000, .lifetime = 3600});
    if (!get) return std::fprintf(stderr, "%s\n", coswire::describe(get.error()).c_str()), 1;
    std::printf("%s\n", get->url.c_str());
}
