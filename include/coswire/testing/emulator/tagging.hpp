// SPDX-License-Identifier: MIT
// The emulator's object tags (docs/protocol/tagging.md): PUT, GET and DELETE ?tagging, and the
// x-cos-tagging header that tags an object when it is written.
#pragma once

#include <coswire/api/tagging.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/testing/emulator/versions.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>
#include <coswire/xml/writer.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// Checks a tag set as COS does: more than 10 tags → 400 BadRequest; a bad key or value or a
/// repeated key (coswire::validate_object_tags's rule, the strictest reading of Tencent's
/// pages) → 400 InvalidTag.
inline refusal check_tags(const exchange& x, const std::vector<object_tag>& tags) {
    if (tags.size() > max_object_tags) return error_reply(x, 400, "BadRequest", "An object can have at most 10 tags.");
    if (const result<void> ok = validate_object_tags(tags); !ok)
        return error_reply(x, 400, "InvalidTag", "The tag provided was not a valid tag: " + ok.error().reason);
    return std::nullopt;
}

/// The tags of an x-cos-tagging header, `k1=v1&k2=v2` with each key and value percent-encoded,
/// into `out`; no header leaves `out` empty. A bad %-escape → 400 InvalidTag, then check_tags.
inline refusal read_tagging_header(const exchange& x, std::vector<object_tag>& out) {
    out.clear();
    const std::optional<std::string_view> header = x.header("x-cos-tagging");
    if (!header || header->empty()) return std::nullopt;
    std::string_view rest = *header;
    for (;;) {
        const std::string_view pair = rest.substr(0, rest.find('&'));
        const std::size_t equals = pair.find('=');
        const result<std::string> key = percent_decode(pair.substr(0, equals), "x-cos-tagging");
        const result<std::string> value =
            percent_decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), "x-cos-tagging");
        if (!key || !value) return error_reply(x, 400, "InvalidTag", "x-cos-tagging has a bad %-escape.");
        out.push_back({*key, *value});
        if (pair.size() == rest.size()) break;
        rest.remove_prefix(pair.size() + 1);
    }
    return check_tags(x, out);
}

/// Reads a Tagging document: Tagging/TagSet/Tag{Key, Value}. Errors (400 MalformedXML): not
/// XML, another root, a Tag without Key.
inline result<std::vector<object_tag>> parse_tagging_body(std::string_view body) {
    std::vector<object_tag> tags;
    xml::reader reader(body);
    result<void> read = xml::read_document(reader, [&](std::string_view root, xml::reader& r) -> result<void> {
        if (root != "Tagging") return make_error(errc::malformed_response, "body", "the root element is not <Tagging>");
        return xml::for_each_child(r, [&](std::string_view name, xml::reader& set) -> result<void> {
            if (name != "TagSet") return {};
            return xml::for_each_child(set, [&](std::string_view tag_name, xml::reader& tag) -> result<void> {
                if (tag_name != "Tag") return {};
                object_tag t;
                bool has_key = false;
                result<void> fields = xml::for_each_child(tag, [&](std::string_view field, xml::reader& f) -> result<void> {
                    if (field != "Key" && field != "Value") return {};
                    result<std::string_view> text = f.read_text();
                    if (!text) return std::move(text).error();
                    (field == "Key" ? t.key : t.value) = std::string(*text);
                    has_key = has_key || field == "Key";
                    return {};
                });
                if (!fields) return fields;
                if (!has_key) return make_error(errc::malformed_response, "body", "a <Tag> lacks its Key");
                tags.push_back(std::move(t));
                return {};
            });
        });
    });
    if (!read) return std::move(read).error();
    return tags;
}

/// PUT Object tagging: the Tagging document replaces every tag of the version find_addressed
/// names (the current one without versionId); 200 with no body.
inline http_response put_tagging(bucket_store& store, const exchange& x) {
    testing::emulated_object* o = nullptr;
    if (refusal r = find_addressed(store, x, o)) return std::move(*r);
    result<std::vector<object_tag>> tags = parse_tagging_body(x.body);
    if (!tags)
        return error_reply(x, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
    if (refusal r = check_tags(x, *tags)) return std::move(*r);
    o->tags = std::move(*tags);
    return reply(x, 200);
}

/// GET Object tagging: the tags as a Tagging document; an untagged object has an empty TagSet.
inline http_response get_tagging(bucket_store& store, const exchange& x) {
    testing::emulated_object* o = nullptr;
    if (refusal r = find_addressed(store, x, o)) return std::move(*r);
    xml::writer w;
    w.start("Tagging").start("TagSet");
    for (const object_tag& t : o->tags) w.start("Tag").element("Key", t.key).element("Value", t.value).end();
    w.end().end();
    return xml_reply(x, w);
}

/// DELETE Object tagging: every tag goes; 204.
inline http_response delete_tagging(bucket_store& store, const exchange& x) {
    testing::emulated_object* o = nullptr;
    if (refusal r = find_addressed(store, x, o)) return std::move(*r);
    o->tags.clear();
    return reply(x, 204);
}

}  // namespace coswire::detail::emu
