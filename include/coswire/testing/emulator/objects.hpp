// SPDX-License-Identifier: MIT
// The emulator's object operations (docs/protocol/objects.md): PUT, GET and HEAD with one byte
// range and RFC 9110 conditions, DELETE, and the key checks they share; versionId and delete
// markers as testing/emulator/versions.hpp reads them.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/detail/decimal.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/http/message.hpp>
#include <coswire/testing/emulator/acl.hpp>
#include <coswire/testing/emulator/options.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/restore.hpp>
#include <coswire/testing/emulator/sse.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/testing/emulator/tagging.hpp>
#include <coswire/testing/emulator/versions.hpp>
#include <coswire/time/http_date.hpp>
#include <coswire/xml/reader.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// Strips XML whitespace (space, tab, CR, LF) from both ends.
constexpr std::string_view trim_space(std::string_view s) noexcept {
    while (!s.empty() && is_xml_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_xml_space(s.back())) s.remove_suffix(1);
    return s;
}

/// An entity tag without blanks, weak prefix or quotes: `W/"abc"` → `abc`.
constexpr std::string_view bare_etag(std::string_view tag) noexcept {
    tag = trim_space(tag);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') tag = tag.substr(1, tag.size() - 2);
    return tag;
}

/// Whether an If-Match / If-None-Match list (`"a", "b"` or `*`) names `etag`.
constexpr bool etag_list_matches(std::string_view list, std::string_view etag) noexcept {
    for (;;) {
        const std::size_t comma = list.find(',');
        const std::string_view item = bare_etag(list.substr(0, comma));
        if (item == "*" || iequals(item, bare_etag(etag))) return true;
        if (comma == std::string_view::npos) return false;
        list.remove_prefix(comma + 1);
    }
}

/// `bytes=first-last`, `bytes=first-` or `bytes=-length`; one range only.
struct range_spec {
    bool suffix = false;  ///< `-length`: `first` holds the length
    std::uint64_t first = 0;
    std::optional<std::uint64_t> last{};  ///< absent for `first-`
};

/// Parses a single byte range; nothing for any other text (several ranges, first > last, ...),
/// which a GET ignores as RFC 9110 section 14.2 asks.
constexpr std::optional<range_spec> parse_range(std::string_view text) noexcept {
    text = trim_space(text);
    if (!text.starts_with("bytes=")) return std::nullopt;
    text.remove_prefix(6);
    const std::size_t dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const std::string_view first_text = text.substr(0, dash), last_text = text.substr(dash + 1);
    if (first_text.empty()) {
        const auto length = parse_unsigned_decimal(last_text);
        if (!length) return std::nullopt;
        return range_spec{true, length.value, std::nullopt};
    }
    const auto first = parse_unsigned_decimal(first_text);
    if (!first) return std::nullopt;
    if (last_text.empty()) return range_spec{false, first.value, std::nullopt};
    const auto last = parse_unsigned_decimal(last_text);
    if (!last || last.value < first.value) return std::nullopt;
    return range_spec{false, first.value, last.value};
}

/// Inclusive byte offsets.
struct byte_range {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
};

/// The bytes a range selects of a `size`-byte object (the end clamped to the object); nothing
/// when it selects none (416 InvalidRange).
constexpr std::optional<byte_range> resolve_range(const range_spec& spec, std::uint64_t size) noexcept {
    if (spec.suffix) {
        if (spec.first == 0 || size == 0) return std::nullopt;
        return byte_range{size - std::min(spec.first, size), size - 1};
    }
    if (spec.first >= size) return std::nullopt;
    return byte_range{spec.first, std::min(spec.last.value_or(size - 1), size - 1)};
}

enum class precondition { pass, not_modified, failed };

/// RFC 9110 section 13.2.2 order: If-Match, else If-Unmodified-Since; then If-None-Match, else
/// If-Modified-Since. `prefix` is "" for GET/HEAD and "x-cos-copy-source-" for a copy source.
inline precondition evaluate_preconditions(const exchange& x, std::string_view prefix, const testing::emulated_object& o) {
    const auto named = [&](std::string_view name) { return x.header(std::string(prefix) + std::string(name)); };
    const auto date_of = [&](std::string_view name) -> std::optional<std::int64_t> {
        if (const auto text = named(name))
            if (const result<std::int64_t> t = parse_http_date(*text)) return *t;
        return std::nullopt;
    };
    if (const auto match = named("If-Match")) {
        if (!etag_list_matches(*match, o.etag)) return precondition::failed;
    } else if (const auto since = date_of("If-Unmodified-Since"); since && o.last_modified > *since) {
        return precondition::failed;
    }
    if (const auto none_match = named("If-None-Match")) {
        if (etag_list_matches(*none_match, o.etag)) return precondition::not_modified;
    } else if (const auto since = date_of("If-Modified-Since"); since && o.last_modified <= *since) {
        return precondition::not_modified;
    }
    return precondition::pass;
}

