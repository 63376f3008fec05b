// SPDX-License-Identifier: MIT
// COS error responses: the <Error> body or, when there is none, the status line and headers,
// as one error value; the known codes as an enum (docs/protocol/errors.md).
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/detail/redact.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/time/http_date.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace coswire {

/// The COS error codes a program may act on; everything else is `unknown` (the raw string is
/// always in cos_error::code). Spelled as COS spells them, typos included
/// (docs/protocol/errors.md#error-codes).
enum class cos_errc {
    unknown,
    access_denied,
    append_position_err,
    bad_digest,
    bucket_already_exists,
    bucket_already_owned_by_you,
    bucket_not_empty,
    entity_too_large,
    entity_too_small,
    expired_token,
    incomplete_body,
    internal_error,
    invalid_access_key_id,
    invalid_argument,
    invalid_bucket_name,
    invalid_digest,
    invalid_object_name,
    invalid_object_state,
    invalid_part,
    invalid_part_order,
    invalid_range,
    invalid_request,
    invalid_upload_status,
    key_too_long,
    malformed_xml,
    method_not_allowed,
    missing_content_length,
    no_such_bucket,
    no_such_copy_source,
    no_such_key,
    no_such_tag_set,
    no_such_upload,
    no_such_version,
    not_implemented,
    object_not_appendable,
    path_conflict,
    precondition_failed,
    request_time_too_skewed,
    request_timeout,
    restore_already_in_progress,
    restore_non_archive_object,
    service_unavailable,
    signature_does_not_match,
    slow_down,
    upload_conflict,
    user_network_too_slow,
};

namespace detail {

struct cos_code_name {
    std::string_view text;
    cos_errc code;
};

// Alternative spellings seen in older tables map to the same value (docs/protocol/errors.md#spelling-variants).
inline constexpr std::array<cos_code_name, 49> cos_code_names = {{
    {"AccessDenied", cos_errc::access_denied},
    {"AppendPositionErr", cos_errc::append_position_err},
    {"BadDigest", cos_errc::bad_digest},
    {"BucketAlreadyExists", cos_errc::bucket_already_exists},
    {"BucketAlreadyOwnedByYou", cos_errc::bucket_already_owned_by_you},
    {"BucketNotEmpty", cos_errc::bucket_not_empty},
    {"EntityTooLarge", cos_errc::entity_too_large},
    {"EntityTooSmall", cos_errc::entity_too_small},
    {"ExpiredToken", cos_errc::expired_token},
    {"IncompleteBody", cos_errc::incomplete_body},
    {"ImcompleteBody", cos_errc::incomplete_body},
    {"InternalError", cos_errc::internal_error},
    {"InternalErrror", cos_errc::internal_error},
    {"InvalidAccessKeyId", cos_errc::invalid_access_key_id},
    {"InvaildAccessKeyId", cos_errc::invalid_access_key_id},
    {"InvalidArgument", cos_errc::invalid_argument},
    {"InvalidBucketName", cos_errc::invalid_bucket_name},
    {"InvalidDigest", cos_errc::invalid_digest},
    {"InvalidObjectName", cos_errc::invalid_object_name},
    {"InvalidObjectState", cos_errc::invalid_object_state},
    {"InvalidPart", cos_errc::invalid_part},
    {"InvalidPartOrder", cos_errc::invalid_part_order},
    {"InvalidRange", cos_errc::invalid_range},
    {"InvalidRequest", cos_errc::invalid_request},
    {"InvalidUploadStatus", cos_errc::invalid_upload_status},
    {"KeyTooLong", cos_errc::key_too_long},
    {"MalformedXML", cos_errc::malformed_xml},
    {"MethodNotAllowed", cos_errc::method_not_allowed},
    {"MissingContentLength", cos_errc::missing_content_length},
    {"NoSuchBucket", cos_errc::no_such_bucket},
    {"NoSuchCopySource", cos_errc::no_such_copy_source},
    {"NoSuchKey", cos_errc::no_such_key},
    {"NoSuchTagSet", cos_errc::no_such_tag_set},
    {"NoSuchUpload", cos_errc::no_such_upload},
    {"NoSuchVersion", cos_errc::no_such_version},
    {"NotImplemented", cos_errc::not_implemented},
    {"ObjectNotAppendable", cos_errc::object_not_appendable},
    {"PathConflict", cos_errc::path_conflict},
    {"PreconditionFailed", cos_errc::precondition_failed},
    {"RequestTimeTooSkewed", cos_errc::request_time_too_skewed},
    {"RequestTimeout", cos_errc::request_timeout},
    {"RequestTimeOut", cos_errc::request_timeout},
    {"RestoreAlreadyInProgress", cos_errc::restore_already_in_progress},
    {"RestoreNonArchiveObject", cos_errc::restore_non_archive_object},
    {"ServiceUnavailable", cos_errc::service_unavailable},
    {"SignatureDoesNotMatch", cos_errc::signature_does_not_match},
    {"SlowDown", cos_errc::slow_down},
    {"UploadConflict", cos_errc::upload_conflict},
    {"UserNetworkTooSlow", cos_errc::user_network_too_slow},
}};

/// The code a body-less error stands for (HEAD answers,
/// docs/protocol/errors.md#answers-without-a-body); Python's SDK also says "NoSuchResource" for a HEAD
/// 404, since a HEAD cannot tell a missing key from a missing bucket.
constexpr std::string_view code_for_status(int status) noexcept {
    switch (status) {
        case 304: return "NotModified";
        case 400: return "BadRequest";
        case 403: return "AccessDenied";
        case 404: return "NoSuchResource";
        case 405: return "MethodNotAllowed";
        case 409: return "Conflict";
        case 411: return "MissingContentLength";
        case 412: return "PreconditionFailed";
        case 416: return "InvalidRange";
        case 500: return "InternalError";
        case 501: return "NotImplemented";
        case 503: return "ServiceUnavailable";
        default: return status >= 500 ? "InternalError" : "HttpError";
    }
}

/// Offset just past leading whitespace, a byte-order mark, the XML declaration and comments.
constexpr std::size_t skip_xml_prolog(std::string_view body) noexcept {
    std::size_t i = 0;
    if (body.starts_with("\xEF\xBB\xBF")) i = 3;
    for (;;) {
        while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) ++i;
        const std::string_view rest = body.substr(i);
        if (rest.starts_with("<?")) {
            const auto end = rest.find("?>");
            if (end == std::string_view::npos) return body.size();
            i += end + 2;
        } else if (rest.starts_with("<!--")) {
            const auto end = rest.find("-->");
            if (end == std::string_view::npos) return body.size();
            i += end + 3;
        } else {
            return i;
        }
    }
}

}  // namespace detail

