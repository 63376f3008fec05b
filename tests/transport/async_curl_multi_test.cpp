// SPDX-License-Identifier: MIT
// examples/async_curl_multi.cpp run as its own process against the loopback server with the COS
// emulator behind it: the bytes and CRC-64 that come back, one thread throughout (watched from
// outside through /proc/<pid>/task), four transfers in flight, and faults injected by the server
// on some parts and ranges retried by the machines (each retry carries x-cos-sdk-retry: true).
#include <coswire/crypto/crc64.hpp>
#include <coswire/testing/emulator.hpp>

#include <doctest/doctest.h>

#include "loopback_server.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

const coswire::credentials creds{.secret_id = "AKIDasync", .secret_key = coswire::secret_string(std::string_view("async-secret"))};

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// What identifies a request for fault injection: "part N" for an Upload Part, "range S" for a
// ranged GET starting at byte S, else "".
std::string identify(const loopback::raw_request& r) {
    const std::string_view line = r.request_line();
    if (line.starts_with("PUT ")) {
        const std::size_t at = line.find("partNumber=");
        if (at == std::string_view::npos) return "";
        const std::string_view number = line.substr(at + 11);
        return "part " + std::string(number.substr(0, number.find_first_of("& ")));
    }
    const auto range = r.values("Range");
    if (line.starts_with("GET ") && range.size() == 1 && range[0].starts_with("bytes="))
        return "range " + range[0].substr(6, range[0].find('-') - 6);
    return "";
}

// The loopback server's handler: each request read off the socket goes to the emulator, and
// its answer back as HTTP/1.1 bytes, except the first time a request named in `faults` comes:
// then the emulator answers 503 SlowDown, or the connection drops in the middle of the answer
// (after the emulator applied the request: a part is stored, a range's body half sent), or it
// drops before any answer (the request not applied).
class emulated_cos {
public:
    enum class fault { slow_down, drop_mid_answer, drop_unanswered };

    explicit emulated_cos(std::map<std::string, fault> faults) : faults_(std::move(faults)) {}

    loopback::server::reply operator()(const loopback::raw_request& r) {
        coswire::http_request request;
        const std::string_view line = r.request_line();
        request.method = std::string(line.substr(0, line.find(' ')));
        request.scheme = "http";
        request.wire_path = std::string(line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1));
        request.headers = r.fields();
        request.host = request.header("Host").value_or("");
        request.payload.bytes = std::as_bytes(std::span<const char>(r.body));

        const std::lock_guard<std::mutex> lock(mutex_);
        const std::string name = identify(r);
        seen_.push_back({name, r.values("x-cos-sdk-retry") == std::vector<std::string>{"true"}});
        const auto planned = faults_.find(name);
        const bool inject = planned != faults_.end() && injected_.insert(name).second;
        if (inject && planned->second == fault::drop_unanswered) return "";
        if (inject && planned->second == fault::slow_down) emulator_.fail_next(coswire::testing::fault_kind::slow_down);
        auto answer = emulator_(request);
        if (!answer) return "";  // no injected emulator fault drops, but a dropped answer is this
        const bool cut = inject && planned->second == fault::drop_mid_answer;
        // A HEAD answer's Content-Length is the object's (it has no body); others get their own.
        const bool head = request.method == "HEAD";
        std::string wire = "HTTP/1.1 " + std::to_string(answer->status) + " Emulated\r\n";
        for (const coswire::http_header& h : answer->headers)
            if (head || !loopback::iequals(h.name, "Content-Length")) wire += h.name + ": " + h.value + "\r\n";
        // A cut answer is its head and half its body, then the connection closes: curl sees a
        // body shorter than Content-Length (an answer without a body announces one byte). A
        // head cut short would not do: curl takes a head ended by the close as complete.
        if (!head) wire += "Content-Length: " + std::to_string(cut ? std::max<std::size_t>(answer->body.size(), 1) : answer->body.size()) + "\r\n";
        if (!cut) return wire + "\r\n" + answer->body;
        return wire + "Connection: close\r\n\r\n" + answer->body.substr(0, answer->body.size() / 2);
    }

    coswire::testing::cos_emulator& emulator() { return emulator_; }

    // How many times `name` was requested, and how many of those carried x-cos-sdk-retry: true.
    std::pair<int, int> requests_of(const std::string& name) const {
        const std::lock_guard<std::mutex> lock(mutex_);
        std::pair<int, int> n;
        for (const auto& [seen, retry] : seen_)
            if (seen == name) {
                ++n.first;
                n.second += retry;
            }
        return n;
    }
    std::set<std::string> injected() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return injected_;
    }

