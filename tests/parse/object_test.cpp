// SPDX-License-Identifier: MIT
#include <coswire/parse/object.hpp>

#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/testing/fake_transport.hpp>

#include "../support/documents.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using coswire::errc;
using coswire::http_header;
using coswire::http_response;

namespace {

constexpr std::string_view request_id = "NWU5MDNkZDRfZDgyNzVkNjRfN2Q5M18xOWVi****";

// COS's own answers for the 16 bytes "[Object Content]" (docs/protocol/test-vectors.md#checksums).
constexpr std::string_view object_content = "[Object Content]";
constexpr std::string_view object_etag = "\"ee8de918d05640145b18f70f4c3aa602\"";
constexpr std::string_view object_crc = "16749565679157681890";

// Error bodies (docs/protocol/errors.md#error-document).
std::string error_body(std::string_view code, std::string_view message) {
    return "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>" + std::string(code) + "</Code>\n\t<Message>" +
           std::string(message) + "</Message>\n\t<Resource>examplebucket-1250000000.cos.ap-beijing.myqcloud.com/"
           "exampleobject</Resource>\n\t<RequestId>" + std::string(request_id) + "</RequestId>\n\t<TraceId>"
           "OGVmYzZiMmQzYjA2OWNhODk0NTRkMTBiOWVmMDAxODc0OWRkZjk0ZDM1NmI1M2E2MTRlY2MzZDhmNmI5MWI1OTdjMDczODYwZjM5YTU3ZmZm"
           "</TraceId>\n</Error>";
}

// The GET headers of the [Object Content] object (docs/protocol/objects.md#get-object).
std::vector<http_header> get_headers(std::string_view content_length) {
    return {{"Content-Type", "application/octet-stream"},
            {"Content-Length", std::string(content_length)},
            {"Connection", "close"},
            {"Accept-Ranges", "bytes"},
            {"Cache-Control", "max-age=86400"},
            {"Content-Disposition", "attachment; filename=example.jpg"},
            {"Date", "Thu, 10 Dec 2020 03:40:00 GMT"},
            {"ETag", std::string(object_etag)},
            {"Last-Modified", "Thu, 10 Dec 2020 03:37:30 GMT"},
            {"Server", "tencent-cos"},
            {"x-cos-hash-crc64ecma", std::string(object_crc)},
            {"x-cos-meta-example-field", "example-value"},
            {"x-cos-request-id", std::string(request_id)}};
}

void check_service_error(const coswire::error& e, int status, std::string_view code) {
    CHECK(e.code == errc::service_error);
    REQUIRE(e.service);
    CHECK(e.service->http_status == status);
    CHECK(e.service->code == code);
    CHECK(e.service->request_id == request_id);
}

// GET Bucket's element list (docs/protocol/objects.md#get-bucket) with encoding-type=url: CJK, a space,
// a raw '+', "%2525" (a key holding "%25"), >32-bit sizes, INTELLIGENT_TIERING, self-closed Marker.
constexpr std::string_view listing_body = R"xml(<?xml version='1.0' encoding='utf-8' ?>
<ListBucketResult>
	<Name>examplebucket-1250000000</Name>
	<EncodingType>url</EncodingType>
	<Prefix>%E7%85%A7%E7%89%87/</Prefix>
	<Marker/>
	<MaxKeys>1000</MaxKeys>
	<Delimiter>/</Delimiter>
	<IsTruncated>false</IsTruncated>
	<CommonPrefixes>
		<Prefix>%E7%85%A7%E7%89%87/2020%E5%B9%B4/</Prefix>
	</CommonPrefixes>
	<CommonPrefixes>
		<Prefix>%E7%85%A7%E7%89%87/a%20b%2Bc/</Prefix>
	</CommonPrefixes>
	<Contents>
		<Key>%E7%85%A7%E7%89%87/a%20b+c%2525.jpg</Key>
		<LastModified>2020-12-10T03:37:30.000Z</LastModified>
		<ETag>&quot;ee8de918d05640145b18f70f4c3aa602&quot;</ETag>
		<Size>16</Size>
		<Owner>
			<ID>1250000000</ID>
			<DisplayName>1250000000</DisplayName>
		</Owner>
		<StorageClass>STANDARD</StorageClass>
	</Contents>
	<Contents>
		<Key>%E7%85%A7%E7%89%87/big.bin</Key>
		<LastModified>2020-03-25T10:07:14.000Z</LastModified>
		<ETag>&quot;aa259a62513358f69e98e72e59856d88-3&quot;</ETag>
		<Size>5368709121</Size>
		<Owner>
			<ID>1250000000</ID>
			<DisplayName>1250000000</DisplayName>
		</Owner>
		<StorageClass>INTELLIGENT_TIERING</StorageClass>
		<StorageTier>FREQUENT</StorageTier>
	</Contents>
</ListBucketResult>
)xml";

