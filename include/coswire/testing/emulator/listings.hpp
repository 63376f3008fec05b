// SPDX-License-Identifier: MIT
// The emulator's listings: GET Bucket, GET Bucket Object versions, List Multipart Uploads and
// List Parts, over one pagination rule (docs/protocol/objects.md#get-bucket,
// docs/protocol/versioning.md#listing-versions, docs/protocol/multipart.md#list-multipart-uploads,
// docs/protocol/multipart.md#list-parts, docs/protocol/encoding-type.md).
#pragma once

#include <coswire/detail/decimal.hpp>
#include <coswire/http/message.hpp>
#include <coswire/testing/emulator/options.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/testing/emulator/versions.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/writer.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// Pointers to the entries of a map, in its order: what paginate walks.
template <class Map>
std::vector<const typename Map::value_type*> entries_of(const Map& map) {
    std::vector<const typename Map::value_type*> out;
    out.reserve(map.size());
    for (const auto& entry : map) out.push_back(&entry);
    return out;
}

/// One page of a listing.
template <class Item>
struct page {
    std::vector<const Item*> items{};
    std::vector<std::string> common_prefixes{};
    bool truncated = false;
    std::string next_key{};             ///< the last key or common prefix on the page
    const Item* next_item = nullptr;  ///< the last item, when the page ends on an item
};

/// The one pagination rule of the three listings: walk `sorted` in order, keep entries
/// `after_marker` accepts whose key starts with `prefix`, fold keys that contain `delimiter`
/// after the prefix into one common prefix (skipping a group that starts at or before
/// `marker_key`, which an earlier page returned), and stop at `max` entries (items and prefixes
/// count alike). Truncated only when another entry follows; a `max` of 0 gives an empty,
/// untruncated page.
template <class Item, class KeyOf, class After>
page<Item> paginate(const std::vector<const Item*>& sorted, KeyOf key_of, After after_marker, std::string_view marker_key,
                    std::string_view prefix, std::string_view delimiter, std::uint64_t max) {
    page<Item> out;
    std::uint64_t count = 0;
    for (const Item* item : sorted) {
        if (!after_marker(*item)) continue;
        const std::string_view key = key_of(*item);
        if (!key.starts_with(prefix)) continue;
        std::string_view group;
        if (!delimiter.empty())
            if (const std::size_t at = key.find(delimiter, prefix.size()); at != std::string_view::npos)
                group = key.substr(0, at + delimiter.size());
        if (!group.empty() && ((!out.common_prefixes.empty() && out.common_prefixes.back() == group) || group <= marker_key))
            continue;
        if (count == max) {
            out.truncated = max > 0;
            break;
        }
        ++count;
        if (group.empty()) {
            out.items.push_back(item);
            out.next_key = std::string(key);
            out.next_item = item;
        } else {
            out.common_prefixes.emplace_back(group);
            out.next_key = std::string(group);
            out.next_item = nullptr;
        }
    }
    return out;
}

/// The parameters a listing reads.
struct listing_query {
    std::string prefix{};
    std::string delimiter{};
    std::string marker{};
    std::uint64_t max = 1000;
    bool url = false;  ///< encoding-type=url
};

/// A numeric parameter: absent → `fallback`, else decimal digits.
inline refusal number_param(const exchange& x, std::string_view name, std::uint64_t fallback, std::uint64_t& out) {
    out = fallback;
    if (x.param(name) == nullptr) return std::nullopt;
    const auto value = parse_unsigned_decimal(x.param_value(name));
    if (!value) return invalid_argument(x, std::string(name) + " must be a non-negative decimal number.");
    out = value.value;
    return std::nullopt;
}

/// A text parameter echoed in a listing: it must be text XML can carry.
inline refusal text_param(const exchange& x, std::string_view name, std::string& out) {
    out = std::string(x.param_value(name));
    if (xml_text_error_offset(out) != out.size()) return invalid_argument(x, std::string(name) + " holds a character XML 1.0 cannot carry.");
    return std::nullopt;
}

