// examples/presign.cpp: a presigned GET URL with temporary credentials and a key that needs encoding
#include <coswire/coswire.hpp>
#include <cstdio>

int main() {
    const coswire::credentials creds{.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                                     .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"),
                                     .session_token = coswire::secret_string("temporary-session-token")};
    auto endpoint = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing");
    auto signer = coswire::signer::create(creds, {.start = 1700000000, .end = 1700003600});
    if (!endpoint || !signer) return 1;
    // Both paths from the key: "/" + the raw key is signed, '+' goes on the wire as %2B.
    auto get = coswire::make_object_request(*endpoint, "GET", "doc/大文件 v1+final.bin");
    if (!get) return std::fprintf(stderr, "%s\n", coswire::describe(get.error()).c_str()), 1;
    auto url = coswire::presigned_url(*get, *signer);  // the session token is a signed parameter
    if (!url) return std::fprintf(stderr, "%s\n", coswire::describe(url.error()).c_str()), 1;
    std::printf("%s\n", url->c_str());
}
