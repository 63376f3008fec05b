// examples/presign.cpp: a presigned GET URL with temporary credentials and a key that needs encoding
#include <coswire/coswire.hpp>
#include <cstdio>

int main() {
    const coswire::credentials creds{"AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                                     coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"),
                                     coswire::secret_string("temporary-session-token")};
    auto endpoint = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing");
    auto paths = coswire::map_object_key("doc/大文件 v1+final.bin");  // '+' goes on the wire as %2B
    auto signer = coswire::signer::create(creds, coswire::key_time{1700000000, 1700003600});
    if (!endpoint || !paths || !signer) return 1;
    coswire::http_request get{"GET", endpoint->scheme, endpoint->host, paths->signed_path, paths->wire_path,
                              {}, {{"Host", endpoint->host}}, {}, {}};
    auto url = coswire::presigned_url(get, *signer);  // the session token is a signed parameter
    if (!url) return std::fprintf(stderr, "%s\n", coswire::describe(url.error()).c_str()), 1;
    std::printf("%s\n", url->c_str());
}
