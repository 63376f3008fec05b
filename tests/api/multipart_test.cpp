// SPDX-License-Identifier: MIT
#include <coswire/api/multipart.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/sign/request.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using coswire::completed_part;
using coswire::endpoint;
using coswire::errc;
using coswire::http_request;
using coswire::payload_view;
using coswire::result;

using test_support::doc_endpoint;

namespace {

// docs/protocol/test-vectors.md#multipart-vectors: the documented credentials, KeyTime
// 1700000000;1700003600, bucket examplebucket-1250000000 in ap-beijing, the key below and the upload id
// UID.
const coswire::credentials doc_credentials{.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                                           .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz")};
constexpr std::string_view big_key = "doc/大文件 v1+final.bin";
constexpr std::string_view big_key_wire = "/doc/%E5%A4%A7%E6%96%87%E4%BB%B6%20v1%2Bfinal.bin";
constexpr std::string_view uid = "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361";
constexpr std::string_view doc_host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";

coswire::signed_parts sign(http_request& r) {
    auto s = coswire::signer::create(doc_credentials, {1700000000, 1700003600});
    REQUIRE(s);
    auto parts = coswire::authorize(r, *s);
    REQUIRE(parts);
    return *parts;
}

std::string header(const http_request& r, std::string_view name) {
    const auto v = r.header(name);
    REQUIRE_MESSAGE(v, "missing header ", name);
    return std::string(*v);
}

// Params with the commonly varied members set and the rest at their defaults (GCC's
// -Wmissing-field-initializers forbids partial brace initialisation).
coswire::upload_part_params upload_part(std::string key, std::uint32_t number, payload_view payload) {
    coswire::upload_part_params p;
    p.key = std::move(key);
    p.upload_id = std::string(uid);
    p.part_number = number;
    p.payload = payload;
    return p;
}

template <class Params>
Params with_key_and_id(std::string key, std::string upload_id) {
    Params p;
    p.key = std::move(key);
    p.upload_id = std::move(upload_id);
    return p;
}

coswire::initiate_multipart_upload_params initiate(std::string key) {
    coswire::initiate_multipart_upload_params p;
    p.key = std::move(key);
    return p;
}

coswire::complete_multipart_upload_params complete_params(std::string key, std::string upload_id,
                                                          std::vector<completed_part> parts) {
    auto p = with_key_and_id<coswire::complete_multipart_upload_params>(std::move(key), std::move(upload_id));
    p.parts = std::move(parts);
    return p;
}

coswire::list_parts_params list_parts(std::string key, std::string upload_id, std::optional<std::uint32_t> max_parts = {},
                                      std::optional<std::uint32_t> marker = {}) {
    auto p = with_key_and_id<coswire::list_parts_params>(std::move(key), std::move(upload_id));
    p.max_parts = max_parts;
    p.part_number_marker = marker;
    return p;
}

// The ETags of the three parts of docs/protocol/test-vectors.md#checksums (1 MiB of 'a', 1 MiB of 'b', "tail").
std::vector<completed_part> three_parts() {
    return {{1, "\"7202826a7791073fe2787f0c94603278\""},
            {2, "96767d2b46489f3520698a6df536dc4c"},
            {3, "\"7aea2552dfe7eb84b9443b6fc9ba6e01\""}};
}

}  // namespace

TEST_CASE("make_initiate_multipart_upload_request: reproduces the M1 signature of the multipart vectors") {
    coswire::initiate_multipart_upload_params p;
    p.key = std::string(big_key);
    p.attributes.content_type = "application/octet-stream";
    auto r = coswire::make_initiate_multipart_upload_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->method == "POST");
    CHECK(r->target() == std::string(big_key_wire) + "?uploads");
    CHECK(r->path == "/" + std::string(big_key));
    CHECK(header(*r, "Content-Length") == "0");
    CHECK(r->body_bytes().empty());
    const auto parts = sign(*r);
    CHECK(parts.header_list == "content-length;content-type;host");
    CHECK(parts.url_param_list == "uploads");
    CHECK(parts.http_string ==
          "post\n/doc/大文件 v1+final.bin\nuploads=\ncontent-length=0&content-type=application%2Foctet-stream&host=" +
              std::string(doc_host) + "\n");
    CHECK(parts.signature == "a5d5d5c449b7a331e3ca9bbbc99f5772ad584d0b");
}

