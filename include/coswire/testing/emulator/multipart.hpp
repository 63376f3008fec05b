// SPDX-License-Identifier: MIT
// The emulator's multipart operations (docs/protocol/multipart.md): Initiate, Upload Part and
// Upload Part - Copy, Complete (its body, part checks, the combined ETag and CRC-64) and Abort.
#pragma once

#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/detail/decimal.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/error.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator/acl.hpp>
#include <coswire/testing/emulator/copy.hpp>
#include <coswire/testing/emulator/objects.hpp>
#include <coswire/testing/emulator/options.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/sse.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/testing/emulator/versions.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>
#include <coswire/xml/writer.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// A part as Complete Multipart Upload's body lists it.
struct listed_part {
    std::uint64_t number = 0;
    std::string etag{};
};

/// Reads a CompleteMultipartUpload body (docs/protocol/multipart.md#complete-multipart-upload). Errors (any kind means 400 MalformedXML): not
/// XML, another root, a Part without PartNumber or ETag, a PartNumber that is not a number, no
/// Part at all.
inline result<std::vector<listed_part>> parse_complete_body(std::string_view body) {
    const auto malformed = [](std::string reason) { return make_error(errc::malformed_response, "body", std::move(reason)); };
    std::vector<listed_part> parts;
    xml::reader reader(body);
    result<void> read = xml::read_document(reader, [&](std::string_view root, xml::reader& r) -> result<void> {
        if (root != "CompleteMultipartUpload") return malformed("the root element is not <CompleteMultipartUpload>");
        return xml::for_each_child(r, [&](std::string_view name, xml::reader& part) -> result<void> {
            if (name != "Part") return {};
            listed_part p;
            bool has_number = false, has_etag = false;
            result<void> fields = xml::for_each_child(part, [&](std::string_view field, xml::reader& f) -> result<void> {
                if (field != "PartNumber" && field != "ETag") return {};
                result<std::string_view> text = f.read_text();
                if (!text) return std::move(text).error();
                if (field == "ETag") {
                    p.etag = std::string(trim_space(*text));
                    has_etag = true;
                    return {};
                }
                const auto number = parse_unsigned_decimal(trim_space(*text));
                if (!number) return malformed("PartNumber is not a decimal number");
                p.number = number.value;
                has_number = true;
                return {};
            });
            if (!fields) return fields;
            if (!has_number || !has_etag) return malformed("a <Part> lacks PartNumber or ETag");
            parts.push_back(std::move(p));
            return {};
        });
    });
    if (!read) return std::move(read).error();
    if (parts.empty()) return malformed("the body lists no <Part>");
    return parts;
}

/// The S3 rule for a multipart ETag, which COS leaves opaque (docs/protocol/integrity.md#etag):
/// `"<MD5 of the binary part MD5s>-<N>"`; a part ETag that is not 32 hex digits adds nothing.
inline std::string multipart_etag(std::span<const testing::emulated_part* const> parts) {
    md5 hash;
    for (const testing::emulated_part* part : parts)
        if (const auto digest = from_hex_array<16>(bare_etag(part->etag)))
            hash.update(std::as_bytes(std::span<const std::uint8_t>(*digest)));
    const auto hex = to_hex(hash.finish());
    return "\"" + std::string(to_string_view(hex)) + "-" + std::to_string(parts.size()) + "\"";
}

/// Initiate Multipart Upload; the attributes it names (read_write_attributes: tags, class,
/// encryption, ACL) apply to every part and to the object.
inline http_response initiate(bucket_store& store, const testing::emulator_options& options, const exchange& x) {
    write_attributes attributes;
    if (refusal r = read_write_attributes(store, x, attributes)) return std::move(*r);
    testing::emulated_upload& u = store.initiate(x.key(), stored_metadata(x), x.now);
    u.tags = std::move(attributes.tags);
    u.storage_class = std::move(attributes.storage_class);
    u.encryption = std::move(attributes.encryption);
    u.acl = std::move(attributes.acl);
    xml::writer w;
    w.start("InitiateMultipartUploadResult").element("Bucket", options.bucket).element("Key", u.key).element("UploadId", u.upload_id).end();
    http_response r = xml_reply(x, w);
    add_encryption_headers(r, u.encryption);
    return r;
}

/// The bytes an Upload Part - Copy takes (docs/protocol/multipart.md#upload-part-copy): the
/// source find_copy_source names, or the x-cos-copy-source-range of it.
inline refusal read_copy_source(const bucket_store& store, const testing::emulator_options& options, const exchange& x,
                                std::string_view source, std::string& out) {
    const testing::emulated_object* o = nullptr;
    if (refusal r = find_copy_source(store, options, x, source, o)) return r;
    out = o->data;
    if (const auto range_text = x.header("x-cos-copy-source-range")) {
        const auto spec = parse_range(*range_text);
        if (!spec || spec->suffix || !spec->last || *spec->last >= o->data.size())
            return invalid_argument(x, "x-cos-copy-source-range must be bytes=first-last inside the source object.");
        out = o->data.substr(static_cast<std::size_t>(spec->first), static_cast<std::size_t>(*spec->last - spec->first + 1));
    }
    return std::nullopt;
}

