// SPDX-License-Identifier: MIT
// coswire: a COS command-line client over libcurl (put, get, head, rm, multipart listings,
// abort, resume, presign) and `coswire demo`, the whole lifecycle against the in-process emulator.
#include <coswire/api/endpoint.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/object.hpp>
#include <coswire/client.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/detail/ascii.hpp>
#include <coswire/encoding/object_key.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/multipart/parallel.hpp>
#include <coswire/multipart/upload.hpp>
#include <coswire/sign/request.hpp>

#include <curl/curl.h>

#include <sources/file_source.hpp>

#include "cli/curl_pool.hpp"
#include "cli/demo.hpp"
#include "cli/listing.hpp"
#include "cli/printable.hpp"
#include "cli/progress.hpp"
#include "cli/secrets.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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
#include <vector>

namespace {

using cos_client = coswire::client<cli::curl_pool>;

constexpr std::string_view usage =
    "usage: coswire [--bucket NAME-APPID] [--region REGION] [--endpoint URL]\n"
    "               [--secret-id ID] [--secret-key KEY | --secret-key-file PATH]\n"
    "               [--token TOKEN | --token-file PATH] COMMAND ...\n"
    "  put FILE KEY [--part-size BYTES] [--threshold BYTES] [--jobs N]\n"
    "  get KEY FILE [--range FIRST-LAST]\n"
    "  head KEY\n"
    "  rm KEY\n"
    "  uploads [--prefix P]\n"
    "  parts KEY UPLOAD_ID\n"
    "  abort KEY UPLOAD_ID\n"
    "  abort-all [--prefix P]\n"
    "  resume FILE KEY UPLOAD_ID [--part-size BYTES]\n"
    "  presign KEY [--method M] [--expires SECONDS]\n"
    "  demo\n"
    "Settings also come from COS_SECRET_ID, COS_SECRET_KEY, COS_SESSION_TOKEN, COS_BUCKET,\n"
    "COS_REGION and COS_ENDPOINT; flags win. A --secret-key-file or --token-file holds the secret\n"
    "(one trailing newline is ignored) and wins over the variable like the flag it replaces; give\n"
    "the flag or the file, not both. --secret-key and --token are visible to every user of the\n"
    "machine (ps), so prefer a file or the variable.\n"
    "presign --expires is at most 604800 (7 days; the URL is a bearer credential), and at most\n"
    "129600 (36 hours, the longest Tencent's temporary credentials last) with a session token.\n";

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

/// Prints `error: <describe(e)>` (for COS errors: `<Code> (<status>): <message> [request-id <id>]`),
/// through shown(): the code, message and request id are the server's.
int fail(const coswire::error& e) {
    std::fprintf(stderr, "error: %s\n", shown(coswire::describe(e)).c_str());
    return 1;
}

/// One command: its name, its positional arguments, and the flags it takes (each with a value).
struct command_spec {
    std::string_view name;
    std::vector<std::string_view> arguments;
    std::vector<std::string_view> flags;
    bool needs_bucket = true;  ///< false: works without bucket, region and credentials (demo)
};

const std::vector<command_spec>& commands() {
    static const std::vector<command_spec> table{
        {"put", {"FILE", "KEY"}, {"--part-size", "--threshold", "--jobs"}},
        {"get", {"KEY", "FILE"}, {"--range"}},
        {"head", {"KEY"}, {}},
        {"rm", {"KEY"}, {}},
        {"uploads", {}, {"--prefix"}},
        {"parts", {"KEY", "UPLOAD_ID"}, {}},
        {"abort", {"KEY", "UPLOAD_ID"}, {}},
        {"abort-all", {}, {"--prefix"}},
        {"resume", {"FILE", "KEY", "UPLOAD_ID"}, {"--part-size"}},
        {"presign", {"KEY"}, {"--method", "--expires"}},
        {"demo", {}, {}, false},
    };
    return table;
}

/// The flags every command takes, and the variable each falls back to. The two secrets read their
/// variables in cli::choose_secret, after their file flags.
constexpr std::string_view global_flags[] = {"--bucket", "--region", "--endpoint", "--secret-id", "--secret-key",
                                             "--secret-key-file", "--token", "--token-file"};
constexpr std::string_view global_env[] = {"COS_BUCKET", "COS_REGION", "COS_ENDPOINT", "COS_SECRET_ID", "", "", "", ""};
enum setting { bucket, region, endpoint, secret_id, secret_key, secret_key_file, token, token_file, setting_count };

/// A parsed command line: the settings (flags, else environment; the two secrets and their
/// files as given), the command, its arguments and its flags.
struct invocation {
    std::optional<std::string> settings[setting_count];
    const command_spec* command = nullptr;
    std::vector<std::string> arguments;
    std::vector<std::pair<std::string_view, std::string>> flags;

