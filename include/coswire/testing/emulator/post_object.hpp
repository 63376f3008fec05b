// SPDX-License-Identifier: MIT
// The emulator's POST Object (docs/protocol/post-object.md): a browser form upload to `POST /`,
// its multipart/form-data body, the policy and its signature checked with the library's own
// post_policy_signature, the policy's expiration and conditions, then the object stored.
#pragma once

#include <coswire/api/post_object.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/detail/json.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/error.hpp>
#include <coswire/http/message.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/verify.hpp>
#include <coswire/testing/emulator/acl.hpp>
#include <coswire/testing/emulator/checks.hpp>
#include <coswire/testing/emulator/objects.hpp>
#include <coswire/testing/emulator/options.hpp>
#include <coswire/testing/emulator/reply.hpp>
#include <coswire/testing/emulator/request.hpp>
#include <coswire/testing/emulator/restore.hpp>
#include <coswire/testing/emulator/sse.hpp>
#include <coswire/testing/emulator/storage.hpp>
#include <coswire/testing/emulator/tagging.hpp>
#include <coswire/testing/emulator/versions.hpp>
#include <coswire/time/http_date.hpp>
#include <coswire/time/key_time.hpp>
#include <coswire/xml/writer.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::detail::emu {

/// Whether `x` is a form upload: `POST /` without parameters, with a multipart/form-data body.
inline bool is_form_upload(const exchange& x) {
    const auto type = x.header("Content-Type");
    return x.target_ok && x.method == "POST" && x.path == "/" && x.params.empty() && type && istarts_with(*type, "multipart/form-data");
}

/// A form upload's fields before the file, and the file (RFC 7578). Views borrow the body.
struct post_form {
    std::vector<header_field> fields{};  ///< name and value of each field, in order
    std::string_view file{};             ///< the content of the field named "file"
    std::string_view filename{};         ///< its filename parameter
    bool has_file = false;
};

/// The value of parameter `name` in a header value's `; name=value` or `; name="value"` list
/// (no escapes inside the quotes, as browsers write them); nothing when it is absent.
inline std::optional<std::string_view> header_parameter(std::string_view value, std::string_view name) {
    for (std::size_t semi = value.find(';'); semi != std::string_view::npos; semi = value.find(';', semi + 1)) {
        std::string_view rest = trim_blanks(value.substr(semi + 1));
        if (!istarts_with(rest, name) || rest.substr(name.size()).find('=') != 0) continue;
        rest.remove_prefix(name.size() + 1);
        if (!rest.starts_with('"')) return trim_blanks(rest.substr(0, rest.find(';')));
        const std::size_t close = rest.find('"', 1);
        if (close == std::string_view::npos) return std::nullopt;
        return rest.substr(1, close - 1);
    }
    return std::nullopt;
}

/// Reads a multipart/form-data body up to its part named "file"; parts after it are not read.
/// Errors (errc::malformed_response naming "form"): no boundary in `content_type`, a body that
/// does not open with the boundary, a part without `Content-Disposition: form-data; name=...`
/// or without the boundary after it (followed by CRLF or "--"), a field named twice (any case).
inline result<post_form> parse_post_form(std::string_view content_type, std::string_view body) {
    const auto malformed = [](std::string reason) { return make_error(errc::malformed_response, "form", std::move(reason)); };
    const std::optional<std::string_view> boundary = header_parameter(content_type, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 70) return malformed("Content-Type names no boundary of 1 to 70 characters");
    const std::string delimiter = "--" + std::string(*boundary);
    if (!body.starts_with(delimiter)) return malformed("the body does not start with the boundary");
    const std::string next = "\r\n" + delimiter;
    post_form form;
    std::size_t at = delimiter.size();
    for (;;) {
        if (body.substr(at, 2) == "--") return form;  // the closing delimiter
        if (body.substr(at, 2) != "\r\n") return malformed("a boundary is not followed by CRLF");
        at += 2;
        const std::size_t head_end = body.find("\r\n\r\n", at);
        const std::size_t content_end = head_end == std::string_view::npos ? head_end : body.find(next, head_end + 4);
        if (content_end == std::string_view::npos) return malformed("a part does not end with the boundary");
        std::optional<std::string_view> name, filename;
        for (std::string_view head = body.substr(at, head_end - at); !head.empty();) {
            const std::size_t eol = head.find("\r\n");
            const std::string_view line = head.substr(0, eol);
            head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
            const std::size_t colon = line.find(':');
            if (colon == std::string_view::npos || !iequals(trim_blanks(line.substr(0, colon)), "Content-Disposition")) continue;
            const std::string_view disposition = trim_blanks(line.substr(colon + 1));
            if (!istarts_with(disposition, "form-data")) return malformed("a part's Content-Disposition is not form-data");
            name = header_parameter(disposition, "name");
            filename = header_parameter(disposition, "filename");
        }
        if (!name || name->empty()) return malformed("a part has no Content-Disposition name");
        const std::string_view content = body.substr(head_end + 4, content_end - head_end - 4);
        const std::string_view after = body.substr(content_end + next.size(), 2);
        if (after != "--" && after != "\r\n") return malformed("the body ends inside a boundary");
        if (iequals(*name, "file")) {
            form.file = content;
            form.filename = filename.value_or(std::string_view());
            form.has_file = true;
            return form;
        }
        for (const header_field& f : form.fields)
            if (iequals(f.name, *name)) return malformed("the field " + std::string(*name) + " appears more than once");
        form.fields.push_back({*name, content});
        at = content_end + next.size();
    }
}

