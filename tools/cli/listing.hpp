// SPDX-License-Identifier: MIT
// Whole listings (every page) of multipart uploads and of an upload's parts, and the ISO 8601
// form the CLI prints times in.
#pragma once

#include <coswire/api/multipart.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/result.hpp>

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cli {

/// Unix seconds as `2023-11-14T22:13:20Z`; "-" when unknown.
inline std::string iso8601_utc(std::optional<std::int64_t> seconds) {
    if (!seconds) return "-";
    const std::time_t t = static_cast<std::time_t>(*seconds);
    std::tm parts{};
    char text[32] = {};
    if (::gmtime_r(&t, &parts) == nullptr || std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts) == 0) return "-";
    return text;
}

/// Every in-progress multipart upload whose key starts with `prefix`, through all pages.
template <class Client>
coswire::result<std::vector<coswire::multipart_upload_summary>> fetch_all_uploads(Client& c, std::string_view prefix) {
    std::vector<coswire::multipart_upload_summary> out;
    coswire::list_multipart_uploads_params page;
    if (!prefix.empty()) page.prefix = std::string(prefix);
    for (;;) {
        auto listed = c.send(page);
        if (!listed) return std::move(listed).error();
        for (auto& u : listed->uploads) out.push_back(std::move(u));
        auto next = coswire::next_list_multipart_uploads_params(page, *listed);
        if (!next) return out;
        page = std::move(*next);
    }
}

/// Every uploaded part of `upload_id`, through all pages (10000 parts are 10 pages).
template <class Client>
coswire::result<std::vector<coswire::listed_part>> fetch_all_parts(Client& c, std::string_view key, std::string_view upload_id) {
    std::vector<coswire::listed_part> out;
    coswire::list_parts_params page;
    page.key = std::string(key);
    page.upload_id = std::string(upload_id);
    for (;;) {
        auto listed = c.send(page);
        if (!listed) return std::move(listed).error();
        for (auto& p : listed->parts) out.push_back(std::move(p));
        auto next = coswire::next_list_parts_params(page, *listed);
        if (!next) return out;
        page = std::move(*next);
    }
}

}  // namespace cli