/// encoding-type and the page size, shared by the three listings; max is capped at 1000.
inline refusal read_page_params(const exchange& x, std::string_view max_name, listing_query& q) {
    if (refusal r = number_param(x, max_name, 1000, q.max)) return r;
    q.max = std::min<std::uint64_t>(q.max, 1000);
    if (x.param("encoding-type") != nullptr && x.param_value("encoding-type") != "url")
        return invalid_argument(x, "encoding-type must be url.");
    q.url = x.param("encoding-type") != nullptr;
    return std::nullopt;
}

/// The page parameters plus prefix, delimiter and the marker named `marker_name`.
inline refusal read_listing_query(const exchange& x, std::string_view marker_name, std::string_view max_name, listing_query& q) {
    if (refusal r = read_page_params(x, max_name, q)) return r;
    if (refusal r = text_param(x, "prefix", q.prefix)) return r;
    if (refusal r = text_param(x, "delimiter", q.delimiter)) return r;
    return text_param(x, marker_name, q.marker);
}

/// A key or prefix as a listing writes it: path-encoded under encoding-type=url.
inline std::string listed(std::string_view s, bool url) { return url ? path_encode(s) : std::string(s); }

inline void write_common_prefixes(xml::writer& w, const std::vector<std::string>& prefixes, bool url) {
    for (const std::string& prefix : prefixes) w.start("CommonPrefixes").element("Prefix", listed(prefix, url)).end();
}

/// An Owner or Initiator element: the bucket's APPID as the account.
inline void write_principal(xml::writer& w, std::string_view element, std::string_view bucket) {
    const std::string_view appid = bucket.substr(bucket.rfind('-') + 1);
    w.start(element)
        .element("ID", "qcs::cam::uin/" + std::string(appid) + ":uin/" + std::string(appid))
        .element("DisplayName", appid)
        .end();
}

/// GET Bucket (list objects).
inline http_response list_objects(const bucket_store& store, const testing::emulator_options& options, const exchange& x) {
    listing_query q;
    if (refusal r = read_listing_query(x, "marker", "max-keys", q)) return std::move(*r);
    using entry = bucket_store::object_map::value_type;
    const std::vector<const entry*> sorted = entries_of(store.objects());
    const std::string_view marker = q.marker;
    const auto p = paginate(
        sorted, [](const entry& e) { return std::string_view(e.first); },
        [marker](const entry& e) { return std::string_view(e.first) > marker; }, marker, q.prefix, q.delimiter, q.max);
    xml::writer w;
    w.start("ListBucketResult").element("Name", options.bucket);
    if (q.url) w.element("EncodingType", "url");
    w.element("Prefix", listed(q.prefix, q.url)).element("Marker", listed(q.marker, q.url)).element("MaxKeys", std::to_string(q.max));
    if (!q.delimiter.empty()) w.element("Delimiter", q.delimiter);
    w.element("IsTruncated", p.truncated ? "true" : "false");
    if (p.truncated) w.element("NextMarker", listed(p.next_key, q.url));
    write_common_prefixes(w, p.common_prefixes, q.url);
    for (const entry* e : p.items) {
        w.start("Contents")
            .element("Key", listed(e->first, q.url))
            .element("LastModified", format_iso8601(e->second.last_modified))
            .element("ETag", e->second.etag)
            .element("Size", std::to_string(e->second.data.size()));
        write_principal(w, "Owner", options.bucket);
        w.element("StorageClass", e->second.storage_class).end();
    }
    w.end();
    return xml_reply(x, w);
}

/// One entry of a version listing: a version or delete marker of `key`, `rank` the place among
/// the key's versions (0 = the latest).
struct listed_version {
    std::string_view key{};
    const testing::emulated_object* version = nullptr;
    std::size_t rank = 0;
};

