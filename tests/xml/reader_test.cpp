// SPDX-License-Identifier: MIT
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <coswire/detail/ascii.hpp>

#include "../support/documents.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using coswire::errc;
using coswire::result;
using coswire::xml::event;
using coswire::xml::event_kind;
using coswire::xml::limits;
using coswire::xml::reader;

namespace {

// COS bodies in the shapes Tencent's operation pages print (each page is cited in docs/protocol/), tab-indented.

// The error shape (docs/protocol/errors.md#error-document).
constexpr std::string_view error_body = R"xml(<?xml version='1.0' encoding='utf-8' ?>
<Error>
	<Code>NoSuchUpload</Code>
	<Message>The specified upload does not exist.</Message>
	<Resource>examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject</Resource>
	<RequestId>NWU3YjJkNWVfZDFjODJhMDlfMTk2ODJfMmEyNTA0****</RequestId>
	<TraceId>OGVmYzZiMmQzYjA2OWNhODk0NTRkMTBiOWVmMDAxODc0OWRkZjk0ZDM1NmI1M2E2MTRlY2MzZDhmNmI5MWI1OTdjMDczODYwZjM5YTU3ZmZmOWI5MmY4NjkxY2I3MGNiNjkyOWZiNzUxZjg5MGY2OWU4NmI0YWMwNTlhNTExYWU=</TraceId>
</Error>
)xml";

// SignatureDoesNotMatch, with multi-line canonical strings and CJK text (docs/protocol/signing.md#what-the-server-does).
constexpr std::string_view signature_error_body = R"xml(<?xml version='1.0' encoding='utf-8' ?>
<Error>
	<Code>SignatureDoesNotMatch</Code>
	<Message>The Signature you specified is invalid.</Message>
	<StringToSign>sha1
1615113257;1615199657
c7503b92a8581b3f3f68c8f7f64a8917b03a1a95
</StringToSign>
	<FormatString>put
/imagesresume-zh en_页面_1.png

host=o2-1258123310.cos.ap-beijing.myqcloud.com
</FormatString>
	<Resource>o2-00000000.cos.ap-beijing.myqcloud.com/imagesresume-zh+en_页面_1.png</Resource>
	<RequestId>…</RequestId>
	<TraceId>…</TraceId>
</Error>
)xml";

// Initiate: no prolog, and two leading blank lines (docs/protocol/xml.md#leading-whitespace-and-prolog).
constexpr std::string_view initiate_body = R"xml(

<InitiateMultipartUploadResult>
	<Bucket>examplebucket-1250000000</Bucket>
	<Key>exampleobject</Key>
	<UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>
</InitiateMultipartUploadResult>
)xml";

// Upload Part - Copy: the ETag keeps raw quotes (docs/protocol/multipart.md#upload-part-copy).
constexpr std::string_view copy_part_body = R"xml(<?xml version="1.0" encoding="UTF-8" ?>
<CopyPartResult>
	<ETag>"ba82b57cfdfda8bd17ad4e5879ebb4fe"</ETag>
	<LastModified>2020-12-09T08:21:38.000Z</LastModified>
</CopyPartResult>
)xml";

// The Complete request body (docs/protocol/multipart.md#complete-multipart-upload).
constexpr std::string_view complete_request_body = R"xml(<CompleteMultipartUpload>
	<Part>
		<PartNumber>1</PartNumber>
		<ETag>"39270a968a357d24207e9911162507eb"</ETag>
	</Part>
	<Part>
		<PartNumber>2</PartNumber>
		<ETag>"d899fbd1e06109ea2e4550f5751c88d6"</ETag>
	</Part>
</CompleteMultipartUpload>
)xml";

// The Complete answer: keep-alive whitespace streamed first, a default namespace, a &quot; ETag.
constexpr std::string_view complete_result_body = R"xml(   

  
<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult xmlns="http://www.qcloud.com/document/product/436/7751">
	<Location>http://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject</Location>
	<Bucket>examplebucket-1250000000</Bucket>
	<Key>exampleobject</Key>
	<ETag>&quot;aa259a62513358f69e98e72e59856d88-3&quot;</ETag>
</CompleteMultipartUploadResult>
)xml";

// List Parts (docs/protocol/multipart.md#list-parts).
constexpr std::string_view list_parts_body = R"xml(<?xml version="1.0" encoding="UTF-8" ?>
<ListPartsResult>
	<Bucket>examplebucket-1250000000</Bucket>
	<EncodingType>url</EncodingType>
	<Key>doc/%E5%A4%A7%E6%96%87%E4%BB%B6.bin</Key>
	<UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>
	<Owner>
		<ID>1250000000</ID>
		<DisplayName>1250000000</DisplayName>
	</Owner>
	<PartNumberMarker>0</PartNumberMarker>
	<Initiator>
		<ID>qcs::cam::uin/100000000001:uin/100000000011</ID>
		<DisplayName>100000000011</DisplayName>
	</Initiator>
	<Part>
		<PartNumber>1</PartNumber>
		<LastModified>2020-03-25T10:07:14.000Z</LastModified>
		<ETag>&quot;39270a968a357d24207e9911162507eb&quot;</ETag>
		<Size>1048576</Size>
	</Part>
	<Part>
		<PartNumber>2</PartNumber>
		<LastModified>2020-03-25T10:07:13.000Z</LastModified>
		<ETag>&quot;d899fbd1e06109ea2e4550f5751c88d6&quot;</ETag>
		<Size>1048576</Size>
	</Part>
	<NextPartNumberMarker>2</NextPartNumberMarker>
	<StorageClass>Standard</StorageClass>
	<MaxParts>2</MaxParts>
	<IsTruncated>true</IsTruncated>