http_response listing(std::string body) {
    return {200, {{"x-cos-request-id", std::string(request_id)}, {"x-cos-bucket-region", "ap-beijing"}}, std::move(body)};
}

std::string wrap(std::string_view children) { return "<ListBucketResult>" + std::string(children) + "</ListBucketResult>"; }

std::string contents(std::string_view key, std::string_view size = "1") {
    return "<Contents><Key>" + std::string(key) + "</Key><Size>" + std::string(size) + "</Size></Contents>";
}

}  // namespace

TEST_CASE("parse_put_object_response: the ETag, CRC-64, version and request id of a PUT") {
    const http_response r{200,
                          {{"Content-Length", "0"},
                           {"ETag", std::string(object_etag)},
                           {"x-cos-hash-crc64ecma", std::string(object_crc)},
                           {"x-cos-version-id", "MTg0NDUxNTc1NjIzMTQ1MDAwODg"},
                           {"x-cos-request-id", std::string(request_id)}},
                          ""};
    auto p = coswire::parse_put_object_response(r);
    REQUIRE(p);
    CHECK(p->headers.etag_raw == object_etag);
    CHECK(p->headers.etag == "ee8de918d05640145b18f70f4c3aa602");
    CHECK(p->headers.etag == coswire::to_string_view(coswire::to_hex(coswire::md5_hash(object_content))));
    CHECK(p->headers.crc64 == coswire::crc64(object_content));
    CHECK(p->headers.version_id == "MTg0NDUxNTc1NjIzMTQ1MDAwODg");
    CHECK(p->headers.request_id == request_id);
}

TEST_CASE("parse_put_object_response: COS errors and malformed headers") {
    SUBCASE("400 BadDigest is the COS error") {
        const http_response r{400, {{"x-cos-request-id", std::string(request_id)}},
                              error_body("BadDigest", "The Content-MD5 you specified did not match what we received.")};
        auto p = coswire::parse_put_object_response(r);
        REQUIRE_FALSE(p);
        check_service_error(p.error(), 400, "BadDigest");
    }
    SUBCASE("a CRC-64 that is not a number is malformed") {
        const http_response r{200, {{"x-cos-hash-crc64ecma", "0x12"}}, ""};
        auto p = coswire::parse_put_object_response(r);
        REQUIRE_FALSE(p);
        CHECK(p.error().code == errc::malformed_response);
        CHECK(p.error().argument == "x-cos-hash-crc64ecma");
    }
}

TEST_CASE("parse_get_object_response: a 200 with the object, its headers and integrity values") {
    const http_response r{200, get_headers("16"), std::string(object_content)};
    auto g = coswire::parse_get_object_response(r);
    REQUIRE(g);
    CHECK(g->status == 200);
    CHECK_FALSE(g->not_modified);
    CHECK_FALSE(g->range);
    CHECK(g->body == object_content);
    CHECK(r.body == object_content);  // copied, not moved
    CHECK(g->headers.content_length == 16u);
    CHECK(g->headers.content_type == "application/octet-stream");
    CHECK(g->headers.last_modified == 1607571450);
    CHECK(g->headers.crc64 == coswire::crc64(g->body));
    CHECK(g->headers.etag == coswire::to_string_view(coswire::to_hex(coswire::md5_hash(g->body))));
    CHECK(g->headers.storage_class == "STANDARD");
    REQUIRE(g->headers.metadata.size() == 1);
    CHECK(g->headers.metadata[0].second == "example-value");
    CHECK(g->details.cache_control == "max-age=86400");
    CHECK(g->details.content_disposition == "attachment; filename=example.jpg");
    CHECK(g->details.content_encoding.empty());
}

