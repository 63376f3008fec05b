// SPDX-License-Identifier: MIT
// The emulator's storage classes and archive restores (docs/protocol/restore.md): the class an
// object is written with, the 403 InvalidObjectState of reading an archived object, POST
// ?restore and the x-cos-restore state. A restore finishes only when the test says so
// (cos_emulator::finish_restore): no clock or request count decides it.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/detail/decimal.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/testing/emulator/versions.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace coswire::detail::emu {

/// The storage classes a write may name (x-cos-storage-class).
inline constexpr std::array<std::string_view, 9> storage_classes{
    "STANDARD", "STANDARD_IA", "ARCHIVE", "DEEP_ARCHIVE", "INTELLIGENT_TIERING",
    "MAZ_STANDARD", "MAZ_STANDARD_IA", "MAZ_INTELLIGENT_TIERING", "MAZ_ARCHIVE"};

/// Whether objects of `storage_class` must be restored before they are read.
constexpr bool is_archive(std::string_view storage_class) noexcept {
    return storage_class == "ARCHIVE" || storage_class == "DEEP_ARCHIVE" || storage_class == "MAZ_ARCHIVE";
}

/// The class a write names, into `out` ("STANDARD" without the header); an unknown one is 400
/// NotSupportedStorageClass.
inline refusal read_storage_class(const exchange& x, std::string& out) {
    out = "STANDARD";
    const std::optional<std::string_view> named = x.header("x-cos-storage-class");
    if (!named) return std::nullopt;
    for (std::string_view c : storage_classes)
        if (iequals(*named, c)) {
            out = std::string(c);
            return std::nullopt;
        }
    return error_reply(x, 400, "NotSupportedStorageClass", "The storage class you specified is not supported.");
}

/// Whether the object's bytes may be read now: not archived, or restored and not yet expired.
inline bool readable(const testing::emulated_object& o, std::int64_t now) noexcept {
    return !is_archive(o.storage_class) || (o.restore == testing::restore_state::restored && now < o.restore_expiry);
}

/// 403 InvalidObjectState, naming the class in x-cos-storage-class: reading an archived object
/// that has no readable copy.
inline http_response invalid_object_state(const exchange& x, const testing::emulated_object& o) {
    http_response r = error_reply(x, 403, "InvalidObjectState", "The operation is not valid for the object's storage class.");
    r.headers.push_back({"x-cos-storage-class", o.storage_class});
    return r;
}

/// The headers GET and HEAD add for the class: x-cos-storage-class unless STANDARD (COS leaves it
/// out), and x-cos-restore once a restore was asked for.
inline void add_storage_headers(http_response& r, const testing::emulated_object& o, std::int64_t now) {
    if (o.storage_class != "STANDARD") r.headers.push_back({"x-cos-storage-class", o.storage_class});
    if (o.restore == testing::restore_state::ongoing) r.headers.push_back({"x-cos-restore", "ongoing-request=\"true\""});
    if (o.restore == testing::restore_state::restored && now < o.restore_expiry)
        r.headers.push_back({"x-cos-restore", "ongoing-request=\"false\", expiry-date=\"" + format_date(o.restore_expiry) + "\""});
}

/// A RestoreRequest body as read.
struct restore_request {
    std::uint64_t days = 0;
    std::string tier = "Standard";
};

/// Reads a RestoreRequest document: Days, then CASJobParameters/Tier. Errors (400 MalformedXML):
/// not XML, another root, Days missing or not a number.
inline result<restore_request> parse_restore_body(std::string_view body) {
    restore_request out;
    bool has_days = false;
    xml::reader reader(body);
    result<void> read = xml::read_document(reader, [&](std::string_view root, xml::reader& r) -> result<void> {
        if (root != "RestoreRequest") return make_error(errc::malformed_response, "body", "the root element is not <RestoreRequest>");
        return xml::for_each_child(r, [&](std::string_view name, xml::reader& c) -> result<void> {
            if (name == "CASJobParameters")
                return xml::for_each_child(c, [&](std::string_view field, xml::reader& f) -> result<void> {
                    if (field != "Tier") return {};
                    result<std::string_view> text = f.read_text();
                    if (!text) return std::move(text).error();
                    out.tier = std::string(*text);
                    return {};
                });
            if (name != "Days") return {};
            result<std::string_view> text = c.read_text();
            if (!text) return std::move(text).error();
            const auto days = parse_unsigned_decimal(*text);
            if (!days) return make_error(errc::malformed_response, "body", "Days is not a number");
            out.days = days.value;
            has_days = true;
            return {};
        });
    });
    if (!read) return std::move(read).error();
    if (!has_days) return make_error(errc::malformed_response, "body", "no <Days>");
    return out;
}

/// Makes the restored copy of `o` readable from `now` for the Days of its latest restore.
inline void open_restored_copy(testing::emulated_object& o, std::int64_t now) noexcept {
    o.restore = testing::restore_state::restored;
    // Days beyond a century change nothing a test can see and would overflow the seconds.
    const std::uint64_t days = std::min<std::uint64_t>(o.restore_days, 36500);
    o.restore_expiry = saturating_add(now, static_cast<std::int64_t>(days * 86400));
}

/// Ends the ongoing restore of `o` at server time `now` (open_restored_copy). Returns false
/// when no restore was ongoing.
inline bool finish_restore(testing::emulated_object& o, std::int64_t now) noexcept {
    if (o.restore != testing::restore_state::ongoing) return false;
    open_restored_copy(o, now);
    return true;
}

/// POST Object restore of the version find_addressed names (404 NoSuchKey, NoSuchVersion); 405
/// RestoreNonArchiveObject for an object that is not archived; 409 RestoreAlreadyInProgress
/// while one runs; 400 MalformedXML for a bad body, 400 InvalidArgument for Days 0 or a tier the
/// class does not offer (Expedited for DEEP_ARCHIVE). A readable restored copy is kept for the
/// new Days from now, answered 200; else the restore starts (x-cos-restore:
/// ongoing-request="true") and the answer is 202.
inline http_response restore_object(bucket_store& store, const exchange& x) {
    testing::emulated_object* o = nullptr;
    if (refusal r = find_addressed(store, x, o)) return std::move(*r);
    if (!is_archive(o->storage_class))
        return error_reply(x, 405, "RestoreNonArchiveObject", "Only ARCHIVE and DEEP_ARCHIVE objects can be restored.");
    if (o->restore == testing::restore_state::ongoing)
        return error_reply(x, 409, "RestoreAlreadyInProgress", "Object restore is already in progress.");
    const result<restore_request> request = parse_restore_body(x.body);
    if (!request)
        return error_reply(x, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
    const bool tier_ok = request->tier == "Standard" || request->tier == "Bulk" ||
                         (request->tier == "Expedited" && o->storage_class != "DEEP_ARCHIVE");
    if (request->days == 0 || !tier_ok) return invalid_argument(x, "Days must be at least 1 and Tier one the storage class offers.");
    o->restore_days = request->days;
    if (readable(*o, x.now)) {
        open_restored_copy(*o, x.now);
        return reply(x, 200);
    }
    o->restore = testing::restore_state::ongoing;
    return reply(x, 202);
}

}  // namespace coswire::detail::emu
