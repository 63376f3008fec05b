// SPDX-License-Identifier: MIT
// The canonical request of q-sign-algorithm=sha1 (which parameters and headers are signed, checked
// and in what order) and the HttpString written from it (docs/protocol/signing.md#what-is-signed
// to #httpstring).
//
// The signing path, in reading order (tests/sign/readable_path.py keeps it under 400 lines):
//   1. this file               the canonical request, then the HttpString and the two lists
//   2. sign/signer.hpp         SignKey, StringToSign, Signature
//   3. sign/authorization.hpp  the Authorization value, and the signer that puts it together
// Every name and value is encoded by enc(), encoding/percent.hpp, the one percent-encoder.
// Behind this path, detail/fast_http_string.hpp does the same work faster (SSE2 encoding, table
// lookups, word-at-a-time lower-casing, hashing while writing) and detail/signed_field_list.hpp
// keeps the sorted fields on the stack; tests/sign/fast_http_string_test.cpp holds them equal.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/detail/signed_field_list.hpp>
#include <coswire/detail/sign_errors.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/result.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace coswire {

/// A query parameter as the server decodes it. `value` is empty for a valueless parameter such
/// as `?uploads`, which signs exactly like an empty value (`uploads=`).
struct query_param {
    std::string_view name{};
    std::optional<std::string_view> value{};
};

/// A request header as it is sent.
struct header_field {
    std::string_view name{};
    std::string_view value{};
};

/// What the signer reads of a request; every member is borrowed.
struct signable_request {
    std::string_view method{};                 ///< an HTTP token, any case ("PUT")
    std::string_view path{};                   ///< UriPathname: "/" + raw object key, or "/" (decoded, verbatim)
    std::span<const query_param> params{};     ///< all are signed
    std::span<const header_field> headers{};   ///< selected by sign_options::headers
};

/// Which headers enter the signature.
enum class header_selection {
    standard,  ///< the official SDKs' set plus every x-cos-* / x-ci-* header (default)
    all,       ///< every header given
    listed,    ///< exactly the headers named in sign_options::listed_headers (when present)
};

struct sign_options {
    header_selection headers = header_selection::standard;
    std::span<const std::string_view> listed_headers{};  ///< names for header_selection::listed
};

/// The most parameters, and the most headers, one request may have; bounds the signer's stack.
inline constexpr std::size_t max_signed_fields = detail::max_fields_per_list;

// ---- Signing path 1/5: the canonical request (what is signed, checked, in which order) ----

/// Header names signed under header_selection::standard (lower-case), besides x-cos-* and
/// x-ci-*: the Node 3.x / C++ / Python set (docs/protocol/signing.md#what-is-signed). `date` and
/// `user-agent` are deliberately absent (not signed by any SDK).
inline constexpr std::array<std::string_view, 17> standard_signed_headers = {
    "cache-control", "content-disposition", "content-encoding", "content-length", "content-md5",
    "content-type", "expect", "expires", "host", "if-match", "if-modified-since", "if-none-match",
    "if-unmodified-since", "origin", "pic-operations", "range", "transfer-encoding"};

/// True when `name` (any case) is signed under header_selection::standard.
constexpr bool is_standard_signed_header(std::string_view name) noexcept {
    if (detail::istarts_with(name, "x-cos-") || detail::istarts_with(name, "x-ci-")) return true;
    for (std::string_view h : standard_signed_headers)
        if (detail::iequals(name, h)) return true;
    return false;
}

