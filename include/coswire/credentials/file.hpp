// SPDX-License-Identifier: MIT
// Credentials files: coswire's key=value profiles file and the subset of coscli's ~/.cos.yaml
// that holds the keys. Parsing is a pure function of the text; reading the file is a separate,
// explicit call. Formats in docs/credentials.md#files.
#pragma once

#include <coswire/credentials/static.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/sign/credentials.hpp>

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire {

/// Which text a credentials file holds.
enum class credentials_file_format {
    key_value,    ///< coswire's `[profile]` + `name = value` file
    coscli_yaml,  ///< coscli's ~/.cos.yaml (cos: base: secretid / secretkey / sessiontoken)
};

namespace detail::credentials_file {

// Errors say where (line number) and what, never what the line held: it may be a secret.
inline error at_line(std::size_t line, std::string_view what) {
    return make_error(errc::invalid_argument, "credentials_file", "line " + std::to_string(line) + ": " + std::string(what));
}

inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// The lines of `text` (LF or CRLF endings), each checked for control characters other than tab.
inline result<std::vector<std::string_view>> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        for (char c : line)
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F)
                return at_line(lines.size() + 1, "a control character");
        lines.push_back(line);
    }
    return lines;
}

inline bool is_name(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!(is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.')) return false;
    return true;
}

/// Sets one of the three credential fields from `value`; refuses a second setting.
struct fields {
    std::optional<std::string> secret_id{};
    std::optional<std::string> secret_key{};
    std::optional<std::string> session_token{};

    result<credentials> finish(std::string_view where) {
        if (!secret_id || secret_id->empty())
            return make_error(errc::invalid_argument, "credentials_file", std::string(where) + " has no secret id");
        if (!secret_key || secret_key->empty())
            return make_error(errc::invalid_argument, "credentials_file", std::string(where) + " has no secret key");
        credentials c{.secret_id = std::move(*secret_id), .secret_key = secret_string(std::move(*secret_key))};
        if (session_token && !session_token->empty()) c.session_token = secret_string(std::move(*session_token));
        return c;
    }
};

inline result<void> set_once(std::optional<std::string>& field, std::string_view value, std::size_t line) {
    if (field) return at_line(line, "the same name appears twice");
    field = std::string(value);
    return {};
}

// One scalar of the YAML subset: plain (up to a " #" comment), '...' ('' is a quote) or "..."
// without escapes; ~ and null are empty. Anything that would need a YAML library is refused.
inline result<std::string> yaml_scalar(std::string_view v, std::size_t line) {
    v = trim(v);
    if (v.empty()) return std::string();
    const char first = v.front();
    if (first == '"' || first == '\'') {
        std::string out;
        std::size_t i = 1;
        for (;; ++i) {
            if (i == v.size()) return at_line(line, "a quoted value is not closed on its line");
            if (v[i] == first) {
                if (first == '\'' && i + 1 < v.size() && v[i + 1] == '\'') {
                    out.push_back('\'');
                    ++i;
                    continue;
                }
                break;
            }
            if (first == '"' && v[i] == '\\') return at_line(line, "escapes in double-quoted values are not supported");
            out.push_back(v[i]);
        }
        const std::string_view rest = trim(v.substr(i + 1));
        if (!rest.empty() && rest.front() != '#') return at_line(line, "text after a quoted value");
        return out;
    }
    const bool indicator = std::string_view("&*!|>{}[]%@`,#").find(first) != std::string_view::npos ||
                           (std::string_view("-?:").find(first) != std::string_view::npos && (v.size() == 1 || v[1] == ' '));
    if (indicator)
        return at_line(line, "a YAML construct other than a plain or quoted value");
    if (const std::size_t hash = v.find(" #"); hash != std::string_view::npos) v = trim(v.substr(0, hash));
    if (const std::size_t tab_hash = v.find("\t#"); tab_hash != std::string_view::npos) v = trim(v.substr(0, tab_hash));
    if (v.find(": ") != std::string_view::npos) return at_line(line, "a value holding \": \" must be quoted");
    if (v == "~" || v == "null") return std::string();
    return std::string(v);
}

}  // namespace detail::credentials_file

