// SPDX-License-Identifier: MIT
#include <coswire/parse/multipart.hpp>

#include <doctest/doctest.h>

#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/hex.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using coswire::errc;
using coswire::http_response;

namespace {

constexpr std::string_view uid = "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361";

http_response ok_xml(std::string body, int status = 200) {
    return http_response{status,
                         {{"Content-Type", "application/xml"}, {"x-cos-request-id", "NWU5MDNkZDRfZDgyNzVkNjRfN2Q5M18xOWVi"}},
                         std::move(body)};
}

// Initiate (docs/protocol/multipart.md#initiate-multipart-upload), with leading blank lines and no prolog.
const std::string initiate_body =
    "\n\n<InitiateMultipartUploadResult>\n"
    "\t<Bucket>examplebucket-1250000000</Bucket>\n"
    "\t<Key>exampleobject</Key>\n"
    "\t<UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>\n"
    "</InitiateMultipartUploadResult>\n";

// Upload Part - Copy (docs/protocol/multipart.md#upload-part-copy).
const std::string copy_part_body =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
    "<CopyPartResult>\n"
    "\t<ETag>\"ba82b57cfdfda8bd17ad4e5879ebb4fe\"</ETag>\n"
    "\t<LastModified>2020-12-09T08:21:38.000Z</LastModified>\n"
    "</CopyPartResult>\n";

// Complete, behind the whitespace COS streams while merging (docs/protocol/multipart.md#complete-multipart-upload).
const std::string complete_body =
    "      \n      \n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<CompleteMultipartUploadResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">\n"
    "\t<Location>http://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject</Location>\n"
    "\t<Bucket>examplebucket-1250000000</Bucket>\n"
    "\t<Key>exampleobject</Key>\n"
    "\t<ETag>&quot;aa259a62513358f69e98e72e59856d88-3&quot;</ETag>\n"
    "</CompleteMultipartUploadResult>";

// List Parts (docs/protocol/multipart.md#list-parts).
const std::string list_parts_body =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
    "<ListPartsResult>\n"
    "\t<Bucket>examplebucket-1250000000</Bucket>\n"
    "\t<EncodingType>url</EncodingType>\n"
    "\t<Key>doc/%E5%A4%A7%E6%96%87%E4%BB%B6.bin</Key>\n"
    "\t<UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>\n"
    "\t<Owner>\n\t\t<ID>1250000000</ID>\n\t\t<DisplayName>1250000000</DisplayName>\n\t</Owner>\n"
    "\t<PartNumberMarker>0</PartNumberMarker>\n"
    "\t<Initiator>\n\t\t<ID>qcs::cam::uin/100000000001:uin/100000000011</ID>\n"
    "\t\t<DisplayName>100000000011</DisplayName>\n\t</Initiator>\n"
    "\t<Part>\n\t\t<PartNumber>1</PartNumber>\n\t\t<LastModified>2020-03-25T10:07:14.000Z</LastModified>\n"
    "\t\t<ETag>&quot;39270a968a357d24207e9911162507eb&quot;</ETag>\n\t\t<Size>1048576</Size>\n\t</Part>\n"
    "\t<Part>\n\t\t<PartNumber>2</PartNumber>\n\t\t<LastModified>2020-03-25T10:07:13.000Z</LastModified>\n"
    "\t\t<ETag>&quot;d899fbd1e06109ea2e4550f5751c88d6&quot;</ETag>\n\t\t<Size>1048576</Size>\n\t</Part>\n"
    "\t<NextPartNumberMarker>2</NextPartNumberMarker>\n"
    "\t<StorageClass>Standard</StorageClass>\n"
    "\t<MaxParts>2</MaxParts>\n"
    "\t<IsTruncated>true</IsTruncated>\n"
    "</ListPartsResult>\n";

// List Multipart Uploads (docs/protocol/multipart.md#list-multipart-uploads).
const std::string list_uploads_body =
    "<ListMultipartUploadsResult>\n"
    "\t<Bucket>examplebucket-1250000000</Bucket>\n"
    "\t<Encoding-Type>url</Encoding-Type>\n"
    "\t<KeyMarker/>\n"
    "\t<UploadIdMarker/>\n"
    "\t<NextKeyMarker>doc/a%20b.bin</NextKeyMarker>\n"
    "\t<NextUploadIdMarker>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</NextUploadIdMarker>\n"
    "\t<MaxUploads>1</MaxUploads>\n"
    "\t<IsTruncated>true</IsTruncated>\n"
    "\t<Prefix>doc/</Prefix>\n"
    "\t<Delimiter>/</Delimiter>\n"
    "\t<Upload>\n"
    "\t\t<Key>doc/a%20b.bin</Key>\n"
    "\t\t<UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>\n"
    "\t\t<StorageClass>STANDARD</StorageClass>\n"
    "\t\t<Initiator>\n\t\t\t<ID>qcs::cam::uin/100000000001:uin/100000000001</ID>\n"
    "\t\t\t<DisplayName>100000000001</DisplayName>\n\t\t</Initiator>\n"
    "\t\t<Owner>\n\t\t\t<ID>qcs::cam::uin/100000000001:uin/100000000001</ID>\n"
    "\t\t\t<DisplayName>100000000001</DisplayName>\n\t\t</Owner>\n"
    "\t\t<Initiated>2020-03-25T10:07:01.000Z</Initiated>\n"
    "\t</Upload>\n"
    "\t<CommonPrefixes>\n\t\t<Prefix>doc/sub/</Prefix>\n\t</CommonPrefixes>\n"
    "</ListMultipartUploadsResult>\n";

// An error (docs/protocol/errors.md#error-document).
http_response no_such_upload() {
    return http_response{404,
                         {{"Content-Type", "application/xml"}, {"x-cos-request-id", "NWU3YjJkNWVfZDFjODJhMDlfMTk2ODJfMmEyNTA0"}},
                         "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>NoSuchUpload</Code>\n"
                         "\t<Message>The specified upload does not exist.</Message>\n"
                         "\t<Resource>examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject</Resource>\n"
                         "\t<RequestId>NWU3YjJkNWVfZDFjODJhMDlfMTk2ODJfMmEyNTA0****</RequestId>\n"
                         "\t<TraceId>OGVmYzZiMmQzYjA2OWNhODk0NTRkMTBiOWVmMDAxODc0OWRkZjk0ZDM1NmI1M2E2MTRlY2MzZDhm</TraceId>\n"
                         "</Error>"};
}

template <class Result>
void check_malformed(const Result& r, std::string_view argument) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::malformed_response);
    CHECK(r.error().argument == argument);
}

