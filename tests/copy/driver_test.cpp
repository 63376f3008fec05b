// SPDX-License-Identifier: MIT
#include <coswire/copy/driver.hpp>

#include <doctest/doctest.h>

#include <coswire/client.hpp>
#include <coswire/testing/fake_transport.hpp>
#include <coswire/xml/reader.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::http_header;
using coswire::http_request;
using coswire::mib;
using coswire::testing::fake_transport;

namespace {

const coswire::credentials creds{.secret_id = "AKIDcopy", .secret_key = coswire::secret_string("copy-secret")};
constexpr std::string_view upload_id = "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361";
constexpr std::string_view source_etag = "\"ee8de918d05640145b18f70f4c3aa602\"";
// CRC-64s COS would report for three copied parts of 1 MiB, 1 MiB and 512 KiB; the source's is
// their combination, as it would be for the bytes they hold.
constexpr std::uint64_t crc1 = 6701094182323390671u, crc2 = 4085814139916291200u, crc3 = 1564134088860173973u;
constexpr std::uint64_t big_size = 2 * mib + 512 * 1024;
const std::uint64_t big_crc = coswire::crc64_combine(coswire::crc64_combine(crc1, crc2, mib), crc3, 512 * 1024);

// One fake COS behind two clients: the destination bucket and, in another region, the source's.
struct harness {
    fake_transport transport;
    coswire::client<fake_transport> destination;
    coswire::client<fake_transport> source;

    explicit harness(std::uint32_t attempts = 1)
        : destination(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, transport,
                      [] { return std::int64_t{1700000000}; }, [](std::uint32_t) {}, options(attempts)),
          source(coswire::make_endpoint("sourcebucket-1250000000", "ap-guangzhou").value(), creds, transport,
                 [] { return std::int64_t{1700000000}; }, [](std::uint32_t) {}, options(attempts)) {}

    static coswire::client_options options(std::uint32_t attempts) {
        coswire::client_options o;
        o.max_attempts = attempts;
        return o;
    }

    const http_request& request(std::size_t i) const {
        REQUIRE(i < transport.requests().size());
        return transport.requests()[i];
    }
};

std::vector<http_header> with_request_id(std::vector<http_header> headers) {
    headers.push_back({"x-cos-request-id", "NWU5MTIzZTNfYjQyMjJhMDlfMTVhYTFf"});
    return headers;
}

void respond_head(fake_transport& t, std::uint64_t size, std::optional<std::uint64_t> crc, std::vector<http_header> more = {}) {
    std::vector<http_header> h{{"Content-Length", std::to_string(size)}, {"ETag", std::string(source_etag)}};
    if (crc) h.push_back({"x-cos-hash-crc64ecma", std::to_string(*crc)});
    h.insert(h.end(), more.begin(), more.end());
    t.respond(200, with_request_id(h));
}

void respond_copy(fake_transport& t, std::optional<std::uint64_t> crc) {
    t.respond(200, with_request_id({{"Content-Type", "application/xml"}}),
              "<CopyObjectResult><ETag>\"ee8de918d05640145b18f70f4c3aa602\"</ETag>" +
                  (crc ? "<CRC64>" + std::to_string(*crc) + "</CRC64>" : std::string()) +
                  "<LastModified>2020-04-11T17:51:56Z</LastModified></CopyObjectResult>");
}

void respond_initiate(fake_transport& t) {
    t.respond(200, with_request_id({}),
              "<InitiateMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket><Key>copy/big.bin</Key><UploadId>" +
                  std::string(upload_id) + "</UploadId></InitiateMultipartUploadResult>");
}

void respond_part(fake_transport& t, std::uint32_t n, std::uint64_t crc) {
    t.respond(200, with_request_id({{"x-cos-hash-crc64ecma", std::to_string(crc)}}),
              "<CopyPartResult><ETag>\"etag-" + std::to_string(n) + "\"</ETag></CopyPartResult>");
}

void respond_complete(fake_transport& t, std::string_view key, std::optional<std::uint64_t> crc) {
    std::vector<http_header> h;
    if (crc) h.push_back({"x-cos-hash-crc64ecma", std::to_string(*crc)});
    t.respond(200, with_request_id(h),
              "<CompleteMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket><Key>" + std::string(key) +
                  "</Key><ETag>\"aa259a62513358f69e98e72e59856d88-3\"</ETag></CompleteMultipartUploadResult>");
}

void respond_error(fake_transport& t, int status, std::string_view code) {
    t.respond(status, with_request_id({{"Content-Type", "application/xml"}}),
              "<Error><Code>" + std::string(code) + "</Code><Message>m</Message></Error>");
}

// A multipart copy of big_size bytes: threshold 2 MiB, parts of 1 MiB.
coswire::copy_object_options multipart_options() { return {.threshold = 2 * mib, .part_size = mib}; }

bool is_abort(const http_request& r) {
    return r.method == "DELETE" && r.target() == "/copy/big.bin?uploadId=" + std::string(upload_id);
}

}  // namespace