/// Upload Part, or Upload Part - Copy when x-cos-copy-source is sent. A part of an SSE-C upload
/// needs the upload's key (check_customer_key), which an Upload Part - Copy may leave out.
inline http_response upload_part(bucket_store& store, const testing::emulator_options& options, const exchange& x) {
    const auto number = parse_unsigned_decimal(x.param_value("partNumber"), max_part_count);
    if (!number || number.value < 1)
        return invalid_argument(x, "Part number must be an integer between 1 and 10000, inclusive.");
    testing::emulated_upload* u = store.find_upload(x.param_value("uploadId"), x.key());
    if (u == nullptr) return no_such_upload(x);
    const std::optional<std::string_view> source = x.header("x-cos-copy-source");
    if (refusal r = check_customer_key(x, u->encryption, source ? key_use::optional : key_use::read)) return std::move(*r);
    std::string data;
    if (source) {
        if (refusal r = read_copy_source(store, options, x, *source, data)) return std::move(*r);
    } else {
        data = std::string(x.body);
    }
    const auto part_number = static_cast<std::uint32_t>(number.value);
    const auto old = u->parts.find(part_number);
    if (!store.fits(data.size(), old == u->parts.end() ? 0 : old->second.data.size())) return too_large(x);
    const testing::emulated_part& part = store.store_part(*u, part_number, std::move(data), x.now);
    if (!source) {
        http_response r = reply(x, 200);
        add_integrity_headers(r, part.etag, part.crc64, {});
        add_encryption_headers(r, u->encryption);
        return r;
    }
    xml::writer w;
    w.start("CopyPartResult").element("ETag", part.etag).element("LastModified", format_iso8601(part.last_modified)).end();
    http_response r = xml_reply(x, w);
    add_integrity_headers(r, {}, part.crc64, {});
    add_encryption_headers(r, u->encryption);
    return r;
}

/// Complete Multipart Upload: the listed parts, ascending, each uploaded with the ETag listed,
/// 1..N unless allow_part_gaps, all but the last at least min_part_size. An SSE-C key is not
/// needed (Complete moves no bytes), but one that is sent must be the upload's. The object is
/// stored as PUT Object stores one (a new version, with x-cos-version-id, while versioning is
/// Enabled).
inline http_response complete(bucket_store& store, const testing::emulator_options& options, const exchange& x) {
    testing::emulated_upload* u = store.find_upload(x.param_value("uploadId"), x.key());
    if (u == nullptr) return no_such_upload(x);
    if (refusal r = check_customer_key(x, u->encryption, key_use::optional)) return std::move(*r);
    const result<std::vector<listed_part>> listed_parts = parse_complete_body(x.body);
    if (!listed_parts)
        return error_reply(x, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
    const std::vector<listed_part>& parts = *listed_parts;
    for (std::size_t i = 1; i < parts.size(); ++i)
        if (parts[i].number <= parts[i - 1].number)
            return error_reply(x, 400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.");
    std::vector<const testing::emulated_part*> chosen;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto it = parts[i].number > max_part_count ? u->parts.end() : u->parts.find(static_cast<std::uint32_t>(parts[i].number));
        if (it == u->parts.end() || !iequals(bare_etag(parts[i].etag), bare_etag(it->second.etag)))
            return error_reply(x, 400, "InvalidPart", "Part " + std::to_string(parts[i].number) + " was not uploaded or its ETag does not match.");
        if (!options.allow_part_gaps && parts[i].number != i + 1)
            return error_reply(x, 400, "InvalidPart", "Part numbers must be 1 to N without gaps; part " + std::to_string(i + 1) + " is not listed.");
        chosen.push_back(&it->second);
    }
    for (std::size_t i = 0; i + 1 < chosen.size(); ++i)
        if (chosen[i]->data.size() < options.min_part_size)
            return error_reply(x, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.");

    // The object is the listed parts in order; its CRC is folded from the part CRCs
    // (docs/protocol/integrity.md#combining-crc-64-values).
    std::string data;
    std::uint64_t crc = 0;
    for (const testing::emulated_part* part : chosen) {
        data += part->data;
        crc = crc64_combine(crc, part->crc64, part->data.size());
    }
    const std::string etag = multipart_etag(chosen);
    const std::string key = u->key;
    std::vector<http_header> metadata = std::move(u->metadata);
    std::vector<object_tag> tags = std::move(u->tags);
    std::string storage_class = std::move(u->storage_class);
    testing::emulated_encryption encryption = std::move(u->encryption);
    testing::emulated_acl acl = std::move(u->acl);
    store.drop_upload(*u);
    testing::emulated_object& o = store.store_object(key, std::move(data), std::move(metadata), etag, x.now, std::move(encryption));
    o.tags = std::move(tags);
    o.storage_class = std::move(storage_class);
    o.acl = std::move(acl);

    // COS answers 200 at once and keeps the connection alive with blanks while it merges.
    xml::writer w;
    w.start("CompleteMultipartUploadResult")
        .element("Location", "http://" + options.host + "/" + path_encode(key))
        .element("Bucket", options.bucket)
        .element("Key", key)
        .element("ETag", etag)
        .end();
    http_response r = xml_reply(x, w, "\n    \n    \n");
    constexpr std::string_view root = "<CompleteMultipartUploadResult>";
    if (const std::size_t at = r.body.find(root); at != std::string::npos) {
        r.body.replace(at, root.size(), "<CompleteMultipartUploadResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">");
        set_header(r.headers, "Content-Length", std::to_string(r.body.size()));
    }
    add_integrity_headers(r, {}, crc, {});
    add_encryption_headers(r, o.encryption);
    add_new_version_header(r, store, o);
    return r;
}

/// Abort Multipart Upload: the upload and its parts are forgotten.
inline http_response abort_upload(bucket_store& store, const exchange& x) {
    testing::emulated_upload* u = store.find_upload(x.param_value("uploadId"), x.key());
    if (u == nullptr) return no_such_upload(x);
    store.drop_upload(*u);
    return reply(x, 204);
}

}  // namespace coswire::detail::emu