</ListPartsResult>
)xml";

// List Multipart Uploads: self-closed empty markers (docs/protocol/multipart.md#list-multipart-uploads).
constexpr std::string_view list_uploads_body = R"xml(<ListMultipartUploadsResult>
	<Bucket>examplebucket-1250000000</Bucket>
	<Encoding-Type>url</Encoding-Type>
	<KeyMarker/>
	<UploadIdMarker/>
	<NextKeyMarker>doc/a%20b.bin</NextKeyMarker>
	<NextUploadIdMarker>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</NextUploadIdMarker>
	<MaxUploads>1</MaxUploads>
	<IsTruncated>true</IsTruncated>
	<Prefix>doc/</Prefix>
	<Delimiter>/</Delimiter>
	<Upload>
		<Key>doc/a%20b.bin</Key>
		<UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>
		<StorageClass>STANDARD</StorageClass>
		<Initiator>
			<ID>qcs::cam::uin/100000000001:uin/100000000001</ID>
			<DisplayName>100000000001</DisplayName>
		</Initiator>
		<Owner>
			<ID>qcs::cam::uin/100000000001:uin/100000000001</ID>
			<DisplayName>100000000001</DisplayName>
		</Owner>
		<Initiated>2020-03-25T10:07:01.000Z</Initiated>
	</Upload>
	<CommonPrefixes>
		<Prefix>doc/sub/</Prefix>
	</CommonPrefixes>
</ListMultipartUploadsResult>
)xml";


// Every construct the reader knows, in one document.
constexpr std::string_view features_body =
    "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<!-- before the root --><?app some data?>\n"
    "<cos:Root xmlns:cos=\"urn:x\" a='1 &amp; &#x32;' b = \"q'&quot;\">"
    "<A>x &lt;&gt;&amp;&quot;&apos; &#x41;&#66;&#x4E2D;&#128512;</A>"
    "<B><![CDATA[<raw> & ]]]]><![CDATA[>]]></B>"
    "<C>a<!-- c -->b<?pi?>c</C>"
    "<D\t/><E></E ><cos:F>f</cos:F>"
    "<G>line1\r\nline2\rline3</G>"
    "</cos:Root>\n";

constexpr std::array<std::string_view, 11> corpus{
    error_body,          signature_error_body, initiate_body,     copy_part_body,
    complete_request_body, complete_result_body, list_parts_body, list_uploads_body,
    test_support::list_objects_page,   features_body,        "<a/>",
};

// Events as one line: "<Name>" and "</Name>" for elements, the text itself for text events
// that are not whitespace-only, "error: <describe>" on an error.
std::string trace(std::string_view doc, limits lim = {}) {
    reader r(doc, lim);
    std::string out;
    for (;;) {
        const result<event> ev = r.next();
        if (!ev) return out + "error: " + coswire::describe(ev.error());
        if (ev->kind == event_kind::end_document) return out;
        if (ev->kind == event_kind::text && ev->text.find_first_not_of(" \t\r\n") == std::string_view::npos) continue;
        if (!out.empty()) out += '|';
        if (ev->kind == event_kind::start_element) out += "<" + std::string(ev->name) + ">";
        else if (ev->kind == event_kind::end_element) out += "</" + std::string(ev->name) + ">";
        else out += std::string(ev->text);
    }
}

// Pulls every event; the number of events, or the first error. Each event but the end of a
// self-closed element consumes input, so more than 2 * size + 1 of them means a loop.
result<std::size_t> drain(std::string_view doc, limits lim = {}) {
    reader r(doc, lim);
    for (std::size_t count = 1; count <= 2 * doc.size() + 2; ++count) {
        const result<event> ev = r.next();
        if (!ev) return ev.error();
        if (ev->kind == event_kind::end_document) return count;
    }
    return coswire::make_error(errc::invalid_argument, "doc", "the reader does not reach the end");
}

// The end of the root element's end tag: the last '>', as no corpus document ends in a comment.
std::size_t root_end(std::string_view doc) { return doc.rfind('>') + 1; }

// Reads the text of the element r just started into field (what a response parser does).
result<void> assign_text(reader& r, std::string& field) {
    const result<std::string_view> t = r.read_text();
    if (!t) return t.error();
    field.assign(*t);
    return {};
}

struct error_fields {
    std::string code, message, resource, request_id, trace_id, string_to_sign, format_string;
};

result<error_fields> parse_error(std::string_view body) {
    reader r(body);
    error_fields out;
    const result<void> ok = coswire::xml::read_document(r, [&](std::string_view root, reader& rd) -> result<void> {
        if (root != "Error") return coswire::make_error(errc::malformed_response, "body", "not an Error");
        return coswire::xml::for_each_child(rd, [&](std::string_view name, reader& child) -> result<void> {
            if (name == "Code") return assign_text(child, out.code);
            if (name == "Message") return assign_text(child, out.message);
            if (name == "Resource") return assign_text(child, out.resource);
            if (name == "RequestId") return assign_text(child, out.request_id);
            if (name == "TraceId") return assign_text(child, out.trace_id);
            if (name == "StringToSign") return assign_text(child, out.string_to_sign);
            if (name == "FormatString") return assign_text(child, out.format_string);
            return {};
        });
    });
    if (!ok) return ok.error();
    return out;
}

void check_malformed(std::string_view doc, std::size_t offset, std::string_view words) {
    CAPTURE(doc);
    const result<std::size_t> r = drain(doc);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::malformed_response);
    CHECK(r.error().argument == "document");
    CHECK(r.error().size == offset);
    CHECK(r.error().reason.find(words) != std::string::npos);
    CHECK(r.error().reason.ends_with(" at offset " + std::to_string(offset)));
}

}  // namespace