/// Parses coswire's key=value file and returns the credentials of `profile`.
///
/// Format: UTF-8 lines (LF or CRLF); blank lines and lines starting with `#` are ignored;
/// `[name]` starts a profile; `name = value` sets a field of the current profile (spaces around
/// both are trimmed; the value runs to the end of the line, with no quoting). Lines before the
/// first `[name]` belong to profile "default". Fields: `secret_id`, `secret_key` (both required)
/// and `session_token` (optional); other names are left to other readers (e.g. a CLI's `region`).
/// Errors (errc::invalid_argument, argument "credentials_file"): a malformed line, a control
/// character, a profile or a field given twice, no such profile, a missing secret id or key.
/// Reasons give the line number, never the line.
inline result<credentials> parse_key_value_credentials(std::string_view text, std::string_view profile = "default") {
    namespace cf = detail::credentials_file;
    auto lines = cf::lines_of(text);
    if (!lines) return std::move(lines).error();
    std::vector<std::string_view> profiles;  // in order; "default" first when lines precede any [name]
    cf::fields f;
    for (std::size_t i = 0; i < lines->size(); ++i) {
        const std::size_t number = i + 1;
        const std::string_view line = cf::trim((*lines)[i]);
        if (line.empty() || line.front() == '#') continue;
        if (line.front() == '[') {
            const std::string_view name = line.back() == ']' ? cf::trim(line.substr(1, line.size() - 2)) : std::string_view();
            if (!cf::is_name(name)) return cf::at_line(number, "a profile line must be [name] (letters, digits, '_', '-', '.')");
            for (std::string_view seen : profiles)
                if (seen == name) return cf::at_line(number, "a profile appears twice");
            profiles.push_back(name);
            continue;
        }
        if (profiles.empty()) profiles.push_back("default");
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) return cf::at_line(number, "expected name = value");
        const std::string_view name = cf::trim(line.substr(0, eq));
        const std::string_view value = cf::trim(line.substr(eq + 1));
        if (!cf::is_name(name)) return cf::at_line(number, "a name is letters, digits, '_', '-' or '.'");
        if (profiles.back() != profile) continue;
        std::optional<std::string>* field = name == "secret_id" ? &f.secret_id
                                            : name == "secret_key" ? &f.secret_key
                                            : name == "session_token" ? &f.session_token
                                                                      : nullptr;
        if (field == nullptr) continue;
        if (auto ok = cf::set_once(*field, value, number); !ok) return std::move(ok).error();
    }
    bool found = false;
    for (std::string_view seen : profiles) found = found || seen == profile;
    if (!found)
        return make_error(errc::invalid_argument, "profile", "no profile [" + std::string(profile) + "] in the credentials file");
    return f.finish("profile [" + std::string(profile) + "]");
}