std::string replace(std::string text, std::string_view from, std::string_view to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    return text;
}

}  // namespace

TEST_CASE("parse_initiate_multipart_upload_response: reads the documented example, blank lines and no prolog") {
    auto r = coswire::parse_initiate_multipart_upload_response(ok_xml(initiate_body));
    REQUIRE(r);
    CHECK(r->bucket == "examplebucket-1250000000");
    CHECK(r->key == "exampleobject");
    CHECK(r->upload_id == uid);
    CHECK(r->request_id == "NWU5MDNkZDRfZDgyNzVkNjRfN2Q5M18xOWVi");
}

TEST_CASE("parse_initiate_multipart_upload_response: a missing or unusable UploadId is malformed") {
    check_malformed(coswire::parse_initiate_multipart_upload_response(ok_xml(
                        "<InitiateMultipartUploadResult><Bucket>b-1</Bucket><Key>k</Key></InitiateMultipartUploadResult>")),
                    "UploadId");
    check_malformed(coswire::parse_initiate_multipart_upload_response(
                        ok_xml("<InitiateMultipartUploadResult><UploadId/></InitiateMultipartUploadResult>")),
                    "UploadId");
    check_malformed(coswire::parse_initiate_multipart_upload_response(
                        ok_xml("<InitiateMultipartUploadResult><UploadId>a b</UploadId></InitiateMultipartUploadResult>")),
                    "UploadId");
    check_malformed(coswire::parse_initiate_multipart_upload_response(ok_xml("<Other><UploadId>a</UploadId></Other>")),
                    "document");
    check_malformed(coswire::parse_initiate_multipart_upload_response(ok_xml("")), "document");
}

TEST_CASE("parse_upload_part_response: the documented [Object Part] answer gives its ETag and CRC-64") {
    const http_response resp{200,
                             {{"ETag", "\"108f528eb63b65e734f27ae331f5ffaa\""},
                              {"x-cos-hash-crc64ecma", "4510578591875220731"},
                              {"x-cos-request-id", "NWU5MDNkZDRfZDgyNzVkNjRf"}},
                             ""};
    auto r = coswire::parse_upload_part_response(resp);
    REQUIRE(r);
    CHECK(r->etag_raw == "\"108f528eb63b65e734f27ae331f5ffaa\"");
    CHECK(r->etag == "108f528eb63b65e734f27ae331f5ffaa");
    CHECK(r->etag == coswire::to_string_view(coswire::to_hex(coswire::md5_hash("[Object Part]"))));
    REQUIRE(r->crc64);
    CHECK(*r->crc64 == coswire::crc64("[Object Part]"));
    CHECK(r->request_id == "NWU5MDNkZDRfZDgyNzVkNjRf");

    CHECK(r->server_side_encryption.empty());
    CHECK(r->sse_customer_algorithm.empty());

    SUBCASE("the encryption COS applied is kept: it decides whether the ETag is an MD5") {
        http_response kms = resp;
        kms.headers.push_back({"x-cos-server-side-encryption", "cos/kms"});
        auto k = coswire::parse_upload_part_response(kms);
        REQUIRE(k);
        CHECK(k->server_side_encryption == "cos/kms");
        http_response sse_c = resp;
        sse_c.headers.push_back({"X-Cos-Server-Side-Encryption-Customer-Algorithm", "AES256"});
        auto c = coswire::parse_upload_part_response(sse_c);
        REQUIRE(c);
        CHECK(c->sse_customer_algorithm == "AES256");
        sse_c.headers.push_back({"x-cos-server-side-encryption-customer-algorithm", "AES256"});
        check_malformed(coswire::parse_upload_part_response(sse_c), "x-cos-server-side-encryption-customer-algorithm");
    }
    SUBCASE("without ETag it is malformed") {
        check_malformed(coswire::parse_upload_part_response(http_response{200, {{"x-cos-hash-crc64ecma", "1"}}, ""}), "ETag");
    }
    SUBCASE("a CRC that is not a decimal is malformed") {
        check_malformed(coswire::parse_upload_part_response(
                            http_response{200, {{"ETag", "\"a\""}, {"x-cos-hash-crc64ecma", "0x1f"}}, ""}),
                        "x-cos-hash-crc64ecma");
    }
    SUBCASE("404 NoSuchUpload is the service error") {
        auto e = coswire::parse_upload_part_response(no_such_upload());
        REQUIRE_FALSE(e);
        CHECK(coswire::is_cos_error(e.error(), coswire::cos_errc::no_such_upload));
    }
}

