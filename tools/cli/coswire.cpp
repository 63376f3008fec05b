// SPDX-License-Identifier: MIT
// coswire: a COS command-line client over libcurl (put, get, cp, ls, head, rm, buckets, tags,
// restore, multipart listings, abort, resume, presign) and `coswire demo`, the whole lifecycle
// against the in-process emulator.
#include <coswire/api/bucket.hpp>
#include <coswire/api/copy.hpp>
#include <coswire/api/delete_multiple.hpp>
#include <coswire/api/endpoint.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/restore.hpp>
#include <coswire/api/tagging.hpp>
#include <coswire/client.hpp>
#include <coswire/copy/driver.hpp>
#include <coswire/copy/parallel.hpp>
#include <coswire/credentials/file.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/detail/decimal.hpp>
#include <coswire/download/driver.hpp>
#include <coswire/download/parallel.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/listing/all_pages.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/multipart/parallel.hpp>
#include <coswire/multipart/stream.hpp>
#include <coswire/multipart/upload.hpp>
#include <coswire/parse/bucket.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/delete_multiple.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/restore.hpp>
#include <coswire/parse/tagging.hpp>
#include <coswire/sign/diagnose.hpp>
#include <coswire/sign/request.hpp>
#include <coswire/version.hpp>

#include <curl/curl.h>

#include <sources/file_source.hpp>

#include "cli/curl_pool.hpp"
#include "cli/demo.hpp"
#include "cli/download_file.hpp"
#include "cli/interrupt.hpp"
#include "cli/listing.hpp"
#include "cli/location.hpp"
#include "cli/printable.hpp"
#include "cli/profile.hpp"
#include "cli/progress.hpp"
#include "cli/resign.hpp"
#include "cli/secrets.hpp"
#include "cli/size.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using cos_client = coswire::client<cli::curl_pool>;

/// The global flags, above the command lines that --help lists from the command table.
constexpr std::string_view usage_head =
    "usage: coswire [--bucket NAME-APPID] [--region REGION] [--endpoint URL]\n"
    "               [--secret-id ID] [--secret-key KEY | --secret-key-file PATH]\n"
    "               [--token TOKEN | --token-file PATH] [--profile NAME] COMMAND ...\n";

/// What --help says after the command lines.
constexpr std::string_view usage_notes =
    "Settings also come from COS_SECRET_ID, COS_SECRET_KEY, COS_SESSION_TOKEN, COS_BUCKET,\n"
    "COS_REGION and COS_ENDPOINT; flags win. --profile NAME takes them from that profile of the\n"
    "credentials file ($COS_CREDENTIALS_FILE, else ~/.config/coswire/credentials: secret_id,\n"
    "secret_key, session_token, bucket, region, endpoint) instead of the variables; flags still win.\n"
    "A --secret-key-file or --token-file holds the secret (one trailing newline is ignored) and\n"
    "wins over the variable like the flag it replaces; give the flag or the file, not both.\n"
    "--secret-key and --token are visible to every user of the machine (ps), so prefer a file or\n"
    "the variable.\n"
    "presign --expires is at most 604800 (7 days; the URL is a bearer credential), and at most\n"
    "129600 (36 hours, the longest Tencent's temporary credentials last) with a session token.\n"
    "SIZE is a number of bytes or has a binary suffix: 512K, 16M (16 MiB), 1G.\n"
    "get streams: FILE - writes the object to stdout (then the result line goes to stderr).\n"
    "A get into FILE fills FILE.coswire-partial, described by FILE.coswire-checkpoint, and\n"
    "renames it over FILE once the object is complete and checked; after a failure or SIGINT,\n"
    "get --resume fetches only the missing ranges. get --fsync flushes FILE to disk before the\n"
    "rename (as curl and wget, get does not by default). put - reads stdin (length unknown).\n"
    "SIGINT/SIGTERM: put aborts its upload (--keep: keeps it and prints the resume command).\n"
    "cp: SRC and DST are a local path or cos://BUCKET-APPID/KEY (the region is --region's); local to\n"
    "COS is a put, COS to local a get, COS to COS a copy inside COS (no byte through this machine).\n"
    "ls prints KEY, SIZE, ETAG, LAST_MODIFIED (and VERSION_ID with --versions) and PREFIX DIR,\n"
    "tab-separated; --human shows sizes as 1.5M. rm of several KEYs or --prefix deletes in batches\n"
    "of 1000 and prints deleted=N; keys COS refused follow on stderr (exit 1).\n"
    "COMMAND --help (or help COMMAND) shows one command's usage; --version the version.\n";

/// The secrets of this run: the secret key, the session token and its percent-encoded forms.
/// A server may echo them (a SignatureDoesNotMatch answer's FormatString holds the token), so
/// they are hidden from everything printed that a server sent.
std::vector<std::string>& secrets_to_hide() {
    static std::vector<std::string> secrets;
    return secrets;
}

/// Adds `secret` and, when they differ, its percent-encoded forms (upper- and lower-case hex)
/// to secrets_to_hide(). Secrets under 8 bytes are not hidden: replacing every occurrence of so
/// short a string would mangle ordinary text, and a key that short is no secret anyway.
void hide_secret(std::string_view secret) {
    if (secret.size() < 8) return;
    std::string upper = coswire::percent_encode(secret);
    std::string lower = upper;
    for (std::size_t i = 0; i < lower.size(); ++i)
        if (lower[i] == '%' && i + 2 < lower.size())
            for (std::size_t k = i + 1; k <= i + 2; ++k) lower[k] = static_cast<char>(coswire::detail::to_lower(lower[k]));
    for (std::string* s : {&upper, &lower}) {
        if (*s == secret) continue;
        secrets_to_hide().push_back(std::move(*s));
    }
    secrets_to_hide().emplace_back(secret);
}

/// Text from a server (or mixed with it) as printed: each secret of this run replaced by `***`,
/// then cli::printable, so no control sequence reaches the terminal. Ordinary text is unchanged.
std::string shown(std::string_view text) {
    std::string out(text);
    for (const std::string& secret : secrets_to_hide())
        for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) out.replace(at, secret.size(), "***");
    return cli::printable(out);
}

[[noreturn]] void fail_usage(std::string_view what, std::string_view why) {
    std::fprintf(stderr, "coswire: %s: %s\n", shown(what).c_str(), shown(why).c_str());
    std::exit(2);
}

/// The transport and the credentials of this run, set by main() once the client exists: what a
/// refusal is explained with (the transport keeps the last request refused with 403), and what
/// a command that needs a client for another bucket (cp) makes it from.
struct session_context {
    cli::curl_pool* transport = nullptr;
    std::optional<coswire::credentials> creds{};
};

session_context& session() {
    static session_context context;
    return context;
}

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