TEST_CASE("reader: parses the documented NoSuchUpload error body into its elements and texts") {
    CHECK(trace(error_body) ==
          "<Error>|<Code>|NoSuchUpload|</Code>|<Message>|The specified upload does not exist.|</Message>|"
          "<Resource>|examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject|</Resource>|"
          "<RequestId>|NWU3YjJkNWVfZDFjODJhMDlfMTk2ODJfMmEyNTA0****|</RequestId>|"
          "<TraceId>|OGVmYzZiMmQzYjA2OWNhODk0NTRkMTBiOWVmMDAxODc0OWRkZjk0ZDM1NmI1M2E2MTRlY2MzZDhmNmI5MWI1OTdjMDcz"
          "ODYwZjM5YTU3ZmZmOWI5MmY4NjkxY2I3MGNiNjkyOWZiNzUxZjg5MGY2OWU4NmI0YWMwNTlhNTExYWU=|</TraceId>|</Error>");
    const result<error_fields> e = parse_error(error_body);
    REQUIRE(e.has_value());
    CHECK(e->code == "NoSuchUpload");
    CHECK(e->message == "The specified upload does not exist.");
    CHECK(e->request_id == "NWU3YjJkNWVfZDFjODJhMDlfMTk2ODJfMmEyNTA0****");
    CHECK(e->string_to_sign.empty());
}

TEST_CASE("reader: keeps the multi-line StringToSign and FormatString of SignatureDoesNotMatch byte for byte, CJK included") {
    const result<error_fields> e = parse_error(signature_error_body);
    REQUIRE(e.has_value());
    CHECK(e->code == "SignatureDoesNotMatch");
    CHECK(e->message == "The Signature you specified is invalid.");
    CHECK(e->string_to_sign == "sha1\n1615113257;1615199657\nc7503b92a8581b3f3f68c8f7f64a8917b03a1a95\n");
    CHECK(e->format_string == "put\n/imagesresume-zh en_页面_1.png\n\nhost=o2-1258123310.cos.ap-beijing.myqcloud.com\n");
    CHECK(e->resource == "o2-00000000.cos.ap-beijing.myqcloud.com/imagesresume-zh+en_页面_1.png");
    CHECK(e->request_id == "…");
    CHECK(e->trace_id == "…");
}

TEST_CASE("reader: reads the Initiate result after leading blank lines and without a prolog") {
    CHECK(trace(initiate_body) ==
          "<InitiateMultipartUploadResult>|<Bucket>|examplebucket-1250000000|</Bucket>|<Key>|exampleobject|</Key>|"
          "<UploadId>|1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361|</UploadId>|"
          "</InitiateMultipartUploadResult>");
}

TEST_CASE("reader: reads the CopyPartResult with its raw-quoted ETag") {
    CHECK(trace(copy_part_body) ==
          "<CopyPartResult>|<ETag>|\"ba82b57cfdfda8bd17ad4e5879ebb4fe\"|</ETag>|"
          "<LastModified>|2020-12-09T08:21:38.000Z|</LastModified>|</CopyPartResult>");
}

TEST_CASE("reader: reads the Complete request body") {
    CHECK(trace(complete_request_body) ==
          "<CompleteMultipartUpload>|<Part>|<PartNumber>|1|</PartNumber>|<ETag>|\"39270a968a357d24207e9911162507eb\"|</ETag>|</Part>|"
          "<Part>|<PartNumber>|2|</PartNumber>|<ETag>|\"d899fbd1e06109ea2e4550f5751c88d6\"|</ETag>|</Part>|"
          "</CompleteMultipartUpload>");
}

TEST_CASE("reader: reads the Complete result behind keep-alive whitespace, with a namespace and a &quot; ETag") {
    CHECK(trace(complete_result_body) ==
          "<CompleteMultipartUploadResult>|"
          "<Location>|http://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject|</Location>|"
          "<Bucket>|examplebucket-1250000000|</Bucket>|<Key>|exampleobject|</Key>|"
          "<ETag>|\"aa259a62513358f69e98e72e59856d88-3\"|</ETag>|</CompleteMultipartUploadResult>");
}

TEST_CASE("reader: parses the List Parts body with nested owners and repeated parts") {
    struct part {
        std::string number, etag, size;
    };
    std::vector<part> parts;
    std::string owner_id, initiator_name, truncated, next_marker, key;
    reader r(list_parts_body);
    const result<void> ok = coswire::xml::read_document(r, [&](std::string_view root, reader& rd) -> result<void> {
        CHECK(root == "ListPartsResult");
        return coswire::xml::for_each_child(rd, [&](std::string_view name, reader& c) -> result<void> {
            if (name == "Key") return assign_text(c, key);
            if (name == "IsTruncated") return assign_text(c, truncated);
            if (name == "NextPartNumberMarker") return assign_text(c, next_marker);
            if (name == "Owner")
                return coswire::xml::for_each_child(c, [&](std::string_view n, reader& o) -> result<void> {
                    return n == "ID" ? assign_text(o, owner_id) : result<void>{};
                });
            if (name == "Initiator")
                return coswire::xml::for_each_child(c, [&](std::string_view n, reader& o) -> result<void> {
                    return n == "DisplayName" ? assign_text(o, initiator_name) : result<void>{};
                });
            if (name == "Part") {
                part& p = parts.emplace_back();
                return coswire::xml::for_each_child(c, [&](std::string_view n, reader& f) -> result<void> {
                    if (n == "PartNumber") return assign_text(f, p.number);
                    if (n == "ETag") return assign_text(f, p.etag);
                    if (n == "Size") return assign_text(f, p.size);
                    return {};
                });
            }
            return {};
        });
    });
    REQUIRE(ok.has_value());
    CHECK(key == "doc/%E5%A4%A7%E6%96%87%E4%BB%B6.bin");
    CHECK(owner_id == "1250000000");
    CHECK(initiator_name == "100000000011");
    CHECK(truncated == "true");
    CHECK(next_marker == "2");
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].number == "1");
    CHECK(parts[0].etag == "\"39270a968a357d24207e9911162507eb\"");
    CHECK(parts[0].size == "1048576");
    CHECK(parts[1].number == "2");
    CHECK(parts[1].etag == "\"d899fbd1e06109ea2e4550f5751c88d6\"");
}