/// The headers an object keeps from the request that stores it: Content-Type, Cache-Control,
/// Content-Disposition, Content-Encoding, Expires and x-cos-meta-*.
inline std::vector<http_header> stored_metadata(const exchange& x) {
    static constexpr std::array<std::string_view, 5> kept{"Content-Type", "Cache-Control", "Content-Disposition",
                                                          "Content-Encoding", "Expires"};
    std::vector<http_header> out;
    for (const header_field& h : x.headers)
        if (istarts_with(h.name, "x-cos-meta-") ||
            std::any_of(kept.begin(), kept.end(), [&](std::string_view k) { return iequals(h.name, k); }))
            out.push_back({std::string(h.name), std::string(trim_blanks(h.value))});
    return out;
}

/// The key of an object request: at most 850 bytes (400 KeyTooLong) and text XML can carry.
inline refusal check_key(const exchange& x) {
    const std::string_view key = x.key();
    if (key.size() > max_object_key_size) return error_reply(x, 400, "KeyTooLong", "Your key is too long (at most 850 bytes).");
    // Control characters (docs/protocol/endpoints.md#object-keys forbids some) never get this far: the signature
    // check refuses a path holding one. What is left to refuse is U+FFFE / U+FFFF.
    if (xml_text_error_offset(key) != key.size()) return error_reply(x, 400, "InvalidObjectName", "The specified object name is not valid.");
    return std::nullopt;
}

/// What a write takes from its request besides the bytes and metadata: the tags of
/// x-cos-tagging, the class of x-cos-storage-class (else STANDARD, never a copy source's), the
/// encryption it names (read_write_encryption) and the ACL of its x-cos-acl and grant headers.
struct write_attributes {
    std::vector<object_tag> tags{};
    std::string storage_class{};
    testing::emulated_encryption encryption{};
    testing::emulated_acl acl{};
};

/// Reads `out` from the request of a write, refusing what PUT Object would refuse, in this order.
inline refusal read_write_attributes(const bucket_store& store, const exchange& x, write_attributes& out) {
    if (refusal r = read_tagging_header(x, out.tags)) return r;
    if (refusal r = read_storage_class(x, out.storage_class)) return r;
    if (refusal r = read_write_encryption(store, x, out.encryption)) return r;
    return read_acl_headers(x, out.acl);
}

/// Stores `data` under `key` as a write with `attributes` does (store_object decides what
/// happens to what was there).
inline testing::emulated_object& store_write(bucket_store& store, std::string_view key, std::string data,
                                             std::vector<http_header> metadata, std::int64_t now, write_attributes attributes) {
    testing::emulated_object& o =
        store.store_object(key, std::move(data), std::move(metadata), std::nullopt, now, std::move(attributes.encryption));
    o.tags = std::move(attributes.tags);
    o.storage_class = std::move(attributes.storage_class);
    o.acl = std::move(attributes.acl);
    return o;
}

/// PUT Object: stores the body under the key, within the quota, with the attributes its
/// request names (read_write_attributes); a new version while versioning is Enabled.
inline http_response put_object(bucket_store& store, const exchange& x) {
    write_attributes attributes;
    if (refusal r = read_write_attributes(store, x, attributes)) return std::move(*r);
    if (!store.fits(x.body.size(), store.replaced_size(x.key()))) return too_large(x);
    const testing::emulated_object& o = store_write(store, x.key(), std::string(x.body), stored_metadata(x), x.now, std::move(attributes));
    http_response r = reply(x, 200);
    add_integrity_headers(r, o.etag, o.crc64, {});
    add_encryption_headers(r, o.encryption);
    add_new_version_header(r, store, o);
    return r;
}

/// DELETE Object: 204 whether or not the key existed; 403 AccessDenied for an undeletable key.
/// Without versionId, while versioning is on, a delete marker becomes the latest version
/// (x-cos-delete-marker: true and its x-cos-version-id). With versionId that version or marker
/// goes for good (its x-cos-version-id, and x-cos-delete-marker for a marker); a missing "null"
/// version counts as deleted, as a missing key does, and another missing one is 404 NoSuchVersion.
inline http_response delete_object(bucket_store& store, const testing::emulator_options& options, const exchange& x) {
    if (std::find(options.undeletable_keys.begin(), options.undeletable_keys.end(), x.key()) != options.undeletable_keys.end())
        return error_reply(x, 403, "AccessDenied", "Access Denied.");
    http_response r = reply(x, 204);
    if (x.param("versionId") == nullptr) {
        if (const testing::emulated_object* marker = store.delete_latest(x.key(), x.now)) {
            r.headers.push_back({"x-cos-delete-marker", "true"});
            add_version_header(r, store, *marker);
        }
        return r;
    }
    const std::optional<testing::emulated_object> gone = store.erase_version(x.key(), x.param_value("versionId"));
    if (!gone && x.param_value("versionId") == "null") return r;
    if (!gone) return error_reply(x, 404, "NoSuchVersion", "The specified version does not exist.");
    if (gone->delete_marker) r.headers.push_back({"x-cos-delete-marker", "true"});
    add_version_header(r, store, *gone);
    return r;
}