namespace detail {

/// lower(enc(c)) of one byte: enc's one or three bytes, lower-cased (the hex digits too), which
/// is what the byte becomes in a signed name (docs/protocol/signing.md#parameter-list, step 1).
struct signed_name_piece {
    std::array<char, 3> text{};
    std::size_t size = 0;
    constexpr explicit signed_name_piece(char c) noexcept
        : size(static_cast<std::size_t>(percent_encode_unchecked({&c, 1}, text.data()) - text.data())) {
        for (char& ch : text) ch = to_lower(ch);
    }
    constexpr std::string_view view() const noexcept { return {text.data(), size}; }
};

/// Byte order of the signed names lower(enc(a)) and lower(enc(b)): negative, zero or positive.
/// Piece by piece: two pieces differ before either ends (only an escape starts with '%').
constexpr int compare_signed_names(std::string_view a, std::string_view b) noexcept {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
        if (const int order = signed_name_piece(a[i]).view().compare(signed_name_piece(b[i]).view()); order != 0)
            return order;
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

/// HTTP stacks strip leading and trailing blanks from field values, so the signed value must
/// be the trimmed one (docs/protocol/signing.md#header-list).
constexpr std::string_view trim_blanks(std::string_view v) noexcept {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

constexpr bool is_selected(const sign_options& options, std::string_view name) noexcept {
    switch (options.headers) {
        case header_selection::standard: return is_standard_signed_header(name);
        case header_selection::all: return true;
        case header_selection::listed:
            for (std::string_view n : options.listed_headers)
                if (iequals(n, name)) return true;
            return false;
    }
    return false;
}

/// The session token as the signed field x-cos-security-token: added when the request does not
/// carry it, checked when it does (a different value would be sent unsigned).
inline result<void> add_session_token(signed_field_list& list, std::string_view token, std::string_view argument) {
    constexpr std::string_view name = "x-cos-security-token";
    if (const signed_field* present = list.find(name)) {
        if (present->value != token)
            return make_error(errc::invalid_argument, argument,
                              "carries an x-cos-security-token that differs from the credentials' session token");
        return {};
    }
    return list.insert({name, token}, argument);
}

}  // namespace detail

/// The parameters and headers chosen for signing, validated and sorted by signed name. Borrows
/// every string of the signable_request (and the session token) it was made from.
struct canonical_request {
    std::string_view method{};
    std::string_view path{};
    detail::signed_field_list params{};
    detail::signed_field_list headers{};
};

/// Where the session token goes: a header for ordinary requests, a query parameter for
/// presigned URLs (docs/protocol/signing.md#temporary-credentials).
enum class token_placement { header, query };

/// Like canonicalize(), but fills `out` in place instead of returning a canonical_request (which
/// holds room for 2 × 129 fields): the signer's hot path. On an error `out` holds a partial
/// result that must not be used. Errors: those of canonicalize().
inline result<void> canonicalize_into(canonical_request& out, const signable_request& request,
                                      const sign_options& options, std::string_view session_token = {},
                                      token_placement placement = token_placement::header) {
    using detail::control_bytes;
    out.params.clear();
    out.headers.clear();
    if (!detail::is_token(request.method)) [[unlikely]]
        return detail::method_error();
    out.method = request.method;

    // The path is signed verbatim ("/" + key from map_object_key; the C++ SDK's vectors sign
    // "xxxx"): valid UTF-8 without any control byte, not even HTAB.
    if (request.path.empty() || !detail::text_passes(request.path, control_bytes::forbidden)) [[unlikely]]
        return detail::path_error(request.path);
    out.path = request.path;

    if (request.params.size() > max_signed_fields || request.headers.size() > max_signed_fields) [[unlikely]]
        return detail::count_error(request.params.size() > max_signed_fields ? "params" : "headers", max_signed_fields);

    // Every parameter is signed: names and values any UTF-8, no parameter named twice.
    for (std::size_t i = 0; i < request.params.size(); ++i) {
        const std::string_view name = request.params[i].name;
        const std::string_view value = request.params[i].value.value_or(std::string_view{});
        if (name.empty() || !detail::text_passes(name, control_bytes::allowed) ||
            !detail::text_passes(value, control_bytes::allowed)) [[unlikely]]
            return detail::param_error(i, name, value);
        if (const auto status = out.params.try_insert({name, value}); status != detail::insert_status::inserted) [[unlikely]]
            return detail::signed_field_list::insert_error(status, name, "params");
    }

    // Every header is checked (a token name, said once; a value without CR, LF, NUL or other
    // controls but HTAB), and those the options select are signed with their blanks trimmed.
    for (std::size_t i = 0; i < request.headers.size(); ++i) {
        const header_field& h = request.headers[i];
        const std::size_t name_size = detail::fast::token_signed_name_size(h.name);  // 0 unless a token
        if (name_size == 0) [[unlikely]]
            return detail::header_name_error(i);
        for (std::size_t j = 0; j < i; ++j)
            if (detail::iequals(request.headers[j].name, h.name)) [[unlikely]]
                return detail::duplicate_header_error(h.name);
        if (!detail::text_passes(h.value, control_bytes::forbidden_but_htab)) [[unlikely]]
            return detail::header_value_error(h.name, h.value);
        if (!detail::is_selected(options, h.name)) continue;
        const detail::signed_field f{h.name, detail::trim_blanks(h.value)};
        if (const auto status = out.headers.try_insert(f, name_size); status != detail::insert_status::inserted) [[unlikely]]
            return detail::signed_field_list::insert_error(status, h.name, "headers");
    }

    if (session_token.empty()) return {};
    if (!detail::text_passes(session_token, control_bytes::forbidden_but_htab)) [[unlikely]]
        return detail::token_error(session_token);
    return placement == token_placement::header ? detail::add_session_token(out.headers, session_token, "headers")
                                                : detail::add_session_token(out.params, session_token, "params");
}

// ---- End of signing path 1/5 ----

/// Validates `request` and selects, encodes-in-order and sorts what is signed. `session_token`
/// (empty for none) is added as x-cos-security-token where `placement` says.
/// Errors (invalid_argument unless noted): method not a token ("method"); path empty, not
/// UTF-8 or holding control characters ("path"); a parameter name or value not UTF-8, or a
/// repeated parameter name ("params"); a header name that is not a token, a value with
/// CR/LF/NUL/controls or not UTF-8, or a repeated header ("headers"); more than
/// max_signed_fields of either (limit_exceeded).
inline result<canonical_request> canonicalize(const signable_request& request, const sign_options& options,
                                              std::string_view session_token = {},
                                              token_placement placement = token_placement::header) {
    canonical_request out;
    if (auto ok = canonicalize_into(out, request, options, session_token, placement); !ok)
        return std::move(ok).error();
    return out;
}

// ---- Signing path 2/5: the HttpString and the two lists ----

namespace detail {

/// The writers below emit the HttpString and the lists into any sink with put(char),
/// put(std::string_view) and put_encoded(value, redact): a string for explanations, or one of
/// detail/fast_http_string.hpp's sinks, which may also write a name at once (put_signed_name).
template <class Sink>
constexpr void write_signed_name(Sink& sink, const signed_field& f) {
    if constexpr (requires { sink.put_signed_name(f); }) {
        sink.put_signed_name(f);
    } else {
        for (char c : f.name) sink.put(signed_name_piece(c).view());
    }
}

/// UrlParamList / HeaderList: the signed names joined by ';'.
template <class Sink>
constexpr void write_list(Sink& sink, const signed_field_list& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i > 0) sink.put(';');
        write_signed_name(sink, list[i]);
    }
}

/// HttpParameters / HttpHeaders: lower(enc(name)) "=" enc(value), joined by '&'.
template <class Sink>
constexpr void write_pairs(Sink& sink, const signed_field_list& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i > 0) sink.put('&');
        write_signed_name(sink, list[i]);
        sink.put('=');
        sink.put_encoded(list[i].value, list[i].redact);
    }
}

