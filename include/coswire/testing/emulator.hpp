// SPDX-License-Identifier: MIT
// cos_emulator: an in-process COS bucket endpoint behind the transport concept, with signature checks,
// the object and multipart operations, COS-shaped errors and seeded fault injection (docs/protocol/: signing, errors, endpoints, headers, multipart, objects, integrity, encoding-type).
// Its parts live in testing/emulator/ (docs/emulator.md#structure); this header locks, injects
// faults and dispatches a request to them.
#pragma once

#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator/acl.hpp>
#include <coswire/testing/emulator/append.hpp>
#include <coswire/testing/emulator/buckets.hpp>
#include <coswire/testing/emulator/checks.hpp>
#include <coswire/testing/emulator/copy.hpp>
#include <coswire/testing/emulator/delete_multiple.hpp>
#include <coswire/testing/emulator/faults.hpp>
#include <coswire/testing/emulator/listings.hpp>
#include <coswire/testing/emulator/multipart.hpp>
#include <coswire/testing/emulator/objects.hpp>
#include <coswire/testing/emulator/options.hpp>
#include <coswire/testing/emulator/post_object.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/restore.hpp>
#include <coswire/testing/emulator/sse.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/testing/emulator/tagging.hpp>
#include <coswire/testing/emulator/versions.hpp>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::testing {