TEST_CASE("parse_upload_part_copy_response: reads CopyPartResult and the copy headers") {
    http_response resp = ok_xml(copy_part_body);
    resp.headers.push_back({"x-cos-hash-crc64ecma", "16749565679157681890"});
    resp.headers.push_back({"x-cos-copy-source-version-id", "MTg0NDUxNjI3NTM0ODE2Njc0MzA"});
    auto r = coswire::parse_upload_part_copy_response(resp);
    REQUIRE(r);
    CHECK(r->etag == "ba82b57cfdfda8bd17ad4e5879ebb4fe");
    CHECK(r->etag_raw == "\"ba82b57cfdfda8bd17ad4e5879ebb4fe\"");
    CHECK(r->last_modified == 1607502098);
    CHECK(r->crc64 == 16749565679157681890u);
    CHECK(r->source_version_id == "MTg0NDUxNjI3NTM0ODE2Njc0MzA");

    SUBCASE("the old page's time without zone") {
        auto old = coswire::parse_upload_part_copy_response(ok_xml(replace(copy_part_body, "2020-12-09T08:21:38.000Z", "2017-09-04T04:45:45")));
        REQUIRE(old);
        CHECK(old->last_modified == 1504500345);
    }
    SUBCASE("a 200 whose body is <Error> is that error") {
        auto e = coswire::parse_upload_part_copy_response(
            ok_xml("<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>InternalError</Code><Message>We encountered an "
                   "internal error. Please try again.</Message><RequestId>abc</RequestId></Error>"));
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::service_error);
        REQUIRE(e.error().service);
        CHECK(e.error().service->code == "InternalError");
        CHECK(e.error().service->http_status == 200);
    }
    SUBCASE("412 PreconditionFailed is the service error") {
        auto e = coswire::parse_upload_part_copy_response(
            http_response{412, {}, "<Error><Code>PreconditionFailed</Code><Message>Precondition not match.</Message></Error>"});
        REQUIRE_FALSE(e);
        CHECK(coswire::is_cos_error(e.error(), coswire::cos_errc::precondition_failed));
    }
    SUBCASE("no ETag or a bad time is malformed") {
        check_malformed(coswire::parse_upload_part_copy_response(ok_xml("<CopyPartResult><ETag/></CopyPartResult>")), "ETag");
        check_malformed(coswire::parse_upload_part_copy_response(ok_xml(replace(copy_part_body, "2020-12-09T08:21:38.000Z", "yesterday"))),
                        "LastModified");
    }
}

TEST_CASE("parse_complete_multipart_upload_response: reads the streamed result and the whole-object CRC") {
    // docs/protocol/test-vectors.md#checksums: parts of 1 MiB 'a', 1 MiB 'b' and "tail" combine to this CRC-64.
    constexpr std::uint64_t c1 = 6701094182323390671u, c2 = 4085814139916291200u, c3 = 1564134088860173973u;
    http_response resp = ok_xml(complete_body);
    resp.headers.push_back({"x-cos-hash-crc64ecma", "13745729108564155657"});
    resp.headers.push_back({"x-cos-version-id", "MTg0NDUxNTc0NDYyMjU2NjY5MzA"});
    auto r = coswire::parse_complete_multipart_upload_response(resp);
    REQUIRE(r);
    CHECK(r->location == "http://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject");
    CHECK(r->bucket == "examplebucket-1250000000");
    CHECK(r->key == "exampleobject");
    CHECK(r->etag_raw == "\"aa259a62513358f69e98e72e59856d88-3\"");
    CHECK(r->etag == "aa259a62513358f69e98e72e59856d88-3");
    CHECK(r->version_id == "MTg0NDUxNTc0NDYyMjU2NjY5MzA");
    REQUIRE(r->crc64);
    CHECK(*r->crc64 == coswire::crc64_combine(coswire::crc64_combine(c1, c2, 1048576), c3, 4));
}

TEST_CASE("parse_complete_multipart_upload_response: failures reported inside a 200 and elsewhere") {
    SUBCASE("200, keep-alive spaces, then <Error>") {
        auto e = coswire::parse_complete_multipart_upload_response(
            ok_xml("   \n   \n<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>InvalidPart</Code>\n"
                   "\t<Message>One or more of the specified parts could not be found.</Message>\n</Error>"));
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::service_error);
        CHECK(coswire::is_cos_error(e.error(), coswire::cos_errc::invalid_part));
    }
    SUBCASE("200 without ETag") {
        check_malformed(coswire::parse_complete_multipart_upload_response(
                            ok_xml("<CompleteMultipartUploadResult><Key>k</Key></CompleteMultipartUploadResult>")),
                        "ETag");
    }
    SUBCASE("200 with only whitespace (the connection closed while merging)") {
        check_malformed(coswire::parse_complete_multipart_upload_response(ok_xml("      \n      ")), "document");
    }
    SUBCASE("a retried Complete answering 404 NoSuchUpload") {
        auto e = coswire::parse_complete_multipart_upload_response(no_such_upload());
        REQUIRE_FALSE(e);
        CHECK(coswire::is_cos_error(e.error(), coswire::cos_errc::no_such_upload));
    }
    SUBCASE("400 EntityTooSmall") {
        auto e = coswire::parse_complete_multipart_upload_response(
            http_response{400, {}, "<Error><Code>EntityTooSmall</Code></Error>"});
        REQUIRE_FALSE(e);
        CHECK(coswire::is_cos_error(e.error(), coswire::cos_errc::entity_too_small));
    }
}

