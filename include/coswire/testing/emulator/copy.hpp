// SPDX-License-Identifier: MIT
// The emulator's server-side copies (docs/protocol/copy.md): the source that x-cos-copy-source
// names, with its conditions, and PUT Object - Copy with its metadata directive.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator/acl.hpp>
#include <coswire/testing/emulator/objects.hpp>
#include <coswire/testing/emulator/options.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/sse.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/testing/emulator/versions.hpp>
#include <coswire/xml/writer.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// The object x-cos-copy-source names: `[scheme://]<host>/<pathenc(key)>[?versionId=<id>]`,
/// the current object or that version. The emulator holds one bucket, so a source in another
/// bucket or on another host is answered as a missing source is (404 NoSuchKey), as is a key
/// whose latest version is a delete marker or a query other than versionId; a versionId the key
/// lacks is 404 NoSuchVersion, one naming a delete marker 400 InvalidRequest. A value that is
/// not `<host>/<key>` or has a bad %-escape is 400 InvalidCopySource; an SSE-C source needs its
/// key in the x-cos-copy-source-server-side-encryption-customer-* headers (check_customer_key);
/// an archived source without a restored copy is 403 InvalidObjectState. The source's
/// x-cos-copy-source-If-* conditions decide next: unmet → 412 PreconditionFailed. On success
/// `out` points into the store and stays valid until the store changes.
inline refusal find_copy_source(const bucket_store& store, const testing::emulator_options& options, const exchange& x,
                                std::string_view source, const testing::emulated_object*& out) {
    for (std::string_view scheme : {"http://", "https://"})
        if (istarts_with(source, scheme)) source.remove_prefix(scheme.size());
    const std::size_t slash = source.find('/');
    if (slash == std::string_view::npos || slash + 1 == source.size())
        return error_reply(x, 400, "InvalidCopySource", "x-cos-copy-source must be <host>/<key>.");
    const std::string_view host = source.substr(0, slash);
    const std::size_t question = source.find('?', slash);
    const result<std::string> key = percent_decode(source.substr(slash + 1, question - slash - 1), "x-cos-copy-source");
    if (!key) return error_reply(x, 400, "InvalidCopySource", "x-cos-copy-source has a bad %-escape.");
    const bool this_bucket = iequals(host, options.host) || istarts_with(host, options.bucket + ".");
    const std::string_view query = question == std::string_view::npos ? std::string_view() : source.substr(question + 1);
    constexpr std::string_view version_param = "versionId=";
    if (!this_bucket || (question != std::string_view::npos && !query.starts_with(version_param))) return no_such_key(x);
    if (query.empty()) {
        out = store.find_object(*key);
        if (out == nullptr) return no_such_key(x);
    } else {
        if (store.versions_of(*key).empty()) return no_such_key(x);
        out = store.find_version(*key, query.substr(version_param.size()));
        if (out == nullptr) return error_reply(x, 404, "NoSuchVersion", "The specified version does not exist.");
        if (out->delete_marker)
            return error_reply(x, 400, "InvalidRequest", "The source of a copy request may not name a delete marker by version id.");
    }
    if (refusal r = check_customer_key(x, out->encryption, key_use::source)) return r;
    if (!readable(*out, x.now)) return invalid_object_state(x, *out);
    if (evaluate_preconditions(x, "x-cos-copy-source-", *out) != precondition::pass) return precondition_failed(x);
    return std::nullopt;
}

/// A directive header (x-cos-metadata-directive, x-cos-tagging-directive): absent or Copy →
/// false, Replaced → true, anything else → 400 InvalidArgument.
inline refusal read_directive(const exchange& x, std::string_view name, bool& replaced) {
    const std::optional<std::string_view> directive = x.header(name);
    if (directive && *directive != "Copy" && *directive != "Replaced")
        return invalid_argument(x, std::string(name) + " must be Copy or Replaced.");
    replaced = directive == "Replaced";
    return std::nullopt;
}

/// PUT Object - Copy: the key becomes a copy of the source's bytes, with the source's metadata
/// (x-cos-metadata-directive absent or Copy) or the request's (Replaced), and the source's tags
/// or those of x-cos-tagging (x-cos-tagging-directive the same way); copying an object onto
/// itself needs metadata Replaced (400 InvalidRequest otherwise). The class is the one
/// x-cos-storage-class names, else STANDARD, never the source's; so are the encryption and the
/// ACL (read_write_attributes). The answer is a CopyObjectResult
/// with the copy's ETag, CRC64 and LastModified; while versioning is on it also carries the
/// source's x-cos-copy-source-version-id, and the copy's x-cos-version-id when Enabled.
inline http_response copy_object(bucket_store& store, const testing::emulator_options& options, const exchange& x) {
    bool replaced = false, tags_replaced = false;
    if (refusal r = read_directive(x, "x-cos-metadata-directive", replaced)) return std::move(*r);
    if (refusal r = read_directive(x, "x-cos-tagging-directive", tags_replaced)) return std::move(*r);
    write_attributes attributes;
    if (refusal r = read_write_attributes(store, x, attributes)) return std::move(*r);
    const testing::emulated_object* source = nullptr;
    if (refusal r = find_copy_source(store, options, x, *x.header("x-cos-copy-source"), source)) return std::move(*r);
    if (!replaced && source == store.find_object(x.key()))
        return error_reply(x, 400, "InvalidRequest",
                           "This copy request is illegal because it copies an object to itself without changing its metadata "
                           "(x-cos-metadata-directive: Replaced).");
    if (!store.fits(source->data.size(), store.replaced_size(x.key()))) return too_large(x);
    // These are copied before the store changes: the source may be the object being replaced.
    const std::string source_version = source->version_id;
    std::string data = source->data;
    std::vector<http_header> metadata = replaced ? stored_metadata(x) : source->metadata;
    if (!tags_replaced) attributes.tags = source->tags;
    const testing::emulated_object& copy = store_write(store, x.key(), std::move(data), std::move(metadata), x.now, std::move(attributes));
    xml::writer w;
    w.start("CopyObjectResult")
        .element("ETag", copy.etag)
        .element("CRC64", std::to_string(copy.crc64))
        .element("LastModified", format_iso8601(copy.last_modified))
        .end();
    http_response r = xml_reply(x, w);
    add_encryption_headers(r, copy.encryption);
    if (store.versioning() != versioning_status::off) r.headers.push_back({"x-cos-copy-source-version-id", source_version});
    add_new_version_header(r, store, copy);
    return r;
}

}  // namespace coswire::detail::emu
