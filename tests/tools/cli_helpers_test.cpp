// SPDX-License-Identifier: MIT
// The coswire CLI's own helpers: SIZE arguments and --human sizes, cp's cos:// arguments, the
// --profile settings, the stop-signal flag, the progress line, and the partial file and
// checkpoint file of `get`.
#include "cli/download_file.hpp"
#include "cli/interrupt.hpp"
#include "cli/location.hpp"
#include "cli/profile.hpp"
#include "cli/progress.hpp"
#include "cli/resign.hpp"
#include "cli/size.hpp"

#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

TEST_CASE("parse_size reads bytes and binary suffixes") {
    CHECK(cli::parse_size("0") == std::uint64_t{0});
    CHECK(cli::parse_size("1048576") == std::uint64_t{1} << 20);
    CHECK(cli::parse_size("512K") == std::uint64_t{512} << 10);
    CHECK(cli::parse_size("512k") == std::uint64_t{512} << 10);
    CHECK(cli::parse_size("16M") == std::uint64_t{16} << 20);
    CHECK(cli::parse_size("1G") == std::uint64_t{1} << 30);
    CHECK(cli::parse_size("2t") == std::uint64_t{2} << 40);
    CHECK(cli::parse_size("18446744073709551615") == UINT64_MAX);
    CHECK(cli::parse_size("16777215T") == std::uint64_t{16777215} << 40);
}

TEST_CASE("parse_size refuses what is not a size, and overflow") {
    for (const char* bad : {"", "M", "-1", "+1", " 1", "1 ", "1.5M", "1MB", "1Mi", "0x10", "1P", "18446744073709551616",
                            "16777216T", "99999999999999999999", "000000000000000000001"})
        CHECK_MESSAGE(!cli::parse_size(bad), bad);
}

TEST_CASE("the first stop signal is recorded for the transfer to poll") {
    cli::catch_stop_signals();
    CHECK_FALSE(cli::stop_requested());
    CHECK(cli::stop_signal() == 0);
    std::raise(SIGTERM);
    CHECK(cli::stop_requested());
    CHECK(cli::stop_signal() == SIGTERM);
}

TEST_CASE("the progress line shows bytes, rate and time left; a stream has no total") {
    constexpr std::uint64_t mib = 1 << 20;
    CHECK(cli::progress_line(16 * mib, 64 * mib, 8.0 * mib, "") ==
          "[#######.......................]  25%  16.0/64.0 MiB  8.0 MiB/s  ETA 6s");
    CHECK(cli::progress_line(0, 64 * mib, 0, "  part 0/8") ==
          "[..............................]   0%  0.0/64.0 MiB  0.0 MiB/s  ETA --  part 0/8");
    CHECK(cli::progress_line(3 * mib, 0, 1.5 * mib, "  part 3") == "3.0 MiB  1.5 MiB/s  part 3");
    CHECK(cli::eta_text(59.4) == "59s");
    CHECK(cli::eta_text(187) == "3m07s");
    CHECK(cli::eta_text(3720) == "1h02m");
    CHECK(cli::eta_text(-1) == "--");
}