private:
    static coswire::testing::emulator_options options() {
        coswire::testing::emulator_options o;
        o.accepted = {creds};
        o.clock = unix_now;  // the example signs with the real clock
        return o;
    }

    mutable std::mutex mutex_;
    coswire::testing::cos_emulator emulator_{options()};
    std::map<std::string, fault> faults_;
    std::set<std::string> injected_;
    std::vector<std::pair<std::string, bool>> seen_;
};

// Bytes that tell any misplaced piece: a splitmix64 sequence.
std::string generated(std::size_t size) {
    std::string out(size, '\0');
    std::uint64_t state = 18;
    for (std::size_t i = 0; i < size; i += 8) {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15u);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
        z ^= z >> 31;
        for (std::size_t b = 0; b < 8 && i + b < size; ++b) out[i + b] = static_cast<char>(z >> (8 * b));
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t threads_of(pid_t pid) {
    DIR* dir = ::opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
    if (dir == nullptr) return 0;  // the process has just ended
    std::size_t n = 0;
    while (const dirent* entry = ::readdir(dir)) n += entry->d_name[0] != '.';
    ::closedir(dir);
    return n;
}

// The peak resident memory of `pid` so far in KiB (VmHWM: its own, not counting what it had
// before exec, unlike getrusage's ru_maxrss), or 0 once it has ended.
long peak_rss_of(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
    return 0;
}

// What one run of the example gave.
struct run_result {
    int status = -1;
    std::string output{};
    std::size_t most_threads_seen = 0;  // from outside, sampled while it ran
    int samples = 0;
    long peak_rss_kib = 0;  // VmHWM, sampled while it ran: the last sample is at most a little short
};

// Runs the example with `args`, its environment pointing it at `url`, stdout to `output_path`;
// samples its thread count until it exits.
run_result run_example(const std::string& url, const std::vector<std::string>& args, const std::string& output_path) {
    const char* example = std::getenv("ASYNC_CURL_MULTI");
    REQUIRE_MESSAGE(example != nullptr, "ASYNC_CURL_MULTI names the example's executable (meson sets it)");
    std::vector<std::string> env_text = {"COS_BUCKET=examplebucket-1250000000", "COS_REGION=ap-beijing",
                                         "COS_SECRET_ID=AKIDasync", "COS_SECRET_KEY=async-secret", "COS_ENDPOINT=" + url};
    std::vector<char*> envp;
    for (std::string& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_text = {example};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, example, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(spawned == 0);

    run_result out;
    for (;;) {
        int status = 0;
        const pid_t ended = ::waitpid(pid, &status, WNOHANG);
        REQUIRE(ended >= 0);
        if (ended == pid) {
            out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            break;
        }
        out.peak_rss_kib = std::max(out.peak_rss_kib, peak_rss_of(pid));
        out.most_threads_seen = std::max(out.most_threads_seen, threads_of(pid));
        ++out.samples;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    out.output = read_file(output_path);
    return out;
}

// A directory of its own under the system's temporary directory, removed with its files.
struct temp_dir {
    std::string path;
    temp_dir() {
        std::string pattern = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/async-curl-multi-XXXXXX";
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~temp_dir() {
        for (const char* name : {"/in", "/out", "/stdout"}) std::remove((path + name).c_str());
        ::rmdir(path.c_str());
    }
};

}  // namespace

TEST_CASE("async_curl_multi: 40 MiB up in 4 MiB parts and back in 4 MiB ranges, four in flight on one thread, faults retried") {
    constexpr std::size_t mib = 1024 * 1024;
    const std::size_t size = 40 * mib + 12345;  // ten full parts and a short eleventh
    using fault = emulated_cos::fault;
    // Parts and ranges by their first byte (the download's first range, bytes 0.., goes alone).
    emulated_cos cos({{"part 2", fault::slow_down},
                      {"part 7", fault::drop_mid_answer},
                      {"part 9", fault::drop_unanswered},
                      {"range " + std::to_string(8 * mib), fault::slow_down},
                      {"range " + std::to_string(20 * mib), fault::drop_mid_answer}});
    loopback::server server([&cos](const loopback::raw_request& r) { return cos(r); });

    temp_dir dir;
    const std::string content = generated(size);
    {
        std::ofstream in(dir.path + "/in", std::ios::binary);
        in.write(content.data(), static_cast<std::streamsize>(content.size()));
    }
    const run_result run = run_example(server.url(), {dir.path + "/in", "big/object.bin", dir.path + "/out"}, dir.path + "/stdout");
    INFO(run.output);
    REQUIRE(run.status == 0);

    // The bytes: stored by the emulator, downloaded to OUT, both equal to FILE; the CRC-64 each
    // machine checked against COS's is the one of those bytes.
    const auto stored = cos.emulator().object("big/object.bin");
    REQUIRE(stored.has_value());
    CHECK((stored->data == content));
    CHECK((read_file(dir.path + "/out") == content));
    const std::string crc = std::to_string(coswire::crc64(content));
    CHECK(run.output.find("upload: " + std::to_string(size) + " bytes in 11 parts, crc64 " + crc + " equal to COS's") != std::string::npos);
    CHECK(run.output.find("download: " + std::to_string(size) + " bytes in 11 ranges, crc64 " + crc + " equal to COS's") !=
          std::string::npos);
    CHECK(cos.emulator().uploads().empty());  // completed, nothing left behind

    // Four transfers in flight at once in each phase, through four easy handles reused.
    CHECK(run.output.find("(Complete), 4 transfers in flight at most") != std::string::npos);
    CHECK(run.output.find("COS's, 4 transfers in flight at most") != std::string::npos);
    CHECK(run.output.find("; 4 easy handles") != std::string::npos);
    // The server saw it too: curl reuses an idle connection, so four open at once means four
    // transfers at once. (Not "exactly four": after a drop curl may connect again before the
    // server has noticed the old connection close.)
    MESSAGE("connections open at once: " << server.most_connections_open());
    CHECK(server.most_connections_open() >= 4);

    // One thread: as the example saw itself at every turn of its loop, and as seen from outside.
    CHECK(run.output.find("threads: 1 at most, 1 now") != std::string::npos);
    CHECK(run.samples > 0);
    CHECK(run.most_threads_seen == 1);

    // Memory: below the object's 40 MiB. Measured: 12 MiB at the start, 29 MiB after the upload
    // (its four 4 MiB part buffers), and the download adds nothing: its pieces go to the file as
    // they arrive.
    MESSAGE("peak RSS of the example: " << run.peak_rss_kib << " KiB");
    if (test_support::rss_bounds_hold) CHECK(run.peak_rss_kib < 40 * 1024);

    // Every fault was injected once and retried by the machine, not by curl: the request came
    // again, marked as a retry.
    CHECK(cos.injected().size() == 5);
    for (const std::string& name : std::vector<std::string>{"part 2", "part 7", "range " + std::to_string(8 * mib),
                                                            "range " + std::to_string(20 * mib)}) {
        CAPTURE(name);
        CHECK(cos.requests_of(name) == std::pair<int, int>{2, 1});
    }
    CHECK(cos.requests_of("part 3") == std::pair<int, int>{1, 0});
    // A connection closed without an answer may be retried by curl itself (before any byte of
    // the answer came, it sends the request again on a new connection) or by the machine.
    CHECK(cos.requests_of("part 9").first == 2);
}
