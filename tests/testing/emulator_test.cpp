// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator.hpp>

#include <doctest/doctest.h>

#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/sign/request.hpp>
#include <coswire/time/http_date.hpp>
#include <coswire/xml/reader.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

using coswire::credentials;
using coswire::http_header;
using coswire::http_query_param;
using coswire::http_request;
using coswire::http_response;
using coswire::key_time;
using coswire::result;
using coswire::secret_string;
using coswire::testing::cos_emulator;
using coswire::testing::emulator_options;
using coswire::testing::fault_kind;

namespace {

constexpr std::int64_t t0 = 1700000000;
constexpr std::string_view bucket_host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";

credentials test_creds(std::string token = {}) {
    return credentials{"AKIDexample", secret_string("secretkey"), secret_string(std::move(token))};
}

emulator_options test_options() {
    emulator_options o;
    o.accepted.push_back(test_creds());
    o.now = t0;
    o.min_part_size = 16;
    return o;
}

/// An unsigned request for `key` ("" = the bucket), shaped like a request builder's output.
http_request build(std::string method, std::string_view key, std::vector<http_query_param> query = {},
                   std::vector<http_header> extra = {}, std::string body = {}) {
    http_request r;
    r.method = std::move(method);
    r.host = std::string(bucket_host);
    if (key.empty()) {
        r.path = r.wire_path = "/";
    } else {
        auto paths = coswire::map_object_key(key);
        REQUIRE(paths);
        r.path = paths->signed_path;
        r.wire_path = paths->wire_path;
    }
    r.query = std::move(query);
    r.headers.push_back({"Host", std::string(bucket_host)});
    if (r.method == "PUT" || r.method == "POST") r.headers.push_back({"Content-Length", std::to_string(body.size())});
    r.headers.insert(r.headers.end(), extra.begin(), extra.end());
    r.body = std::move(body);
    return r;
}

/// Signs `r` with `creds` for `window` and adds the Authorization header.
void sign(http_request& r, const credentials& creds, key_time window = {t0 - 60, t0 + 3600}) {
    auto s = coswire::signer::create(creds, window);
    REQUIRE(s);
    REQUIRE(coswire::authorize(r, *s));
}

struct fixture {
    credentials creds = test_creds();
    cos_emulator emu;

    explicit fixture(emulator_options o = test_options()) : emu(std::move(o)) {}