/// An in-memory COS bucket endpoint that is a transport: call it with an http_request and it
/// answers as COS would, for the object operations (PUT, GET with Range and conditions, HEAD,
/// DELETE, GET Bucket), PUT Object - Copy, every multipart operation, DELETE Multiple Objects,
/// object tagging, APPEND Object, storage classes with POST Object restore, and the bucket
/// basics: GET Service, PUT, HEAD and DELETE Bucket, GET Bucket location
/// (docs/protocol/multipart.md, objects.md, copy.md, delete-multiple.md, tagging.md, append.md,
/// restore.md, buckets.md), object ACLs, encryption named by a request (SSE-COS, SSE-KMS,
/// SSE-C) and POST Object form uploads (docs/protocol/acl.md, headers.md, post-object.md; see
/// docs/emulator.md for the answers Tencent's pages leave open), and versioning
/// (docs/protocol/versioning.md): PUT and GET Bucket versioning, a version per write while
/// Enabled (the "null" one while Suspended), delete markers, versionId on object calls, copy
/// sources and DELETE Multiple Objects, and GET Bucket Object versions. An archived object (ARCHIVE, DEEP_ARCHIVE, MAZ_ARCHIVE) is 403
/// InvalidObjectState to GET and as a copy source until a restore has ended: restores end only
/// when the test calls finish_restore, never by a clock or a count of requests. Opt-in test support: include
/// <coswire/testing/emulator.hpp>; the umbrella header does not.
///
/// It reads a request the way a server does: the request target from `request.target()` (the
/// wire form, decoded with a raw '+' read as a space, docs/protocol/signing.md#what-the-server-does), headers as sent (a missing Host
/// header is taken from `request.host`, as an HTTP client would send it), the body from
/// `request.body_bytes()`. Then, in order:
/// 1. faults: the scripted queue, else a seeded random draw (one per request);
/// 2. Host: none → 400 MissingHost; another host (ASCII case-insensitive) → 403 AccessDenied
///    (real COS answers NoSuchBucket or AccessDenied for a bucket that is not this one), except
///    the GET Service hosts: service.cos.myqcloud.com and cos.<region>.myqcloud.com of the
///    bucket's region, where the one bucket is the account's only one;
/// 3. the target: a bad %-escape or a path without a leading '/' → 400 InvalidURI;
/// 4. the signature, with coswire::verify_request (Authorization header or presigned query,
///    constant-time compare): its 403 AccessDenied / InvalidAccessKeyId / SignatureDoesNotMatch
///    (StringToSign, FormatString); a key time starting after server time → 403
///    RequestTimeTooSkewed, one ended before it → 403 AccessDenied "Request has expired", both
///    with ServerTime; a Date header more than 15 minutes off → 403 RequestTimeTooSkewed; the
///    session token of temporary credentials must equal x-cos-security-token (header or query),
///    and permanent credentials must not carry one → else 403 InvalidAccessKeyId; a key listed
///    in emulator_options::credential_expiry, at or after its expiry in server time → 400
///    ExpiredToken (nothing stored; the client's cue to fetch new credentials); the limits and
///    policy are emulator_options::verify (a window over 7 days → 403 AccessDenied by default);
///    a form upload (`POST /` with multipart/form-data) is signed by its form instead: its
///    policy and signature are checked with the operation;
/// 5. a header or parameter name that appears twice (any case) → 400 InvalidRequest, so the
///    operation reads exactly the copy the signature check saw;
/// 6. the body: a Content-Length larger than the body → 400 IncompleteBody, smaller → the body is
///    cut to it (docs/protocol/objects.md#put-object); a non-numeric one → 400 InvalidArgument; Content-MD5 malformed → 400
///    InvalidDigest, different → 400 BadDigest;
/// 7. after DELETE Bucket, 404 NoSuchBucket for every request but PUT Bucket (and GET Service);
/// 8. the operation; keys longer than 850 bytes → 400 KeyTooLong, keys XML 1.0 cannot carry
///    (U+FFFE, U+FFFF; control characters already fail the signature check) → 400
///    InvalidObjectName; other methods or targets → 405 MethodNotAllowed. A copy source
///    (PUT Object - Copy, Upload Part - Copy) must be an object (or version) of this bucket: one
///    in another bucket is answered as a missing source, 404 NoSuchKey.
/// Every answer carries Date, Server: tencent-cos and x-cos-request-id (`emu-<n>`, n counting
/// requests from 1); errors add x-cos-trace-id (`emu-trace-<n>`) and the XML body of docs/protocol/errors.md#error-document, except
/// HEAD errors, which have no body.
///
/// Simpler than COS: one bucket, the account's only one; no bucket tags; ACLs are kept and
/// answered, never enforced; encryption is recorded and echoed, no byte is encrypted; storage classes only decide what must be restored (no minimum
/// durations, no tiering); unknown query parameters are ignored; page sizes are capped at 1000
/// and 0 gives an empty, untruncated page; a multipart ETag follows the S3 rule (MD5 of the binary part MD5s,
/// then "-N"), where COS's is opaque (docs/protocol/integrity.md#etag); Complete wants parts 1..N unless allow_part_gaps.
///
/// Thread-safe: one mutex serialises requests, so parallel part uploads may share it.
/// Never throws and never aborts on any request; every refusal is a COS answer or, for injected
/// drops, errc::transport_failure.
class cos_emulator {
public:
    /// An empty bucket configured by `options`.
    explicit cos_emulator(emulator_options options)
        : options_(std::move(options)),
          faults_(options_.seed),
          store_(options_.max_stored_bytes, options_.default_encryption, options_.seed ^ 0x9E3779B97F4A7C15u),
          bucket_{.created = now_locked()} {}
    cos_emulator(const cos_emulator&) = delete;
    cos_emulator& operator=(const cos_emulator&) = delete;

    /// Answers one request (see the class comment). Errors: only errc::transport_failure, for
    /// injected drop_before / drop_after / cut_body faults.
    result<http_response> operator()(const http_request& request) {
        const std::lock_guard<std::mutex> lock(mutex_);
        detail::emu::exchange x = read(request);
        bool cut = false;
        result<http_response> r = answer(x, nullptr, cut);
        if (cut) return cut_error(r->body.size(), detail::emu::cut_length(r->body.size()));
        return r;
    }