TEST_CASE("parse_get_object_response: the rvalue overload moves the body out") {
    http_response r{200, get_headers("16"), std::string(object_content)};
    auto g = coswire::parse_get_object_response(std::move(r));
    REQUIRE(g);
    CHECK(g->body == object_content);
}

TEST_CASE("parse_get_object_response: 206 carries the parsed Content-Range") {
    std::vector<http_header> h = get_headers("8");
    h.push_back({"Content-Range", "bytes 0-7/16"});
    auto g = coswire::parse_get_object_response(http_response{206, h, "[Object "});
    REQUIRE(g);
    CHECK(g->status == 206);
    REQUIRE(g->range);
    CHECK(g->range->first == 0);
    CHECK(g->range->last == 7);
    CHECK(g->range->total == 16u);
    CHECK(g->body == "[Object ");
    CHECK(g->headers.crc64 == coswire::crc64(object_content));  // the whole object's, also for a range

    SUBCASE("a 206 without Content-Range is malformed") {
        auto bad = coswire::parse_get_object_response(http_response{206, get_headers("8"), "[Object "});
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code == errc::malformed_response);
        CHECK(bad.error().argument == "Content-Range");
    }
}

TEST_CASE("parse_get_object_response: 304 is not_modified, not an error") {
    const http_response r{304,
                          {{"ETag", std::string(object_etag)},
                           {"x-cos-request-id", std::string(request_id)},
                           {"x-cos-trace-id", "OGVmYzZiMmQzYjA2OWNhODk0NTRkMTBi"}},
                          ""};
    auto g = coswire::parse_get_object_response(r);
    REQUIRE(g);
    CHECK(g->status == 304);
    CHECK(g->not_modified);
    CHECK(g->body.empty());
    CHECK(g->headers.etag == "ee8de918d05640145b18f70f4c3aa602");
}

TEST_CASE("parse_get_object_response: 412, 404, 416 and a 302 are COS errors") {
    SUBCASE("412 PreconditionFailed with its XML body") {
        auto g = coswire::parse_get_object_response(
            http_response{412, {{"x-cos-request-id", std::string(request_id)}}, error_body("PreconditionFailed", "Precondition not match.")});
        REQUIRE_FALSE(g);
        check_service_error(g.error(), 412, "PreconditionFailed");
        CHECK(g.error().service->message == "Precondition not match.");
    }
    SUBCASE("404 NoSuchKey") {
        auto g = coswire::parse_get_object_response(
            http_response{404, {{"x-cos-request-id", std::string(request_id)}}, error_body("NoSuchKey", "The specified key does not exist.")});
        REQUIRE_FALSE(g);
        check_service_error(g.error(), 404, "NoSuchKey");
    }
    SUBCASE("416 InvalidRange") {
        auto g = coswire::parse_get_object_response(
            http_response{416, {{"x-cos-request-id", std::string(request_id)}}, error_body("InvalidRange", "The Range is invalid.")});
        REQUIRE_FALSE(g);
        check_service_error(g.error(), 416, "InvalidRange");
    }
    SUBCASE("a 302 to an origin is not followed") {
        auto g = coswire::parse_get_object_response(
            http_response{302, {{"Location", "http://origin.example.com/exampleobject"}, {"x-cos-request-id", std::string(request_id)}}, ""});
        REQUIRE_FALSE(g);
        CHECK(g.error().code == errc::service_error);
        CHECK(g.error().service->http_status == 302);
    }
}

TEST_CASE("parse_get_object_response: a 200 whose body looks like an <Error> is still the object") {
    // A GET body is user data; only the status decides (docs/protocol/errors.md#errors-inside-a-200).
    const std::string body = error_body("NoSuchKey", "stored object that happens to be XML");
    auto g = coswire::parse_get_object_response(http_response{200, {{"Content-Length", std::to_string(body.size())}}, body});
    REQUIRE(g);
    CHECK(g->body == body);
}