    std::optional<std::string_view> flag(std::string_view name) const {
        for (const auto& [n, v] : flags)
            if (n == name) return std::string_view(v);
        return std::nullopt;
    }
};

/// Names a command in a usage message only when it looks like one, so a secret typed in the
/// wrong place is never echoed.
std::string quoted_command(std::string_view word) {
    bool plain = !word.empty() && word.size() <= 16;
    for (char c : word) plain = plain && ((c >= 'a' && c <= 'z') || c == '-');
    return plain ? "'" + std::string(word) + "'" : std::string("(not shown)");
}

invocation parse(int argc, char** argv) {
    invocation inv;
    std::vector<std::string_view> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage.data(), stdout);
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
    const std::size_t expected = inv.command->arguments.size();
    if (positional.size() - 1 != expected) {
        std::string names;
        for (std::string_view a : inv.command->arguments) names += " " + std::string(a);
        fail_usage(inv.command->name, "expects" + (names.empty() ? std::string(" no arguments") : names));
    }
    for (std::size_t i = 1; i < positional.size(); ++i) inv.arguments.emplace_back(positional[i]);
    for (std::size_t g = 0; g < setting_count; ++g)
        if (!inv.settings[g] && !global_env[g].empty())
            if (const char* v = std::getenv(global_env[g].data()); v != nullptr && *v != '\0') inv.settings[g] = v;
    // Once the command line has been read, before anything in it is checked.
    if (inv.settings[secret_key] && !inv.settings[secret_key]->empty()) cli::warn_secret_on_command_line(cli::secret_key_sources);
    if (inv.settings[token] && !inv.settings[token]->empty()) cli::warn_secret_on_command_line(cli::token_sources);
    return inv;
}

