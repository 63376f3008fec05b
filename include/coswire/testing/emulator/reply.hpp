// SPDX-License-Identifier: MIT
// The emulator's answers: the headers every COS answer carries, the XML error document, XML
// results, and the dates they are written with.
#pragma once

#include <coswire/encoding/percent.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/time/http_date.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/writer.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// An answer that ends the request, or nothing when the request goes on.
using refusal = std::optional<http_response>;

inline constexpr std::string_view internal_error_message = "We encountered an internal error. Please try again.";

/// `s` when XML 1.0 can carry it, else its percent-encoding, so an error body always builds.
inline std::string xml_safe(std::string_view s) {
    if (xml_text_error_offset(s) == s.size()) return std::string(s);
    return percent_encode(s);
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

/// Clamps Unix seconds into the years 0001-9999 that the date formats can write.
constexpr std::int64_t clamp_time(std::int64_t t) noexcept { return std::clamp(t, http_date_min_seconds, http_date_max_seconds); }

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

/// An extra element of an error body (StringToSign, FormatString, ServerTime).
struct error_field {
    std::string_view name{};
    std::string value{};
};

/// An answer with `status` and `body`, and the headers every COS answer carries: Content-Length,
/// Date, Server and x-cos-request-id.
inline http_response reply(const exchange& x, int status, std::string body = {}, std::string_view content_type = {}) {
    http_response r;
    r.status = status;
    if (!content_type.empty()) r.headers.push_back({"Content-Type", std::string(content_type)});
    r.headers.push_back({"Content-Length", std::to_string(body.size())});
    r.headers.push_back({"Date", format_date(x.now)});
    r.headers.push_back({"Server", "tencent-cos"});
    r.headers.push_back({"x-cos-request-id", x.request_id});
    r.body = std::move(body);
    return r;
}

/// Replaces the first header named `name` (any case), or adds it.
inline void set_header(std::vector<http_header>& headers, std::string_view name, std::string value) {
    for (http_header& h : headers)
        if (iequals(h.name, name)) {
            h.value = std::move(value);
            return;
        }
    headers.push_back({std::string(name), std::move(value)});
}

/// The bucket's default encryption ("" none), which every answer about stored bytes announces.
inline void add_encryption_header(http_response& r, std::string_view encryption) {
    if (!encryption.empty()) r.headers.push_back({"x-cos-server-side-encryption", std::string(encryption)});
}

/// The ETag (when not empty) and CRC-64 of an answer, with the bucket's encryption.
inline void add_integrity_headers(http_response& r, std::string_view etag, std::uint64_t crc, std::string_view encryption) {
    if (!etag.empty()) r.headers.push_back({"ETag", std::string(etag)});
    r.headers.push_back({"x-cos-hash-crc64ecma", std::to_string(crc)});
    add_encryption_header(r, encryption);
}

/// The docs/protocol/errors.md#error-document body; texts that XML cannot carry are percent-encoded so it always builds.
inline std::string error_document(const exchange& x, std::string_view code, std::string_view message,
                                  std::span<const error_field> extras) {
    xml::writer w;
    w.start("Error").element("Code", xml_safe(code)).element("Message", xml_safe(message));
    for (const error_field& f : extras) w.element(f.name, xml_safe(f.value));
    w.element("Resource", xml_safe(x.resource)).element("RequestId", x.request_id).element("TraceId", x.trace_id).end();
    return "<?xml version='1.0' encoding='utf-8' ?>\n" + w.finish().value_or(std::string());
}

/// A COS error answer: the error document (none for HEAD) and x-cos-trace-id.
inline http_response error_reply(const exchange& x, int status, std::string_view code, std::string_view message,
                                 std::span<const error_field> extras = {}) {
    http_response r = reply(x, status, x.is_head() ? std::string() : error_document(x, code, message, extras),
                            x.is_head() ? std::string_view() : std::string_view("application/xml"));
    r.headers.push_back({"x-cos-trace-id", x.trace_id});
    return r;
}

/// A 200 whose body is the document `w` wrote, after `lead` (blanks COS may send first); a
/// document that does not finish is a 500.
inline http_response xml_reply(const exchange& x, xml::writer& w, std::string_view lead = {}) {
    result<std::string> document = w.finish();
    if (!document)
        return error_reply(x, 500, "InternalError", "the emulator could not write the XML answer: " + describe(document.error()));
    return reply(x, 200, std::string(lead) + "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n" + *document, "application/xml");
}

inline http_response not_allowed(const exchange& x) {
    return error_reply(x, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}
inline http_response no_such_key(const exchange& x) { return error_reply(x, 404, "NoSuchKey", "The specified key does not exist."); }
inline http_response no_such_upload(const exchange& x) {
    return error_reply(x, 404, "NoSuchUpload", "The specified upload does not exist.");
}
inline http_response invalid_argument(const exchange& x, std::string_view message) {
    return error_reply(x, 400, "InvalidArgument", message);
}
inline http_response too_large(const exchange& x) {
    return error_reply(x, 400, "EntityTooLarge", "The emulator's max_stored_bytes would be exceeded.");
}
inline http_response precondition_failed(const exchange& x) {
    return error_reply(x, 412, "PreconditionFailed", "Precondition not match.");
}

}  // namespace coswire::detail::emu
