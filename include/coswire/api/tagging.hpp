// SPDX-License-Identifier: MIT
// Request builders for object tagging: PUT, GET and DELETE Object tagging (`?tagging`), the tag
// rules checked when a request is built, and the x-cos-tagging header value of an upload or copy
// (docs/protocol/tagging.md).
//
// Choices where Tencent's pages are silent or disagree (docs/protocol/tagging.md#limits):
// - The strictest reading of the three pages: at most 10 tags; a key of 1 to 127 characters and
//   under 128 bytes; a value of at most 255 characters and under 256 bytes (empty allowed);
//   characters: letters (any non-ASCII UTF-8 counts as one, so Chinese passes), digits, space
//   and + - _ = . : / @. Keys are case-sensitive and must not repeat.
// - PUT sends Content-MD5 of its body, as the page's example does.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/request.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/writer.hpp>

#include <cstddef>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// The most tags an object may carry (docs/protocol/tagging.md#limits).
inline constexpr std::size_t max_object_tags = 10;
/// A tag key holds at most 127 characters and fewer than 128 bytes (docs/protocol/tagging.md#limits).
inline constexpr std::size_t max_tag_key_chars = 127;
/// A tag value holds at most 255 characters and fewer than 256 bytes (docs/protocol/tagging.md#limits).
inline constexpr std::size_t max_tag_value_chars = 255;

/// One tag of an object.
struct object_tag {
    std::string key{};    ///< case-sensitive, unique within the object
    std::string value{};  ///< may be empty
};

namespace detail {

/// Checks one tag key or value: valid UTF-8, 1 (keys) or 0 (values) to `max_chars` characters
/// and at most `max_chars` bytes, only the characters the tag rule allows.
inline result<void> check_tag_text(std::string_view text, std::size_t index, std::string_view what, std::size_t max_chars,
                                   bool may_be_empty) {
    const auto refuse = [&](std::string why) {
        return make_error(errc::invalid_argument, "tags", "tag " + std::to_string(index) + ": the " + std::string(what) + " " + why);
    };
    if (text.empty() && !may_be_empty) return refuse("is empty");
    if (!is_valid_utf8(text)) return refuse("is not valid UTF-8");
    std::size_t chars = 0;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte & 0xC0) != 0x80) ++chars;  // not a continuation byte: a new character
        const bool allowed = byte >= 0x80 || is_alpha(c) || is_digit(c) || std::string_view(" +-_=.:/@").find(c) != std::string_view::npos;
        if (!allowed) return refuse("holds '" + std::string(1, c) + "'; tags allow letters, digits, space and + - _ = . : / @");
    }
    if (chars > max_chars || text.size() > max_chars)
        return refuse("is longer than " + std::to_string(max_chars) + " characters or bytes");
    return {};
}

}  // namespace detail

/// Checks a tag set against COS's rules (see the header comment). Errors: invalid_argument
/// naming "tags", the reason giving the tag's index: more than 10 tags, a bad key or value, a
/// key that repeats.
inline result<void> validate_object_tags(std::span<const object_tag> tags) {
    if (tags.size() > max_object_tags)
        return make_error(errc::invalid_argument, "tags", std::to_string(tags.size()) + " tags, an object carries at most 10");
    std::set<std::string_view> keys;
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (auto ok = detail::check_tag_text(tags[i].key, i, "key", max_tag_key_chars, false); !ok) return ok;
        if (auto ok = detail::check_tag_text(tags[i].value, i, "value", max_tag_value_chars, true); !ok) return ok;
        if (!keys.insert(tags[i].key).second)
            return make_error(errc::invalid_argument, "tags", "tag " + std::to_string(i) + ": the key '" + tags[i].key + "' repeats");
    }
    return {};
}