TEST_CASE("parse_abort_multipart_upload_response: 204 and 200 succeed; NoSuchUpload is recognisable") {
    const http_response done{204, {{"Content-Length", "0"}, {"x-cos-request-id", "NTg3ZjI5MzlfOTgxZjRlXzZhYjNf"}}, ""};
    auto r = coswire::parse_abort_multipart_upload_response(done);
    REQUIRE(r);
    CHECK(r->request_id == "NTg3ZjI5MzlfOTgxZjRlXzZhYjNf");
    CHECK(coswire::parse_abort_multipart_upload_response(http_response{200, {}, ""}));

    auto e = coswire::parse_abort_multipart_upload_response(no_such_upload());
    REQUIRE_FALSE(e);
    CHECK(e.error().code == errc::service_error);
    CHECK(coswire::is_cos_error(e.error(), coswire::cos_errc::no_such_upload));
    CHECK(e.error().service->http_status == 404);
    CHECK(e.error().service->request_id == "NWU3YjJkNWVfZDFjODJhMDlfMTk2ODJfMmEyNTA0****");

    auto forbidden = coswire::parse_abort_multipart_upload_response(http_response{403, {}, ""});
    REQUIRE_FALSE(forbidden);
    CHECK_FALSE(coswire::is_cos_error(forbidden.error(), coswire::cos_errc::no_such_upload));
}

TEST_CASE("parse_list_parts_response: reads the documented example and decodes the url-encoded Key") {
    auto r = coswire::parse_list_parts_response(ok_xml(list_parts_body));
    REQUIRE(r);
    CHECK(r->bucket == "examplebucket-1250000000");
    CHECK(r->encoding_type == "url");
    CHECK(r->key == "doc/大文件.bin");
    CHECK(r->upload_id == uid);
    CHECK(r->owner.id == "1250000000");
    CHECK(r->initiator.id == "qcs::cam::uin/100000000001:uin/100000000011");
    CHECK(r->initiator.display_name == "100000000011");
    CHECK(r->part_number_marker == 0);
    CHECK(r->next_part_number_marker == 2u);
    CHECK(r->storage_class == "Standard");
    CHECK(r->max_parts == 2u);
    CHECK(r->is_truncated);
    REQUIRE(r->parts.size() == 2);
    CHECK(r->parts[0].part_number == 1);
    CHECK(r->parts[0].last_modified == 1585130834);
    CHECK(r->parts[0].etag == "39270a968a357d24207e9911162507eb");
    CHECK(r->parts[0].etag_raw == "\"39270a968a357d24207e9911162507eb\"");
    CHECK(r->parts[0].size == 1048576);
    CHECK(r->parts[1].part_number == 2);
    CHECK(r->parts[1].last_modified == 1585130833);
    CHECK(r->parts[1].etag == "d899fbd1e06109ea2e4550f5751c88d6");
}

TEST_CASE("parse_list_parts_response: the spellings and orders the documentation shows") {
    SUBCASE("Encoding-type and Encoding-Type") {
        for (std::string_view spelling : {"Encoding-type", "Encoding-Type", "encodingtype"}) {
            CAPTURE(spelling);
            std::string body = replace(list_parts_body, "<EncodingType>url</EncodingType>",
                                       "<" + std::string(spelling) + ">url</" + std::string(spelling) + ">");
            auto r = coswire::parse_list_parts_response(ok_xml(body));
            REQUIRE(r);
            CHECK(r->key == "doc/大文件.bin");
        }
    }
    SUBCASE("the announcement after the Key it applies to, IsTruncated in capitals") {
        std::string body = replace(list_parts_body, "\t<EncodingType>url</EncodingType>\n", "");
        body = replace(body, "</ListPartsResult>", "<EncodingType>url</EncodingType></ListPartsResult>");
        body = replace(body, "<IsTruncated>true</IsTruncated>", "<IsTruncated>TRUE</IsTruncated>");
        auto r = coswire::parse_list_parts_response(ok_xml(body));
        REQUIRE(r);
        CHECK(r->key == "doc/大文件.bin");
        CHECK(r->is_truncated);
    }
    SUBCASE("without the announcement the Key is kept as sent, decoded exactly once otherwise") {
        auto raw = coswire::parse_list_parts_response(
            ok_xml("<ListPartsResult><Key>a%2541+b</Key><IsTruncated>false</IsTruncated></ListPartsResult>"));
        REQUIRE(raw);
        CHECK(raw->key == "a%2541+b");
        CHECK(raw->parts.empty());
        CHECK_FALSE(raw->next_part_number_marker);
        auto once = coswire::parse_list_parts_response(ok_xml(
            "<ListPartsResult><EncodingType>url</EncodingType><Key>a%2541+b</Key><IsTruncated>false</IsTruncated></ListPartsResult>"));
        REQUIRE(once);
        CHECK(once->key == "a%41+b");
    }
}

