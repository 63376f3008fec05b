// SPDX-License-Identifier: MIT
// coswire-sign: computes a COS Authorization value (or presigned query) from the command line,
// and with --explain shows the HttpString and StringToSign it was made from.
#include <coswire/detail/decimal.hpp>
#include <coswire/sign/authorization.hpp>
#include <coswire/sign/presign.hpp>
#include <coswire/version.hpp>

#include "cli/secrets.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view usage =
    "usage: coswire-sign --secret-id ID --secret-key KEY --method METHOD --key OBJECT_KEY\n"
    "                    --start UNIX --end UNIX\n"
    "                    [--param NAME[=VALUE]]... [--header \"NAME: VALUE\"]...\n"
    "                    [--token TOKEN] [--sign-all-headers] [--explain] [--presign]\n"
    "  --secret-key-file PATH, --token-file PATH: the secret from a file (one trailing newline\n"
    "  is ignored) instead of the flag, which every user of the machine can read (ps).\n"
    "  Without the flag or its file: COS_SECRET_ID, COS_SECRET_KEY, and COS_SESSION_TOKEN\n"
    "  (read only with COS_SECRET_KEY, the key it belongs to).\n"
    "  --version: the version.\n";

[[noreturn]] void fail_usage(std::string_view flag, std::string_view what) {
    std::fprintf(stderr, "coswire-sign: %.*s: %.*s\n", static_cast<int>(flag.size()), flag.data(),
                 static_cast<int>(what.size()), what.data());
    std::exit(2);
}

std::optional<std::int64_t> parse_unix(std::string_view text) {
    const auto v = coswire::detail::parse_unsigned_decimal(text, std::numeric_limits<std::int64_t>::max());
    if (!v) return std::nullopt;
    return static_cast<std::int64_t>(v.value);
}

/// The flag a library error argument came from, so messages speak the user's language.
std::string_view flag_for(std::string_view argument) {
    if (argument == "secret_id") return "--secret-id";
    if (argument == "method") return "--method";
    if (argument == "path") return "--key";
    if (argument == "params") return "--param";
    if (argument == "headers") return "--header";
    if (argument == "key_time") return "--start/--end";
    return argument;
}

std::string show_newlines(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += "\\n";
        else out.push_back(c);
    }
    return out;
}

struct options {
    std::optional<std::string> secret_id, secret_key, secret_key_file, method, key, token, token_file;
    std::optional<std::int64_t> start, end;
    std::vector<coswire::query_param> params;
    std::vector<coswire::header_field> headers;
    bool sign_all = false, explain = false, presign = false;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        auto value = [&]() -> std::string_view {
            if (i + 1 >= argc) fail_usage(flag, "needs a value");
            return argv[++i];
        };
        auto once = [&](std::optional<std::string>& slot) {
            if (slot) fail_usage(flag, "given more than once");
            slot = std::string(value());
        };
        if (flag == "--secret-id") once(o.secret_id);
        else if (flag == "--secret-key") once(o.secret_key);
        else if (flag == "--secret-key-file") once(o.secret_key_file);
        else if (flag == "--token-file") once(o.token_file);
        else if (flag == "--method") once(o.method);
        else if (flag == "--key") once(o.key);
        else if (flag == "--token") once(o.token);
        else if (flag == "--start" || flag == "--end") {
            auto& slot = flag == "--start" ? o.start : o.end;
            if (slot) fail_usage(flag, "given more than once");
            slot = parse_unix(value());
            if (!slot) fail_usage(flag, "must be Unix seconds (decimal digits)");
        } else if (flag == "--param") {
            const std::string_view p = value();
            const auto eq = p.find('=');
            if (eq == std::string_view::npos) o.params.push_back({p, std::nullopt});
            else o.params.push_back({p.substr(0, eq), p.substr(eq + 1)});
        } else if (flag == "--header") {
            const std::string_view h = value();
            const auto colon = h.find(':');
            if (colon == std::string_view::npos) fail_usage(flag, "must be \"NAME: VALUE\"");
            std::string_view v = h.substr(colon + 1);
            while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
            o.headers.push_back({h.substr(0, colon), v});
        } else if (flag == "--sign-all-headers") o.sign_all = true;
        else if (flag == "--explain") o.explain = true;
        else if (flag == "--presign") o.presign = true;
        else if (flag == "--help" || flag == "-h") {
            std::fputs(usage.data(), stdout);
            std::exit(0);
        } else if (flag == "--version") {
            std::printf("coswire-sign %s\n", coswire::version_string);
            std::exit(0);
        } else fail_usage(flag, "unknown option");
    }
    // Once the command line has been read, before anything in it is checked.
    if (o.secret_key && !o.secret_key->empty()) cli::warn_secret_on_command_line(cli::secret_key_sources);
    if (o.token && !o.token->empty()) cli::warn_secret_on_command_line(cli::token_sources);
    if (!o.secret_id)
        if (const char* v = std::getenv("COS_SECRET_ID"); v != nullptr && *v != '\0') o.secret_id = v;
    if (!o.secret_id) fail_usage("--secret-id", "is required (or set COS_SECRET_ID)");
    if (!o.method) fail_usage("--method", "is required");
    if (!o.key) fail_usage("--key", "is required");
    if (!o.start) fail_usage("--start", "is required");
    if (!o.end) fail_usage("--end", "is required");
    return o;
}