TEST_CASE("make_initiate_multipart_upload_request: sends storage class, ACL and x-cos-meta-* attributes") {
    coswire::initiate_multipart_upload_params p;
    p.key = "video.mp4";
    p.attributes.content_type = "video/mp4";
    p.attributes.storage_class = "STANDARD_IA";
    p.attributes.acl = "private";
    p.attributes.metadata = {{"origin", "camera 1"}};
    auto r = coswire::make_initiate_multipart_upload_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(header(*r, "Content-Type") == "video/mp4");
    CHECK(header(*r, "x-cos-storage-class") == "STANDARD_IA");
    CHECK(header(*r, "x-cos-acl") == "private");
    CHECK(header(*r, "x-cos-meta-origin") == "camera 1");
    CHECK(sign(*r).header_list == "content-length;content-type;host;x-cos-acl;x-cos-meta-origin;x-cos-storage-class");
}

TEST_CASE("make_upload_part_request: reproduces the M2 signature with a given Content-MD5 and borrows the payload") {
    const std::vector<std::byte> part(1048576, std::byte{0x61});
    coswire::upload_part_params p;
    p.key = std::string(big_key);
    p.upload_id = std::string(uid);
    p.part_number = 1;
    p.payload = payload_view{part};
    p.content_md5 = "OScKloo1fSQgfpkRFiUH6w==";
    auto r = coswire::make_upload_part_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->method == "PUT");
    CHECK(r->target() == std::string(big_key_wire) + "?partNumber=1&uploadId=" + std::string(uid));
    CHECK(r->body_bytes().data() == part.data());  // borrowed, not copied
    CHECK(r->body_bytes().size() == part.size());
    CHECK(r->body.empty());
    CHECK(header(*r, "Content-Length") == "1048576");
    const auto parts = sign(*r);
    CHECK(parts.header_list == "content-length;content-md5;host");
    CHECK(parts.url_param_list == "partnumber;uploadid");
    CHECK(parts.signature == "e603e16319d7b1b02aa7e7fda632ec610f4bd988");
}

TEST_CASE("make_upload_part_request: a pulled part is measured and hashed through its reader, and only one body form is taken") {
    static constexpr std::string_view part = "[Object Part]";
    const coswire::body_reader reader{
        .size = part.size(),
        .read = [](std::uint64_t offset, std::span<std::byte> into) -> result<void> {
            if (offset > part.size() || into.size() > part.size() - offset)
                return coswire::make_error(errc::invalid_argument, "offset", "past the end");
            std::memcpy(into.data(), part.data() + offset, into.size());
            return {};
        }};
    auto p = upload_part("exampleobject", 7, {});
    p.reader = reader;
    p.compute_content_md5 = true;
    auto r = coswire::make_upload_part_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->body_is_pulled());
    CHECK(header(*r, "Content-Length") == "13");
    CHECK(header(*r, "Content-MD5") == "EI9SjrY7Zec08nrjMfX/qg==");  // as for the same bytes borrowed

    p.payload = {std::as_bytes(std::span(part))};
    auto both = coswire::make_upload_part_request(doc_endpoint(), p);
    REQUIRE_FALSE(both);
    CHECK(both.error().argument == "payload");
}

TEST_CASE("make_upload_part_request: computes Content-MD5 from the payload on request") {
    SUBCASE("the documented Upload Part body [Object Part] (ETag 108f528eb63b65e734f27ae331f5ffaa)") {
        const std::string_view body = "[Object Part]";
        auto p = upload_part("exampleobject", 7, {std::as_bytes(std::span(body))});
        p.compute_content_md5 = true;
        auto r = coswire::make_upload_part_request(doc_endpoint(), p);
        REQUIRE(r);
        CHECK(header(*r, "Content-MD5") == "EI9SjrY7Zec08nrjMfX/qg==");
        CHECK(header(*r, "Content-Length") == "13");
    }
    SUBCASE("the documented PUT example's body ObjectContent") {
        const std::string_view body = "ObjectContent";
        auto p = upload_part("exampleobject", 1, {std::as_bytes(std::span(body))});
        p.compute_content_md5 = true;
        auto r = coswire::make_upload_part_request(doc_endpoint(), p);
        REQUIRE(r);
        CHECK(header(*r, "Content-MD5") == "mQ/fVh815F3k6TAUm8m0eg==");
    }
    SUBCASE("without either MD5 option no Content-MD5 is sent, and a traffic limit is") {
        auto p = upload_part("exampleobject", 10000, {});
        p.traffic_limit = 819200;
        auto r = coswire::make_upload_part_request(doc_endpoint(), p);
        REQUIRE(r);
        CHECK_FALSE(r->header("Content-MD5"));
        CHECK(header(*r, "Content-Length") == "0");
        CHECK(header(*r, "x-cos-traffic-limit") == "819200");
    }
}