/// One condition of a policy: `{"field": "value"}` or `["eq" | "starts-with", "$field", "value"]`,
/// or `["content-length-range", min, max]`.
struct policy_condition {
    std::string field{};       ///< without '$'; empty for content-length-range
    std::string value{};
    bool starts_with = false;
    std::uint64_t min = 0;     ///< content-length-range
    std::uint64_t max = 0;
};

/// A policy document: its expiration and its conditions.
struct policy_document {
    std::int64_t expiration = 0;  ///< Unix seconds
    std::vector<policy_condition> conditions{};
};

/// Reads a policy document (the JSON the policy field is the base64 of). Errors
/// (errc::malformed_response naming "policy", or the JSON reader's): not one JSON object, no
/// ISO 8601 `expiration`, no `conditions` array, a condition of another shape or with an
/// unknown operator, a content-length-range that is not 0 <= min <= max.
inline result<policy_document> parse_policy_document(std::string_view text) {
    const auto malformed = [](std::string reason) { return make_error(errc::malformed_response, "policy", std::move(reason)); };
    const auto strings_only = [](const std::vector<json::member>& items, std::size_t count) {
        return items.size() == count && std::all_of(items.begin(), items.end(), [](const json::member& m) { return m.type == json::kind::string; });
    };
    const result<std::vector<json::member>> top = json::parse_object(text, "policy");
    if (!top) return top.error();
    policy_document out;
    const json::member* expiration = json::find(*top, "expiration");
    if (expiration == nullptr || expiration->type != json::kind::string) return malformed("no expiration");
    const result<std::int64_t> when = parse_iso8601(expiration->value);
    if (!when) return malformed("expiration is not an ISO 8601 time");
    out.expiration = *when;
    const json::member* conditions = json::find(*top, "conditions");
    if (conditions == nullptr || conditions->type != json::kind::array) return malformed("conditions is not an array");
    const result<std::vector<json::member>> items = json::parse_array(conditions->raw, "policy");
    if (!items) return items.error();
    for (const json::member& item : *items) {
        policy_condition c;
        if (item.type == json::kind::object) {
            const result<std::vector<json::member>> pair = json::parse_object(item.raw, "policy");
            if (!pair || pair->size() != 1 || (*pair)[0].type != json::kind::string) return malformed("an object condition is not {\"field\": \"value\"}");
            c.field = (*pair)[0].name;
            c.value = (*pair)[0].value;
        } else if (item.type == json::kind::array) {
            const result<std::vector<json::member>> parts = json::parse_array(item.raw, "policy");
            if (!parts || parts->empty() || (*parts)[0].type != json::kind::string) return malformed("an array condition does not start with its operator");
            const std::string& op = (*parts)[0].value;
            if (op == "content-length-range") {
                const auto bound = [&](std::size_t i) -> std::optional<std::int64_t> {
                    return (*parts)[i].type == json::kind::number ? json::to_int64((*parts)[i].value) : std::nullopt;
                };
                const auto low = parts->size() == 3 ? bound(1) : std::nullopt, high = parts->size() == 3 ? bound(2) : std::nullopt;
                if (!low || !high || *low < 0 || *high < *low) return malformed("content-length-range needs two whole numbers, 0 <= min <= max");
                c.min = static_cast<std::uint64_t>(*low);
                c.max = static_cast<std::uint64_t>(*high);
            } else {
                if ((op != "eq" && op != "starts-with") || !strings_only(*parts, 3) || !(*parts)[1].value.starts_with('$'))
                    return malformed("an array condition is not [\"eq\" or \"starts-with\", \"$field\", \"value\"]");
                c.field = (*parts)[1].value.substr(1);
                c.value = (*parts)[2].value;
                c.starts_with = op == "starts-with";
            }
        } else {
            return malformed("a condition is neither an object nor an array");
        }
        out.conditions.push_back(std::move(c));
    }
    return out;
}

