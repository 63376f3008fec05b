// SPDX-License-Identifier: MIT
// coswire-bench: coswire side by side with OpenSSL 3, ISA-L, a plain slicing-by-8 CRC-64 and
// pugixml in one process, sides alternating, medians reported (issue 5). The lines starting
// "ratio " and "allocs " are the machine-readable contract; everything else is for people.
#include "alloc_counter.hpp"
#include "client.hpp"
#include "crc64_slicing8.hpp"
#include "download.hpp"
#include "driver.hpp"
#include "listparts.hpp"
#include "openssl_reference.hpp"

#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/crypto/sha1.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/sign/authorization.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/http_string.hpp>
#include <coswire/time/key_time.hpp>

#include <isa-l/crc64.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <malloc.h>  // mallopt (glibc; the allocation counter already relies on glibc)

namespace {

using clock_type = std::chrono::steady_clock;

/// Makes the compiler treat `value` as read and all memory as possibly changed, so neither the
/// computation of `value` nor that of the next iteration (from the same inputs) can be dropped.
template <class T>
void keep(const T& value) noexcept {
    asm volatile("" : : "g"(&value) : "memory");
}

/// Full mode: 21 samples of >= 80 ms per side (about a minute); --quick: 5 of >= 20 ms.
struct settings {
    bool quick = false;
    std::size_t samples = 21;
    double min_sample_ns = 80e6;
};

/// One comparison: medians of each side, throughput basis and allocations per operation.
struct row {
    std::string_view name;
    std::string_view coswire_side;
    std::string_view reference_side;
    double bytes = 0;  // processed per operation; 0 when throughput means nothing
    double coswire_ns = 0;
    double reference_ns = 0;
    double coswire_allocs = 0;
    double reference_allocs = 0;