void sleep_ms(std::uint32_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

/// A client of this run's transport and credentials for the bucket of `ep`.
cos_client client_for(const coswire::endpoint& ep) { return cos_client(ep, *session().creds, *session().transport, now, sleep_ms); }

/// After the error line of a 403, what most likely went wrong: for SignatureDoesNotMatch the
/// library's diagnosis (what COS computed against what was signed, tokens redacted); for a 403
/// without an error body (a HEAD answer has none) the usual causes, and the clock's offset from
/// COS's when the answer said its time.
void explain_refusal(const coswire::cos_error& refused) {
    if (refused.http_status != 403) return;
    const session_context& context = session();
    if (refused.code == "SignatureDoesNotMatch") {
        const auto sent = context.transport != nullptr ? context.transport->last_refused() : std::nullopt;
        const auto parts = sent && context.creds ? cli::resign_as_sent(*sent, *context.creds) : std::nullopt;
        if (!parts) return;
        // Line by line, so each line is escaped (the excerpts are the server's) but the breaks stay.
        const std::string diagnosis = coswire::diagnose_signature_mismatch(refused, *parts);
        const char* prefix = "coswire: diagnosis: ";
        for (std::size_t start = 0; start < diagnosis.size();) {
            const std::size_t end = std::min(diagnosis.find('\n', start), diagnosis.size());
            std::fprintf(stderr, "%s%s\n", prefix, shown(std::string_view(diagnosis).substr(start, end - start)).c_str());
            prefix = "";
            start = end + 1;
        }
        return;
    }
    if (!refused.message.empty()) return;
    std::fprintf(stderr, "coswire: a 403 without an error body most often means: a wrong --secret-key or --secret-id (the key "
                         "must belong to the id), this machine's clock far off (the signature is valid for a time window), "
                         "or no permission on this key or bucket for these credentials\n");
    if (refused.server_time)
        std::fprintf(stderr, "coswire: COS's clock reads %s, this machine's %s\n", cli::iso8601_utc(*refused.server_time).c_str(),
                     cli::iso8601_utc(now()).c_str());
}

/// Prints `error: <describe(e)>` (for COS errors: `<Code> (<status>): <message> [request-id <id>]`),
/// through shown(): the code, message and request id are the server's. A 403 is then explained.
int fail(const coswire::error& e) {
    std::fprintf(stderr, "error: %s\n", shown(coswire::describe(e)).c_str());
    if (e.service) explain_refusal(*e.service);
    return 1;
}

struct invocation;

/// One command: its name, its synopsis (what --help prints after the name), its positional
/// arguments, the flags it takes (each with a value), its switches (flags without a value) and
/// what runs it: `offline` for the commands that need no bucket, credentials or connection (demo,
/// presign, help), `online` for the others, given a client: of --bucket's bucket, or of the
/// service endpoint (no bucket) when `needs_bucket` is false. An argument written `[NAME]` may
/// be left out; a last one ending in `...` takes any number more (`KEY...` at least one).
struct command_spec {
    std::string_view name;
    std::string_view synopsis{};
    std::vector<std::string_view> arguments{};
    std::vector<std::string_view> flags{};
    std::vector<std::string_view> switches{};
    int (*offline)(const invocation&) = nullptr;
    int (*online)(cos_client&, const invocation&) = nullptr;
    bool needs_bucket = true;
};

/// The plain name of the argument `written` (`[KEY]...` is KEY), as usage errors name it.
std::string_view argument_name(std::string_view written) {
    if (written.ends_with("...")) written.remove_suffix(3);
    if (written.starts_with("[") && written.ends_with("]")) written = written.substr(1, written.size() - 2);
    return written;
}

/// The spec of the `index`-th argument: the last one repeats when it ends in `...`.
std::string_view argument_spec(const command_spec& command, std::size_t index) {
    return command.arguments[std::min(index, command.arguments.size() - 1)];
}

/// Every command, in the order --help lists them; defined after the commands themselves.
const std::vector<command_spec>& commands();

/// The flags every command takes, and the variable each falls back to. The two secrets read their
/// variables in cli::choose_secret, after their file flags.
constexpr std::string_view global_flags[] = {"--bucket", "--region", "--endpoint", "--secret-id", "--secret-key",
                                             "--secret-key-file", "--token", "--token-file", "--profile"};
constexpr std::string_view global_env[] = {"COS_BUCKET", "COS_REGION", "COS_ENDPOINT", "COS_SECRET_ID", "", "", "", "", ""};
/// The key=value file --profile reads, in coswire's format (docs/credentials.md#files).
constexpr std::string_view profile_keys[] = {"bucket", "region", "endpoint"};
enum setting { bucket, region, endpoint, secret_id, secret_key, secret_key_file, token, token_file, profile, setting_count };

/// A parsed command line: the settings (flags, else the --profile, else environment; the two
/// secrets and their files as given), the profile's credentials, the command, its arguments and
/// its flags.
struct invocation {
    std::optional<std::string> settings[setting_count];
    std::optional<coswire::credentials> profile_credentials{};
    const command_spec* command = nullptr;
    std::vector<std::string> arguments;
    std::vector<std::pair<std::string_view, std::string>> flags;

    std::optional<std::string_view> flag(std::string_view name) const {
        for (const auto& [n, v] : flags)
            if (n == name) return std::string_view(v);
        return std::nullopt;
    }
};

/// `command`'s usage line, as the global --help lists it.
std::string usage_line(const command_spec& command) {
    return "  " + std::string(command.name) + (command.synopsis.empty() ? "" : " ") + std::string(command.synopsis) + "\n";
}

/// The global usage: the flags, every command's line from the table, the notes.
void print_usage() {
    std::fputs(usage_head.data(), stdout);
    for (const command_spec& c : commands()) std::fputs(usage_line(c).c_str(), stdout);
    std::fputs(usage_notes.data(), stdout);
}

/// One command's usage (`COMMAND --help`, `help COMMAND`).
void print_command_usage(const command_spec& command) {
    std::printf("usage: coswire [GLOBAL FLAGS] %s%s%s\n(coswire --help lists the global flags and settings)\n",
                std::string(command.name).c_str(), command.synopsis.empty() ? "" : " ", std::string(command.synopsis).c_str());
}

/// Names a command in a usage message only when it looks like one, so a secret typed in the
/// wrong place is never echoed.
std::string quoted_command(std::string_view word) {
    bool plain = !word.empty() && word.size() <= 16;
    for (char c : word) plain = plain && ((c >= 'a' && c <= 'z') || c == '-');
    return plain ? "'" + std::string(word) + "'" : std::string("(not shown)");
}

/// Checks `value` as an object key, as the library will, so a bad one is a usage error naming
/// `name` (KEY, SRC, DST; exit 2) rather than an error from a request (exit 1).
void check_key(std::string_view name, const std::string& value) {
    if (value.starts_with("/")) {
        const std::size_t first = value.find_first_not_of('/');
        fail_usage(name, "starts with '/': COS keys have no leading slash (the path's '/' is not part of the key)" +
                             (first == std::string::npos ? std::string() : "; did you mean '" + value.substr(first) + "'?"));
    }
    if (auto ok = coswire::map_object_key(value); !ok) fail_usage(name, ok.error().reason);
}

/// Checks the KEY and UPLOAD_ID arguments as the library will, so a bad one is a usage error
/// naming the argument (exit 2) rather than an error from a request (exit 1).
void check_arguments(const invocation& inv) {
    for (std::size_t i = 0; i < inv.arguments.size(); ++i) {
        const std::string& value = inv.arguments[i];
        const std::string_view name = argument_name(argument_spec(*inv.command, i));
        if (name == "KEY") check_key(name, value);
        if (name == "UPLOAD_ID")
            if (auto ok = coswire::validate_upload_id(value); !ok) fail_usage("UPLOAD_ID", ok.error().reason);
    }
}

/// The path of the credentials file --profile reads: $COS_CREDENTIALS_FILE, else
/// ~/.config/coswire/credentials.
std::string credentials_file_path() {
    if (const char* v = std::getenv("COS_CREDENTIALS_FILE"); v != nullptr && *v != '\0') return v;
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') fail_usage("--profile", "needs COS_CREDENTIALS_FILE or HOME to find the credentials file");
    return std::string(home) + "/.config/coswire/credentials";
}

/// Fills the settings no flag gave from profile `name`: its keys (the library's parser, which
/// also checks the file) and its bucket, region and endpoint. A usage error naming --profile for
/// a file that cannot be read or parsed (the reasons give line numbers, never a line's text).
void apply_profile(invocation& inv, const std::string& name) {
    const std::string path = credentials_file_path();
    auto text = coswire::read_text_file(path);
    if (!text) fail_usage("--profile", text.error().reason);
    auto creds = coswire::parse_key_value_credentials(*text, name);
    if (!creds) fail_usage("--profile", path + ": " + creds.error().reason);
    for (const setting s : {bucket, region, endpoint})
        if (!inv.settings[s])
            if (auto value = cli::profile_value(*text, name, profile_keys[s]); value && !value->empty()) inv.settings[s] = std::move(*value);
    if (!inv.settings[secret_id]) inv.settings[secret_id] = creds->secret_id;
    inv.profile_credentials = std::move(*creds);
    volatile char* wipe = text->data();  // the text held the keys
    for (std::size_t i = 0; i < text->size(); ++i) wipe[i] = 0;
}

invocation parse(int argc, char** argv) {
    invocation inv;
    std::vector<std::string_view> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            if (inv.command != nullptr) print_command_usage(*inv.command);
            else print_usage();
            std::exit(0);
        }
        if (arg == "--version") {
            std::printf("coswire %s\n", coswire::version_string);
            std::exit(0);
        }
        if (!arg.starts_with("-") || arg == "-") {
            positional.push_back(arg);
            if (inv.command == nullptr) {
                for (const command_spec& c : commands())
                    if (c.name == arg) inv.command = &c;
                if (inv.command == nullptr) fail_usage("command", "unknown command " + quoted_command(arg) + " (see --help)");
            }
            continue;
        }
        std::optional<std::size_t> global;
        for (std::size_t g = 0; g < setting_count; ++g)
            if (global_flags[g] == arg) global = g;
        const bool command_flag = inv.command != nullptr &&
                                  std::find(inv.command->flags.begin(), inv.command->flags.end(), arg) != inv.command->flags.end();
        const bool command_switch = inv.command != nullptr && std::find(inv.command->switches.begin(), inv.command->switches.end(),
                                                                        arg) != inv.command->switches.end();
        if (command_switch) {
            if (inv.flag(arg)) fail_usage(arg, "given more than once");
            for (std::string_view f : inv.command->switches)
                if (f == arg) inv.flags.emplace_back(f, "");
            continue;
        }
        if (!global && !command_flag)
            fail_usage(arg, inv.command != nullptr ? "unknown option for " + std::string(inv.command->name) : "unknown option");
        if (i + 1 >= argc) fail_usage(arg, "needs a value");
        const std::string value = argv[++i];
        if (global) {
            if (inv.settings[*global]) fail_usage(arg, "given more than once");
            inv.settings[*global] = value;
        } else {
            if (inv.flag(arg)) fail_usage(arg, "given more than once");
            for (std::string_view f : inv.command->flags)
                if (f == arg) inv.flags.emplace_back(f, value);
        }
    }
    if (inv.command == nullptr) fail_usage("command", "missing (see --help)");
    const std::vector<std::string_view>& specs = inv.command->arguments;
    const auto required = static_cast<std::size_t>(
        std::count_if(specs.begin(), specs.end(), [](std::string_view a) { return !a.starts_with("["); }));
    const bool repeats = !specs.empty() && specs.back().ends_with("...");
    const std::size_t given = positional.size() - 1;
    if (given < required || (!repeats && given > specs.size())) {
        std::string names;
        for (std::string_view a : specs) names += " " + std::string(a);
        fail_usage(inv.command->name, "expects" + (names.empty() ? std::string(" no arguments") : names));
    }
    for (std::size_t i = 1; i < positional.size(); ++i) inv.arguments.emplace_back(positional[i]);
    if (inv.settings[profile]) apply_profile(inv, *inv.settings[profile]);
    for (std::size_t g = 0; g < setting_count; ++g)
        if (!inv.settings[g] && !global_env[g].empty())
            if (const char* v = std::getenv(global_env[g].data()); v != nullptr && *v != '\0') inv.settings[g] = v;
    // Once the command line has been read, before anything in it is checked.
    if (inv.settings[secret_key] && !inv.settings[secret_key]->empty()) cli::warn_secret_on_command_line(cli::secret_key_sources);
    if (inv.settings[token] && !inv.settings[token]->empty()) cli::warn_secret_on_command_line(cli::token_sources);
    check_arguments(inv);
    return inv;
}

