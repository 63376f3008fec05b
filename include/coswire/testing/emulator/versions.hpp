// SPDX-License-Identifier: MIT
// The emulator's versioning (docs/protocol/versioning.md): PUT and GET Bucket versioning, the
// version an object request names with versionId, and the version headers of the answers.
#pragma once

#include <coswire/api/versioning.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>
#include <coswire/xml/writer.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// Reads a VersioningConfiguration document whose Status is Enabled or Suspended. Errors (400
/// MalformedXML): not XML, another root, no Status, or another Status.
inline result<versioning_status> parse_versioning_body(std::string_view body) {
    std::optional<std::string> status;
    xml::reader reader(body);
    result<void> read = xml::read_document(reader, [&](std::string_view root, xml::reader& r) -> result<void> {
        if (root != "VersioningConfiguration") return make_error(errc::malformed_response, "body", "the root element is not <VersioningConfiguration>");
        return xml::for_each_child(r, [&](std::string_view name, xml::reader& c) -> result<void> {
            if (name != "Status") return {};
            result<std::string_view> text = c.read_text();
            if (!text) return std::move(text).error();
            status = std::string(*text);
            return {};
        });
    });
    if (!read) return std::move(read).error();
    if (status == "Enabled") return versioning_status::enabled;
    if (status == "Suspended") return versioning_status::suspended;
    return make_error(errc::malformed_response, "Status", "Status is neither Enabled nor Suspended");
}

/// PUT Bucket versioning: Enabled or Suspended from then on (a bucket never goes back to off);
/// 200 with no body.
inline http_response put_bucket_versioning(bucket_store& store, const exchange& x) {
    const result<versioning_status> status = parse_versioning_body(x.body);
    if (!status)
        return error_reply(x, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
    store.set_versioning(*status);
    return reply(x, 200);
}

/// GET Bucket versioning: a VersioningConfiguration, without Status while versioning was never
/// enabled.
inline http_response get_bucket_versioning(const bucket_store& store, const exchange& x) {
    xml::writer w;
    w.start("VersioningConfiguration");
    if (store.versioning() != versioning_status::off)
        w.element("Status", store.versioning() == versioning_status::enabled ? "Enabled" : "Suspended");
    w.end();
    return xml_reply(x, w);
}

/// The version id a listing shows: empty while versioning was never enabled.
inline std::string_view listed_version_id(const bucket_store& store, const testing::emulated_object& v) {
    return store.versioning() == versioning_status::off ? std::string_view() : std::string_view(v.version_id);
}

/// x-cos-version-id of the version an answer is about, unless versioning was never enabled
/// (GET, HEAD, DELETE).
inline void add_version_header(http_response& r, const bucket_store& store, const testing::emulated_object& v) {
    if (store.versioning() != versioning_status::off) r.headers.push_back({"x-cos-version-id", v.version_id});
}

/// x-cos-version-id of a version a write made: only while versioning is Enabled (under
/// Suspended every write makes the "null" version).
inline void add_new_version_header(http_response& r, const bucket_store& store, const testing::emulated_object& v) {
    if (store.versioning() == versioning_status::enabled) r.headers.push_back({"x-cos-version-id", v.version_id});
}

/// 404 NoSuchKey for a key whose latest version (or the version named) is the delete marker
/// `marker`, with x-cos-delete-marker: true and its x-cos-version-id.
inline http_response deleted_key(const exchange& x, const testing::emulated_object& marker) {
    http_response r = no_such_key(x);
    r.headers.push_back({"x-cos-delete-marker", "true"});
    r.headers.push_back({"x-cos-version-id", marker.version_id});
    return r;
}

/// The object an object request names: the current one, or with versionId that version. A key
/// with no version at all is 404 NoSuchKey; so is one whose latest version is a delete marker,
/// or a versionId naming one (deleted_key); a versionId the key does not have is 404
/// NoSuchVersion. On success `out` points into the store until it changes.
inline refusal find_addressed(const bucket_store& store, const exchange& x, const testing::emulated_object*& out) {
    const std::vector<const testing::emulated_object*> versions = store.versions_of(x.key());
    if (versions.empty()) return no_such_key(x);
    out = x.param("versionId") != nullptr ? store.find_version(x.key(), x.param_value("versionId")) : versions.front();
    if (out == nullptr) return error_reply(x, 404, "NoSuchVersion", "The specified version does not exist.");
    if (out->delete_marker) return deleted_key(x, *out);
    return std::nullopt;
}

/// find_addressed, for a request that changes the version it names (tags, restores).
inline refusal find_addressed(bucket_store& store, const exchange& x, testing::emulated_object*& out) {
    const testing::emulated_object* found = nullptr;
    refusal r = find_addressed(static_cast<const bucket_store&>(store), x, found);
    // The store is not const here, so neither is what the const lookup found in it.
    out = const_cast<testing::emulated_object*>(found);
    return r;
}

}  // namespace coswire::detail::emu