TEST_CASE("parse_content_range: the RFC 9110 form, strictly") {
    auto a = coswire::parse_content_range("bytes 0-0/1");
    REQUIRE(a);
    CHECK(a->first == 0);
    CHECK(a->last == 0);
    CHECK(a->total == 1u);
    auto b = coswire::parse_content_range("BYTES 5-9/*");
    REQUIRE(b);
    CHECK_FALSE(b->total);
    auto c = coswire::parse_content_range("bytes 0-18446744073709551614/18446744073709551615");
    REQUIRE(c);
    CHECK(c->last == UINT64_MAX - 1);
    for (const char* bad : {"", "bytes", "bytes ", "bytes 0-9", "bytes 9-0/10", "bytes 0-9/9", "bytes -9/10", "bytes 0-/10",
                            "items 0-9/10", "bytes 0-9/x", "bytes */10", "bytes  0-9/10", "bytes 0-9/10 ", "bytes 1/2-3",
                            "bytes 0-1-2/5", "bytes 0-9/", "bytes 0-18446744073709551616/*"}) {
        CAPTURE(bad);
        auto r = coswire::parse_content_range(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::malformed_response);
        CHECK(r.error().argument == "Content-Range");
    }
}

TEST_CASE("parse_head_object_response: size, headers and the restore state of an ARCHIVE object") {
    std::vector<http_header> h = get_headers("16");
    h.push_back({"x-cos-storage-class", "ARCHIVE"});
    h.push_back({"x-cos-restore", "ongoing-request=\"false\", expiry-date=\"Sun, 13 Dec 2020 02:01:58 GMT\""});
    h.push_back({"x-cos-restore-status", "Expedited"});
    auto head = coswire::parse_head_object_response(http_response{200, h, ""});
    REQUIRE(head);
    CHECK_FALSE(head->not_modified);
    CHECK(head->content_length == 16);
    CHECK(head->headers.storage_class == "ARCHIVE");
    CHECK(head->headers.crc64 == 16749565679157681890ull);
    CHECK(head->details.restore == "ongoing-request=\"false\", expiry-date=\"Sun, 13 Dec 2020 02:01:58 GMT\"");
    CHECK(head->details.restore_status == "Expedited");
    CHECK(head->details.object_type.empty());
}

TEST_CASE("parse_head_object_response: x-cos-object-type tells an appendable object") {
    std::vector<http_header> h = get_headers("16");
    h.push_back({"x-cos-object-type", "appendable"});
    auto head = coswire::parse_head_object_response(http_response{200, h, ""});
    REQUIRE(head);
    CHECK(head->details.object_type == "appendable");
}

TEST_CASE("parse_head_object_response: 304 and the body-less 404 and 412") {
    SUBCASE("304") {
        auto head = coswire::parse_head_object_response(
            http_response{304, {{"x-cos-request-id", std::string(request_id)}, {"x-cos-trace-id", "OGVm"}}, ""});
        REQUIRE(head);
        CHECK(head->not_modified);
        CHECK(head->content_length == 0);
    }
    SUBCASE("404 without a body: the code comes from the status, the request id from the header") {
        auto head = coswire::parse_head_object_response(
            http_response{404, {{"Content-Length", "0"}, {"x-cos-request-id", std::string(request_id)}, {"x-cos-trace-id", "OGVm"}}, ""});
        REQUIRE_FALSE(head);
        check_service_error(head.error(), 404, "NoSuchResource");
        CHECK(head.error().service->trace_id == "OGVm");
    }
    SUBCASE("412 without a body") {
        auto head = coswire::parse_head_object_response(
            http_response{412, {{"Content-Length", "0"}, {"x-cos-request-id", std::string(request_id)}}, ""});
        REQUIRE_FALSE(head);
        check_service_error(head.error(), 412, "PreconditionFailed");
    }
    SUBCASE("a 200 without Content-Length is malformed") {
        auto head = coswire::parse_head_object_response(http_response{200, {{"ETag", std::string(object_etag)}}, ""});
        REQUIRE_FALSE(head);
        CHECK(head.error().code == errc::malformed_response);
        CHECK(head.error().argument == "Content-Length");
    }
    SUBCASE("a Last-Modified that is not a date is malformed") {
        auto head = coswire::parse_head_object_response(
            http_response{200, {{"Content-Length", "1"}, {"Last-Modified", "yesterday"}}, ""});
        REQUIRE_FALSE(head);
        CHECK(head.error().argument == "Last-Modified");
    }
}

