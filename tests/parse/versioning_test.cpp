// SPDX-License-Identifier: MIT
#include <coswire/parse/versioning.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

using coswire::errc;
using coswire::http_response;
using coswire::versioning_status;

using test_support::check_malformed;
using test_support::replace_once;

namespace {

// Shaped as the page's examples (docs/protocol/versioning.md#listing-versions): url-encoded keys,
// a delete marker between two versions, a truncated page.
const std::string versions_page =
    "<ListVersionsResult>\n"
    "\t<EncodingType>url</EncodingType>\n"
    "\t<Name>examplebucket-1250000000</Name>\n"
    "\t<Prefix/>\n\t<KeyMarker/>\n\t<VersionIdMarker/>\n\t<MaxKeys>3</MaxKeys>\n"
    "\t<IsTruncated>true</IsTruncated>\n"
    "\t<NextKeyMarker>Tencent%20Cloud.jpg</NextKeyMarker>\n"
    "\t<NextVersionIdMarker>MTg0NDUxNTc1NjIzMTQ1MDAwODg</NextVersionIdMarker>\n"
    "\t<Version>\n\t\t<Key>%E7%85%A7%E7%89%87/2020%E5%B9%B4/IMG0001.jpg</Key>\n"
    "\t\t<VersionId>MTg0NDUxNTc1NjIzMTQ1MDAwODg</VersionId>\n\t\t<IsLatest>true</IsLatest>\n"
    "\t\t<LastModified>2020-12-10T03:35:24.000Z</LastModified>\n\t\t<ETag>&quot;ee8de918d05640145b18f70f4c3aa602&quot;</ETag>\n"
    "\t\t<Size>16</Size>\n\t\t<StorageClass>STANDARD</StorageClass>\n"
    "\t\t<Owner>\n\t\t\t<ID>1250000000</ID>\n\t\t\t<DisplayName>1250000000</DisplayName>\n\t\t</Owner>\n\t</Version>\n"
    "\t<DeleteMarker>\n\t\t<Key>Tencent%20Cloud.jpg</Key>\n\t\t<VersionId>MTg0NDUxNTc1NjIzMTQ1MDAwOTk</VersionId>\n"
    "\t\t<IsLatest>true</IsLatest>\n\t\t<LastModified>2020-12-10T03:36:00.000Z</LastModified>\n\t</DeleteMarker>\n"
    "\t<Version>\n\t\t<Key>Tencent%20Cloud.jpg</Key>\n\t\t<VersionId>MTg0NDUxNTc1NjIzMTQ1MDAwODg</VersionId>\n"
    "\t\t<IsLatest>false</IsLatest>\n\t\t<LastModified>2020-12-10T03:35:24.000Z</LastModified>\n"
    "\t\t<ETag>&quot;22e024392de860289f0baa7d6cf8a549&quot;</ETag>\n\t\t<Size>26</Size>\n\t</Version>\n"
    "</ListVersionsResult>";

http_response ok(std::string body = {}, int status = 200) {
    return http_response{status, {{"x-cos-request-id", "NWZkOGI5ZDBfYTJiMjQwOV8xM2UxXzM0"}}, std::move(body)};
}

}  // namespace

TEST_CASE("parse_get_bucket_versioning_response: off, enabled, suspended") {
    CHECK(coswire::parse_get_bucket_versioning_response(ok("<VersioningConfiguration/>"))->status == versioning_status::off);
    CHECK(coswire::parse_get_bucket_versioning_response(ok("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"))
              ->status == versioning_status::enabled);
    CHECK(coswire::parse_get_bucket_versioning_response(ok("<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>"))
              ->status == versioning_status::suspended);
    check_malformed(coswire::parse_get_bucket_versioning_response(ok("<VersioningConfiguration><Status>On</Status></VersioningConfiguration>")),
                    "Status");
    check_malformed(coswire::parse_get_bucket_versioning_response(ok("<Versioning/>")), "document");
    CHECK(coswire::parse_put_bucket_versioning_response(ok())->request_id == "NWZkOGI5ZDBfYTJiMjQwOV8xM2UxXzM0");
    auto conflict = coswire::parse_put_bucket_versioning_response(ok("<Error><Code>InvalidBucketState</Code><Message>m</Message></Error>", 409));
    REQUIRE_FALSE(conflict);
    CHECK(conflict.error().service->code == "InvalidBucketState");
}