/// A decimal number from `low` to `high`, else a usage error naming `flag`, the bounds and, after
/// them, `why` (which says where a bound comes from).
std::uint64_t parse_number(std::string_view flag, std::string_view text, std::uint64_t low, std::uint64_t high,
                           std::string_view why = {}) {
    const auto v = coswire::detail::parse_unsigned_decimal(text, high);
    if (!v || v.value < low)
        fail_usage(flag, "must be a decimal number from " + std::to_string(low) + " to " + std::to_string(high) + std::string(why));
    return v.value;
}

/// The library's argument names in the user's terms.
std::string_view flag_for(std::string_view argument) {
    if (argument == "bucket") return "--bucket";
    if (argument == "region") return "--region";
    if (argument == "secret_id") return "--secret-id";
    if (argument == "secret_key") return "--secret-key";
    if (argument == "session_token") return "--token";
    if (argument == "object_key") return "KEY";
    if (argument == "upload_id") return "UPLOAD_ID";
    if (argument == "method") return "--method";
    if (argument == "preferred_part_size") return "--part-size";
    return argument;
}

/// The secret from its flag, else its file, else the --profile's `from_profile` (when a profile
/// was named), else its variable; a usage error for both a flag and its file, or a file that
/// cannot be used.
cli::secret_value secret_of(const invocation& inv, const cli::secret_sources& sources, setting flag, setting file,
                            const coswire::secret_string* from_profile) {
    auto chosen = cli::choose_secret(sources, inv.settings[flag], inv.settings[file], from_profile == nullptr);
    if (!chosen) fail_usage(chosen.error().argument, chosen.error().reason);
    if (chosen->origin == cli::secret_origin::none && from_profile != nullptr && !from_profile->reveal().empty())
        return {std::string(from_profile->reveal()), cli::secret_origin::profile};
    return std::move(*chosen);
}

/// The credentials; each secret is also added to secrets_to_hide().
coswire::credentials credentials_of(const invocation& inv) {
    if (!inv.settings[secret_id]) fail_usage("--secret-id", "is required (or set COS_SECRET_ID)");
    const auto& from_profile = inv.profile_credentials;
    const cli::secret_value key =
        secret_of(inv, cli::secret_key_sources, secret_key, secret_key_file, from_profile ? &from_profile->secret_key : nullptr);
    const cli::secret_value session_token =
        secret_of(inv, cli::token_sources, token, token_file, from_profile ? &from_profile->session_token : nullptr);
    if (key.origin == cli::secret_origin::none)
        fail_usage("--secret-key", "is required (or give --secret-key-file, or set COS_SECRET_KEY)");
    hide_secret(key.text);
    hide_secret(session_token.text);
    coswire::credentials creds{*inv.settings[secret_id], coswire::secret_string(key.text), coswire::secret_string(session_token.text)};
    if (auto ok = coswire::validate_credentials(creds); !ok) {
        const std::string_view argument = ok.error().argument;
        fail_usage(argument == "secret_key" ? cli::source_name(cli::secret_key_sources, key.origin) : flag_for(argument),
                   ok.error().reason);
    }
    return creds;
}

/// The endpoint of `bucket_name` in --region; a bad bucket is a usage error naming `bucket_flag`
/// (--bucket, or the cp argument that named it).
coswire::endpoint endpoint_for(const invocation& inv, const std::string& bucket_name, std::string_view bucket_flag) {
    if (!inv.settings[region]) fail_usage("--region", "is required (or set COS_REGION)");
    auto ep = coswire::make_endpoint(bucket_name, *inv.settings[region]);
    if (!ep) fail_usage(ep.error().argument == "bucket" ? bucket_flag : flag_for(ep.error().argument), ep.error().reason);
    return *ep;
}

/// GET Service's endpoint, for the commands that name no bucket (buckets; cp names its own).
coswire::endpoint service_endpoint() {
    auto ep = coswire::make_service_endpoint();
    if (!ep) fail_usage(flag_for(ep.error().argument), ep.error().reason);
    return *ep;
}

coswire::endpoint endpoint_of(const invocation& inv) {
    if (!inv.settings[bucket]) fail_usage("--bucket", "is required (or set COS_BUCKET)");
    return endpoint_for(inv, *inv.settings[bucket], "--bucket");
}

/// The --endpoint override as `scheme://host[:port]`, or empty.
std::string connect_override(const invocation& inv) {
    if (!inv.settings[endpoint]) return {};
    std::string url = *inv.settings[endpoint];
    while (url.ends_with("/")) url.pop_back();
    const bool scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    const std::size_t authority = url.find("://") + 3;
    if (!scheme_ok || url.size() == authority || url.find_first_of("/?#@ ", authority) != std::string::npos)
        fail_usage("--endpoint", "must be http://HOST[:PORT] or https://HOST[:PORT]");
    return url;
}

std::string etag_line(std::string_view etag, std::uint64_t crc, std::uint32_t parts) {
    return "etag=" + shown(etag) + " crc64=" + std::to_string(crc) + " parts=" + std::to_string(parts);
}

/// A SIZE (cli::parse_size: bytes, or K, M, G, T as powers of 1024) from `low` to `high`, else a
/// usage error naming `flag` and the bounds.
std::uint64_t parse_size_flag(std::string_view flag, std::string_view text, std::uint64_t low, std::uint64_t high) {
    const std::optional<std::uint64_t> v = cli::parse_size(text);
    if (!v || *v < low || *v > high)
        fail_usage(flag, "must be a size from " + std::to_string(low) + " to " + std::to_string(high) +
                             " bytes (a number of bytes, or with K, M, G or T: 16M is 16 MiB)");
    return *v;
}

/// The exit status of a transfer the user stopped: 128 + the signal, as a shell reports it.
int interrupted() {
    std::fprintf(stderr, "coswire: interrupted by %s\n", cli::stop_signal() == SIGINT ? "SIGINT" : "SIGTERM");
    return 128 + cli::stop_signal();
}

bool stopped_by_user(const coswire::error& e) { return e.code == coswire::errc::cancelled && cli::stop_requested(); }

/// `word` as one shell word, so a printed command can be pasted: as it is when it holds only
/// safe characters, else in single quotes.
std::string shell_word(std::string_view word) {
    bool plain = !word.empty();
    for (char c : word) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || std::strchr("@%+=:,./_-", c) != nullptr);
    if (plain) return std::string(word);
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// What a failed or interrupted upload says and returns: the error (or the signal's status) and,
/// with `--keep`, the upload id and how to finish it. `upload_id` is empty when none was started.
int upload_failed(const coswire::error& e, bool keep, std::string_view upload_id, std::string_view file, std::string_view key) {
    const bool stopped = stopped_by_user(e);
    const int status = stopped ? interrupted() : fail(e);
    if (upload_id.empty()) return status;
    if (!keep) {
        if (stopped) std::fprintf(stderr, "coswire: upload %s aborted\n", shown(upload_id).c_str());
    } else if (file == "-") {
        std::fprintf(stderr, "coswire: upload %s kept; stdin cannot be read again, so it cannot be resumed: "
                             "abort it with: coswire abort %s %s\n",
                     shown(upload_id).c_str(), shown(shell_word(key)).c_str(), shown(shell_word(upload_id)).c_str());
    } else {
        std::fprintf(stderr, "coswire: upload %s kept; finish it with: coswire resume %s %s %s\n", shown(upload_id).c_str(),
                     shown(shell_word(file)).c_str(), shown(shell_word(key)).c_str(), shown(shell_word(upload_id)).c_str());
    }
    return status;
}

/// The upload options every upload command shares: keep the upload on failure, Content-MD5 on
/// each part unless --no-md5, learn its id, poll the stop signals before each part, draw the bar
/// when stderr is a terminal.
coswire::multipart_upload_options upload_options(const invocation& inv, bool keep, std::string& upload_id, cli::progress_bar& bar) {
    coswire::multipart_upload_options options;
    options.keep_on_failure = keep;
    options.content_md5 = !inv.flag("--no-md5");
    options.on_upload_id = [&upload_id](std::string_view id) { upload_id = std::string(id); };
    options.cancelled = [] { return cli::stop_requested(); };
    if (cli::stderr_is_terminal()) options.on_progress = [&bar](const coswire::upload_progress& p) { bar.update(p); };
    return options;
}

