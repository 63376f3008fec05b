// SPDX-License-Identifier: MIT
// Response parser for POST Object restore, and the reading of the x-cos-restore header that
// HEAD and GET Object return for an archived object (docs/protocol/restore.md).
//
// Choices where Tencent's pages are silent:
// - 202 Accepted starts a restore; 200 is accepted too and read as "a restored copy exists
//   already" (the pages document only 202; S3 answers 200 when it extends a copy).
// - x-cos-restore is `ongoing-request="true"` or `ongoing-request="false", expiry-date="<HTTP
//   date>"`; names are compared in any case, unknown pairs are ignored, and anything else is
//   malformed.
#pragma once

#include <coswire/api/restore.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/result.hpp>
#include <coswire/time/http_date.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace coswire {

/// What POST Object restore answered.
struct restore_object_result {
    std::string request_id{};  ///< x-cos-request-id
    /// 200 rather than 202: COS did not start a new restore because a restored copy exists.
    bool already_restored = false;
};

/// POST Object restore: 202 (or 200). Errors: parse_error_response(r) otherwise: 409
/// RestoreAlreadyInProgress while one runs, 405 RestoreNonArchiveObject for an object that is
/// not archived, ...; also for a 2xx <Error>.
inline result<restore_object_result> parse_restore_object_response(const http_response& r) {
    if (auto ok = expect_status(r, {202, 200}, true); !ok) return std::move(ok).error();
    return restore_object_result{detail::request_id_of(r), r.status == 200};
}

/// The x-cos-restore header of HEAD or GET Object, read.
struct restore_state {
    bool ongoing = false;                     ///< ongoing-request="true": the restore is running
    std::optional<std::int64_t> expiry_date{};  ///< when the restored copy goes, Unix seconds
};

/// Reads x-cos-restore (details.restore of a HEAD or GET answer). Errors: malformed_response
/// naming "x-cos-restore" when it is not `name="value"` pairs separated by ',', lacks
/// ongoing-request, or has a value that does not parse.
inline result<restore_state> parse_restore_state(std::string_view text) {
    const auto fail = [&](std::string_view why) {
        return make_error(errc::malformed_response, "x-cos-restore", "'" + std::string(text.substr(0, 120)) + "' " + std::string(why));
    };
    restore_state out;
    bool has_ongoing = false;
    while (!text.empty()) {
        while (!text.empty() && (text.front() == ' ' || text.front() == ',')) text.remove_prefix(1);
        if (text.empty()) break;
        const std::size_t eq = text.find('=');
        if (eq == std::string_view::npos || eq + 1 >= text.size() || text[eq + 1] != '"') return fail("is not name=\"value\" pairs");
        const std::string_view name = text.substr(0, eq);
        const std::size_t close = text.find('"', eq + 2);
        if (close == std::string_view::npos) return fail("has an unclosed quote");
        const std::string_view value = text.substr(eq + 2, close - eq - 2);
        text.remove_prefix(close + 1);
        if (detail::iequals(name, "ongoing-request")) {
            auto ongoing = detail::parse_boolean(value, "x-cos-restore");
            if (!ongoing) return fail("has an ongoing-request that is not true or false");
            out.ongoing = *ongoing;
            has_ongoing = true;
        } else if (detail::iequals(name, "expiry-date")) {
            auto date = parse_http_date(value);
            if (!date) return fail("has an expiry-date that is not an HTTP date");
            out.expiry_date = *date;
        }
    }
    if (!has_ongoing) return fail("has no ongoing-request");
    return out;
}

}  // namespace coswire