TEST_CASE("parse_list_parts_response: bad or missing values are malformed and name their element") {
    struct bad {
        std::string_view from, to, element;
    };
    const bad cases[] = {
        {"<PartNumber>1</PartNumber>", "<PartNumber>0</PartNumber>", "PartNumber"},
        {"<PartNumber>1</PartNumber>", "<PartNumber>10001</PartNumber>", "PartNumber"},
        {"<PartNumber>1</PartNumber>", "<PartNumber>+1</PartNumber>", "PartNumber"},
        {"<PartNumber>1</PartNumber>", "", "PartNumber"},
        {"<Size>1048576</Size>", "<Size>-1</Size>", "Size"},
        {"<Size>1048576</Size>", "<Size>18446744073709551616</Size>", "Size"},
        {"<Size>1048576</Size>", "", "Size"},
        {"<ETag>&quot;39270a968a357d24207e9911162507eb&quot;</ETag>", "", "ETag"},
        {"2020-03-25T10:07:14.000Z", "2020-03-25 10:07:14", "LastModified"},
        {"<IsTruncated>true</IsTruncated>", "<IsTruncated>yes</IsTruncated>", "IsTruncated"},
        {"<IsTruncated>true</IsTruncated>", "", "IsTruncated"},
        {"<PartNumberMarker>0</PartNumberMarker>", "<PartNumberMarker>x</PartNumberMarker>", "PartNumberMarker"},
        {"<NextPartNumberMarker>2</NextPartNumberMarker>", "<NextPartNumberMarker>99999</NextPartNumberMarker>",
         "NextPartNumberMarker"},
        {"<MaxParts>2</MaxParts>", "<MaxParts>two</MaxParts>", "MaxParts"},
        {"doc/%E5%A4%A7", "doc/%G5%A4%A7", "Key"},
        // Truncated, but NextPartNumberMarker does not move past PartNumberMarker.
        {"<PartNumberMarker>0</PartNumberMarker>", "<PartNumberMarker>2</PartNumberMarker>", "NextPartNumberMarker"},
        {"<ListPartsResult>", "<ListPartResult>", "document"},
    };
    for (const bad& c : cases) {
        CAPTURE(c.to);
        std::string body = replace(list_parts_body, c.from, c.to);
        if (c.element == "document") body = replace(body, "</ListPartsResult>", "</ListPartResult>");
        check_malformed(coswire::parse_list_parts_response(ok_xml(body)), c.element);
    }
}

TEST_CASE("List Parts: 10000 parts, 900 per page, are listed in 12 pages by the builder, parser and next step") {
    constexpr std::uint32_t total = 10000, page_size = 900;
    // A fake COS answering from the request's query; some pages omit NextPartNumberMarker,
    // which makes the next step continue from the last part listed.
    const auto serve = [&](const coswire::http_request& req) {
        std::uint32_t marker = 0, max = 1000;
        for (const auto& q : req.query) {
            if (q.name == "part-number-marker") marker = static_cast<std::uint32_t>(std::stoul(*q.value));
            if (q.name == "max-parts") max = static_cast<std::uint32_t>(std::stoul(*q.value));
        }
        const std::uint32_t last = std::min(total, marker + max);
        const bool truncated = last < total;
        std::string body = "<ListPartsResult><Bucket>examplebucket-1250000000</Bucket><Key>big.bin</Key>";
        body += "<PartNumberMarker>" + std::to_string(marker) + "</PartNumberMarker><MaxParts>" + std::to_string(max) +
                "</MaxParts><IsTruncated>" + (truncated ? "true" : "false") + "</IsTruncated>";
        for (std::uint32_t n = marker + 1; n <= last; ++n)
            body += "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><LastModified>2020-03-25T10:07:14.000Z</LastModified>"
                    "<ETag>&quot;" + std::string(32, "0123456789abcdef"[n % 16]) + "&quot;</ETag><Size>1048576</Size></Part>";
        if (truncated && (marker / max) % 3 != 1) body += "<NextPartNumberMarker>" + std::to_string(last) + "</NextPartNumberMarker>";
        body += "</ListPartsResult>";
        return ok_xml(std::move(body));
    };
    auto ep = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing");
    REQUIRE(ep);
    coswire::list_parts_params params;
    params.key = "big.bin";
    params.upload_id = std::string(uid);
    params.max_parts = page_size;
    std::vector<std::string> targets;
    std::vector<coswire::listed_part> parts;
    std::optional<coswire::list_parts_params> next = params;
    while (next) {
        REQUIRE(targets.size() < 20);  // no endless loop
        auto req = coswire::make_list_parts_request(*ep, *next);
        REQUIRE(req);
        targets.push_back(req->target());
        auto page = coswire::parse_list_parts_response(serve(*req));
        REQUIRE(page);
        parts.insert(parts.end(), page->parts.begin(), page->parts.end());
        next = coswire::next_list_parts_params(*next, *page);
    }
    CHECK(targets.size() == 12);
    CHECK(targets[0] == "/big.bin?uploadId=" + std::string(uid) + "&max-parts=900&encoding-type=url");
    CHECK(targets[1] == "/big.bin?uploadId=" + std::string(uid) + "&max-parts=900&part-number-marker=900&encoding-type=url");
    CHECK(targets[11] == "/big.bin?uploadId=" + std::string(uid) + "&max-parts=900&part-number-marker=9900&encoding-type=url");
    REQUIRE(parts.size() == total);
    for (std::uint32_t i = 0; i < total; ++i) CHECK(parts[i].part_number == i + 1);
}