/// GET or HEAD Object of the version find_addressed names, with its conditions, one byte range
/// and the response-* overrides; an x-cos-server-side-encryption header is 400
/// SSEHeaderNotAllowed (downloads must not send it), an SSE-C object needs its key
/// (check_customer_key), and a GET of an archived object without a restored copy is 403
/// InvalidObjectState. With
/// `lent` null the body is copied into the answer; otherwise the answer's body stays empty and
/// `*lent` views the bytes in the store (valid while the store is not changed), so a streamed
/// download costs no copy.
inline http_response get_object(const bucket_store& store, const exchange& x, std::string_view* lent = nullptr) {
    const testing::emulated_object* found = nullptr;
    if (refusal r = find_addressed(store, x, found)) return std::move(*r);
    const testing::emulated_object& o = *found;
    if (x.header("x-cos-server-side-encryption"))
        return error_reply(x, 400, "SSEHeaderNotAllowed", "x-cos-server-side-encryption is not allowed on a download.");
    if (refusal r = check_customer_key(x, o.encryption, key_use::read)) return std::move(*r);
    if (!x.is_head() && !readable(o, x.now)) return invalid_object_state(x, o);
    const precondition condition = evaluate_preconditions(x, "", o);
    if (condition == precondition::failed) return precondition_failed(x);
    if (condition == precondition::not_modified) {
        http_response r = reply(x, 304);
        r.headers.push_back({"ETag", o.etag});
        r.headers.push_back({"Last-Modified", format_date(o.last_modified)});
        r.headers.push_back({"x-cos-trace-id", x.trace_id});
        return r;
    }
    const std::uint64_t size = o.data.size();
    byte_range range{0, size == 0 ? 0 : size - 1};
    bool partial = false;
    if (const auto range_text = x.header("Range"))
        if (const auto spec = parse_range(*range_text)) {
            const auto resolved = resolve_range(*spec, size);
            if (!resolved) {
                http_response r = error_reply(x, 416, "InvalidRange", "The requested range is not satisfiable");
                r.headers.push_back({"Content-Range", "bytes */" + std::to_string(size)});
                return r;
            }
            range = *resolved;
            partial = true;
        }
    const std::size_t length = size == 0 ? 0 : static_cast<std::size_t>(range.last - range.first + 1);
    std::vector<http_header> headers = o.metadata;
    const auto is_content_type = [](const http_header& h) { return iequals(h.name, "Content-Type"); };
    if (std::none_of(headers.begin(), headers.end(), is_content_type)) headers.push_back({"Content-Type", "application/octet-stream"});
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> overrides{{
        {"response-content-type", "Content-Type"},
        {"response-content-language", "Content-Language"},
        {"response-expires", "Expires"},
        {"response-cache-control", "Cache-Control"},
        {"response-content-disposition", "Content-Disposition"},
        {"response-content-encoding", "Content-Encoding"},
    }};
    for (const auto& [param, header] : overrides)
        if (x.param(param) != nullptr) set_header(headers, header, std::string(x.param_value(param)));
    const std::string_view body = x.is_head() ? std::string_view() : std::string_view(o.data).substr(static_cast<std::size_t>(range.first), length);
    if (lent != nullptr) *lent = body;
    http_response r = reply(x, partial ? 206 : 200, lent != nullptr ? std::string() : std::string(body));
    set_header(r.headers, "Content-Length", std::to_string(length));
    r.headers.push_back({"Accept-Ranges", "bytes"});
    r.headers.push_back({"Last-Modified", format_date(o.last_modified)});
    add_integrity_headers(r, o.etag, o.crc64, {});
    add_encryption_headers(r, o.encryption);
    if (!o.tags.empty()) r.headers.push_back({"x-cos-tagging-count", std::to_string(o.tags.size())});
    r.headers.push_back({"x-cos-object-type", o.appendable ? "appendable" : "normal"});
    add_storage_headers(r, o, x.now);
    add_version_header(r, store, o);
    if (partial)
        r.headers.push_back({"Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
                                                  std::to_string(size)});
    r.headers.insert(r.headers.end(), headers.begin(), headers.end());
    return r;
}

}  // namespace coswire::detail::emu