/// Parses the keys out of coscli's configuration file (~/.cos.yaml): the scalars `secretid`,
/// `secretkey` and `sessiontoken` under `cos:` / `base:`. Only a strict subset of YAML is read:
/// block mappings indented with spaces, plain values (a ` #` starts a comment), single-quoted
/// values and double-quoted ones without escapes; sections other than `cos: base:` (such as
/// `buckets:`) are skipped. coscli encrypts the keys unless `disableencryption` is "true";
/// coswire does not decrypt them and says so instead of signing with the ciphertext.
/// Errors (errc::invalid_argument, argument "credentials_file"): anything outside the subset
/// (tabs in indentation, anchors, flow or block scalars, escapes), a key given twice, no
/// `cos: base:` or missing keys, encrypted keys, and `mode: CvmRole` (use the instance-role
/// provider). Reasons give the line number, never the line.
inline result<credentials> parse_coscli_config(std::string_view text) {
    namespace cf = detail::credentials_file;
    auto lines = cf::lines_of(text);
    if (!lines) return std::move(lines).error();
    struct open_key {
        std::size_t indent = 0;
        std::string_view key{};
    };
    std::vector<open_key> path;      // mapping keys open above the current line
    bool skipping = false;            // inside a section that is not ours (buckets:, ...)
    std::size_t skip_indent = 0;      // the indentation of that section's key
    std::optional<std::size_t> base_indent;
    bool seen_base = false;
    cf::fields f;
    std::optional<std::string> mode, disable_encryption;
    bool first_content = true;
    for (std::size_t i = 0; i < lines->size(); ++i) {
        const std::size_t number = i + 1;
        const std::string_view raw = (*lines)[i];
        std::size_t indent = 0;
        while (indent < raw.size() && raw[indent] == ' ') ++indent;
        const std::string_view content = cf::trim(raw.substr(indent));
        if (content.empty() || content.front() == '#') continue;
        if (skipping && (indent > skip_indent || (indent == skip_indent && content.front() == '-'))) continue;
        skipping = false;
        if (indent < raw.size() && raw[indent] == '\t') return cf::at_line(number, "a tab in the indentation");
        if (content == "---" && first_content) {
            first_content = false;
            continue;
        }
        first_content = false;
        const std::size_t colon = content.find(':');
        if (colon == std::string_view::npos || (colon + 1 < content.size() && content[colon + 1] != ' ' && content[colon + 1] != '\t'))
            return cf::at_line(number, "expected key: value");
        const std::string_view key = content.substr(0, colon);
        if (!cf::is_name(key)) return cf::at_line(number, "a key must be a plain name");
        const std::string_view rest = cf::trim(content.substr(colon + 1));
        const bool opens_block = rest.empty() || rest.front() == '#';
        while (!path.empty() && path.back().indent >= indent) path.pop_back();
        const bool in_cos = path.size() == 1 && path[0].key == "cos";
        const bool in_base = path.size() == 2 && path[0].key == "cos" && path[1].key == "base";
        if (path.empty() && key == "cos") {
            if (!opens_block) return cf::at_line(number, "cos: must open a block");
            path.push_back({indent, key});
        } else if (in_cos && key == "base") {
            if (!opens_block) return cf::at_line(number, "base: must open a block");
            if (seen_base) return cf::at_line(number, "the same name appears twice");
            seen_base = true;
            path.push_back({indent, key});
        } else if (in_base) {
            if (base_indent && *base_indent != indent) return cf::at_line(number, "inconsistent indentation under base:");
            base_indent = indent;
            auto value = cf::yaml_scalar(opens_block ? std::string_view() : rest, number);
            if (!value) return std::move(value).error();
            std::optional<std::string>* field = key == "secretid"            ? &f.secret_id
                                                : key == "secretkey"         ? &f.secret_key
                                                : key == "sessiontoken"      ? &f.session_token
                                                : key == "mode"              ? &mode
                                                : key == "disableencryption" ? &disable_encryption
                                                                             : nullptr;
            if (field == nullptr) continue;
            if (auto ok = cf::set_once(*field, *value, number); !ok) return std::move(ok).error();
        } else {
            skipping = true;
            skip_indent = indent;
        }
    }
    if (!seen_base) return make_error(errc::invalid_argument, "credentials_file", "no cos: base: section");
    if (mode && *mode == "CvmRole")
        return make_error(errc::invalid_argument, "credentials_file",
                          "mode is CvmRole: the keys come from the instance role (instance_role_provider), not from this file");
    if ((!disable_encryption || *disable_encryption != "true") && (f.secret_id || f.secret_key || f.session_token))
        return make_error(errc::invalid_argument, "credentials_file",
                          "coscli stored the keys encrypted (disableencryption is not \"true\"); coswire does not decrypt them: "
                          "store them in clear with `coscli config set --disable_encryption true`, or use a key=value file");
    return f.finish("cos: base:");
}

/// Parses `text` in `format`: the key=value file's `profile`, or coscli's file, which has only
/// one set of keys (any profile other than "default" is then errc::invalid_argument naming "profile").
inline result<credentials> parse_credentials_file(std::string_view text, credentials_file_format format,
                                                  std::string_view profile = "default") {
    if (format == credentials_file_format::coscli_yaml) {
        if (profile != "default")
            return make_error(errc::invalid_argument, "profile", "coscli's configuration file has no profiles");
        return parse_coscli_config(text);
    }
    return parse_key_value_credentials(text, profile);
}

/// Reads a whole file of at most `max_size` bytes. This is the one place the credentials layer
/// touches the file system, and only when called. Errors: errc::invalid_argument naming "path"
/// when it cannot be opened or read; errc::limit_exceeded when it is larger than max_size.
inline result<std::string> read_text_file(const std::string& path, std::size_t max_size = std::size_t{1} << 20) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return make_error(errc::invalid_argument, "path", "cannot open " + path);
    std::string text;
    char buffer[4096];
    std::size_t n = 0;
    bool too_large = false;
    while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
        if (text.size() + n > max_size) {
            too_large = true;
            break;
        }
        text.append(buffer, n);
    }
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (too_large) return make_error(errc::limit_exceeded, "path", path + " is larger than " + std::to_string(max_size) + " bytes");
    if (failed) return make_error(errc::invalid_argument, "path", "cannot read " + path);
    return text;
}

/// Reads and parses a credentials file on every call, so an edited file is picked up; wrap it in
/// a caching layer of your own if the reads matter. Errors: read_text_file's and the parser's.
struct file_provider {
    std::string path{};
    credentials_file_format format = credentials_file_format::key_value;
    std::string profile = "default";

    result<credentials> operator()() const {
        auto text = read_text_file(path);
        if (!text) return std::move(text).error();
        auto creds = parse_credentials_file(*text, format, profile);
        // The text held the keys: wipe it as secret_string would.
        volatile char* p = text->data();
        for (std::size_t i = 0; i < text->size(); ++i) p[i] = 0;
        return creds;
    }
};

}  // namespace coswire
