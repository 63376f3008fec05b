// SPDX-License-Identifier: MIT
// Response parsers for PUT, GET and DELETE Object tagging (docs/protocol/tagging.md).
//
// Choices where Tencent's pages are silent:
// - PUT succeeds with 200, DELETE with 204 (200 accepted too); a 2xx whose body is <Error> is
//   that error.
// - GET's TagSet may be empty (an object without tags); each Tag needs a non-empty Key (Value may
//   be empty or absent); more than the 10 tags an object may carry is malformed.
#pragma once

#include <coswire/api/tagging.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/parse/xml_fields.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// What PUT Object tagging answered.
struct put_object_tagging_result {
    std::string request_id{};  ///< x-cos-request-id
    std::string version_id{};  ///< x-cos-version-id: the version tagged (versioned buckets)
};

/// What GET Object tagging answered.
struct get_object_tagging_result {
    std::string request_id{};        ///< x-cos-request-id
    std::string version_id{};        ///< x-cos-version-id
    std::vector<object_tag> tags{};  ///< in the order listed
};

/// What DELETE Object tagging answered.
struct delete_object_tagging_result {
    std::string request_id{};  ///< x-cos-request-id
    std::string version_id{};  ///< x-cos-version-id
};

namespace detail {

inline std::string version_id_of(const http_response& r) {
    const auto v = r.header("x-cos-version-id");
    return v ? std::string(*v) : std::string();
}

}  // namespace detail

/// PUT Object tagging: 200. Errors: parse_error_response(r) otherwise, also for a 200 <Error>;
/// malformed_response for a repeated one-value header.
inline result<put_object_tagging_result> parse_put_object_tagging_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    return put_object_tagging_result{detail::request_id_of(r), detail::version_id_of(r)};
}

/// GET Object tagging: a 200 Tagging{TagSet{Tag{Key, Value}...}}. Errors: parse_error_response(r)
/// otherwise (404 NoSuchKey, ...); malformed_response naming "document" (bad XML, another
/// root), "Key" (a Tag without one), "TagSet" (more than 10 tags), or a repeated header;
/// limit_exceeded from the XML reader's limits.
inline result<get_object_tagging_result> parse_get_object_tagging_response(const http_response& r) {
    if (auto ok = expect_status(r, {200}, true); !ok) return std::move(ok).error();
    get_object_tagging_result out;
    out.request_id = detail::request_id_of(r);
    out.version_id = detail::version_id_of(r);
    const auto tag = [&](xml::reader& t) -> result<void> {
        if (out.tags.size() == max_object_tags)
            return detail::malformed_element("TagSet", "lists more than the 10 tags an object may carry");
        object_tag read;
        auto ok = xml::for_each_child(t, [&](std::string_view name, xml::reader& f) -> result<void> {
            if (detail::element_is(name, "Key")) return detail::read_element_text(f, read.key);
            if (detail::element_is(name, "Value")) return detail::read_element_text(f, read.value);
            return {};
        });
        if (!ok) return ok;
        if (read.key.empty()) return detail::malformed_element("Key", "a Tag has no Key");
        out.tags.push_back(std::move(read));
        return {};
    };
    auto parsed = detail::read_result_document(r, "Tagging", [&](std::string_view name, xml::reader& c) -> result<void> {
        if (!detail::element_is(name, "TagSet")) return {};
        return xml::for_each_child(c, [&](std::string_view child, xml::reader& t) -> result<void> {
            return detail::element_is(child, "Tag") ? tag(t) : result<void>{};
        });
    });
    if (!parsed) return std::move(parsed).error();
    return out;
}

/// DELETE Object tagging: 204 (or 200). Errors: parse_error_response(r) otherwise, also for a
/// 2xx <Error>.
inline result<delete_object_tagging_result> parse_delete_object_tagging_response(const http_response& r) {
    if (auto ok = expect_status(r, {204, 200}, true); !ok) return std::move(ok).error();
    return delete_object_tagging_result{detail::request_id_of(r), detail::version_id_of(r)};
}

}  // namespace coswire
