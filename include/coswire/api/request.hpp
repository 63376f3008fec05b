// SPDX-License-Identifier: MIT
// What every request builder shares: starting a request for an object or the bucket, adding
// validated headers and parameters, caller-chosen extra headers, Content-MD5, page sizes and
// the object attributes stored at upload time (docs/protocol/headers.md,
// docs/protocol/objects.md#put-object, docs/protocol/multipart.md#initiate-multipart-upload).
#pragma once

#include <coswire/api/encryption.hpp>
#include <coswire/api/endpoint.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// A header value from the caller: no CR, LF, NUL or other control character but HTAB, valid
/// UTF-8, no leading or trailing blanks (HTTP stacks strip them, which would break the
/// signature). Error argument: `argument`.
inline result<void> validate_header_value(std::string_view value, std::string_view argument) {
    for (std::size_t i = 0; i < value.size(); ++i)
        if (detail::is_forbidden_in_field_value(value[i]))
            return make_error(errc::invalid_argument, argument,
                              "contains a control character (CR, LF, NUL or other) at byte " + std::to_string(i));
    if (!detail::is_valid_utf8(value)) return make_error(errc::invalid_argument, argument, "is not valid UTF-8");
    if (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.back() == ' ' || value.back() == '\t'))
        return make_error(errc::invalid_argument, argument, "has leading or trailing blanks");
    return {};
}

/// Object attributes stored with an upload (PUT Object, Initiate Multipart Upload); every
/// member is optional and sent only when set.
struct object_attributes {
    std::optional<std::string> content_type{};         ///< Content-Type
    std::optional<std::string> cache_control{};        ///< Cache-Control
    std::optional<std::string> content_disposition{};  ///< Content-Disposition
    std::optional<std::string> content_encoding{};     ///< Content-Encoding
    std::optional<std::string> expires{};              ///< Expires
    std::optional<std::string> storage_class{};        ///< x-cos-storage-class, e.g. "STANDARD_IA"
    std::optional<std::string> acl{};                  ///< x-cos-acl: "default", "private", "public-read"
    std::optional<std::string> grant_read{};           ///< x-cos-grant-read: id="100000000001"[,id="..."]
    std::optional<std::string> grant_read_acp{};       ///< x-cos-grant-read-acp
    std::optional<std::string> grant_write_acp{};      ///< x-cos-grant-write-acp
    std::optional<std::string> grant_full_control{};   ///< x-cos-grant-full-control
    std::optional<std::string> tagging{};              ///< x-cos-tagging: k1=v1&k2=v2 (URL-encoded pairs)
    /// x-cos-server-side-encryption as raw text, AES256 or cos/kms; `encryption` says the same
    /// and more (KMS key, SSE-C). Set one of the two.
    std::optional<std::string> server_side_encryption{};
    /// How COS encrypts the object: SSE-COS, SSE-KMS or SSE-C (server_side_encryption_headers).
    std::optional<coswire::server_side_encryption> encryption{};
    /// User metadata: each (suffix, value) becomes x-cos-meta-<suffix>. Suffixes are letters,
    /// digits and '-' (COS refuses '_' in the name).
    std::vector<std::pair<std::string, std::string>> metadata{};
    /// Further headers, sent and signed by the standard selection when x-cos-*; names must be
    /// HTTP tokens and must not repeat a header the builder sets.
    std::vector<http_header> extra_headers{};
};

namespace detail {

/// The start every request shares: method (an HTTP token, else invalid_argument naming
/// "method"), scheme, Host header and both paths.
inline result<http_request> start_request(const endpoint& ep, std::string_view method, object_key_paths paths) {
    if (!is_token(method)) return make_error(errc::invalid_argument, "method", "must be a non-empty HTTP token");
    http_request r{.method = std::string(method), .scheme = ep.scheme, .host = ep.host, .path = std::move(paths.signed_path),
                   .wire_path = std::move(paths.wire_path)};
    r.headers.push_back({.name = "Host", .value = ep.host});
    return r;
}

}  // namespace detail