/// HttpString = lower(method) \n path \n HttpParameters \n HttpHeaders \n  (docs/protocol/signing.md#httpstring)
template <class Sink>
constexpr void write_http_string(Sink& sink, const coswire::canonical_request& c) {
    for (char ch : c.method) sink.put(to_lower(ch));
    sink.put('\n');
    sink.put(c.path);
    sink.put('\n');
    write_pairs(sink, c.params);
    sink.put('\n');
    write_pairs(sink, c.headers);
    sink.put('\n');
}

/// A sink that builds a std::string; the session token's value shows as "***".
struct string_sink {
    std::string& out;
    void put(char c) { out.push_back(c); }
    void put(std::string_view s) { out.append(s); }
    void put_encoded(std::string_view value, bool redact) {
        if (redact) out.append("***");
        else percent_encode_append(out, value);
    }
};

// ---- End of signing path 2/5 ----

template <class Write>
std::string write_to_string(std::size_t size_hint, Write&& write) {
    std::string out;
    out.reserve(size_hint);
    string_sink sink{out};
    write(sink);
    return out;
}

}  // namespace detail

/// UrlParamList of a canonical request ("k1;k2;...").
inline std::string url_param_list(const canonical_request& c) {
    return detail::write_to_string(c.params.list_size(), [&](auto& sink) { detail::write_list(sink, c.params); });
}

/// HeaderList of a canonical request ("k1;k2;...").
inline std::string header_list(const canonical_request& c) {
    return detail::write_to_string(c.headers.list_size(), [&](auto& sink) { detail::write_list(sink, c.headers); });
}

/// The HttpString for explanations: exact, except that a session token's value reads "***".
inline std::string http_string(const canonical_request& c) {
    return detail::write_to_string(0, [&](auto& sink) { detail::write_http_string(sink, c); });
}

}  // namespace coswire