TEST_CASE("parse_delete_object_response: 204, 200 and the versioning headers") {
    auto plain = coswire::parse_delete_object_response(http_response{204, {{"x-cos-request-id", std::string(request_id)}}, ""});
    REQUIRE(plain);
    CHECK(plain->request_id == request_id);
    CHECK_FALSE(plain->delete_marker);
    CHECK(plain->version_id.empty());

    auto versioned = coswire::parse_delete_object_response(
        http_response{200, {{"x-cos-version-id", "MTg0NDUxNTc1NjIzMTQ1MDAwODg"}, {"x-cos-delete-marker", "TRUE"}}, ""});
    REQUIRE(versioned);
    CHECK(versioned->version_id == "MTg0NDUxNTc1NjIzMTQ1MDAwODg");
    CHECK(versioned->delete_marker);

    auto bad = coswire::parse_delete_object_response(http_response{204, {{"x-cos-delete-marker", "maybe"}}, ""});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == errc::malformed_response);
    CHECK(bad.error().argument == "x-cos-delete-marker");

    auto missing = coswire::parse_delete_object_response(
        http_response{404, {{"x-cos-request-id", std::string(request_id)}}, error_body("NoSuchBucket", "The specified bucket does not exist.")});
    REQUIRE_FALSE(missing);
    check_service_error(missing.error(), 404, "NoSuchBucket");
}

TEST_CASE("parse_list_objects_response: the example page, decoded") {
    auto page = coswire::parse_list_objects_response(listing(std::string(test_support::list_objects_page)));
    REQUIRE(page);
    CHECK(page->request_id == request_id);
    CHECK(page->bucket_region == "ap-beijing");
    CHECK(page->name == "examplebucket-1250000000");
    CHECK(page->encoding_type == "url");
    CHECK(page->prefix == "照片/");
    CHECK(page->marker.empty());
    CHECK(page->max_keys == 1u);
    CHECK(page->delimiter == "/");
    CHECK(page->is_truncated);
    CHECK(page->next_marker == "照片/2020年/IMG0001.jpg");
    REQUIRE(page->contents.size() == 1);
    const coswire::object_summary& s = page->contents[0];
    CHECK(s.key == "照片/2020年/IMG0001.jpg");
    CHECK(s.last_modified == 1607571450);
    CHECK(s.etag_raw == "\"ee8de918d05640145b18f70f4c3aa602\"");
    CHECK(s.etag == "ee8de918d05640145b18f70f4c3aa602");
    CHECK(s.size == 1048576);
    CHECK(s.owner.id == "1250000000");
    CHECK(s.owner.display_name == "1250000000");
    CHECK(s.storage_class == "STANDARD");
    CHECK(page->common_prefixes.empty());
}

TEST_CASE("parse_list_objects_response: url decoding of CJK, space, '+' and '%25', exactly once") {
    auto page = coswire::parse_list_objects_response(listing(std::string(listing_body)));
    REQUIRE(page);
    CHECK_FALSE(page->is_truncated);
    CHECK(page->max_keys == 1000u);
    REQUIRE(page->common_prefixes.size() == 2);
    CHECK(page->common_prefixes[0] == "照片/2020年/");
    CHECK(page->common_prefixes[1] == "照片/a b+c/");
    REQUIRE(page->contents.size() == 2);
    CHECK(page->contents[0].key == "照片/a b+c%25.jpg");  // '+' stays '+', "%2525" becomes "%25"
    CHECK(page->contents[1].key == "照片/big.bin");
    CHECK(page->contents[1].size == 5368709121ull);
    CHECK(page->contents[1].etag == "aa259a62513358f69e98e72e59856d88-3");
    CHECK(page->contents[1].last_modified == 1585130834);
    CHECK(page->contents[1].storage_class == "INTELLIGENT_TIERING");
    CHECK(page->contents[1].storage_tier == "FREQUENT");
}

TEST_CASE("parse_list_objects_response: without EncodingType nothing is decoded") {
    std::string body(listing_body);
    body.erase(body.find("\t<EncodingType>url</EncodingType>\n"), 34);
    auto page = coswire::parse_list_objects_response(listing(body));
    REQUIRE(page);
    CHECK(page->encoding_type.empty());
    CHECK(page->prefix == "%E7%85%A7%E7%89%87/");
    CHECK(page->contents[0].key == "%E7%85%A7%E7%89%87/a%20b+c%2525.jpg");
}

