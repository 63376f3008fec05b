// SPDX-License-Identifier: MIT
// POST Object form uploads: the policy document a browser or mini-program upload is held to,
// signed as COS signs it, and returned as the ordered form fields the page posts before the file
// (docs/protocol/post-object.md).
//
// Choices where Tencent's pages are silent:
// - The policy is compact JSON with its conditions in this order: q-sign-algorithm, q-ak,
//   q-sign-time, bucket, key, the extra fields (each pinned to its exact value), the caller's
//   conditions, then content-length-range; the JS SDK's demo writes the first five the same way.
// - The session token is a form field only, not a policy condition.
// - The expiration must be ISO 8601 in UTC (ending in Z): a local time with a literal Z, as one
//   SDK demo writes it, would expire at the wrong hour.
#pragma once

#include <coswire/api/endpoint.hpp>
#include <coswire/api/request.hpp>
#include <coswire/crypto/sha1.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/authorization.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/signer.hpp>
#include <coswire/time/http_date.hpp>
#include <coswire/time/key_time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// A condition of the policy on one form field: `["eq", "$field", "value"]`, or
/// `["starts-with", "$field", "value"]` when starts_with is set.
struct post_policy_condition {
    std::string field{};       ///< the form field, without '$': "Content-Type", "x-cos-meta-a", "acl", ...
    std::string value{};       ///< the value, or the prefix (which may be empty)
    bool starts_with = false;  ///< a prefix match instead of an exact one
};

/// The accepted file sizes: `["content-length-range", min, max]`, bytes, inclusive.
struct post_content_length_range {
    std::uint64_t min = 0;  ///< the smallest file accepted
    std::uint64_t max = 0;  ///< the largest file accepted, >= min
};

/// What a form upload may do (docs/protocol/post-object.md#policy).
struct post_object_params {
    /// The key, or with key_is_prefix the prefix every key must start with.
    std::string key{};
    /// Let the page choose the key under `key`: the policy says starts-with, and the key field
    /// is `key` + "${filename}", which COS replaces with the uploaded file's name.
    bool key_is_prefix = false;
    /// When the policy expires: ISO 8601 in UTC from the caller's clock, e.g. "2019-08-30T09:38:12.414Z".
    std::string expiration{};
    key_time time{};  ///< the signature's window (q-key-time), Unix seconds
    /// Further form fields the page posts, in order, each pinned in the policy to this exact
    /// value: Content-Type, Cache-Control, acl, success_action_status, x-cos-meta-*,
    /// x-cos-storage-class, x-cos-server-side-encryption, ...
    std::vector<http_header> fields{};
    /// Further conditions on fields the page fills itself, e.g. {.field = "Content-Type",
    /// .value = "image/", .starts_with = true}.
    std::vector<post_policy_condition> conditions{};
    std::optional<post_content_length_range> content_length_range{};  ///< accepted file sizes
};

/// The signed form: what the page posts, in order, then the file as the last field "file".
struct post_object_form {
    /// key, the extra fields, policy, q-sign-algorithm, q-ak, q-key-time, q-signature and, with
    /// temporary credentials, x-cos-security-token. Holds the session token: hand it only to
    /// the page that uploads.
    std::vector<http_header> fields{};
    std::string policy{};           ///< the policy JSON, whose base64 is the policy field
    std::string string_to_sign{};   ///< hex(SHA1(policy)), which q-signature signs
    std::string url{};              ///< where the form posts: scheme://host/
};

namespace detail {

/// `text` as a JSON string literal: quotes, '\\' and control characters escaped. The text is
/// valid UTF-8 (checked by the caller), which JSON carries as it is.
inline void append_json_string(std::string& out, std::string_view text) {
    static constexpr char hex_digits[] = "0123456789abcdef";
    out += '"';
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20) {
            out += "\\u00";
            out += hex_digits[byte >> 4];
            out += hex_digits[byte & 0xF];
        } else {
            out += c;
        }
    }
    out += '"';
}

/// Checks a form field name and value: a name of letters, digits, '-' and '_', not one the form
/// sets itself; a value of valid UTF-8 without control characters. Errors name `argument`.
inline result<void> check_post_field(std::string_view name, std::string_view value, std::string_view argument) {
    static constexpr std::string_view reserved[] = {"key",  "policy", "q-sign-algorithm", "q-ak",   "q-key-time",
                                                    "q-sign-time", "q-signature", "x-cos-security-token", "file", "bucket"};
    if (name.empty()) return make_error(errc::invalid_argument, argument, "a field name is empty");
    for (char c : name)
        if (!(is_alpha(c) || is_digit(c) || c == '-' || c == '_'))
            return make_error(errc::invalid_argument, argument, "field name '" + std::string(name) + "' may hold only letters, digits, '-' and '_'");
    for (std::string_view r : reserved)
        if (iequals(name, r)) return make_error(errc::invalid_argument, argument, "field " + std::string(name) + " is set by coswire");
    return validate_header_value(value, argument);
}

}  // namespace detail

