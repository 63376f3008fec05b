// SPDX-License-Identifier: MIT
// Request builder for POST Object restore: makes a temporary readable copy of an ARCHIVE or
// DEEP_ARCHIVE object (docs/protocol/restore.md).
//
// Choices where Tencent's pages are silent:
// - Days must be at least 1; the pages state no maximum, so COS judges larger values.
// - The tier is one of the three documented names; which tier a storage class offers
//   (DEEP_ARCHIVE has no Expedited) is left to COS, which knows the object's class.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/request.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/writer.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace coswire {

/// How fast COS restores (CASJobParameters/Tier, docs/protocol/restore.md#request).
enum class restore_tier {
    standard,   ///< Standard: hours (ARCHIVE 3-5, DEEP_ARCHIVE 12-24)
    expedited,  ///< Expedited: minutes; ARCHIVE only
    bulk,       ///< Bulk: the slowest and cheapest
};

/// The Tier text COS expects.
constexpr std::string_view restore_tier_name(restore_tier tier) noexcept {
    switch (tier) {
        case restore_tier::expedited: return "Expedited";
        case restore_tier::bulk: return "Bulk";
        case restore_tier::standard: break;
    }
    return "Standard";
}

/// POST Object restore (docs/protocol/restore.md#request).
struct restore_object_params {
    std::string key{};                        ///< the archived object's key
    std::optional<std::string> version_id{};  ///< restore this version; else the latest
    std::uint32_t days = 1;                   ///< how long the readable copy stays, at least 1
    restore_tier tier = restore_tier::standard;
    object_key_options key_options{};  ///< whether dot segments are allowed
};

/// `POST /<key>?restore[&versionId=]` with
/// `<RestoreRequest><Days>N</Days><CASJobParameters><Tier>T</Tier></CASJobParameters></RestoreRequest>`,
/// Content-Type, Content-Length and Content-MD5. Errors (invalid_argument): "object_key"
/// (map_object_key's), "version_id" (set but empty or a bad value), "days" (0).
inline result<http_request> make_restore_object_request(const endpoint& ep, const restore_object_params& p) {
    auto r = make_object_request(ep, "POST", p.key, p.key_options);
    if (!r) return r;
    if (auto ok = detail::add_param(*r, "restore", std::nullopt, "restore"); !ok) return std::move(ok).error();
    if (auto ok = detail::add_nonempty_param(*r, "versionId", p.version_id, "version_id"); !ok) return std::move(ok).error();
    if (p.days == 0) return make_error(errc::invalid_argument, "days", "must be at least 1");
    xml::writer w;
    w.start("RestoreRequest")
        .element("Days", detail::decimal(p.days))
        .start("CASJobParameters")
        .element("Tier", restore_tier_name(p.tier))
        .end()
        .end();
    auto body = w.finish();
    if (!body) return std::move(body).error();
    detail::set_xml_body(*r, std::move(*body));
    return r;
}

}  // namespace coswire