/// The enum value of a COS code string (exact, case-sensitive match); unknown otherwise.
constexpr cos_errc to_cos_errc(std::string_view code) noexcept {
    for (const auto& entry : detail::cos_code_names)
        if (entry.text == code) return entry.code;
    return cos_errc::unknown;
}

/// True when `e` is the COS error `code` (e.g. is_cos_error(e, cos_errc::no_such_upload)).
inline bool is_cos_error(const error& e, cos_errc code) noexcept {
    return e.service && to_cos_errc(e.service->code) == code;
}

/// True when the body's root element (after whitespace, declaration and comments) is <Error>.
constexpr bool has_error_body(const http_response& r) noexcept {
    const std::string_view rest = std::string_view(r.body).substr(detail::skip_xml_prolog(r.body));
    if (!rest.starts_with("<Error")) return false;
    return rest.size() > 6 && (rest[6] == '>' || rest[6] == '/' || detail::is_xml_space(rest[6]));
}

/// The error `r` stands for: errc::service_error with error.service filled from the <Error>
/// body (Code, Message, Resource, RequestId, TraceId, ServerTime, StringToSign, FormatString
/// with session tokens redacted to "***"; unknown elements ignored, missing ones empty) and,
/// where the body lacks them, from the x-cos-request-id / x-cos-trace-id headers. A response
/// without a parsable body (HEAD errors, proxies) gets a code derived from its status and says
/// so in `reason`. ServerTime, else the
/// Date header, becomes server_time only when the response carries x-cos-request-id, since a
/// proxy or CDN can forge Date (docs/protocol/signing.md#validity-and-clock-skew).
inline error parse_error_response(const http_response& r) {
    cos_error ce;
    ce.http_status = r.status;
    std::string reason = "COS answered HTTP " + std::to_string(r.status);
    bool body_parsed = false;
    std::string server_time_text;
    if (has_error_body(r)) {
        xml::reader reader(r.body);
        auto parsed = xml::read_document(reader, [&](std::string_view, xml::reader& root) {
            return xml::for_each_child(root, [&](std::string_view name, xml::reader& child) -> result<void> {
                std::string* slot = detail::element_is(name, "Code")           ? &ce.code
                                    : detail::element_is(name, "Message")      ? &ce.message
                                    : detail::element_is(name, "Resource")     ? &ce.resource
                                    : detail::element_is(name, "RequestId")    ? &ce.request_id
                                    : detail::element_is(name, "TraceId")      ? &ce.trace_id
                                    : detail::element_is(name, "StringToSign") ? &ce.string_to_sign
                                    : detail::element_is(name, "FormatString") ? &ce.format_string
                                    : detail::element_is(name, "ServerTime")   ? &server_time_text
                                                             : nullptr;
                if (slot == nullptr) return {};
                auto text = child.read_text();
                if (!text) return std::move(text).error();
                *slot = std::string(*text);
                return {};
            });
        });
        body_parsed = parsed.has_value();
        // COS's FormatString shows x-cos-security-token's value: the error must not keep it.
        ce.format_string = detail::redact_tokens(ce.format_string);
        if (!parsed) reason += "; its <Error> body does not parse (" + describe(parsed.error()) + ")";
    }
    if (!body_parsed) ce = cos_error{r.status, {}, {}, {}, {}, {}, {}, {}, {}};
    const auto request_id_header = r.header("x-cos-request-id");
    if (ce.request_id.empty() && request_id_header) ce.request_id = std::string(*request_id_header);
    if (ce.trace_id.empty())
        if (auto t = r.header("x-cos-trace-id")) ce.trace_id = std::string(*t);
    if (ce.code.empty()) {
        if (auto c = r.header("x-cos-error-code")) ce.code = std::string(*c);
        else {
            ce.code = std::string(detail::code_for_status(r.status));
            reason += " without an error body; the code is derived from the status";
        }
    }
    if (request_id_header) {
        if (!server_time_text.empty()) {
            if (auto t = parse_iso8601(server_time_text)) ce.server_time = *t;
            else if (auto d = parse_http_date(server_time_text)) ce.server_time = *d;
        }
        if (!ce.server_time)
            if (auto date = r.header("Date"))
                if (auto t = parse_http_date(*date)) ce.server_time = *t;
    }
    error e = make_error(errc::service_error, "response", std::move(reason));
    e.service = std::move(ce);
    return e;
}

}  // namespace coswire