TEST_CASE("copy_object: a small object is one PUT Object - Copy pinned to the source's ETag, its CRC-64 checked") {
    harness h;
    respond_head(h.transport, 1234, 16749565679157681890u);
    respond_copy(h.transport, 16749565679157681890u);
    auto r = coswire::copy_object(h.destination, h.source, "photos/a b.jpg", "copies/a.jpg");
    REQUIRE(r);
    CHECK_FALSE(r->multipart);
    CHECK(r->size == 1234);
    CHECK(r->parts == 0);
    CHECK(r->etag == "ee8de918d05640145b18f70f4c3aa602");
    CHECK(r->source_etag == "ee8de918d05640145b18f70f4c3aa602");
    CHECK(r->crc64_matched);
    CHECK(r->crc64_unchecked.empty());
    REQUIRE(h.transport.requests().size() == 2);
    CHECK(h.request(0).method == "HEAD");
    CHECK(h.request(0).host == "sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com");
    CHECK(h.request(0).target() == "/photos/a%20b.jpg");
    const http_request& copy = h.request(1);
    CHECK(copy.method == "PUT");
    CHECK(copy.host == "examplebucket-1250000000.cos.ap-beijing.myqcloud.com");
    CHECK(copy.target() == "/copies/a.jpg");
    CHECK(copy.header("x-cos-copy-source") == "sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com/photos/a%20b.jpg");
    CHECK(copy.header("x-cos-copy-source-If-Match") == source_etag);
    CHECK(copy.header("x-cos-metadata-directive") == "Copy");
}

TEST_CASE("copy_object: the CRC-64 check is reported as made only when both sides had one") {
    harness h;
    SUBCASE("the copy's CRC-64 differs: integrity failure, and the reason says the copy is stored") {
        respond_head(h.transport, 10, 1);
        respond_copy(h.transport, 2);
        auto r = coswire::copy_object(h.destination, h.source, "a", "b");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::integrity_failure);
        CHECK(r.error().reason.find("stored") != std::string::npos);
    }
    SUBCASE("the source has no CRC-64") {
        respond_head(h.transport, 10, std::nullopt);
        respond_copy(h.transport, 2);
        auto r = coswire::copy_object(h.destination, h.source, "a", "b");
        REQUIRE(r);
        CHECK_FALSE(r->crc64_matched);
        CHECK(r->crc64 == 2u);
        CHECK(r->crc64_unchecked.find("source") != std::string::npos);
    }
    SUBCASE("the copy's answer has none") {
        respond_head(h.transport, 10, 1);
        respond_copy(h.transport, std::nullopt);
        auto r = coswire::copy_object(h.destination, h.source, "a", "b");
        REQUIRE(r);
        CHECK_FALSE(r->crc64_matched);
        CHECK_FALSE(r->crc64);
        CHECK(r->crc64_unchecked.find("copy") != std::string::npos);
    }
}