/// Uploads `file` to `key` in parts, or resumes `upload_id`; prints the put line (and reused=).
/// `jobs` parts are uploaded at once (upload_multipart_parallel, each worker with its own
/// connection) when above 1. On failure the upload is aborted, or kept with `keep`.
int upload_in_parts(cos_client& c, const invocation& inv, coswire::examples::file_source& file, const std::string& path,
                    const std::string& key, std::uint64_t part_size, std::optional<std::string> upload_id, std::uint32_t jobs,
                    bool keep) {
    auto plan = coswire::plan_parts(file.size(), part_size);
    if (!plan) {
        if (plan.error().code == coswire::errc::invalid_argument) fail_usage("--part-size", plan.error().reason);
        return fail(plan.error());
    }
    cli::progress_bar bar;
    std::string started_id;
    coswire::multipart_upload_options options = upload_options(inv, keep, started_id, bar);
    const bool resuming = upload_id.has_value();
    options.resume_upload_id = std::move(upload_id);
    cli::catch_stop_signals();
    auto done = jobs > 1 ? coswire::upload_multipart_parallel(c, key, file, *plan, jobs, options)
                         : coswire::upload_multipart(c, key, file, *plan, options);
    bar.finish();
    if (!done) return upload_failed(done.error(), keep, started_id, path, key);
    std::string line = etag_line(done->etag, done->crc64, done->parts);
    if (resuming) line += " reused=" + std::to_string(done->parts_reused);
    std::printf("%s\n", line.c_str());
    return 0;
}

/// Standard input as a coswire::stream_reader. A stop signal ends a read that is waiting: the
/// signals are blocked but while ppoll waits, so one arriving just before the wait is not lost.
struct stdin_reader {
    coswire::result<std::size_t> read(std::span<std::byte> out) {
        ::sigset_t stops{}, before{};
        ::sigemptyset(&stops);
        ::sigaddset(&stops, SIGINT);
        ::sigaddset(&stops, SIGTERM);
        ::pthread_sigmask(SIG_BLOCK, &stops, &before);
        ::pollfd in{STDIN_FILENO, POLLIN, 0};
        int ready = 0;
        while (!cli::stop_requested() && (ready = ::ppoll(&in, 1, nullptr, &before)) < 0 && errno == EINTR) {}
        const int saved = errno;
        ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
        if (cli::stop_requested())
            return coswire::make_error(coswire::errc::cancelled, "cancelled", "the upload was cancelled while reading stdin");
        if (ready < 0) return cli::file_error("-", std::strerror(saved));
        for (;;) {
            const ::ssize_t n = ::read(STDIN_FILENO, out.data(), out.size());
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno != EINTR) return cli::file_error("-", std::strerror(errno));
        }
    }
};

/// `put - KEY`: stdin, whose length is unknown, through coswire::upload_stream: one PUT when it
/// ends within the threshold, else parts of `part_size` read one after another.
int put_stdin(cos_client& c, const invocation& inv, const std::string& key, bool keep) {
    if (inv.flag("--jobs") && parse_number("--jobs", *inv.flag("--jobs"), 1, 64) > 1)
        fail_usage("--jobs", "needs a FILE: - (stdin) is read one part after another");
    coswire::stream_upload_options options;
    if (inv.flag("--part-size"))
        options.part_size = parse_size_flag("--part-size", *inv.flag("--part-size"), coswire::min_part_size, coswire::max_part_size);
    options.threshold = std::min<std::uint64_t>(8 * coswire::mib, options.part_size);
    if (inv.flag("--threshold"))
        options.threshold = parse_size_flag("--threshold", *inv.flag("--threshold"), 0, options.part_size);
    cli::progress_bar bar;
    std::string upload_id;
    options.upload = upload_options(inv, keep, upload_id, bar);
    stdin_reader in;
    cli::catch_stop_signals();
    auto done = coswire::upload_stream(c, key, in, options);
    bar.finish();
    if (!done) return upload_failed(done.error(), keep, upload_id, "-", key);
    std::printf("%s\n", etag_line(done->etag, done->crc64, done->multipart ? done->upload.parts : 1).c_str());
    return 0;
}

/// `put FILE|- KEY` (and cp from a local path): one PUT up to --threshold, else in parts.
int put_file(cos_client& c, const invocation& inv, const std::string& path, const std::string& key) {
    const bool keep = inv.flag("--keep").has_value();
    if (path == "-") return put_stdin(c, inv, key, keep);
    const std::uint64_t part_size = inv.flag("--part-size")
                                        ? parse_size_flag("--part-size", *inv.flag("--part-size"), coswire::min_part_size, coswire::max_part_size)
                                        : 8 * coswire::mib;
    const std::uint64_t threshold = inv.flag("--threshold")
                                        ? parse_size_flag("--threshold", *inv.flag("--threshold"), 0, coswire::max_put_object_size)
                                        : 8 * coswire::mib;
    const auto jobs = static_cast<std::uint32_t>(inv.flag("--jobs") ? parse_number("--jobs", *inv.flag("--jobs"), 1, 64) : 1);
    auto file = coswire::examples::file_source::open(path);
    if (!file) return fail(file.error());
    if (file->size() > threshold) return upload_in_parts(c, inv, *file, path, key, part_size, std::nullopt, jobs, keep);

    std::vector<std::byte> bytes(static_cast<std::size_t>(file->size()));
    if (auto ok = file->read(0, bytes); !ok) return fail(ok.error());
    coswire::put_object_params p;
    p.key = key;
    p.payload.bytes = bytes;
    p.compute_content_md5 = !inv.flag("--no-md5");
    auto sent = c.send(p);
    if (!sent) return fail(sent.error());
    const std::uint64_t local = coswire::crc64(std::span<const std::byte>(bytes));
    std::optional<std::uint64_t> stored = sent->headers.crc64;
    if (!stored && !p.compute_content_md5) {
        // Without Content-MD5 nothing else vouches for the bytes COS stored: ask for its CRC-64.
        coswire::head_object_params stored_object{.key = key};
        if (!sent->headers.version_id.empty()) stored_object.version_id = sent->headers.version_id;
        auto head = c.send(stored_object);
        if (!head) return fail(head.error());
        if (!head->headers.crc64)
            return fail(coswire::make_error(coswire::errc::integrity_failure, "x-cos-hash-crc64ecma",
                                            "neither PUT nor HEAD gave the object's CRC-64, and --no-md5 sent no Content-MD5"));
        stored = head->headers.crc64;
    }
    if (stored && *stored != local)
        return fail(coswire::make_error(coswire::errc::integrity_failure, "object",
                                        "COS's CRC-64 " + std::to_string(*stored) + " differs from ours " + std::to_string(local)));
    std::printf("%s\n", etag_line(sent->headers.etag, local, 1).c_str());
    return 0;
}

int put(cos_client& c, const invocation& inv) { return put_file(c, inv, inv.arguments[0], inv.arguments[1]); }

std::string range_text(const coswire::content_range& r) {
    return "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" + (r.total ? std::to_string(*r.total) : "*");
}

coswire::error bad_answer(std::string_view argument, std::string reason) {
    return coswire::make_error(coswire::errc::malformed_response, argument, std::move(reason));
}

/// Checks the head of the answer to a GET of the range `asked` and returns how many body bytes
/// it must carry: a 206 for exactly that range (its end clipped to the object's last byte when it
/// reached past it, as RFC 9110 section 14.1.2 lets a server do). A 200 (the whole object) or a 304 (no
/// condition was sent) is refused rather than written as if it were the answer.
coswire::result<std::uint64_t> check_range_head(const coswire::get_object_result& got, const coswire::byte_range& asked) {
    if (got.status == 200) return bad_answer("status", "200 (the whole object) answers a request for a range");
    if (got.status != 206) return bad_answer("status", std::to_string(got.status) + " does not answer a GET without conditions");
    const coswire::content_range& r = *got.range;
    const bool clipped = asked.last && r.total && *asked.last >= *r.total && r.last + 1 == *r.total;
    const bool end_ok = asked.last ? (r.last == *asked.last || clipped) : (r.total && r.last + 1 == *r.total);
    if (r.first != asked.first || !end_ok)
        return bad_answer("Content-Range", range_text(r) + " does not answer the range asked, bytes=" + std::to_string(asked.first) + "-" +
                                               (asked.last ? std::to_string(*asked.last) : std::string()));
    return r.last - r.first + 1;
}

/// `bytes=N etag=E crc64=C`, crc64=unchecked when the CRC-64 could not be compared with COS's.
std::string get_line(std::uint64_t size, std::string_view etag, std::optional<std::uint64_t> checked_crc) {
    return "bytes=" + std::to_string(size) + " etag=" + shown(etag) + " crc64=" +
           (checked_crc ? std::to_string(*checked_crc) : std::string("unchecked"));
}