    /// Signs and sends; the response must arrive.
    http_response send(http_request r, key_time window = {t0 - 60, t0 + 3600}) {
        sign(r, creds, window);
        result<http_response> got = emu(r);
        REQUIRE(got);
        return *got;
    }
};

std::string header(const http_response& r, std::string_view name) { return std::string(r.header(name).value_or("")); }

std::string code_of(const http_response& r) { return coswire::parse_error_response(r).service->code; }

std::string quoted_md5(std::string_view data) {
    return "\"" + std::string(coswire::to_string_view(coswire::to_hex(coswire::md5_hash(data)))) + "\"";
}

std::string content_md5(std::string_view data) {
    return coswire::base64_encode(std::span<const std::uint8_t>(coswire::md5_hash(data)));
}

/// Text of every element whose path ends with `path` ("CommonPrefixes/Prefix"), in order.
std::vector<std::string> texts(const std::string& body, std::string_view path) {
    std::vector<std::string> wanted;
    for (std::size_t start = 0;;) {
        const std::size_t slash = path.find('/', start);
        wanted.emplace_back(path.substr(start, slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    std::vector<std::string> out, stack;
    coswire::xml::reader reader(body);
    for (;;) {
        auto ev = reader.next();
        REQUIRE(ev);
        if (ev->kind == coswire::xml::event_kind::end_document) return out;
        if (ev->kind == coswire::xml::event_kind::end_element) stack.pop_back();
        if (ev->kind != coswire::xml::event_kind::start_element) continue;
        stack.emplace_back(ev->name);
        if (stack.size() >= wanted.size() &&
            std::equal(wanted.begin(), wanted.end(), stack.end() - static_cast<std::ptrdiff_t>(wanted.size()))) {
            auto text = reader.read_text();
            REQUIRE(text);
            out.emplace_back(*text);
            stack.pop_back();
        }
    }
}

std::string initiate(fixture& f, std::string_view key) {
    const http_response r = f.send(build("POST", key, {{"uploads", std::nullopt}}));
    REQUIRE(r.status == 200);
    return texts(r.body, "UploadId").at(0);
}

http_response upload_part(fixture& f, std::string_view key, const std::string& id, std::string number, std::string data,
                          std::vector<http_header> extra = {}) {
    return f.send(build("PUT", key, {{"partNumber", std::move(number)}, {"uploadId", id}}, std::move(extra), std::move(data)));
}

std::string complete_body(const std::vector<std::pair<std::string, std::string>>& parts) {
    std::string body = "<CompleteMultipartUpload>";
    for (const auto& [number, etag] : parts)
        body += "<Part><PartNumber>" + number + "</PartNumber><ETag>" + etag + "</ETag></Part>";
    return body + "</CompleteMultipartUpload>";
}

http_response complete(fixture& f, std::string_view key, const std::string& id, std::string body) {
    return f.send(build("POST", key, {{"uploadId", id}}, {{"Content-Type", "application/xml"}}, std::move(body)));
}

}  // namespace

static_assert(coswire::transport<cos_emulator>);
static_assert(!coswire::transport<int>);

TEST_CASE("cos_emulator: PUT Object stores the bytes, ETag, CRC-64 and metadata that GET and HEAD return") {
    fixture f;
    const std::string key = "dir/a b+c.txt", body = "hello world";
    const http_response put =
        f.send(build("PUT", key, {},
                     {{"Content-Type", "text/plain"}, {"x-cos-meta-color", "blue"}, {"Content-MD5", content_md5(body)}}, body));
    CHECK(put.status == 200);
    CHECK(header(put, "ETag") == quoted_md5(body));
    CHECK(header(put, "x-cos-hash-crc64ecma") == std::to_string(coswire::crc64(body)));
    CHECK(header(put, "x-cos-request-id") == "emu-1");
    CHECK(header(put, "Server") == "tencent-cos");
    CHECK(header(put, "Date") == "Tue, 14 Nov 2023 22:13:20 GMT");

    const auto stored = f.emu.object(key);
    REQUIRE(stored);
    CHECK(stored->data == body);
    CHECK(stored->last_modified == t0);
    CHECK(f.emu.keys() == std::vector<std::string>{key});

    const http_response get = f.send(build("GET", key));
    CHECK(get.status == 200);
    CHECK(get.body == body);
    CHECK(header(get, "Content-Type") == "text/plain");
    CHECK(header(get, "x-cos-meta-color") == "blue");
    CHECK(header(get, "ETag") == quoted_md5(body));
    CHECK(header(get, "Accept-Ranges") == "bytes");
    CHECK(header(get, "Last-Modified") == "Tue, 14 Nov 2023 22:13:20 GMT");
    CHECK(header(get, "x-cos-hash-crc64ecma") == std::to_string(coswire::crc64(body)));

    const http_response head = f.send(build("HEAD", key));
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(header(head, "Content-Length") == "11");

    SUBCASE("response-* parameters override the stored headers") {
        const http_response r = f.send(
            build("GET", key, {{"response-content-type", "application/json"}, {"response-content-disposition", "attachment"}}));
        CHECK(header(r, "Content-Type") == "application/json");
        CHECK(header(r, "Content-Disposition") == "attachment");
    }
    SUBCASE("without Content-Type the object is application/octet-stream") {
        CHECK(f.send(build("PUT", "plain", {}, {}, "x")).status == 200);
        CHECK(header(f.send(build("GET", "plain")), "Content-Type") == "application/octet-stream");
    }
}

TEST_CASE("cos_emulator: PUT Object checks Content-MD5 and Content-Length") {
    fixture f;
    SUBCASE("a different MD5 is BadDigest") {
        const http_response r = f.send(build("PUT", "k", {}, {{"Content-MD5", content_md5("other")}}, "body"));
        CHECK(r.status == 400);
        CHECK(code_of(r) == "BadDigest");
    }
    SUBCASE("a malformed MD5 is InvalidDigest") {
        const http_response r = f.send(build("PUT", "k", {}, {{"Content-MD5", "abc"}}, "body"));
        CHECK(r.status == 400);
        CHECK(code_of(r) == "InvalidDigest");
    }
    SUBCASE("a Content-Length beyond the body is IncompleteBody") {
        http_request req = build("PUT", "k", {}, {}, "body");
        req.headers[1].value = "10";
        const http_response r = f.send(req);
        CHECK(r.status == 400);
        CHECK(code_of(r) == "IncompleteBody");
    }
    SUBCASE("a non-numeric Content-Length is InvalidArgument") {
        http_request req = build("PUT", "k", {}, {}, "body");
        req.headers[1].value = "four";
        CHECK(code_of(f.send(req)) == "InvalidArgument");
    }
    CHECK_FALSE(f.emu.object("k"));
    SUBCASE("a shorter Content-Length stores only that many bytes, as COS does") {
        http_request req = build("PUT", "k", {}, {}, "body");
        req.headers[1].value = "2";
        CHECK(f.send(req).status == 200);
        CHECK(f.emu.object("k")->data == "bo");
    }
}

TEST_CASE("cos_emulator: GET Object serves one byte range and refuses unsatisfiable ones") {
    fixture f;
    f.emu.put_object("r", "0123456789");
    const auto ranged = [&](std::string range) { return f.send(build("GET", "r", {}, {{"Range", std::move(range)}})); };

    http_response r = ranged("bytes=2-4");
    CHECK(r.status == 206);
    CHECK(r.body == "234");
    CHECK(header(r, "Content-Range") == "bytes 2-4/10");
    CHECK(header(r, "Content-Length") == "3");
    CHECK(header(r, "x-cos-hash-crc64ecma") == std::to_string(coswire::crc64("0123456789")));
    CHECK(ranged("bytes=7-").body == "789");
    CHECK(ranged("bytes=-3").body == "789");
    CHECK(ranged("bytes=5-100").body == "56789");

    r = ranged("bytes=10-");
    CHECK(r.status == 416);
    CHECK(code_of(r) == "InvalidRange");
    CHECK(header(r, "Content-Range") == "bytes */10");

    SUBCASE("several ranges or a reversed one are ignored") {
        CHECK(ranged("bytes=1-2,4-5").status == 200);
        CHECK(ranged("bytes=5-1").body == "0123456789");
    }
    SUBCASE("HEAD with a range is 206 without a body") {
        r = f.send(build("HEAD", "r", {}, {{"Range", "bytes=0-0"}}));
        CHECK(r.status == 206);
        CHECK(r.body.empty());
        CHECK(header(r, "Content-Length") == "1");
    }
}

TEST_CASE("cos_emulator: conditional GET and HEAD answer 412 and 304") {
    fixture f;
    f.emu.put_object("c", "content");
    const std::string etag = quoted_md5("content");
    const auto get = [&](std::string method, http_header condition) {
        return f.send(build(std::move(method), "c", {}, {std::move(condition)}));
    };

    http_response r = get("GET", {"If-Match", "\"0123\""});
    CHECK(r.status == 412);
    CHECK(code_of(r) == "PreconditionFailed");
    CHECK(get("GET", {"If-Match", etag}).status == 200);
    CHECK(get("GET", {"If-Match", "\"x\", " + etag}).status == 200);

    r = get("GET", {"If-None-Match", etag});
    CHECK(r.status == 304);
    CHECK(r.body.empty());
    CHECK(header(r, "ETag") == etag);
    CHECK_FALSE(header(r, "x-cos-trace-id").empty());
    CHECK(get("GET", {"If-None-Match", "*"}).status == 304);
    CHECK(get("GET", {"If-None-Match", "\"other\""}).status == 200);

    const auto date = [](std::int64_t t) {
        const auto d = coswire::format_http_date(t);
        return std::string(d.data(), d.size());
    };
    CHECK(get("GET", {"If-Modified-Since", date(t0 + 10)}).status == 304);
    CHECK(get("GET", {"If-Modified-Since", date(t0 - 10)}).status == 200);
    CHECK(get("GET", {"If-Unmodified-Since", date(t0 - 10)}).status == 412);

    r = get("HEAD", {"If-Match", "\"0123\""});
    CHECK(r.status == 412);
    CHECK(r.body.empty());
}

TEST_CASE("cos_emulator: a missing key is NoSuchKey for GET and a body-less 404 for HEAD") {
    fixture f;
    http_response r = f.send(build("GET", "missing"));
    CHECK(r.status == 404);
    CHECK(header(r, "Content-Type") == "application/xml");
    const coswire::error e = coswire::parse_error_response(r);
    CHECK(e.service->code == "NoSuchKey");
    CHECK(e.service->resource == std::string(bucket_host) + "/missing");
    CHECK(e.service->request_id == header(r, "x-cos-request-id"));
    CHECK(e.service->trace_id == header(r, "x-cos-trace-id"));
    CHECK(r.body.starts_with("<?xml version='1.0' encoding='utf-8' ?>"));

    r = f.send(build("HEAD", "missing"));
    CHECK(r.status == 404);
    CHECK(r.body.empty());
    CHECK(header(r, "Content-Length") == "0");
    CHECK_FALSE(header(r, "x-cos-request-id").empty());
    CHECK_FALSE(header(r, "x-cos-trace-id").empty());
}

TEST_CASE("cos_emulator: DELETE Object answers 204 for present and missing keys") {
    fixture f;
    f.emu.put_object("d", "x");
    CHECK(f.emu.stored_bytes() == 1);
    CHECK(f.send(build("DELETE", "d")).status == 204);
    CHECK_FALSE(f.emu.object("d"));
    CHECK(f.emu.stored_bytes() == 0);
    CHECK(f.send(build("DELETE", "d")).status == 204);
}

TEST_CASE("cos_emulator: GET Bucket lists with prefix, delimiter, marker, max-keys and encoding-type") {
    fixture f;
    for (const char* key : {"a/1", "a/2", "b", "c/x/1", "c/y", "d"}) f.emu.put_object(key, "v");
    const auto list = [&](std::vector<http_query_param> q) { return f.send(build("GET", "", std::move(q))); };

    http_response r = list({});
    CHECK(r.status == 200);
    CHECK(texts(r.body, "Contents/Key") == std::vector<std::string>{"a/1", "a/2", "b", "c/x/1", "c/y", "d"});
    CHECK(texts(r.body, "Name") == std::vector<std::string>{"examplebucket-1250000000"});
    CHECK(texts(r.body, "IsTruncated") == std::vector<std::string>{"false"});
    CHECK(texts(r.body, "Contents/ETag").at(0) == quoted_md5("v"));
    CHECK(texts(r.body, "Contents/LastModified").at(0) == "2023-11-14T22:13:20.000Z");
    CHECK(r.body.find("&quot;") != std::string::npos);

    r = list({{"delimiter", "/"}});
    CHECK(texts(r.body, "CommonPrefixes/Prefix") == std::vector<std::string>{"a/", "c/"});
    CHECK(texts(r.body, "Contents/Key") == std::vector<std::string>{"b", "d"});

    r = list({{"prefix", "c/"}, {"delimiter", "/"}});
    CHECK(texts(r.body, "CommonPrefixes/Prefix") == std::vector<std::string>{"c/x/"});
    CHECK(texts(r.body, "Contents/Key") == std::vector<std::string>{"c/y"});

    SUBCASE("paging with NextMarker returns every entry once") {
        std::vector<std::string> seen;
        std::string marker;
        for (int page = 0; page < 10; ++page) {
            r = list({{"delimiter", "/"}, {"max-keys", "1"}, {"marker", marker}});
            for (const auto& p : texts(r.body, "CommonPrefixes/Prefix")) seen.push_back(p);
            for (const auto& k : texts(r.body, "Contents/Key")) seen.push_back(k);
            if (texts(r.body, "IsTruncated").at(0) == "false") break;
            marker = texts(r.body, "NextMarker").at(0);
        }
        CHECK(seen == std::vector<std::string>{"a/", "b", "c/", "d"});
    }
    SUBCASE("encoding-type=url percent-encodes keys and keeps '/'") {
        f.emu.put_object("sp ace/\xC3\xBC+.txt", "v");
        r = list({{"encoding-type", "url"}, {"prefix", "sp ace/"}});
        CHECK(texts(r.body, "EncodingType") == std::vector<std::string>{"url"});
        CHECK(texts(r.body, "Contents/Key") == std::vector<std::string>{"sp%20ace/%C3%BC%2B.txt"});
        CHECK(texts(r.body, "Prefix") == std::vector<std::string>{"sp%20ace/"});
    }
    SUBCASE("bad parameters are InvalidArgument") {
        CHECK(code_of(list({{"max-keys", "ten"}})) == "InvalidArgument");
        CHECK(code_of(list({{"encoding-type", "xml"}})) == "InvalidArgument");
        CHECK(code_of(list({{"prefix", std::string("\x01", 1)}})) == "InvalidArgument");
    }
    SUBCASE("max-keys is capped at 1000 and 0 lists nothing") {
        CHECK(texts(list({{"max-keys", "5000"}}).body, "MaxKeys") == std::vector<std::string>{"1000"});
        r = list({{"max-keys", "0"}});
        CHECK(texts(r.body, "Contents/Key").empty());
        CHECK(texts(r.body, "IsTruncated") == std::vector<std::string>{"false"});
    }
}

TEST_CASE("cos_emulator: refuses bad signatures as COS does") {
    fixture f;
    f.emu.put_object("obj", "x");

    SUBCASE("a wrong secret key is SignatureDoesNotMatch with StringToSign and FormatString") {
        http_request req = build("GET", "obj");
        const credentials wrong{.secret_id = "AKIDexample", .secret_key = secret_string("not-the-key")};
        sign(req, wrong);
        const http_response r = *f.emu(req);
        CHECK(r.status == 403);
        const coswire::error e = coswire::parse_error_response(r);
        CHECK(e.service->code == "SignatureDoesNotMatch");
        CHECK(e.service->string_to_sign.starts_with("sha1\n1699999940;1700003600\n"));
        CHECK(e.service->format_string.starts_with("get\n/obj\n\n"));
    }
    SUBCASE("an unknown SecretId is InvalidAccessKeyId") {
        http_request req = build("GET", "obj");
        sign(req, credentials{"AKIDother", secret_string("secretkey"), {}});
        CHECK(code_of(*f.emu(req)) == "InvalidAccessKeyId");
    }
    SUBCASE("a signed header changed after signing is SignatureDoesNotMatch; an unsigned one is not checked") {
        http_request req = build("GET", "obj", {}, {{"x-cos-meta-a", "1"}, {"User-Agent", "ua"}});
        sign(req, f.creds);
        req.headers[1].value = "2";
        CHECK(code_of(*f.emu(req)) == "SignatureDoesNotMatch");
        req.headers[1].value = "1";
        req.headers[2].value = "other";
        CHECK(f.emu(req)->status == 200);
    }
    SUBCASE("a window that ended is AccessDenied: Request has expired, with ServerTime") {
        const http_response r = f.send(build("GET", "obj"), {t0 - 7200, t0 - 3600});
        CHECK(r.status == 403);
        const coswire::error e = coswire::parse_error_response(r);
        CHECK(e.service->code == "AccessDenied");
        CHECK(e.service->message == "Request has expired");
        CHECK(e.service->server_time == t0);
    }
    SUBCASE("a window that starts later is RequestTimeTooSkewed") {
        const http_response r = f.send(build("GET", "obj"), {t0 + 3600, t0 + 7200});
        CHECK(code_of(r) == "RequestTimeTooSkewed");
        CHECK(f.emu.stats().faults.clock_skew == 1);
    }
    SUBCASE("a Date header more than 15 minutes off is RequestTimeTooSkewed") {
        const auto d = coswire::format_http_date(t0 - 3600);
        CHECK(code_of(f.send(build("GET", "obj", {}, {{"Date", std::string(d.data(), d.size())}}))) == "RequestTimeTooSkewed");
        const auto near = coswire::format_http_date(t0 - 60);
        CHECK(f.send(build("GET", "obj", {}, {{"Date", std::string(near.data(), near.size())}})).status == 200);
    }
    SUBCASE("no signature is AccessDenied") {
        const http_response r = *f.emu(build("GET", "obj"));
        CHECK(r.status == 403);
        CHECK(code_of(r) == "AccessDenied");
    }
    SUBCASE("a raw '+' in the path is read as a space, so the signature no longer matches, as with COS") {
        http_request req = build("PUT", "a+b.txt", {}, {}, "x");
        CHECK(req.wire_path == "/a%2Bb.txt");
        req.wire_path = "/a+b.txt";  // a client that forgot to encode '+'
        sign(req, f.creds);
        const http_response r = *f.emu(req);
        const coswire::error e = coswire::parse_error_response(r);
        CHECK(e.service->code == "SignatureDoesNotMatch");
        CHECK(e.service->format_string.starts_with("put\n/a b.txt\n"));
        CHECK(e.service->resource == std::string(bucket_host) + "/a+b.txt");
        CHECK_FALSE(f.emu.object("a+b.txt"));
    }
    SUBCASE("another Host is AccessDenied, no Host is MissingHost") {
        http_request req = build("GET", "obj");
        req.headers[0].value = "otherbucket-1250000000.cos.ap-beijing.myqcloud.com";
        sign(req, f.creds);
        http_response r = *f.emu(req);
        CHECK(r.status == 403);
        CHECK(code_of(r) == "AccessDenied");
        req = build("GET", "obj");
        req.headers.clear();
        req.host.clear();
        r = *f.emu(req);
        CHECK(r.status == 400);
        CHECK(code_of(r) == "MissingHost");
    }
    SUBCASE("a presigned URL is accepted") {
        const http_request req = build("GET", "obj");
        auto s = coswire::signer::create(f.creds, key_time{t0 - 60, t0 + 3600});
        REQUIRE(s);
        auto url = coswire::presigned_url(req, *s);
        REQUIRE(url);
        const std::string prefix = "https://" + std::string(bucket_host);
        REQUIRE(url->starts_with(prefix));
        const std::string target = url->substr(prefix.size());
        http_request sent = build("GET", "obj");
        sent.wire_path = target.substr(0, target.find('?'));
        std::string_view query = std::string_view(target).substr(target.find('?') + 1);
        while (!query.empty()) {
            const auto amp = query.find('&');
            const std::string_view item = query.substr(0, amp);
            const auto eq = item.find('=');
            sent.query.push_back(
                {coswire::percent_decode(item.substr(0, eq)).value(), coswire::percent_decode(item.substr(eq + 1)).value()});
            query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        }
        const http_response r = *f.emu(sent);
        CHECK(r.status == 200);
        CHECK(r.body == "x");
        sent.query.back().value = std::string(40, '0');  // q-signature
        CHECK(code_of(*f.emu(sent)) == "SignatureDoesNotMatch");
    }
}

TEST_CASE("cos_emulator: acts only on the copy of a name that the signature check saw") {
    fixture f;
    f.emu.put_object("obj", "0123456789");

    SUBCASE("a signed Range with an unsigned whole-object Range put before it") {
        http_request req = build("GET", "obj", {}, {{"Range", "bytes=0-3"}});
        sign(req, f.creds);
        REQUIRE(f.emu(req)->body == "0123");
        req.headers.insert(req.headers.begin(), {"Range", "bytes=0-"});
        const http_response r = *f.emu(req);
        CHECK(r.status == 403);
        CHECK(code_of(r) == "AccessDenied");
        CHECK(r.body.find("0123456789") == std::string::npos);
    }
    SUBCASE("a signed Abort of upload A replayed as ?uploadId=B&uploadId=A") {
        const std::string a = initiate(f, "obj"), b = initiate(f, "obj");
        http_request abort_a = build("DELETE", "obj", {{"uploadId", a}});
        sign(abort_a, f.creds);
        abort_a.query.insert(abort_a.query.begin(), {"uploadId", b});
        CHECK(code_of(*f.emu(abort_a)) == "AccessDenied");
        abort_a.query.front().name = "uploadid";
        CHECK(code_of(*f.emu(abort_a)) == "AccessDenied");
        CHECK(f.emu.uploads().size() == 2);
    }
    SUBCASE("a signed PUT given a second Content-Length / Content-MD5 pair and another body") {
        http_request put = build("PUT", "new", {}, {{"Content-MD5", content_md5("good")}}, "good");
        sign(put, f.creds);
        put.body = "evil!";
        put.headers.insert(put.headers.begin(), {{"Content-Length", "5"}, {"Content-MD5", content_md5("evil!")}});
        CHECK(f.emu(put)->status == 403);
        CHECK_FALSE(f.emu.object("new"));
    }
    SUBCASE("unsigned names twice are ambiguous too: 400 InvalidRequest") {
        http_request req = build("GET", "obj", {}, {{"User-Agent", "a"}});
        sign(req, f.creds);
        req.headers.push_back({"user-agent", "b"});
        http_response r = *f.emu(req);
        CHECK(r.status == 400);
        CHECK(code_of(r) == "InvalidRequest");
        req.headers.pop_back();
        req.query = {{"response-content-type", "a"}, {"Response-Content-Type", "b"}};
        r = *f.emu(req);
        CHECK(r.status == 400);
        CHECK(coswire::parse_error_response(r).service->message == "The parameter response-content-type appears more than once.");
    }
}

TEST_CASE("cos_emulator: verify options bound the window and can refuse unsigned additions") {
    {
        fixture f;
        f.emu.put_object("obj", "x");
        const http_response r = f.send(build("GET", "obj"), {t0 - 60, t0 + 8 * 24 * 3600});
        CHECK(code_of(r) == "AccessDenied");
        CHECK(coswire::parse_error_response(r).service->message.find("longer than the 604800") != std::string::npos);
    }
    emulator_options o = test_options();
    o.verify.max_window_seconds = 0;  // COS's own rule: any window
    o.verify.refuse_unsigned = true;
    fixture f(o);
    f.emu.put_object("obj", "x");
    CHECK(f.send(build("GET", "obj"), {t0 - 60, 32557624626}).status == 200);
    http_request req = build("GET", "obj");
    sign(req, f.creds);
    req.query.push_back({"response-content-type", "text/html"});
    CHECK(code_of(*f.emu(req)) == "AccessDenied");
}

TEST_CASE("cos_emulator: a SignatureDoesNotMatch body echoes the session token as COS does; the parsed error does not keep it") {
    emulator_options o = test_options();
    o.accepted = {test_creds("the-session-token")};
    fixture f(o);
    f.emu.put_object("obj", "x");
    http_request req = build("GET", "obj");
    sign(req, credentials{"AKIDexample", secret_string("wrong"), secret_string("the-session-token")});
    const http_response r = *f.emu(req);
    CHECK(r.body.find("the-session-token") == std::string::npos);  // the emulator's FormatString comes from verify_request
    const coswire::error e = coswire::parse_error_response(r);
    CHECK(e.service->format_string.find("x-cos-security-token=***") != std::string::npos);
    http_response forged = r;  // a server that echoes it, as real COS does
    const std::size_t at = forged.body.find("x-cos-security-token=***");
    REQUIRE(at != std::string::npos);
    forged.body.replace(at, 24, "X-Cos-Security-Token=the-session-token");
    const coswire::error parsed = coswire::parse_error_response(forged);
    CHECK(parsed.service->format_string.find("the-session-token") == std::string::npos);
    CHECK(parsed.service->format_string.find("X-Cos-Security-Token=***") != std::string::npos);
}

TEST_CASE("cos_emulator: temporary credentials need their session token") {
    emulator_options o = test_options();
    o.accepted.push_back(credentials{"AKIDtemp", secret_string("tempkey"), secret_string("token-1")});
    fixture f(std::move(o));
    f.emu.put_object("obj", "x");
    const credentials temp{"AKIDtemp", secret_string("tempkey"), secret_string("token-1")};
    const credentials wrong_token{"AKIDtemp", secret_string("tempkey"), secret_string("token-2")};
    const credentials no_token{"AKIDtemp", secret_string("tempkey"), {}};

    http_request req = build("GET", "obj");
    sign(req, temp);
    CHECK(f.emu(req)->status == 200);
    req = build("GET", "obj");
    sign(req, wrong_token);
    CHECK(code_of(*f.emu(req)) == "InvalidAccessKeyId");
    req = build("GET", "obj");
    sign(req, no_token);
    CHECK(code_of(*f.emu(req)) == "InvalidAccessKeyId");
    req = build("GET", "obj", {}, {{"x-cos-security-token", "token-1"}});
    sign(req, f.creds);  // permanent credentials carrying a token
    CHECK(code_of(*f.emu(req)) == "InvalidAccessKeyId");
}

TEST_CASE("cos_emulator: a temporary key in credential_expiry is ExpiredToken from its expiry on, and nothing is stored") {
    const credentials temp{"AKIDtemp", secret_string("tempkey"), secret_string("token-1")};
    emulator_options o = test_options();
    o.accepted.push_back(temp);
    o.credential_expiry = {{"AKIDtemp", t0 + 100}};
    fixture f(std::move(o));
    const auto put = [&f](const credentials& c, std::string key) {
        http_request req = build("PUT", key, {}, {}, "data");
        sign(req, c);
        return *f.emu(req);
    };

    f.emu.set_now(t0 + 99);
    CHECK(put(temp, "before").status == 200);
    for (const std::int64_t now : {t0 + 100, t0 + 500}) {
        f.emu.set_now(now);
        const http_response r = put(temp, "after");
        CHECK(r.status == 400);
        CHECK(code_of(r) == "ExpiredToken");
        CHECK(header(r, "x-cos-request-id") == "emu-" + std::to_string(f.emu.stats().requests));
        CHECK(coswire::parse_error_response(r).service->request_id == header(r, "x-cos-request-id"));
        CHECK(r.body.find("tempkey") == std::string::npos);
        CHECK(r.body.find("token-1") == std::string::npos);
    }
    CHECK(put(f.creds, "permanent").status == 200);  // another key is unaffected
    CHECK(f.emu.keys() == std::vector<std::string>{"before", "permanent"});
    CHECK(f.emu.stats().requests == 4);
}

TEST_CASE("cos_emulator: a multipart upload from Initiate to Complete, with the CRC-64 combined from the parts") {
    fixture f;
    const std::string key = "big/file.bin";
    const std::string id = initiate(f, key);
    CHECK(id.size() == 74);
    CHECK(id.starts_with("1700000000"));
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);

    const std::vector<std::string> data{std::string(20, 'A'), std::string(20, 'B'), "tail!"};
    std::vector<std::string> etags(3);
    for (std::size_t i : {1u, 0u, 2u}) {  // any order
        const http_response r = upload_part(f, key, id, std::to_string(i + 1), data[i], {{"Content-MD5", content_md5(data[i])}});
        REQUIRE(r.status == 200);
        etags[i] = header(r, "ETag");
        CHECK(etags[i] == quoted_md5(data[i]));
        CHECK(header(r, "x-cos-hash-crc64ecma") == std::to_string(coswire::crc64(data[i])));
    }
    const auto uploads = f.emu.uploads();
    REQUIRE(uploads.size() == 1);
    CHECK(uploads[0].key == key);
    CHECK(uploads[0].parts.size() == 3);
    CHECK(f.emu.stored_bytes() == 45);

    http_response r = f.send(build("GET", key, {{"uploadId", id}, {"max-parts", "2"}}));
    CHECK(texts(r.body, "Part/PartNumber") == std::vector<std::string>{"1", "2"});
    CHECK(texts(r.body, "Part/ETag") == std::vector<std::string>{etags[0], etags[1]});
    CHECK(texts(r.body, "Part/Size") == std::vector<std::string>{"20", "20"});
    CHECK(texts(r.body, "IsTruncated") == std::vector<std::string>{"true"});
    CHECK(texts(r.body, "NextPartNumberMarker") == std::vector<std::string>{"2"});
    CHECK(texts(r.body, "UploadId") == std::vector<std::string>{id});
    r = f.send(build("GET", key, {{"uploadId", id}, {"part-number-marker", "2"}}));
    CHECK(texts(r.body, "Part/PartNumber") == std::vector<std::string>{"3"});
    CHECK(texts(r.body, "IsTruncated") == std::vector<std::string>{"false"});
    CHECK(texts(r.body, "NextPartNumberMarker").empty());

    r = complete(f, key, id, complete_body({{"1", etags[0]}, {"2", etags[1]}, {"3", etags[2]}}));
    REQUIRE(r.status == 200);
    CHECK(r.body.find_first_not_of(" \n") > 0);
    CHECK(r.body.find("<CompleteMultipartUploadResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">") !=
          std::string::npos);
    CHECK(r.body.find("&quot;") != std::string::npos);
    CHECK_FALSE(coswire::has_error_body(r));
    const std::string etag = texts(r.body, "ETag").at(0);
    CHECK(etag.size() == 36);
    CHECK(etag.ends_with("-3\""));
    CHECK(texts(r.body, "Key") == std::vector<std::string>{key});
    CHECK(texts(r.body, "Location") == std::vector<std::string>{"http://" + std::string(bucket_host) + "/big/file.bin"});

    const std::string whole = data[0] + data[1] + data[2];
    std::uint64_t combined = 0;
    for (const std::string& d : data) combined = coswire::crc64_combine(combined, coswire::crc64(d), d.size());
    CHECK(combined == coswire::crc64(whole));
    CHECK(header(r, "x-cos-hash-crc64ecma") == std::to_string(combined));

    const auto object = f.emu.object(key);
    REQUIRE(object);
    CHECK(object->data == whole);
    CHECK(object->etag == etag);
    CHECK(object->crc64 == combined);
    CHECK(f.emu.uploads().empty());
    CHECK(f.emu.stored_bytes() == whole.size());
    CHECK(f.send(build("GET", key)).body == whole);

    // The upload id is gone: a retried Complete, an Abort and a part all get NoSuchUpload.
    CHECK(code_of(complete(f, key, id, complete_body({{"1", etags[0]}}))) == "NoSuchUpload");
    CHECK(code_of(f.send(build("DELETE", key, {{"uploadId", id}}))) == "NoSuchUpload");
    CHECK(code_of(upload_part(f, key, id, "1", "x")) == "NoSuchUpload");
}

TEST_CASE("cos_emulator: multipart errors have COS codes") {
    fixture f;
    const std::string key = "m";
    const std::string id = initiate(f, key);
    const std::string p1(20, '1'), p2(20, '2');
    const std::string e1 = header(upload_part(f, key, id, "1", p1), "ETag");
    const std::string e2 = header(upload_part(f, key, id, "2", p2), "ETag");
    const std::string e3 = header(upload_part(f, key, id, "3", "end"), "ETag");

    SUBCASE("part numbers outside 1..10000 are InvalidArgument") {
        for (const char* n : {"0", "10001", "x", ""}) {
            const http_response r = upload_part(f, key, id, n, "x");
            CHECK(r.status == 400);
            CHECK(code_of(r) == "InvalidArgument");
        }
        CHECK(upload_part(f, key, id, "10000", "x").status == 200);
    }
    SUBCASE("unknown upload ids, or ids of another key, are NoSuchUpload (404)") {
        http_response r = upload_part(f, key, "nope", "1", "x");
        CHECK(r.status == 404);
        CHECK(code_of(r) == "NoSuchUpload");
        CHECK(code_of(upload_part(f, "other-key", id, "1", "x")) == "NoSuchUpload");
        CHECK(code_of(f.send(build("GET", key, {{"uploadId", "nope"}}))) == "NoSuchUpload");
        CHECK(code_of(complete(f, key, "nope", complete_body({{"1", e1}}))) == "NoSuchUpload");
        CHECK(code_of(f.send(build("DELETE", key, {{"uploadId", "nope"}}))) == "NoSuchUpload");
    }
    SUBCASE("List Parts with an empty uploadId is ListPartUploadIdIsEmpty") {
        CHECK(code_of(f.send(build("GET", key, {{"uploadId", ""}}))) == "ListPartUploadIdIsEmpty");
    }
    SUBCASE("a part uploaded again replaces the old one") {
        const http_response r = upload_part(f, key, id, "2", std::string(30, 'z'));
        CHECK(header(r, "ETag") == quoted_md5(std::string(30, 'z')));
        CHECK(f.emu.uploads().at(0).parts.at(2).data == std::string(30, 'z'));
        CHECK(f.emu.stored_bytes() == 20 + 30 + 3);
    }
    SUBCASE("a part whose Content-MD5 differs is BadDigest and is not stored") {
        CHECK(code_of(upload_part(f, key, id, "4", "data", {{"Content-MD5", content_md5("atad")}})) == "BadDigest");
        CHECK(f.emu.uploads().at(0).parts.size() == 3);
    }
    SUBCASE("Complete refuses a bad part list") {
        CHECK(code_of(complete(f, key, id, "<x>")) == "MalformedXML");
        CHECK(code_of(complete(f, key, id, "")) == "MalformedXML");
        CHECK(code_of(complete(f, key, id, "<CompleteMultipartUpload></CompleteMultipartUpload>")) == "MalformedXML");
        CHECK(code_of(complete(f, key, id, complete_body({{"one", e1}}))) == "MalformedXML");
        CHECK(code_of(complete(f, key, id, complete_body({{"2", e2}, {"1", e1}}))) == "InvalidPartOrder");
        CHECK(code_of(complete(f, key, id, complete_body({{"1", e1}, {"1", e1}}))) == "InvalidPartOrder");
        CHECK(code_of(complete(f, key, id, complete_body({{"1", e2}, {"2", e2}}))) == "InvalidPart");
        CHECK(code_of(complete(f, key, id, complete_body({{"1", e1}, {"2", e2}, {"3", e3}, {"4", e3}}))) == "InvalidPart");
        CHECK(code_of(complete(f, key, id, complete_body({{"1", e1}, {"3", e3}}))) == "InvalidPart");
        CHECK(f.emu.uploads().size() == 1);
    }
    SUBCASE("a non-last part below min_part_size is EntityTooSmall") {
        upload_part(f, key, id, "2", "short");
        const std::string short_etag = quoted_md5("short");
        CHECK(code_of(complete(f, key, id, complete_body({{"1", e1}, {"2", short_etag}, {"3", e3}}))) == "EntityTooSmall");
        // The last part may be small, and ETags may come without quotes.
        const http_response r = complete(f, key, id, complete_body({{"1", e1.substr(1, 32)}, {"2", short_etag}}));
        CHECK(r.status == 200);
        CHECK(f.emu.object(key)->data == p1 + "short");
        CHECK(f.emu.stored_bytes() == 25);  // part 3 was not listed and is gone with the upload
    }
    SUBCASE("Abort answers 204, then NoSuchUpload") {
        CHECK(f.send(build("DELETE", key, {{"uploadId", id}})).status == 204);
        CHECK(f.emu.uploads().empty());
        CHECK(f.emu.stored_bytes() == 0);
        CHECK(f.send(build("DELETE", key, {{"uploadId", id}})).status == 404);
    }
}

TEST_CASE("cos_emulator: allow_part_gaps accepts Complete with gaps") {
    emulator_options o = test_options();
    o.allow_part_gaps = true;
    fixture f(std::move(o));
    const std::string id = initiate(f, "g");
    const std::string e2 = header(upload_part(f, "g", id, "2", std::string(20, 'x')), "ETag");
    const std::string e5 = header(upload_part(f, "g", id, "5", "y"), "ETag");
    CHECK(complete(f, "g", id, complete_body({{"2", e2}, {"5", e5}})).status == 200);
    CHECK(f.emu.object("g")->data == std::string(20, 'x') + "y");
}

TEST_CASE("cos_emulator: Upload Part - Copy takes a range of an object of this bucket") {
    fixture f;
    std::string source;
    for (int i = 0; i < 40; ++i) source += static_cast<char>('a' + i % 26);
    const std::string src_key = "src dir/\xC3\xBC+1";
    f.emu.put_object(src_key, source);
    const std::string copy_source = std::string(bucket_host) + coswire::map_object_key(src_key)->wire_path;
    const std::string id = initiate(f, "dst");
    const auto copy = [&](std::string part, std::vector<http_header> extra) {
        return f.send(build("PUT", "dst", {{"partNumber", std::move(part)}, {"uploadId", id}}, std::move(extra)));
    };

    http_response r = copy("1", {{"x-cos-copy-source", copy_source}, {"x-cos-copy-source-range", "bytes=0-19"}});
    CHECK(r.status == 200);
    CHECK(header(r, "Content-Type") == "application/xml");
    CHECK(texts(r.body, "ETag") == std::vector<std::string>{quoted_md5(source.substr(0, 20))});
    CHECK(texts(r.body, "LastModified") == std::vector<std::string>{"2023-11-14T22:13:20.000Z"});
    CHECK(header(r, "x-cos-hash-crc64ecma") == std::to_string(coswire::crc64(source.substr(0, 20))));
    r = copy("2", {{"x-cos-copy-source", copy_source}, {"x-cos-copy-source-If-Match", quoted_md5(source)}});
    CHECK(r.status == 200);
    const std::string e1 = quoted_md5(source.substr(0, 20)), e2 = quoted_md5(source);
    CHECK(complete(f, "dst", id, complete_body({{"1", e1}, {"2", e2}})).status == 200);
    CHECK(f.emu.object("dst")->data == source.substr(0, 20) + source);

    const std::string id2 = initiate(f, "dst");
    const auto copy2 = [&](std::vector<http_header> extra) {
        return f.send(build("PUT", "dst", {{"partNumber", "1"}, {"uploadId", id2}}, std::move(extra)));
    };
    CHECK(code_of(copy2({{"x-cos-copy-source", std::string(bucket_host) + "/missing"}})) == "NoSuchKey");
    CHECK(code_of(copy2({{"x-cos-copy-source", "otherbucket-1250000000.cos.ap-beijing.myqcloud.com/x"}})) == "NoSuchKey");
    CHECK(code_of(copy2({{"x-cos-copy-source", "no-slash"}})) == "InvalidCopySource");
    CHECK(code_of(copy2({{"x-cos-copy-source", copy_source}, {"x-cos-copy-source-range", "bytes=5-1000"}})) == "InvalidArgument");
    CHECK(code_of(copy2({{"x-cos-copy-source", copy_source}, {"x-cos-copy-source-If-Match", "\"nope\""}})) ==
          "PreconditionFailed");
    CHECK(code_of(copy2({{"x-cos-copy-source", copy_source}, {"x-cos-copy-source-If-None-Match", e2}})) == "PreconditionFailed");
    CHECK(f.emu.uploads().at(0).parts.empty());
}

TEST_CASE("cos_emulator: List Multipart Uploads pages by key and upload id") {
    fixture f;
    const std::string a1 = initiate(f, "doc/a b.bin"), a2 = initiate(f, "doc/a b.bin");
    const std::string sub = initiate(f, "doc/sub/x"), img = initiate(f, "img/1");
    CHECK(a1 != a2);
    const auto list = [&](std::vector<http_query_param> q) {
        q.insert(q.begin(), http_query_param{"uploads", std::nullopt});
        return f.send(build("GET", "", std::move(q)));
    };

    http_response r = list({});
    CHECK(r.status == 200);
    CHECK(texts(r.body, "Upload/Key") == std::vector<std::string>{"doc/a b.bin", "doc/a b.bin", "doc/sub/x", "img/1"});
    std::vector<std::string> ids{a1, a2};
    std::sort(ids.begin(), ids.end());
    CHECK(texts(r.body, "Upload/UploadId").at(0) == ids[0]);
    CHECK(texts(r.body, "Upload/Initiated").at(0) == "2023-11-14T22:13:20.000Z");

    r = list({{"prefix", "doc/"}, {"delimiter", "/"}});
    CHECK(texts(r.body, "Upload/Key") == std::vector<std::string>{"doc/a b.bin", "doc/a b.bin"});
    CHECK(texts(r.body, "CommonPrefixes/Prefix") == std::vector<std::string>{"doc/sub/"});

    r = list({{"encoding-type", "url"}, {"max-uploads", "1"}});
    CHECK(texts(r.body, "Encoding-Type") == std::vector<std::string>{"url"});
    CHECK(texts(r.body, "Upload/Key") == std::vector<std::string>{"doc/a%20b.bin"});
    CHECK(texts(r.body, "NextKeyMarker") == std::vector<std::string>{"doc/a%20b.bin"});

    std::vector<std::string> seen;
    std::string key_marker, id_marker;
    for (int page = 0; page < 10; ++page) {
        r = list({{"max-uploads", "1"}, {"key-marker", key_marker}, {"upload-id-marker", id_marker}});
        for (const auto& id : texts(r.body, "Upload/UploadId")) seen.push_back(id);
        if (texts(r.body, "IsTruncated").at(0) == "false") break;
        key_marker = texts(r.body, "NextKeyMarker").at(0);
        id_marker = texts(r.body, "NextUploadIdMarker").at(0);
    }
    CHECK(seen == std::vector<std::string>{ids[0], ids[1], sub, img});
}

TEST_CASE("cos_emulator: scripted faults reply 500/503, drop connections and answer Complete with a 200 error") {
    fixture f;
    SUBCASE("500 InternalError and 503 SlowDown are not applied") {
        f.emu.fail_next(fault_kind::internal_error);
        f.emu.fail_next(fault_kind::slow_down);
        http_response r = f.send(build("PUT", "k", {}, {}, "v"));
        CHECK(r.status == 500);
        CHECK(code_of(r) == "InternalError");
        r = f.send(build("PUT", "k", {}, {}, "v"));
        CHECK(r.status == 503);
        CHECK(code_of(r) == "SlowDown");
        CHECK_FALSE(f.emu.object("k"));
        CHECK(f.send(build("PUT", "k", {}, {}, "v")).status == 200);
        CHECK(f.emu.stats().faults.internal_error == 1);
        CHECK(f.emu.stats().faults.slow_down == 1);
    }
    SUBCASE("a drop before applying leaves nothing; a drop after applying leaves the change") {
        f.emu.fail_next(fault_kind::drop_before);
        http_request req = build("PUT", "k", {}, {}, "v");
        sign(req, f.creds);
        result<http_response> got = f.emu(req);
        REQUIRE_FALSE(got);
        CHECK(got.error().code == coswire::errc::transport_failure);
        CHECK_FALSE(f.emu.object("k"));
        f.emu.fail_next(fault_kind::drop_after);
        got = f.emu(req);
        REQUIRE_FALSE(got);
        CHECK(got.error().code == coswire::errc::transport_failure);
        CHECK(f.emu.object("k")->data == "v");
        CHECK(f.emu.stats().faults.total() == 2);
    }
    SUBCASE("none lets a request through, so a script can aim at the third request") {
        f.emu.fail_next(fault_kind::none, 2);
        f.emu.fail_next(fault_kind::slow_down);
        CHECK(f.send(build("GET", "")).status == 200);
        CHECK(f.send(build("GET", "")).status == 200);
        CHECK(f.send(build("GET", "")).status == 503);
        CHECK(f.emu.scripted_faults_pending() == 0);
    }
    SUBCASE("complete_error waits for a Complete, answers 200 with <Error>, and applies nothing") {
        const std::string id = initiate(f, "c");
        f.emu.fail_next(fault_kind::complete_error);
        const std::string e1 = header(upload_part(f, "c", id, "1", "only"), "ETag");
        CHECK(f.emu.scripted_faults_pending() == 1);
        const std::string body = complete_body({{"1", e1}});
        http_response r = complete(f, "c", id, body);
        CHECK(r.status == 200);
        CHECK(coswire::has_error_body(r));
        CHECK(r.body.starts_with(" "));
        CHECK(code_of(r) == "InternalError");
        CHECK(f.emu.uploads().size() == 1);
        CHECK_FALSE(f.emu.object("c"));
        r = complete(f, "c", id, body);
        CHECK(r.status == 200);
        CHECK_FALSE(coswire::has_error_body(r));
        CHECK(f.emu.stats().faults.complete_error == 1);
    }
    SUBCASE("a drop after Complete applied it: the retry sees NoSuchUpload, HEAD sees the object") {
        const std::string id = initiate(f, "c");
        const std::string e1 = header(upload_part(f, "c", id, "1", "only"), "ETag");
        f.emu.fail_next(fault_kind::drop_after);
        http_request req = build("POST", "c", {{"uploadId", id}}, {}, complete_body({{"1", e1}}));
        sign(req, f.creds);
        CHECK_FALSE(f.emu(req));
        CHECK(code_of(complete(f, "c", id, complete_body({{"1", e1}}))) == "NoSuchUpload");
        const http_response head = f.send(build("HEAD", "c"));
        CHECK(head.status == 200);
        CHECK(header(head, "x-cos-hash-crc64ecma") == std::to_string(coswire::crc64("only")));
    }
}

TEST_CASE("cos_emulator: cut_body sends the head and half the body, then fails, on both call operators") {
    fixture f;
    const std::string data(5 * cos_emulator::stream_piece / 2 + 1, 'd');  // the cut falls inside a piece
    f.emu.put_object("big", data);
    http_request get = build("GET", "big");
    sign(get, f.creds);

    f.emu.fail_next(fault_kind::cut_body);
    const result<http_response> collected = f.emu(get);
    REQUIRE_FALSE(collected);
    CHECK(collected.error().code == coswire::errc::transport_failure);
    CHECK(collected.error().reason.find(std::to_string(data.size() / 2) + " of " + std::to_string(data.size())) != std::string::npos);

    f.emu.fail_next(fault_kind::cut_body);
    int heads = 0;
    std::string received;
    coswire::response_sink sink{.head =
                                    [&](const http_response& head) -> result<void> {
                                        ++heads;
                                        CHECK(head.status == 200);
                                        CHECK(head.header("Content-Length") == std::to_string(data.size()));
                                        return {};
                                    },
                                .body =
                                    [&](std::span<const std::byte> bytes) -> result<void> {
                                        received.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
                                        return {};
                                    }};
    const result<http_response> streamed = f.emu(get, sink);
    REQUIRE_FALSE(streamed);
    CHECK(streamed.error().code == coswire::errc::transport_failure);
    CHECK(heads == 1);
    CHECK(received == data.substr(0, data.size() / 2));

    // The request is applied before its answer is cut, as for drop_after.
    f.emu.fail_next(fault_kind::cut_body);
    http_request put = build("PUT", "k", {}, {}, "value");
    sign(put, f.creds);
    CHECK_FALSE(f.emu(put));
    CHECK(f.emu.object("k")->data == "value");
    CHECK(f.emu.stats().faults.cut_body == 3);
    CHECK(f.emu.stats().faults.total() == 3);

    // Without a fault the same calls succeed, and a plan draws the fault at random.
    received.clear();
    CHECK(f.emu(get, sink));
    CHECK(received == data);
    f.emu.set_fault_plan({.cut_body = 1});
    CHECK_FALSE(f.emu(get));
}

TEST_CASE("cos_emulator: a skewed server clock answers RequestTimeTooSkewed with ServerTime and Date") {
    fixture f;
    f.emu.set_clock_offset(-3600);
    CHECK(f.emu.server_time() == t0 - 3600);
    http_response r = f.send(build("GET", ""));
    CHECK(r.status == 403);
    const coswire::error e = coswire::parse_error_response(r);
    CHECK(e.service->code == "RequestTimeTooSkewed");
    CHECK(e.service->server_time == t0 - 3600);
    CHECK(header(r, "Date") == "Tue, 14 Nov 2023 21:13:20 GMT");
    CHECK_FALSE(header(r, "x-cos-request-id").empty());
    CHECK(f.emu.stats().faults.clock_skew == 1);

    f.emu.set_clock_offset(7200);
    r = f.send(build("GET", ""));
    CHECK(coswire::parse_error_response(r).service->message == "Request has expired");
    f.emu.set_clock_offset(0);
    CHECK(f.send(build("GET", "")).status == 200);
}

TEST_CASE("cos_emulator: random faults are deterministic for a seed") {
    const auto run = [](std::uint64_t seed) {
        emulator_options o = test_options();
        o.seed = seed;
        o.faults.internal_error = 0.1;
        o.faults.slow_down = 0.1;
        o.faults.drop_before = 0.1;
        o.faults.drop_after = 0.1;
        fixture f(std::move(o));
        std::string outcomes;
        for (int i = 0; i < 200; ++i) {
            const std::string key = std::to_string(i);
            http_request req = build("PUT", key, {}, {}, "v");
            sign(req, f.creds);
            const result<http_response> r = f.emu(req);
            outcomes += r ? std::to_string(r->status) : "drop";
            outcomes += f.emu.object(key) ? "+" : "-";
            outcomes += ' ';
        }
        const auto faults = f.emu.stats().faults;
        CHECK(faults.internal_error > 0);
        CHECK(faults.slow_down > 0);
        CHECK(faults.drop_before > 0);
        CHECK(faults.drop_after > 0);
        CHECK(faults.complete_error == 0);  // only Complete requests can get it
        CHECK(f.emu.stats().requests == 200);
        CHECK(f.emu.stats().served == 200 - faults.internal_error - faults.slow_down - faults.drop_before);
        return outcomes;
    };
    const std::string a = run(42);
    CHECK(a == run(42));
    CHECK(a != run(43));
    CHECK(a.find("drop+") != std::string::npos);  // applied, then dropped
    CHECK(a.find("drop-") != std::string::npos);
}

TEST_CASE("cos_emulator: upload ids are deterministic for a seed") {
    const auto first_id = [](std::uint64_t seed) {
        emulator_options o = test_options();
        o.seed = seed;
        fixture f(std::move(o));
        return initiate(f, "k");
    };
    CHECK(first_id(7) == first_id(7));
    CHECK(first_id(7) != first_id(8));
}

TEST_CASE("cos_emulator: the clock is the caller's callable or a settable value") {
    std::int64_t clock = t0 + 100;
    emulator_options o = test_options();
    o.clock = [&clock] { return clock; };
    cos_emulator with_callable(std::move(o));
    CHECK(with_callable.server_time() == t0 + 100);
    clock = t0 + 200;
    CHECK(with_callable.server_time() == t0 + 200);

    fixture f;
    f.emu.set_now(t0 + 5);
    f.emu.advance(10);
    CHECK(f.emu.server_time() == t0 + 15);
    f.emu.put_object("k", "v");
    CHECK(f.emu.object("k")->last_modified == t0 + 15);
}

TEST_CASE("cos_emulator: max_stored_bytes refuses uploads beyond it with EntityTooLarge") {
    emulator_options o = test_options();
    o.max_stored_bytes = 10;
    fixture f(std::move(o));
    CHECK(f.send(build("PUT", "a", {}, {}, std::string(10, 'x'))).status == 200);
    CHECK(code_of(f.send(build("PUT", "b", {}, {}, "y"))) == "EntityTooLarge");
    CHECK(f.send(build("PUT", "a", {}, {}, std::string(9, 'x'))).status == 200);  // replacing frees the old bytes
    const std::string id = initiate(f, "m");
    CHECK(upload_part(f, "m", id, "1", "z").status == 200);
    CHECK(code_of(upload_part(f, "m", id, "2", "z")) == "EntityTooLarge");
}

TEST_CASE("cos_emulator: answers malformed and unsupported requests with COS errors") {
    fixture f;
    SUBCASE("targets that do not decode are InvalidURI") {
        for (const char* wire : {"/bad%zz", "", "no-slash", "/ok?x=%G0"}) {
            http_request req = build("GET", "");
            req.wire_path = wire;
            const http_response r = *f.emu(req);
            CHECK(r.status == 400);
            CHECK(code_of(r) == "InvalidURI");
        }
    }
    SUBCASE("unsupported methods and targets") {
        CHECK(code_of(f.send(build("PATCH", "k"))) == "MethodNotAllowed");
        CHECK(code_of(f.send(build("POST", ""))) == "MethodNotAllowed");
        CHECK(code_of(f.send(build("POST", "k"))) == "MethodNotAllowed");
        CHECK(f.send(build("HEAD", "")).status == 200);
    }
    SUBCASE("keys that are too long or not valid names") {
        http_request req = build("GET", "");
        req.path = req.wire_path = "/" + std::string(851, 'a');
        CHECK(code_of(f.send(req)) == "KeyTooLong");
        req = build("GET", "");
        req.path = "/a\xEF\xBF\xBE";  // U+FFFE: valid UTF-8, signable, not an XML character
        req.wire_path = "/a%EF%BF%BE";
        CHECK(code_of(f.send(req)) == "InvalidObjectName");
    }
    SUBCASE("random requests never crash and always carry a request id") {
        std::mt19937 rng(1234);
        const auto noise = [&](std::size_t n) {
            std::string s;
            for (std::size_t i = 0; i < n; ++i) s += static_cast<char>(rng() % 256);
            return s;
        };
        for (int i = 0; i < 300; ++i) {
            http_request req;
            req.method = std::vector<std::string>{"GET", "PUT", "POST", "DELETE", "HEAD", noise(3)}[rng() % 6];
            req.wire_path = "/" + noise(rng() % 12);
            req.query.push_back({noise(rng() % 6), noise(rng() % 6)});
            req.query.push_back({std::vector<std::string>{"uploads", "uploadId", "partNumber"}[rng() % 3], noise(rng() % 4)});
            req.headers.push_back({"Host", std::string(bucket_host)});
            req.headers.push_back({std::vector<std::string>{"Range", "Content-MD5", "Content-Length", "Authorization",
                                                            "x-cos-copy-source"}[rng() % 5],
                                   noise(rng() % 20)});
            req.body = noise(rng() % 50);
            const result<http_response> r = f.emu(req);
            REQUIRE(r);
            CHECK_FALSE(header(*r, "x-cos-request-id").empty());
        }
    }
}

TEST_CASE("cos_emulator: parallel part uploads share one emulator") {
    fixture f;
    const std::string id = initiate(f, "parallel");
    std::vector<std::string> parts;
    for (int i = 0; i < 8; ++i) parts.push_back(std::string(32, static_cast<char>('a' + i)));
    std::vector<std::thread> threads;
    std::vector<int> statuses(parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i)
        threads.emplace_back([&, i] {
            http_request req = build("PUT", "parallel", {{"partNumber", std::to_string(i + 1)}, {"uploadId", id}}, {}, parts[i]);
            auto s = coswire::signer::create(f.creds, key_time{t0 - 60, t0 + 3600});
            if (s && coswire::authorize(req, *s))
                if (const auto r = f.emu(req)) statuses[i] = r->status;
        });
    for (std::thread& t : threads) t.join();
    CHECK(statuses == std::vector<int>(parts.size(), 200));
    std::vector<std::pair<std::string, std::string>> listed;
    std::string whole;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        listed.emplace_back(std::to_string(i + 1), quoted_md5(parts[i]));
        whole += parts[i];
    }
    CHECK(complete(f, "parallel", id, complete_body(listed)).status == 200);
    CHECK(f.emu.object("parallel")->data == whole);
    CHECK(f.emu.uploads().empty());
}

TEST_CASE("cos_emulator: a bucket default encryption is announced on every answer; under cos/kms no ETag is an MD5") {
    for (const std::string encryption : {"AES256", "cos/kms"}) {
        CAPTURE(encryption);
        emulator_options o = test_options();
        o.default_encryption = encryption;
        fixture f(o);
        const bool kms = encryption == "cos/kms";
        const std::string body = "sealed bytes";
        const http_response put = f.send(build("PUT", "one", {}, {{"Content-MD5", content_md5(body)}}, body));
        CHECK(put.status == 200);  // Content-MD5 is still checked against the bytes, and passes
        CHECK(header(put, "x-cos-server-side-encryption") == encryption);
        CHECK((header(put, "ETag") == quoted_md5(body)) == !kms);
        CHECK(header(put, "x-cos-hash-crc64ecma") == std::to_string(coswire::crc64(body)));
        for (const char* method : {"GET", "HEAD"}) CHECK(header(f.send(build(method, "one")), "x-cos-server-side-encryption") == encryption);

        const std::string id = initiate(f, "many");
        const std::string part = std::string(20, 'p');
        const http_response uploaded = upload_part(f, "many", id, "1", part);
        CHECK(header(uploaded, "x-cos-server-side-encryption") == encryption);
        CHECK((header(uploaded, "ETag") == quoted_md5(part)) == !kms);
        const http_response done = complete(f, "many", id, complete_body({{"1", header(uploaded, "ETag")}}));
        CHECK(done.status == 200);
        CHECK(header(done, "x-cos-server-side-encryption") == encryption);
        CHECK(f.emu.object("many")->data == part);
    }
}