/// q-signature of the POST policy text `policy` (the JSON itself, not its base64):
/// hex(HMAC-SHA1(SignKey, hex(SHA1(policy)))), SignKey = hex(HMAC-SHA1(SecretKey, "start;end")),
/// without the HttpString and "sha1\n" framing of a request signature. Precondition:
/// validate_key_time(time) succeeded.
inline hex_sha1 post_policy_signature(const secret_string& secret_key, const key_time& time, std::string_view policy) noexcept {
    const auto string_to_sign = to_hex(sha1_hash(policy));
    return signature(sign_key(secret_key, time), std::string_view(string_to_sign.data(), string_to_sign.size()));
}

/// The signed form fields of a POST Object upload to the bucket at `ep`
/// (docs/protocol/post-object.md#signature): the policy JSON is built, base64'd into the policy
/// field and signed as q-signature = hex(HMAC-SHA1(SignKey, hex(SHA1(policy)))), SignKey =
/// hex(HMAC-SHA1(SecretKey, "start;end")). Errors (invalid_argument): validate_credentials' and
/// validate_key_time's; "bucket" when `ep` names no bucket (a custom domain); "object_key" when
/// the key is empty and not a prefix, or not valid UTF-8; "expiration" when it is not an ISO 8601
/// time ending in Z; "fields" for a bad or reserved name, a repeated name, or a bad value;
/// "conditions" likewise; "content_length_range" when max < min.
inline result<post_object_form> make_post_object_form(const endpoint& ep, const credentials& creds, const post_object_params& p) {
    if (auto ok = validate_credentials(creds); !ok) return std::move(ok).error();
    if (auto ok = validate_key_time(p.time); !ok) return std::move(ok).error();
    if (ep.bucket.empty()) return make_error(errc::invalid_argument, "bucket", "the endpoint names no bucket; use make_endpoint()");
    if (p.key.empty() && !p.key_is_prefix) return make_error(errc::invalid_argument, "object_key", "is empty");
    if (auto ok = validate_header_value(p.key, "object_key"); !ok) return std::move(ok).error();
    if (!parse_iso8601(p.expiration) || !p.expiration.ends_with('Z'))
        return make_error(errc::invalid_argument, "expiration", "must be an ISO 8601 time in UTC, e.g. 2019-08-30T09:38:12.414Z");
    for (std::size_t i = 0; i < p.fields.size(); ++i) {
        if (auto ok = detail::check_post_field(p.fields[i].name, p.fields[i].value, "fields"); !ok) return std::move(ok).error();
        for (std::size_t j = 0; j < i; ++j)
            if (detail::iequals(p.fields[i].name, p.fields[j].name))
                return make_error(errc::invalid_argument, "fields", "field " + p.fields[i].name + " is given twice");
    }
    for (const post_policy_condition& c : p.conditions)
        if (auto ok = detail::check_post_field(c.field, c.value, "conditions"); !ok) return std::move(ok).error();
    if (p.content_length_range && p.content_length_range->max < p.content_length_range->min)
        return make_error(errc::invalid_argument, "content_length_range", "max is below min");

    const key_time_text time(p.time);
    std::string policy = "{\"expiration\":";
    detail::append_json_string(policy, p.expiration);
    policy += ",\"conditions\":[";
    bool first = true;
    const auto exact = [&](std::string_view field, std::string_view value) {
        policy += first ? "{" : ",{";
        first = false;
        detail::append_json_string(policy, field);
        policy += ':';
        detail::append_json_string(policy, value);
        policy += '}';
    };
    const auto match = [&](std::string_view how, std::string_view field, std::string_view value) {
        policy += first ? "[" : ",[";
        first = false;
        detail::append_json_string(policy, how);
        policy += ',';
        detail::append_json_string(policy, "$" + std::string(field));
        policy += ',';
        detail::append_json_string(policy, value);
        policy += ']';
    };
    exact("q-sign-algorithm", "sha1");
    exact("q-ak", creds.secret_id);
    exact("q-sign-time", time.view());
    exact("bucket", ep.bucket);
    if (p.key_is_prefix) match("starts-with", "key", p.key);
    else exact("key", p.key);
    for (const http_header& f : p.fields) exact(f.name, f.value);
    for (const post_policy_condition& c : p.conditions) match(c.starts_with ? "starts-with" : "eq", c.field, c.value);
    if (const auto& range = p.content_length_range)
        policy += ",[\"content-length-range\"," + std::to_string(range->min) + "," + std::to_string(range->max) + "]";
    policy += "]}";

    post_object_form out;
    const auto digest = to_hex(sha1_hash(std::string_view(policy)));
    out.string_to_sign.assign(digest.data(), digest.size());
    const hex_sha1 q_signature = post_policy_signature(creds.secret_key, p.time, policy);
    out.fields.push_back({"key", p.key_is_prefix ? p.key + "${filename}" : p.key});
    out.fields.insert(out.fields.end(), p.fields.begin(), p.fields.end());
    out.fields.push_back({"policy", base64_encode(policy)});
    out.fields.push_back({"q-sign-algorithm", "sha1"});
    out.fields.push_back({"q-ak", creds.secret_id});
    out.fields.push_back({"q-key-time", std::string(time.view())});
    out.fields.push_back({"q-signature", std::string(to_string_view(q_signature))});
    if (!creds.session_token.empty()) out.fields.push_back({"x-cos-security-token", std::string(creds.session_token.reveal())});
    out.policy = std::move(policy);
    out.url = ep.scheme + "://" + ep.host + "/";
    return out;
}

}  // namespace coswire