/// The secret key and the session token from their flags, files or variables. The token is
/// taken from COS_SESSION_TOKEN only when the key came from COS_SECRET_KEY: a token belongs to
/// one temporary key, and a command line that names its key then signs the same whatever the
/// environment holds.
struct secrets {
    cli::secret_value key, token;
};

secrets secrets_of(const options& o) {
    auto key = cli::choose_secret(cli::secret_key_sources, o.secret_key, o.secret_key_file);
    if (!key) fail_usage(key.error().argument, key.error().reason);
    if (key->origin == cli::secret_origin::none) fail_usage("--secret-key", "is required (or give --secret-key-file, or set COS_SECRET_KEY)");
    auto token = cli::choose_secret(cli::token_sources, o.token, o.token_file, key->origin == cli::secret_origin::environment);
    if (!token) fail_usage(token.error().argument, token.error().reason);
    return {std::move(*key), std::move(*token)};
}

}  // namespace

int main(int argc, char** argv) {
    const options o = parse(argc, argv);
    const secrets from = secrets_of(o);
    coswire::credentials creds{*o.secret_id, coswire::secret_string(from.key.text), coswire::secret_string(from.token.text)};
    // A library error about a secret names the place the user put it.
    const auto flag_of = [&from](std::string_view argument) {
        if (argument == "secret_key") return cli::source_name(cli::secret_key_sources, from.key.origin);
        if (argument == "session_token") return cli::source_name(cli::token_sources, from.token.origin);
        return flag_for(argument);
    };
    const std::string path = "/" + *o.key;  // the key verbatim: --key /a signs //a
    const coswire::signable_request request{*o.method, path, o.params, o.headers};
    coswire::sign_options sign_opts;
    if (o.sign_all) sign_opts.headers = coswire::header_selection::all;

    auto s = coswire::signer::create(creds, coswire::key_time{*o.start, *o.end});
    if (!s) fail_usage(flag_of(s.error().argument), s.error().reason);

    std::string first_line;
    coswire::signed_parts parts;
    if (o.presign) {
        auto p = coswire::presign(*s, request, sign_opts);
        if (!p) fail_usage(flag_of(p.error().argument), p.error().reason);
        first_line = std::move(p->query);
        parts = std::move(p->parts);
    } else {
        auto p = s->sign(request, sign_opts);
        if (!p) fail_usage(flag_of(p.error().argument), p.error().reason);
        parts = std::move(*p);
        first_line = parts.authorization;
    }
    std::printf("%s\n", first_line.c_str());
    if (o.explain) {
        std::printf("http_string: %s\n", show_newlines(parts.http_string).c_str());
        std::printf("string_to_sign: %s\n", show_newlines(parts.string_to_sign).c_str());
    }
    return 0;
}