/// The line for a finished download: its CRC-64 only when it was compared with COS's.
std::string get_line(const coswire::download_result& done) {
    return get_line(done.size, done.etag, done.crc == coswire::crc_check::verified ? std::optional(done.crc64) : std::nullopt);
}

/// One GET of a range, streamed into `sink` (write(bytes), in order). A retried attempt re-reads
/// the range from its start; the bytes already delivered are skipped, so the sink sees each byte
/// once. Returns the bytes delivered and sets `etag`. Errors: check_range_head's; malformed_response
/// naming "body" when the body is shorter or longer than the range; the client's; the sink's.
template <class Sink>
coswire::result<std::uint64_t> get_range(cos_client& c, const coswire::get_object_params& p, Sink& sink, std::string& etag) {
    auto request = coswire::make_get_object_request(c.bucket_endpoint(), p);
    if (!request) fail_usage(flag_for(request.error().argument), request.error().reason);
    std::uint64_t expected = 0, received = 0, delivered = 0;
    coswire::response_sink stream{
        .head = [&](const coswire::http_response& head) -> coswire::result<void> {
            received = 0;
            auto got = coswire::parse_get_object_response(head);  // the head: its body is empty
            if (!got) return std::move(got).error();
            auto length = check_range_head(*got, *p.range);
            if (!length) return std::move(length).error();
            expected = *length;
            etag = got->headers.etag;
            return {};
        },
        .body = [&](std::span<const std::byte> bytes) -> coswire::result<void> {
            // One GET has no ranges to stop between: a stop signal ends it here.
            if (cli::stop_requested()) return coswire::make_error(coswire::errc::cancelled, "cancelled", "the GET was cancelled");
            if (bytes.size() > expected - received)
                return bad_answer("body", "has more bytes than the " + std::to_string(expected) + " Content-Range says");
            const std::uint64_t skip = std::min<std::uint64_t>(delivered > received ? delivered - received : 0, bytes.size());
            received += bytes.size();
            const auto fresh = bytes.subspan(static_cast<std::size_t>(skip));
            if (fresh.empty()) return {};
            if (auto ok = sink.write(fresh); !ok) return ok;
            delivered += fresh.size();
            return {};
        },
    };
    auto done = c.run_streaming(*request, stream, [&](const coswire::http_response& r) -> coswire::result<void> {
        if (r.status >= 300 && r.status < 400) return bad_answer("status", std::to_string(r.status) + " does not answer a GET without conditions");
        if (r.status < 200 || r.status >= 300) return coswire::parse_error_response(r);
        if (received != expected)
            return bad_answer("body", "has " + std::to_string(received) + " bytes where Content-Range says " + std::to_string(expected));
        return {};
    });
    if (!done) return std::move(done).error();
    return delivered;
}

/// What `get` was asked: the flags checked (usage errors, exit 2, name them).
struct get_request {
    std::string key{};
    std::string path{};
    std::optional<coswire::byte_range> range{};
    std::uint32_t jobs = 1;
    std::uint64_t part_size = 8 * coswire::mib;
    bool resume = false;
    bool flush = false;  ///< --fsync: FILE reaches the disk before it is renamed into place
};

get_request get_request_of(const invocation& inv, const std::string& key, const std::string& path) {
    get_request g{.key = key, .path = path, .resume = inv.flag("--resume").has_value(),
                  .flush = inv.flag("--fsync").has_value()};
    if (const auto range = inv.flag("--range")) {
        const std::size_t dash = range->find('-');
        if (dash == std::string_view::npos) fail_usage("--range", "must be FIRST-LAST (bytes, 0-based, inclusive)");
        constexpr std::uint64_t most = ~std::uint64_t{0} / 10;
        coswire::byte_range r{parse_number("--range", range->substr(0, dash), 0, most), std::nullopt};
        if (dash + 1 < range->size()) r.last = parse_number("--range", range->substr(dash + 1), r.first, most);
        g.range = r;
        for (std::string_view other : {"--jobs", "--part-size", "--resume"})
            if (inv.flag(other)) fail_usage(other, "does not go with --range, which is one GET");
    }
    if (inv.flag("--jobs")) g.jobs = static_cast<std::uint32_t>(parse_number("--jobs", *inv.flag("--jobs"), 1, 64));
    if (inv.flag("--part-size"))
        g.part_size = parse_size_flag("--part-size", *inv.flag("--part-size"), coswire::min_download_part_size, coswire::max_download_part_size);
    if (g.path == "-") {
        // stdout takes the bytes in order and cannot be rewound.
        if (g.jobs > 1) fail_usage("--jobs", "needs a FILE: - (stdout) takes the object in order, one range at a time");
        if (g.resume) fail_usage("--resume", "needs a FILE: - (stdout) cannot be resumed");
        if (g.flush) fail_usage("--fsync", "needs a FILE: - (stdout) is not a file to flush");
    }
    return g;
}

coswire::get_object_params range_params(const get_request& g) {
    coswire::get_object_params p;
    p.key = g.key;
    p.range = g.range;
    return p;
}

/// A failed get's error line; for an archived object that is not readable yet (InvalidObjectState)
/// also what to do about it.
int fail_get(const coswire::error& e, std::string_view key) {
    const int status = fail(e);
    if (e.service && e.service->code == "InvalidObjectState")
        std::fprintf(stderr, "coswire: %s is archived and has no readable copy (or its restore is still running); "
                             "start one with: coswire restore %s\n", shown(key).c_str(), shown(shell_word(key)).c_str());
    return status;
}

/// The download's options: part size, progress bar, the stop signals polled between ranges, and
/// `after_range` (which persists the checkpoint) called after each range.
template <class AfterRange>
coswire::download_options download_options_for(const get_request& g, cli::progress_bar& bar, AfterRange& after_range) {
    coswire::download_options o;
    o.part_size = g.part_size;
    const bool terminal = cli::stderr_is_terminal();
    o.on_progress = [&bar, &after_range, terminal](const coswire::download_progress& p) {
        after_range();
        if (terminal) bar.update(p);
    };
    o.cancelled = [] { return cli::stop_requested(); };
    return o;
}

/// `get` into a sequential sink: stdout, or a FILE that is no regular file (a FIFO, a device),
/// written as the bytes arrive. Prints the result line on `line_to`.
template <class Sink>
int get_streamed(cos_client& c, const get_request& g, Sink& sink, std::FILE* line_to) {
    if (g.range) {
        std::string etag;
        cli::catch_stop_signals();
        auto got = get_range(c, range_params(g), sink, etag);
        if (!got) return stopped_by_user(got.error()) ? interrupted() : fail_get(got.error(), g.key);
        std::fprintf(line_to, "%s\n", get_line(*got, etag, std::nullopt).c_str());
        return 0;
    }
    cli::progress_bar bar;
    auto nothing = [] {};
    const coswire::download_options options = download_options_for(g, bar, nothing);
    cli::catch_stop_signals();
    auto done = coswire::download_object(c, g.key, sink, options);
    bar.finish();
    if (!done) return stopped_by_user(done.error()) ? interrupted() : fail_get(done.error(), g.key);
    std::fprintf(line_to, "%s\n", get_line(*done).c_str());
    return 0;
}

/// The checkpoint a `--resume` starts from: the saved one when it is for this object and the
/// partial file still holds what it says; else a fresh one, with a line on stderr saying why.
/// Errors: a checkpoint for another object (resuming it would mix two objects; its owner may
/// still want it), or one that cannot be read.
coswire::result<coswire::download_checkpoint> checkpoint_to_resume(const get_request& g, const std::string& bucket_name,
                                                                   const std::string& checkpoint_file, const cli::partial_file& partial,
                                                                   const std::string& partial_name) {
    auto loaded = cli::load_checkpoint_file(checkpoint_file);
    if (!loaded) {
        if (loaded.error().argument != "checkpoint") return std::move(loaded).error();
        std::fprintf(stderr, "coswire: %s is damaged (%s); starting over\n", shown(checkpoint_file).c_str(),
                     shown(loaded.error().reason).c_str());
        return coswire::download_checkpoint{};
    }
    if (!*loaded) return coswire::download_checkpoint{};  // nothing to resume: a normal download
    if ((*loaded)->bucket != bucket_name || (*loaded)->key != g.key)
        return cli::file_error(checkpoint_file, "is for " + (*loaded)->key + " in " + (*loaded)->bucket +
                                                    ", not this KEY; remove it or resume that object");
    if (const auto bad = cli::first_mismatch(partial, (*loaded)->checkpoint)) {
        std::fprintf(stderr, "coswire: %s no longer holds range %u as its checkpoint says; starting over\n",
                     shown(partial_name).c_str(), *bad);
        return coswire::download_checkpoint{};
    }
    return std::move((*loaded)->checkpoint);
}