TEST_CASE("next_list_parts_params: stops when not truncated and refuses to stand still") {
    coswire::list_parts_params params;
    params.key = "k";
    params.upload_id = "u";
    params.part_number_marker = 5;
    coswire::list_parts_result page;
    CHECK_FALSE(coswire::next_list_parts_params(params, page));
    page.is_truncated = true;
    CHECK_FALSE(coswire::next_list_parts_params(params, page));  // nowhere to continue from
    page.next_part_number_marker = 5;
    CHECK_FALSE(coswire::next_list_parts_params(params, page));  // would repeat the page
    page.next_part_number_marker = 6;
    auto next = coswire::next_list_parts_params(params, page);
    REQUIRE(next);
    CHECK(next->part_number_marker == 6u);
    CHECK(next->key == "k");
    CHECK(next->upload_id == "u");
}

TEST_CASE("parse_list_multipart_uploads_response: reads the documented example, decoding the url-encoded fields") {
    auto r = coswire::parse_list_multipart_uploads_response(ok_xml(list_uploads_body));
    REQUIRE(r);
    CHECK(r->bucket == "examplebucket-1250000000");
    CHECK(r->encoding_type == "url");
    CHECK(r->key_marker.empty());
    CHECK(r->upload_id_marker.empty());
    CHECK(r->next_key_marker == "doc/a b.bin");
    CHECK(r->next_upload_id_marker == uid);
    CHECK(r->max_uploads == 1u);
    CHECK(r->is_truncated);
    CHECK(r->prefix == "doc/");
    CHECK(r->delimiter == "/");
    REQUIRE(r->uploads.size() == 1);
    const auto& u = r->uploads[0];
    CHECK(u.key == "doc/a b.bin");
    CHECK(u.upload_id == uid);
    CHECK(u.storage_class == "STANDARD");
    CHECK(u.initiator.id == "qcs::cam::uin/100000000001:uin/100000000001");
    CHECK(u.owner.display_name == "100000000001");
    CHECK(u.initiated == 1585130821);
    REQUIRE(r->common_prefixes.size() == 1);
    CHECK(r->common_prefixes[0] == "doc/sub/");

    SUBCASE("the next page starts after NextKeyMarker / NextUploadIdMarker, sent encoded") {
        coswire::list_multipart_uploads_params params;
        params.prefix = "doc/";
        params.delimiter = "/";
        params.max_uploads = 1;
        auto next = coswire::next_list_multipart_uploads_params(params, *r);
        REQUIRE(next);
        CHECK(next->key_marker == "doc/a b.bin");
        CHECK(next->upload_id_marker == std::string(uid));
        auto ep = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing");
        REQUIRE(ep);
        auto req = coswire::make_list_multipart_uploads_request(*ep, *next);
        REQUIRE(req);
        CHECK(req->target() == "/?uploads&prefix=doc%2F&delimiter=%2F&key-marker=doc%2Fa%20b.bin&upload-id-marker=" +
                                   std::string(uid) + "&max-uploads=1&encoding-type=url");
    }
}

TEST_CASE("parse_list_multipart_uploads_response: old asctime Initiated, no encoding, every field encoded") {
    SUBCASE("the doc's old Initiated form") {
        auto r = coswire::parse_list_multipart_uploads_response(
            ok_xml(replace(list_uploads_body, "2020-03-25T10:07:01.000Z", "Wed Jan 18 16:04:17 2017")));
        REQUIRE(r);
        CHECK(r->uploads[0].initiated == 1484755457);
    }
    SUBCASE("without encoding nothing is decoded") {
        auto r = coswire::parse_list_multipart_uploads_response(
            ok_xml(replace(list_uploads_body, "<Encoding-Type>url</Encoding-Type>", "")));
        REQUIRE(r);
        CHECK(r->uploads[0].key == "doc/a%20b.bin");
        CHECK(r->next_key_marker == "doc/a%20b.bin");
    }
    SUBCASE("markers, prefixes and keys are decoded; the delimiter is not") {
        auto r = coswire::parse_list_multipart_uploads_response(ok_xml(
            "<ListMultipartUploadsResult><EncodingType>URL</EncodingType><KeyMarker>a%2Bb</KeyMarker>"
            "<UploadIdMarker>u%31</UploadIdMarker><NextKeyMarker>c%20d</NextKeyMarker><NextUploadIdMarker>u%32</NextUploadIdMarker>"
            "<Prefix>%E7%85%A7</Prefix><Delimiter>%2F</Delimiter><IsTruncated>True</IsTruncated>"
            "<CommonPrefixes><Prefix>%E7%85%A7/x%20/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>%E7%85%A7/y/</Prefix></CommonPrefixes>"
            "</ListMultipartUploadsResult>"));
        REQUIRE(r);
        CHECK(r->key_marker == "a+b");
        CHECK(r->upload_id_marker == "u1");
        CHECK(r->next_key_marker == "c d");
        CHECK(r->next_upload_id_marker == "u2");
        CHECK(r->prefix == "照");
        CHECK(r->delimiter == "%2F");
        CHECK(r->common_prefixes == std::vector<std::string>{"照/x /", "照/y/"});
        CHECK(r->uploads.empty());
    }
}

