// SPDX-License-Identifier: MIT
// The download driver: one object into a caller's sink, streamed through the client's signing
// and retry loop as ranged GETs pinned to the first answer's ETag, each range checked and its
// CRC-64 folded into the whole object's, resumable from a checkpoint (docs/download.md). Every
// decision is a pure function of download/plan.hpp.
#pragma once

#include <coswire/api/object.hpp>
#include <coswire/callback.hpp>
#include <coswire/client.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/download/machine.hpp>
#include <coswire/download/plan.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/object.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

namespace detail {

/// What a download shares between its ranges: the client, the object and the pinned identity.
template <class Client>
struct download_context {
    Client& client;
    std::string_view key;
    const download_options& options;
    std::optional<object_identity> pinned;  ///< from the first answer, or the checkpoint
};

/// One range's delivery across attempts: how much reached the sink and the CRC-64 of it. A
/// retried attempt re-reads the range from its start and skips the bytes already delivered, so
/// the sink sees every byte once and the CRC covers exactly the bytes it saw.
struct range_delivery {
    std::uint64_t delivered = 0;
    std::uint64_t crc64 = 0;
};

/// The GET for bytes range.first..last_asked (no Range when `whole`), If-Match when pinned.
template <class Client>
result<http_request> range_request(const download_context<Client>& d, std::uint64_t first, std::uint64_t last_asked, bool whole) {
    get_object_params params;
    params.key = std::string(d.key);
    if (!whole) params.range = byte_range{.first = first, .last = last_asked};
    params.version_id = d.options.version_id;
    if (d.pinned) params.conditions.if_match = if_match_value(d.pinned->etag);
    params.extra_headers = d.options.extra_headers;
    return make_get_object_request(d.client.bucket_endpoint(), params);
}

/// Streams one range into `write(offset, bytes)` through the client's retry loop. `range` is
/// what must be delivered and `last_asked` what the request asks for. The first request of a
/// download asks before the size is known: then `on_first` learns the plan from the head and
/// returns the range to deliver, and the answer may carry less than that range (its Content-Range
/// says how much; the rest is fetched again, see range_delivery). On error `delivery` keeps what
/// reached the sink. Errors: the client's; object_changed for a 412 to If-Match or another
/// identity; malformed_response for a wrong status, Content-Range or body length;
/// invalid_argument naming "sink" when the sink failed.
template <class Client, class Write, class OnFirst>
result<void> fetch_range(download_context<Client>& d, download_range& range, std::uint64_t last_asked, bool whole,
                         range_delivery& delivery, Write& write, OnFirst& on_first) {
    auto request = range_request(d, range.first, last_asked, whole);
    if (!request) return std::move(request).error();
    download_range carried = range;  // the bytes the current answer carries
    std::uint64_t received = 0;      // of them, how many arrived
    response_sink sink{
        .head = [&](const http_response& head) -> result<void> {
            received = 0;
            auto answer = check_range_answer(head, range.first, last_asked);
            if (!answer) return std::move(answer).error();
            if (d.pinned) return check_same_object(*d.pinned, answer->object);
            auto planned = on_first(*answer);
            if (!planned) return std::move(planned).error();
            range = *planned;
            const std::uint64_t size = answer->object.size;
            carried = download_range{.index = range.index, .first = 0,
                                     .size = answer->whole ? size : std::min(last_asked + 1, size)};
            return {};
        },
        .body = [&](std::span<const std::byte> bytes) -> result<void> {
            if (auto ok = check_range_overrun(carried, received, bytes.size()); !ok) return ok;
            const std::uint64_t behind = delivery.delivered > received ? delivery.delivered - received : 0;
            const std::uint64_t skip = std::min<std::uint64_t>(behind, bytes.size());
            received += bytes.size();
            const auto fresh = bytes.subspan(static_cast<std::size_t>(skip));
            if (fresh.empty()) return {};
            const std::uint64_t offset = range.first + delivery.delivered;
            // The CRC goes first: it reads the piece from memory once, and the sink then finds
            // it in cache. It counts only once the sink has taken the piece.
            const std::uint64_t crc = crc64_update(delivery.crc64, fresh);
            if (auto ok = write(offset, fresh); !ok)
                return make_error(errc::invalid_argument, "sink",
                                  "writing " + std::to_string(fresh.size()) + " bytes at offset " + std::to_string(offset) +
                                      " failed: " + describe(ok.error()));
            delivery.crc64 = crc;
            delivery.delivered += fresh.size();
            return {};
        },
    };
    auto outcome = d.client.run_streaming(*request, sink, [&](const http_response& r) -> result<void> {
        if (r.status == 412 && d.pinned)
            return make_error(errc::object_changed, "ETag", "the object is no longer \"" + d.pinned->etag + "\" (412 to If-Match)");
        if (r.status < 200 || r.status >= 300) return parse_error_response(r);
        return check_range_body(carried, received);
    });
    if (!outcome) {
        outcome.error().reason = "range " + std::to_string(range.index) + ": " + outcome.error().reason;
        return outcome;
    }
    return {};
}

/// The whole-object CRC-64 COS stated: the pinned one, else a HEAD's (If-Match, so it is about
/// the same object). Errors: the HEAD's; object_changed for its 412.
template <class Client>
result<std::optional<std::uint64_t>> stated_crc64(download_context<Client>& d) {
    if (d.pinned->crc64) return d.pinned->crc64;
    head_object_params params;
    params.key = std::string(d.key);
    params.version_id = d.options.version_id;
    params.conditions.if_match = if_match_value(d.pinned->etag);
    params.extra_headers = d.options.extra_headers;
    auto head = d.client.send(params);
    if (!head) {
        if (head.error().service && head.error().service->http_status == 412)
            return make_error(errc::object_changed, "ETag", "the object is no longer \"" + d.pinned->etag + "\" (412 to If-Match)");
        return std::move(head).error();
    }
    return head->headers.crc64;
}

/// The first request of a fresh download: bytes=0-(part_size-1), which pins the object and gives
/// the plan. An empty object answers 416 to any range; then one plain GET. On success d.pinned,
/// `planned` and the checkpoint's identity are set, `range` is range 0 of the plan (or the whole
/// object) and `delivery` says how much of it reached the sink.
template <class Client, class Write>
result<void> start_download(download_context<Client>& d, download_checkpoint& checkpoint, first_plan& planned,
                            download_range& range, range_delivery& delivery, Write& write) {
    auto learn = [&](const first_answer& answer) -> result<download_range> {
        auto p = plan_from_first(answer, d.options.part_size);
        if (!p) return std::move(p).error();
        planned = *p;
        d.pinned = answer.object;
        checkpoint = download_checkpoint{.etag = answer.object.etag, .object_size = answer.object.size,
                                         .part_size = planned.plan.part_size, .crc64 = answer.object.crc64, .done = {}};
        if (planned.whole) return download_range{.index = 0, .first = 0, .size = answer.object.size};
        return planned.plan.range(0);
    };
    range = download_range{.index = 0, .first = 0, .size = d.options.part_size};
    auto first = fetch_range(d, range, d.options.part_size - 1, false, delivery, write, learn);
    if (first || d.pinned) return first;
    if (!first.error().service || first.error().service->http_status != 416) return first;
    return fetch_range(d, range, std::numeric_limits<std::uint64_t>::max(), true, delivery, write, learn);
}

/// The checks before anything is sent. Errors: invalid_argument naming "part_size" or
/// "checkpoint".
inline result<void> check_download_options(const download_options& options) {
    if (options.part_size < min_download_part_size || options.part_size > max_download_part_size)
        return make_error(errc::invalid_argument, "part_size",
                          std::to_string(options.part_size) + " is outside 65536..5368709120 bytes");
    if (options.checkpoint && !options.checkpoint->etag.empty())
        if (auto ok = check_checkpoint(*options.checkpoint); !ok) return std::move(ok).error();
    return {};
}

/// Finishes a download whose ranges are all done: the combined CRC-64 checked against COS's.
template <class Client>
result<download_result> finish_download(download_context<Client>& d, const download_plan& plan,
                                        const download_checkpoint& checkpoint, std::uint64_t whole_crc, bool whole,
                                        download_result out) {
    out.size = d.pinned->size;
    out.etag = d.pinned->etag;
    out.ranges = plan.range_count;
    out.crc64 = whole ? whole_crc : combined_crc64(plan, checkpoint);
    auto stated = stated_crc64(d);
    if (!stated) return std::move(stated).error();
    auto verdict = check_whole_crc(out.crc64, *stated);
    if (!verdict) return std::move(verdict).error();
    out.crc = *verdict;
    return out;
}

/// Where a download stands between its ranges: the plan, the ranges still to fetch (missing[next..]),
/// the bytes delivered so far and the result being filled.
struct download_state {
    first_plan planned{};
    std::vector<std::uint32_t> missing{};
    std::size_t next = 0;
    std::uint64_t bytes_done = 0;
    download_result out{};
    std::uint64_t whole_crc = 0;  // the CRC-64 of an answer that carried the whole object
};

/// Fetches one planned range into the checkpoint. Errors: fetch_range's.
template <class Client, class Write>
result<void> fetch_planned(download_context<Client>& d, const download_plan& plan, std::uint32_t index, Write& write,
                           std::uint64_t& crc_out) {
    auto no_first = [](const first_answer&) -> result<download_range> {
        return make_error(errc::malformed_response, "ETag", "an answer came before the object was pinned");
    };
    download_range range = plan.range(index);
    range_delivery delivery;
    if (auto ok = fetch_range(d, range, range.last(), false, delivery, write, no_first); !ok) return ok;
    crc_out = delivery.crc64;
    return {};
}

/// The part of a download that runs one request at a time, before any worker starts: the
/// checks of the options and checkpoint, then either range 0 of a fresh download (which pins
/// the object) or the first missing range of a resumed one (which proves the checkpoint's object
/// is still there: if it was replaced, a positional sink starts over, a sequential one fails).
/// After it, s.missing[s.next..] are the ranges left. Errors: those of download_object.
template <bool Positional, class Client, class Write, class Progress>
result<void> begin_download(download_context<Client>& d, download_checkpoint& checkpoint, download_state& s, Write& write,
                            Progress& progress) {
    if (auto ok = check_download_options(d.options); !ok) return ok;
    const auto& cancelled = d.options.cancelled;
    if (!checkpoint.etag.empty()) {
        auto plan = check_checkpoint(checkpoint);
        if (!plan) return std::move(plan).error();
        if constexpr (!Positional) {
            for (std::size_t i = 0; i < checkpoint.done.size(); ++i)
                if (checkpoint.done[i].index != i)
                    return make_error(errc::invalid_argument, "checkpoint",
                                      "a sequential sink resumes only when ranges 0..k-1 are done; range " + std::to_string(i) + " is not");
        }
        d.pinned = object_identity{.size = checkpoint.object_size, .etag = checkpoint.etag, .crc64 = checkpoint.crc64};
        s.planned = first_plan{.plan = *plan, .whole = false};
        s.missing = missing_ranges(*plan, checkpoint);
        s.out.ranges_reused = static_cast<std::uint32_t>(checkpoint.done.size());
        for (const done_range& r : checkpoint.done) s.bytes_done += plan->range(r.index).size;
        if (s.missing.empty()) return {};
        const std::uint32_t index = s.missing[0];
        if (cancelled && cancelled()) return cancelled_before(index);
        std::uint64_t crc = 0;
        auto ok = fetch_planned(d, *plan, index, write, crc);
        if (ok) {
            mark_done(checkpoint, index, crc);
            s.bytes_done += plan->range(index).size;
            ++s.out.ranges_fetched;
            s.next = 1;
            progress(s.bytes_done);
            return {};
        }
        if (ok.error().code != errc::object_changed) return ok;
        if constexpr (!Positional) {
            ok.error().reason += "; a sequential sink cannot start over";
            return ok;
        }
        // The checkpoint's object was replaced (nothing of it was written by this call): start over.
        checkpoint = download_checkpoint{};
        d.pinned.reset();
        s = download_state{};
        s.out.restarted = true;
    }
    if (cancelled && cancelled()) return cancelled_before(0);
    download_range range;
    range_delivery delivery;
    if (auto ok = start_download(d, checkpoint, s.planned, range, delivery, write); !ok) return ok;
    if (s.planned.whole) {
        s.out.ranges_fetched = s.planned.plan.range_count;
        s.bytes_done = delivery.delivered;
        s.whole_crc = delivery.crc64;
        progress(s.bytes_done);
        return {};
    }
    s.missing = missing_ranges(s.planned.plan, checkpoint);
    if (delivery.delivered < range.size) {
        // The plan's part size grew past the one asked (over 10000 ranges): fetch range 0 again;
        // the bytes already delivered are skipped.
        auto no_first = [](const first_answer&) -> result<download_range> {
            return make_error(errc::malformed_response, "ETag", "an answer came before the object was pinned");
        };
        if (cancelled && cancelled()) return cancelled_before(0);
        if (auto ok = fetch_range(d, range, range.last(), false, delivery, write, no_first); !ok) return ok;
    }
    mark_done(checkpoint, 0, delivery.crc64);
    s.bytes_done += range.size;
    ++s.out.ranges_fetched;
    s.next = 1;
    progress(s.bytes_done);
    return {};
}

/// The sink's write as write(offset, bytes), whichever kind it is.
template <download_sink Sink>
auto sink_writer(Sink& sink) {
    return [&sink](std::uint64_t offset, std::span<const std::byte> bytes) -> result<void> {
        if constexpr (positional_sink<Sink>) return sink.write_at(offset, bytes);
        else return static_cast<void>(offset), sink.write(bytes);
    };
}

}  // namespace detail