/// `get` into a regular FILE (see cli/download_file.hpp): the bytes go to FILE.coswire-partial,
/// described by FILE.coswire-checkpoint after every range; on success the partial file is flushed
/// and renamed over FILE and the checkpoint removed. On failure FILE is untouched; the partial
/// file and checkpoint stay when ranges are done (and the bytes were not refused as corrupt), with
/// a line saying how to resume, else both are removed.
int get_to_file(cos_client& c, const get_request& g, const cli::file_target& where, const std::string& bucket_name) {
    const std::string partial_name = cli::partial_path(where.target);
    const std::string checkpoint_file = cli::checkpoint_path(where.target);
    auto partial = cli::partial_file::open(partial_name, g.resume);
    if (!partial) return fail(partial.error());
    cli::saved_checkpoint saved{bucket_name, g.key, {}};
    if (g.resume) {
        auto from = checkpoint_to_resume(g, bucket_name, checkpoint_file, *partial, partial_name);
        if (!from) return fail(from.error());
        saved.checkpoint = std::move(*from);
    } else {
        ::unlink(checkpoint_file.c_str());  // a plain get starts over, whatever an earlier one left
    }
    if (g.range) {
        std::string etag;
        cli::catch_stop_signals();
        auto got = get_range(c, range_params(g), *partial, etag);
        if (got) {
            if (auto ok = partial->commit(*got, where.mode, where.target, g.path, g.flush); !ok) got = std::move(ok).error();
            else std::printf("%s\n", get_line(*got, etag, std::nullopt).c_str());
        }
        if (got) return 0;
        partial->remove();
        return stopped_by_user(got.error()) ? interrupted() : fail_get(got.error(), g.key);
    }

    cli::progress_bar bar;
    std::uint64_t already = 0;
    if (auto plan = coswire::check_checkpoint(saved.checkpoint); plan && !saved.checkpoint.etag.empty())
        for (const coswire::done_range& d : saved.checkpoint.done) already += plan->range(d.index).size;
    // After every range: the checkpoint on disk says what the partial file holds. (The parallel
    // driver calls this under its lock, so the checkpoint is read whole.) A resumed checkpoint
    // whose ETag was replaced means the driver found the object changed and started over.
    const std::string resumed_etag = saved.checkpoint.etag;
    bool restart_said = false;
    auto say_restart = [&] {
        if (std::exchange(restart_said, true)) return;
        bar.finish();
        std::fprintf(stderr, "coswire: %s changed since the checkpoint was written; starting over\n", shown(g.key).c_str());
    };
    bool saved_ok = true;
    auto persist = [&] {
        if (!resumed_etag.empty() && saved.checkpoint.etag != resumed_etag) say_restart();
        saved_ok = cli::save_checkpoint_file(checkpoint_file, saved) && saved_ok;
    };
    coswire::download_options options = download_options_for(g, bar, persist);
    options.checkpoint = &saved.checkpoint;
    cli::catch_stop_signals();
    bar.start(already);
    auto done = g.jobs > 1 ? coswire::download_object_parallel(c, g.key, *partial, g.jobs, options)
                           : coswire::download_object(c, g.key, *partial, options);
    bar.finish();
    if (done && done->restarted) say_restart();  // said already, unless the ETag stayed the same
    if (done) {
        if (auto ok = partial->commit(done->size, where.mode, where.target, g.path, g.flush); !ok) done = std::move(ok).error();
    }
    if (done) {
        ::unlink(checkpoint_file.c_str());
        std::printf("%s\n", get_line(*done).c_str());
        return 0;
    }
    // Worth resuming: ranges are done and nothing says their bytes are wrong.
    const bool keep = !saved.checkpoint.done.empty() && done.error().code != coswire::errc::integrity_failure &&
                      cli::save_checkpoint_file(checkpoint_file, saved);
    const int status = stopped_by_user(done.error()) ? interrupted() : fail_get(done.error(), g.key);
    if (keep) {
        std::fprintf(stderr, "coswire: %zu ranges are kept in %s; resume with: coswire get %s %s --resume\n",
                     saved.checkpoint.done.size(), shown(partial_name).c_str(), shown(shell_word(g.key)).c_str(),
                     shown(shell_word(g.path)).c_str());
    } else {
        partial->remove();
        ::unlink(checkpoint_file.c_str());
    }
    if (!saved_ok) std::fprintf(stderr, "coswire: warning: %s could not always be written\n", shown(checkpoint_file).c_str());
    return status;
}

/// `get KEY FILE|-` (and cp to a local path) from the bucket of `c`.
int get_object_to(cos_client& c, const invocation& inv, const std::string& key, const std::string& path) {
    const get_request g = get_request_of(inv, key, path);
    if (g.path == "-") {
        cli::fd_sink out(STDOUT_FILENO, "stdout");
        return get_streamed(c, g, out, stderr);  // stdout carries the object, so the line goes to stderr
    }
    auto where = cli::resolve_target(g.path);
    if (!where) return fail(where.error());
    if (!where->regular) {
        for (const auto& [asked, flag] : {std::pair{g.jobs > 1, "--jobs"}, std::pair{g.resume, "--resume"}, std::pair{g.flush, "--fsync"}})
            if (asked) fail_usage(flag, "needs a regular FILE, and " + g.path + " is not one");
        const int fd = ::open(g.path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0) return fail(cli::file_error(g.path, std::strerror(errno)));
        cli::fd_sink out(fd, g.path);
        const int status = get_streamed(c, g, out, stdout);
        ::close(fd);
        return status;
    }
    return get_to_file(c, g, *where, c.bucket_endpoint().bucket);
}

int get(cos_client& c, const invocation& inv) { return get_object_to(c, inv, inv.arguments[0], inv.arguments[1]); }

int head(cos_client& c, const invocation& inv) {
    auto h = c.send(coswire::head_object_params{inv.arguments[0], {}, {}, {}, {}});
    if (!h) return fail(h.error());
    std::printf("size=%llu\netag=%s\n", static_cast<unsigned long long>(h->content_length), shown(h->headers.etag).c_str());
    if (h->headers.crc64) std::printf("crc64=%llu\n", static_cast<unsigned long long>(*h->headers.crc64));
    if (h->headers.last_modified) std::printf("last-modified=%s\n", cli::iso8601_utc(h->headers.last_modified).c_str());
    if (!h->headers.content_type.empty()) std::printf("content-type=%s\n", shown(h->headers.content_type).c_str());
    std::printf("storage-class=%s\n", shown(h->headers.storage_class).c_str());
    for (const auto& [name, value] : h->headers.metadata)
        std::printf("x-cos-meta-%s=%s\n", shown(name).c_str(), shown(value).c_str());
    return 0;
}

/// A size as listings print it: bytes, or with --human 1.5M.
std::string size_text(const invocation& inv, std::uint64_t size) {
    return inv.flag("--human") ? cli::human_size(size) : std::to_string(size);
}

/// `rm KEY` (one DELETE Object, nothing printed, as it always was), `rm KEY...` and `rm --prefix P`
/// (DELETE Multiple Objects, 1000 keys a request): `deleted=N`, then on stderr the keys COS
/// refused, `KEY<TAB>CODE<TAB>MESSAGE`, and exit 1 when there are any. --dry-run prints the keys
/// that would be deleted and deletes nothing.
int rm(cos_client& c, const invocation& inv) {
    const auto prefix = inv.flag("--prefix");
    if (prefix && !inv.arguments.empty()) fail_usage("--prefix", "takes no KEY: give KEYs or --prefix, not both");
    if (!prefix && inv.arguments.empty()) fail_usage("rm", "expects KEY... or --prefix P");
    if (prefix && prefix->empty()) fail_usage("--prefix", "must not be empty: it would delete every object of the bucket");
    std::vector<coswire::object_to_delete> doomed;
    if (prefix) {
        auto listed = coswire::list_all_objects(c, {.prefix = std::string(*prefix)});
        if (!listed) return fail(listed.error());
        for (coswire::object_summary& o : listed->contents) doomed.push_back({.key = std::move(o.key)});
    } else {
        for (const std::string& key : inv.arguments) doomed.push_back({.key = key});
    }
    if (inv.flag("--dry-run")) {
        for (const coswire::object_to_delete& o : doomed) std::printf("%s\n", shown(o.key).c_str());
        return 0;
    }
    if (!prefix && doomed.size() == 1) {
        auto deleted = c.send(coswire::delete_object_params{.key = doomed[0].key});
        return deleted ? 0 : fail(deleted.error());
    }
    auto deleted = coswire::delete_objects(c, std::span<const coswire::object_to_delete>(doomed), true);
    if (!deleted) return fail(deleted.error());
    // Quiet mode lists only the refused keys: the others were deleted.
    std::printf("deleted=%zu\n", doomed.size() - deleted->errors.size());
    if (deleted->errors.empty()) return 0;
    std::fprintf(stderr, "error: COS refused to delete %zu of the %zu keys:\n", deleted->errors.size(), doomed.size());
    for (const coswire::delete_failure& e : deleted->errors)
        std::fprintf(stderr, "%s\t%s\t%s\n", shown(e.key).c_str(), shown(e.code).c_str(), shown(e.message).c_str());
    return 1;
}