TEST_CASE("make_upload_part_copy_request: names the source as host/pathenc(key)?versionId and signs every copy header") {
    auto source = coswire::make_endpoint("sourcebucket-1250000000", "ap-guangzhou");
    REQUIRE(source);
    coswire::upload_part_copy_params p;
    p.key = "exampleobject";
    p.upload_id = std::string(uid);
    p.part_number = 2;
    p.source = *source;
    p.source_key = std::string(big_key);
    p.source_version_id = "MTg0NDUxNjI3NTM0ODE2Njc0MzA";
    p.range = coswire::byte_range{1048576, 2097151};
    p.if_unmodified_since = 1557989151;
    auto r = coswire::make_upload_part_copy_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->method == "PUT");
    CHECK(r->target() == "/exampleobject?partNumber=2&uploadId=" + std::string(uid));
    CHECK(header(*r, "x-cos-copy-source") ==
          "sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com/doc/%E5%A4%A7%E6%96%87%E4%BB%B6%20v1%2Bfinal.bin"
          "?versionId=MTg0NDUxNjI3NTM0ODE2Njc0MzA");
    CHECK(header(*r, "x-cos-copy-source-range") == "bytes=1048576-2097151");
    CHECK(header(*r, "x-cos-copy-source-If-Unmodified-Since") == "Thu, 16 May 2019 06:45:51 GMT");
    CHECK(header(*r, "Content-Length") == "0");
    CHECK(r->body_bytes().empty());
    const auto parts = sign(*r);
    CHECK(parts.header_list ==
          "content-length;host;x-cos-copy-source;x-cos-copy-source-if-unmodified-since;x-cos-copy-source-range");
    // Recomputed independently with Python's hmac/hashlib following docs/protocol/signing.md.
    CHECK(parts.signature == "eb95d2671414a3d9b58ba30cc5888a5a603963cb");
}

TEST_CASE("make_upload_part_copy_request: sends the other conditions and leaves the range out when unset") {
    auto source = coswire::make_endpoint("sourcebucket-1250000000", "ap-guangzhou");
    REQUIRE(source);
    coswire::upload_part_copy_params p;
    p.key = "exampleobject";
    p.upload_id = std::string(uid);
    p.part_number = 1;
    p.source = *source;
    p.source_key = "a/b.txt";
    p.if_match = "\"ba82b57cfdfda8bd17ad4e5879ebb4fe\"";
    p.if_none_match = "\"0000\"";
    p.if_modified_since = 0;
    auto r = coswire::make_upload_part_copy_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(header(*r, "x-cos-copy-source") == "sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a/b.txt");
    CHECK_FALSE(r->header("x-cos-copy-source-range"));
    CHECK(header(*r, "x-cos-copy-source-If-Match") == "\"ba82b57cfdfda8bd17ad4e5879ebb4fe\"");
    CHECK(header(*r, "x-cos-copy-source-If-None-Match") == "\"0000\"");
    CHECK(header(*r, "x-cos-copy-source-If-Modified-Since") == "Thu, 01 Jan 1970 00:00:00 GMT");

    SUBCASE("a range of exactly 5 GB is the largest accepted") {
        p.range = coswire::byte_range{7, 7 + (std::uint64_t{5} << 30) - 1};
        auto largest = coswire::make_upload_part_copy_request(doc_endpoint(), p);
        REQUIRE(largest);
        CHECK(header(*largest, "x-cos-copy-source-range") == "bytes=7-5368709126");
    }
}