TEST_CASE("reader: reports List Multipart Uploads' self-closed <KeyMarker/> as a start and an end with empty text") {
    CHECK(trace(list_uploads_body) ==
          "<ListMultipartUploadsResult>|<Bucket>|examplebucket-1250000000|</Bucket>|<Encoding-Type>|url|</Encoding-Type>|"
          "<KeyMarker>|</KeyMarker>|<UploadIdMarker>|</UploadIdMarker>|<NextKeyMarker>|doc/a%20b.bin|</NextKeyMarker>|"
          "<NextUploadIdMarker>|1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361|</NextUploadIdMarker>|"
          "<MaxUploads>|1|</MaxUploads>|<IsTruncated>|true|</IsTruncated>|<Prefix>|doc/|</Prefix>|<Delimiter>|/|</Delimiter>|"
          "<Upload>|<Key>|doc/a%20b.bin|</Key>|"
          "<UploadId>|1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361|</UploadId>|"
          "<StorageClass>|STANDARD|</StorageClass>|"
          "<Initiator>|<ID>|qcs::cam::uin/100000000001:uin/100000000001|</ID>|<DisplayName>|100000000001|</DisplayName>|</Initiator>|"
          "<Owner>|<ID>|qcs::cam::uin/100000000001:uin/100000000001|</ID>|<DisplayName>|100000000001|</DisplayName>|</Owner>|"
          "<Initiated>|2020-03-25T10:07:01.000Z|</Initiated>|</Upload>|"
          "<CommonPrefixes>|<Prefix>|doc/sub/|</Prefix>|</CommonPrefixes>|</ListMultipartUploadsResult>");

    reader r(list_uploads_body);
    std::string key_marker = "unset", next_key_marker, common_prefix;
    const result<void> ok = coswire::xml::read_document(r, [&](std::string_view, reader& rd) -> result<void> {
        return coswire::xml::for_each_child(rd, [&](std::string_view name, reader& c) -> result<void> {
            if (name == "KeyMarker") return assign_text(c, key_marker);
            if (name == "NextKeyMarker") return assign_text(c, next_key_marker);
            if (name == "CommonPrefixes")
                return coswire::xml::for_each_child(c, [&](std::string_view, reader& p) -> result<void> {
                    return assign_text(p, common_prefix);
                });
            return {};
        });
    });
    REQUIRE(ok.has_value());
    CHECK(key_marker.empty());
    CHECK(next_key_marker == "doc/a%20b.bin");
    CHECK(common_prefix == "doc/sub/");
}

TEST_CASE("reader: reads a GET Bucket body composed from its element list") {
    CHECK(trace(test_support::list_objects_page) ==
          "<ListBucketResult>|<Name>|examplebucket-1250000000|</Name>|<EncodingType>|url|</EncodingType>|"
          "<Prefix>|%E7%85%A7%E7%89%87/|</Prefix>|<Marker>|</Marker>|<MaxKeys>|1|</MaxKeys>|<Delimiter>|/|</Delimiter>|"
          "<IsTruncated>|true|</IsTruncated>|<NextMarker>|%E7%85%A7%E7%89%87/2020%E5%B9%B4/IMG0001.jpg|</NextMarker>|"
          "<Contents>|<Key>|%E7%85%A7%E7%89%87/2020%E5%B9%B4/IMG0001.jpg|</Key>|"
          "<LastModified>|2020-12-10T03:37:30.000Z|</LastModified>|<ETag>|\"ee8de918d05640145b18f70f4c3aa602\"|</ETag>|"
          "<Size>|1048576|</Size>|<Owner>|<ID>|1250000000|</ID>|<DisplayName>|1250000000|</DisplayName>|</Owner>|"
          "<StorageClass>|STANDARD|</StorageClass>|</Contents>|</ListBucketResult>");
}

TEST_CASE("reader: decodes entities, references, CDATA, comments, PIs, prefixes and line ends") {
    CHECK(trace(features_body) ==
          "<Root>|<A>|x <>&\"' AB中😀|</A>|<B>|<raw> & ]]>|</B>|<C>|abc|</C>|<D>|</D>|<E>|</E>|<F>|f|</F>|"
          "<G>|line1\nline2\nline3|</G>|</Root>");
}

TEST_CASE("reader: numeric character references become UTF-8 of 1 to 4 bytes") {
    CHECK(trace("<a>&#x41;&#66;&#x4E2D;</a>") == "<a>|AB中|</a>");
    CHECK(trace("<a>&#xe9;&#233;&#x00000041;</a>") == "<a>|ééA|</a>");
    CHECK(trace("<a>&#x10FFFF;&#xFFFD;&#xE000;&#xD7FF;</a>") == "<a>|\xF4\x8F\xBF\xBF\xEF\xBF\xBD\xEE\x80\x80\xED\x9F\xBF|</a>");
    // A reference to CR survives as CR; only literal line ends are normalised.
    CHECK(trace("<a>x&#9;&#10;&#13;</a>") == "<a>|x\t\n\r|</a>");
}