/// The answer to a form that breaks its policy: 403 AccessDenied, as S3 answers it (Tencent's
/// pages do not say).
inline http_response policy_refusal(const exchange& x, std::string_view why) {
    return error_reply(x, 403, "AccessDenied", "Invalid according to Policy: " + std::string(why));
}

/// The form field named `name` (any case), if sent.
inline std::optional<std::string_view> form_field(const post_form& form, std::string_view name) {
    for (const header_field& f : form.fields)
        if (iequals(f.name, name)) return f.value;
    return std::nullopt;
}

/// Checks a form's signature and policy (docs/protocol/post-object.md): the q-* fields and the
/// policy must come (403 AccessDenied), q-ak must be an accepted key (403 InvalidAccessKeyId) and
/// q-key-time a window holding server time (403 RequestTimeTooSkewed before it, AccessDenied
/// "Request has expired" after it); q-signature must be post_policy_signature of the decoded
/// policy (403 SignatureDoesNotMatch); the session token and key expiry as for a signed request
/// (check_session). Then the policy: not base64 of a policy document → 400 InvalidPolicyDocument;
/// expired at server time, a condition the form breaks, a required condition missing (q-sign-algorithm,
/// q-ak, q-sign-time) or a form field no condition covers → 403 AccessDenied. `key` is the form's
/// key after ${filename}; `range` receives content-length-range when the policy has one.
inline refusal check_post_policy(const testing::emulator_options& options, const exchange& x, const post_form& form,
                                 std::string_view key, testing::fault_counters& faults, std::optional<policy_condition>& range) {
    const auto policy_field = form_field(form, "policy");
    const auto algorithm = form_field(form, "q-sign-algorithm");
    const auto access_key = form_field(form, "q-ak");
    const auto key_time_text = form_field(form, "q-key-time");
    const auto sent_signature = form_field(form, "q-signature");
    if (!policy_field || !algorithm || !access_key || !key_time_text || !sent_signature)
        return error_reply(x, 403, "AccessDenied", "A form upload needs policy, q-sign-algorithm, q-ak, q-key-time and q-signature.");
    if (*algorithm != "sha1") return error_reply(x, 403, "AccessDenied", "q-sign-algorithm must be sha1.");
    const credentials* creds = find_credentials(options, *access_key);
    if (creds == nullptr) return error_reply(x, 403, "InvalidAccessKeyId", "The q-ak you provided does not exist in our records.");
    const result<key_time> window = parse_key_time(*key_time_text, "q-key-time");
    if (!window || !validate_key_time(*window)) return error_reply(x, 403, "AccessDenied", "q-key-time must be start;end in Unix seconds.");
    const result<std::string> policy = base64_decode(*policy_field);
    if (!policy) return error_reply(x, 400, "InvalidPolicyDocument", "The policy field is not base64.");
    const hex_sha1 expected = post_policy_signature(creds->secret_key, *window, *policy);
    if (!constant_time_equal(to_string_view(expected), *sent_signature))
        return error_reply(x, 403, "SignatureDoesNotMatch", "The q-signature of the form is not the signature of its policy.");
    if (x.now < window->start || x.now > window->end) return time_refusal(x, x.now < window->start, faults);
    if (refusal r = check_session(options, *creds, form_field(form, "x-cos-security-token"), x)) return r;

    const result<policy_document> document = parse_policy_document(*policy);
    if (!document) return error_reply(x, 400, "InvalidPolicyDocument", "The policy is not a valid policy document: " + document.error().reason);
    if (x.now >= document->expiration) return policy_refusal(x, "Policy expired.");
    std::vector<std::string_view> covered;
    for (const policy_condition& c : document->conditions) {
        if (c.field.empty()) {
            range = c;
            continue;
        }
        covered.push_back(c.field);
        std::optional<std::string_view> actual;
        if (iequals(c.field, "bucket")) actual = options.bucket;
        else if (iequals(c.field, "key")) actual = key;
        else if (iequals(c.field, "q-sign-time")) actual = key_time_text;
        else actual = form_field(form, c.field);
        if (!actual || (c.starts_with ? !actual->starts_with(c.value) : *actual != c.value))
            return policy_refusal(x, "Policy Condition failed: " + std::string(c.starts_with ? "starts-with $" : "eq $") + c.field);
    }
    const auto is_covered = [&](std::string_view name) {
        return std::any_of(covered.begin(), covered.end(), [&](std::string_view c) { return iequals(c, name); });
    };
    for (std::string_view required : {"q-sign-algorithm", "q-ak", "q-sign-time"})
        if (!is_covered(required)) return policy_refusal(x, "the policy has no condition on " + std::string(required) + ".");
    // The signature's own fields, and the token (a credential, not a choice of the page), need no condition.
    static constexpr std::string_view uncovered[] = {"policy", "q-signature", "q-key-time", "x-cos-security-token"};
    for (const header_field& f : form.fields)
        if (std::none_of(std::begin(uncovered), std::end(uncovered), [&](std::string_view u) { return iequals(u, f.name); }) &&
            !is_covered(f.name))
            return policy_refusal(x, "Extra input fields: " + std::string(f.name));
    return std::nullopt;
}