/// Every version and delete marker of the bucket: keys in order, each key's newest first.
inline std::vector<listed_version> all_versions(const bucket_store& store) {
    std::vector<std::string_view> keys;
    for (const auto& entry : store.objects()) keys.push_back(entry.first);
    for (const auto& entry : store.history()) keys.push_back(entry.first);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::vector<listed_version> out;
    for (const std::string_view key : keys) {
        const std::vector<const testing::emulated_object*> versions = store.versions_of(key);
        for (std::size_t i = 0; i < versions.size(); ++i) out.push_back({key, versions[i], i});
    }
    return out;
}

/// GET Bucket Object versions. key-marker alone skips every version of that key; with a
/// non-empty version-id-marker, the versions of key-marker after that one follow first (one
/// the key does not have is 400 InvalidArgument). NextVersionIdMarker is empty when the page
/// ends on a common prefix.
inline http_response list_versions(const bucket_store& store, const testing::emulator_options& options, const exchange& x) {
    listing_query q;
    std::string version_id_marker;
    if (refusal r = read_listing_query(x, "key-marker", "max-keys", q)) return std::move(*r);
    if (refusal r = text_param(x, "version-id-marker", version_id_marker)) return std::move(*r);
    const std::vector<listed_version> versions = all_versions(store);
    std::vector<const listed_version*> sorted;
    for (const listed_version& v : versions) sorted.push_back(&v);
    const std::string_view key_marker = q.marker;
    std::size_t marker_rank = 0;
    const bool by_version = !version_id_marker.empty();
    if (by_version) {
        const auto at = std::find_if(versions.begin(), versions.end(), [&](const listed_version& v) {
            return v.key == key_marker && listed_version_id(store, *v.version) == version_id_marker;
        });
        if (at == versions.end()) return invalid_argument(x, "version-id-marker names no version of key-marker.");
        marker_rank = at->rank;
    }
    const auto after = [&](const listed_version& v) {
        return v.key > key_marker || (by_version && v.key == key_marker && v.rank > marker_rank);
    };
    const auto p = paginate(
        sorted, [](const listed_version& v) { return v.key; }, after, key_marker, q.prefix, q.delimiter, q.max);
    xml::writer w;
    w.start("ListVersionsResult");
    if (q.url) w.element("EncodingType", "url");
    w.element("Name", options.bucket)
        .element("Prefix", listed(q.prefix, q.url))
        .element("KeyMarker", listed(q.marker, q.url))
        .element("VersionIdMarker", listed(version_id_marker, q.url))
        .element("MaxKeys", std::to_string(q.max))
        .element("IsTruncated", p.truncated ? "true" : "false");
    if (p.truncated)
        w.element("NextKeyMarker", listed(p.next_key, q.url))
            .element("NextVersionIdMarker",
                     p.next_item != nullptr ? listed(listed_version_id(store, *p.next_item->version), q.url) : std::string());
    if (!q.delimiter.empty()) w.element("Delimiter", q.delimiter);
    write_common_prefixes(w, p.common_prefixes, q.url);
    for (const listed_version* v : p.items) {
        const testing::emulated_object& o = *v->version;
        w.start(o.delete_marker ? "DeleteMarker" : "Version")
            .element("Key", listed(v->key, q.url))
            .element("VersionId", listed_version_id(store, o))
            .element("IsLatest", v->rank == 0 ? "true" : "false")
            .element("LastModified", format_iso8601(o.last_modified));
        if (!o.delete_marker)
            w.element("ETag", o.etag).element("Size", std::to_string(o.data.size())).element("StorageClass", o.storage_class);
        write_principal(w, "Owner", options.bucket);
        w.end();
    }
    w.end();
    return xml_reply(x, w);
}

