// SPDX-License-Identifier: MIT
// Where the CLIs take a secret (the secret key, the session token) from: a flag, a file or an
// environment variable, and the warning for a flag, whose value every user of the machine can
// read in the process list.
#pragma once

#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace cli {

/// The most a secret file may hold. Tencent's temporary credentials have a token of at most
/// 4096 bytes and keys of at most 1024 (STS "Data Types", Credentials); the bound also ends
/// the read of a file that never ends, such as /dev/zero.
inline constexpr std::size_t max_secret_file_size = 64 * 1024;

/// The three places one secret may come from, by name.
struct secret_sources {
    std::string_view flag;       ///< the flag holding the secret itself, "--secret-key"
    std::string_view file_flag;  ///< the flag naming a file that holds it, "--secret-key-file"
    std::string_view variable;   ///< the environment variable, "COS_SECRET_KEY"
};

inline constexpr secret_sources secret_key_sources{"--secret-key", "--secret-key-file", "COS_SECRET_KEY"};
inline constexpr secret_sources token_sources{"--token", "--token-file", "COS_SESSION_TOKEN"};

/// Which of its sources a secret came from; `profile` is the --profile of the credentials file,
/// which the caller puts in place of the environment.
enum class secret_origin { none, flag, file, environment, profile };

/// A secret and where it came from. A flag given an empty value is an empty secret from the
/// flag: it still wins over the environment, as `--token ""` always has.
struct secret_value {
    std::string text;
    secret_origin origin = secret_origin::none;
};

/// The name of the source `origin` stands for, so a message about the value points at the
/// place the user put it.
constexpr std::string_view source_name(const secret_sources& sources, secret_origin origin) {
    switch (origin) {
    case secret_origin::file: return sources.file_flag;
    case secret_origin::environment: return sources.variable;
    case secret_origin::profile: return "--profile";
    default: return sources.flag;
    }
}

/// The content of the file at `path` with one trailing LF or CRLF removed (the one an editor or
/// `echo` adds). Errors, naming `file_flag` and the path but never the content: the file cannot
/// be opened or read, holds more than max_secret_file_size bytes, is empty after the strip, or
/// has a CR, LF or NUL left (a second line is a mistake, not part of a key).
inline coswire::result<std::string> read_secret_file(std::string_view file_flag, const std::string& path) {
    const auto refuse = [&](std::string_view why) {
        return coswire::make_error(coswire::errc::invalid_argument, file_flag, path + ": " + std::string(why));
    };
    std::FILE* in = std::fopen(path.c_str(), "rb");
    if (in == nullptr) return refuse(std::strerror(errno));
    std::string text;
    char chunk[4096];
    bool too_big = false;
    for (;;) {
        const std::size_t got = std::fread(chunk, 1, sizeof chunk, in);
        text.append(chunk, got);
        if (text.size() > max_secret_file_size) {
            too_big = true;
            break;
        }
        if (got < sizeof chunk) break;
    }
    const bool read_error = std::ferror(in) != 0;
    std::fclose(in);
    if (read_error) return refuse("could not be read");
    if (too_big) return refuse("holds more than " + std::to_string(max_secret_file_size) + " bytes");
    if (text.ends_with("\r\n")) text.resize(text.size() - 2);
    else if (text.ends_with("\n")) text.pop_back();
    if (text.empty()) return refuse("is empty");
    if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
        return refuse("holds more than one line (or a NUL byte)");
    return text;
}

/// The secret from the flag's value or, failing that, the file named by the file flag; else,
/// when `use_environment`, the variable (an empty variable counts as unset); else none. Errors:
/// both the flag and the file flag were given (two secrets for one setting is a mistake, and
/// picking one could sign with the wrong key); read_secret_file's.
inline coswire::result<secret_value> choose_secret(const secret_sources& sources, const std::optional<std::string>& flag_value,
                                                   const std::optional<std::string>& file_path, bool use_environment = true) {
    if (flag_value && file_path)
        return coswire::make_error(coswire::errc::invalid_argument, sources.file_flag,
                                   "cannot be combined with " + std::string(sources.flag) + "; give one of them");
    if (flag_value) return secret_value{*flag_value, secret_origin::flag};
    if (file_path) {
        auto text = read_secret_file(sources.file_flag, *file_path);
        if (!text) return std::move(text).error();
        return secret_value{std::move(*text), secret_origin::file};
    }
    if (use_environment)
        if (const char* v = std::getenv(std::string(sources.variable).c_str()); v != nullptr && *v != '\0')
            return secret_value{v, secret_origin::environment};
    return secret_value{};
}

/// Prints on stderr, once per call, the warning that a secret given as `sources.flag` is visible
/// to other users of the machine, naming the two sources that are not. Never prints the secret.
inline void warn_secret_on_command_line(const secret_sources& sources) {
    std::fprintf(stderr, "warning: %.*s on the command line is visible to other users of this machine; use %.*s or %.*s\n",
                 static_cast<int>(sources.flag.size()), sources.flag.data(), static_cast<int>(sources.file_flag.size()),
                 sources.file_flag.data(), static_cast<int>(sources.variable.size()), sources.variable.data());
}

}  // namespace cli
