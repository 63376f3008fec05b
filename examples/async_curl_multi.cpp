// examples/async_curl_multi.cpp: one thread, four transfers in flight over libcurl's multi interface
//
// Uploads FILE to KEY in 4 MiB parts, four at a time, then downloads KEY into OUT in 4 MiB ranges,
// four at a time, all on the calling thread: the multipart upload and download machines say
// what to send and when to wait, libcurl's multi handle does the sending, and the loop below
// (drive_on_multi) carries one to the other. Both CRC-64s are checked against COS's.
#include <coswire/coswire.hpp>
#include <loops/curl_multi_loop.hpp>  // examples/: send step -> easy handle, wait step -> timer
#include <sources/file_source.hpp>    // examples/: an upload_source over pread()

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using coswire::examples::curl_multi_loop;

// Threads in this process now (Linux: entries of /proc/self/task), to show it stays at one.
std::size_t threads_in_process() {
    DIR* dir = ::opendir("/proc/self/task");
    if (dir == nullptr) return 0;
    std::size_t n = 0;
    while (const dirent* entry = ::readdir(dir)) n += entry->d_name[0] != '.';
    ::closedir(dir);
    return n;
}
std::size_t most_threads = 0;

// The loop: runs any coswire step machine to its end on this thread, over the multi handle.
template <coswire::step_machine Machine>
auto drive_on_multi(Machine& m, curl_multi_loop& curl) -> decltype(m.take_result()) {
    // A streamed response (a download range) goes to the machine piece by piece from curl's
    // write callback, as it arrives: the machine checks it and writes it to its sink.
    const coswire::examples::stream_target to_machine{
        .head = [&m](std::uint32_t id, const coswire::http_response& head) { return m.receive_head(id, head); },
        .body = [&m](std::uint32_t id, std::span<const std::byte> bytes) { return m.receive_body(id, bytes); },
    };
    for (;;) {
        // 1. Start whatever the machine asks for: a send is an easy handle added to the multi
        //    handle, a wait (backoff before a retry) a timer. Then it is idle, or done.
        coswire::step s = m.next();
        for (; s.kind == coswire::step_kind::send || s.kind == coswire::step_kind::wait; s = m.next()) {
            if (s.kind == coswire::step_kind::send)
                curl.send(s.id, *s.request, s.streamed ? &to_machine : nullptr);
            else
                curl.after(s.wait_ms, s.id);
        }
        if (s.kind == coswire::step_kind::done) return m.take_result();
        most_threads = std::max(most_threads, threads_in_process());

        // 2. Sleep in curl_multi_poll until a socket is ready or the nearest timer is due, and
        //    let curl_multi_perform move the transfers on.
        if (auto polled = curl.poll(); !polled) return std::move(polled).error();

        // 3. Tell the machine what happened: timers that fired, transfers that finished (from
        //    curl_multi_info_read: the response, or the failure the machine may retry).
        while (auto id = curl.due_timer())
            if (auto fed = m.waited(*id); !fed) return std::move(fed).error();
        while (auto finished = curl.next_finished())
            if (auto fed = m.receive(finished->id, std::move(finished->outcome)); !fed) return std::move(fed).error();
    }
}

// The download's destination: a file written at each range's offset as the bytes arrive.
struct file_sink {
    int fd = -1;
    coswire::result<void> write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
        for (std::size_t done = 0; done < bytes.size();) {
            const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return coswire::make_error(coswire::errc::invalid_argument, "OUT", std::strerror(errno));
            done += static_cast<std::size_t>(n);
        }
        return {};
    }
};

int fail(const char* what, const coswire::error& e) {
    std::fprintf(stderr, "%s failed: %s\n", what, coswire::describe(e).c_str());
    return 1;
}

int main(int argc, char** argv) {
    auto env = [](const char* name) { const char* v = std::getenv(name); return v ? v : ""; };
    if (argc != 4 || !*env("COS_BUCKET") || !*env("COS_REGION") || !*env("COS_SECRET_ID"))
        return std::fprintf(stderr, "usage: COS_BUCKET=.. COS_REGION=.. COS_SECRET_ID=.. COS_SECRET_KEY=.. "
                                    "[COS_ENDPOINT=URL] %s FILE KEY OUT\n", argv[0]), 2;
    auto endpoint = coswire::make_endpoint(env("COS_BUCKET"), env("COS_REGION"));
    auto file = coswire::examples::file_source::open(argv[1]);
    if (!endpoint || !file) return fail("setup", !endpoint ? endpoint.error() : file.error());
    const coswire::credentials creds{.secret_id = env("COS_SECRET_ID"), .secret_key = coswire::secret_string(env("COS_SECRET_KEY"))};

    // The machines take time as a parameter: Unix seconds to sign with, from this program's clock.
    coswire::operation_context context(*endpoint, creds, [] {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    });
    curl_global_init(CURL_GLOBAL_DEFAULT);
    {
        // One multi handle for both transfers, so the download reuses the upload's connections.
        // COS_ENDPOINT (e.g. http://127.0.0.1:9000) changes where to connect; Host stays COS's.
        curl_multi_loop curl({.connect_to = env("COS_ENDPOINT")}, [] {
            return static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
        });

        auto plan = coswire::plan_parts(file->size(), 4 * coswire::mib);
        if (!plan) return fail("plan", plan.error());
        auto upload = coswire::make_multipart_upload_machine(context, argv[2], *file, *plan, {}, 4);
        auto uploaded = drive_on_multi(upload, curl);  // aborts the upload on failure
        if (!uploaded) return fail("upload", uploaded.error());
        std::printf("upload: %llu bytes in %u parts, crc64 %llu equal to COS's (%s), %zu transfers in flight at most\n",
                    static_cast<unsigned long long>(file->size()), uploaded->parts, static_cast<unsigned long long>(uploaded->crc64),
                    uploaded->verified.crc64_from == coswire::crc64_evidence::complete_header ? "Complete" : "HEAD",
                    curl.take_most_in_flight());

        file_sink out{.fd = ::open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
        if (out.fd < 0) return std::fprintf(stderr, "%s: %s\n", argv[3], std::strerror(errno)), 2;
        coswire::download_machine<file_sink> download(context, argv[2], out, {.part_size = 4 * coswire::mib}, 4);
        auto downloaded = drive_on_multi(download, curl);
        ::close(out.fd);
        if (!downloaded) return fail("download", downloaded.error());
        std::printf("download: %llu bytes in %u ranges, crc64 %llu %s, %zu transfers in flight at most\n",
                    static_cast<unsigned long long>(downloaded->size), downloaded->ranges,
                    static_cast<unsigned long long>(downloaded->crc64),
                    downloaded->crc == coswire::crc_check::verified ? "equal to COS's" : "not sent by COS",
                    curl.take_most_in_flight());
        std::printf("threads: %zu at most, %zu now; %zu easy handles\n", most_threads, threads_in_process(), curl.easy_handles());
        if (downloaded->crc64 != uploaded->crc64) return std::fprintf(stderr, "the CRC-64s differ\n"), 1;
    }
    curl_global_cleanup();
}