TEST_CASE("reader: event fields give local names, depths and offsets") {
    reader r("<p:R xmlns:p='u'> <p:C>t</p:C><D/></p:R>");
    std::vector<event> events;
    for (;;) {
        const result<event> ev = r.next();
        REQUIRE(ev.has_value());
        events.push_back(*ev);
        if (ev->kind == event_kind::end_document) break;
    }
    REQUIRE(events.size() == 9);
    CHECK((events[0].kind == event_kind::start_element && events[0].name == "R" && events[0].depth == 1 && events[0].offset == 0));
    CHECK((events[1].kind == event_kind::text && events[1].text == " " && events[1].depth == 1 && events[1].offset == 17));
    CHECK((events[2].kind == event_kind::start_element && events[2].name == "C" && events[2].depth == 2 && events[2].offset == 18));
    CHECK((events[3].kind == event_kind::text && events[3].text == "t" && events[3].depth == 2 && events[3].offset == 23));
    CHECK((events[4].kind == event_kind::end_element && events[4].name == "C" && events[4].depth == 2 && events[4].offset == 24));
    CHECK((events[5].kind == event_kind::start_element && events[5].name == "D" && events[5].depth == 2 && events[5].offset == 30));
    CHECK((events[6].kind == event_kind::end_element && events[6].name == "D" && events[6].depth == 2 && events[6].offset == 30));
    CHECK((events[7].kind == event_kind::end_element && events[7].name == "R" && events[7].depth == 1 && events[7].offset == 34));
    CHECK((events[8].kind == event_kind::end_document && events[8].depth == 0));
    CHECK(r.depth() == 0);
    const result<event> again = r.next();
    REQUIRE(again.has_value());
    CHECK(again->kind == event_kind::end_document);
}

TEST_CASE("reader: text without references is a view into the document; decoded text is not") {
    const std::string_view doc = "<a><b>plain</b><c>x&amp;y</c><d><![CDATA[cd]]></d></a>";
    reader r(doc);
    auto text_of = [&](std::string_view want) {
        for (;;) {
            const result<event> ev = r.next();
            REQUIRE(ev.has_value());
            if (ev->kind == event_kind::text) {
                CHECK(ev->text == want);
                return ev->text;
            }
        }
    };
    const auto inside = [&](std::string_view t) { return t.data() >= doc.data() && t.data() + t.size() <= doc.data() + doc.size(); };
    CHECK(inside(text_of("plain")));
    CHECK_FALSE(inside(text_of("x&y")));
    CHECK(inside(text_of("cd")));
}

TEST_CASE("reader: read_text merges text, references and CDATA, keeps whitespace, and gives empty text for empty elements") {
    SUBCASE("whitespace is kept") {
        reader r("<A>  x </A>");
        REQUIRE(r.next().has_value());
        CHECK(r.read_text().value() == "  x ");
        CHECK(r.depth() == 0);
    }
    SUBCASE("pieces are merged across comments") {
        reader r("<A>a&lt;<![CDATA[b]]><!-- c -->d<?p x?>e</A>");
        REQUIRE(r.next().has_value());
        CHECK(r.read_text().value() == "a<bde");
    }
    SUBCASE("empty elements in either spelling") {
        reader r("<R><A/><B></B></R>");
        REQUIRE(r.next().has_value());
        REQUIRE(r.next().has_value());
        CHECK(r.read_text().value().empty());
        REQUIRE(r.next().has_value());
        CHECK(r.read_text().value().empty());
        CHECK(r.depth() == 1);
    }
    SUBCASE("a child element is an error at the child's offset") {
        reader r("<A>x<B/></A>");
        REQUIRE(r.next().has_value());
        const result<std::string_view> t = r.read_text();
        REQUIRE_FALSE(t.has_value());
        CHECK(t.error().code == errc::malformed_response);
        CHECK(t.error().size == 4);
        CHECK(t.error().reason == "<A> should hold only text but contains <B> at offset 4");
    }
}

TEST_CASE("reader: read_text leaves the same state whichever way the text is read") {
    // Plain text and references take read_text's direct path; CR, CDATA, comments and
    // prefixed names that do not match take the general one. Both must end at the end tag.
    const std::string_view doc = "<R>\n\t<A>plain</A> <B>&quot;q&quot;&#x41;</B><C>a\r\nb</C><D><![CDATA[c]]></D>"
                                 "<p:E>e</p:E><F></F><G/></R>";
    const std::array<std::string_view, 7> texts{"plain", "\"q\"A", "a\nb", "c", "e", "", ""};
    reader r(doc);
    REQUIRE(r.next().has_value());
    std::size_t i = 0;
    std::vector<std::size_t> end_offsets;
    auto ok = coswire::xml::for_each_child(r, [&](std::string_view, reader& c) -> result<void> {
        const result<std::string_view> t = c.read_text();
        REQUIRE(t.has_value());
        CHECK(*t == texts.at(i++));
        CHECK(c.depth() == 1);
        end_offsets.push_back(c.offset());
        return {};
    });
    REQUIRE(ok.has_value());
    CHECK(i == texts.size());
    CHECK(r.depth() == 0);
    // Each offset is that of the element's end tag (for <G/>, of the element itself).
    const std::array<std::string_view, 7> ends{"</A>", "</B>", "</C>", "</D>", "</p:E>", "</F>", "<G/>"};
    for (std::size_t k = 0; k < ends.size(); ++k) CHECK(end_offsets.at(k) == doc.find(ends[k]));
    CHECK(r.next().value().kind == event_kind::end_document);
}