/// Downloads `key` into `sink` with one request at a time (see docs/download.md): the blocking
/// loop (client::drive) over a download_machine with one range in flight.
/// 1. Fresh: GET bytes=0-(part_size-1) pins the ETag, size and x-cos-hash-crc64ecma; an object
///    that fits is done in this one streamed GET (an empty one answers 416, then a plain GET).
/// 2. The other ranges follow in order, each with If-Match; every 206 is checked (status,
///    Content-Range equal to what was asked, ETag, body length) and its CRC-64 computed as it
///    streams; ranges retry through the client (a retried range skips what already reached the
///    sink, which therefore sees each byte once, in order for a sequential sink).
/// 3. The combined CRC-64 is compared with COS's (from the first answer, else a HEAD);
///    download_result::crc says whether that was possible.
/// With options.checkpoint, only missing ranges are fetched, If-Match the checkpoint's ETag; if
/// the object was replaced since, a positional sink starts over (restarted = true), and a
/// sequential one fails, since a stream cannot be rewound. A sequential sink resumes only a
/// checkpoint whose done ranges are 0..k-1.
/// Memory: the transport's read buffer (nothing else for a streaming_transport; a plain
/// transport collects one range at a time).
/// Errors: invalid_argument "part_size", "checkpoint" (nothing sent) or "sink" (the sink failed;
/// ranges it finished stay done in the checkpoint); object_changed; malformed_response;
/// integrity_failure; cancelled; the client's (with the range named in the reason).
template <class Client, download_sink Sink>
result<download_result> download_object(Client& c, std::string_view key, Sink& sink, const download_options& options = {}) {
    download_machine<Sink> m(c.context(), key, sink, options);
    return c.drive(m);
}

}  // namespace coswire
