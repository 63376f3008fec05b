// SPDX-License-Identifier: MIT
#include <coswire/sign/diagnose.hpp>

#include <doctest/doctest.h>

#include <string>

namespace {
coswire::signed_parts ours(std::string http_string, std::string string_to_sign) {
    coswire::signed_parts p;
    p.http_string = std::move(http_string);
    p.string_to_sign = std::move(string_to_sign);
    return p;
}
const std::string sts = "sha1\n1615113257;1615199657\nc7503b92a8581b3f3f68c8f7f64a8917b03a1a95\n";
}  // namespace

TEST_CASE("diagnose: the PicGo case — a raw '+' in the path became a space at COS") {
    coswire::cos_error server;
    server.format_string = "put\n/imagesresume-zh en_页面_1.png\n\nhost=o2-1258123310.cos.ap-beijing.myqcloud.com\n";
    server.string_to_sign = sts;
    const std::string report = coswire::diagnose_signature_mismatch(
        server, ours("put\n/imagesresume-zh+en_页面_1.png\n\nhost=o2-1258123310.cos.ap-beijing.myqcloud.com\n", sts));
    CHECK(report.find("line 2 (path) at byte 16") != std::string::npos);
    CHECK(report.find("%2B") != std::string::npos);
}

TEST_CASE("diagnose: a Host mismatch, a parameter mismatch, a key-time mismatch and a wrong key") {
    coswire::cos_error server;
    server.format_string = "get\n/k\n\nhost=b-1.cos.ap-beijing.myqcloud.com%3A8080\n";
    server.string_to_sign = sts;
    CHECK(coswire::diagnose_signature_mismatch(server, ours("get\n/k\n\nhost=b-1.cos.ap-beijing.myqcloud.com\n", sts))
              .find("Host sent differs") != std::string::npos);

    server.format_string = "get\n/k\nuploads=\nhost=h\n";
    CHECK(coswire::diagnose_signature_mismatch(server, ours("get\n/k\n\nhost=h\n", sts)).find("line 3 (parameters)") !=
          std::string::npos);

    server.format_string = "get\n/k\n\nhost=h\n";
    const std::string other_time = "sha1\n1;2\nc7503b92a8581b3f3f68c8f7f64a8917b03a1a95\n";
    CHECK(coswire::diagnose_signature_mismatch(server, ours("get\n/k\n\nhost=h\n", other_time)).find("key time") !=
          std::string::npos);
    CHECK(coswire::diagnose_signature_mismatch(server, ours("get\n/k\n\nhost=h\n", sts)).find("SecretKey") !=
          std::string::npos);
}

TEST_CASE("diagnose: the session token in the server's FormatString is compared redacted and never printed") {
    coswire::cos_error server;
    server.format_string = "get\n/k\n\nhost=h&x-cos-security-token=SECRET-SESSION\n";
    server.string_to_sign = sts;
    const std::string same = coswire::diagnose_signature_mismatch(server, ours("get\n/k\n\nhost=h&x-cos-security-token=***\n", sts));
    CHECK(same.find("SecretKey") != std::string::npos);
    server.format_string = "get\n/j\n\nhost=h&x-cos-security-token=SECRET-SESSION\n";
    const std::string differs = coswire::diagnose_signature_mismatch(server, ours("get\n/k\n\nhost=h&x-cos-security-token=***\n", sts));
    CHECK(differs.find("SECRET-SESSION") == std::string::npos);
    CHECK(coswire::diagnose_signature_mismatch({}, ours("x", "y")).find("neither") != std::string::npos);
}