/// The x-cos-tagging header value of PUT Object, Initiate Multipart Upload and PUT Object - Copy
/// (object_attributes::tagging): `k1=v1&k2=v2`, each key and value percent-encoded so that '&'
/// and '=' cannot split the list. Errors: validate_object_tags's.
inline result<std::string> tagging_header_value(std::span<const object_tag> tags) {
    if (auto ok = validate_object_tags(tags); !ok) return std::move(ok).error();
    std::string out;
    for (const object_tag& t : tags) {
        if (!out.empty()) out += '&';
        percent_encode_append(out, t.key);
        out += '=';
        percent_encode_append(out, t.value);
    }
    return out;
}

/// PUT Object tagging: replaces every tag of the object (docs/protocol/tagging.md#put-object-tagging).
struct put_object_tagging_params {
    std::string key{};                        ///< the object key
    std::vector<object_tag> tags{};           ///< the new tag set, 0 to 10 tags
    std::optional<std::string> version_id{};  ///< tag this version; else the latest
    object_key_options key_options{};         ///< whether dot segments are allowed
};

/// GET Object tagging: the object's tags (docs/protocol/tagging.md#get-and-delete).
struct get_object_tagging_params {
    std::string key{};                        ///< the object key
    std::optional<std::string> version_id{};  ///< this version's tags; else the latest's
    object_key_options key_options{};         ///< whether dot segments are allowed
};

/// DELETE Object tagging: removes every tag of the object (docs/protocol/tagging.md#get-and-delete).
struct delete_object_tagging_params {
    std::string key{};                        ///< the object key
    std::optional<std::string> version_id{};  ///< untag this version; else the latest
    object_key_options key_options{};         ///< whether dot segments are allowed
};

namespace detail {

/// `<method> /<key>?tagging[&versionId=...]`. Errors: the key's, "version_id".
inline result<http_request> start_tagging_request(const endpoint& ep, std::string_view method, std::string_view key,
                                                  const std::optional<std::string>& version_id, const object_key_options& key_options) {
    auto r = make_object_request(ep, method, key, key_options);
    if (!r) return r;
    if (auto ok = add_param(*r, "tagging", std::nullopt, "tagging"); !ok) return std::move(ok).error();
    if (auto ok = add_nonempty_param(*r, "versionId", version_id, "version_id"); !ok) return std::move(ok).error();
    return r;
}

}  // namespace detail

/// The PUT body: `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>...</TagSet></Tagging>`,
/// compact and escaped. Errors: validate_object_tags's.
inline result<std::string> make_object_tagging_body(std::span<const object_tag> tags) {
    if (auto ok = validate_object_tags(tags); !ok) return std::move(ok).error();
    xml::writer w;
    w.start("Tagging").start("TagSet");
    for (const object_tag& t : tags) w.start("Tag").element("Key", t.key).element("Value", t.value).end();
    w.end().end();
    return w.finish();
}

/// `PUT /<key>?tagging[&versionId=]` with the body above, Content-Type, Content-Length and
/// Content-MD5. Errors (invalid_argument): "object_key" (map_object_key's, also
/// limit_exceeded), "version_id" (set but empty or a bad value), "tags" (validate_object_tags).
inline result<http_request> make_put_object_tagging_request(const endpoint& ep, const put_object_tagging_params& p) {
    auto r = detail::start_tagging_request(ep, "PUT", p.key, p.version_id, p.key_options);
    if (!r) return r;
    auto body = make_object_tagging_body(p.tags);
    if (!body) return std::move(body).error();
    detail::set_xml_body(*r, std::move(*body));
    return r;
}

/// `GET /<key>?tagging[&versionId=]`. Errors: "object_key", "version_id".
inline result<http_request> make_get_object_tagging_request(const endpoint& ep, const get_object_tagging_params& p) {
    return detail::start_tagging_request(ep, "GET", p.key, p.version_id, p.key_options);
}

/// `DELETE /<key>?tagging[&versionId=]`. Errors: "object_key", "version_id".
inline result<http_request> make_delete_object_tagging_request(const endpoint& ep, const delete_object_tagging_params& p) {
    return detail::start_tagging_request(ep, "DELETE", p.key, p.version_id, p.key_options);
}

}  // namespace coswire