TEST_CASE("reader: read_text reports limits and bad references as the general path does") {
    limits small;
    small.max_text_length = 4;
    for (const std::string_view doc : {"<R><A>abcde</A></R>", "<R><A>&amp;&amp;&amp;&amp;&amp;</A></R>", "<R><A>ab&amp;cd</A></R>"}) {
        reader r(doc, small);
        REQUIRE(r.next().has_value());
        REQUIRE(r.next().has_value());
        const result<std::string_view> t = r.read_text();
        REQUIRE_FALSE(t.has_value());
        CHECK(t.error().code == errc::limit_exceeded);
        CHECK(t.error().size == 6);
    }
    reader r("<R><A>x&bogus;</A></R>");
    REQUIRE(r.next().has_value());
    REQUIRE(r.next().has_value());
    const result<std::string_view> t = r.read_text();
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().size == 7);
    CHECK(t.error().reason.find("undefined entity &bogus;") != std::string::npos);
    CHECK(r.next().error().reason == t.error().reason);
}

TEST_CASE("reader: read_text and skip_element refuse to run unless right after a start_element") {
    reader r("<A>x<B>y</B></A>");
    CHECK(r.read_text().error().code == errc::invalid_argument);
    CHECK(r.skip_element().error().code == errc::invalid_argument);
    REQUIRE(r.next().has_value());
    REQUIRE(r.next()->kind == event_kind::text);
    CHECK(r.read_text().error().code == errc::invalid_argument);
    CHECK(r.skip_element().error().code == errc::invalid_argument);
    // Nothing was consumed by the refused calls.
    const result<event> b = r.next();
    REQUIRE(b.has_value());
    CHECK(b->name == "B");
    REQUIRE(r.skip_element().has_value());
    CHECK(r.depth() == 1);
}

TEST_CASE("reader: skip_element skips a whole subtree") {
    reader r("<R><S><T><U/>text</T><V>v</V></S><W>w</W></R>");
    REQUIRE(r.next().has_value());
    REQUIRE(r.next()->name == "S");
    REQUIRE(r.skip_element().has_value());
    CHECK(r.depth() == 1);
    const result<event> w = r.next();
    REQUIRE(w.has_value());
    CHECK(w->name == "W");
}

TEST_CASE("reader: accepts declarations in either quote style, a BOM and whitespace around them") {
    CHECK(trace("<?xml version='1.0' encoding='utf-8' ?><a/>") == "<a>|</a>");
    CHECK(trace("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>") == "<a>|</a>");
    CHECK(trace("<?xml version = '1.1'\n standalone='no'?>\n<a/>\n") == "<a>|</a>");
    CHECK(trace("\xEF\xBB\xBF<a/>") == "<a>|</a>");
    CHECK(trace(" \r\n\t<?xml version='1.0'?><a></a >") == "<a>|</a>");
    CHECK(trace("<?xml-stylesheet href='s'?><a/>") == "<a>|</a>");
    CHECK(trace("<!-- c --><a/><!-- after --><?pi data?>\n") == "<a>|</a>");
}

