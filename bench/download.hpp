// SPDX-License-Identifier: MIT
// The download-driver rows of coswire-bench: download_object through a streaming transport that
// answers ranged GETs like COS from an object in memory, handing the body over in 64 KiB pieces
// as a socket read would, against the CRC-64 no verifying client can skip. What the driver costs
// beyond that is its own overhead: signing, building and checking each ranged GET and its
// Content-Range, the CRC-64 combine. The peak rows show what a download holds in memory.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/client.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/download/driver.hpp>
#include <coswire/download/parallel.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/result.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace bench {

/// A streaming transport that is a COS bucket holding one object: a GET with a Range answers
/// 206 with Content-Range, ETag and the whole object's x-cos-hash-crc64ecma, its body streamed in
/// 64 KiB pieces; If-Match is honoured. Nothing is copied; it is safe to call from many threads.
class canned_object {
public:
    explicit canned_object(std::span<const std::byte> object) : object_(object), crc_(std::to_string(coswire::crc64(object))) {}

    coswire::result<coswire::http_response> operator()(const coswire::http_request&) const {
        return coswire::make_error(coswire::errc::transport_failure, "transport", "canned_object streams only");
    }

    coswire::result<coswire::http_response> operator()(const coswire::http_request& r, coswire::response_sink& sink) const {
        if (r.method != "GET") return operator()(r);
        if (auto match = r.header("If-Match"); match && coswire::unquote_etag(*match) != etag) return answer(sink, {.status = 412});
        std::uint64_t first = 0, last = object_.size() - 1;
        const auto range = r.header("Range");
        if (range) {
            const std::string_view spec = range->substr(6);  // "bytes="
            const std::size_t dash = spec.find('-');
            auto a = coswire::detail::parse_decimal(spec.substr(0, dash), "Range");
            if (!a) return std::move(a).error();
            first = *a;
            if (dash + 1 < spec.size()) {
                auto b = coswire::detail::parse_decimal(spec.substr(dash + 1), "Range");
                if (!b) return std::move(b).error();
                if (*b < last) last = *b;
            }
        }
        coswire::http_response head{range ? 206 : 200,
                                    {{"ETag", "\"" + std::string(etag) + "\""},
                                     {"x-cos-hash-crc64ecma", crc_},
                                     {"x-cos-request-id", "bench"},
                                     {"Content-Length", std::to_string(last - first + 1)}},
                                    {}};
        if (range)
            head.headers.push_back({"Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                                         std::to_string(object_.size())});
        if (auto ok = sink.head(head); !ok) return std::move(ok).error();
        for (std::uint64_t at = first; at <= last; at += piece) {
            const std::uint64_t n = last - at + 1 < piece ? last - at + 1 : piece;
            if (auto ok = sink.body(object_.subspan(static_cast<std::size_t>(at), static_cast<std::size_t>(n))); !ok)
                return std::move(ok).error();
        }
        return head;
    }

    static constexpr std::string_view etag = "0123456789abcdef0123456789abcdef";
    static constexpr std::uint64_t piece = 64 * 1024;

private:
    static coswire::result<coswire::http_response> answer(coswire::response_sink& sink, coswire::http_response r) {
        if (auto ok = sink.head(r); !ok) return std::move(ok).error();
        return r;
    }

    std::span<const std::byte> object_;
    std::string crc_;
};

/// A sequential sink that keeps nothing (a pipe to /dev/null): it only folds one byte of each
/// piece so the writes cannot be optimised away.
struct discarding_sink {
    std::uint64_t fold = 0;
    coswire::result<void> write(std::span<const std::byte> bytes) {
        if (!bytes.empty()) fold += static_cast<std::uint64_t>(bytes.back());
        return {};
    }
};

/// The same, positional and safe for the parallel driver's workers.
struct discarding_positional_sink {
    std::atomic<std::uint64_t> fold{0};
    coswire::result<void> write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
        if (!bytes.empty()) fold.fetch_add(offset + static_cast<std::uint64_t>(bytes.back()), std::memory_order_relaxed);
        return {};
    }
};

inline coswire::client<canned_object> download_client(canned_object& cos) {
    const coswire::credentials creds{.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q", .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz")};
    return {coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(), creds, cos,
            [] { return std::int64_t{1700000000}; }, [](std::uint32_t) {}};
}

/// One download of the canned object in `part_size` ranges, sequentially (jobs == 1) or with
/// `jobs` workers into a positional sink; false when it fails or is not CRC-checked.
inline bool download_through_driver(canned_object& cos, std::uint64_t size, std::uint64_t part_size, std::uint32_t jobs = 1) {
    auto client = download_client(cos);
    coswire::download_options options;
    options.part_size = part_size;
    coswire::result<coswire::download_result> done = coswire::make_error(coswire::errc::invalid_argument, "jobs", "unset");
    if (jobs == 1) {
        discarding_sink sink;
        done = coswire::download_object(client, "bench/object.bin", sink, options);
    } else {
        discarding_positional_sink sink;
        done = coswire::download_object_parallel(client, "bench/object.bin", sink, jobs, options);
    }
    return done && done->size == size && done->crc == coswire::crc_check::verified;
}

}  // namespace bench
