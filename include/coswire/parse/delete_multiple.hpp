// SPDX-License-Identifier: MIT
// Response parser for DELETE Multiple Objects, and the check of an answer against its request
// (docs/protocol/delete-multiple.md#answer); delete_objects, which deletes a list of any length in
// requests of 1000 and merges their answers, is in <coswire/objects/delete_multiple.hpp>.
//
// Choices where Tencent's pages are silent:
// - A 200 whose body is <Error> is the error of the whole request; <Error> entries inside a
//   DeleteResult are per-key failures and are returned, not turned into an error.
// - Each Deleted entry needs its Key, each Error entry its Key and Code; DeleteMarker is
//   true/false. More entries than a request may name (1000) is malformed.
// - delete_objects checks each answer against its request: every key reported must have been
//   asked for, and outside quiet mode every key asked for must be reported, so an answer about
//   other keys (or silent about some) is not taken for a success.
#pragma once

#include <coswire/api/delete_multiple.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/parse/xml_fields.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// One Deleted entry.
struct deleted_object {
    std::string key{};
    std::string version_id{};                ///< the version deleted, when one was named
    bool delete_marker = false;              ///< a delete marker was created or deleted
    std::string delete_marker_version_id{};  ///< that delete marker's version id
};

/// One Error entry: a key COS did not delete.
struct delete_failure {
    std::string key{};
    std::string version_id{};
    std::string code{};     ///< e.g. AccessDenied, PathConflict
    std::string message{};
};

/// What DELETE Multiple Objects answered (DeleteResult); in quiet mode `deleted` is empty.
struct delete_multiple_objects_result {
    std::string request_id{};               ///< x-cos-request-id (of the last request, after a merge)
    std::vector<deleted_object> deleted{};  ///< in the order listed
    std::vector<delete_failure> errors{};   ///< in the order listed
};

/// DELETE Multiple Objects: a 200 DeleteResult of Deleted and Error entries. Errors:
/// parse_error_response(r) for any other status or a 200 whose body is <Error>;
/// malformed_response naming "document" (bad XML, another root, more than 1000 entries), "Key"
/// (missing or empty), "Code" (an Error entry without one), "DeleteMarker" (not true/false), or a
/// header that repeats; limit_exceeded from the XML reader's limits.
inline result<delete_multiple_objects_result> parse_delete_multiple_objects_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    delete_multiple_objects_result out;
    out.request_id = detail::request_id_of(r);
    const auto entries = [&] { return out.deleted.size() + out.errors.size(); };
    auto parsed = detail::read_result_document(r, "DeleteResult", [&](std::string_view name, xml::reader& c) -> result<void> {
        const bool is_deleted = detail::element_is(name, "Deleted");
        if (!is_deleted && !detail::element_is(name, "Error")) return {};
        if (entries() == max_delete_objects)
            return detail::malformed_element("document", "DeleteResult lists more than the 1000 entries a request may name");
        if (is_deleted) {
            deleted_object d;
            auto ok = xml::for_each_child(c, [&](std::string_view field, xml::reader& f) -> result<void> {
                if (detail::element_is(field, "Key")) return detail::read_element_text(f, d.key);
                if (detail::element_is(field, "VersionId")) return detail::read_element_text(f, d.version_id);
                if (detail::element_is(field, "DeleteMarker")) return detail::store(detail::read_element_boolean(f, "DeleteMarker"), d.delete_marker);
                if (detail::element_is(field, "DeleteMarkerVersionId")) return detail::read_element_text(f, d.delete_marker_version_id);
                return {};
            });
            if (!ok) return ok;
            if (d.key.empty()) return detail::malformed_element("Key", "a Deleted entry has no Key");
            out.deleted.push_back(std::move(d));
            return {};
        }
        delete_failure e;
        auto ok = xml::for_each_child(c, [&](std::string_view field, xml::reader& f) -> result<void> {
            if (detail::element_is(field, "Key")) return detail::read_element_text(f, e.key);
            if (detail::element_is(field, "VersionId")) return detail::read_element_text(f, e.version_id);
            if (detail::element_is(field, "Code")) return detail::read_element_text(f, e.code);
            if (detail::element_is(field, "Message")) return detail::read_element_text(f, e.message);
            return {};
        });
        if (!ok) return ok;
        if (e.key.empty()) return detail::malformed_element("Key", "an Error entry has no Key");
        if (e.code.empty()) return detail::malformed_element("Code", "the Error entry of '" + e.key.substr(0, 80) + "' has no Code");
        out.errors.push_back(std::move(e));
        return {};
    });
    if (!parsed) return std::move(parsed).error();
    return out;
}

namespace detail {

/// Checks an answer against the request it answers (see the header comment). Errors:
/// malformed_response naming "Key".
inline result<void> check_delete_answer(const delete_multiple_objects_params& asked, const delete_multiple_objects_result& answer) {
    std::set<std::string_view> keys;
    for (const object_to_delete& o : asked.objects) keys.insert(o.key);
    std::set<std::string_view> reported;
    const auto check = [&](const std::string& key) -> result<void> {
        if (!keys.count(key))
            return malformed_element("Key", "the answer reports '" + key.substr(0, 80) + "', which the request did not name");
        reported.insert(key);
        return {};
    };
    for (const deleted_object& d : answer.deleted)
        if (auto ok = check(d.key); !ok) return ok;
    for (const delete_failure& e : answer.errors)
        if (auto ok = check(e.key); !ok) return ok;
    if (!asked.quiet && reported.size() != keys.size())
        return malformed_element("Key", "the answer reports " + std::to_string(reported.size()) + " of the " +
                                             std::to_string(keys.size()) + " keys asked for, outside quiet mode");
    return {};
}

}  // namespace detail

}  // namespace coswire