TEST_CASE("parse_list_objects_response: spelling and order variants") {
    // Namespace on the root, EncodingType after the fields it covers and spelled Encoding-Type,
    // IsTruncated in upper case, Owner before Key, leading blank lines, no prolog.
    const std::string body =
        "\n\n  <ListBucketResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">"
        "<IsTruncated>TRUE</IsTruncated><Marker>a%20a</Marker>"
        "<Contents><Owner><DisplayName>d</DisplayName><ID>i</ID></Owner><Size>0</Size><Key>a%20b</Key><Unknown><X/></Unknown></Contents>"
        "<NextMarker>a%20b</NextMarker><Encoding-Type>url</Encoding-Type></ListBucketResult>";
    auto page = coswire::parse_list_objects_response(listing(body));
    REQUIRE(page);
    CHECK(page->is_truncated);
    CHECK(page->marker == "a a");
    CHECK(page->next_marker == "a b");
    REQUIRE(page->contents.size() == 1);
    CHECK(page->contents[0].key == "a b");
    CHECK(page->contents[0].owner.id == "i");
    CHECK(page->contents[0].owner.display_name == "d");
    CHECK_FALSE(page->contents[0].last_modified);
    CHECK(page->name.empty());
    CHECK_FALSE(page->max_keys);
}

TEST_CASE("parse_list_objects_response: LastModified in the asctime form of old examples") {
    auto page = coswire::parse_list_objects_response(listing(wrap(
        "<IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>1</Size>"
        "<LastModified>Tue Jan 17 16:43:37 2017</LastModified></Contents>")));
    REQUIRE(page);
    CHECK(page->contents[0].last_modified == 1484671417);
}

TEST_CASE("parse_list_objects_response: a 200 with an <Error> body and a 403 are COS errors") {
    auto in_200 = coswire::parse_list_objects_response(listing(error_body("InternalError", "Internal error.")));
    REQUIRE_FALSE(in_200);
    check_service_error(in_200.error(), 200, "InternalError");
    auto denied = coswire::parse_list_objects_response(
        http_response{403, {{"x-cos-request-id", std::string(request_id)}}, error_body("AccessDenied", "Access Denied.")});
    REQUIRE_FALSE(denied);
    check_service_error(denied.error(), 403, "AccessDenied");
}

TEST_CASE("parse_list_objects_response: malformed pages name what is wrong") {
    struct bad_page {
        const char* what;
        std::string body;
        std::string_view argument;
        errc code = errc::malformed_response;
    };
    const std::string url = "<EncodingType>url</EncodingType>";
    const std::string done = "<IsTruncated>false</IsTruncated>";
    const std::vector<bad_page> cases = {
        {"not XML", "this is not xml", "document"},
        {"empty body", "", "document"},
        {"another root", "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>", "document"},
        {"trailing garbage", wrap(done) + "<x/>", "document"},
        {"a child inside Size", wrap(done + "<Contents><Key>k</Key><Size><x/></Size></Contents>"), "document"},
        {"no IsTruncated", wrap(contents("k")), "IsTruncated"},
        {"IsTruncated yes", wrap("<IsTruncated>yes</IsTruncated>"), "IsTruncated"},
        {"MaxKeys -1", wrap(done + "<MaxKeys>-1</MaxKeys>"), "MaxKeys"},
        {"Size 12a", wrap(done + contents("k", "12a")), "Size"},
        {"Size beyond 64 bits", wrap(done + contents("k", "18446744073709551616")), "Size"},
        {"no Size", wrap(done + "<Contents><Key>k</Key></Contents>"), "Size"},
        {"no Key", wrap(done + "<Contents><Size>1</Size></Contents>"), "Key"},
        {"empty Key", wrap(done + "<Contents><Key/><Size>1</Size></Contents>"), "Key"},
        {"LastModified not a time", wrap(done + "<Contents><Key>k</Key><Size>1</Size><LastModified>yesterday</LastModified></Contents>"),
         "LastModified"},
        {"a bad escape in Key", wrap(done + url + contents("a%G0")), "Key"},
        {"a cut escape in Prefix", wrap(done + url + "<Prefix>a%2</Prefix>"), "Prefix"},
        {"a bad escape in Marker", wrap(done + url + "<Marker>%</Marker>"), "Marker"},
        {"a bad escape in NextMarker", wrap(url + "<IsTruncated>true</IsTruncated><NextMarker>%zz</NextMarker>" + contents("k")),
         "NextMarker"},
        {"a bad escape in a common prefix", wrap(done + url + "<CommonPrefixes><Prefix>%%</Prefix></CommonPrefixes>"), "Prefix"},
        {"truncated with nowhere to go", wrap("<IsTruncated>true</IsTruncated>"), "NextMarker"},
        {"truncated without moving", wrap("<IsTruncated>true</IsTruncated><Marker>m</Marker><NextMarker>m</NextMarker>"),
         "NextMarker"},
        {"truncated going backwards", wrap("<IsTruncated>true</IsTruncated><Marker>m</Marker>" + contents("a")), "NextMarker"},
        {"a DOCTYPE", "<!DOCTYPE x [<!ENTITY a 'b'>]>" + wrap(done), "document"},
    };
    for (const bad_page& c : cases) {
        CAPTURE(c.what);
        auto page = coswire::parse_list_objects_response(listing(c.body));
        REQUIRE_FALSE(page);
        CHECK(page.error().code == c.code);
        CHECK(page.error().argument == c.argument);
    }
}