    double ratio() const noexcept { return reference_ns / coswire_ns; }
};

template <class F>
double run_ns(F& f, std::uint64_t iterations) {
    const auto t0 = clock_type::now();
    for (std::uint64_t i = 0; i < iterations; ++i) f();
    const auto t1 = clock_type::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

/// The iteration count whose run lasts at least `min_ns` (and warms caches and lazy
/// initialisation on the way).
template <class F>
std::uint64_t calibrate(F& f, double min_ns) {
    std::uint64_t n = 1;
    for (;;) {
        const double t = run_ns(f, n);
        if (t >= min_ns) return n;
        const double factor = std::clamp(t > 0 ? 1.25 * min_ns / t : 100.0, 2.0, 100.0);
        n = static_cast<std::uint64_t>(static_cast<double>(n) * factor) + 1;
    }
}

template <class F>
double allocations_per_op(F& f, std::uint64_t n) {
    const std::uint64_t before = bench::allocation_count();
    for (std::uint64_t i = 0; i < n; ++i) f();
    return static_cast<double>(bench::allocation_count() - before) / static_cast<double>(n);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t mid = v.size() / 2;
    return v.size() % 2 != 0 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/// Times both sides: each sample runs one side then the other, the order flipping every
/// sample so neither always runs on a warmer cache or a calmer machine.
template <class C, class R>
row compare(const settings& s, row info, C coswire_op, R reference_op) {
    std::fprintf(stderr, "coswire-bench: %.*s\n", static_cast<int>(info.name.size()), info.name.data());
    const std::uint64_t n_cos = calibrate(coswire_op, s.min_sample_ns);
    const std::uint64_t n_ref = calibrate(reference_op, s.min_sample_ns);
    info.coswire_allocs = allocations_per_op(coswire_op, std::min<std::uint64_t>(n_cos, 16));
    info.reference_allocs = allocations_per_op(reference_op, std::min<std::uint64_t>(n_ref, 16));
    std::vector<double> cos_samples, ref_samples;
    for (std::size_t i = 0; i < s.samples; ++i) {
        if (i % 2 == 0) {
            cos_samples.push_back(run_ns(coswire_op, n_cos) / static_cast<double>(n_cos));
            ref_samples.push_back(run_ns(reference_op, n_ref) / static_cast<double>(n_ref));
        } else {
            ref_samples.push_back(run_ns(reference_op, n_ref) / static_cast<double>(n_ref));
            cos_samples.push_back(run_ns(coswire_op, n_cos) / static_cast<double>(n_cos));
        }
    }
    info.coswire_ns = median(std::move(cos_samples));
    info.reference_ns = median(std::move(ref_samples));
    return info;
}

std::string format_time(double ns) {
    char text[32];
    if (ns < 1e3) std::snprintf(text, sizeof text, "%.1f ns", ns);
    else if (ns < 1e6) std::snprintf(text, sizeof text, "%.2f us", ns / 1e3);
    else std::snprintf(text, sizeof text, "%.2f ms", ns / 1e6);
    return text;
}

std::string format_rate(double bytes, double ns) {
    if (bytes == 0) return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", bytes / ns);  // bytes per ns = GB/s
    return text;
}

/// Allocation counts print as integers when they are (the usual case), else with decimals.
std::string format_count(double v) {
    char text[32];
    if (v == static_cast<double>(static_cast<std::uint64_t>(v))) std::snprintf(text, sizeof text, "%llu", static_cast<unsigned long long>(v));
    else std::snprintf(text, sizeof text, "%.2f", v);
    return text;
}

int fail(const char* what) {
    std::fprintf(stderr, "coswire-bench: %s\n", what);
    return 1;
}

bool same_digest(const auto& ours, const unsigned char* theirs, unsigned int theirs_size) {
    return theirs_size == ours.size() && std::memcmp(ours.data(), theirs, ours.size()) == 0;
}

constexpr std::string_view usage =
    "usage: coswire-bench [--quick]\n"
    "  Times coswire against OpenSSL 3, ISA-L, a slicing-by-8 CRC-64 and pugixml, alternating the\n"
    "  two sides, and prints a table plus 'ratio <name> <reference/coswire>' and\n"
    "  'allocs <name> <per operation>' lines, and 'peak_bytes multipart_driver <bytes>' (heap in\n"
    "  use at most while upload_multipart sends 64 MiB in 8 MiB parts from a source that can only\n"
    "  read; multipart_driver_lent: from memory_source), and 'peak_bytes download_sequential' /\n"
    "  'download_parallel_4' (256 MiB downloaded in 8 MiB ranges). --quick: fewer, shorter samples.\n";

// docs/protocol/test-vectors.md#documented-put-example: the published Authorization of the documented PUT example.
constexpr std::string_view documented_put_authorization =
    "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989151;1557996351"
    "&q-key-time=1557989151;1557996351&q-header-list=content-length;content-md5;content-type;date;host;"
    "x-cos-acl;x-cos-grant-read&q-url-param-list=&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172";

}  // namespace

int main(int argc, char** argv) {
    // Keep freed memory in the process, with fixed thresholds. By default glibc returns large
    // blocks to the OS (munmap, heap trimming) and adapts its thresholds to what was freed
    // before, so a row's cost depended on the page-fault speed of the machine and on which row
    // ran first: on a Zen 5 VM whose page faults are slow, pugixml's side (a fresh 1.9 MB copy
    // of the input per parse) took 24-29 ms a document instead of 2.7 ms, and the XML rows read
    // 9-15x instead of 1.1-1.5x. Both sides now run on a warm heap, as in a long-lived process.
    if (mallopt(M_MMAP_THRESHOLD, 32 << 20) != 1 || mallopt(M_TRIM_THRESHOLD, 1 << 30) != 1) {
        std::fputs("coswire-bench: mallopt refused the heap settings\n", stderr);
        return 1;
    }
    settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--quick") {
            s.quick = true;
            s.samples = 5;
            s.min_sample_ns = 20e6;
        } else {
            std::fputs(usage.data(), arg == "--help" ? stdout : stderr);
            return arg == "--help" ? 0 : 2;
        }
    }