TEST_CASE("copy_object: a single copy that fails is the error; a changed source says so") {
    harness h;
    SUBCASE("412: the source changed between HEAD and copy") {
        respond_head(h.transport, 10, 1);
        respond_error(h.transport, 412, "PreconditionFailed");
        auto r = coswire::copy_object(h.destination, h.source, "a", "b");
        REQUIRE_FALSE(r);
        CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::precondition_failed));
        CHECK(r.error().reason.find("changed during the copy") != std::string::npos);
    }
    SUBCASE("a 200 whose body is <Error>") {
        respond_head(h.transport, 10, 1);
        respond_error(h.transport, 200, "InvalidCopySource");
        auto r = coswire::copy_object(h.destination, h.source, "a", "b");
        REQUIRE_FALSE(r);
        CHECK(r.error().service->code == "InvalidCopySource");
    }
    SUBCASE("the source is missing") {
        respond_error(h.transport, 404, "NoSuchKey");
        auto r = coswire::copy_object(h.destination, h.source, "a", "b");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::service_error);
        CHECK(h.transport.requests().size() == 1);
    }
    SUBCASE("the source's HEAD has no ETag to pin to") {
        h.transport.respond(200, with_request_id({{"Content-Length", "10"}}));
        auto r = coswire::copy_object(h.destination, h.source, "a", "b");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::malformed_response);
        CHECK(r.error().argument == "ETag");
        CHECK(h.transport.requests().size() == 1);
    }
}

TEST_CASE("copy_object: bad options are refused before anything is sent") {
    harness h;
    SUBCASE("a threshold above 5 GiB") {
        auto r = coswire::copy_object(h.destination, h.source, "a", "b", {.threshold = coswire::max_put_object_size + 1});
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "threshold");
    }
    SUBCASE("metadata COS would ignore under the copy directive") {
        coswire::copy_object_options o;
        o.attributes.content_type = "text/plain";
        auto r = coswire::copy_object(h.destination, h.source, "a", "b", o);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "content_type");
    }
    CHECK(h.transport.requests().empty());
}