/// `ls [PREFIX]`: every object under PREFIX, all pages, one level (`/` delimiter; the common
/// prefixes as `PREFIX<TAB>DIR`) unless --recursive; the rows in key order.
int ls(cos_client& c, const invocation& inv) {
    const std::string prefix = inv.arguments.empty() ? std::string() : inv.arguments[0];
    const std::string delimiter = inv.flag("--recursive") ? "" : "/";
    struct row {
        std::string key;
        std::string text;
    };
    std::vector<row> rows;
    const auto object_row = [&](const std::string& key, std::string size, const std::string& etag, std::optional<std::int64_t> modified) {
        rows.push_back({key, shown(key) + "\t" + size + "\t" + shown(etag) + "\t" + cli::iso8601_utc(modified)});
    };
    if (inv.flag("--versions")) {
        auto listed = cli::fetch_all_versions(c, prefix, delimiter);
        if (!listed) return fail(listed.error());
        for (const coswire::object_version& v : listed->versions) {
            if (v.delete_marker) object_row(v.key, "delete-marker", "-", v.last_modified);
            else object_row(v.key, size_text(inv, v.size), v.etag, v.last_modified);
            rows.back().text += "\t" + shown(v.version_id.empty() ? "-" : v.version_id);
        }
        for (const std::string& p : listed->common_prefixes) rows.push_back({p, shown(p) + "\tDIR"});
    } else {
        auto listed = coswire::list_all_objects(c, {.prefix = prefix, .delimiter = delimiter});
        if (!listed) return fail(listed.error());
        for (const coswire::object_summary& o : listed->contents) object_row(o.key, size_text(inv, o.size), o.etag, o.last_modified);
        for (const std::string& p : listed->common_prefixes) rows.push_back({p, shown(p) + "\tDIR"});
    }
    // COS lists both in key order; merged, the directories fall where they belong. Stable, so a
    // key's versions stay newest first.
    std::stable_sort(rows.begin(), rows.end(), [](const row& a, const row& b) { return a.key < b.key; });
    for (const row& r : rows) std::printf("%s\n", r.text.c_str());
    return 0;
}

/// `buckets`: every bucket of the account, `NAME<TAB>REGION<TAB>CREATED`, through all pages.
int buckets(cos_client& c, const invocation&) {
    coswire::list_buckets_params page;
    for (std::uint32_t pages = 1;; ++pages) {
        if (pages > coswire::listing_limits{}.max_object_pages)
            return fail(coswire::make_error(coswire::errc::limit_exceeded, "max_object_pages", "the bucket listing never ends"));
        auto listed = c.send(page);
        if (!listed) return fail(listed.error());
        for (const coswire::bucket_summary& b : listed->buckets)
            std::printf("%s\t%s\t%s\n", shown(b.name).c_str(), shown(b.region).c_str(), cli::iso8601_utc(b.creation_date).c_str());
        if (!listed->is_truncated) return 0;
        if (listed->next_marker.empty() || listed->next_marker == page.marker)
            return fail(bad_answer("NextMarker", "a truncated bucket list names no marker past '" + page.marker + "'"));
        page.marker = listed->next_marker;
    }
}

int mb(cos_client& c, const invocation&) {
    auto made = c.send(coswire::put_bucket_params{});
    return made ? 0 : fail(made.error());
}

int rb(cos_client& c, const invocation&) {
    auto removed = c.send(coswire::delete_bucket_params{});
    return removed ? 0 : fail(removed.error());
}

/// `tag KEY` prints the tags as NAME=VALUE lines; `tag KEY NAME=VALUE...` replaces them;
/// `tag KEY --delete` removes them.
int tag(cos_client& c, const invocation& inv) {
    const std::string& key = inv.arguments[0];
    const bool remove = inv.flag("--delete").has_value();
    if (remove && inv.arguments.size() > 1) fail_usage("--delete", "takes no NAME=VALUE: it removes every tag");
    if (remove) {
        auto removed = c.send(coswire::delete_object_tagging_params{.key = key});
        return removed ? 0 : fail(removed.error());
    }
    if (inv.arguments.size() == 1) {
        auto got = c.send(coswire::get_object_tagging_params{.key = key});
        if (!got) return fail(got.error());
        for (const coswire::object_tag& t : got->tags) std::printf("%s=%s\n", shown(t.key).c_str(), shown(t.value).c_str());
        return 0;
    }
    std::vector<coswire::object_tag> tags;
    for (std::size_t i = 1; i < inv.arguments.size(); ++i) {
        const std::string& pair = inv.arguments[i];
        const std::size_t eq = pair.find('=');
        if (eq == std::string::npos) fail_usage("NAME=VALUE", "'" + pair + "' has no '='");
        tags.push_back({.key = pair.substr(0, eq), .value = pair.substr(eq + 1)});
    }
    if (auto ok = coswire::validate_object_tags(tags); !ok) fail_usage("NAME=VALUE", ok.error().reason);
    auto put = c.send(coswire::put_object_tagging_params{.key = key, .tags = std::move(tags)});
    return put ? 0 : fail(put.error());
}

/// `restore KEY`: starts a restore of an archived object and prints `restore=ongoing`, or
/// `restore=done` when a restored copy exists already (COS then only extends it).
int restore(cos_client& c, const invocation& inv) {
    coswire::restore_object_params p{.key = inv.arguments[0]};
    if (inv.flag("--days")) p.days = static_cast<std::uint32_t>(parse_number("--days", *inv.flag("--days"), 1, UINT32_MAX));
    if (const auto tier = inv.flag("--tier")) {
        if (*tier == "Standard") p.tier = coswire::restore_tier::standard;
        else if (*tier == "Expedited") p.tier = coswire::restore_tier::expedited;
        else if (*tier == "Bulk") p.tier = coswire::restore_tier::bulk;
        else fail_usage("--tier", "must be Standard, Expedited or Bulk");
    }
    auto started = c.send(p);
    if (!started && started.error().service && started.error().service->code == "RestoreAlreadyInProgress") {
        std::printf("restore=ongoing\n");
        return 0;
    }
    if (!started) return fail(started.error());
    std::printf("restore=%s\n", started->already_restored ? "done" : "ongoing");
    return 0;
}

/// A cp argument: a local path, or an object of a cos:// URL checked (usage errors name `name`).
struct cp_side {
    std::string path{};
    std::optional<cli::cos_location> object{};
};

cp_side cp_side_of(std::string_view name, const std::string& text) {
    auto object = cli::parse_cos_location(text);
    if (!object) return {.path = text};
    if (object->bucket.empty()) fail_usage(name, "cos://BUCKET-APPID/KEY names no bucket");
    check_key(name, object->key);
    return {.object = std::move(object)};
}

/// `cp SRC DST`: put (local to COS), get (COS to local), or a copy inside COS (copy_object, or
/// copy_object_parallel with --jobs above 1: parts copied by COS, no object byte through here),
/// printing `bytes=N etag=E crc64=C parts=P` (crc64=unchecked when the copy's CRC-64 could not be
/// compared with the source's).
int cp(cos_client&, const invocation& inv) {
    const cp_side from = cp_side_of("SRC", inv.arguments[0]);
    const cp_side to = cp_side_of("DST", inv.arguments[1]);
    if (!from.object && !to.object) fail_usage("cp", "SRC or DST must be cos://BUCKET-APPID/KEY (to copy local files, use cp(1))");
    if (!from.object) {
        cos_client c = client_for(endpoint_for(inv, to.object->bucket, "DST"));
        return put_file(c, inv, from.path, to.object->key);
    }
    if (!to.object) {
        if (inv.flag("--threshold")) fail_usage("--threshold", "applies to uploads and copies; a download has none");
        cos_client c = client_for(endpoint_for(inv, from.object->bucket, "SRC"));
        return get_object_to(c, inv, from.object->key, to.path);
    }
    coswire::copy_object_options options;
    if (inv.flag("--part-size"))
        options.part_size = parse_size_flag("--part-size", *inv.flag("--part-size"), coswire::min_part_size, coswire::max_part_size);
    if (inv.flag("--threshold"))
        options.threshold = parse_size_flag("--threshold", *inv.flag("--threshold"), 0, coswire::max_put_object_size);
    const auto jobs = static_cast<std::uint32_t>(inv.flag("--jobs") ? parse_number("--jobs", *inv.flag("--jobs"), 1, 64) : 1);
    cos_client source = client_for(endpoint_for(inv, from.object->bucket, "SRC"));
    cos_client destination = client_for(endpoint_for(inv, to.object->bucket, "DST"));
    auto copied = jobs > 1 ? coswire::copy_object_parallel(destination, source, from.object->key, to.object->key, jobs, options)
                           : coswire::copy_object(destination, source, from.object->key, to.object->key, options);
    if (!copied) return fail(copied.error());
    const std::string crc = copied->crc64_matched && copied->crc64 ? std::to_string(*copied->crc64) : std::string("unchecked");
    std::printf("bytes=%llu etag=%s crc64=%s parts=%u\n", static_cast<unsigned long long>(copied->size), shown(copied->etag).c_str(),
                crc.c_str(), copied->multipart ? copied->parts : 1U);
    return 0;
}

int uploads(cos_client& c, const invocation& inv) {
    auto listed = cli::fetch_all_uploads(c, inv.flag("--prefix").value_or(""));
    if (!listed) return fail(listed.error());
    for (const auto& u : *listed)
        std::printf("%s\t%s\t%s\n", shown(u.key).c_str(), shown(u.upload_id).c_str(), cli::iso8601_utc(u.initiated).c_str());
    return 0;
}

