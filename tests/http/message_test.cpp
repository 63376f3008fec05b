// SPDX-License-Identifier: MIT
#include <coswire/http/message.hpp>

#include <doctest/doctest.h>

TEST_CASE("http_request: the target encodes parameters once, valueless ones without '='") {
    coswire::http_request r;
    r.host = "b-1.cos.ap-beijing.myqcloud.com";
    r.wire_path = "/a%20b";
    r.query = {{"uploads", std::nullopt}, {"prefix", "doc/"}, {"empty", ""}};
    CHECK(r.target() == "/a%20b?uploads&prefix=doc%2F&empty=");
    CHECK(r.url() == "https://b-1.cos.ap-beijing.myqcloud.com/a%20b?uploads&prefix=doc%2F&empty=");
}

TEST_CASE("http_request and http_response: header lookup ignores case") {
    coswire::http_response resp{200, {{"ETag", "\"x\""}}, ""};
    CHECK(resp.header("etag") == "\"x\"");
    CHECK_FALSE(resp.header("x-cos-request-id"));
    coswire::http_request req;
    req.body = "abc";
    CHECK(req.body_bytes().size() == 3);
    const std::byte big[5] = {};
    req.payload.bytes = big;
    CHECK(req.body_bytes().size() == 5);
}