    // ---- Signing inputs (docs/protocol/test-vectors.md#documented-put-example), held in run-time strings as an application would. ----
    const std::vector<std::pair<std::string, std::string>> header_storage = {
        {"Date", "Thu, 16 May 2019 06:45:51 GMT"},
        {"Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"},
        {"Content-Type", "text/plain"},
        {"Content-Length", "13"},
        {"Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="},
        {"x-cos-acl", "private"},
        {"x-cos-grant-read", "uin=\"100000000011\""},
    };
    const std::string method = "PUT";
    const std::string path = "/exampleobject(\xE8\x85\xBE\xE8\xAE\xAF\xE4\xBA\x91)";  // /exampleobject(腾讯云)
    const std::string secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q";
    const std::string secret_key = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";
    coswire::key_time put_time{1557989151, 1557996351};
    keep(put_time);

    std::vector<coswire::header_field> headers;
    for (const auto& [name, value] : header_storage) headers.push_back({name, value});
    const coswire::credentials creds{.secret_id = secret_id, .secret_key = coswire::secret_string(secret_key)};
    const coswire::signable_request put_request{method, path, {}, headers};
    const coswire::sign_options sign_all{.headers = coswire::header_selection::all};  // docs/protocol/test-vectors.md#documented-put-example signs every header
    const openssl_reference::request reference_request{method, path, {}, header_storage};

    std::array<char, 512> auth{};
    auto coswire_sign = [&] {
        auto n = coswire::sign_to(auth, put_request, creds, put_time, sign_all);
        keep(n);
        keep(auth);
    };
    auto openssl_sign = [&] {
        std::string a = openssl_reference::authorization(reference_request, secret_id, secret_key, put_time.start,
                                                         put_time.end);
        keep(a);
    };
    auto cached = coswire::signer::create(creds, put_time);
    if (!cached) return fail("signer::create failed on the documented credentials");
    const coswire::signer& signer = *cached;
    auto coswire_sign_cached = [&] {
        auto n = signer.sign_to(auth, put_request, sign_all);
        keep(n);
        keep(auth);
    };

    // ---- Every side must compute the same thing before any of it is timed. ----
    {
        auto n = coswire::sign_to(auth, put_request, creds, put_time, sign_all);
        if (!n) return fail("coswire::sign_to failed on the documented PUT example");
        const std::string coswire_value(auth.data(), *n);
        const std::string openssl_value = openssl_reference::authorization(reference_request, secret_id, secret_key,
                                                                           put_time.start, put_time.end);
        if (coswire_value != openssl_value || coswire_value != documented_put_authorization) {
            std::fprintf(stderr, "coswire:    %s\nopenssl:    %s\ndocumented: %.*s\n", coswire_value.c_str(),
                         openssl_value.c_str(), static_cast<int>(documented_put_authorization.size()),
                         documented_put_authorization.data());
            return fail("Authorization mismatch between coswire and the OpenSSL reference");
        }
        auto m = signer.sign_to(auth, put_request, sign_all);
        auto str = signer.authorization(put_request, sign_all);
        if (!m || std::string_view(auth.data(), *m) != coswire_value || !str || *str != coswire_value)
            return fail("signer::sign_to or signer::authorization differs from coswire::sign_to");
    }