int parts(cos_client& c, const invocation& inv) {
    auto listed = cli::fetch_all_parts(c, inv.arguments[0], inv.arguments[1]);
    if (!listed) return fail(listed.error());
    for (const auto& p : *listed)
        std::printf("%u\t%s\t%s\n", p.part_number, size_text(inv, p.size).c_str(), shown(p.etag).c_str());
    return 0;
}

int abort_one(cos_client& c, const invocation& inv) {
    auto aborted = c.send(coswire::abort_multipart_upload_params{inv.arguments[0], inv.arguments[1], {}});
    return aborted ? 0 : fail(aborted.error());
}

int abort_all(cos_client& c, const invocation& inv) {
    auto listed = cli::fetch_all_uploads(c, inv.flag("--prefix").value_or(""));
    if (!listed) return fail(listed.error());
    const bool dry_run = inv.flag("--dry-run").has_value();  // lists what would be aborted, aborts nothing
    for (const auto& u : *listed) {
        if (!dry_run)
            if (auto aborted = c.send(coswire::abort_multipart_upload_params{u.key, u.upload_id, {}}); !aborted) return fail(aborted.error());
        std::printf("%s\t%s\n", shown(u.key).c_str(), shown(u.upload_id).c_str());
    }
    return 0;
}

int resume(cos_client& c, const invocation& inv) {
    const std::uint64_t part_size = inv.flag("--part-size")
                                        ? parse_size_flag("--part-size", *inv.flag("--part-size"), coswire::min_part_size, coswire::max_part_size)
                                        : 8 * coswire::mib;
    auto file = coswire::examples::file_source::open(inv.arguments[0]);
    if (!file) return fail(file.error());
    const auto jobs = static_cast<std::uint32_t>(inv.flag("--jobs") ? parse_number("--jobs", *inv.flag("--jobs"), 1, 64) : 1);
    // The upload was kept to be resumed: a failure or a stop signal keeps it again, never aborts it.
    return upload_in_parts(c, inv, *file, inv.arguments[0], inv.arguments[1], part_size, inv.arguments[2], jobs, true);
}

/// The longest --expires: a presigned URL is a bearer credential (whoever holds it may make the
/// request until it expires, and only rotating the key revokes it earlier), so 7 days, the bound
/// other object stores put on theirs; with a session token 36 hours, the longest Tencent's STS
/// issues temporary credentials for, so the URL never claims to outlive them. README: "The
/// `coswire` CLI".
constexpr std::uint64_t max_expires = 7 * 24 * 3600;
constexpr std::uint64_t max_expires_temporary = 36 * 3600;

/// --expires as seconds; a usage error naming the bound that applies and why.
std::uint64_t parse_expires(std::string_view text, bool temporary) {
    return temporary ? parse_number("--expires", text, 1, max_expires_temporary,
                                    " with a session token (36 hours, the longest temporary credentials last)")
                     : parse_number("--expires", text, 1, max_expires, " (7 days: a presigned URL works for anyone who holds it)");
}

/// Prints a presigned URL for KEY, valid from now for --expires seconds, on stdout alone; needs no
/// network. With --endpoint-url the URL is for the --endpoint origin.
int presign(const invocation& inv) {
    const coswire::endpoint ep = endpoint_of(inv);
    const coswire::credentials creds = credentials_of(inv);
    const std::string method(inv.flag("--method").value_or("GET"));
    const bool temporary = !creds.session_token.reveal().empty();
    const std::uint64_t expires = inv.flag("--expires") ? parse_expires(*inv.flag("--expires"), temporary) : 3600;
    auto request = coswire::make_object_request(ep, method, inv.arguments[0]);
    if (!request) fail_usage(flag_for(request.error().argument), request.error().reason);
    if (inv.flag("--endpoint-url")) {
        // For local testing: the URL names the --endpoint origin, and its Host is what is signed.
        const std::string origin = connect_override(inv);
        if (origin.empty()) fail_usage("--endpoint-url", "needs --endpoint (or COS_ENDPOINT): the origin to put in the URL");
        const std::size_t authority = origin.find("://");
        request->scheme = origin.substr(0, authority);
        request->host = origin.substr(authority + 3);
        for (coswire::http_header& h : request->headers)
            if (coswire::detail::iequals(h.name, "Host")) h.value = request->host;
    }
    auto window = coswire::key_time::starting_at(now(), static_cast<std::int64_t>(expires));
    if (!window) return fail(window.error());
    auto s = coswire::signer::create(creds, *window);
    if (!s) fail_usage(flag_for(s.error().argument), s.error().reason);
    auto url = coswire::presigned_url(*request, *s);
    if (!url) fail_usage(flag_for(url.error().argument), url.error().reason);
    std::printf("%s\n", url->c_str());
    return 0;
}

/// `help COMMAND`: that command's usage.
int help(const invocation& inv) {
    for (const command_spec& c : commands())
        if (c.name == inv.arguments[0]) {
            print_command_usage(c);
            return 0;
        }
    fail_usage("COMMAND", "unknown command " + quoted_command(inv.arguments[0]) + " (see --help)");
}

/// The command table: parse() checks a command line against it and main() runs what it names.
const std::vector<command_spec>& commands() {
    static const std::vector<command_spec> table{
        {.name = "put",
         .synopsis = "FILE|- KEY [--part-size SIZE] [--threshold SIZE] [--jobs N] [--keep] [--no-md5]",
         .arguments = {"FILE", "KEY"}, .flags = {"--part-size", "--threshold", "--jobs"}, .switches = {"--keep", "--no-md5"},
         .online = put},
        {.name = "get",
         .synopsis = "KEY FILE|- [--range FIRST-LAST] [--jobs N] [--part-size SIZE] [--resume] [--fsync]",
         .arguments = {"KEY", "FILE"}, .flags = {"--range", "--jobs", "--part-size"}, .switches = {"--resume", "--fsync"},
         .online = get},
        {.name = "cp", .synopsis = "SRC DST [--jobs N] [--part-size SIZE] [--threshold SIZE]", .arguments = {"SRC", "DST"},
         .flags = {"--jobs", "--part-size", "--threshold"}, .online = cp, .needs_bucket = false},
        {.name = "ls", .synopsis = "[PREFIX] [--recursive] [--versions] [--human]", .arguments = {"[PREFIX]"},
         .switches = {"--recursive", "--versions", "--human"}, .online = ls},
        {.name = "head", .synopsis = "KEY", .arguments = {"KEY"}, .online = head},
        {.name = "rm", .synopsis = "KEY... | rm --prefix P [--dry-run]", .arguments = {"[KEY]..."}, .flags = {"--prefix"},
         .switches = {"--dry-run"}, .online = rm},
        {.name = "buckets", .online = buckets, .needs_bucket = false},
        {.name = "mb", .online = mb},
        {.name = "rb", .online = rb},
        {.name = "tag", .synopsis = "KEY [NAME=VALUE]... | tag KEY --delete", .arguments = {"KEY", "[NAME=VALUE]..."},
         .switches = {"--delete"}, .online = tag},
        {.name = "restore", .synopsis = "KEY [--days N] [--tier Standard|Expedited|Bulk]", .arguments = {"KEY"},
         .flags = {"--days", "--tier"}, .online = restore},
        {.name = "uploads", .synopsis = "[--prefix P]", .flags = {"--prefix"}, .online = uploads},
        {.name = "parts", .synopsis = "KEY UPLOAD_ID [--human]", .arguments = {"KEY", "UPLOAD_ID"}, .switches = {"--human"},
         .online = parts},
        {.name = "abort", .synopsis = "KEY UPLOAD_ID", .arguments = {"KEY", "UPLOAD_ID"}, .online = abort_one},
        {.name = "abort-all", .synopsis = "[--prefix P] [--dry-run]", .flags = {"--prefix"}, .switches = {"--dry-run"},
         .online = abort_all},
        {.name = "resume", .synopsis = "FILE KEY UPLOAD_ID [--part-size SIZE] [--jobs N]", .arguments = {"FILE", "KEY", "UPLOAD_ID"},
         .flags = {"--part-size", "--jobs"}, .online = resume},
        {.name = "presign", .synopsis = "KEY [--method M] [--expires SECONDS] [--endpoint-url]", .arguments = {"KEY"},
         .flags = {"--method", "--expires"}, .switches = {"--endpoint-url"}, .offline = presign},
        {.name = "demo", .offline = [](const invocation&) { return cli::run_demo(); }},
        {.name = "help", .synopsis = "COMMAND", .arguments = {"COMMAND"}, .offline = help},
    };
    return table;
}

}  // namespace

int main(int argc, char** argv) {
    const invocation inv = parse(argc, argv);
    if (inv.command->offline != nullptr) return inv.command->offline(inv);

    const coswire::endpoint ep = inv.command->needs_bucket ? endpoint_of(inv) : service_endpoint();
    coswire::credentials creds = credentials_of(inv);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)  // before any thread: it is not thread-safe
        return fail(coswire::make_error(coswire::errc::transport_failure, "transport", "curl_global_init failed"));
    cli::curl_pool transport(coswire::transports::curl_transport_options{.connect_to = connect_override(inv)});
    session() = {.transport = &transport, .creds = std::move(creds)};
    cos_client c = client_for(ep);
    return inv.command->online(c, inv);
}