/// List Multipart Uploads.
inline http_response list_uploads(const bucket_store& store, const testing::emulator_options& options, const exchange& x) {
    listing_query q;
    std::string upload_id_marker;
    if (refusal r = read_listing_query(x, "key-marker", "max-uploads", q)) return std::move(*r);
    if (refusal r = text_param(x, "upload-id-marker", upload_id_marker)) return std::move(*r);
    const std::string_view key_marker = q.marker, id_marker = upload_id_marker;
    // Keys after key-marker, plus, with upload-id-marker, later ids of key-marker itself.
    const auto after = [key_marker, id_marker](const testing::emulated_upload& u) {
        return std::string_view(u.key) > key_marker || (!id_marker.empty() && u.key == key_marker && u.upload_id > id_marker);
    };
    const auto p = paginate(
        store.sorted_uploads(), [](const testing::emulated_upload& u) { return std::string_view(u.key); }, after, key_marker,
        q.prefix, q.delimiter, q.max);
    xml::writer w;
    w.start("ListMultipartUploadsResult").element("Bucket", options.bucket);
    if (q.url) w.element("Encoding-Type", "url");
    w.element("KeyMarker", listed(q.marker, q.url)).element("UploadIdMarker", listed(upload_id_marker, q.url));
    if (p.truncated)
        w.element("NextKeyMarker", listed(p.next_key, q.url))
            .element("NextUploadIdMarker", p.next_item != nullptr ? listed(p.next_item->upload_id, q.url) : std::string());
    w.element("MaxUploads", std::to_string(q.max))
        .element("IsTruncated", p.truncated ? "true" : "false")
        .element("Prefix", listed(q.prefix, q.url))
        .element("Delimiter", q.delimiter);
    for (const testing::emulated_upload* u : p.items) {
        w.start("Upload").element("Key", listed(u->key, q.url)).element("UploadId", u->upload_id).element("StorageClass", u->storage_class);
        write_principal(w, "Initiator", options.bucket);
        write_principal(w, "Owner", options.bucket);
        w.element("Initiated", format_iso8601(u->initiated)).end();
    }
    write_common_prefixes(w, p.common_prefixes, q.url);
    w.end();
    return xml_reply(x, w);
}

/// List Parts of the upload named by uploadId.
inline http_response list_parts(bucket_store& store, const testing::emulator_options& options, const exchange& x) {
    if (x.param_value("uploadId").empty())
        return error_reply(x, 400, "ListPartUploadIdIsEmpty", "The uploadId parameter is empty.");
    const testing::emulated_upload* u = store.find_upload(x.param_value("uploadId"), x.key());
    if (u == nullptr) return no_such_upload(x);
    listing_query q;
    std::uint64_t marker = 0;
    if (refusal r = read_page_params(x, "max-parts", q)) return std::move(*r);
    if (refusal r = number_param(x, "part-number-marker", 0, marker)) return std::move(*r);
    using entry = std::map<std::uint32_t, testing::emulated_part>::value_type;
    const std::vector<const entry*> sorted = entries_of(u->parts);
    // No prefix or delimiter: every part has the empty key, and the marker is exclusive.
    const auto p = paginate(
        sorted, [](const entry&) { return std::string_view(); }, [marker](const entry& e) { return e.first > marker; }, "", "", "",
        q.max);
    xml::writer w;
    w.start("ListPartsResult").element("Bucket", options.bucket);
    if (q.url) w.element("EncodingType", "url");
    w.element("Key", listed(u->key, q.url)).element("UploadId", u->upload_id);
    write_principal(w, "Owner", options.bucket);
    w.element("PartNumberMarker", std::to_string(marker));
    write_principal(w, "Initiator", options.bucket);
    for (const entry* e : p.items)
        w.start("Part")
            .element("PartNumber", std::to_string(e->first))
            .element("LastModified", format_iso8601(e->second.last_modified))
            .element("ETag", e->second.etag)
            .element("Size", std::to_string(e->second.data.size()))
            .end();
    if (p.truncated && p.next_item != nullptr) w.element("NextPartNumberMarker", std::to_string(p.next_item->first));
    w.element("StorageClass", u->storage_class).element("MaxParts", std::to_string(q.max)).element("IsTruncated", p.truncated ? "true" : "false");
    w.end();
    return xml_reply(x, w);
}

}  // namespace coswire::detail::emu
