// SPDX-License-Identifier: MIT
// cos_emulator: an in-process COS bucket endpoint behind the transport concept, with signature checks,
// the object and multipart operations, COS-shaped errors and seeded fault injection (docs/protocol/: signing, errors, endpoints, headers, multipart, objects, integrity, encoding-type).
#pragma once

#include <coswire/callback.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/http_string.hpp>
#include <coswire/sign/verify.hpp>
#include <coswire/time/http_date.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>
#include <coswire/xml/writer.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>  // std::less<>
#include <initializer_list>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::testing {

/// What a fault does to one request.
enum class fault_kind {
    none,            ///< scripted only: serve the request normally (lets a script skip requests)
    internal_error,  ///< 500 InternalError; the request is not applied
    slow_down,       ///< 503 SlowDown; the request is not applied
    drop_before,     ///< errc::transport_failure; the request is not applied
    drop_after,      ///< the request is applied, then the client sees errc::transport_failure
    complete_error,  ///< Complete Multipart Upload only: 200 whose body is <Error> InternalError; not applied
};

/// Random faults, drawn per request from the emulator's seeded generator. Each probability is
/// in [0, 1] and their sum at most 1; complete_error applies to Complete requests only.
struct fault_plan {
    double internal_error = 0;
    double slow_down = 0;
    double drop_before = 0;
    double drop_after = 0;
    double complete_error = 0;
    /// Seconds added to the emulator's clock: a server clock that is off (docs/protocol/signing.md#validity-and-clock-skew). Requests whose
    /// key time starts after the skewed server time get 403 RequestTimeTooSkewed.
    std::int64_t clock_offset = 0;
};

/// How many faults were injected, by kind.
struct fault_counters {
    std::uint64_t internal_error = 0;
    std::uint64_t slow_down = 0;
    std::uint64_t drop_before = 0;
    std::uint64_t drop_after = 0;
    std::uint64_t complete_error = 0;
    std::uint64_t clock_skew = 0;  ///< 403 RequestTimeTooSkewed answers

    /// Sum of every counter.
    constexpr std::uint64_t total() const noexcept {
        return internal_error + slow_down + drop_before + drop_after + complete_error + clock_skew;
    }
};

/// What the emulator has seen.
struct emulator_stats {
    std::uint64_t requests = 0;  ///< every call of operator()
    std::uint64_t served = 0;    ///< calls that reached the bucket logic (not replaced by a fault)
    fault_counters faults{};
};

/// Configuration of a cos_emulator.
struct emulator_options {
    std::string bucket = "examplebucket-1250000000";                            ///< `<BucketName>-<APPID>`
    std::string host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";  ///< the only Host answered
    std::vector<credentials> accepted{};  ///< keys whose signatures are accepted (with their session tokens)
    /// The server clock in Unix seconds; when empty, `now` is the clock (see cos_emulator::set_now).
    /// Called with the emulator's lock held: it must not call back into the emulator.
    callback<std::int64_t()> clock{};
    std::int64_t now = 1700000000;                            ///< the settable clock, used without `clock`
    std::uint64_t min_part_size = coswire::min_part_size;     ///< EntityTooSmall below this (all parts but the last)
    std::uint64_t max_stored_bytes = std::uint64_t{1} << 30;  ///< objects plus parts; EntityTooLarge beyond
    bool allow_part_gaps = false;  ///< false: Complete needs parts 1..N without gaps (docs/protocol/multipart.md#part-limits), else InvalidPart
    /// The bucket's default encryption, applied to every object and part whatever the request
    /// says: "" none, "AES256" (SSE-COS) or "cos/kms" (SSE-KMS). Its answers (Initiate, PUT,
    /// Upload Part, Complete, GET, HEAD) carry x-cos-server-side-encryption with this value;
    /// under "cos/kms" the ETags of objects and parts are not the MD5 of their bytes, as COS's are not.
    std::string default_encryption{};
    std::uint64_t seed = 0;        ///< seeds the fault draws and the upload ids
    fault_plan faults{};
    /// How signatures are checked: limits, the longest window (7 days by default, where COS
    /// accepts any) and whether unsigned parameters and x-cos-* headers are refused.
    verify_options verify{};
};

/// A stored object, as the inspection API returns it.
struct emulated_object {
    std::string data{};
    std::string etag{};                ///< quoted: "<32 hex>" or "<32 hex>-<N>" for multipart
    std::uint64_t crc64 = 0;         ///< CRC-64/XZ of data (x-cos-hash-crc64ecma)
    std::int64_t last_modified = 0;  ///< server Unix seconds
    /// Content-Type, Cache-Control, Content-Disposition, Content-Encoding, Expires and x-cos-meta-*, as sent.
    std::vector<http_header> metadata{};
};

/// One uploaded part of a multipart upload.
struct emulated_part {
    std::uint32_t number = 0;
    std::string data{};
    std::string etag{};  ///< quoted hex MD5 (opaque under a cos/kms default_encryption)
    std::uint64_t crc64 = 0;
    std::int64_t last_modified = 0;
};

/// An in-progress multipart upload.
struct emulated_upload {
    std::string upload_id{};
    std::string key{};
    std::int64_t initiated = 0;
    std::vector<http_header> metadata{};  ///< from Initiate; becomes the object's metadata
    std::map<std::uint32_t, emulated_part> parts{};
};

}  // namespace coswire::testing

