// SPDX-License-Identifier: MIT
// The canonical request of q-sign-algorithm=sha1: which parameters and headers are signed, their
// UrlParamList/HeaderList, and the HttpString (COS-PROTOCOL.md §1.5–§1.8, §1.12).
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace coswire {

/// A query parameter as the server decodes it. `value` is empty for a valueless parameter such
/// as `?uploads`, which signs exactly like an empty value (`uploads=`).
struct query_param {
    std::string_view name;
    std::optional<std::string_view> value;
};

/// A request header as it is sent.
struct header_field {
    std::string_view name;
    std::string_view value;
};

/// What the signer reads of a request; every member is borrowed.
struct signable_request {
    std::string_view method;                 ///< an HTTP token, any case ("PUT")
    std::string_view path;                   ///< UriPathname: "/" + raw object key, or "/" (decoded, verbatim)
    std::span<const query_param> params;     ///< all are signed
    std::span<const header_field> headers;   ///< selected by sign_options::headers
};

/// Which headers enter the signature.
enum class header_selection {
    standard,  ///< the official SDKs' set plus every x-cos-* / x-ci-* header (default)
    all,       ///< every header given
    listed,    ///< exactly the headers named in sign_options::listed_headers (when present)
};

struct sign_options {
    header_selection headers = header_selection::standard;
    std::span<const std::string_view> listed_headers;  ///< names for header_selection::listed
};

/// The most parameters, and the most headers, one request may have; bounds the signer's stack.
inline constexpr std::size_t max_signed_fields = 128;

/// Header names signed under header_selection::standard (lower-case), besides x-cos-* and
/// x-ci-*. COS-PROTOCOL.md §1.12: the Node 3.0.0 / C++ / Python set. `date` and `user-agent` are
/// deliberately absent (not signed by any SDK).
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

/// One signed name/value pair; `redact` marks a security token, whose value is hashed but
/// never shown in an explanation.
struct signed_field {
    std::string_view name;
    std::string_view value;
    bool redact = false;
};

/// Fields whose value is a session token: secret, so explanations show "***".
constexpr bool is_token_field(std::string_view name) noexcept {
    return iequals(name, "x-cos-security-token") || iequals(name, "x-ci-security-token");
}

/// Emits lower(enc(name)) one byte at a time, so names can be compared and written in their
/// signed form without building it (COS-PROTOCOL.md §1.5 step 1).
class encoded_lower_name {
public:
    constexpr explicit encoded_lower_name(std::string_view s) noexcept : s_(s) {}
    constexpr bool done() const noexcept { return i_ == s_.size(); }
    constexpr char next() noexcept {
        const auto c = static_cast<unsigned char>(s_[i_]);
        if (is_unreserved(static_cast<char>(c))) {
            ++i_;
            return to_lower(static_cast<char>(c));
        }
        constexpr std::string_view hex = "0123456789abcdef";
        const char out = k_ == 0 ? '%' : hex[k_ == 1 ? (c >> 4) : (c & 0xF)];
        if (++k_ == 3) {
            k_ = 0;
            ++i_;
        }
        return out;
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
    int k_ = 0;
};

/// Byte order of lower(enc(a)) against lower(enc(b)): negative, zero or positive.
constexpr int compare_signed_names(std::string_view a, std::string_view b) noexcept {
    encoded_lower_name x(a), y(b);
    while (!x.done() && !y.done()) {
        const auto cx = static_cast<unsigned char>(x.next());
        const auto cy = static_cast<unsigned char>(y.next());
        if (cx != cy) return cx < cy ? -1 : 1;
    }
    return x.done() ? (y.done() ? 0 : -1) : 1;
}

constexpr std::size_t signed_name_size(std::string_view s) noexcept {
    std::size_t n = 0;
    for (char c : s) n += is_unreserved(c) ? 1 : 3;
    return n;
}

/// HTTP stacks strip leading and trailing blanks from field values, so the signed value must
/// be the trimmed one (COS-PROTOCOL.md §1.6).
constexpr std::string_view trim_blanks(std::string_view v) noexcept {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

/// A sorted, duplicate-free list of signed fields kept on the stack.
class signed_field_list {
public:
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr const signed_field& operator[](std::size_t i) const noexcept { return fields_[i]; }
    constexpr const signed_field* begin() const noexcept { return fields_.data(); }
    constexpr const signed_field* end() const noexcept { return fields_.data() + size_; }

    /// Inserts in signed-name order; refuses a name equal to one already present.
    result<void> insert(signed_field f, std::string_view argument) {
        if (size_ == fields_.size())
            return make_error(errc::limit_exceeded, argument,
                              "more than " + std::to_string(max_signed_fields) + " signed fields");
        std::size_t pos = size_;
        while (pos > 0) {
            const int order = compare_signed_names(fields_[pos - 1].name, f.name);
            if (order == 0)
                return make_error(errc::invalid_argument, argument,
                                  "duplicate name '" + std::string(f.name) +
                                      "' (names are compared after encoding and lower-casing)");
            if (order < 0) break;
            --pos;
        }
        for (std::size_t i = size_; i > pos; --i) fields_[i] = fields_[i - 1];
        f.redact = is_token_field(f.name);
        fields_[pos] = f;
        ++size_;
        return {};
    }

    /// Length of "k1;k2;..." (UrlParamList / HeaderList).
    constexpr std::size_t list_size() const noexcept {
        std::size_t n = size_ > 0 ? size_ - 1 : 0;
        for (const auto& f : *this) n += signed_name_size(f.name);
        return n;
    }

    /// The field whose signed name equals lower(enc(name)), if any.
    constexpr const signed_field* find(std::string_view name) const noexcept {
        for (const auto& f : *this)
            if (compare_signed_names(f.name, name) == 0) return &f;
        return nullptr;
    }

private:
    std::array<signed_field, max_signed_fields + 1> fields_{};  // +1: the session token
    std::size_t size_ = 0;
};

/// "header #2 value" — built only when an error is reported, so valid input never allocates.
inline std::string field_label(std::string_view kind, std::size_t index, std::string_view part) {
    return std::string(kind) + " #" + std::to_string(index) + " " + std::string(part);
}

/// UTF-8 check; `label` names the offending piece in the error reason.
template <class Label>
result<void> check_text(std::string_view text, std::string_view argument, Label&& label) {
    const std::size_t bad = utf8_error_offset(text);
    if (bad != text.size())
        return make_error(errc::invalid_argument, argument,
                          label() + " is not valid UTF-8 (byte " + std::to_string(bad) + ")");
    return {};
}

/// A header value: no CR, LF, NUL or other control byte but HTAB, and valid UTF-8.
template <class Label>
result<void> check_field_value(std::string_view value, std::string_view argument, Label&& label) {
    for (std::size_t i = 0; i < value.size(); ++i)
        if (is_forbidden_in_field_value(value[i]))
            return make_error(errc::invalid_argument, argument,
                              label() + " contains a control character (CR, LF, NUL or other) at byte " +
                                  std::to_string(i));
    return check_text(value, argument, label);
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
    std::string_view method;
    std::string_view path;
    detail::signed_field_list params;
    detail::signed_field_list headers;
};

/// Where the session token goes: a header for ordinary requests, a query parameter for
/// presigned URLs (COS-PROTOCOL.md §1.13).
enum class token_placement { header, query };

/// Validates `request` and selects, encodes-in-order and sorts what is signed. `session_token`
/// (empty for none) is added as x-cos-security-token where `placement` says.
/// Errors (invalid_argument unless noted): method not a token ("method"); path empty, not
/// not UTF-8 or holding control characters ("path"); a parameter name or
/// value not UTF-8, or a repeated parameter name ("params"); a header name that is not a token,
/// a value with CR/LF/NUL/controls or not UTF-8, or a repeated header ("headers"); more than
/// max_signed_fields of either (limit_exceeded).
inline result<canonical_request> canonicalize(const signable_request& request, const sign_options& options,
                                                      std::string_view session_token = {},
                                                      token_placement placement = token_placement::header) {
    canonical_request out;
    if (!detail::is_token(request.method))
        return make_error(errc::invalid_argument, "method", "must be a non-empty HTTP token");
    out.method = request.method;

    // Real requests sign "/" + key (map_object_key builds it); the path is taken verbatim so the
    // C++ SDK's published vectors, which sign "xxxx", stay reproducible.
    if (request.path.empty()) return make_error(errc::invalid_argument, "path", "must not be empty (use \"/\")");
    for (std::size_t i = 0; i < request.path.size(); ++i)
        if (static_cast<unsigned char>(request.path[i]) < 0x20 || request.path[i] == 0x7F)
            return make_error(errc::invalid_argument, "path", "contains a control character at byte " + std::to_string(i));
    if (auto ok = detail::check_text(request.path, "path", [] { return std::string("path"); }); !ok)
        return std::move(ok).error();
    out.path = request.path;

    if (request.params.size() > max_signed_fields || request.headers.size() > max_signed_fields)
        return make_error(errc::limit_exceeded, request.params.size() > max_signed_fields ? "params" : "headers",
                          "more than " + std::to_string(max_signed_fields) + " entries");

    for (std::size_t i = 0; i < request.params.size(); ++i) {
        const query_param& p = request.params[i];
        if (p.name.empty())
            return make_error(errc::invalid_argument, "params", detail::field_label("parameter", i, "has an empty name"));
        if (auto ok = detail::check_text(p.name, "params", [i] { return detail::field_label("parameter", i, "name"); }); !ok)
            return std::move(ok).error();
        const std::string_view value = p.value.value_or(std::string_view{});
        if (auto ok = detail::check_text(value, "params", [i] { return detail::field_label("parameter", i, "value"); }); !ok)
            return std::move(ok).error();
        if (auto ok = out.params.insert({p.name, value}, "params"); !ok) return std::move(ok).error();
    }

    for (std::size_t i = 0; i < request.headers.size(); ++i) {
        const header_field& h = request.headers[i];
        if (!detail::is_token(h.name))
            return make_error(errc::invalid_argument, "headers",
                              detail::field_label("header", i, "name is not an HTTP token"));
        for (std::size_t j = 0; j < i; ++j)
            if (detail::iequals(request.headers[j].name, h.name))
                return make_error(errc::invalid_argument, "headers", "duplicate header '" + std::string(h.name) + "'");
        if (auto ok = detail::check_field_value(h.value, "headers",
                                                [&] { return "header '" + std::string(h.name) + "' value"; });
            !ok)
            return std::move(ok).error();

        bool selected = false;
        switch (options.headers) {
            case header_selection::standard: selected = is_standard_signed_header(h.name); break;
            case header_selection::all: selected = true; break;
            case header_selection::listed:
                for (std::string_view n : options.listed_headers) selected = selected || detail::iequals(n, h.name);
                break;
        }
        if (selected)
            if (auto ok = out.headers.insert({h.name, detail::trim_blanks(h.value)}, "headers"); !ok)
                return std::move(ok).error();
    }

    if (!session_token.empty()) {
        if (auto ok = detail::check_field_value(session_token, "session_token",
                                                [] { return std::string("the session token"); });
            !ok)
            return std::move(ok).error();
        auto added = placement == token_placement::header
                         ? detail::add_session_token(out.headers, session_token, "headers")
                         : detail::add_session_token(out.params, session_token, "params");
        if (!added) return std::move(added).error();
    }
    return out;
}

namespace detail {

/// Writes the pieces of the HttpString and the lists to any sink with put(char) and
/// put(std::string_view); used for hashing (no allocation) and for explanations alike.
template <class Sink>
constexpr void write_signed_name(Sink& sink, std::string_view name) {
    encoded_lower_name n(name);
    while (!n.done()) sink.put(n.next());
}

template <class Sink>
constexpr void write_list(Sink& sink, const signed_field_list& list) {
    bool first = true;
    for (const auto& f : list) {
        if (!first) sink.put(';');
        first = false;
        write_signed_name(sink, f.name);
    }
}

template <class Sink>
constexpr void write_pairs(Sink& sink, const signed_field_list& list) {
    bool first = true;
    for (const auto& f : list) {
        if (!first) sink.put('&');
        first = false;
        write_signed_name(sink, f.name);
        sink.put('=');
        sink.put_encoded(f.value, f.redact);
    }
}

/// HttpString = lower(method) \n path \n HttpParameters \n HttpHeaders \n  (§1.8)
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

}  // namespace detail

/// UrlParamList of a canonical request ("k1;k2;...").
inline std::string url_param_list(const canonical_request& c) {
    std::string out;
    out.reserve(c.params.list_size());
    detail::string_sink sink{out};
    detail::write_list(sink, c.params);
    return out;
}

/// HeaderList of a canonical request ("k1;k2;...").
inline std::string header_list(const canonical_request& c) {
    std::string out;
    out.reserve(c.headers.list_size());
    detail::string_sink sink{out};
    detail::write_list(sink, c.headers);
    return out;
}

/// The HttpString for explanations: exact, except that a session token's value reads "***".
inline std::string http_string(const canonical_request& c) {
    std::string out;
    detail::string_sink sink{out};
    detail::write_http_string(sink, c);
    return out;
}

}  // namespace coswire
