// SPDX-License-Identifier: MIT
// The pure decisions of a download: the range plan, the checks of every answer (206,
// Content-Range, ETag, body length, whole-object CRC-64) and the resume checkpoint with its text
// form (docs/download.md, docs/protocol/download.md). No I/O: the drivers call these, and so can
// an asynchronous caller.
#pragma once

#include <coswire/api/limits.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/result.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// Smallest part size a download accepts: below it the requests cost more than the bytes.
inline constexpr std::uint64_t min_download_part_size = 64 * 1024;
/// Largest part size a download accepts, as for uploads.
inline constexpr std::uint64_t max_download_part_size = max_part_size;
/// At most this many ranges: the part size grows beyond it, which keeps a checkpoint small.
inline constexpr std::uint32_t max_download_ranges = 10000;

/// One range of a download: its index (0-based), first byte and length (at least 1 byte).
struct download_range {
    std::uint32_t index = 0;
    std::uint64_t first = 0;
    std::uint64_t size = 0;

    /// The last byte, inclusive, as HTTP's Range and Content-Range count.
    constexpr std::uint64_t last() const noexcept { return first + size - 1; }
};

/// The cut of an object into ranges: each has part_size bytes but the last, which has the rest.
/// An empty object has no range.
struct download_plan {
    std::uint64_t object_size = 0;
    std::uint64_t part_size = 0;
    std::uint32_t range_count = 0;

    /// Range `index` (0..range_count-1). Precondition: the index is in range.
    constexpr download_range range(std::uint32_t index) const noexcept {
        const std::uint64_t first = std::uint64_t{index} * part_size;
        const std::uint64_t size = index + 1 == range_count ? object_size - first : part_size;
        return {index, first, size};
    }
};

/// Plans the ranges of an `object_size`-byte object in parts of `part_size`; when that would
/// make more than max_download_ranges ranges, the part size grows to the smallest multiple of
/// 1 MiB that fits. Errors: invalid_argument "part_size" outside 64 KiB..5 GiB; limit_exceeded
/// "object_size" above 10000 × 5 GiB (no COS object is larger).
inline result<download_plan> plan_download(std::uint64_t object_size, std::uint64_t part_size) {
    if (part_size < min_download_part_size || part_size > max_download_part_size)
        return make_error(errc::invalid_argument, "part_size",
                          std::to_string(part_size) + " is outside 65536..5368709120 bytes");
    if (object_size > max_download_part_size * max_download_ranges)
        return make_error(errc::limit_exceeded, "object_size", std::to_string(object_size) + " bytes exceed 10000 × 5 GiB");
    download_plan plan{.object_size = object_size, .part_size = part_size, .range_count = 0};
    if ((object_size + part_size - 1) / part_size > max_download_ranges) {
        const std::uint64_t needed = (object_size + max_download_ranges - 1) / max_download_ranges;
        plan.part_size = (needed + mib - 1) / mib * mib;
    }
    plan.range_count = static_cast<std::uint32_t>((object_size + plan.part_size - 1) / plan.part_size);
    return plan;
}

/// What identifies the object being read, pinned from the first answer.
struct object_identity {
    std::uint64_t size = 0;
    std::string etag{};                  ///< unquoted; sent back quoted as If-Match
    std::optional<std::uint64_t> crc64{};  ///< x-cos-hash-crc64ecma: the whole object's, when COS sent it
};