TEST_CASE("copy_object: a large object is copied in ranges pinned to the source's ETag, with its metadata, and checked") {
    harness h;
    respond_head(h.transport, big_size, big_crc,
                 {{"Content-Type", "video/mp4"}, {"Cache-Control", "no-cache"}, {"x-cos-meta-origin", "camera"}});
    respond_initiate(h.transport);
    respond_part(h.transport, 1, crc1);
    respond_part(h.transport, 2, crc2);
    respond_part(h.transport, 3, crc3);
    respond_complete(h.transport, "copy/big.bin", big_crc);
    auto options = multipart_options();
    options.source_version_id = "MTg0NDUxNjI3NTM0ODE2Njc0MzA";
    options.attributes.storage_class = "STANDARD_IA";
    auto r = coswire::copy_object(h.destination, h.source, "src/big.bin", "copy/big.bin", options);
    REQUIRE(r);
    CHECK(r->multipart);
    CHECK(r->parts == 3);
    CHECK(r->upload_id == upload_id);
    CHECK(r->etag == "aa259a62513358f69e98e72e59856d88-3");
    CHECK(r->crc64 == big_crc);
    CHECK(r->crc64_matched);
    REQUIRE(h.transport.requests().size() == 6);
    CHECK(h.request(0).target() == "/src/big.bin?versionId=MTg0NDUxNjI3NTM0ODE2Njc0MzA");
    const http_request& initiate = h.request(1);
    CHECK(initiate.target() == "/copy/big.bin?uploads");
    CHECK(initiate.header("Content-Type") == "video/mp4");
    CHECK(initiate.header("Cache-Control") == "no-cache");
    CHECK(initiate.header("x-cos-meta-origin") == "camera");
    CHECK(initiate.header("x-cos-storage-class") == "STANDARD_IA");
    const std::string ranges[] = {"bytes=0-1048575", "bytes=1048576-2097151", "bytes=2097152-2621439"};
    for (std::uint32_t n = 1; n <= 3; ++n) {
        const http_request& part = h.request(1 + n);
        CHECK(part.target() == "/copy/big.bin?partNumber=" + std::to_string(n) + "&uploadId=" + std::string(upload_id));
        CHECK(part.header("x-cos-copy-source") ==
              "sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com/src/big.bin?versionId=MTg0NDUxNjI3NTM0ODE2Njc0MzA");
        CHECK(part.header("x-cos-copy-source-range") == ranges[n - 1]);
        CHECK(part.header("x-cos-copy-source-If-Match") == source_etag);
    }
    const http_request& complete = h.request(5);
    CHECK(complete.method == "POST");
    CHECK(complete.body.find("<PartNumber>3</PartNumber><ETag>&quot;etag-3&quot;</ETag>") != std::string::npos);

    SUBCASE("replaced metadata: the source's is not sent on Initiate") {
        harness r2;
        respond_head(r2.transport, big_size, big_crc, {{"Content-Type", "video/mp4"}, {"x-cos-meta-origin", "camera"}});
        respond_initiate(r2.transport);
        respond_part(r2.transport, 1, crc1);
        respond_part(r2.transport, 2, crc2);
        respond_part(r2.transport, 3, crc3);
        respond_complete(r2.transport, "copy/big.bin", big_crc);
        auto replaced = multipart_options();
        replaced.directive = coswire::metadata_directive::replaced;
        replaced.attributes.content_type = "application/octet-stream";
        REQUIRE(coswire::copy_object(r2.destination, r2.source, "src/big.bin", "copy/big.bin", replaced));
        CHECK(r2.request(1).header("Content-Type") == "application/octet-stream");
        CHECK_FALSE(r2.request(1).header("x-cos-meta-origin"));
    }
}

TEST_CASE("copy_object: a multipart copy without Complete's CRC-64 is checked with the parts' combined") {
    harness h;
    respond_head(h.transport, big_size, big_crc);
    respond_initiate(h.transport);
    respond_part(h.transport, 1, crc1);
    respond_part(h.transport, 2, crc2);
    respond_part(h.transport, 3, crc3);
    respond_complete(h.transport, "copy/big.bin", std::nullopt);
    auto r = coswire::copy_object(h.destination, h.source, "src/big.bin", "copy/big.bin", multipart_options());
    REQUIRE(r);
    CHECK(r->crc64 == big_crc);
    CHECK(r->crc64_matched);
}

TEST_CASE("copy_object: a failing multipart copy is aborted") {
    harness h;
    respond_head(h.transport, big_size, big_crc);
    respond_initiate(h.transport);
    respond_part(h.transport, 1, crc1);
    SUBCASE("the source changes during the copy (412 on part 2)") {
        respond_error(h.transport, 412, "PreconditionFailed");
        h.transport.respond(204, with_request_id({}));
        auto r = coswire::copy_object(h.destination, h.source, "src/big.bin", "copy/big.bin", multipart_options());
        REQUIRE_FALSE(r);
        CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::precondition_failed));
        CHECK(r.error().reason.find("changed during the copy") != std::string::npos);
        CHECK(r.error().reason.find("the upload was aborted") != std::string::npos);
        REQUIRE(h.transport.requests().size() == 5);
        CHECK(is_abort(h.request(4)));
    }
    SUBCASE("a part fails for good; the abort fails too and says so") {
        respond_error(h.transport, 500, "InternalError");
        respond_error(h.transport, 503, "ServiceUnavailable");
        auto r = coswire::copy_object(h.destination, h.source, "src/big.bin", "copy/big.bin", multipart_options());
        REQUIRE_FALSE(r);
        CHECK(r.error().service->code == "InternalError");
        CHECK(r.error().reason.find("aborting the upload failed too") != std::string::npos);
        CHECK(is_abort(h.request(4)));
    }
    SUBCASE("a part's CRC-64 makes the whole differ from the source's, and Complete agrees with the parts") {
        respond_part(h.transport, 2, crc2 ^ 1);
        respond_part(h.transport, 3, crc3);
        const std::uint64_t wrong = coswire::crc64_combine(coswire::crc64_combine(crc1, crc2 ^ 1, mib), crc3, 512 * 1024);
        respond_complete(h.transport, "copy/big.bin", wrong);
        respond_error(h.transport, 404, "NoSuchUpload");
        auto r = coswire::copy_object(h.destination, h.source, "src/big.bin", "copy/big.bin", multipart_options());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::integrity_failure);
        CHECK(r.error().reason.find("unverified") != std::string::npos);
        CHECK(is_abort(h.request(6)));
    }
    SUBCASE("keep_on_failure leaves the upload for the caller") {
        respond_error(h.transport, 412, "PreconditionFailed");
        auto options = multipart_options();
        options.keep_on_failure = true;
        auto r = coswire::copy_object(h.destination, h.source, "src/big.bin", "copy/big.bin", options);
        REQUIRE_FALSE(r);
        CHECK(h.transport.requests().size() == 4);
    }
}