/// A decimal number from `low` to `high`, else a usage error naming `flag`, the bounds and, after
/// them, `why` (which says where a bound comes from).
std::uint64_t parse_number(std::string_view flag, std::string_view text, std::uint64_t low, std::uint64_t high,
                           std::string_view why = {}) {
    std::uint64_t v = 0;
    bool ok = !text.empty() && text.size() <= 19;
    for (char c : text) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (!ok || v < low || v > high)
        fail_usage(flag, "must be a decimal number from " + std::to_string(low) + " to " + std::to_string(high) + std::string(why));
    return v;
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

/// The secret from its flag, else its file, else its variable; a usage error for both a flag
/// and its file, or a file that cannot be used.
cli::secret_value secret_of(const invocation& inv, const cli::secret_sources& sources, setting flag, setting file) {
    auto chosen = cli::choose_secret(sources, inv.settings[flag], inv.settings[file]);
    if (!chosen) fail_usage(chosen.error().argument, chosen.error().reason);
    return std::move(*chosen);
}

/// The credentials; each secret is also added to secrets_to_hide().
coswire::credentials credentials_of(const invocation& inv) {
    if (!inv.settings[secret_id]) fail_usage("--secret-id", "is required (or set COS_SECRET_ID)");
    const cli::secret_value key = secret_of(inv, cli::secret_key_sources, secret_key, secret_key_file);
    const cli::secret_value session_token = secret_of(inv, cli::token_sources, token, token_file);
    if (key.origin == cli::secret_origin::none)
        fail_usage("--secret-key", "is required (or give --secret-key-file, or set COS_SECRET_KEY)");
    hide_secret(key.text);
    hide_secret(session_token.text);
    coswire::credentials creds{*inv.settings[secret_id], coswire::secret_string(key.text), coswire::secret_string(session_token.text)};
    if (auto ok = coswire::validate(creds); !ok) {
        const std::string_view argument = ok.error().argument;
        fail_usage(argument == "secret_key" ? cli::source_name(cli::secret_key_sources, key.origin) : flag_for(argument),
                   ok.error().reason);
    }
    return creds;
}

coswire::endpoint endpoint_of(const invocation& inv) {
    if (!inv.settings[bucket]) fail_usage("--bucket", "is required (or set COS_BUCKET)");
    if (!inv.settings[region]) fail_usage("--region", "is required (or set COS_REGION)");
    auto ep = coswire::make_endpoint(*inv.settings[bucket], *inv.settings[region]);
    if (!ep) fail_usage(flag_for(ep.error().argument), ep.error().reason);
    return *ep;
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

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string etag_line(std::string_view etag, std::uint64_t crc, std::uint32_t parts) {
    return "etag=" + shown(etag) + " crc64=" + std::to_string(crc) + " parts=" + std::to_string(parts);
}

coswire::error file_error(const std::string& path, std::string_view why) {
    return coswire::make_error(coswire::errc::invalid_argument, "FILE", path + ": " + std::string(why));
}

/// Uploads `file` to `key` in parts, or resumes `upload_id`; prints the put line (and reused=).
/// `jobs` parts are uploaded at once (upload_multipart_parallel, each worker with its own
/// connection) when above 1.
int upload_in_parts(cos_client& c, coswire::examples::file_source& file, const std::string& key, std::uint64_t part_size,
                    std::optional<std::string> upload_id, std::uint32_t jobs) {
    auto plan = coswire::plan_parts(file.size(), part_size);
    if (!plan) {
        if (plan.error().code == coswire::errc::invalid_argument) fail_usage("--part-size", plan.error().reason);
        return fail(plan.error());
    }
    cli::progress_bar bar;
    coswire::multipart_upload_options options;
    const bool resuming = upload_id.has_value();
    options.resume_upload_id = std::move(upload_id);
    if (cli::stderr_is_terminal()) options.on_progress = [&bar](const coswire::upload_progress& p) { bar.update(p); };
    auto done = jobs > 1 ? coswire::upload_multipart_parallel(c, key, file, *plan, jobs, options)
                         : coswire::upload_multipart(c, key, file, *plan, options);
    bar.finish();
    if (!done) return fail(done.error());
    std::string line = etag_line(done->etag, done->crc64, done->parts);
    if (resuming) line += " reused=" + std::to_string(done->parts_reused);
    std::printf("%s\n", line.c_str());
    return 0;
}

int put(cos_client& c, const invocation& inv) {
    const std::string& path = inv.arguments[0];
    const std::string& key = inv.arguments[1];
    const std::uint64_t part_size = inv.flag("--part-size")
                                        ? parse_number("--part-size", *inv.flag("--part-size"), coswire::min_part_size, coswire::max_part_size)
                                        : 8 * coswire::mib;
    const std::uint64_t threshold =
        inv.flag("--threshold") ? parse_number("--threshold", *inv.flag("--threshold"), 0, coswire::max_put_object_size) : 8 * coswire::mib;
    const auto jobs = static_cast<std::uint32_t>(inv.flag("--jobs") ? parse_number("--jobs", *inv.flag("--jobs"), 1, 64) : 1);
    auto file = coswire::examples::file_source::open(path);
    if (!file) return fail(file.error());
    if (file->size() > threshold) return upload_in_parts(c, *file, key, part_size, std::nullopt, jobs);

    std::vector<std::byte> bytes(static_cast<std::size_t>(file->size()));
    if (auto ok = file->read(0, bytes); !ok) return fail(ok.error());
    coswire::put_object_params p;
    p.key = key;
    p.payload.bytes = bytes;
    p.compute_content_md5 = true;
    auto sent = c.send(p);
    if (!sent) return fail(sent.error());
    const std::uint64_t local = coswire::crc64(std::span<const std::byte>(bytes));
    if (sent->headers.crc64 && *sent->headers.crc64 != local)
        return fail(coswire::make_error(coswire::errc::integrity_failure, "object",
                                        "COS's CRC-64 " + std::to_string(*sent->headers.crc64) + " differs from ours " + std::to_string(local)));
    std::printf("%s\n", etag_line(sent->headers.etag, local, 1).c_str());
    return 0;
}

std::string range_text(const coswire::content_range& r) {
    return "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" + (r.total ? std::to_string(*r.total) : "*");
}

coswire::error bad_answer(std::string_view argument, std::string reason) {
    return coswire::make_error(coswire::errc::malformed_response, argument, std::move(reason));
}

/// Checks that a GET Object answer is what was asked: without `asked`, the whole object (a 200,
/// or a 206 whose Content-Range is bytes 0-(N-1)/N), with every byte Content-Length or the range
/// announces; with `asked`, a 206 for exactly that range (its end clipped to the object's last
/// byte when it reached past it, as RFC 9110 §14.1.2 lets a server do) carrying exactly the
/// range's bytes. Content-Length, when sent, must match the body either way. A 304 (no condition
/// was sent) or a 200 for a range is refused rather than written as if it were the answer.
coswire::result<void> check_get_answer(const coswire::get_object_result& got, const std::optional<coswire::byte_range>& asked) {
    const std::uint64_t body = got.body.size();
    if (got.headers.content_length && *got.headers.content_length != body)
        return bad_answer("body", "has " + std::to_string(body) + " bytes where Content-Length says " +
                                      std::to_string(*got.headers.content_length));
    if (got.status != 200 && got.status != 206)
        return bad_answer("status", std::to_string(got.status) + " does not answer a GET without conditions");
    if (!asked) {
        if (got.status == 200) {
            if (!got.headers.content_length) return bad_answer("Content-Length", "is missing, so the object's size cannot be checked");
            return {};
        }
        const coswire::content_range& r = *got.range;
        if (r.first != 0 || !r.total || r.last + 1 != *r.total)
            return bad_answer("Content-Range", range_text(r) + " answers a GET of the whole object with part of it");
        if (body != *r.total)
            return bad_answer("body", "has " + std::to_string(body) + " bytes where Content-Range says " + std::to_string(*r.total));
        return {};
    }
    if (got.status == 200) return bad_answer("status", "200 (the whole object) answers a request for a range");
    const coswire::content_range& r = *got.range;
    const bool clipped = asked->last && r.total && *asked->last >= *r.total && r.last + 1 == *r.total;
    const bool end_ok = asked->last ? (r.last == *asked->last || clipped) : (r.total && r.last + 1 == *r.total);
    if (r.first != asked->first || !end_ok)
        return bad_answer("Content-Range", range_text(r) + " does not answer the range asked, bytes=" + std::to_string(asked->first) + "-" +
                                               (asked->last ? std::to_string(*asked->last) : std::string()));
    if (body != r.last - r.first + 1)
        return bad_answer("body", "has " + std::to_string(body) + " bytes where Content-Range says " + std::to_string(r.last - r.first + 1));
    return {};
}

/// Writes all of `bytes` to the open descriptor `fd`, retrying short writes.
bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ::ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

/// Writes `bytes` to `path` so that a failure leaves whatever `path` held untouched: into a new
/// file in the same directory, flushed to disk, then renamed over `path` (a rename within one
/// file system replaces the name in one step). A symbolic link is followed, so the file it
/// points to is replaced as an in-place write would have changed it; an existing file keeps its
/// permission bits (and one the user may not write is refused), a new one gets 0666 less the
/// umask, as fopen would have given it. A path that exists but is no regular file (/dev/stdout,
/// a FIFO) cannot be replaced and is written directly. Errors: invalid_argument naming "FILE" with the path and the reason.
coswire::result<void> write_file_replacing(const std::string& path, std::string_view bytes) {
    struct ::stat existing {};
    std::string target = path;
    ::mode_t mode = 0;
    if (::stat(path.c_str(), &existing) == 0) {
        if (!S_ISREG(existing.st_mode)) {
            std::FILE* out = std::fopen(path.c_str(), "wb");
            if (out == nullptr) return file_error(path, std::strerror(errno));
            const bool written = std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size();
            if (std::fclose(out) != 0 || !written) return file_error(path, "could not be written completely");
            return {};
        }
        // Renaming needs only the directory writable; a file the user may not write stays refused,
        // as opening it for writing refused it.
        if (::access(path.c_str(), W_OK) != 0) return file_error(path, std::strerror(errno));
        char* resolved = ::realpath(path.c_str(), nullptr);
        if (resolved == nullptr) return file_error(path, std::strerror(errno));
        target = resolved;
        std::free(resolved);
        mode = existing.st_mode & 0777;
    } else if (errno == ENOENT) {
        mode = ::umask(0);  // umask can only be read by setting it; it is put back at once
        ::umask(mode);
        mode = 0666 & ~mode;
    } else {
        return file_error(path, std::strerror(errno));
    }
    std::string temporary = target + ".coswire-XXXXXX";
    const int fd = ::mkstemp(temporary.data());
    if (fd < 0) return file_error(path, "no temporary file could be made next to it: " + std::string(std::strerror(errno)));
    const bool written = ::fchmod(fd, mode) == 0 && write_all(fd, bytes) && ::fsync(fd) == 0;
    const int saved = errno;
    if (::close(fd) != 0 || !written) {
        ::unlink(temporary.c_str());
        return file_error(path, "could not be written completely: " + std::string(std::strerror(written ? errno : saved)));
    }
    if (std::rename(temporary.c_str(), target.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(temporary.c_str());
        return file_error(path, "could not be replaced: " + why);
    }
    return {};
}

int get(cos_client& c, const invocation& inv) {
    coswire::get_object_params p;
    p.key = inv.arguments[0];
    const std::string& path = inv.arguments[1];
    if (const auto range = inv.flag("--range")) {
        const std::size_t dash = range->find('-');
        if (dash == std::string_view::npos) fail_usage("--range", "must be FIRST-LAST (bytes, 0-based, inclusive)");
        constexpr std::uint64_t most = ~std::uint64_t{0} / 10;
        coswire::byte_range r{parse_number("--range", range->substr(0, dash), 0, most), std::nullopt};
        if (dash + 1 < range->size()) r.last = parse_number("--range", range->substr(dash + 1), r.first, most);
        p.range = r;
    }
    auto got = c.send(p);
    if (!got) return fail(got.error());
    // Every check happens before FILE is touched: a wrong answer leaves it as it was.
    if (auto ok = check_get_answer(*got, p.range); !ok) return fail(ok.error());
    // COS's CRC-64 is the whole object's, so only a whole-object answer can be checked against it.
    const std::uint64_t local = coswire::crc64(got->body);
    if (!p.range && got->headers.crc64 && *got->headers.crc64 != local)
        return fail(coswire::make_error(coswire::errc::integrity_failure, "object",
                                        "the body's CRC-64 " + std::to_string(local) + " differs from COS's " + std::to_string(*got->headers.crc64)));
    if (auto ok = write_file_replacing(path, got->body); !ok) return fail(ok.error());
    std::printf("bytes=%zu etag=%s\n", got->body.size(), shown(got->headers.etag).c_str());
    return 0;
}

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

int rm(cos_client& c, const invocation& inv) {
    auto deleted = c.send(coswire::delete_object_params{inv.arguments[0], {}, {}, {}});
    return deleted ? 0 : fail(deleted.error());
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
        std::printf("%u\t%llu\t%s\n", p.part_number, static_cast<unsigned long long>(p.size), shown(p.etag).c_str());
    return 0;
}

int abort_one(cos_client& c, const invocation& inv) {
    auto aborted = c.send(coswire::abort_multipart_upload_params{inv.arguments[0], inv.arguments[1], {}});
    return aborted ? 0 : fail(aborted.error());
}

int abort_all(cos_client& c, const invocation& inv) {
    auto listed = cli::fetch_all_uploads(c, inv.flag("--prefix").value_or(""));
    if (!listed) return fail(listed.error());
    for (const auto& u : *listed) {
        auto aborted = c.send(coswire::abort_multipart_upload_params{u.key, u.upload_id, {}});
        if (!aborted) return fail(aborted.error());
        std::printf("%s\t%s\n", shown(u.key).c_str(), shown(u.upload_id).c_str());
    }
    return 0;
}

int resume(cos_client& c, const invocation& inv) {
    const std::uint64_t part_size = inv.flag("--part-size")
                                        ? parse_number("--part-size", *inv.flag("--part-size"), coswire::min_part_size, coswire::max_part_size)
                                        : 8 * coswire::mib;
    if (auto ok = coswire::validate_upload_id(inv.arguments[2]); !ok) fail_usage("UPLOAD_ID", ok.error().reason);
    auto file = coswire::examples::file_source::open(inv.arguments[0]);
    if (!file) return fail(file.error());
    return upload_in_parts(c, *file, inv.arguments[1], part_size, inv.arguments[2], 1);
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

/// Prints a presigned URL for KEY, valid from now for --expires seconds; needs no network.
int presign(const invocation& inv) {
    const coswire::endpoint ep = endpoint_of(inv);
    const coswire::credentials creds = credentials_of(inv);
    const std::string method(inv.flag("--method").value_or("GET"));
    const bool temporary = !creds.session_token.reveal().empty();
    const std::uint64_t expires = inv.flag("--expires") ? parse_expires(*inv.flag("--expires"), temporary) : 3600;
    auto paths = coswire::map_object_key(inv.arguments[0]);
    if (!paths) fail_usage("KEY", paths.error().reason);
    auto window = coswire::key_time::starting_at(now(), static_cast<std::int64_t>(expires));
    if (!window) return fail(window.error());
    auto s = coswire::signer::create(creds, *window);
    if (!s) fail_usage(flag_for(s.error().argument), s.error().reason);
    const coswire::http_request request{method, ep.scheme, ep.host, paths->signed_path, paths->wire_path, {}, {{"Host", ep.host}},
                                        {}, {}};
    auto url = coswire::presigned_url(request, *s);
    if (!url) fail_usage(flag_for(url.error().argument), url.error().reason);
    std::printf("%s\n", url->c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const invocation inv = parse(argc, argv);
    const std::string_view name = inv.command->name;
    if (name == "demo") return cli::run_demo();
    if (name == "presign") return presign(inv);

    const coswire::endpoint ep = endpoint_of(inv);
    coswire::credentials creds = credentials_of(inv);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)  // before any thread: it is not thread-safe
        return fail(coswire::make_error(coswire::errc::transport_failure, "transport", "curl_global_init failed"));
    cli::curl_pool transport(coswire::examples::curl_transport_options{connect_override(inv), 10, 60});
    cos_client c(ep, std::move(creds), transport, now,
                 [](std::uint32_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); });
    if (name == "put") return put(c, inv);
    if (name == "get") return get(c, inv);
    if (name == "head") return head(c, inv);
    if (name == "rm") return rm(c, inv);
    if (name == "uploads") return uploads(c, inv);
    if (name == "parts") return parts(c, inv);
    if (name == "abort") return abort_one(c, inv);
    if (name == "abort-all") return abort_all(c, inv);
    return resume(c, inv);
}
