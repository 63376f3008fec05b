// SPDX-License-Identifier: MIT
// The emulator's APPEND Object (docs/protocol/append.md): POST /<key>?append&position=N, the
// appendable object it makes and the 409s that guard its position.
#pragma once

#include <coswire/api/append.hpp>
#include <coswire/detail/decimal.hpp>
#include <coswire/http/message.hpp>
#include <coswire/testing/emulator/acl.hpp>
#include <coswire/testing/emulator/objects.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/testing/emulator/versions.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// APPEND Object. position must be decimal (else 400 InvalidArgument) and equal the object's
/// length, 0 for a new object (else 409 AppendPositionErr); an object not made by appends is 409
/// ObjectNotAppendable; past 5 GiB, or the emulator's quota, is 400 EntityTooLarge. The first
/// append creates the object with the request's metadata, x-cos-tagging and ACL headers, as a
/// write does (a new version while versioning is Enabled); later ones grow that version in place
/// and keep all three, as appendable objects take no part in versioning. 200 with the ETag and
/// CRC-64 of the whole object and x-cos-next-append-position.
inline http_response append_object(bucket_store& store, const exchange& x) {
    const auto position = parse_unsigned_decimal(x.param_value("position"));
    if (!position) return invalid_argument(x, "position must be a non-negative decimal number.");
    testing::emulated_object* o = store.find_object(x.key());
    if (o != nullptr && !o->appendable)
        return error_reply(x, 409, "ObjectNotAppendable", "The object was not created by APPEND Object and cannot be appended to.");
    const std::uint64_t length = o == nullptr ? 0 : o->data.size();
    if (position.value != length) {
        http_response r = error_reply(x, 409, "AppendPositionErr", "The position does not match the length of the object.");
        r.headers.push_back({"x-cos-next-append-position", std::to_string(length)});
        return r;
    }
    if (x.body.size() > max_appendable_object_size - length) return error_reply(x, 400, "EntityTooLarge", "An appendable object holds at most 5 GB.");
    if (!store.fits(x.body.size(), 0)) return too_large(x);
    if (o == nullptr) {
        std::vector<object_tag> tags;
        testing::emulated_acl acl;
        if (refusal r = read_tagging_header(x, tags)) return std::move(*r);
        if (refusal r = read_acl_headers(x, acl)) return std::move(*r);
        o = &store.store_object(x.key(), std::string(x.body), stored_metadata(x), std::nullopt, x.now);
        o->appendable = true;
        o->tags = std::move(tags);
        o->acl = std::move(acl);
    } else {
        store.append_bytes(*o, x.body, x.now);
    }
    http_response r = reply(x, 200);
    add_integrity_headers(r, o->etag, o->crc64, store.encryption());
    add_new_version_header(r, store, *o);
    r.headers.push_back({"x-cos-next-append-position", std::to_string(o->data.size())});
    return r;
}

}  // namespace coswire::detail::emu