    /// Answers one request like operator()(request), delivering the answer to `sink` (see
    /// response_sink) in pieces of at most stream_piece bytes. A GET Object body is read from the
    /// stored object in place, so a streamed download costs no copy of the object beyond the
    /// store; other answers are small and built as usual. The sink is called with the emulator's
    /// lock held (so the object cannot change mid-answer): it must not call back into the
    /// emulator, except set_fault_plan and set_clock_offset. Under a cut_body fault the sink gets
    /// the head and the first half of the body, then the call fails. Errors: operator()'s, and the sink's, returned unchanged.
    result<http_response> operator()(const http_request& request, response_sink& sink) {
        const std::lock_guard<std::mutex> lock(mutex_);
        detail::emu::exchange x = read(request);
        std::string_view lent;
        bool cut = false;
        result<http_response> r = answer(x, &lent, cut);
        if (!r) return r;
        const std::string own_body = std::move(r->body);
        const std::string_view whole = lent.data() != nullptr ? lent : std::string_view(own_body);
        const std::string_view body = cut ? whole.substr(0, detail::emu::cut_length(whole.size())) : whole;
        r->body.clear();
        if (auto ok = sink.head(*r); !ok) return std::move(ok).error();
        for (std::size_t at = 0; at < body.size(); at += stream_piece) {
            const std::string_view piece = body.substr(at, stream_piece);
            if (auto ok = sink.body({reinterpret_cast<const std::byte*>(piece.data()), piece.size()}); !ok)
                return std::move(ok).error();
        }
        if (cut) return cut_error(whole.size(), body.size());
        return r;
    }

    /// The largest piece operator()(request, sink) hands to the sink at once.
    static constexpr std::size_t stream_piece = 64 * 1024;

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
        const std::lock_guard<std::mutex> lock(plan_mutex_);
        options_.faults.clock_offset = seconds;
    }
    /// The server's time: the clock plus the offset.
    std::int64_t server_time() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return now_locked();
    }

    /// Replaces the random fault probabilities and the clock offset; the generator keeps its state.
    /// Never waits for an answer being streamed, so a callback its sink waits for (the progress
    /// callback of a parallel download, under the driver's lock) may call it; later requests see it.
    void set_fault_plan(const fault_plan& plan) {
        const std::lock_guard<std::mutex> lock(plan_mutex_);
        options_.faults = plan;
    }
    /// Scripts the next `count` requests to get fault `kind`, after what is already scripted;
    /// scripted faults win over random ones. A complete_error entry waits at the front of the
    /// queue for the next Complete request, letting other requests through unharmed.
    void fail_next(fault_kind kind, std::size_t count = 1) {
        const std::lock_guard<std::mutex> lock(mutex_);
        faults_.script(kind, count);
    }
    /// Scripted faults not yet used.
    std::size_t scripted_faults_pending() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return faults_.pending();
    }

    /// Stores an object directly, bypassing signatures, faults and max_stored_bytes (fixtures).
    void put_object(std::string_view key, std::string data, std::vector<http_header> metadata = {}) {
        const std::lock_guard<std::mutex> lock(mutex_);
        store_.store_object(key, std::move(data), std::move(metadata), std::nullopt, now_locked());
    }
    /// Ends the ongoing restore of the object under `key` at server time: GET reads its bytes for
    /// the Days the restore asked. Restores never end by themselves (no clock or request count
    /// decides), so a test says when. False when no restore of `key` is ongoing.
    bool finish_restore(std::string_view key) {
        const std::lock_guard<std::mutex> lock(mutex_);
        emulated_object* o = store_.find_object(key);
        return o != nullptr && detail::emu::finish_restore(*o, now_locked());
    }
    /// A copy of the current object stored under `key`, if any.
    std::optional<emulated_object> object(std::string_view key) const {
        const std::lock_guard<std::mutex> lock(mutex_);
        const emulated_object* o = store_.find_object(key);
        if (o == nullptr) return std::nullopt;
        return *o;
    }
    /// Every version and delete marker of `key`, newest first (the current object, if any, in
    /// front); empty for a key that has none. While versioning was never enabled that is the
    /// object alone, as object(key) returns it.
    std::vector<emulated_object> versions(std::string_view key) const {
        const std::lock_guard<std::mutex> lock(mutex_);
        std::vector<emulated_object> out;
        for (const emulated_object* v : store_.versions_of(key)) out.push_back(*v);
        return out;
    }
    /// The bucket's versioning state: off until PUT Bucket versioning enables it.
    versioning_status versioning() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return store_.versioning();
    }
    /// Every key with a current object, in listing order (bytewise); keys whose latest version
    /// is a delete marker are not among them.
    std::vector<std::string> keys() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        std::vector<std::string> out;
        for (const auto& entry : store_.objects()) out.push_back(entry.first);
        return out;
    }
    /// Copies of the in-progress uploads, by key then upload id. Empty means no orphaned parts.
    std::vector<emulated_upload> uploads() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        std::vector<emulated_upload> out;
        for (const emulated_upload* u : store_.sorted_uploads()) out.push_back(*u);
        return out;
    }
    /// Bytes held by objects (every version of them) and by parts of in-progress uploads.
    std::uint64_t stored_bytes() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return store_.stored_bytes();
    }
    /// Request and fault counters.
    emulator_stats stats() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return stats_;
    }