/// The If-Match value that pins `etag` (unquoted): the ETag in double quotes.
inline std::string if_match_value(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

namespace detail {

inline std::string range_text(std::uint64_t first, std::uint64_t last) {
    return "bytes " + std::to_string(first) + "-" + std::to_string(last);
}

// The ETag and CRC-64 of an answer; malformed_response when the ETag is missing, since without
// it nothing could pin later ranges to the same object.
inline result<object_identity> identity_of(const http_response& head, std::uint64_t size) {
    auto headers = parse_object_headers(head);
    if (!headers) return std::move(headers).error();
    if (headers->etag.empty()) return make_error(errc::malformed_response, "ETag", "is missing from a GET Object answer");
    return object_identity{.size = size, .etag = std::move(headers->etag), .crc64 = headers->crc64};
}

}  // namespace detail

/// What the answer to a download's first request says: the object's identity, and whether that
/// answer carries the whole object (a 200: the server ignored the Range, or none was asked).
struct first_answer {
    object_identity object{};
    bool whole = false;
};

/// Checks the head of a 2xx answer to `GET Range: bytes=first-last_asked` (docs/protocol/download.md#range).
/// A 206 must carry `Content-Range: bytes first-L/total` with a known total, L equal to
/// min(last_asked, total - 1), and an ETag; its identity has size = total. A 200 is the whole
/// object (size = Content-Length, which must be present) and is accepted only when first is 0.
/// Errors: malformed_response naming "status", "Content-Range", "Content-Length" or "ETag".
inline result<first_answer> check_range_answer(const http_response& head, std::uint64_t first, std::uint64_t last_asked) {
    const std::string asked = detail::range_text(first, last_asked);
    if (head.status == 200 && first == 0) {
        auto headers = parse_object_headers(head);
        if (!headers) return std::move(headers).error();
        if (!headers->content_length)
            return make_error(errc::malformed_response, "Content-Length", "is missing from a 200 answer to " + asked);
        auto identity = detail::identity_of(head, *headers->content_length);
        if (!identity) return std::move(identity).error();
        return first_answer{.object = std::move(*identity), .whole = true};
    }
    if (head.status != 206)
        return make_error(errc::malformed_response, "status", "the answer to " + asked + " is " + std::to_string(head.status) + ", not 206");
    const auto text = head.header("Content-Range");
    if (!text) return make_error(errc::malformed_response, "Content-Range", "is missing from the 206 answer to " + asked);
    auto range = parse_content_range(*text);
    if (!range) return std::move(range).error();
    if (!range->total)
        return make_error(errc::malformed_response, "Content-Range", "'" + std::string(*text) + "' does not say the object size");
    const std::uint64_t total = *range->total;
    if (first >= total || range->first != first || range->last != std::min(last_asked, total - 1))
        return make_error(errc::malformed_response, "Content-Range",
                          "'" + std::string(*text) + "' is not what was asked (" + asked + ")");
    auto identity = detail::identity_of(head, total);
    if (!identity) return std::move(identity).error();
    return first_answer{.object = std::move(*identity), .whole = false};
}

/// Checks that a later answer is about the pinned object: same size and ETag, and the same
/// CRC-64 when both carry one. Errors: object_changed naming "ETag" (or "size",
/// "x-cos-hash-crc64ecma"): the object was replaced between two requests.
inline result<void> check_same_object(const object_identity& pinned, const object_identity& now) {
    if (now.etag != pinned.etag)
        return make_error(errc::object_changed, "ETag", "was \"" + pinned.etag + "\" and is now \"" + now.etag + "\"");
    if (now.size != pinned.size)
        return make_error(errc::object_changed, "size",
                          "was " + std::to_string(pinned.size) + " bytes and is now " + std::to_string(now.size));
    if (now.crc64 && pinned.crc64 && *now.crc64 != *pinned.crc64)
        return make_error(errc::object_changed, "x-cos-hash-crc64ecma", "differs between two answers about the same ETag");
    return {};
}

/// Checks how many body bytes a range's answer carried. Errors: malformed_response naming
/// "body" with the range, for a body shorter than asked (a longer one is refused as it arrives,
/// by check_range_overrun).
inline result<void> check_range_body(const download_range& range, std::uint64_t received) {
    if (received == range.size) return {};
    return make_error(errc::malformed_response, "body",
                      "range " + std::to_string(range.index) + " (" + detail::range_text(range.first, range.last()) +
                          "): the body ended after " + std::to_string(received) + " of " + std::to_string(range.size) + " bytes");
}

/// Refuses body bytes beyond the range: `received` so far plus `more` must not exceed its size.
/// Errors: malformed_response naming "body" with the range.
inline result<void> check_range_overrun(const download_range& range, std::uint64_t received, std::uint64_t more) {
    if (more <= range.size - received) return {};
    return make_error(errc::malformed_response, "body",
                      "range " + std::to_string(range.index) + " (" + detail::range_text(range.first, range.last()) +
                          "): the body is longer than " + std::to_string(range.size) + " bytes");
}

/// Whether the whole-object CRC-64 could be checked.
enum class crc_check {
    verified,  ///< the CRC-64 of the bytes delivered equals x-cos-hash-crc64ecma
    not_sent,  ///< COS sent no x-cos-hash-crc64ecma, so nothing was compared
};

/// Compares the CRC-64 of the bytes delivered with COS's. Errors: integrity_failure naming
/// "x-cos-hash-crc64ecma" when they differ.
inline result<crc_check> check_whole_crc(std::uint64_t computed, std::optional<std::uint64_t> expected) {
    if (!expected) return crc_check::not_sent;
    if (*expected != computed)
        return make_error(errc::integrity_failure, "x-cos-hash-crc64ecma",
                          "COS says " + std::to_string(*expected) + ", the bytes received give " + std::to_string(computed));
    return crc_check::verified;
}

/// A range already delivered to the sink, with the CRC-64 of its bytes.
struct done_range {
    std::uint32_t index = 0;
    std::uint64_t crc64 = 0;
};

/// What a download has finished, for resuming it later: the object's identity and the plan,
/// and the ranges already written (ascending by index). A default checkpoint (empty etag) means
/// nothing has started. Text form: serialize_checkpoint / parse_checkpoint.
struct download_checkpoint {
    std::string etag{};  ///< unquoted; empty: nothing started
    std::uint64_t object_size = 0;
    std::uint64_t part_size = 0;
    std::optional<std::uint64_t> crc64{};  ///< COS's whole-object CRC-64, when it sent one
    std::vector<done_range> done{};

    /// Whether range `index` is done.
    bool is_done(std::uint32_t index) const noexcept {
        for (const done_range& d : done)
            if (d.index == index) return true;
        return false;
    }
};

/// Records range `index` as done with `crc64`, keeping `done` ascending; a range already there
/// keeps its first CRC.
inline void mark_done(download_checkpoint& checkpoint, std::uint32_t index, std::uint64_t crc64) {
    auto at = checkpoint.done.begin();
    while (at != checkpoint.done.end() && at->index < index) ++at;
    if (at != checkpoint.done.end() && at->index == index) return;
    checkpoint.done.insert(at, done_range{.index = index, .crc64 = crc64});
}

namespace detail {

// ETags COS sends are hex with an optional "-N"; anything printable without blanks or quotes
// round-trips through the text form and If-Match.
inline bool checkpoint_etag_ok(std::string_view etag) noexcept {
    if (etag.empty() || etag.size() > 256) return false;
    for (char c : etag)
        if (c <= ' ' || c > '~' || c == '"') return false;
    return true;
}

}  // namespace detail

/// Checks a checkpoint against itself: a usable ETag, a part size plan_download keeps as is for
/// that object size, done indices ascending, unique and within the plan. Returns the plan.
/// Errors: invalid_argument naming "checkpoint" and what is wrong.
inline result<download_plan> check_checkpoint(const download_checkpoint& checkpoint) {
    const auto bad = [](std::string reason) { return make_error(errc::invalid_argument, "checkpoint", std::move(reason)); };
    if (!detail::checkpoint_etag_ok(checkpoint.etag)) return bad("the etag is empty, too long, or holds a blank, quote or control byte");
    auto plan = plan_download(checkpoint.object_size, checkpoint.part_size);
    if (!plan) return bad("its size and part size do not plan: " + describe(plan.error()));
    if (plan->part_size != checkpoint.part_size) return bad("its part size would make more than 10000 ranges");
    std::optional<std::uint32_t> previous;
    for (const done_range& d : checkpoint.done) {
        if (d.index >= plan->range_count)
            return bad("done range " + std::to_string(d.index) + " is past the last range " + std::to_string(plan->range_count) + " - 1");
        if (previous && d.index <= *previous) return bad("done ranges are not ascending and unique at " + std::to_string(d.index));
        previous = d.index;
    }
    return plan;
}

/// The ranges of `plan` not done in `checkpoint`, ascending.
inline std::vector<std::uint32_t> missing_ranges(const download_plan& plan, const download_checkpoint& checkpoint) {
    std::vector<std::uint32_t> out;
    std::size_t d = 0;
    for (std::uint32_t i = 0; i < plan.range_count; ++i) {
        while (d < checkpoint.done.size() && checkpoint.done[d].index < i) ++d;
        if (d < checkpoint.done.size() && checkpoint.done[d].index == i) continue;
        out.push_back(i);
    }
    return out;
}

/// The whole object's CRC-64 from the CRC of every range, combined in order (crc64_combine).
/// Precondition: every range of `plan` is done in `checkpoint` (check_checkpoint passed).
inline std::uint64_t combined_crc64(const download_plan& plan, const download_checkpoint& checkpoint) {
    std::uint64_t crc = 0;
    for (const done_range& d : checkpoint.done) crc = crc64_combine(crc, d.crc64, plan.range(d.index).size);
    return crc;
}

/// The text form, one field per line, each ending in LF, in this order and nothing else:
///
///     coswire-download-checkpoint 1
///     etag <etag, unquoted>
///     size <object size, decimal>
///     part-size <part size, decimal>
///     crc64 <decimal CRC-64 | none>
///     done <index> <decimal CRC-64 of the range>      (zero or more, ascending)
///
/// Precondition: check_checkpoint(checkpoint) passes (the driver's checkpoints always do).
inline std::string serialize_checkpoint(const download_checkpoint& checkpoint) {
    std::string out = "coswire-download-checkpoint 1\netag " + checkpoint.etag + "\nsize " +
                      std::to_string(checkpoint.object_size) + "\npart-size " + std::to_string(checkpoint.part_size) +
                      "\ncrc64 " + (checkpoint.crc64 ? std::to_string(*checkpoint.crc64) : std::string("none")) + "\n";
    for (const done_range& d : checkpoint.done) out += "done " + std::to_string(d.index) + " " + std::to_string(d.crc64) + "\n";
    return out;
}

/// Parses serialize_checkpoint's form exactly: decimal numbers without sign, blanks or leading
/// zeros, single spaces, LF line ends (also after the last line), then check_checkpoint.
/// Errors: invalid_argument naming "checkpoint", with the line number and what is wrong; nothing
/// malformed is accepted.
inline result<download_checkpoint> parse_checkpoint(std::string_view text) {
    std::size_t line_number = 0;
    const auto bad = [&](std::string reason) {
        return make_error(errc::invalid_argument, "checkpoint", "line " + std::to_string(line_number) + ": " + std::move(reason));
    };
    const auto number = [](std::string_view s) -> std::optional<std::uint64_t> {
        if (s.size() > 1 && s.front() == '0') return std::nullopt;
        auto v = detail::parse_decimal(s, "checkpoint");
        if (!v) return std::nullopt;
        return *v;
    };
    // Splits off the next line, which must start with `key` and a space; returns the rest.
    const auto field = [&](std::string_view key) -> std::optional<std::string_view> {
        ++line_number;
        const std::size_t end = text.find('\n');
        if (end == std::string_view::npos) return std::nullopt;
        const std::string_view line = text.substr(0, end);
        text.remove_prefix(end + 1);
        if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ' ') return std::nullopt;
        return line.substr(key.size() + 1);
    };
    download_checkpoint out;
    auto magic = field("coswire-download-checkpoint");
    if (!magic || *magic != "1") return bad("expected 'coswire-download-checkpoint 1'");
    auto etag = field("etag");
    if (!etag || !detail::checkpoint_etag_ok(*etag)) return bad("expected 'etag <etag>' without blanks, quotes or control bytes");
    out.etag = std::string(*etag);
    auto size = field("size");
    auto size_value = size ? number(*size) : std::nullopt;
    if (!size_value) return bad("expected 'size <decimal>'");
    out.object_size = *size_value;
    auto part = field("part-size");
    auto part_value = part ? number(*part) : std::nullopt;
    if (!part_value) return bad("expected 'part-size <decimal>'");
    out.part_size = *part_value;
    auto crc = field("crc64");
    if (!crc) return bad("expected 'crc64 <decimal>' or 'crc64 none'");
    if (*crc != "none") {
        auto v = number(*crc);
        if (!v) return bad("expected 'crc64 <decimal>' or 'crc64 none'");
        out.crc64 = *v;
    }
    while (!text.empty()) {
        auto done = field("done");
        if (!done) return bad("expected 'done <index> <decimal CRC-64>'");
        const std::size_t space = done->find(' ');
        if (space == std::string_view::npos) return bad("expected 'done <index> <decimal CRC-64>'");
        auto index = number(done->substr(0, space));
        auto value = number(done->substr(space + 1));
        if (!index || !value || *index > max_download_ranges) return bad("expected 'done <index> <decimal CRC-64>'");
        out.done.push_back(done_range{.index = static_cast<std::uint32_t>(*index), .crc64 = *value});
    }
    if (auto ok = check_checkpoint(out); !ok) return std::move(ok).error();
    return out;
}

}  // namespace coswire