    constexpr std::size_t crc_size = std::size_t{64} << 20, md5_size = std::size_t{1} << 20, sha1_big = 16384,
                          sha1_small = 64;
    std::string data(crc_size, '\0');
    {
        std::uint64_t x = 0x2545F4914F6CDD1Du;
        for (std::size_t i = 0; i < data.size(); i += 8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            std::memcpy(data.data() + i, &x, 8);  // crc_size is a multiple of 8
        }
    }
    keep(data);
    const std::string_view all = data;
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());

    openssl_reference::evp_digest evp_sha1("SHA1"), evp_md5("MD5");
    if (!evp_sha1.ok() || !evp_md5.ok()) return fail("OpenSSL could not fetch SHA1 or MD5");
    unsigned char md[EVP_MAX_MD_SIZE];
    for (std::size_t size : {sha1_small, sha1_big}) {
        const unsigned int n = evp_sha1.digest(all.substr(0, size), md);
        if (!same_digest(coswire::sha1_hash(all.substr(0, size)), md, n)) return fail("SHA-1 differs from OpenSSL");
    }
    if (!same_digest(coswire::md5_hash(all.substr(0, md5_size)), md, evp_md5.digest(all.substr(0, md5_size), md)))
        return fail("MD5 differs from OpenSSL");

    // ISA-L's crc64_ecma_refl inverts the seed on entry and the result on exit, so seed 0 and
    // no post-processing give CRC-64/XZ; checked here rather than assumed.
    constexpr std::string_view check = "123456789";
    constexpr std::uint64_t check_value = 0x995DC9BBDF1939FAu;
    const bench::crc64_slicing8 slicing8;
    const auto* check_bytes = reinterpret_cast<const unsigned char*>(check.data());
    if (crc64_ecma_refl(0, check_bytes, check.size()) != check_value)
        return fail("ISA-L crc64_ecma_refl(0, \"123456789\") is not the CRC-64/XZ check value");
    if (slicing8(0, check_bytes, check.size()) != check_value || coswire::crc64(check) != check_value)
        return fail("CRC-64/XZ check value mismatch");
    const std::uint64_t crc_all = coswire::crc64(all);
    if (crc64_ecma_refl(0, bytes, data.size()) != crc_all || slicing8(0, bytes, data.size()) != crc_all)
        return fail("CRC-64 of the 64 MiB buffer differs between coswire, ISA-L and slicing-by-8");

    std::vector<bench::part_info> expected_parts;
    const std::string xml = bench::make_list_parts_document(10000, expected_parts);
    keep(xml);
    {
        std::vector<bench::part_info> a, b;
        if (!bench::coswire_list_parts(xml, a)) return fail("coswire::xml::reader rejected the ListParts document");
        if (!bench::pugixml_list_parts(xml, b)) return fail("pugixml rejected the ListParts document");
        if (a != expected_parts || b != expected_parts)
            return fail("coswire and pugixml extracted different parts from the ListParts document");
        const coswire::result<std::size_t> walked = bench::coswire_walk_parts(xml);
        if (!walked || *walked == 0 || *walked != bench::pugixml_walk_parts(xml))
            return fail("coswire and pugixml visited different texts in the ListParts document");
    }
    // The same document through the parser users call, which also checks every field, unquotes
    // the ETags and converts the times; the response is built once, outside the timing.
    coswire::http_response list_parts_response;
    list_parts_response.status = 200;
    list_parts_response.body = xml;
    {
        auto page = coswire::parse_list_parts_response(list_parts_response);
        if (!page || page->parts.size() != expected_parts.size()) return fail("parse_list_parts_response rejected the ListParts document");
        for (std::size_t i = 0; i < expected_parts.size(); ++i) {
            const coswire::listed_part& p = page->parts[i];
            const bench::part_info& e = expected_parts[i];
            if (p.part_number != e.number || p.etag_raw != e.etag || p.size != e.size || !p.last_modified)
                return fail("parse_list_parts_response extracted different parts from the ListParts document");
        }
    }

    // The multipart driver: 64 MiB in 8 MiB parts through a COS whose answers are ready, against
    // the per-part MD5 and CRC-64 any correct client computes (bench/driver.hpp).
    const std::span<const std::byte> object = std::as_bytes(std::span<const char>(data.data(), data.size()));
    const auto plan = coswire::plan_parts(object.size());
    if (!plan) return fail("plan_parts refused 64 MiB");
    bench::canned_cos canned(object, *plan);
    if (!bench::upload_through_driver(canned, object, *plan)) return fail("upload_multipart failed against the canned COS");
    // The download driver: the same 64 MiB in 8 MiB ranges from a streaming COS (bench/download.hpp).
    bench::canned_object canned_download(object);
    if (!bench::download_through_driver(canned_download, object.size(), plan->part_size))
        return fail("download_object failed against the canned COS");

    // One HEAD through the client's retry loop, and the same work by hand (bench/client.hpp).
    bench::canned_head canned_head_answer;
    auto head_client = bench::head_client(canned_head_answer);
    const coswire::credentials_provider head_credentials = [] { return coswire::result<coswire::credentials>(bench::bench_credentials()); };
    if (!bench::head_through_client(head_client) ||
        !bench::head_by_hand(head_client.bucket_endpoint(), head_credentials, canned_head_answer))
        return fail("HEAD Object failed against the canned answer");
    auto client_side = [&] { keep(bench::head_through_client(head_client)); };
    auto by_hand_side = [&] { keep(bench::head_by_hand(head_client.bucket_endpoint(), head_credentials, canned_head_answer)); };

    // ---- Timing. ----
    std::vector<row> rows;
    rows.push_back(compare(s,
                           {"sign_vs_openssl", "coswire::sign_to, stack buffer",
                            "OpenSSL HMAC()/EVP_Digest, std::string, std::sort"},
                           coswire_sign, openssl_sign));
    rows.push_back(compare(s,
                           {"sign_cached_vs_openssl", "signer reused: signer::sign_to",
                            "OpenSSL HMAC()/EVP_Digest, std::string, std::sort"},
                           coswire_sign_cached, openssl_sign));
    for (std::size_t size : {sha1_big, sha1_small}) {
        const std::string_view in = all.substr(0, size);
        rows.push_back(compare(
            s,
            {size == sha1_big ? "sha1_16k_vs_openssl" : "sha1_64b_vs_openssl", "coswire::sha1_hash",
             "OpenSSL EVP (fetched once, context reused)", static_cast<double>(size)},
            [&, in] { keep(coswire::sha1_hash(in)); },
            [&, in] {
                keep(evp_sha1.digest(in, md));
                keep(md);
            }));
    }
    {
        const std::string_view in = all.substr(0, md5_size);
        rows.push_back(compare(
            s, {"md5_1m_vs_openssl", "coswire::md5_hash", "OpenSSL EVP (fetched once, context reused)", static_cast<double>(md5_size)},
            [&] { keep(coswire::md5_hash(in)); },
            [&] {
                keep(evp_md5.digest(in, md));
                keep(md);
            }));
    }
    rows.push_back(compare(s, {"crc64_64m_vs_isal", "coswire::crc64", "ISA-L crc64_ecma_refl", static_cast<double>(crc_size)},
                           [&] { keep(coswire::crc64(all)); },
                           [&] { keep(crc64_ecma_refl(0, bytes, data.size())); }));
    rows.push_back(compare(s,
                           {"crc64_64m_vs_slicing8", "coswire::crc64", "portable slicing-by-8 (bench)", static_cast<double>(crc_size)},
                           [&] { keep(coswire::crc64(all)); }, [&] { keep(slicing8(0, bytes, data.size())); }));
    // Both XML rows time the same pugixml side.
    const auto pugixml_side = [&] {
        std::vector<bench::part_info> parts;
        const bool ok = bench::pugixml_list_parts(xml, parts);
        keep(ok);
        keep(parts);
    };
    rows.push_back(compare(
        s,
        {"xml_listparts_vs_pugixml", "xml::reader + for_each_child", "pugixml load_buffer + children(\"Part\")",
         static_cast<double>(xml.size())},
        [&] {
            std::vector<bench::part_info> parts;
            auto ok = bench::coswire_list_parts(xml, parts);
            keep(ok);
            keep(parts);
        },
        pugixml_side));
    rows.push_back(compare(
        s,
        {"xml_listparts_walk_vs_pugixml", "xml::reader + for_each_child, texts visited, nothing kept",
         "pugixml load_buffer + every Part's children visited", static_cast<double>(xml.size())},
        [&] { keep(bench::coswire_walk_parts(xml)); }, [&] { keep(bench::pugixml_walk_parts(xml)); }));
    rows.push_back(compare(
        s,
        {"xml_listparts_parser_vs_pugixml", "parse_list_parts_response (validated, times parsed)",
         "pugixml load_buffer + children(\"Part\")", static_cast<double>(xml.size())},
        [&] {
            auto page = coswire::parse_list_parts_response(list_parts_response);
            keep(page);
        },
        pugixml_side));

    rows.push_back(compare(s,
                           {"multipart_driver_vs_hashing", "upload_multipart, 64 MiB in 8 MiB parts, canned COS",
                            "MD5 + CRC-64 of each part (coswire's)", static_cast<double>(crc_size)},
                           [&] { keep(bench::upload_through_driver(canned, object, *plan)); },
                           [&] { keep(bench::hash_parts(object, *plan)); }));
    rows.push_back(compare(s,
                           {"multipart_driver_copying_vs_hashing", "the same from a source that can only read",
                            "MD5 + CRC-64 of each part (coswire's)", static_cast<double>(crc_size)},
                           [&] { keep(bench::upload_through_driver<bench::read_only_source>(canned, object, *plan)); },
                           [&] { keep(bench::hash_parts(object, *plan)); }));
    coswire::multipart_upload_options no_md5;
    no_md5.content_md5 = false;
    rows.push_back(compare(s,
                           {"multipart_driver_no_md5_vs_crc64", "upload_multipart, content_md5 = false, the same",
                            "CRC-64 of each part (coswire's)", static_cast<double>(crc_size)},
                           [&] { keep(bench::upload_through_driver(canned, object, *plan, no_md5)); },
                           [&] { keep(bench::crc_parts(object, *plan)); }));
    rows.push_back(compare(s,
                           {"download_driver_vs_crc64", "download_object, 64 MiB in 8 MiB ranges, canned COS",
                            "CRC-64 of the object (coswire's)", static_cast<double>(crc_size)},
                           [&] { keep(bench::download_through_driver(canned_download, object.size(), plan->part_size)); },
                           [&] { keep(coswire::crc64(object)); }));
    rows.push_back(compare(s,
                           {"client_send_vs_by_hand", "client::send(head_object_params), canned 200",
                            "build, sign, transport, parse by hand, no loop"},
                           client_side, by_hand_side));
    // Peak heap of a 256 MiB download in 8 MiB ranges (the object itself is allocated before):
    // into a sequential sink, and with 4 workers into a positional one.
    std::vector<std::byte> big_object(std::size_t{256} << 20);
    for (std::size_t i = 0; i < big_object.size(); i += 4096) big_object[i] = static_cast<std::byte>(i >> 12);
    bench::canned_object canned_big(big_object);
    bench::start_peak_tracking();
    const bool downloaded = bench::download_through_driver(canned_big, big_object.size(), plan->part_size);
    const std::int64_t download_peak = bench::stop_peak_tracking();
    bench::start_peak_tracking();
    const bool downloaded_4 = bench::download_through_driver(canned_big, big_object.size(), plan->part_size, 4);
    const std::int64_t download_4_peak = bench::stop_peak_tracking();
    if (!downloaded || !downloaded_4) return fail("download_object failed on the 256 MiB object");
    // Peak heap: the reading driver holds one part buffer; the lending one none.
    bench::start_peak_tracking();
    const bool uploaded = bench::upload_through_driver<bench::read_only_source>(canned, object, *plan);
    const std::int64_t driver_peak = bench::stop_peak_tracking();
    bench::start_peak_tracking();
    const bool uploaded_lent = bench::upload_through_driver(canned, object, *plan);
    const std::int64_t lent_driver_peak = bench::stop_peak_tracking();
    if (!uploaded || !uploaded_lent) return fail("upload_multipart failed against the canned COS");

    constexpr std::uint64_t alloc_runs = 1000;
    const double sign_buffer_allocs = allocations_per_op(coswire_sign, alloc_runs);
    auto coswire_sign_string = [&] {
        auto a = signer.authorization(put_request, sign_all);
        keep(a);
    };
    const double sign_string_allocs = allocations_per_op(coswire_sign_string, alloc_runs);

    // What the client's loop allocates beyond the work any signed request needs.
    const double client_beyond_allocs = allocations_per_op(client_side, alloc_runs) - allocations_per_op(by_hand_side, alloc_runs);
    coswire::operation_context head_context(head_client.bucket_endpoint(), bench::bench_credentials(),
                                            [] { return std::int64_t{1700000000}; });
    const std::uint64_t bookkeeping_allocs = bench::machine_bookkeeping_allocations(head_context, *canned_head_answer(coswire::http_request{}));
    if (bookkeeping_allocs == std::numeric_limits<std::uint64_t>::max()) return fail("the operation machine went astray on a retried HEAD");
    // ---- Report: the table for people, then the machine lines. ----
    std::printf("coswire-bench%s: per side the median of %zu samples, each >= %.0f ms; sides alternate\n",
                s.quick ? " --quick" : "", s.samples, s.min_sample_ns / 1e6);
    std::printf("(ratio = reference time / coswire time: above 1 means coswire is faster; GB/s = 1e9 bytes/s)\n\n");
    std::printf("%-36s %12s %12s %8s %10s %10s %9s %9s\n", "comparison", "coswire", "reference", "ratio", "cos GB/s",
                "ref GB/s", "cos alloc", "ref alloc");
    for (const row& r : rows)
        std::printf("%-36.*s %12s %12s %7.3fx %10s %10s %9s %9s\n", static_cast<int>(r.name.size()), r.name.data(),
                    format_time(r.coswire_ns).c_str(), format_time(r.reference_ns).c_str(), r.ratio(),
                    format_rate(r.bytes, r.coswire_ns).c_str(), format_rate(r.bytes, r.reference_ns).c_str(),
                    format_count(r.coswire_allocs).c_str(), format_count(r.reference_allocs).c_str());
    std::printf("\n%-26s %s\n", "heap allocations per op", "(1000 operations each)");
    std::printf("%-26s %s  (coswire::sign_to into a buffer; target 0)\n", "sign_buffer", format_count(sign_buffer_allocs).c_str());
    std::printf("%-26s %s  (signer::authorization -> std::string; target <= 1)\n", "sign_string",
                format_count(sign_string_allocs).c_str());
    std::printf("%-26s %s  (client::send beyond the same work by hand; target 0)\n", "client_send_beyond_by_hand",
                format_count(client_beyond_allocs).c_str());
    std::printf("%-26s %llu  (operation machine: wait, idle, waited, done, take_result of a retried HEAD; target 0)\n",
                "machine_bookkeeping", static_cast<unsigned long long>(bookkeeping_allocs));
    std::printf("%-26s %lld bytes = %.2f x the %llu-byte part size (target: about part size x parts in flight, 1 here)\n",
                "peak heap, driver", static_cast<long long>(driver_peak),
                static_cast<double>(driver_peak) / static_cast<double>(plan->part_size),
                static_cast<unsigned long long>(plan->part_size));
    std::printf("%-26s %lld bytes (memory_source lends its bytes: no part buffer)\n", "peak heap, driver, lent",
                static_cast<long long>(lent_driver_peak));
    std::printf("%-26s %lld bytes (download_object, 256 MiB in 8 MiB ranges, sequential sink; target <= 1 MiB + one part)\n",
                "peak heap, download", static_cast<long long>(download_peak));
    std::printf("%-26s %lld bytes (download_object_parallel, 4 workers, positional sink; target <= 4 parts + 1 MiB)\n",
                "peak heap, download x4", static_cast<long long>(download_4_peak));
    std::printf("\nsides:\n");
    for (const row& r : rows)
        std::printf("  %-24.*s %.*s | %.*s\n", static_cast<int>(r.name.size()), r.name.data(),
                    static_cast<int>(r.coswire_side.size()), r.coswire_side.data(),
                    static_cast<int>(r.reference_side.size()), r.reference_side.data());
    std::printf("  inputs: sign = docs/protocol/test-vectors.md PUT example, all 7 headers signed; XML = %zu parts, %zu bytes\n\n",
                expected_parts.size(), xml.size());

    for (const row& r : rows)
        std::printf("ratio %.*s %.3f\n", static_cast<int>(r.name.size()), r.name.data(), r.ratio());
    std::printf("allocs sign_buffer %s\n", format_count(sign_buffer_allocs).c_str());
    std::printf("allocs sign_string %s\n", format_count(sign_string_allocs).c_str());
    std::printf("allocs client_send_beyond_by_hand %s\n", format_count(client_beyond_allocs).c_str());
    std::printf("allocs machine_bookkeeping_steps %llu\n", static_cast<unsigned long long>(bookkeeping_allocs));
    std::printf("peak_bytes multipart_driver %lld\n", static_cast<long long>(driver_peak));
    std::printf("peak_bytes multipart_driver_lent %lld\n", static_cast<long long>(lent_driver_peak));
    std::printf("peak_bytes download_sequential %lld\n", static_cast<long long>(download_peak));
    std::printf("peak_bytes download_parallel_4 %lld\n", static_cast<long long>(download_4_peak));
    return 0;
}