namespace coswire::detail::emu {

/// Server-side decoding of the request line: a raw '+' is a space, as COS reads it (docs/protocol/signing.md#what-the-server-does), then
/// %XX escapes. A '%' without two hex digits is an error.
inline result<std::string> decode_wire(std::string_view text) {
    std::string spaced(text);
    std::replace(spaced.begin(), spaced.end(), '+', ' ');
    return percent_decode(spaced, "target");
}

/// pathenc (docs/protocol/endpoints.md#the-key-in-the-request-line), which `encoding-type=url` also uses (docs/protocol/encoding-type.md): enc of every byte but '/'.
inline std::string path_encode(std::string_view s) {
    std::string out;
    for (;;) {
        const std::size_t slash = s.find('/');
        percent_encode_append(out, s.substr(0, slash));
        if (slash == std::string_view::npos) return out;
        out += '/';
        s.remove_prefix(slash + 1);
    }
}

/// 1 to 19 decimal digits and nothing else (19 digits always fit in 64 bits).
constexpr std::optional<std::uint64_t> parse_decimal(std::string_view s) noexcept {
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (!is_digit(c)) return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

/// Strips XML whitespace (space, tab, CR, LF) from both ends.
constexpr std::string_view trim_space(std::string_view s) noexcept {
    while (!s.empty() && is_xml_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_xml_space(s.back())) s.remove_suffix(1);
    return s;
}

/// `s` when XML 1.0 can carry it, else its percent-encoding, so an error body always builds.
inline std::string xml_safe(std::string_view s) {
    if (xml_text_error_offset(s) == s.size()) return std::string(s);
    return percent_encode(s);
}

/// Clamps Unix seconds into the years 0001-9999 that the date formats can write.
constexpr std::int64_t clamp_time(std::int64_t t) noexcept { return std::clamp(t, http_date_min_seconds, http_date_max_seconds); }

/// `a + b` without overflow, saturating at the int64 limits.
constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
    if (b > 0 && a > std::numeric_limits<std::int64_t>::max() - b) return std::numeric_limits<std::int64_t>::max();
    if (b < 0 && a < std::numeric_limits<std::int64_t>::min() - b) return std::numeric_limits<std::int64_t>::min();
    return a + b;
}

/// The `Date` / `Last-Modified` form.
inline std::string format_date(std::int64_t t) {
    const http_date_text text = format_http_date(clamp_time(t));
    return std::string(text.data(), text.size());
}

/// COS XML timestamps: "2020-03-25T10:07:14.000Z" (docs/protocol/multipart.md#list-parts, docs/protocol/objects.md#get-bucket).
inline std::string format_iso8601(std::int64_t t) {
    t = clamp_time(t);
    const std::int64_t r = t % 86400;
    const std::int64_t second_of_day = r < 0 ? r + 86400 : r;
    const civil_date date = civil_from_days((t - second_of_day) / 86400);
    std::array<char, 24> out{};
    char* p = write_digits(out.data(), date.year, 4);
    *p++ = '-';
    p = write_digits(p, date.month, 2);
    *p++ = '-';
    p = write_digits(p, date.day, 2);
    *p++ = 'T';
    p = write_digits(p, second_of_day / 3600, 2);
    *p++ = ':';
    p = write_digits(p, second_of_day / 60 % 60, 2);
    *p++ = ':';
    p = write_digits(p, second_of_day % 60, 2);
    write_text(p, ".000Z");
    return std::string(out.data(), out.size());
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
        const auto length = parse_decimal(last_text);
        if (!length) return std::nullopt;
        return range_spec{true, *length, std::nullopt};
    }
    const auto first = parse_decimal(first_text);
    if (!first) return std::nullopt;
    if (last_text.empty()) return range_spec{false, *first, std::nullopt};
    const auto last = parse_decimal(last_text);
    if (!last || *last < *first) return std::nullopt;
    return range_spec{false, *first, *last};
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

/// Pointers to the entries of a map, in its order: what paginate walks.
template <class Map>
std::vector<const typename Map::value_type*> entries_of(const Map& map) {
    std::vector<const typename Map::value_type*> out;
    out.reserve(map.size());
    for (const auto& entry : map) out.push_back(&entry);
    return out;
}

/// One page of a listing.
template <class Item>
struct page {
    std::vector<const Item*> items{};
    std::vector<std::string> common_prefixes{};
    bool truncated = false;
    std::string next_key{};             ///< the last key or common prefix on the page
    const Item* next_item = nullptr;  ///< the last item, when the page ends on an item
};

/// The one pagination rule of GET Bucket, List Multipart Uploads and List Parts (docs/protocol/multipart.md#list-parts, docs/protocol/multipart.md#list-multipart-uploads,
/// docs/protocol/objects.md#get-bucket): walk `sorted` in order, keep entries `after_marker` accepts whose key starts with
/// `prefix`, fold keys that contain `delimiter` after the prefix into one common prefix (skipping
/// a group that starts at or before `marker_key`, which an earlier page returned), and stop at
/// `max` entries (items and prefixes count alike). Truncated only when another entry follows; a
/// `max` of 0 gives an empty, untruncated page.
template <class Item, class KeyOf, class After>
page<Item> paginate(const std::vector<const Item*>& sorted, KeyOf key_of, After after_marker, std::string_view marker_key,
                    std::string_view prefix, std::string_view delimiter, std::uint64_t max) {
    page<Item> out;
    std::uint64_t count = 0;
    for (const Item* item : sorted) {
        if (!after_marker(*item)) continue;
        const std::string_view key = key_of(*item);
        if (!key.starts_with(prefix)) continue;
        std::string_view group;
        if (!delimiter.empty())
            if (const std::size_t at = key.find(delimiter, prefix.size()); at != std::string_view::npos)
                group = key.substr(0, at + delimiter.size());
        if (!group.empty() && ((!out.common_prefixes.empty() && out.common_prefixes.back() == group) || group <= marker_key))
            continue;
        if (count == max) {
            out.truncated = max > 0;
            break;
        }
        ++count;
        if (group.empty()) {
            out.items.push_back(item);
            out.next_key = std::string(key);
            out.next_item = item;
        } else {
            out.common_prefixes.emplace_back(group);
            out.next_key = std::string(group);
            out.next_item = nullptr;
        }
    }
    return out;
}

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
                const auto number = parse_decimal(trim_space(*text));
                if (!number) return malformed("PartNumber is not a decimal number");
                p.number = *number;
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

/// One request as the emulator sees it on the wire. Views borrow the http_request.
struct exchange {
    std::string method{};
    std::string path{};                      ///< decoded request-line path ('+' read as a space)
    std::string resource{};                  ///< <Resource>: host + path decoded with '+' kept, as COS shows it (docs/protocol/signing.md#what-the-server-does)
    std::vector<http_query_param> params{};  ///< decoded
    std::vector<header_field> headers{};     ///< as sent, plus Host from the URL when the request has no Host header
    std::string_view body{};
    bool target_ok = false;  ///< the request target decoded
    std::int64_t now = 0;    ///< server time (skew included)
    std::string request_id{};
    std::string trace_id{};

    /// The first parameter named `name` (case-sensitive, as COS names them).
    const http_query_param* param(std::string_view name) const noexcept {
        for (const http_query_param& p : params)
            if (p.name == name) return &p;
        return nullptr;
    }
    /// A parameter's value; empty for an absent or valueless parameter.
    std::string_view param_value(std::string_view name) const noexcept {
        const http_query_param* p = param(name);
        return p != nullptr && p->value ? std::string_view(*p->value) : std::string_view();
    }
    /// The first header named `name` (any case), trimmed of blanks.
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        for (const header_field& h : headers)
            if (iequals(h.name, name)) return trim_blanks(h.value);
        return std::nullopt;
    }
    /// The object key: the path without its leading '/'.
    std::string_view key() const noexcept { return std::string_view(path).substr(1); }
    bool is_head() const noexcept { return method == "HEAD"; }
    bool is_complete() const noexcept { return target_ok && method == "POST" && path != "/" && param("uploadId") != nullptr; }
};

/// An extra element of an error body (StringToSign, FormatString, ServerTime).
struct error_field {
    std::string_view name{};
    std::string value{};
};

}  // namespace coswire::detail::emu

namespace coswire::testing {

/// An in-memory COS bucket endpoint that is a transport: call it with an http_request and it
/// answers as COS would, for the object operations (PUT, GET with Range and conditions, HEAD,
/// DELETE, GET Bucket) and every multipart operation (docs/protocol/multipart.md, objects.md). Opt-in test support: include
/// <coswire/testing/emulator.hpp>; the umbrella header does not.
///
/// It reads a request the way a server does: the request target from `request.target()` (the
/// wire form, decoded with a raw '+' read as a space, docs/protocol/signing.md#what-the-server-does), headers as sent (a missing Host
/// header is taken from `request.host`, as an HTTP client would send it), the body from
/// `request.body_bytes()`. Then, in order:
/// 1. faults: the scripted queue, else a seeded random draw (one per request);
/// 2. Host: none → 400 MissingHost; another host (ASCII case-insensitive) → 403 AccessDenied
///    (real COS answers NoSuchBucket or AccessDenied for a bucket that is not this one);
/// 3. the target: a bad %-escape or a path without a leading '/' → 400 InvalidURI;
/// 4. the signature, with coswire::verify_request (Authorization header or presigned query,
///    constant-time compare): its 403 AccessDenied / InvalidAccessKeyId / SignatureDoesNotMatch
///    (StringToSign, FormatString); a key time starting after server time → 403
///    RequestTimeTooSkewed, one ended before it → 403 AccessDenied "Request has expired", both
///    with ServerTime; a Date header more than 15 minutes off → 403 RequestTimeTooSkewed; the
///    session token of temporary credentials must equal x-cos-security-token (header or query),
///    and permanent credentials must not carry one → else 403 InvalidAccessKeyId; the limits and
///    policy are emulator_options::verify (a window over 7 days → 403 AccessDenied by default);
/// 5. a header or parameter name that appears twice (any case) → 400 InvalidRequest, so the
///    operation reads exactly the copy the signature check saw;
/// 6. the body: a Content-Length larger than the body → 400 IncompleteBody, smaller → the body is
///    cut to it (docs/protocol/objects.md#put-object); a non-numeric one → 400 InvalidArgument; Content-MD5 malformed → 400
///    InvalidDigest, different → 400 BadDigest;
/// 7. the operation; keys longer than 850 bytes → 400 KeyTooLong, keys XML 1.0 cannot carry
///    (U+FFFE, U+FFFF; control characters already fail the signature check) → 400
///    InvalidObjectName; other methods or targets → 405 MethodNotAllowed; PUT Object - Copy →
///    501 NotImplemented.
/// Every answer carries Date, Server: tencent-cos and x-cos-request-id (`emu-<n>`, n counting
/// requests from 1); errors add x-cos-trace-id (`emu-trace-<n>`) and the XML body of docs/protocol/errors.md#error-document, except
/// HEAD errors, which have no body.
///
/// Simpler than COS: one bucket; no versioning, ACLs, SSE, tagging or storage classes (all is
/// STANDARD); unknown query parameters are ignored; page sizes are capped at 1000 and 0 gives an
/// empty, untruncated page; a multipart ETag follows the S3 rule (MD5 of the binary part MD5s,
/// then "-N"), where COS's is opaque (docs/protocol/integrity.md#etag); Complete wants parts 1..N unless allow_part_gaps.
///
/// Thread-safe: one mutex serialises requests, so parallel part uploads may share it.
/// Never throws and never aborts on any request; every refusal is a COS answer or, for injected
/// drops, errc::transport_failure.
class cos_emulator {
public:
    /// An empty bucket configured by `options`.
    explicit cos_emulator(emulator_options options)
        : options_(std::move(options)), fault_rng_(options_.seed), id_rng_(options_.seed ^ 0x9E3779B97F4A7C15u) {}
    cos_emulator(const cos_emulator&) = delete;
    cos_emulator& operator=(const cos_emulator&) = delete;

