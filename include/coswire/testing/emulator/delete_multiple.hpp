// SPDX-License-Identifier: MIT
// The emulator's DELETE Multiple Objects (docs/protocol/delete-multiple.md): POST /?delete with a
// Delete document, its Content-MD5, and the DeleteResult of Deleted and Error entries.
#pragma once

#include <coswire/encoding/object_key.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator/objects.hpp>
#include <coswire/testing/emulator/options.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/testing/emulator/versions.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>
#include <coswire/xml/writer.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// The most objects one request may name (docs/protocol/delete-multiple.md#request).
inline constexpr std::size_t max_keys_per_delete = 1000;

/// One Object entry of a Delete document.
struct delete_entry {
    std::string key{};
    std::optional<std::string> version_id{};
};

/// A Delete document as read.
struct delete_request {
    bool quiet = false;
    std::vector<delete_entry> objects{};
};

/// Reads a Delete document. Errors (any kind means 400 MalformedXML): not XML, another root, a
/// Quiet that is not true/false, an Object without Key, no Object, more than 1000.
inline result<delete_request> parse_delete_body(std::string_view body) {
    const auto malformed = [](std::string reason) { return make_error(errc::malformed_response, "body", std::move(reason)); };
    delete_request out;
    xml::reader reader(body);
    result<void> read = xml::read_document(reader, [&](std::string_view root, xml::reader& r) -> result<void> {
        if (root != "Delete") return malformed("the root element is not <Delete>");
        return xml::for_each_child(r, [&](std::string_view name, xml::reader& child) -> result<void> {
            if (name == "Quiet") {
                result<std::string_view> text = child.read_text();
                if (!text) return std::move(text).error();
                const std::string_view quiet = trim_space(*text);
                if (quiet != "true" && quiet != "false") return malformed("Quiet is neither true nor false");
                out.quiet = quiet == "true";
                return {};
            }
            if (name != "Object") return {};
            if (out.objects.size() == max_keys_per_delete) return malformed("more than 1000 <Object> entries");
            delete_entry entry;
            bool has_key = false;
            result<void> fields = xml::for_each_child(child, [&](std::string_view field, xml::reader& f) -> result<void> {
                if (field != "Key" && field != "VersionId") return {};
                result<std::string_view> text = f.read_text();
                if (!text) return std::move(text).error();
                if (field == "VersionId") {
                    entry.version_id = std::string(*text);
                    return {};
                }
                entry.key = std::string(*text);
                has_key = true;
                return {};
            });
            if (!fields) return fields;
            if (!has_key) return malformed("an <Object> lacks its Key");
            out.objects.push_back(std::move(entry));
            return {};
        });
    });
    if (!read) return std::move(read).error();
    if (out.objects.empty()) return malformed("the body names no <Object>");
    return out;
}

/// What deleting one entry gives: an Error entry's code and message, or (no code) a Deleted
/// entry, which names the delete marker made or removed.
struct entry_outcome {
    std::string_view code{};
    std::string_view message{};
    bool delete_marker = false;
    std::string delete_marker_version_id{};
};

/// Deletes one entry at server time `now` as DELETE Object would: a missing key, or a missing
/// "null" version, counts as deleted; a key in options.undeletable_keys is AccessDenied; an
/// empty or too long key, or another version id the key does not have (NoSuchVersion), fails
/// that entry only.
inline entry_outcome delete_one(bucket_store& store, const testing::emulator_options& options, const delete_entry& e, std::int64_t now) {
    if (e.key.empty() || e.key.size() > max_object_key_size) return {"InvalidArgument", "The key is empty or longer than 850 bytes."};
    if (std::find(options.undeletable_keys.begin(), options.undeletable_keys.end(), e.key) != options.undeletable_keys.end())
        return {"AccessDenied", "Access Denied."};
    if (!e.version_id) {
        const testing::emulated_object* marker = store.delete_latest(e.key, now);
        if (marker == nullptr) return {};
        return {.delete_marker = true, .delete_marker_version_id = marker->version_id};
    }
    const std::optional<testing::emulated_object> gone = store.erase_version(e.key, *e.version_id);
    if (!gone && *e.version_id == "null") return {};
    if (!gone) return {"NoSuchVersion", "The specified version does not exist."};
    if (!gone->delete_marker) return {};
    return {.delete_marker = true, .delete_marker_version_id = gone->version_id};
}

/// DELETE Multiple Objects: Content-MD5 is required (400 InvalidRequest without it; a wrong one
/// was refused before, as for every request); a body that is not a Delete document of 1 to 1000
/// objects is 400 MalformedXML. Otherwise 200 with a Deleted or Error entry per object, in the
/// order named, Deleted entries left out under Quiet. A Deleted entry carries DeleteMarker and
/// DeleteMarkerVersionId when a delete marker was made or removed, and the VersionId named.
inline http_response delete_multiple(bucket_store& store, const testing::emulator_options& options, const exchange& x) {
    if (!x.header("Content-MD5"))
        return error_reply(x, 400, "InvalidRequest", "Missing required header for this request: Content-MD5");
    const result<delete_request> request = parse_delete_body(x.body);
    if (!request)
        return error_reply(x, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
    xml::writer w;
    w.start("DeleteResult");
    for (const delete_entry& e : request->objects) {
        const entry_outcome done = delete_one(store, options, e, x.now);
        const bool failed = !done.code.empty();
        if (!failed && request->quiet) continue;
        w.start(failed ? "Error" : "Deleted").element("Key", xml_safe(e.key));
        if (done.delete_marker) w.element("DeleteMarker", "true").element("DeleteMarkerVersionId", done.delete_marker_version_id);
        if (e.version_id) w.element("VersionId", *e.version_id);
        if (failed) w.element("Code", done.code).element("Message", done.message);
        w.end();
    }
    w.end();
    return xml_reply(x, w);
}

}  // namespace coswire::detail::emu