TEST_CASE("reader: gives malformed_response with the offset for each kind of bad input") {
    SUBCASE("structure") {
        check_malformed("", 0, "no root element");
        check_malformed(" \n ", 3, "no root element");
        check_malformed("<a><b", 3, "unterminated start tag <b>");
        check_malformed("<a>", 3, "element <a> opened at offset 0 is not closed");
        check_malformed("<a><b></B></a>", 6, "end tag </B> does not match <b> opened at offset 3");
        check_malformed("<a><b></a></b>", 6, "does not match");
        check_malformed("<p:a></a>", 5, "does not match");
        check_malformed("<a/><b/>", 4, "may follow the root element");
        check_malformed("<a/>x", 4, "may follow the root element");
        check_malformed("<a></a></a>", 7, "may follow the root element");
        check_malformed("<a/><![CDATA[x]]>", 4, "may follow the root element");
        check_malformed("x<a/>", 0, "before the root element");
        check_malformed("</a>", 1, "missing element name");
        check_malformed("<>", 1, "missing element name");
        check_malformed("<a></ a>", 5, "missing element name");
        check_malformed("<a></a", 3, "unterminated end tag");
        check_malformed("<a></a x>", 7, "expected '>'");
        check_malformed("<a:b:c/>", 1, "not a valid qualified name");
        check_malformed("<a:/>", 1, "not a valid qualified name");
        check_malformed("<a><!ELEMENT a ANY></a>", 3, "unexpected markup");
    }
    SUBCASE("DOCTYPE is refused, so no entity can be declared") {
        check_malformed("<!DOCTYPE a><a/>", 0, "DOCTYPE is not supported");
        check_malformed("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", 21, "DOCTYPE");
        check_malformed("<a><!DOCTYPE a></a>", 3, "DOCTYPE");
    }
    SUBCASE("attributes") {
        check_malformed("<a b=\"<\"/>", 6, "'<' is not allowed in an attribute value");
        check_malformed("<a b/>", 4, "expected '='");
        check_malformed("<a b=c/>", 5, "must be quoted");
        check_malformed("<a b='1'c='2'/>", 8, "expected whitespace");
        check_malformed("<a b='1", 0, "unterminated start tag");
        check_malformed("<a b=", 0, "unterminated start tag");
        check_malformed("<a x='&bogus;'/>", 6, "undefined entity &bogus;");
        check_malformed("<a =''/>", 3, "missing attribute name");
    }
    SUBCASE("references") {
        check_malformed("<a>&bogus;</a>", 3, "undefined entity &bogus;");
        check_malformed("<a>&#0;</a>", 3, "U+0000");
        check_malformed("<a>&#xD800;</a>", 3, "U+D800");
        check_malformed("<a>&#xDFFF;</a>", 3, "U+DFFF");
        check_malformed("<a>&#x110000;</a>", 3, "beyond U+10FFFF");
        check_malformed("<a>&#99999999999999999999;</a>", 3, "beyond U+10FFFF");
        check_malformed("<a>&#x1;</a>", 3, "U+0001");
        check_malformed("<a>&#xFFFE;</a>", 3, "U+FFFE");
        check_malformed("<a>&</a>", 3, "'&' must start a reference");
        check_malformed("<a>& amp;</a>", 3, "'&' must start a reference");
        check_malformed("<a>&amp</a>", 3, "'&' must start a reference");
        check_malformed("<a>&#;</a>", 3, "malformed character reference");
        check_malformed("<a>&#x;</a>", 3, "malformed character reference");
        check_malformed("<a>&#65</a>", 3, "malformed character reference");
        check_malformed("<a>&#X41;</a>", 3, "malformed character reference");
        check_malformed("<a>&#x4G;</a>", 3, "malformed character reference");
    }
    SUBCASE("characters") {
        check_malformed("<a>\x01</a>", 3, "byte 0x01");
        check_malformed(std::string_view("<a>\0</a>", 8), 3, "byte 0x00");
        check_malformed("<a>\xC3(</a>", 3, "byte 0xC3 is invalid UTF-8");
        check_malformed("<a>\xED\xA0\x80</a>", 3, "byte 0xED");
        check_malformed("<a>\xEF\xBF\xBF</a>", 3, "byte 0xEF");
        check_malformed("<a>]]></a>", 3, "']]>' is not allowed in text");
    }
    SUBCASE("comments, CDATA and processing instructions") {
        check_malformed("<a><!-- x", 3, "unterminated comment");
        check_malformed("<a><!-- x -", 3, "unterminated comment");
        check_malformed("<a><!-- a -- b --></a>", 10, "'--' is not allowed inside a comment");
        check_malformed("<a><![CDATA[x</a>", 3, "unterminated CDATA section");
        check_malformed("<a><?pi x</a>", 3, "unterminated processing instruction");
        check_malformed("<a><?pi?x?></a>", 7, "expected whitespace or '?>'");
        check_malformed("<a><? x?></a>", 5, "missing processing instruction target");
        check_malformed("<a/><?xml version='1.0'?>", 4, "XML declaration may only open the document");
        check_malformed("<!-- c --><?xml version='1.0'?><a/>", 10, "XML declaration may only open the document");
        check_malformed("<?xml version='1.0'?><?xml version='1.0'?><a/>", 21, "XML declaration may only open the document");
    }
    SUBCASE("declaration") {
        check_malformed("<?xml version='1.0' encoding='ISO-8859-1'?><a/>", 29, "unsupported encoding");
        check_malformed("<?xml version='2.0'?><a/>", 14, "unsupported version");
        check_malformed("<?xml standalone='maybe' version='1.0'?><a/>", 6, "expected version");
        check_malformed("<?xml encoding='utf-8'?><a/>", 6, "expected version");
        check_malformed("<?xml version='1.0' version='1.0'?><a/>", 20, "expected version");
        check_malformed("<?xml version='1.0'encoding='utf-8'?><a/>", 19, "expected version");
        check_malformed("<?xml ?><a/>", 0, "no version");
        check_malformed("<?xml version='1.0'", 0, "unterminated XML declaration");
        check_malformed("<?xml version='1.0?><a/>", 0, "unterminated XML declaration");
        check_malformed("<?xml version=1.0?><a/>", 14, "expected a quoted value");
        check_malformed("<?xml version'1.0'?><a/>", 13, "expected '='");
    }
}

TEST_CASE("reader: after an error every call returns that same error") {
    reader r("<a>&bogus;</a>");
    REQUIRE(r.next().has_value());
    const result<event> first = r.next();
    REQUIRE_FALSE(first.has_value());
    for (int i = 0; i < 3; ++i) {
        const result<event> again = r.next();
        REQUIRE_FALSE(again.has_value());
        CHECK(again.error().reason == first.error().reason);
        CHECK(again.error().size == first.error().size);
    }
    CHECK(r.read_text().error().reason == first.error().reason);
    CHECK(r.skip_element().error().reason == first.error().reason);
}