/// POST Object: a malformed form → 400 MalformedPOSTRequest, no file → 400
/// IncorrectNumberOfFilesInPostRequest, no key → 400 InvalidArgument; then check_post_policy, a
/// file outside content-length-range → 400 EntityTooSmall / EntityTooLarge (S3's answers), the
/// key checks of every object request. The object is stored as PUT Object stores it, with the
/// form fields in place of headers (`acl` is x-cos-acl). Success: 303 to success_action_redirect
/// with `bucket`, `key` and `etag` added to its query; else success_action_status 200, 201 (with
/// a PostResponse document) or 204 (the default), with ETag and Location.
inline http_response post_object(bucket_store& store, const testing::emulator_options& options, const exchange& x,
                                 testing::fault_counters& faults) {
    const result<post_form> parsed = parse_post_form(x.header("Content-Type").value_or(""), x.body);
    if (!parsed) return error_reply(x, 400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data: " + parsed.error().reason);
    const post_form& form = *parsed;
    if (!form.has_file) return error_reply(x, 400, "IncorrectNumberOfFilesInPostRequest", "POST requires exactly one file upload per request.");
    const std::optional<std::string_view> key_field = form_field(form, "key");
    if (!key_field) return invalid_argument(x, "Bucket POST must contain a field named 'key'.");
    std::string key(*key_field);
    if (const std::size_t at = key.find("${filename}"); at != std::string::npos) key.replace(at, 11, form.filename);
    std::optional<policy_condition> range;
    if (refusal r = check_post_policy(options, x, form, key, faults, range)) return std::move(*r);
    if (range && form.file.size() < range->min) return error_reply(x, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.");
    if (range && form.file.size() > range->max) return error_reply(x, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.");

    // The fields speak as a PUT's headers would; the path carries the key for the key checks.
    exchange as_put = x;
    as_put.path = "/" + key;
    as_put.headers.clear();
    for (const header_field& f : form.fields) as_put.headers.push_back({iequals(f.name, "acl") ? std::string_view("x-cos-acl") : f.name, f.value});
    if (key.empty()) return invalid_argument(x, "The key field is empty.");
    if (refusal r = check_key(as_put)) return std::move(*r);
    write_attributes attributes;
    if (refusal r = read_write_attributes(store, as_put, attributes)) return std::move(*r);
    if (!store.fits(form.file.size(), store.replaced_size(key))) return too_large(x);
    const testing::emulated_object& o = store_write(store, key, std::string(form.file), stored_metadata(as_put), x.now, std::move(attributes));

    const std::string location = "http://" + options.host + "/" + path_encode(key);
    http_response r;
    if (const auto redirect = form_field(form, "success_action_redirect")) {
        const std::string target = std::string(*redirect) + (redirect->find('?') == std::string_view::npos ? "?" : "&") + "bucket=" +
                                   percent_encode(options.bucket) + "&key=" + percent_encode(key) + "&etag=" + percent_encode(o.etag);
        r = reply(x, 303);
        r.headers.push_back({"Location", target});
    } else {
        const std::string_view status = form_field(form, "success_action_status").value_or("204");
        if (status == "201") {
            xml::writer w;
            w.start("PostResponse").element("Location", location).element("Bucket", options.bucket).element("Key", key).element("ETag", o.etag).end();
            r = xml_reply(x, w);
            r.status = 201;
        } else {
            r = reply(x, status == "200" ? 200 : 204);
        }
        r.headers.push_back({"Location", location});
    }
    add_integrity_headers(r, o.etag, o.crc64, {});
    add_encryption_headers(r, o.encryption);
    add_new_version_header(r, store, o);
    return r;
}

}  // namespace coswire::detail::emu