TEST_CASE("resign_as_sent recovers the parts a request was signed with, and only those") {
    const coswire::credentials creds{"AKIDresign", coswire::secret_string("resignSecretKey0123456789"), coswire::secret_string("tokenValue123")};
    coswire::http_request r{.method = "PUT", .host = "b-1250000000.cos.ap-beijing.myqcloud.com", .path = "/a b",
                            .wire_path = "/a%20b", .query = {{"partNumber", "2"}, {"uploadId", "up1"}},
                            .headers = {{"Host", "b-1250000000.cos.ap-beijing.myqcloud.com"}, {"Content-Length", "3"},
                                        {"x-cos-meta-a", "v"}, {"User-Agent", "x"}}};
    auto s = coswire::signer::create(creds, coswire::key_time{1700000000, 1700003600});
    REQUIRE(s);
    auto signed_parts = coswire::authorize(r, *s);
    REQUIRE(signed_parts);
    const auto recovered = cli::resign_as_sent(r, creds);
    REQUIRE(recovered);
    CHECK(recovered->authorization == signed_parts->authorization);
    CHECK(recovered->http_string == signed_parts->http_string);
    CHECK(recovered->string_to_sign == signed_parts->string_to_sign);

    // Another key, a header changed after signing, or no Authorization: nothing to explain with.
    const coswire::credentials other{"AKIDresign", coswire::secret_string("anotherSecretKey0123456789"), coswire::secret_string("tokenValue123")};
    CHECK_FALSE(cli::resign_as_sent(r, other));
    coswire::http_request changed = r;
    for (coswire::http_header& h : changed.headers)
        if (h.name == "x-cos-meta-a") h.value = "w";
    CHECK_FALSE(cli::resign_as_sent(changed, creds));
    coswire::http_request bare = r;
    std::erase_if(bare.headers, [](const coswire::http_header& h) { return h.name == "Authorization"; });
    CHECK_FALSE(cli::resign_as_sent(bare, creds));
}

TEST_CASE("a get checkpoint file names its object and round-trips the library's checkpoint") {
    const coswire::download_checkpoint checkpoint{.etag = "0123abcd-3", .object_size = 300000, .part_size = 65536,
                                                  .crc64 = std::uint64_t{42}, .done = {{0, 7}, {2, 9}}};
    const cli::saved_checkpoint saved{"examplebucket-1250000000", "dir/a b+%.bin", checkpoint};
    const std::string text = cli::checkpoint_file_text(saved);
    CHECK(text.starts_with("coswire-get-checkpoint 1\nbucket examplebucket-1250000000\nkey dir%2Fa%20b%2B%25.bin\n"
                           "coswire-download-checkpoint 1\n"));
    auto parsed = cli::parse_checkpoint_file(text);
    REQUIRE(parsed);
    CHECK(parsed->key == saved.key);
    CHECK(parsed->bucket == saved.bucket);
    CHECK(coswire::serialize_checkpoint(parsed->checkpoint) == coswire::serialize_checkpoint(checkpoint));
    for (const std::string& bad : {std::string(), std::string("coswire-get-checkpoint 2\n"), text.substr(0, text.size() - 1),
                                  text.substr(0, 60), text + "done 1 5\n"})
        CHECK_MESSAGE(!cli::parse_checkpoint_file(bad), bad);
}

TEST_CASE("a partial file is checked against its checkpoint range by range") {
    char dir[] = "/tmp/cli-helpers-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string path = std::string(dir) + "/obj.coswire-partial";
    std::vector<std::byte> bytes(3 * 65536 - 5);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i * 7);
    const auto range = [&](std::size_t i) { return std::span<const std::byte>(bytes).subspan(i * 65536, std::min<std::size_t>(65536, bytes.size() - i * 65536)); };
    coswire::download_checkpoint checkpoint{.etag = "e", .object_size = bytes.size(), .part_size = 65536, .crc64 = std::nullopt,
                                            .done = {{0, coswire::crc64(range(0))}, {2, coswire::crc64(range(2))}}};
    {
        auto partial = cli::partial_file::open(path, false);
        REQUIRE(partial);
        CHECK(!cli::partial_file::open(path, true));  // locked while the first is open
        REQUIRE(partial->write_at(0, range(0)));
        CHECK(cli::first_mismatch(*partial, checkpoint) == std::optional<std::uint32_t>(2));  // range 2 not there yet
        REQUIRE(partial->write_at(2 * 65536, range(2)));
        CHECK(cli::first_mismatch(*partial, checkpoint) == std::nullopt);
        checkpoint.done[0].crc64 ^= 1;
        CHECK(cli::first_mismatch(*partial, checkpoint) == std::optional<std::uint32_t>(0));
        partial->remove();
    }
    ::rmdir(dir);
}