TEST_CASE("make_complete_multipart_upload_body: compact XML with every ETag quoted") {
    auto body = coswire::make_complete_multipart_upload_body(three_parts());
    REQUIRE(body);
    CHECK(*body ==
          "<CompleteMultipartUpload>"
          "<Part><PartNumber>1</PartNumber><ETag>&quot;7202826a7791073fe2787f0c94603278&quot;</ETag></Part>"
          "<Part><PartNumber>2</PartNumber><ETag>&quot;96767d2b46489f3520698a6df536dc4c&quot;</ETag></Part>"
          "<Part><PartNumber>3</PartNumber><ETag>&quot;7aea2552dfe7eb84b9443b6fc9ba6e01&quot;</ETag></Part>"
          "</CompleteMultipartUpload>");
}

TEST_CASE("make_complete_multipart_upload_body: xml::reader reads back the numbers and quoted ETags it was given") {
    std::vector<completed_part> parts;
    for (std::uint32_t n = 1; n <= 10000; n += 37)
        parts.push_back({n, (n % 2 ? "\"" : "") + std::to_string(n * 7919u) + "-abc" + (n % 2 ? "\"" : "")});
    auto body = coswire::make_complete_multipart_upload_body(parts);
    REQUIRE(body);
    std::vector<completed_part> read;
    coswire::xml::reader reader(*body);
    auto ok = coswire::xml::read_document(reader, [&](std::string_view root, coswire::xml::reader& r) -> result<void> {
        CHECK(root == "CompleteMultipartUpload");
        return coswire::xml::for_each_child(r, [&](std::string_view name, coswire::xml::reader& part) -> result<void> {
            CHECK(name == "Part");
            completed_part& p = read.emplace_back();
            return coswire::xml::for_each_child(part, [&](std::string_view field, coswire::xml::reader& f) -> result<void> {
                auto text = f.read_text();
                if (!text) return std::move(text).error();
                if (field == "PartNumber") p.part_number = static_cast<std::uint32_t>(std::stoul(std::string(*text)));
                if (field == "ETag") p.etag = std::string(*text);
                return {};
            });
        });
    });
    REQUIRE(ok);
    REQUIRE(read.size() == parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) {
        CHECK(read[i].part_number == parts[i].part_number);
        const std::string& given = parts[i].etag;
        CHECK(read[i].etag == (given.front() == '"' ? given : "\"" + given + "\""));
    }
}

TEST_CASE("make_complete_multipart_upload_request: POST ?uploadId with the body's Content-Length and Content-MD5") {
    auto r = coswire::make_complete_multipart_upload_request(doc_endpoint(),
                                                             complete_params(std::string(big_key), std::string(uid), three_parts()));
    REQUIRE(r);
    CHECK(r->method == "POST");
    CHECK(r->target() == std::string(big_key_wire) + "?uploadId=" + std::string(uid));
    CHECK(r->body == *coswire::make_complete_multipart_upload_body(three_parts()));
    CHECK(header(*r, "Content-Type") == "application/xml");
    CHECK(header(*r, "Content-Length") == "339");
    // MD5 of the 339-byte body, recomputed with Python's hashlib.
    CHECK(header(*r, "Content-MD5") == "4cKamzT7q7z2+iFipqfL/Q==");

    SUBCASE("its own signature, recomputed independently with Python following docs/protocol/signing.md") {
        const auto parts = sign(*r);
        CHECK(parts.header_list == "content-length;content-md5;content-type;host");
        CHECK(parts.url_param_list == "uploadid");
        CHECK(parts.signature == "5564ed8e654d60f765eb3022ac921f88a4223899");
    }
    SUBCASE("M3 of the multipart vectors, whose Content-Length 353 and Content-MD5 belong to a body not kept with it") {
        // No Complete body of parts 1-3 (their documented or derived ETags; quoted or &quot;; compact or
        // indented) is 353 bytes, so only the headers are swapped for M3's to check the rest.
        for (auto& h : r->headers) {
            if (h.name == "Content-Length") h.value = "353";
            if (h.name == "Content-MD5") h.value = "Me/0Gvtc2x4VPIOhoIRllw==";
        }
        const auto parts = sign(*r);
        CHECK(parts.signature == "4f4eed05d62cccb32946f20c70d8b8363a24955e");
    }
}