/// A request for the object `key` at `ep`: method, scheme, Host and both paths, the decoded
/// one that is signed ("/" + the raw key) and the percent-encoded one for the request line,
/// right by construction. Add parameters and headers, then sign or presign it. Errors:
/// invalid_argument naming "method" when it is not an HTTP token; map_object_key's for the key.
inline result<http_request> make_object_request(const endpoint& ep, std::string_view method, std::string_view key,
                                                const object_key_options& key_options = {}) {
    auto paths = map_object_key(key, key_options);
    if (!paths) return std::move(paths).error();
    return detail::start_request(ep, method, std::move(*paths));
}

/// A request for the bucket itself at `ep` (GET Bucket, List Multipart Uploads): path "/".
/// Errors: invalid_argument naming "method" when it is not an HTTP token.
inline result<http_request> make_bucket_request(const endpoint& ep, std::string_view method) {
    return detail::start_request(ep, method, {.signed_path = "/", .wire_path = "/"});
}

namespace detail {

/// Adds a header after validating its value (and refusing a name already present).
inline result<void> add_header(http_request& r, std::string_view name, std::string_view value, std::string_view argument) {
    if (auto ok = validate_header_value(value, argument); !ok) return ok;
    if (r.header(name))
        return make_error(errc::invalid_argument, argument, "header " + std::string(name) + " is set twice");
    r.headers.push_back({std::string(name), std::string(value)});
    return {};
}

/// Adds a header when the optional holds a value.
inline result<void> add_optional_header(http_request& r, std::string_view name, const std::optional<std::string>& value,
                                        std::string_view argument) {
    if (!value) return {};
    return add_header(r, name, *value, argument);
}

/// Adds a query parameter; names and values must be valid UTF-8 (the signer requires it).
inline result<void> add_param(http_request& r, std::string_view name, std::optional<std::string_view> value,
                              std::string_view argument) {
    if (value && !is_valid_utf8(*value)) return make_error(errc::invalid_argument, argument, "is not valid UTF-8");
    r.query.push_back({std::string(name), value ? std::optional<std::string>(std::string(*value)) : std::nullopt});
    return {};
}

/// Sends caller-chosen extra headers (SSE-C keys, Expect, Date, ...), in order, after the
/// builder's own, so a name the builder already set is reported against "extra_headers", the
/// argument that is wrong. This is the one place their rules live: names must be HTTP tokens,
/// never Authorization or Host (coswire sets those), and no header may be set twice; values as
/// validate_header_value. Errors: invalid_argument naming "extra_headers".
inline result<void> add_extra_headers(http_request& r, const std::vector<http_header>& headers) {
    for (const http_header& h : headers) {
        if (!is_token(h.name))
            return make_error(errc::invalid_argument, "extra_headers", "'" + h.name + "' is not an HTTP token");
        if (iequals(h.name, "Authorization") || iequals(h.name, "Host"))
            return make_error(errc::invalid_argument, "extra_headers", h.name + " is set by coswire");
        if (auto ok = add_header(r, h.name, h.value, "extra_headers"); !ok) return ok;
    }
    return {};
}

/// Adds the headers of `e`, when set (server_side_encryption_headers), after checking that an
/// SSE-C key goes only over https: COS refuses it over http, and the key would cross the
/// network in clear. `customer_only` is for the requests that read or add to an SSE-C object
/// (GET, HEAD, Upload Part) and for a copy source, where SSE-COS and SSE-KMS are never sent.
/// Errors: invalid_argument naming `argument`, the reason naming the member at fault.
inline result<void> add_encryption(http_request& r, const std::optional<server_side_encryption>& e, sse_target target,
                                   std::string_view argument, bool customer_only = false) {
    if (!e) return {};
    if (customer_only && e->mode != sse_mode::customer)
        return make_error(errc::invalid_argument, argument,
                          "only an SSE-C key is sent here; COS applies SSE-COS and SSE-KMS where the object is stored");
    if (e->mode == sse_mode::customer && r.scheme != "https")
        return make_error(errc::invalid_argument, argument, "an SSE-C key is sent only over https");
    auto headers = server_side_encryption_headers(*e, target);
    if (!headers) {
        error failed = std::move(headers).error();
        failed.reason = std::string(failed.argument) + ": " + failed.reason;
        failed.argument = argument;
        return failed;
    }
    for (const http_header& h : *headers)
        if (auto ok = add_header(r, h.name, h.value, argument); !ok) return ok;
    return {};
}

/// Sends the attributes as headers, extra_headers last (add_extra_headers). Errors name the
/// attribute ("content_type", "metadata", "extra_headers", ...).
inline result<void> add_object_attributes(http_request& r, const object_attributes& a) {
    struct attribute_header {
        std::string_view header;
        std::optional<std::string> object_attributes::*member;
        std::string_view argument;
    };
    static constexpr attribute_header headers[] = {
        {"Content-Type", &object_attributes::content_type, "content_type"},
        {"Cache-Control", &object_attributes::cache_control, "cache_control"},
        {"Content-Disposition", &object_attributes::content_disposition, "content_disposition"},
        {"Content-Encoding", &object_attributes::content_encoding, "content_encoding"},
        {"Expires", &object_attributes::expires, "expires"},
        {"x-cos-storage-class", &object_attributes::storage_class, "storage_class"},
        {"x-cos-acl", &object_attributes::acl, "acl"},
        {"x-cos-grant-read", &object_attributes::grant_read, "grant_read"},
        {"x-cos-grant-read-acp", &object_attributes::grant_read_acp, "grant_read_acp"},
        {"x-cos-grant-write-acp", &object_attributes::grant_write_acp, "grant_write_acp"},
        {"x-cos-grant-full-control", &object_attributes::grant_full_control, "grant_full_control"},
        {"x-cos-tagging", &object_attributes::tagging, "tagging"},
        {"x-cos-server-side-encryption", &object_attributes::server_side_encryption, "server_side_encryption"},
    };
    for (const attribute_header& h : headers)
        if (auto ok = add_optional_header(r, h.header, a.*h.member, h.argument); !ok) return ok;
    if (auto ok = add_encryption(r, a.encryption, sse_target::object, "encryption"); !ok) return ok;
    for (const auto& [suffix, value] : a.metadata) {
        if (suffix.empty()) return make_error(errc::invalid_argument, "metadata", "a metadata name is empty");
        for (char c : suffix)
            if (!(is_alpha(c) || is_digit(c) || c == '-'))
                return make_error(errc::invalid_argument, "metadata",
                                  "metadata name '" + suffix + "' may hold only letters, digits and '-'");
        if (auto ok = add_header(r, "x-cos-meta-" + suffix, value, "metadata"); !ok) return ok;
    }
    return add_extra_headers(r, a.extra_headers);
}

/// Decimal text of an unsigned integer.
inline std::string decimal(std::uint64_t v) { return std::to_string(v); }

/// The Content-MD5 value of `data`: base64 of its binary MD5 (docs/protocol/integrity.md#md5-and-content-md5), always 24 characters.
inline std::string content_md5_of(std::span<const std::byte> data) {
    const auto text = base64_encode(md5_hash(data));
    return std::string(text.data(), text.size());
}

/// Makes `xml` the request's body, with Content-Type: application/xml, Content-Length and
/// Content-MD5, as coswire sends every XML body (a body corrupted on the way then fails with
/// BadDigest instead of taking effect).
inline void set_xml_body(http_request& r, std::string xml) {
    r.headers.push_back({"Content-Type", "application/xml"});
    r.headers.push_back({"Content-Length", decimal(xml.size())});
    r.headers.push_back({"Content-MD5", content_md5_of(std::as_bytes(std::span<const char>(xml.data(), xml.size())))});
    r.body = std::move(xml);
}

/// The Content-MD5 value of a request's body, whichever form holds it: a pulled body is read
/// once through its reader, 64 KiB at a time. Errors: the reader's.
inline result<std::string> content_md5_of_body(const http_request& r) {
    if (!r.body_is_pulled()) return content_md5_of(r.body_bytes());
    md5 hash;
    std::vector<std::byte> piece(64 * 1024);
    for (std::uint64_t at = 0; at < r.reader.size;) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), r.reader.size - at));
        if (auto ok = r.reader.read(at, {piece.data(), n}); !ok) return std::move(ok).error();
        hash.update(std::span<const std::byte>(piece.data(), n));
        at += n;
    }
    const auto text = base64_encode(hash.finish());
    return std::string(text.data(), text.size());
}