TEST_CASE("parse_list_object_versions_response: versions and delete markers in document order, keys decoded") {
    auto r = coswire::parse_list_object_versions_response(ok(versions_page));
    REQUIRE(r);
    CHECK(r->name == "examplebucket-1250000000");
    CHECK(r->is_truncated);
    CHECK(r->max_keys == 3u);
    CHECK(r->next_key_marker == "Tencent Cloud.jpg");
    CHECK(r->next_version_id_marker == "MTg0NDUxNTc1NjIzMTQ1MDAwODg");
    REQUIRE(r->versions.size() == 3);
    CHECK(r->versions[0].key == "照片/2020年/IMG0001.jpg");
    CHECK(r->versions[0].is_latest);
    CHECK(r->versions[0].size == 16);
    CHECK(r->versions[0].etag == "ee8de918d05640145b18f70f4c3aa602");
    CHECK(r->versions[0].last_modified == 1607571324);
    CHECK(r->versions[0].owner.id == "1250000000");
    CHECK(r->versions[1].delete_marker);
    CHECK(r->versions[1].key == "Tencent Cloud.jpg");
    CHECK(r->versions[1].is_latest);
    CHECK_FALSE(r->versions[2].delete_marker);
    CHECK_FALSE(r->versions[2].is_latest);
    CHECK(r->versions[2].size == 26);

    const coswire::list_object_versions_params asked{.max_keys = 3};
    auto next = coswire::next_list_object_versions_params(asked, *r);
    REQUIRE(next);
    CHECK(next->key_marker == "Tencent Cloud.jpg");
    CHECK(next->version_id_marker == "MTg0NDUxNTc1NjIzMTQ1MDAwODg");
    CHECK(next->max_keys == 3u);
    r->is_truncated = false;
    CHECK_FALSE(coswire::next_list_object_versions_params(asked, *r));
}

TEST_CASE("parse_list_object_versions_response: the last page, a never-versioned bucket, an empty next version marker") {
    auto last = coswire::parse_list_object_versions_response(
        ok("<ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>a</Key><VersionId/><IsLatest>true</IsLatest>"
           "<Size>0</Size></Version><CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListVersionsResult>"));
    REQUIRE(last);
    CHECK(last->versions[0].version_id.empty());
    CHECK(last->common_prefixes == std::vector<std::string>{"dir/"});
    auto prefix_end = coswire::parse_list_object_versions_response(
        ok("<ListVersionsResult><IsTruncated>true</IsTruncated><NextKeyMarker>dir/</NextKeyMarker><NextVersionIdMarker/>"
           "<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListVersionsResult>"));
    REQUIRE(prefix_end);
    auto next = coswire::next_list_object_versions_params({}, *prefix_end);
    REQUIRE(next);
    REQUIRE(next->version_id_marker);
    CHECK(next->version_id_marker->empty());
    CHECK(coswire::make_list_object_versions_request(coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), *next)
              ->target() == "/?versions&key-marker=dir%2F&version-id-marker=&encoding-type=url");
}

TEST_CASE("parse_list_object_versions_response: hostile pages") {
    check_malformed(coswire::parse_list_object_versions_response(ok(replace_once(versions_page, "\t<IsTruncated>true</IsTruncated>\n", ""))),
                    "IsTruncated");
    check_malformed(coswire::parse_list_object_versions_response(ok(replace_once(versions_page, "<Size>16</Size>", ""))), "Size");
    check_malformed(coswire::parse_list_object_versions_response(ok(replace_once(versions_page, "<Size>16</Size>", "<Size>big</Size>"))), "Size");
    check_malformed(coswire::parse_list_object_versions_response(ok(replace_once(versions_page, "<Key>Tencent%20Cloud.jpg</Key>\n\t\t<VersionId>MTg0NDUxNTc1NjIzMTQ1MDAwOTk", "<VersionId>MTg0NDUxNTc1NjIzMTQ1MDAwOTk"))),
                    "Key");
    check_malformed(coswire::parse_list_object_versions_response(ok(replace_once(versions_page, "<IsLatest>false", "<IsLatest>no"))), "IsLatest");
    check_malformed(coswire::parse_list_object_versions_response(ok(replace_once(versions_page, "IMG0001", "IMG%zz"))), "Key");
    // Truncated pages that would not move: no next key marker, or the same place again.
    check_malformed(coswire::parse_list_object_versions_response(ok(replace_once(versions_page, "<NextKeyMarker>Tencent%20Cloud.jpg</NextKeyMarker>", ""))),
                    "NextKeyMarker");
    check_malformed(coswire::parse_list_object_versions_response(
                        ok("<ListVersionsResult><IsTruncated>true</IsTruncated><KeyMarker>b</KeyMarker><VersionIdMarker>v</VersionIdMarker>"
                           "<NextKeyMarker>b</NextKeyMarker><NextVersionIdMarker>v</NextVersionIdMarker></ListVersionsResult>")),
                    "NextKeyMarker");
    check_malformed(coswire::parse_list_object_versions_response(
                        ok("<ListVersionsResult><IsTruncated>true</IsTruncated><KeyMarker>b</KeyMarker><NextKeyMarker>a</NextKeyMarker>"
                           "</ListVersionsResult>")),
                    "NextKeyMarker");
    for (std::size_t n = 0; n < versions_page.size(); n += 7) CHECK_FALSE(coswire::parse_list_object_versions_response(ok(versions_page.substr(0, n))));
    auto in_200 = coswire::parse_list_object_versions_response(ok("<Error><Code>NoSuchBucket</Code></Error>"));
    REQUIRE_FALSE(in_200);
    CHECK(coswire::is_cos_error(in_200.error(), coswire::cos_errc::no_such_bucket));
}
