// examples/upload_with_curl.cpp: upload a file of any size to COS in parts over libcurl
#include <coswire/coswire.hpp>
#include <sources/file_source.hpp>        // examples/: an upload_source over pread()
#include <coswire/transport/curl.hpp>      // optional: the libcurl transport (-lcurl)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

int main(int argc, char** argv) {
    auto env = [](const char* name) { const char* v = std::getenv(name); return v ? v : ""; };
    if (argc != 3 || !*env("COS_BUCKET") || !*env("COS_REGION") || !*env("COS_SECRET_ID"))
        return std::fprintf(stderr, "usage: COS_BUCKET=.. COS_REGION=.. COS_SECRET_ID=.. COS_SECRET_KEY=.. "
                                    "[COS_SESSION_TOKEN=..] [COS_ENDPOINT=URL] %s FILE KEY\n", argv[0]), 2;
    auto endpoint = coswire::make_endpoint(env("COS_BUCKET"), env("COS_REGION"));
    auto file = coswire::examples::file_source::open(argv[1]);
    if (!endpoint || !file)
        return std::fprintf(stderr, "%s\n", coswire::describe(!endpoint ? endpoint.error() : file.error()).c_str()), 2;
    const coswire::credentials creds{.secret_id = env("COS_SECRET_ID"),
                                     .secret_key = coswire::secret_string(env("COS_SECRET_KEY")),
                                     .session_token = coswire::secret_string(env("COS_SESSION_TOKEN"))};
    // COS_ENDPOINT, e.g. http://127.0.0.1:9000, changes where to connect; Host stays COS's.
    coswire::transports::curl_transport curl({.connect_to = env("COS_ENDPOINT")});
    coswire::client<coswire::transports::curl_transport> cos(
        *endpoint, creds, curl,
        [] { return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count(); },
        [](std::uint32_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); });
    auto plan = coswire::plan_parts(file->size());  // aligned parts, at most 10000, explained
    if (!plan) return std::fprintf(stderr, "%s\n", coswire::describe(plan.error()).c_str()), 1;
    std::printf("%s\n", plan->explanation.c_str());
    coswire::multipart_upload_options options;
    options.on_progress = [](const coswire::upload_progress& p) {
        std::fprintf(stderr, "\rpart %u/%u", p.parts_done, p.part_count);
    };
    auto done = coswire::upload_multipart(cos, argv[2], *file, *plan, options);  // aborts on failure
    if (!done) return std::fprintf(stderr, "\nerror: %s\n", coswire::describe(done.error()).c_str()), 1;
    std::printf("\netag=%s crc64=%llu parts=%u\n", done->etag.c_str(),
                static_cast<unsigned long long>(done->crc64), done->parts);
}