TEST_CASE("human_size prints sizes as ls -h does") {
    CHECK(cli::human_size(0) == "0");
    CHECK(cli::human_size(1023) == "1023");
    CHECK(cli::human_size(1024) == "1.0K");
    CHECK(cli::human_size(1536) == "1.5K");
    CHECK(cli::human_size(3 * 1024 * 1024 / 2) == "1.5M");
    CHECK(cli::human_size(10 * 1024 - 52) == "9.9K");   // 9.949K rounds down
    CHECK(cli::human_size(10 * 1024 - 51) == "10K");    // 9.950K rounds up to the next whole
    CHECK(cli::human_size(15 * 1024 * 1024) == "15M");
    CHECK(cli::human_size(1024 * 1024 - 1) == "1.0M");  // 1023.999K is shown in the next unit
    CHECK(cli::human_size(1023 * 1024 + 511) == "1023K");
    CHECK(cli::human_size(std::uint64_t{5} << 40) == "5.0T");
    CHECK(cli::human_size(UINT64_MAX) == "16E");
    // Every value from 1 KiB on: the number before the unit is below 1024, and reading it back
    // is within half a step (a tenth below 10, a whole from 10) of the exact size.
    for (std::uint64_t bytes = 1024; bytes < (std::uint64_t{1} << 62); bytes = bytes * 3 + 7) {
        const std::string text = cli::human_size(bytes);
        const std::size_t unit = std::string_view("KMGTPE").find(text.back());
        REQUIRE(unit != std::string_view::npos);
        const double shown = std::stod(text.substr(0, text.size() - 1));
        const double exact = static_cast<double>(bytes) / static_cast<double>(std::uint64_t{1} << (10 * (unit + 1)));
        CHECK(shown < 1024);
        CHECK(std::abs(shown - exact) <= (shown < 10 ? 0.05 : 0.5) * 1.0001);
    }
}

TEST_CASE("parse_cos_location splits cos://BUCKET-APPID/KEY and leaves local paths alone") {
    const auto full = cli::parse_cos_location("cos://examplebucket-1250000000/dir/a b.txt");
    REQUIRE(full);
    CHECK(full->bucket == "examplebucket-1250000000");
    CHECK(full->key == "dir/a b.txt");
    const auto slashes = cli::parse_cos_location("cos://b-1/a//b/");
    REQUIRE(slashes);
    CHECK(slashes->key == "a//b/");
    const auto no_key = cli::parse_cos_location("cos://b-1");
    REQUIRE(no_key);
    CHECK((no_key->bucket == "b-1" && no_key->key.empty()));
    const auto no_bucket = cli::parse_cos_location("cos:///k");
    REQUIRE(no_bucket);
    CHECK((no_bucket->bucket.empty() && no_bucket->key == "k"));
    for (const char* local : {"file.txt", "./cos://x/y", "/tmp/cos:/x", "COS://b-1/k", "cos:/b-1/k", "-", ""})
        CHECK_MESSAGE(!cli::parse_cos_location(local), local);
}

TEST_CASE("profile_value reads a profile's other settings") {
    const std::string text = "region = ap-beijing\nsecret_id = A\nsecret_key = B\n\n[staging]\r\n# bucket = commented-1\r\n"
                             "secret_id=C\r\nsecret_key=D\r\n  bucket =  staging-1250000000  \r\nregion=\r\n[other]\nbucket = other-1\n";
    CHECK(coswire::parse_key_value_credentials(text, "staging"));
    CHECK(cli::profile_value(text, "default", "region") == std::optional<std::string>("ap-beijing"));
    CHECK(cli::profile_value(text, "default", "bucket") == std::nullopt);
    CHECK(cli::profile_value(text, "staging", "bucket") == std::optional<std::string>("staging-1250000000"));
    CHECK(cli::profile_value(text, "staging", "region") == std::optional<std::string>(""));
    CHECK(cli::profile_value(text, "other", "bucket") == std::optional<std::string>("other-1"));
    CHECK(cli::profile_value(text, "missing", "bucket") == std::nullopt);
}