TEST_CASE("parse_list_objects_response: every prefix of a valid page is an error or a value, never a crash") {
    const std::string body(listing_body);
    const std::size_t root_end = body.rfind("</ListBucketResult>") + std::string_view("</ListBucketResult>").size();
    for (std::size_t n = 0; n <= body.size(); ++n) {
        CAPTURE(n);
        auto page = coswire::parse_list_objects_response(listing(body.substr(0, n)));
        if (n < root_end) {
            REQUIRE_FALSE(page);
            CHECK((page.error().code == errc::malformed_response || page.error().code == errc::service_error));
        } else {
            REQUIRE(page);
            CHECK(page->contents.size() == 2);
        }
    }
}

TEST_CASE("parse_list_objects_response: random byte mutations never crash") {
    const std::string body(listing_body);
    std::mt19937 rng(20261125);
    std::uniform_int_distribution<std::size_t> position(0, body.size() - 1);
    std::uniform_int_distribution<int> byte(0, 255);
    std::size_t parsed = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string mutated = body;
        for (int k = 0; k < 1 + i % 4; ++k) {
            const std::size_t at = position(rng);
            if (at < mutated.size()) mutated[at] = static_cast<char>(byte(rng));
        }
        auto page = coswire::parse_list_objects_response(listing(mutated));
        if (page) {
            ++parsed;
            for (const auto& s : page->contents) CHECK_FALSE(s.key.empty());
        }
    }
    CHECK(parsed > 0);
}