TEST_CASE("make_abort_multipart_upload_request: reproduces the M4 signature") {
    auto r = coswire::make_abort_multipart_upload_request(
        doc_endpoint(), with_key_and_id<coswire::abort_multipart_upload_params>(
                            "exampleobject", "1484727270323ddb949d528c629235314a9ead80f0ba5d993a3d76b460e6a9cceb9633b08e"));
    REQUIRE(r);
    CHECK(r->method == "DELETE");
    CHECK(r->target() == "/exampleobject?uploadId=1484727270323ddb949d528c629235314a9ead80f0ba5d993a3d76b460e6a9cceb9633b08e");
    CHECK(r->headers.size() == 1);  // Host only
    const auto parts = sign(*r);
    CHECK(parts.header_list == "host");
    CHECK(parts.url_param_list == "uploadid");
    CHECK(parts.signature == "0af9cd7a2893ee7efeb99756a7e942ef536755a1");
}

TEST_CASE("make_list_parts_request: reproduces the M5 request line and signature") {
    auto r = coswire::make_list_parts_request(doc_endpoint(), list_parts("exampleobject", std::string(uid), 1000, 0));
    REQUIRE(r);
    CHECK(r->method == "GET");
    CHECK(r->target() == "/exampleobject?uploadId=" + std::string(uid) +
                             "&max-parts=1000&part-number-marker=0&encoding-type=url");
    const auto parts = sign(*r);
    CHECK(parts.url_param_list == "encoding-type;max-parts;part-number-marker;uploadid");
    CHECK(parts.signature == "840b7a8ae1915989d82ce37bbb7be66431116b39");

    SUBCASE("unset options are not sent") {
        auto q = list_parts("exampleobject", std::string(uid));
        q.url_encoding = false;
        auto plain = coswire::make_list_parts_request(doc_endpoint(), q);
        REQUIRE(plain);
        CHECK(plain->target() == "/exampleobject?uploadId=" + std::string(uid));
    }
}

TEST_CASE("make_list_multipart_uploads_request: reproduces the M6 request line and signature") {
    coswire::list_multipart_uploads_params p;
    p.prefix = "doc/";
    p.delimiter = "/";
    p.max_uploads = 1000;
    auto r = coswire::make_list_multipart_uploads_request(doc_endpoint(), p);
    REQUIRE(r);
    CHECK(r->method == "GET");
    CHECK(r->path == "/");
    CHECK(r->target() == "/?uploads&prefix=doc%2F&delimiter=%2F&max-uploads=1000&encoding-type=url");
    const auto parts = sign(*r);
    CHECK(parts.url_param_list == "delimiter;encoding-type;max-uploads;prefix;uploads");
    CHECK(parts.http_string == "get\n/\ndelimiter=%2F&encoding-type=url&max-uploads=1000&prefix=doc%2F&uploads=\nhost=" +
                                   std::string(doc_host) + "\n");
    CHECK(parts.signature == "5d8b92d2fb0fffb7e207acf78caa8c8d27d5d6c7");

    SUBCASE("markers go between delimiter and max-uploads, encoded") {
        coswire::list_multipart_uploads_params q;
        q.key_marker = "doc/a b.bin";
        q.upload_id_marker = std::string(uid);
        auto m = coswire::make_list_multipart_uploads_request(doc_endpoint(), q);
        REQUIRE(m);
        CHECK(m->target() == "/?uploads&key-marker=doc%2Fa%20b.bin&upload-id-marker=" + std::string(uid) + "&encoding-type=url");
    }
}