/// The Content-MD5 to send for the body of `r`, if any (docs/protocol/integrity.md#md5-and-content-md5): the
/// caller's `given` value after checking it is the base64 of 16 bytes (base64_decode is strict, so that
/// is exactly the 24-character padded form), or the computed one when `compute` is set; nullopt when
/// neither. Errors: invalid_argument "content_md5" for a malformed value or when both are asked for;
/// a pulled body's reader error.
inline result<std::optional<std::string>> content_md5_value(const std::optional<std::string>& given, bool compute,
                                                            const http_request& r) {
    if (compute) {
        if (given) return make_error(errc::invalid_argument, "content_md5", "is given while compute_content_md5 is set; choose one");
        auto computed = content_md5_of_body(r);
        if (!computed) return std::move(computed).error();
        return std::optional<std::string>(std::move(*computed));
    }
    if (!given) return std::optional<std::string>();
    auto raw = base64_decode(*given);
    if (!raw || raw->size() != 16)
        return make_error(errc::invalid_argument, "content_md5",
                          "must be the 24-character base64 of a 16-byte MD5, e.g. mQ/fVh815F3k6TAUm8m0eg==");
    return given;
}

/// Sets the body of an upload request (PUT Object, Upload Part) from its three forms, of which at
/// most one may be set: owned `body`, borrowed `payload`, pulled `reader`. Errors: invalid_argument
/// naming `body_argument` when more than one is set, or a reader without its read function
/// (only a size).
inline result<void> set_upload_body(http_request& r, std::string_view body_argument, const std::string& body,
                                    const payload_view& payload, const body_reader& reader) {
    const int forms = int{!body.empty()} + int{!payload.bytes.empty()} + int{static_cast<bool>(reader.read)};
    if (forms > 1)
        return make_error(errc::invalid_argument, body_argument,
                          "set one of body (owned), payload (borrowed) and reader (pulled), not several");
    if (!reader.read && reader.size != 0)
        return make_error(errc::invalid_argument, body_argument, "reader has a size but no read function");
    r.body = body;
    r.payload = payload;
    r.reader = reader;
    return {};
}