TEST_CASE("reader: enforces max_depth, max_name_length, max_document_size and max_text_length") {
    const auto nested = [](std::size_t depth) {
        std::string doc;
        for (std::size_t i = 0; i < depth; ++i) doc += "<e>";
        for (std::size_t i = 0; i < depth; ++i) doc += "</e>";
        return doc;
    };
    SUBCASE("depth 32 passes, depth 33 does not") {
        CHECK(drain(nested(32)).has_value());
        const result<std::size_t> deep = drain(nested(33));
        REQUIRE_FALSE(deep.has_value());
        CHECK(deep.error().code == errc::limit_exceeded);
        CHECK(deep.error().size == 32 * 3);
        CHECK(deep.error().reason == "elements nest deeper than max_depth (32) at offset 96");
    }
    SUBCASE("names of 256 bytes pass, 257 do not") {
        const std::string ok_name(256, 'n');
        CHECK(drain("<" + ok_name + " " + ok_name + "='1'/>").has_value());
        const std::string long_name(257, 'n');
        const result<std::size_t> bad = drain("<" + long_name + "/>");
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().code == errc::limit_exceeded);
        CHECK(bad.error().size == 1);
        const result<std::size_t> bad_attr = drain("<a " + long_name + "='1'/>");
        REQUIRE_FALSE(bad_attr.has_value());
        CHECK(bad_attr.error().code == errc::limit_exceeded);
        CHECK(bad_attr.error().size == 3);
    }
    SUBCASE("oversized documents are refused before parsing") {
        limits small;
        small.max_document_size = 10;
        CHECK(drain("<a>123</a>", small).has_value());
        const result<std::size_t> big = drain("<a>1234</a>", small);
        REQUIRE_FALSE(big.has_value());
        CHECK(big.error().code == errc::limit_exceeded);
        CHECK(big.error().size == 10);
        // Even when the document is also malformed: the size is checked first.
        CHECK(drain("<<<<<<<<<<<<", small).error().code == errc::limit_exceeded);
    }
    SUBCASE("text longer than max_text_length, raw or decoded") {
        limits small;
        small.max_text_length = 4;
        CHECK(drain("<a>abcd</a>", small).has_value());
        CHECK(drain("<a>&amp;&amp;&amp;&amp;</a>", small).has_value());
        const result<std::size_t> raw = drain("<a>abcde</a>", small);
        REQUIRE_FALSE(raw.has_value());
        CHECK(raw.error().code == errc::limit_exceeded);
        CHECK(raw.error().size == 3);
        CHECK(drain("<a>&amp;&amp;&amp;&amp;&amp;</a>", small).error().code == errc::limit_exceeded);
        CHECK(drain("<a>ab<![CDATA[cde]]></a>", small).error().code == errc::limit_exceeded);
        // Whitespace between elements counts too: it is text.
        CHECK(drain("<a>     <b/></a>", small).error().code == errc::limit_exceeded);
    }
}

TEST_CASE("reader: every proper prefix of a valid document is an error, never a crash") {
    for (const std::string_view doc : corpus) {
        const std::size_t end = root_end(doc);
        REQUIRE(drain(doc).has_value());
        for (std::size_t n = 0; n <= doc.size(); ++n) {
            const std::string prefix(doc.substr(0, n));  // a copy, so ASan sees reads past the end
            const result<std::size_t> r = drain(prefix);
            CAPTURE(n);
            if (n < end) {
                REQUIRE_FALSE(r.has_value());
                CHECK(r.error().code == errc::malformed_response);
                CHECK(r.error().size <= n);
            } else {
                CHECK(r.has_value());
            }
        }
    }
}

namespace {

// Checks the reader's promises on one arbitrary input: it terminates, every event is sane, and
// an error carries a kind, an offset inside the document and that offset in its text.
void check_any_input(std::string_view doc) {
    reader r(doc);
    for (std::size_t count = 0; count <= 2 * doc.size() + 2; ++count) {
        const result<event> ev = r.next();
        if (!ev) {
            const coswire::error& e = ev.error();
            CHECK((e.code == errc::malformed_response || e.code == errc::limit_exceeded));
            CHECK(e.size <= doc.size());
            CHECK(e.reason.ends_with(" at offset " + std::to_string(e.size)));
            CHECK(coswire::detail::is_valid_utf8(e.reason));
            return;
        }
        if (ev->kind == event_kind::end_document) {
            CHECK(r.depth() == 0);
            return;
        }
        if (ev->kind == event_kind::text) {
            CHECK_FALSE(ev->text.empty());
            CHECK(coswire::detail::is_valid_utf8(ev->text));
        } else {
            CHECK_FALSE(ev->name.empty());
            CHECK(ev->depth >= 1);
        }
        CHECK(ev->offset < doc.size());
    }
    FAIL("the reader did not terminate");
}

}  // namespace

TEST_CASE("reader: random byte mutations of valid documents give a value or an error, never a crash") {
    std::mt19937 rng(20240611);
    constexpr std::string_view interesting = "<>/&;#x!?[]-='\" \r\n\t:aZ0\xC3\xA9\xEF\xBF\xBD";
    for (int round = 0; round < 4000; ++round) {
        std::string doc(corpus[static_cast<std::size_t>(round) % corpus.size()]);
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !doc.empty(); ++e) {
            // One draw per statement, so every compiler replays the same sequence.
            const std::size_t at = rng() % doc.size();
            const std::uint32_t random_byte = rng() % 256;
            const std::uint32_t pick = rng() % interesting.size();
            const char byte = (rng() % 2 == 0) ? static_cast<char>(random_byte) : interesting[pick];
            const std::size_t from = rng() % doc.size();
            const std::size_t length = rng() % 16;
            switch (rng() % 4) {
                case 0: doc[at] = byte; break;
                case 1: doc.insert(doc.begin() + static_cast<std::ptrdiff_t>(at), byte); break;
                case 2: doc.erase(at, 1 + length % 8); break;
                default: doc.insert(at, doc.substr(from, length)); break;
            }
        }
        check_any_input(doc);
    }
}

TEST_CASE("reader: random strings of XML fragments give a value or an error, never a crash") {
    std::mt19937 rng(7);
    constexpr std::array<std::string_view, 26> pieces{
        "<", ">", "/>", "</", "a", "b:c", " ", "=", "'", "\"", "&", ";", "&amp;", "&#x", "&#", "41",
        "<![CDATA[", "]]>", "<!--", "-->", "<?", "?>", "<?xml version='1.0'?>", "\r\n", "\xE4\xB8\xAD", "<a>"};
    for (int round = 0; round < 4000; ++round) {
        std::string doc;
        const std::size_t count = rng() % 24;
        for (std::size_t i = 0; i < count; ++i) doc += pieces[rng() % pieces.size()];
        check_any_input(doc);
    }
}