TEST_CASE("next_list_objects_params: a three-page listing through builder, parser and helper") {
    // Page 1 names NextMarker (url-encoded); page 2 is truncated without one, so the last key
    // continues; page 3 ends the listing.
    const std::vector<std::string> pages = {
        wrap("<EncodingType>url</EncodingType><Prefix>%E7%85%A7%E7%89%87/</Prefix><Marker/><MaxKeys>2</MaxKeys>"
             "<IsTruncated>true</IsTruncated><NextMarker>%E7%85%A7%E7%89%87/b%20b</NextMarker>" +
             contents("%E7%85%A7%E7%89%87/a") + contents("%E7%85%A7%E7%89%87/b%20b")),
        wrap("<EncodingType>url</EncodingType><Prefix>%E7%85%A7%E7%89%87/</Prefix><Marker>%E7%85%A7%E7%89%87/b%20b</Marker>"
             "<MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>" +
             contents("%E7%85%A7%E7%89%87/c+c") + contents("%E7%85%A7%E7%89%87/d%2525")),
        wrap("<EncodingType>url</EncodingType><Prefix>%E7%85%A7%E7%89%87/</Prefix><Marker>%E7%85%A7%E7%89%87/d%2525</Marker>"
             "<MaxKeys>2</MaxKeys><IsTruncated>false</IsTruncated>" +
             contents("%E7%85%A7%E7%89%87/e")),
    };
    coswire::testing::fake_transport transport;
    for (const std::string& body : pages) transport.respond(listing(body));
    const auto ep = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value();
    std::optional<coswire::list_objects_params> params = coswire::list_objects_params{"照片/", "", "", 2, true};
    std::vector<std::string> keys;
    while (params) {
        auto request = coswire::make_list_objects_request(ep, *params);
        REQUIRE(request);
        auto response = transport(*request);
        REQUIRE(response);
        auto page = coswire::parse_list_objects_response(*response);
        REQUIRE(page);
        for (const auto& s : page->contents) keys.push_back(s.key);
        params = coswire::next_list_objects_params(*params, *page);
        if (params) {
            CHECK(params->prefix == "照片/");
            CHECK(params->max_keys == 2u);
            CHECK(params->url_encoding);
        }
    }
    CHECK(transport.pending() == 0);
    std::vector<std::string> targets;
    for (const auto& r : transport.requests()) targets.push_back(r.target());
    CHECK(keys == std::vector<std::string>{"照片/a", "照片/b b", "照片/c+c", "照片/d%25", "照片/e"});
    CHECK(targets == std::vector<std::string>{
                         "/?prefix=%E7%85%A7%E7%89%87%2F&max-keys=2&encoding-type=url",
                         "/?prefix=%E7%85%A7%E7%89%87%2F&marker=%E7%85%A7%E7%89%87%2Fb%20b&max-keys=2&encoding-type=url",
                         "/?prefix=%E7%85%A7%E7%89%87%2F&marker=%E7%85%A7%E7%89%87%2Fd%2525&max-keys=2&encoding-type=url",
                     });
}

TEST_CASE("next_list_objects_params: the continuation rules on hand-made results") {
    coswire::list_objects_params page{"p/", "/", "p/0", 3, false};
    coswire::list_objects_result r;
    CHECK_FALSE(coswire::next_list_objects_params(page, r));  // not truncated

    r.is_truncated = true;
    CHECK_FALSE(coswire::next_list_objects_params(page, r));  // nowhere to go

    r.contents.push_back({"p/1", std::nullopt, "", "", 1, {}, "", ""});
    r.common_prefixes = {"p/2/"};
    auto next = coswire::next_list_objects_params(page, r);
    REQUIRE(next);
    CHECK(next->marker == "p/2/");  // the common prefix is the last entry covered
    CHECK(next->prefix == "p/");
    CHECK(next->delimiter == "/");
    CHECK(next->max_keys == 3u);
    CHECK_FALSE(next->url_encoding);

    r.next_marker = "p/9";
    CHECK(coswire::next_list_objects_params(page, r)->marker == "p/9");

    r.next_marker = "p/0";  // does not move past the page's marker: stop instead of looping
    CHECK_FALSE(coswire::next_list_objects_params(page, r));
}

TEST_CASE("object parsers: a 2xx <Error> body is the COS error except for GET Object, whose body is the object") {
    const std::string hidden = "<Error><Code>InternalError</Code><Message>m</Message></Error>";
    CHECK(coswire::parse_put_object_response({200, {{"ETag", "\"e\""}}, hidden}).error().service->code == "InternalError");
    CHECK(coswire::parse_delete_object_response({204, {}, hidden}).error().service->code == "InternalError");
    CHECK(coswire::parse_head_object_response({200, {{"Content-Length", "0"}}, hidden}).error().service->code == "InternalError");
    auto got = coswire::parse_get_object_response(coswire::http_response{200, {{"Content-Length", "62"}}, hidden});
    REQUIRE(got);
    CHECK(got->body == hidden);
}

TEST_CASE("object parsers: a repeated Content-Range or ETag is refused, not picked") {
    auto range = coswire::parse_get_object_response(
        coswire::http_response{206, {{"Content-Range", "bytes 0-0/10"}, {"Content-Range", "bytes 1-1/10"}}, "x"});
    CHECK(range.error().argument == "Content-Range");
    auto etag = coswire::parse_head_object_response({200, {{"Content-Length", "1"}, {"ETag", "\"a\""}, {"ETag", "\"a\""}}, ""});
    CHECK(etag.error().argument == "ETag");
    CHECK(coswire::parse_delete_object_response({204, {{"x-cos-version-id", "a"}, {"x-cos-version-id", "b"}}, ""}).error().argument ==
          "x-cos-version-id");
}