/// The headers of the upload body `r` holds (PUT Object, Upload Part), in this order: Content-Length,
/// always (COS would truncate to a smaller one, docs/protocol/objects.md#put-object), and Content-MD5
/// when given or asked for (content_md5_value). Errors: limit_exceeded naming `body_argument` when the
/// body is over `largest` bytes, its reason ending in `limit_text`; content_md5_value's.
inline result<void> add_body_headers(http_request& r, std::uint64_t largest, std::string_view body_argument,
                                     std::string_view limit_text, const std::optional<std::string>& content_md5,
                                     bool compute_content_md5) {
    const std::uint64_t size = r.body_size();
    if (size > largest)
        return make_error(errc::limit_exceeded, body_argument, "is " + decimal(size) + " bytes, " + std::string(limit_text));
    auto md5 = content_md5_value(content_md5, compute_content_md5, r);
    if (!md5) return std::move(md5).error();
    if (auto ok = add_header(r, "Content-Length", decimal(size), body_argument); !ok) return ok;
    return add_optional_header(r, "Content-MD5", *md5, "content_md5");
}

/// A page-size parameter (max-keys, max-parts, max-uploads), when set, after checking it is
/// 1..`largest`. Errors: invalid_argument naming `argument`.
inline result<void> add_page_size_param(http_request& r, std::string_view name, const std::optional<std::uint32_t>& size,
                                        std::uint32_t largest, std::string_view argument) {
    if (!size) return {};
    if (*size == 0 || *size > largest)
        return make_error(errc::invalid_argument, argument,
                          "is " + std::to_string(*size) + ", must be 1 to " + std::to_string(largest));
    return add_param(r, name, decimal(*size), argument);
}

/// encoding-type=url on a listing when asked for, so COS percent-encodes the key-like fields
/// and any key survives the XML (docs/protocol/encoding-type.md); the parsers decode what the answer
/// announces.
inline result<void> add_url_encoding_param(http_request& r, bool url_encoding) {
    if (!url_encoding) return {};
    return add_param(r, "encoding-type", "url", "url_encoding");
}

}  // namespace detail

}  // namespace coswire
