// SPDX-License-Identifier: MIT
// Canned COS documents that more than one test reads.
#pragma once

#include <string_view>

namespace test_support {

/// A GET Bucket page with url-encoded keys. GET Bucket's page lists its elements without an
/// example; this body is composed from that list (docs/protocol/objects.md#get-bucket) and the key
/// encoding (docs/protocol/encoding-type.md).
constexpr std::string_view list_objects_page = R"xml(<?xml version='1.0' encoding='utf-8' ?>
<ListBucketResult>
	<Name>examplebucket-1250000000</Name>
	<EncodingType>url</EncodingType>
	<Prefix>%E7%85%A7%E7%89%87/</Prefix>
	<Marker/>
	<MaxKeys>1</MaxKeys>
	<Delimiter>/</Delimiter>
	<IsTruncated>true</IsTruncated>
	<NextMarker>%E7%85%A7%E7%89%87/2020%E5%B9%B4/IMG0001.jpg</NextMarker>
	<Contents>
		<Key>%E7%85%A7%E7%89%87/2020%E5%B9%B4/IMG0001.jpg</Key>
		<LastModified>2020-12-10T03:37:30.000Z</LastModified>
		<ETag>&quot;ee8de918d05640145b18f70f4c3aa602&quot;</ETag>
		<Size>1048576</Size>
		<Owner>
			<ID>1250000000</ID>
			<DisplayName>1250000000</DisplayName>
		</Owner>
		<StorageClass>STANDARD</StorageClass>
	</Contents>
</ListBucketResult>
)xml";


}  // namespace test_support