TEST_CASE("multipart builders: every bad argument is refused with its name, before anything is built") {
    const endpoint ep = doc_endpoint();
    const std::string id(uid);
    const std::string_view four = "body";
    const payload_view small{std::as_bytes(std::span(four))};
    auto source = coswire::make_endpoint("sourcebucket-1250000000", "ap-guangzhou");
    REQUIRE(source);
    const auto copy = [&](auto&& change) {
        coswire::upload_part_copy_params p;
        p.key = "k";
        p.upload_id = id;
        p.part_number = 1;
        p.source = *source;
        p.source_key = "src";
        change(p);
        return coswire::make_upload_part_copy_request(ep, p);
    };
    const auto part = [&](auto&& change) {
        auto p = upload_part("k", 1, small);
        change(p);
        return coswire::make_upload_part_request(ep, p);
    };
    const auto complete = [&](std::vector<completed_part> parts) {
        return coswire::make_complete_multipart_upload_request(ep, complete_params("k", id, std::move(parts)));
    };
    const auto uploads = [&](auto&& change) {
        coswire::list_multipart_uploads_params p;
        change(p);
        return coswire::make_list_multipart_uploads_request(ep, p);
    };
    struct bad_case {
        std::string_view what;
        std::function<result<http_request>()> build;
        std::string_view argument;
        errc code = errc::invalid_argument;
        std::string_view reason_part = {};
    };
    const bad_case cases[] = {
        // Initiate
        {"initiate: empty key", [&] { return coswire::make_initiate_multipart_upload_request(ep, initiate("")); }, "object_key"},
        {"initiate: key normalising to /", [&] { return coswire::make_initiate_multipart_upload_request(ep, initiate("a/..")); }, "object_key"},
        {"initiate: CR LF in Content-Type",
         [&] {
             auto p = initiate("k");
             p.attributes.content_type = "text/plain\r\nX-Evil: 1";
             return coswire::make_initiate_multipart_upload_request(ep, p);
         },
         "content_type"},
        {"initiate: metadata name with '_'",
         [&] {
             auto p = initiate("k");
             p.attributes.metadata = {{"a_b", "v"}};
             return coswire::make_initiate_multipart_upload_request(ep, p);
         },
         "metadata"},
        {"initiate: extra header repeating Content-Length",
         [&] {
             auto p = initiate("k");
             p.attributes.extra_headers = {{"Content-Length", "5"}};
             return coswire::make_initiate_multipart_upload_request(ep, p);
         },
         "extra_headers"},
        // Upload Part
        {"upload part: number 0", [&] { return part([](auto& p) { p.part_number = 0; }); }, "part_number"},
        {"upload part: number 10001", [&] { return part([](auto& p) { p.part_number = 10001; }); }, "part_number"},
        {"upload part: empty upload id", [&] { return part([](auto& p) { p.upload_id.clear(); }); }, "upload_id"},
        {"upload part: upload id with a space", [&] { return part([](auto& p) { p.upload_id = "abc def"; }); }, "upload_id"},
        {"upload part: upload id with LF", [&] { return part([](auto& p) { p.upload_id = "abc\n"; }); }, "upload_id"},
        {"upload part: upload id with non-ASCII", [&] { return part([](auto& p) { p.upload_id = "id\xC3\xA9"; }); }, "upload_id"},
        {"upload part: key with NUL", [&] { return part([](auto& p) { p.key = std::string("a\0b", 3); }); }, "object_key"},
        {"upload part: Content-MD5 of 23 chars", [&] { return part([](auto& p) { p.content_md5 = "OScKloo1fSQgfpkRFiUH6w="; }); },
         "content_md5"},
        {"upload part: Content-MD5 not base64", [&] { return part([](auto& p) { p.content_md5 = "OScKloo1fSQgfpkRFiUH6w!!"; }); },
         "content_md5"},
        {"upload part: Content-MD5 of 18 bytes", [&] { return part([](auto& p) { p.content_md5 = "AAAAAAAAAAAAAAAAAAAAAAAA"; }); },
         "content_md5"},
        {"upload part: both MD5 options",
         [&] {
             return part([](auto& p) {
                 p.content_md5 = "OScKloo1fSQgfpkRFiUH6w==";
                 p.compute_content_md5 = true;
             });
         },
         "content_md5"},
        {"upload part: traffic limit too low", [&] { return part([](auto& p) { p.traffic_limit = 819199; }); }, "traffic_limit"},
        {"upload part: traffic limit too high", [&] { return part([](auto& p) { p.traffic_limit = 838860801; }); }, "traffic_limit"},
        {"upload part: extra header with CR LF",
         [&] { return part([](auto& p) { p.extra_headers = {{"x-cos-server-side-encryption-customer-algorithm", "AES256\r\n"}}; }); },
         "extra_headers"},
        {"upload part: extra Authorization", [&] { return part([](auto& p) { p.extra_headers = {{"Authorization", "x"}}; }); },
         "extra_headers"},
        // Upload Part - Copy
        {"copy: number 0", [&] { return copy([](auto& p) { p.part_number = 0; }); }, "part_number"},
        {"copy: empty upload id", [&] { return copy([](auto& p) { p.upload_id.clear(); }); }, "upload_id"},
        {"copy: empty destination key", [&] { return copy([](auto& p) { p.key.clear(); }); }, "object_key"},
        {"copy: no source endpoint", [&] { return copy([](auto& p) { p.source = endpoint{}; }); }, "source"},
        {"copy: source host with a port", [&] { return copy([](auto& p) { p.source.host += ":8080"; }); }, "source"},
        {"copy: empty source key", [&] { return copy([](auto& p) { p.source_key.clear(); }); }, "source_key"},
        {"copy: source key starting with /", [&] { return copy([](auto& p) { p.source_key = "/x"; }); }, "source_key"},
        {"copy: source key too long", [&] { return copy([](auto& p) { p.source_key = std::string(851, 'k'); }); }, "source_key",
         errc::limit_exceeded},
        {"copy: empty version id", [&] { return copy([](auto& p) { p.source_version_id = ""; }); }, "source_version_id"},
        {"copy: version id with a space", [&] { return copy([](auto& p) { p.source_version_id = "a b"; }); }, "source_version_id"},
        {"copy: range first after last", [&] { return copy([](auto& p) { p.range = coswire::byte_range{10, 9}; }); }, "range"},
        {"copy: open-ended range", [&] { return copy([](auto& p) { p.range = coswire::byte_range{10, std::nullopt}; }); }, "range"},
        {"copy: range over 5 GB",
         [&] { return copy([](auto& p) { p.range = coswire::byte_range{0, std::uint64_t{5} << 30}; }); }, "range",
         errc::limit_exceeded},
        {"copy: range to the largest offset",
         [&] { return copy([](auto& p) { p.range = coswire::byte_range{0, UINT64_MAX}; }); }, "range", errc::limit_exceeded},
        {"copy: empty If-Match", [&] { return copy([](auto& p) { p.if_match = ""; }); }, "if_match"},
        {"copy: If-None-Match with LF", [&] { return copy([](auto& p) { p.if_none_match = "\"a\"\n"; }); }, "if_none_match"},
        {"copy: If-Modified-Since after year 9999",
         [&] { return copy([](auto& p) { p.if_modified_since = 253402300800; }); }, "if_modified_since"},
        {"copy: If-Unmodified-Since before year 1",
         [&] { return copy([](auto& p) { p.if_unmodified_since = -62135596801; }); }, "if_unmodified_since"},
        {"copy: extra header repeating x-cos-copy-source",
         [&] { return copy([](auto& p) { p.extra_headers = {{"x-cos-copy-source", "b/k"}}; }); }, "extra_headers"},
        // Complete
        {"complete: no parts", [&] { return complete({}); }, "parts", errc::invalid_argument, "at least one"},
        {"complete: parts out of order", [&] { return complete({{2, "a"}, {1, "b"}}); }, "parts", errc::invalid_argument,
         "index 1 (number 1)"},
        {"complete: duplicate part", [&] { return complete({{1, "a"}, {2, "b"}, {2, "c"}}); }, "parts", errc::invalid_argument,
         "index 2 (number 2): duplicates"},
        {"complete: part number 0", [&] { return complete({{0, "a"}}); }, "parts", errc::invalid_argument, "index 0 (number 0)"},
        {"complete: part number 10001", [&] { return complete({{1, "a"}, {10001, "b"}}); }, "parts", errc::invalid_argument,
         "index 1 (number 10001)"},
        {"complete: missing ETag", [&] { return complete({{1, "a"}, {2, ""}}); }, "parts", errc::invalid_argument,
         "index 1 (number 2): the ETag is missing"},
        {"complete: ETag of two quotes", [&] { return complete({{1, "\"\""}}); }, "parts", errc::invalid_argument, "index 0"},
        {"complete: ETag with a stray quote", [&] { return complete({{1, "\"abc"}}); }, "parts", errc::invalid_argument, "index 0"},
        {"complete: ETag with a space", [&] { return complete({{1, "a b"}}); }, "parts", errc::invalid_argument, "index 0"},
        {"complete: ETag with LF", [&] { return complete({{1, "ab\n"}}); }, "parts", errc::invalid_argument, "index 0"},
        {"complete: empty upload id", [&] { return coswire::make_complete_multipart_upload_request(ep, complete_params("k", "", {{1, "a"}})); },
         "upload_id"},
        {"complete: bad key", [&] { return coswire::make_complete_multipart_upload_request(ep, complete_params("\\k", id, {{1, "a"}})); },
         "object_key"},
        // Abort
        {"abort: empty upload id", [&] { return coswire::make_abort_multipart_upload_request(ep, with_key_and_id<coswire::abort_multipart_upload_params>("k", "")); }, "upload_id"},
        {"abort: upload id with &", [&] { return coswire::make_abort_multipart_upload_request(ep, with_key_and_id<coswire::abort_multipart_upload_params>("k", "a b&c")); }, "upload_id"},
        {"abort: empty key", [&] { return coswire::make_abort_multipart_upload_request(ep, with_key_and_id<coswire::abort_multipart_upload_params>("", id)); }, "object_key"},
        // List Parts
        {"list parts: max-parts 0", [&] { return coswire::make_list_parts_request(ep, list_parts("k", id, 0u)); }, "max_parts"},
        {"list parts: max-parts 1001", [&] { return coswire::make_list_parts_request(ep, list_parts("k", id, 1001u)); }, "max_parts"},
        {"list parts: marker 10001",
         [&] { return coswire::make_list_parts_request(ep, list_parts("k", id, std::nullopt, 10001u)); }, "part_number_marker"},
        {"list parts: empty upload id", [&] { return coswire::make_list_parts_request(ep, list_parts("k", "")); }, "upload_id"},
        {"list parts: key with ESC", [&] { return coswire::make_list_parts_request(ep, list_parts("a\x1b", id)); }, "object_key"},
        // List Multipart Uploads
        {"list uploads: max-uploads 0", [&] { return uploads([](auto& p) { p.max_uploads = 0u; }); }, "max_uploads"},
        {"list uploads: max-uploads 1001", [&] { return uploads([](auto& p) { p.max_uploads = 1001u; }); }, "max_uploads"},
        {"list uploads: prefix not UTF-8", [&] { return uploads([](auto& p) { p.prefix = "\xFF"; }); }, "prefix"},
        {"list uploads: empty delimiter", [&] { return uploads([](auto& p) { p.delimiter = ""; }); }, "delimiter"},
        {"list uploads: key marker not UTF-8", [&] { return uploads([](auto& p) { p.key_marker = "a\xC0"; }); }, "key_marker"},
        {"list uploads: upload id marker without key marker",
         [&] { return uploads([&](auto& p) { p.upload_id_marker = id; }); }, "upload_id_marker"},
        {"list uploads: upload id marker with a space",
         [&] {
             return uploads([](auto& p) {
                 p.key_marker = "k";
                 p.upload_id_marker = "a b";
             });
         },
         "upload_id_marker"},
    };
    for (const bad_case& c : cases) {
        CAPTURE(c.what);
        const auto r = c.build();
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == c.argument);
        CHECK(r.error().code == c.code);
        CHECK(r.error().reason.find(c.reason_part) != std::string::npos);
    }
}

TEST_CASE("validate_upload_id and validate_part_number: accept exactly the documented ranges") {
    CHECK(coswire::validate_upload_id(uid));
    CHECK(coswire::validate_upload_id("!~"));
    CHECK_FALSE(coswire::validate_upload_id(""));
    CHECK_FALSE(coswire::validate_upload_id(std::string_view("a\0b", 3)));
    CHECK(coswire::validate_upload_id("a\x7F").error().argument == "upload_id");
    CHECK(coswire::validate_upload_id("a b", "UploadId").error().argument == "UploadId");
    CHECK(coswire::validate_part_number(1));
    CHECK(coswire::validate_part_number(10000));
    CHECK_FALSE(coswire::validate_part_number(0));
    CHECK_FALSE(coswire::validate_part_number(10001));
}