    /// Answers one request (see the class comment). Errors: only errc::transport_failure, for
    /// injected drop_before / drop_after faults.
    result<http_response> operator()(const http_request& request) {
        const std::lock_guard<std::mutex> lock(mutex_);
        ++stats_.requests;
        detail::emu::exchange x = read_exchange(request);
        return answer(x);
    }

    /// Sets the settable clock (used when emulator_options::clock is empty).
    void set_now(std::int64_t now) {
        const std::lock_guard<std::mutex> lock(mutex_);
        options_.now = now;
    }
    /// Moves the settable clock by `seconds` (saturating).
    void advance(std::int64_t seconds) {
        const std::lock_guard<std::mutex> lock(mutex_);
        options_.now = detail::emu::saturating_add(options_.now, seconds);
    }
    /// Sets the server clock offset (fault_plan::clock_offset).
    void set_clock_offset(std::int64_t seconds) {
        const std::lock_guard<std::mutex> lock(mutex_);
        options_.faults.clock_offset = seconds;
    }
    /// The server's time: the clock plus the offset.
    std::int64_t server_time() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return now_locked();
    }

    /// Replaces the random fault probabilities and the clock offset; the generator keeps its state.
    void set_fault_plan(const fault_plan& plan) {
        const std::lock_guard<std::mutex> lock(mutex_);
        options_.faults = plan;
    }
    /// Scripts the next `count` requests to get fault `kind`, after what is already scripted;
    /// scripted faults win over random ones. A complete_error entry waits at the front of the
    /// queue for the next Complete request, letting other requests through unharmed.
    void fail_next(fault_kind kind, std::size_t count = 1) {
        const std::lock_guard<std::mutex> lock(mutex_);
        script_.insert(script_.end(), count, kind);
    }
    /// Scripted faults not yet used.
    std::size_t scripted_faults_pending() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return script_.size();
    }

    /// Stores an object directly, bypassing signatures, faults and max_stored_bytes (fixtures).
    void put_object(std::string_view key, std::string data, std::vector<http_header> metadata = {}) {
        const std::lock_guard<std::mutex> lock(mutex_);
        store_object(key, std::move(data), std::move(metadata), std::nullopt, now_locked());
    }
    /// A copy of the object stored under `key`, if any.
    std::optional<emulated_object> object(std::string_view key) const {
        const std::lock_guard<std::mutex> lock(mutex_);
        const auto it = objects_.find(key);
        if (it == objects_.end()) return std::nullopt;
        return it->second;
    }
    /// Every stored key, in listing order (bytewise).
    std::vector<std::string> keys() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        std::vector<std::string> out;
        for (const auto& entry : objects_) out.push_back(entry.first);
        return out;
    }
    /// Copies of the in-progress uploads, by key then upload id. Empty means no orphaned parts.
    std::vector<emulated_upload> uploads() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        std::vector<emulated_upload> out;
        for (const emulated_upload* u : sorted_uploads()) out.push_back(*u);
        return out;
    }
    /// Bytes held by objects and by parts of in-progress uploads.
    std::uint64_t stored_bytes() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return stored_bytes_;
    }
    /// Request and fault counters.
    emulator_stats stats() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return stats_;
    }