TEST_CASE("copy_object: a lying Complete is not believed") {
    harness h;
    respond_head(h.transport, big_size, big_crc);
    respond_initiate(h.transport);
    respond_part(h.transport, 1, crc1);
    respond_part(h.transport, 2, crc2);
    respond_part(h.transport, 3, crc3);
    SUBCASE("it names another key") {
        respond_complete(h.transport, "other.bin", big_crc);
        h.transport.respond(204, with_request_id({}));
        auto r = coswire::copy_object(h.destination, h.source, "src/big.bin", "copy/big.bin", multipart_options());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::malformed_response);
        CHECK(r.error().argument == "Key");
        CHECK(is_abort(h.request(6)));
    }
    SUBCASE("its CRC-64 differs from the copied parts'") {
        respond_complete(h.transport, "copy/big.bin", big_crc + 1);
        h.transport.respond(204, with_request_id({}));
        auto r = coswire::copy_object(h.destination, h.source, "src/big.bin", "copy/big.bin", multipart_options());
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::integrity_failure);
        CHECK(r.error().reason.find("Complete's CRC-64") != std::string::npos);
    }
    SUBCASE("NoSuchUpload after a lost answer: a HEAD of the copy settles it") {
        respond_error(h.transport, 404, "NoSuchUpload");
        h.transport.respond(200, with_request_id({{"Content-Length", std::to_string(big_size)},
                                                  {"ETag", "\"aa259a62513358f69e98e72e59856d88-3\""},
                                                  {"x-cos-hash-crc64ecma", std::to_string(big_crc)}}));
        auto r = coswire::copy_object(h.destination, h.source, "src/big.bin", "copy/big.bin", multipart_options());
        REQUIRE(r);
        CHECK(r->confirmed_by_head);
        CHECK(r->crc64_matched);
        CHECK(h.request(6).method == "HEAD");
        CHECK(h.request(6).target() == "/copy/big.bin");
    }
    SUBCASE("NoSuchUpload, and the HEAD shows another object") {
        respond_error(h.transport, 404, "NoSuchUpload");
        h.transport.respond(200, with_request_id({{"Content-Length", "5"}, {"ETag", "\"x\""}, {"x-cos-hash-crc64ecma", "1"}}));
        h.transport.respond(404, with_request_id({}), "<Error><Code>NoSuchUpload</Code></Error>");
        auto r = coswire::copy_object(h.destination, h.source, "src/big.bin", "copy/big.bin", multipart_options());
        REQUIRE_FALSE(r);
        CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::no_such_upload));
        CHECK(r.error().reason.find("HEAD did not confirm") != std::string::npos);
    }
}