private:
    using exchange = detail::emu::exchange;
    using refusal = detail::emu::refusal;

    std::int64_t now_locked() const {
        return detail::emu::saturating_add(options_.clock ? options_.clock() : options_.now, plan().clock_offset);
    }

    fault_plan plan() const {
        const std::lock_guard<std::mutex> lock(plan_mutex_);
        return options_.faults;
    }

    // Counts the request and reads it at server time.
    exchange read(const http_request& request) {
        ++stats_.requests;
        return detail::emu::read_exchange(request, options_.host, now_locked(), stats_.requests);
    }

    static error cut_error(std::size_t size, std::size_t sent) {
        return make_error(errc::transport_failure, "transport",
                          "connection dropped after " + std::to_string(sent) + " of " + std::to_string(size) +
                              " body bytes (injected)");
    }

    // The fault, then serve: what both call operators answer. `cut` is set when the answer
    // served must be cut mid-body (cut_body); `lent` as for detail::emu::get_object.
    result<http_response> answer(exchange& x, std::string_view* lent, bool& cut) {
        using detail::emu::error_reply;
        switch (faults_.draw(plan(), x.is_complete())) {
            case fault_kind::internal_error:
                ++stats_.faults.internal_error;
                return error_reply(x, 500, "InternalError", detail::emu::internal_error_message);
            case fault_kind::slow_down:
                ++stats_.faults.slow_down;
                return error_reply(x, 503, "SlowDown", "Please reduce your request rate.");
            case fault_kind::drop_before:
                ++stats_.faults.drop_before;
                return make_error(errc::transport_failure, "transport",
                                  "connection dropped before the request reached the bucket (injected)");
            case fault_kind::complete_error:
                ++stats_.faults.complete_error;
                return detail::emu::reply(
                    x, 200, " \n \n" + detail::emu::error_document(x, "InternalError", detail::emu::internal_error_message, {}),
                    "application/xml");
            case fault_kind::drop_after:
                ++stats_.faults.drop_after;
                static_cast<void>(serve(x, nullptr));
                return make_error(errc::transport_failure, "transport",
                                  "connection dropped after the request was applied (injected)");
            case fault_kind::cut_body:
                ++stats_.faults.cut_body;
                cut = true;
                break;
            case fault_kind::none:
                break;
        }
        return serve(x, lent);
    }

    // The checks before an operation, then the operation.
    http_response serve(exchange& x, std::string_view* lent) {
        ++stats_.served;
        const std::optional<std::string_view> host = x.header("Host");
        const bool to_service = host && detail::emu::is_service_host(options_, *host);
        if (refusal r = detail::emu::check_host_and_target(options_, x, to_service)) return std::move(*r);
        // A form upload is signed by its form, which post_object checks.
        if (to_service || !detail::emu::is_form_upload(x))
            if (refusal r = detail::emu::authenticate(options_, x, stats_.faults)) return std::move(*r);
        if (refusal r = detail::emu::refuse_repeated_names(x)) return std::move(*r);
        if (refusal r = detail::emu::read_body(x)) return std::move(*r);
        if (to_service) return detail::emu::list_buckets(bucket_, options_, x);
        if (refusal r = detail::emu::refuse_missing_bucket(bucket_, x)) return std::move(*r);
        return dispatch(x, lent);
    }

    http_response dispatch(exchange& x, std::string_view* lent) {
        namespace emu = detail::emu;
        if (x.path == "/") {
            // Versioning: the bucket's state and the version listing.
            if (x.param("versioning") != nullptr) {
                if (x.method == "PUT") return emu::put_bucket_versioning(store_, x);
                if (x.method == "GET") return emu::get_bucket_versioning(store_, x);
                return emu::not_allowed(x);
            }
            if (x.method == "GET" && x.param("versions") != nullptr) return emu::list_versions(store_, options_, x);
            if (x.method == "GET" && x.param("location") != nullptr) return emu::bucket_location(options_, x);
            if (x.method == "GET") return x.param("uploads") != nullptr ? emu::list_uploads(store_, options_, x) : emu::list_objects(store_, options_, x);
            if (x.method == "HEAD") return emu::head_bucket(bucket_, options_, x);
            if (emu::is_put_bucket(x)) return emu::put_bucket(bucket_, x);
            if (x.method == "DELETE" && x.params.empty()) return emu::delete_bucket(bucket_, store_, x);
            if (x.method == "POST" && x.param("delete") != nullptr) return emu::delete_multiple(store_, options_, x);
            if (emu::is_form_upload(x)) return emu::post_object(store_, options_, x, stats_.faults);
            return emu::not_allowed(x);
        }
        if (refusal r = emu::check_key(x)) return std::move(*r);
        const bool has_upload_id = x.param("uploadId") != nullptr;
        if (x.param("acl") != nullptr) {
            if (x.method == "PUT") return emu::put_acl(store_, x);
            if (x.method == "GET") return emu::get_acl(store_, x);
            return emu::not_allowed(x);
        }
        if (x.param("tagging") != nullptr) {
            if (x.method == "PUT") return emu::put_tagging(store_, x);
            if (x.method == "GET") return emu::get_tagging(store_, x);
            if (x.method == "DELETE") return emu::delete_tagging(store_, x);
            return emu::not_allowed(x);
        }
        if (x.method == "PUT") {
            if (has_upload_id || x.param("partNumber") != nullptr) return emu::upload_part(store_, options_, x);
            if (x.header("x-cos-copy-source")) return emu::copy_object(store_, options_, x);
            return emu::put_object(store_, x);
        }
        if (x.method == "GET" && has_upload_id) return emu::list_parts(store_, options_, x);
        if (x.method == "GET" || x.method == "HEAD") return emu::get_object(store_, x, lent);
        if (x.method == "DELETE") return has_upload_id ? emu::abort_upload(store_, x) : emu::delete_object(store_, options_, x);
        if (x.method == "POST" && x.param("append") != nullptr) return emu::append_object(store_, x);
        if (x.method == "POST" && x.param("restore") != nullptr) return emu::restore_object(store_, x);
        if (x.method == "POST" && x.param("uploads") != nullptr) return emu::initiate(store_, options_, x);
        if (x.method == "POST" && has_upload_id) return emu::complete(store_, options_, x);
        return emu::not_allowed(x);
    }

    mutable std::mutex mutex_;
    mutable std::mutex plan_mutex_;  // options_.faults alone, taken after mutex_ or on its own
    emulator_options options_;
    detail::emu::fault_injector faults_;
    detail::emu::bucket_store store_;
    detail::emu::bucket_state bucket_;
    emulator_stats stats_{};
};

static_assert(transport<cos_emulator>);
static_assert(streaming_transport<cos_emulator>);

}  // namespace coswire::testing