private:
    using exchange = detail::emu::exchange;
    static constexpr std::string_view internal_error_message = "We encountered an internal error. Please try again.";
    using refusal = std::optional<http_response>;  // an answer that ends the request, or nothing to go on

    // ---- the request as the server reads it -------------------------------------------------

    std::int64_t now_locked() const {
        return detail::emu::saturating_add(options_.clock ? options_.clock() : options_.now, options_.faults.clock_offset);
    }

    exchange read_exchange(const http_request& request) const {
        exchange x;
        const std::string seq = std::to_string(stats_.requests);
        x.request_id = "emu-" + seq;
        x.trace_id = "emu-trace-" + seq;
        x.method = request.method;
        x.now = now_locked();
        for (const http_header& h : request.headers) x.headers.push_back({h.name, h.value});
        if (!x.header("Host") && !request.host.empty()) x.headers.push_back({"Host", request.host});
        const std::span<const std::byte> body = request.body_bytes();
        x.body = std::string_view(reinterpret_cast<const char*>(body.data()), body.size());

        const std::string target = request.target();
        const std::size_t question = target.find('?');
        const std::string_view wire_path = std::string_view(target).substr(0, question);
        x.resource = options_.host + std::string(wire_path);
        if (wire_path.empty() || wire_path.front() != '/') return x;
        result<std::string> path = detail::emu::decode_wire(wire_path);
        if (!path) return x;
        x.path = std::move(*path);
        if (result<std::string> kept_plus = percent_decode(wire_path)) x.resource = options_.host + *kept_plus;
        std::string_view query = std::string_view(target).substr(std::min(question, target.size()));
        if (!query.empty()) query.remove_prefix(1);  // the '?'
        while (!query.empty()) {
            const std::size_t amp = query.find('&');
            const std::string_view item = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
            if (item.empty()) continue;
            const std::size_t eq = item.find('=');
            result<std::string> name = detail::emu::decode_wire(item.substr(0, eq));
            if (!name) return x;
            http_query_param p{std::move(*name), std::nullopt};
            if (eq != std::string_view::npos) {
                result<std::string> value = detail::emu::decode_wire(item.substr(eq + 1));
                if (!value) return x;
                p.value = std::move(*value);
            }
            x.params.push_back(std::move(p));
        }
        x.target_ok = true;
        return x;
    }

    // One uniform draw per request keeps the random sequence aligned with the request count,
    // whatever is scripted.
    fault_kind draw_fault(bool is_complete) {
        const double u = static_cast<double>(fault_rng_() >> 11) * 0x1.0p-53;
        if (!script_.empty() && (script_.front() != fault_kind::complete_error || is_complete)) {
            const fault_kind kind = script_.front();
            script_.pop_front();
            return kind;
        }
        const fault_plan& p = options_.faults;
        const std::array<std::pair<double, fault_kind>, 5> table{
            {{p.internal_error, fault_kind::internal_error},
             {p.slow_down, fault_kind::slow_down},
             {p.drop_before, fault_kind::drop_before},
             {p.drop_after, fault_kind::drop_after},
             {is_complete ? p.complete_error : 0.0, fault_kind::complete_error}}};
        double edge = 0;
        for (const auto& [probability, kind] : table) {
            edge += probability;
            if (u < edge) return kind;
        }
        return fault_kind::none;
    }

    // ---- answers ----------------------------------------------------------------------------

    static http_response reply(const exchange& x, int status, std::string body = {}, std::string_view content_type = {}) {
        http_response r;
        r.status = status;
        if (!content_type.empty()) r.headers.push_back({"Content-Type", std::string(content_type)});
        r.headers.push_back({"Content-Length", std::to_string(body.size())});
        r.headers.push_back({"Date", detail::emu::format_date(x.now)});
        r.headers.push_back({"Server", "tencent-cos"});
        r.headers.push_back({"x-cos-request-id", x.request_id});
        r.body = std::move(body);
        return r;
    }

    static void set_header(std::vector<http_header>& headers, std::string_view name, std::string value) {
        for (http_header& h : headers)
            if (detail::iequals(h.name, name)) {
                h.value = std::move(value);
                return;
            }
        headers.push_back({std::string(name), std::move(value)});
    }

    // The ETag and CRC-64 of an answer, with the encryption every object of the bucket gets.
    void add_integrity_headers(http_response& r, std::string_view etag, std::uint64_t crc) const {
        if (!etag.empty()) r.headers.push_back({"ETag", std::string(etag)});
        r.headers.push_back({"x-cos-hash-crc64ecma", std::to_string(crc)});
        add_encryption_header(r);
    }

    void add_encryption_header(http_response& r) const {
        if (!options_.default_encryption.empty()) r.headers.push_back({"x-cos-server-side-encryption", options_.default_encryption});
    }

    // The docs/protocol/errors.md#error-document body; texts that XML cannot carry are percent-encoded so it always builds.
    std::string error_document(const exchange& x, std::string_view code, std::string_view message,
                               std::span<const detail::emu::error_field> extras) const {
        xml::writer w;
        w.start("Error").element("Code", detail::emu::xml_safe(code)).element("Message", detail::emu::xml_safe(message));
        for (const detail::emu::error_field& f : extras) w.element(f.name, detail::emu::xml_safe(f.value));
        w.element("Resource", detail::emu::xml_safe(x.resource))
            .element("RequestId", x.request_id)
            .element("TraceId", x.trace_id)
            .end();
        return "<?xml version='1.0' encoding='utf-8' ?>\n" + w.finish().value_or(std::string());
    }

    http_response error_reply(const exchange& x, int status, std::string_view code, std::string_view message,
                              std::span<const detail::emu::error_field> extras = {}) const {
        http_response r = reply(x, status, x.is_head() ? std::string() : error_document(x, code, message, extras),
                                x.is_head() ? std::string_view() : std::string_view("application/xml"));
        r.headers.push_back({"x-cos-trace-id", x.trace_id});
        return r;
    }

    http_response xml_reply(const exchange& x, xml::writer& w, std::string_view lead = {}) const {
        result<std::string> document = w.finish();
        if (!document)
            return error_reply(x, 500, "InternalError",
                               "the emulator could not write the XML answer: " + describe(document.error()));
        return reply(x, 200, std::string(lead) + "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n" + *document, "application/xml");
    }

    http_response not_allowed(const exchange& x) const {
        return error_reply(x, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    }
    http_response no_such_key(const exchange& x) const {
        return error_reply(x, 404, "NoSuchKey", "The specified key does not exist.");
    }
    http_response no_such_upload(const exchange& x) const {
        return error_reply(x, 404, "NoSuchUpload", "The specified upload does not exist.");
    }
    http_response invalid_argument(const exchange& x, std::string_view message) const {
        return error_reply(x, 400, "InvalidArgument", message);
    }
    http_response too_large(const exchange& x) const {
        return error_reply(x, 400, "EntityTooLarge", "The emulator's max_stored_bytes would be exceeded.");
    }

    // ---- the checks before an operation -----------------------------------------------------

    http_response serve(exchange& x) {
        ++stats_.served;
        const std::optional<std::string_view> host = x.header("Host");
        if (!host || host->empty()) return error_reply(x, 400, "MissingHost", "The request has no Host header.");
        if (!detail::iequals(*host, options_.host))
            return error_reply(x, 403, "AccessDenied", "This endpoint serves only " + options_.host + ".");
        if (!x.target_ok) return error_reply(x, 400, "InvalidURI", "Couldn't parse the specified URI.");
        if (refusal r = authenticate(x)) return std::move(*r);
        if (refusal r = refuse_repeated_names(x)) return std::move(*r);
        if (refusal r = read_body(x)) return std::move(*r);
        return dispatch(x);
    }

    const credentials* find_credentials(std::string_view secret_id) const noexcept {
        for (const credentials& c : options_.accepted)
            if (c.secret_id == secret_id) return &c;
        return nullptr;
    }

    // The windows of a signature that verify_request found expired, to tell "too early" (a
    // skewed client clock) from "too late". verify_request has already refused every request in
    // which this reading could differ from its own (several Authorization headers, both forms).
    static bool signed_for_later(const signable_request& request, std::int64_t now) {
        std::optional<authorization_fields> fields;
        for (const header_field& h : request.headers)
            if (detail::iequals(h.name, "Authorization"))
                if (auto parsed = parse_authorization(detail::trim_blanks(h.value))) fields = std::move(*parsed);
        if (!fields)
            if (auto presigned = parse_presigned_query(request.params); presigned && *presigned) fields = std::move(**presigned);
        return fields && (now < fields->q_sign_time.start || now < fields->q_key_time.start);
    }

    http_response time_refusal(const exchange& x, bool too_early) {
        const std::array<detail::emu::error_field, 1> server_time{{{"ServerTime", detail::emu::format_iso8601(x.now)}}};
        if (!too_early) return error_reply(x, 403, "AccessDenied", "Request has expired", server_time);
        ++stats_.faults.clock_skew;
        return error_reply(x, 403, "RequestTimeTooSkewed",
                           "The difference between the request time and the server's time is too large.", server_time);
    }

    refusal authenticate(const exchange& x) {
        std::vector<query_param> params;
        for (const http_query_param& p : x.params)
            params.push_back({p.name, p.value ? std::optional<std::string_view>(*p.value) : std::nullopt});
        const signable_request signable{x.method, x.path, params, x.headers};
        const auto lookup = [this](std::string_view id) -> const secret_string* {
            const credentials* c = find_credentials(id);
            return c != nullptr ? &c->secret_key : nullptr;
        };
        const result<verified_signature> verified = verify_request(signable, lookup, x.now, options_.verify);
        if (!verified) {
            const error& e = verified.error();
            if (!e.service) return error_reply(x, 403, "AccessDenied", e.reason);
            const cos_error& s = *e.service;
            if (s.code == "AccessDenied" && s.message == "Request has expired") return time_refusal(x, signed_for_later(signable, x.now));
            std::vector<detail::emu::error_field> extras;
            if (!s.string_to_sign.empty()) extras.push_back({"StringToSign", s.string_to_sign});
            if (!s.format_string.empty()) extras.push_back({"FormatString", s.format_string});
            return error_reply(x, s.http_status, s.code, s.message, extras);
        }
        const credentials* creds = find_credentials(verified->secret_id);
        if (creds == nullptr) return error_reply(x, 403, "AccessDenied", "The signature could not be read back.");
        std::optional<std::string_view> token = x.header("x-cos-security-token");
        if (const http_query_param* p = x.param("x-cos-security-token"); !token && p != nullptr)
            token = p->value ? std::string_view(*p->value) : std::string_view();
        const std::string_view expected = creds->session_token.reveal();
        const bool token_ok = expected.empty() ? !token : (token && detail::constant_time_equal(*token, expected));
        if (!token_ok)
            return error_reply(x, 403, "InvalidAccessKeyId",
                               expected.empty() ? "A security token was sent with permanent credentials."
                                                : "The security token is missing or does not match the SecretId.");
        if (const auto date = x.header("Date"))
            if (const result<std::int64_t> sent = parse_http_date(*date)) {
                const std::int64_t now = detail::emu::clamp_time(x.now);
                if (*sent > now + 900 || *sent < now - 900) return time_refusal(x, true);
            }
        return std::nullopt;
    }

    // Every name the emulator acts on is read once (exchange::header / param take the first), so
    // a second copy would be a meaning the signature check never saw: refuse any repeated header
    // name (any case) or parameter name (any case, as names are signed).
    refusal refuse_repeated_names(const exchange& x) const {
        for (std::size_t i = 0; i < x.headers.size(); ++i)
            for (std::size_t j = i + 1; j < x.headers.size(); ++j)
                if (detail::iequals(x.headers[i].name, x.headers[j].name))
                    return error_reply(x, 400, "InvalidRequest", "The header " + std::string(x.headers[i].name) + " appears more than once.");
        for (std::size_t i = 0; i < x.params.size(); ++i)
            for (std::size_t j = i + 1; j < x.params.size(); ++j)
                if (detail::iequals(x.params[i].name, x.params[j].name))
                    return error_reply(x, 400, "InvalidRequest", "The parameter " + x.params[i].name + " appears more than once.");
        return std::nullopt;
    }

    refusal read_body(exchange& x) const {
        if (const auto length_text = x.header("Content-Length")) {
            const auto length = detail::emu::parse_decimal(*length_text);
            if (!length) return invalid_argument(x, "Content-Length is not a decimal number.");
            if (*length > x.body.size())
                return error_reply(x, 400, "IncompleteBody",
                                   "You did not provide the number of bytes specified by the Content-Length HTTP header.");
            x.body = x.body.substr(0, static_cast<std::size_t>(*length));
        }
        if (const auto md5_text = x.header("Content-MD5")) {
            const result<std::string> sent = base64_decode(*md5_text);
            if (!sent || sent->size() != 16)
                return error_reply(x, 400, "InvalidDigest", "The Content-MD5 you specified is not valid.");
            const md5_digest actual = md5_hash(x.body);
            if (!std::equal(actual.begin(), actual.end(), sent->begin(),
                            [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }))
                return error_reply(x, 400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
        }
        return std::nullopt;
    }

    refusal check_key(const exchange& x) const {
        const std::string_view key = x.key();
        if (key.size() > detail::max_object_key_size)
            return error_reply(x, 400, "KeyTooLong", "Your key is too long (at most 850 bytes).");
        // Control characters (docs/protocol/endpoints.md#object-keys forbids some) never get this far: the signature
        // check refuses a path holding one. What is left to refuse is U+FFFE / U+FFFF.
        if (detail::xml_text_error_offset(key) != key.size())
            return error_reply(x, 400, "InvalidObjectName", "The specified object name is not valid.");
        return std::nullopt;
    }

    http_response dispatch(exchange& x) {
        if (x.path == "/") {
            if (x.method == "GET") return x.param("uploads") != nullptr ? list_uploads(x) : list_objects(x);
            if (x.method == "HEAD") return reply(x, 200);
            return not_allowed(x);
        }
        if (refusal r = check_key(x)) return std::move(*r);
        const bool has_upload_id = x.param("uploadId") != nullptr;
        if (x.method == "PUT") {
            if (has_upload_id || x.param("partNumber") != nullptr) return upload_part(x);
            if (x.header("x-cos-copy-source")) return error_reply(x, 501, "NotImplemented", "PUT Object - Copy is not emulated.");
            return put_object(x);
        }
        if (x.method == "GET" && has_upload_id) return list_parts(x);
        if (x.method == "GET" || x.method == "HEAD") return get_object(x);
        if (x.method == "DELETE") return has_upload_id ? abort_upload(x) : delete_object(x);
        if (x.method == "POST" && x.param("uploads") != nullptr) return initiate(x);
        if (x.method == "POST" && has_upload_id) return complete(x);
        return not_allowed(x);
    }

    // ---- storage ----------------------------------------------------------------------------

    bool fits(std::uint64_t added, std::uint64_t removed) const noexcept {
        return stored_bytes_ - removed + added <= options_.max_stored_bytes;
    }

    static std::vector<http_header> stored_metadata(const exchange& x) {
        static constexpr std::array<std::string_view, 5> kept{"Content-Type", "Cache-Control", "Content-Disposition",
                                                              "Content-Encoding", "Expires"};
        std::vector<http_header> out;
        for (const header_field& h : x.headers)
            if (detail::istarts_with(h.name, "x-cos-meta-") ||
                std::any_of(kept.begin(), kept.end(), [&](std::string_view k) { return detail::iequals(h.name, k); }))
                out.push_back({std::string(h.name), std::string(detail::trim_blanks(h.value))});
        return out;
    }

    static std::string quoted_md5(std::string_view data) {
        const auto hex = to_hex(md5_hash(data));
        return "\"" + std::string(to_string_view(hex)) + "\"";
    }

    // The ETag of stored bytes: their MD5, except under SSE-KMS, whose ETags are opaque (here
    // the MD5 of the bytes behind a fixed prefix: 32 hex digits, never the bytes' MD5).
    std::string content_etag(std::string_view data) const {
        if (options_.default_encryption != "cos/kms") return quoted_md5(data);
        md5 h;
        h.update(std::string_view("kms-sealed:"));
        h.update(data);
        const auto hex = to_hex(h.finish());
        return "\"" + std::string(to_string_view(hex)) + "\"";
    }

    // Stores (or replaces) an object; `etag` defaults to the quoted MD5 of the data.
    emulated_object& store_object(std::string_view key, std::string data, std::vector<http_header> metadata,
                                  std::optional<std::string> etag, std::int64_t now) {
        emulated_object o;
        o.etag = etag ? std::move(*etag) : content_etag(data);
        o.crc64 = crc64(data);
        o.last_modified = now;
        o.metadata = std::move(metadata);
        o.data = std::move(data);
        const auto it = objects_.find(key);
        if (it != objects_.end()) stored_bytes_ -= it->second.data.size();
        stored_bytes_ += o.data.size();
        if (it != objects_.end()) return it->second = std::move(o);
        return objects_.emplace(std::string(key), std::move(o)).first->second;
    }

    std::uint64_t object_size(std::string_view key) const {
        const auto it = objects_.find(key);
        return it == objects_.end() ? 0 : it->second.data.size();
    }

    // The upload named by uploadId, only for the key it was initiated for (else NoSuchUpload).
    emulated_upload* find_upload(const exchange& x) {
        const auto it = uploads_.find(x.param_value("uploadId"));
        return it != uploads_.end() && it->second.key == x.key() ? &it->second : nullptr;
    }

    // Forgets an upload and the bytes of all its parts, listed in a Complete or not.
    void drop_upload(const emulated_upload& u) {
        for (const auto& entry : u.parts) stored_bytes_ -= entry.second.data.size();
        uploads_.erase(uploads_.find(u.upload_id));
    }

    std::vector<const emulated_upload*> sorted_uploads() const {
        std::vector<const emulated_upload*> out;
        for (const auto& entry : uploads_) out.push_back(&entry.second);
        std::sort(out.begin(), out.end(), [](const emulated_upload* a, const emulated_upload* b) {
            return a->key != b->key ? a->key < b->key : a->upload_id < b->upload_id;
        });
        return out;
    }

    // 74 lower-case hex digits: the decimal server time, then digits from the seeded generator
    // (docs/protocol/multipart.md#initiate-multipart-upload: every documented id looks like this).
    std::string new_upload_id(std::int64_t now) {
        for (;;) {
            std::string id = std::to_string(std::max<std::int64_t>(now, 0));
            while (id.size() < 74) {
                const std::uint64_t bits = id_rng_();
                for (int i = 0; i < 16 && id.size() < 74; ++i) id += "0123456789abcdef"[(bits >> (4 * i)) & 0xFu];
            }
            if (uploads_.find(id) == uploads_.end()) return id;
        }
    }

    // ---- object operations (docs/protocol/objects.md) -------------------------------------------------------------

    http_response put_object(const exchange& x) {
        if (!fits(x.body.size(), object_size(x.key()))) return too_large(x);
        const emulated_object& o = store_object(x.key(), std::string(x.body), stored_metadata(x), std::nullopt, x.now);
        http_response r = reply(x, 200);
        add_integrity_headers(r, o.etag, o.crc64);
        return r;
    }

    http_response delete_object(const exchange& x) {
        stored_bytes_ -= object_size(x.key());
        if (const auto it = objects_.find(x.key()); it != objects_.end()) objects_.erase(it);
        return reply(x, 204);
    }

    enum class precondition { pass, not_modified, failed };

    // RFC 9110 section 13.2.2 order: If-Match, else If-Unmodified-Since; then If-None-Match, else
    // If-Modified-Since. `prefix` is "" for GET/HEAD and "x-cos-copy-source-" for a copy source.
    static precondition evaluate_preconditions(const exchange& x, std::string_view prefix, const emulated_object& o) {
        const auto named = [&](std::string_view name) { return x.header(std::string(prefix) + std::string(name)); };
        const auto date_of = [&](std::string_view name) -> std::optional<std::int64_t> {
            if (const auto text = named(name))
                if (const result<std::int64_t> t = parse_http_date(*text)) return *t;
            return std::nullopt;
        };
        if (const auto match = named("If-Match")) {
            if (!detail::emu::etag_list_matches(*match, o.etag)) return precondition::failed;
        } else if (const auto since = date_of("If-Unmodified-Since"); since && o.last_modified > *since) {
            return precondition::failed;
        }
        if (const auto none_match = named("If-None-Match")) {
            if (detail::emu::etag_list_matches(*none_match, o.etag)) return precondition::not_modified;
        } else if (const auto since = date_of("If-Modified-Since"); since && o.last_modified <= *since) {
            return precondition::not_modified;
        }
        return precondition::pass;
    }

    http_response precondition_failed(const exchange& x) const {
        return error_reply(x, 412, "PreconditionFailed", "Precondition not match.");
    }

    http_response get_object(const exchange& x) const {
        const auto it = objects_.find(x.key());
        if (it == objects_.end()) return no_such_key(x);
        const emulated_object& o = it->second;
        const precondition condition = evaluate_preconditions(x, "", o);
        if (condition == precondition::failed) return precondition_failed(x);
        if (condition == precondition::not_modified) {
            http_response r = reply(x, 304);
            r.headers.push_back({"ETag", o.etag});
            r.headers.push_back({"Last-Modified", detail::emu::format_date(o.last_modified)});
            r.headers.push_back({"x-cos-trace-id", x.trace_id});
            return r;
        }
        const std::uint64_t size = o.data.size();
        detail::emu::byte_range range{0, size == 0 ? 0 : size - 1};
        bool partial = false;
        if (const auto range_text = x.header("Range"))
            if (const auto spec = detail::emu::parse_range(*range_text)) {
                const auto resolved = detail::emu::resolve_range(*spec, size);
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
        const auto is_content_type = [](const http_header& h) { return detail::iequals(h.name, "Content-Type"); };
        if (std::none_of(headers.begin(), headers.end(), is_content_type))
            headers.push_back({"Content-Type", "application/octet-stream"});
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
        http_response r = reply(x, partial ? 206 : 200,
                                x.is_head() ? std::string() : body_of(o, static_cast<std::size_t>(range.first), length));
        set_header(r.headers, "Content-Length", std::to_string(length));
        r.headers.push_back({"Accept-Ranges", "bytes"});
        r.headers.push_back({"Last-Modified", detail::emu::format_date(o.last_modified)});
        add_integrity_headers(r, o.etag, o.crc64);
        if (partial)
            r.headers.push_back({"Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) +
                                                      "/" + std::to_string(size)});
        r.headers.insert(r.headers.end(), headers.begin(), headers.end());
        return r;
    }

    // ---- listings (docs/protocol/multipart.md#list-parts, docs/protocol/multipart.md#list-multipart-uploads, docs/protocol/objects.md#get-bucket, docs/protocol/encoding-type.md) ----------------------------------------------------

    // A numeric parameter: absent → `fallback`, else decimal digits.
    refusal number_param(const exchange& x, std::string_view name, std::uint64_t fallback, std::uint64_t& out) const {
        out = fallback;
        if (x.param(name) == nullptr) return std::nullopt;
        const auto value = detail::emu::parse_decimal(x.param_value(name));
        if (!value) return invalid_argument(x, std::string(name) + " must be a non-negative decimal number.");
        out = *value;
        return std::nullopt;
    }

    // A text parameter echoed in a listing: it must be text XML can carry.
    refusal text_param(const exchange& x, std::string_view name, std::string& out) const {
        out = std::string(x.param_value(name));
        if (detail::xml_text_error_offset(out) != out.size())
            return invalid_argument(x, std::string(name) + " holds a character XML 1.0 cannot carry.");
        return std::nullopt;
    }

    struct listing_query {
        std::string prefix, delimiter, marker;
        std::uint64_t max = 1000;
        bool url = false;
    };

    // encoding-type and the page size, shared by the three listings; max is capped at 1000.
    refusal read_page_params(const exchange& x, std::string_view max_name, listing_query& q) const {
        if (refusal r = number_param(x, max_name, 1000, q.max)) return r;
        q.max = std::min<std::uint64_t>(q.max, 1000);
        if (x.param("encoding-type") != nullptr && x.param_value("encoding-type") != "url")
            return invalid_argument(x, "encoding-type must be url.");
        q.url = x.param("encoding-type") != nullptr;
        return std::nullopt;
    }

    refusal read_listing_query(const exchange& x, std::string_view marker_name, std::string_view max_name,
                               listing_query& q) const {
        if (refusal r = read_page_params(x, max_name, q)) return r;
        if (refusal r = text_param(x, "prefix", q.prefix)) return r;
        if (refusal r = text_param(x, "delimiter", q.delimiter)) return r;
        return text_param(x, marker_name, q.marker);
    }

    static std::string listed(std::string_view s, bool url) { return url ? detail::emu::path_encode(s) : std::string(s); }

    static void write_common_prefixes(xml::writer& w, const std::vector<std::string>& prefixes, bool url) {
        for (const std::string& prefix : prefixes) w.start("CommonPrefixes").element("Prefix", listed(prefix, url)).end();
    }

    void write_principal(xml::writer& w, std::string_view element) const {
        const std::string_view appid = std::string_view(options_.bucket).substr(options_.bucket.rfind('-') + 1);
        w.start(element)
            .element("ID", "qcs::cam::uin/" + std::string(appid) + ":uin/" + std::string(appid))
            .element("DisplayName", appid)
            .end();
    }

    http_response list_objects(const exchange& x) const {
        listing_query q;
        if (refusal r = read_listing_query(x, "marker", "max-keys", q)) return std::move(*r);
        using entry = decltype(objects_)::value_type;
        const std::vector<const entry*> sorted = detail::emu::entries_of(objects_);
        const std::string_view marker = q.marker;
        const auto p = detail::emu::paginate(
            sorted, [](const entry& e) { return std::string_view(e.first); },
            [marker](const entry& e) { return std::string_view(e.first) > marker; }, marker, q.prefix, q.delimiter, q.max);
        xml::writer w;
        w.start("ListBucketResult").element("Name", options_.bucket);
        if (q.url) w.element("EncodingType", "url");
        w.element("Prefix", listed(q.prefix, q.url))
            .element("Marker", listed(q.marker, q.url))
            .element("MaxKeys", std::to_string(q.max));
        if (!q.delimiter.empty()) w.element("Delimiter", q.delimiter);
        w.element("IsTruncated", p.truncated ? "true" : "false");
        if (p.truncated) w.element("NextMarker", listed(p.next_key, q.url));
        write_common_prefixes(w, p.common_prefixes, q.url);
        for (const entry* e : p.items) {
            w.start("Contents")
                .element("Key", listed(e->first, q.url))
                .element("LastModified", detail::emu::format_iso8601(e->second.last_modified))
                .element("ETag", e->second.etag)
                .element("Size", std::to_string(e->second.data.size()));
            write_principal(w, "Owner");
            w.element("StorageClass", "STANDARD").end();
        }
        w.end();
        return xml_reply(x, w);
    }

    http_response list_uploads(const exchange& x) const {
        listing_query q;
        std::string upload_id_marker;
        if (refusal r = read_listing_query(x, "key-marker", "max-uploads", q)) return std::move(*r);
        if (refusal r = text_param(x, "upload-id-marker", upload_id_marker)) return std::move(*r);
        const std::string_view key_marker = q.marker, id_marker = upload_id_marker;
        // docs/protocol/multipart.md#list-multipart-uploads: keys after key-marker, plus, with upload-id-marker, later ids of key-marker itself.
        const auto after = [key_marker, id_marker](const emulated_upload& u) {
            return std::string_view(u.key) > key_marker || (!id_marker.empty() && u.key == key_marker && u.upload_id > id_marker);
        };
        const auto p = detail::emu::paginate(
            sorted_uploads(), [](const emulated_upload& u) { return std::string_view(u.key); }, after, key_marker, q.prefix,
            q.delimiter, q.max);
        xml::writer w;
        w.start("ListMultipartUploadsResult").element("Bucket", options_.bucket);
        if (q.url) w.element("Encoding-Type", "url");
        w.element("KeyMarker", listed(q.marker, q.url)).element("UploadIdMarker", listed(upload_id_marker, q.url));
        if (p.truncated)
            w.element("NextKeyMarker", listed(p.next_key, q.url))
                .element("NextUploadIdMarker", p.next_item != nullptr ? listed(p.next_item->upload_id, q.url) : std::string());
        w.element("MaxUploads", std::to_string(q.max))
            .element("IsTruncated", p.truncated ? "true" : "false")
            .element("Prefix", listed(q.prefix, q.url))
            .element("Delimiter", q.delimiter);
        for (const emulated_upload* u : p.items) {
            w.start("Upload")
                .element("Key", listed(u->key, q.url))
                .element("UploadId", u->upload_id)
                .element("StorageClass", "STANDARD");
            write_principal(w, "Initiator");
            write_principal(w, "Owner");
            w.element("Initiated", detail::emu::format_iso8601(u->initiated)).end();
        }
        write_common_prefixes(w, p.common_prefixes, q.url);
        w.end();
        return xml_reply(x, w);
    }

    http_response list_parts(exchange& x) {
        if (x.param_value("uploadId").empty())
            return error_reply(x, 400, "ListPartUploadIdIsEmpty", "The uploadId parameter is empty.");
        const emulated_upload* u = find_upload(x);
        if (u == nullptr) return no_such_upload(x);
        listing_query q;
        std::uint64_t marker = 0;
        if (refusal r = read_page_params(x, "max-parts", q)) return std::move(*r);
        if (refusal r = number_param(x, "part-number-marker", 0, marker)) return std::move(*r);
        using entry = std::map<std::uint32_t, emulated_part>::value_type;
        const std::vector<const entry*> sorted = detail::emu::entries_of(u->parts);
        // No prefix or delimiter: every part has the empty key, and the marker is exclusive.
        const auto p = detail::emu::paginate(
            sorted, [](const entry&) { return std::string_view(); }, [marker](const entry& e) { return e.first > marker; }, "",
            "", "", q.max);
        xml::writer w;
        w.start("ListPartsResult").element("Bucket", options_.bucket);
        if (q.url) w.element("EncodingType", "url");
        w.element("Key", listed(u->key, q.url)).element("UploadId", u->upload_id);
        write_principal(w, "Owner");
        w.element("PartNumberMarker", std::to_string(marker));
        write_principal(w, "Initiator");
        for (const entry* e : p.items)
            w.start("Part")
                .element("PartNumber", std::to_string(e->first))
                .element("LastModified", detail::emu::format_iso8601(e->second.last_modified))
                .element("ETag", e->second.etag)
                .element("Size", std::to_string(e->second.data.size()))
                .end();
        if (p.truncated && p.next_item != nullptr) w.element("NextPartNumberMarker", std::to_string(p.next_item->first));
        w.element("StorageClass", "STANDARD")
            .element("MaxParts", std::to_string(q.max))
            .element("IsTruncated", p.truncated ? "true" : "false");
        w.end();
        return xml_reply(x, w);
    }

    // ---- multipart operations (docs/protocol/multipart.md) ----------------------------------------------------------

    http_response initiate(const exchange& x) {
        std::string id = new_upload_id(x.now);
        emulated_upload& u = uploads_[id];
        u.upload_id = id;
        u.key = std::string(x.key());
        u.initiated = x.now;
        u.metadata = stored_metadata(x);
        xml::writer w;
        w.start("InitiateMultipartUploadResult")
            .element("Bucket", options_.bucket)
            .element("Key", u.key)
            .element("UploadId", id)
            .end();
        http_response r = xml_reply(x, w);
        add_encryption_header(r);
        return r;
    }

    // The bytes an Upload Part - Copy names (docs/protocol/multipart.md#upload-part-copy): `<host>/<pathenc(key)>[?versionId=...]` of
    // this bucket, its conditions and its range.
    refusal read_copy_source(const exchange& x, std::string_view source, std::string& out) const {
        for (std::string_view scheme : {"http://", "https://"})
            if (detail::istarts_with(source, scheme)) source.remove_prefix(scheme.size());
        const std::size_t slash = source.find('/');
        if (slash == std::string_view::npos || slash + 1 == source.size())
            return error_reply(x, 400, "InvalidCopySource", "x-cos-copy-source must be <host>/<key>.");
        const std::string_view host = source.substr(0, slash);
        if (!detail::iequals(host, options_.host) && !detail::istarts_with(host, options_.bucket + "."))
            return error_reply(x, 404, "NoSuchBucket", "The specified bucket does not exist.");
        const std::string_view encoded_key = source.substr(slash + 1, source.find('?', slash) - slash - 1);
        const result<std::string> key = percent_decode(encoded_key, "x-cos-copy-source");
        if (!key) return error_reply(x, 400, "InvalidCopySource", "x-cos-copy-source has a bad %-escape.");
        const auto it = objects_.find(*key);
        if (it == objects_.end()) return no_such_key(x);
        if (evaluate_preconditions(x, "x-cos-copy-source-", it->second) != precondition::pass) return precondition_failed(x);
        const std::string& data = it->second.data;
        out = data;
        if (const auto range_text = x.header("x-cos-copy-source-range")) {
            const auto spec = detail::emu::parse_range(*range_text);
            if (!spec || spec->suffix || !spec->last || *spec->last >= data.size())
                return invalid_argument(x, "x-cos-copy-source-range must be bytes=first-last inside the source object.");
            out = data.substr(static_cast<std::size_t>(spec->first), static_cast<std::size_t>(*spec->last - spec->first + 1));
        }
        return std::nullopt;
    }

    http_response upload_part(exchange& x) {
        const auto number = detail::emu::parse_decimal(x.param_value("partNumber"));
        if (!number || *number < 1 || *number > max_part_count)
            return invalid_argument(x, "Part number must be an integer between 1 and 10000, inclusive.");
        emulated_upload* u = find_upload(x);
        if (u == nullptr) return no_such_upload(x);
        const std::optional<std::string_view> source = x.header("x-cos-copy-source");
        std::string data;
        if (source) {
            if (refusal r = read_copy_source(x, *source, data)) return std::move(*r);
        } else {
            data = std::string(x.body);
        }
        const auto part_number = static_cast<std::uint32_t>(*number);
        const auto old = u->parts.find(part_number);
        if (!fits(data.size(), old == u->parts.end() ? 0 : old->second.data.size())) return too_large(x);
        if (old != u->parts.end()) stored_bytes_ -= old->second.data.size();
        stored_bytes_ += data.size();
        emulated_part& part = u->parts[part_number];
        part.number = part_number;
        part.etag = content_etag(data);
        part.crc64 = crc64(data);
        part.last_modified = x.now;
        part.data = std::move(data);
        if (!source) {
            http_response r = reply(x, 200);
            add_integrity_headers(r, part.etag, part.crc64);
            return r;
        }
        xml::writer w;
        w.start("CopyPartResult")
            .element("ETag", part.etag)
            .element("LastModified", detail::emu::format_iso8601(part.last_modified))
            .end();
        http_response r = xml_reply(x, w);
        add_integrity_headers(r, {}, part.crc64);
        return r;
    }

    http_response complete(exchange& x) {
        emulated_upload* u = find_upload(x);
        if (u == nullptr) return no_such_upload(x);
        const result<std::vector<detail::emu::listed_part>> listed_parts = detail::emu::parse_complete_body(x.body);
        if (!listed_parts)
            return error_reply(x, 400, "MalformedXML",
                               "The XML you provided was not well-formed or did not validate against our published schema.");
        const std::vector<detail::emu::listed_part>& parts = *listed_parts;
        for (std::size_t i = 1; i < parts.size(); ++i)
            if (parts[i].number <= parts[i - 1].number)
                return error_reply(x, 400, "InvalidPartOrder",
                                   "The list of parts was not in ascending order. Parts must be ordered by part number.");
        std::vector<const emulated_part*> chosen;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const auto it =
                parts[i].number > max_part_count ? u->parts.end() : u->parts.find(static_cast<std::uint32_t>(parts[i].number));
            if (it == u->parts.end() ||
                !detail::iequals(detail::emu::bare_etag(parts[i].etag), detail::emu::bare_etag(it->second.etag)))
                return error_reply(x, 400, "InvalidPart",
                                   "Part " + std::to_string(parts[i].number) + " was not uploaded or its ETag does not match.");
            if (!options_.allow_part_gaps && parts[i].number != i + 1)
                return error_reply(x, 400, "InvalidPart",
                                   "Part numbers must be 1 to N without gaps; part " + std::to_string(i + 1) + " is not listed.");
            chosen.push_back(&it->second);
        }
        for (std::size_t i = 0; i + 1 < chosen.size(); ++i)
            if (chosen[i]->data.size() < options_.min_part_size)
                return error_reply(x, 400, "EntityTooSmall",
                                   "Your proposed upload is smaller than the minimum allowed object size.");

        // The object is the listed parts in order; its CRC is folded from the part CRCs (docs/protocol/integrity.md#combining-crc-64-values)
        // and its ETag is "<MD5 of the binary part MD5s>-<N>", the S3 rule (docs/protocol/integrity.md#etag: opaque).
        std::string data;
        md5 etag_hash;
        std::uint64_t crc = 0;
        for (const emulated_part* part : chosen) {
            data += part->data;
            crc = crc64_combine(crc, part->crc64, part->data.size());
            if (const auto digest = from_hex_array<16>(detail::emu::bare_etag(part->etag)))
                etag_hash.update(std::as_bytes(std::span<const std::uint8_t>(*digest)));
        }
        const auto etag_hex = to_hex(etag_hash.finish());
        const std::string etag = "\"" + std::string(to_string_view(etag_hex)) + "-" + std::to_string(chosen.size()) + "\"";
        const std::string key = u->key;
        std::vector<http_header> metadata = std::move(u->metadata);
        drop_upload(*u);
        store_object(key, std::move(data), std::move(metadata), etag, x.now);

        // COS answers 200 at once and keeps the connection alive with blanks while it merges.
        xml::writer w;
        w.start("CompleteMultipartUploadResult")
            .element("Location", "http://" + options_.host + "/" + detail::emu::path_encode(key))
            .element("Bucket", options_.bucket)
            .element("Key", key)
            .element("ETag", etag)
            .end();
        http_response r = xml_reply(x, w, "\n    \n    \n");
        constexpr std::string_view root = "<CompleteMultipartUploadResult>";
        if (const std::size_t at = r.body.find(root); at != std::string::npos) {
            r.body.replace(at, root.size(),
                           "<CompleteMultipartUploadResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">");
            set_header(r.headers, "Content-Length", std::to_string(r.body.size()));
        }
        add_integrity_headers(r, {}, crc);
        return r;
    }

    http_response abort_upload(exchange& x) {
        emulated_upload* u = find_upload(x);
        if (u == nullptr) return no_such_upload(x);
        drop_upload(*u);
        return reply(x, 204);
    }

    mutable std::mutex mutex_;
    emulator_options options_;
    std::mt19937_64 fault_rng_;
    std::mt19937_64 id_rng_;
    std::deque<fault_kind> script_;
    std::map<std::string, emulated_object, std::less<>> objects_;
    std::map<std::string, emulated_upload, std::less<>> uploads_;
    std::uint64_t stored_bytes_ = 0;
    emulator_stats stats_;

    // ---- streaming (docs/download.md#emulator) -----------------------------------------------

public:
    /// Answers one request like operator()(request), delivering the answer to `sink` (see
    /// response_sink) in pieces of at most stream_piece bytes. A GET Object body is read from the
    /// stored object in place, so a streamed download costs no copy of the object beyond the
    /// store; other answers are small and built as usual. The sink is called with the emulator's
    /// lock held (so the object cannot change mid-answer): it must not call back into the
    /// emulator. Errors: operator()'s, and the sink's, returned unchanged.
    result<http_response> operator()(const http_request& request, response_sink& sink) {
        const std::lock_guard<std::mutex> lock(mutex_);
        ++stats_.requests;
        detail::emu::exchange x = read_exchange(request);
        streaming_ = true;
        streamed_body_ = {};
        result<http_response> r = answer(x);
        streaming_ = false;
        if (!r) return r;
        const std::string own_body = std::move(r->body);
        const std::string_view body = streamed_body_.data() != nullptr ? streamed_body_ : std::string_view(own_body);
        streamed_body_ = {};
        r->body.clear();
        if (auto ok = sink.head(*r); !ok) return std::move(ok).error();
        for (std::size_t at = 0; at < body.size(); at += stream_piece) {
            const std::string_view piece = body.substr(at, stream_piece);
            if (auto ok = sink.body({reinterpret_cast<const std::byte*>(piece.data()), piece.size()}); !ok)
                return std::move(ok).error();
        }
        return r;
    }

    /// The largest piece operator()(request, sink) hands to the sink at once.
    static constexpr std::size_t stream_piece = 64 * 1024;

private:
    // The faults, then serve: what both call operators answer.
    result<http_response> answer(detail::emu::exchange& x) {
        switch (draw_fault(x.is_complete())) {
            case fault_kind::internal_error:
                ++stats_.faults.internal_error;
                return error_reply(x, 500, "InternalError", internal_error_message);
            case fault_kind::slow_down:
                ++stats_.faults.slow_down;
                return error_reply(x, 503, "SlowDown", "Please reduce your request rate.");
            case fault_kind::drop_before:
                ++stats_.faults.drop_before;
                return make_error(errc::transport_failure, "transport",
                                  "connection dropped before the request reached the bucket (injected)");
            case fault_kind::complete_error:
                ++stats_.faults.complete_error;
                return reply(x, 200, " \n \n" + error_document(x, "InternalError", internal_error_message, {}),
                             "application/xml");
            case fault_kind::drop_after:
                ++stats_.faults.drop_after;
                static_cast<void>(serve(x));
                return make_error(errc::transport_failure, "transport",
                                  "connection dropped after the request was applied (injected)");
            case fault_kind::none:
                break;
        }
        return serve(x);
    }

    // A GET Object body: copied out of the store, or, while streaming, lent from it (the lock is
    // held until the streaming call has fed it to its sink).
    std::string body_of(const emulated_object& o, std::size_t first, std::size_t length) const {
        if (!streaming_) return o.data.substr(first, length);
        streamed_body_ = std::string_view(o.data).substr(first, length);
        return {};
    }

    bool streaming_ = false;                         // inside operator()(request, sink)
    mutable std::string_view streamed_body_;         // the GET body body_of lent, if any
};

static_assert(transport<cos_emulator>);
static_assert(streaming_transport<cos_emulator>);

}  // namespace coswire::testing