TEST_CASE("parse_list_multipart_uploads_response: bad or missing values are malformed and name their element") {
    struct bad {
        std::string_view from, to, element;
    };
    const bad cases[] = {
        {"<IsTruncated>true</IsTruncated>", "", "IsTruncated"},
        {"<IsTruncated>true</IsTruncated>", "<IsTruncated>1</IsTruncated>", "IsTruncated"},
        {"<MaxUploads>1</MaxUploads>", "<MaxUploads>-1</MaxUploads>", "MaxUploads"},
        {"2020-03-25T10:07:01.000Z", "2020-03-25T10:07:01+08:00", "Initiated"},
        {"\t\t<Key>doc/a%20b.bin</Key>\n", "", "Key"},
        {"\t\t<UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>\n", "", "UploadId"},
        {"<NextKeyMarker>doc/a%20b.bin</NextKeyMarker>", "<NextKeyMarker>doc/a%2</NextKeyMarker>", "NextKeyMarker"},
        {"<Prefix>doc/</Prefix>", "<Prefix>doc%</Prefix>", "Prefix"},
        {"<Prefix>doc/sub/</Prefix>", "<Prefix>doc/sub%zz</Prefix>", "Prefix"},
        {"<KeyMarker/>", "<KeyMarker>%</KeyMarker>", "KeyMarker"},
        {"<UploadIdMarker/>", "<UploadIdMarker>%4</UploadIdMarker>", "UploadIdMarker"},
        // Truncated, yet the next markers equal the current ones.
        {"<KeyMarker/>", "<KeyMarker>doc/a%20b.bin</KeyMarker>", "NextKeyMarker"},
    };
    for (const bad& c : cases) {
        CAPTURE(c.to);
        std::string body = replace(list_uploads_body, c.from, c.to);
        if (c.element == "NextKeyMarker" && c.from == "<KeyMarker/>")
            body = replace(body, "<UploadIdMarker/>",
                           "<UploadIdMarker>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadIdMarker>");
        check_malformed(coswire::parse_list_multipart_uploads_response(ok_xml(body)), c.element);
    }
}

TEST_CASE("next_list_multipart_uploads_params: a paging sequence through keys and upload ids") {
    coswire::list_multipart_uploads_params params;
    params.max_uploads = 2;
    coswire::list_multipart_uploads_result page;
    CHECK_FALSE(coswire::next_list_multipart_uploads_params(params, page));

    page.is_truncated = true;
    page.next_key_marker = "a";
    page.next_upload_id_marker = "u2";
    auto second = coswire::next_list_multipart_uploads_params(params, page);
    REQUIRE(second);
    CHECK(second->key_marker == "a");
    CHECK(second->upload_id_marker == "u2");
    CHECK(second->max_uploads == 2u);

    // Same key, another upload id: still progress.
    page.next_upload_id_marker = "u4";
    auto third = coswire::next_list_multipart_uploads_params(*second, page);
    REQUIRE(third);
    CHECK(third->upload_id_marker == "u4");
    // The same pair again: refused.
    CHECK_FALSE(coswire::next_list_multipart_uploads_params(*third, page));

    // Without NextKeyMarker, the later of the last upload and the last common prefix.
    page.next_key_marker.clear();
    page.next_upload_id_marker.clear();
    page.uploads = {{"b", "u9", "", {}, {}, std::nullopt}};
    page.common_prefixes = {"c/"};
    auto fourth = coswire::next_list_multipart_uploads_params(*third, page);
    REQUIRE(fourth);
    CHECK(fourth->key_marker == "c/");
    CHECK_FALSE(fourth->upload_id_marker);
}

TEST_CASE("multipart parsers: every prefix of each documented body gives an error or a value, never a crash") {
    const std::pair<std::string_view, const std::string*> bodies[] = {
        {"initiate", &initiate_body},   {"copy part", &copy_part_body},       {"complete", &complete_body},
        {"list parts", &list_parts_body}, {"list uploads", &list_uploads_body},
    };
    for (const auto& entry : bodies) {
        const std::string_view name = entry.first;  // not a structured binding: CAPTURE captures it in a lambda
        const std::string* body = entry.second;
        CAPTURE(name);
        // Cut before the root's end tag, a body must be an error; the whole body must parse.
        const std::size_t root_end = body->rfind("</");
        for (std::size_t n = 0; n <= body->size(); ++n) {
            CAPTURE(n);
            const http_response resp = ok_xml(body->substr(0, n));
            const bool ok = name == "initiate"       ? coswire::parse_initiate_multipart_upload_response(resp).has_value()
                            : name == "copy part"    ? coswire::parse_upload_part_copy_response(resp).has_value()
                            : name == "complete"     ? coswire::parse_complete_multipart_upload_response(resp).has_value()
                            : name == "list parts"   ? coswire::parse_list_parts_response(resp).has_value()
                                                     : coswire::parse_list_multipart_uploads_response(resp).has_value();
            if (n < root_end) CHECK_FALSE(ok);
            if (n == body->size()) CHECK(ok);
        }
    }
}

