// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/reply.hpp>

#include <doctest/doctest.h>

#include <coswire/parse/error_response.hpp>

#include <array>
#include <string>

namespace emu = coswire::detail::emu;

namespace {

emu::exchange exchange_of(std::string method) {
    emu::exchange x;
    x.method = std::move(method);
    x.path = "/k";
    x.resource = "host/k";
    x.target_ok = true;
    x.now = 1700000000;
    x.request_id = "emu-3";
    x.trace_id = "emu-trace-3";
    return x;
}

}  // namespace

TEST_CASE("reply: every answer carries Content-Length, Date, Server and x-cos-request-id") {
    const coswire::http_response r = emu::reply(exchange_of("GET"), 200, "abc", "text/plain");
    CHECK(r.status == 200);
    CHECK(r.body == "abc");
    CHECK(r.header("Content-Type") == "text/plain");
    CHECK(r.header("Content-Length") == "3");
    CHECK(r.header("Date") == "Tue, 14 Nov 2023 22:13:20 GMT");
    CHECK(r.header("Server") == "tencent-cos");
    CHECK(r.header("x-cos-request-id") == "emu-3");
    CHECK_FALSE(emu::reply(exchange_of("GET"), 204).header("Content-Type"));
}

TEST_CASE("error_reply: a COS error document, none for HEAD; extras and unXMLable text survive") {
    const std::array<emu::error_field, 1> extras{{{"ServerTime", "2023-11-14T22:13:20.000Z"}}};
    const coswire::http_response r = emu::error_reply(exchange_of("GET"), 403, "AccessDenied", "bad \xEF\xBF\xBE", extras);
    CHECK(r.status == 403);
    CHECK(r.header("x-cos-trace-id") == "emu-trace-3");
    const coswire::error e = coswire::parse_error_response(r);
    REQUIRE(e.service);
    CHECK(e.service->code == "AccessDenied");
    CHECK(e.service->message == "bad%20%EF%BF%BE");  // U+FFFE cannot be XML text: the whole text percent-encoded
    CHECK(e.service->request_id == "emu-3");
    CHECK(r.body.find("<ServerTime>2023-11-14T22:13:20.000Z</ServerTime>") != std::string::npos);
    CHECK(r.body.find("<Resource>host/k</Resource>") != std::string::npos);
    const coswire::http_response head = emu::error_reply(exchange_of("HEAD"), 404, "NoSuchKey", "gone");
    CHECK(head.body.empty());
    CHECK_FALSE(head.header("Content-Type"));
    CHECK(head.header("Content-Length") == "0");
}

TEST_CASE("xml_reply: the declaration after the lead; an unfinished document is a 500") {
    coswire::xml::writer w;
    w.start("R").element("A", "1").end();
    const coswire::http_response r = emu::xml_reply(exchange_of("GET"), w, "\n ");
    CHECK(r.status == 200);
    CHECK(r.body.starts_with("\n <?xml"));
    CHECK(r.body.ends_with("<R><A>1</A></R>"));
    coswire::xml::writer open;
    open.start("R");
    CHECK(emu::xml_reply(exchange_of("GET"), open).status == 500);
}

TEST_CASE("set_header replaces in any case, else adds; integrity headers name the encryption") {
    coswire::http_response r;
    emu::set_header(r.headers, "content-length", "1");
    emu::set_header(r.headers, "Content-Length", "2");
    CHECK(r.headers.size() == 1);
    CHECK(r.header("Content-Length") == "2");
    emu::add_integrity_headers(r, "\"e\"", 42, "");
    CHECK(r.header("ETag") == "\"e\"");
    CHECK(r.header("x-cos-hash-crc64ecma") == "42");
    CHECK_FALSE(r.header("x-cos-server-side-encryption"));
    coswire::http_response kms;
    emu::add_integrity_headers(kms, {}, 0, "cos/kms");
    CHECK_FALSE(kms.header("ETag"));
    CHECK(kms.header("x-cos-server-side-encryption") == "cos/kms");
}

TEST_CASE("dates: ISO 8601 with milliseconds, clamped to the years the formats can write") {
    CHECK(emu::format_iso8601(0) == "1970-01-01T00:00:00.000Z");
    CHECK(emu::format_iso8601(1585130834) == "2020-03-25T10:07:14.000Z");
    CHECK(emu::format_iso8601(-1) == "1969-12-31T23:59:59.000Z");
    CHECK(emu::format_iso8601(std::numeric_limits<std::int64_t>::max()) == "9999-12-31T23:59:59.000Z");
    CHECK(emu::format_date(std::numeric_limits<std::int64_t>::min()).starts_with("Mon, 01 Jan 0001"));
}

TEST_CASE("path_encode keeps '/' and encodes every other reserved byte") {
    CHECK(emu::path_encode("a b/c+d/") == "a%20b/c%2Bd/");
    CHECK(emu::path_encode("") == "");
    CHECK(emu::path_encode("//") == "//");
}