TEST_CASE("multipart parsers: randomly corrupted bodies give an error or a value, never a crash") {
    std::mt19937_64 rng(20240611);
    const std::string* bodies[] = {&initiate_body, &copy_part_body, &complete_body, &list_parts_body, &list_uploads_body};
    using namespace std::string_view_literals;
    constexpr std::string_view alphabet = "<>/&;%\"' \n\0\x80\xFF" "aZ09"sv;  // NUL included
    std::size_t parsed = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string body = *bodies[static_cast<std::size_t>(round) % std::size(bodies)];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = static_cast<std::size_t>(rng() % body.size());
            switch (rng() % 3) {
                case 0: body[at] = alphabet[static_cast<std::size_t>(rng() % alphabet.size())]; break;
                case 1: body.erase(at, 1 + static_cast<std::size_t>(rng() % 8)); break;
                default: body.insert(at, 1, alphabet[static_cast<std::size_t>(rng() % alphabet.size())]); break;
            }
            if (body.empty()) body = "<";
        }
        const http_response resp = ok_xml(body);
        parsed += coswire::parse_initiate_multipart_upload_response(resp).has_value();
        parsed += coswire::parse_upload_part_copy_response(resp).has_value();
        parsed += coswire::parse_complete_multipart_upload_response(resp).has_value();
        parsed += coswire::parse_list_parts_response(resp).has_value();
        parsed += coswire::parse_list_multipart_uploads_response(resp).has_value();
    }
    // Some corruptions (inside text) leave a parsable body, most do not; both paths ran.
    CHECK(parsed > 0);
    CHECK(parsed < 3000);
}

TEST_CASE("multipart parsers: an error status becomes the COS error for every operation") {
    const http_response denied{403,
                               {{"x-cos-request-id", "req-1"}},
                               "<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>AccessDenied</Code>"
                               "<Message>Access Denied.</Message></Error>"};
    const auto check = [](const auto& r) {
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::service_error);
        CHECK(coswire::is_cos_error(r.error(), coswire::cos_errc::access_denied));
        CHECK(r.error().service->request_id == "req-1");
    };
    check(coswire::parse_initiate_multipart_upload_response(denied));
    check(coswire::parse_upload_part_response(denied));
    check(coswire::parse_upload_part_copy_response(denied));
    check(coswire::parse_complete_multipart_upload_response(denied));
    check(coswire::parse_abort_multipart_upload_response(denied));
    check(coswire::parse_list_parts_response(denied));
    check(coswire::parse_list_multipart_uploads_response(denied));
}

TEST_CASE("multipart parsers: a 2xx whose body is <Error> is the COS error for Initiate, Upload Part and Abort") {
    const std::string hidden = " \n<?xml version='1.0'?><Error><Code>SlowDown</Code><Message>later</Message></Error>";
    const auto check = [&](auto parsed) {
        REQUIRE_FALSE(parsed);
        REQUIRE(parsed.error().service);
        CHECK(parsed.error().service->code == "SlowDown");
    };
    check(coswire::parse_initiate_multipart_upload_response({200, {}, hidden}));
    check(coswire::parse_upload_part_response({200, {{"ETag", "\"e\""}}, hidden}));
    check(coswire::parse_abort_multipart_upload_response({204, {}, hidden}));
    check(coswire::parse_abort_multipart_upload_response({200, {}, hidden}));
}

TEST_CASE("etag_part_count: N of \"<32 hex>-<N>\", nothing for other forms") {
    CHECK(coswire::etag_part_count("aa259a62513358f69e98e72e59856d88-3") == 3u);
    CHECK(coswire::etag_part_count("\"aa259a62513358f69e98e72e59856d88-10000\"") == 10000u);
    CHECK(coswire::etag_part_count("AA259A62513358F69E98E72E59856D88-1") == 1u);
    for (std::string_view other : {"aa259a62513358f69e98e72e59856d88", "aa259a62513358f69e98e72e59856d88-", "aa259a6251-3",
                                   "aa259a62513358f69e98e72e59856d8g-3", "aa259a62513358f69e98e72e59856d88-3x",
                                   "aa259a62513358f69e98e72e59856d88-123456", "", "-"})
        CHECK_FALSE(coswire::etag_part_count(other));
    static_assert(coswire::etag_part_count("0123456789abcdef0123456789abcdef-7") == 7u);
}

TEST_CASE("parse_list_multipart_uploads_response: the Date header is kept as the server's clock") {
    const std::string body = "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>";
    auto dated = coswire::parse_list_multipart_uploads_response({200, {{"Date", "Thu, 16 May 2019 06:45:51 GMT"}}, body});
    REQUIRE(dated);
    CHECK(dated->date == 1557989151);
    CHECK_FALSE(coswire::parse_list_multipart_uploads_response({200, {{"Date", "soon"}}, body})->date);
    CHECK(coswire::parse_list_multipart_uploads_response({200, {{"Date", "a"}, {"Date", "b"}}, body}).error().argument == "Date");
}
