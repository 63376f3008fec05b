// SPDX-License-Identifier: MIT
#include <coswire/encoding/object_key.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <random>
#include <string>
#include <string_view>

#include <coswire/encoding/percent.hpp>

using coswire::errc;
using coswire::map_object_key;
using coswire::object_key_options;

namespace {

constexpr object_key_options dots_allowed{true};

/// Checks that `key` is refused with `code` and a reason starting with `reason_start`.
void check_refused(std::string_view key, const object_key_options& options, errc code, std::string_view reason_start) {
    CAPTURE(key);
    auto paths = map_object_key(key, options);
    REQUIRE_FALSE(paths.has_value());
    CHECK(paths.error().code == code);
    CHECK(paths.error().argument == "object_key");
    CHECK(paths.error().reason.substr(0, reason_start.size()) == reason_start);
}

/// The wire path holds only unreserved bytes, '/' and %XX escapes with upper-case hex.
bool is_wire_clean(std::string_view path) {
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (coswire::is_unreserved(path[i]) || path[i] == '/') continue;
        if (path[i] != '%' || i + 2 >= path.size()) return false;
        for (char h : path.substr(i + 1, 2))
            if (!((h >= '0' && h <= '9') || (h >= 'A' && h <= 'F'))) return false;
        i += 2;
    }
    return true;
}

}  // namespace

TEST_CASE("map_object_key: reproduces the request-line examples of docs/protocol/endpoints.md") {
    struct vector {
        std::string_view key, signed_path, wire_path;
    };
    for (const auto& v : {
             vector{"exampleobject(\xE8\x85\xBE\xE8\xAE\xAF\xE4\xBA\x91)",  // exampleobject(腾讯云)
                    "/exampleobject(\xE8\x85\xBE\xE8\xAE\xAF\xE4\xBA\x91)",
                    "/exampleobject%28%E8%85%BE%E8%AE%AF%E4%BA%91%29"},
             vector{"doc/\xE5\xA4\xA7\xE6\x96\x87\xE4\xBB\xB6 v1+final.bin",  // doc/大文件 v1+final.bin
                    "/doc/\xE5\xA4\xA7\xE6\x96\x87\xE4\xBB\xB6 v1+final.bin",
                    "/doc/%E5%A4%A7%E6%96%87%E4%BB%B6%20v1%2Bfinal.bin"},
             vector{"a/b c.txt", "/a/b c.txt", "/a/b%20c.txt"},
             vector{"folder/", "/folder/", "/folder/"},
             vector{"a//b", "/a//b", "/a//b"},
             vector{"100%2F.txt", "/100%2F.txt", "/100%252F.txt"},
             vector{".hidden/...", "/.hidden/...", "/.hidden/..."},
             vector{"a\\b", "/a\\b", "/a%5Cb"},
         }) {
        CAPTURE(v.key);
        auto paths = map_object_key(v.key);
        REQUIRE(paths.has_value());
        CHECK(paths->signed_path == v.signed_path);
        CHECK(paths->wire_path == v.wire_path);
    }
}

TEST_CASE("map_object_key: refuses empty, over-long and non-UTF-8 keys") {
    check_refused("", {}, errc::invalid_argument, "must not be empty");
    check_refused(std::string(851, 'a'), {}, errc::limit_exceeded, "is 851 bytes long, COS allows at most 850");
    CHECK(map_object_key(std::string(850, 'a')).has_value());
    check_refused("ab\xC3", {}, errc::invalid_argument, "is not valid UTF-8 at offset 2");
    check_refused("a\xC0\xAF", {}, errc::invalid_argument, "is not valid UTF-8 at offset 1");  // overlong '/'
    check_refused("\xED\xA0\x80", {}, errc::invalid_argument, "is not valid UTF-8 at offset 0");  // surrogate
}

TEST_CASE("map_object_key: refuses a key starting with '/' or '\\'") {
    check_refused("/a", {}, errc::invalid_argument, "must not start with '/' or '\\'");
    check_refused("\\a", {}, errc::invalid_argument, "must not start with '/' or '\\'");
}

TEST_CASE("map_object_key: refuses NUL, CR, LF and CAN/EM/SUB/ESC with their offset") {
    for (const char c : {'\x00', '\r', '\n', '\x18', '\x19', '\x1A', '\x1B'}) {
        std::string key = "ab";
        key += c;
        key += "cd";
        check_refused(key, dots_allowed, errc::invalid_argument, "contains a forbidden control character at offset 2");
    }
    SUBCASE("other control characters are allowed and escaped") {
        auto paths = map_object_key("a\tb\x7F\x17\x1C");
        REQUIRE(paths.has_value());
        CHECK(paths->wire_path == "/a%09b%7F%17%1C");
    }
}

TEST_CASE("map_object_key: refuses '.' and '..' segments unless allowed") {
    check_refused(".", {}, errc::invalid_argument, "has a '.' path segment at offset 0");
    check_refused("a/./b", {}, errc::invalid_argument, "has a '.' path segment at offset 2");
    check_refused("a/b/..", {}, errc::invalid_argument, "has a '..' path segment at offset 4");
    check_refused("../x", {}, errc::invalid_argument, "has a '..' path segment at offset 0");
}

TEST_CASE("map_object_key: sends allowed dot segments as %2E so nothing collapses them") {
    struct vector {
        std::string_view key, wire_path;
    };
    for (const auto& v : {
             vector{"a/./b", "/a/%2E/b"},
             vector{"../x", "/%2E%2E/x"},
             vector{"a/b/..", "/a/b/%2E%2E"},
             vector{"a/../b/", "/a/%2E%2E/b/"},
             vector{"a/.../b", "/a/.../b"},
         }) {
        CAPTURE(v.key);
        auto paths = map_object_key(v.key, dots_allowed);
        REQUIRE(paths.has_value());
        CHECK(paths->signed_path == "/" + std::string(v.key));
        CHECK(paths->wire_path == v.wire_path);
    }
}

TEST_CASE("map_object_key: always refuses a key that normalises to '/'") {
    for (std::string_view key : {".", "./", "..", "../", "a/..", "a/../", "a/b/../..", "a/./..", "./.", "a//..",
                                 "a/../b/.."}) {
        check_refused(key, dots_allowed, errc::invalid_argument, "normalises to '/'");
        check_refused(key, {}, errc::invalid_argument, "has a '");
    }
}

TEST_CASE("map_object_key: the wire path decodes to the signed path for random keys") {
    // Pieces: reserved ASCII, space, '+', '%', '/', dots, CJK, other multi-byte UTF-8.
    constexpr std::array<std::string_view, 30> pieces{
        "a",  "Z",  "9",  "-",  "_",  ".",  "~",  " ",  "+",  "%",          "/",          "/",
        "(",  ")",  "!",  "*",  "'",  "=",  "&",  "?",  "#",  "\\",         ":",          "@",
        "\t", "..", "%2F", "\xE8\x85\xBE", "\xE4\xBA\x91", "\xF0\x9F\x98\x80"};
    std::mt19937_64 rng(0xC05'0003);
    int mapped = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string key = "k";  // never starts with '/' or '\'
        const auto count = static_cast<std::size_t>(rng() % 24);
        for (std::size_t n = 0; n < count; ++n) key += pieces[static_cast<std::size_t>(rng() % pieces.size())];
        const bool allow = (rng() & 1) != 0;
        CAPTURE(key);
        auto paths = map_object_key(key, object_key_options{allow});
        if (!paths.has_value()) {
            // Only dot segments (or, when allowed, a root-normalising key) may fail here.
            const std::string& reason = paths.error().reason;
            CHECK((reason.rfind("has a '", 0) == 0 || (allow && reason.rfind("normalises to '/'", 0) == 0)));
            continue;
        }
        ++mapped;
        CHECK(paths->signed_path == "/" + key);
        CHECK(is_wire_clean(paths->wire_path));
        auto decoded = coswire::percent_decode(paths->wire_path);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == paths->signed_path);
        // No literal dot segment survives on the wire.
        const std::string padded = paths->wire_path + "/";
        CHECK(padded.find("/./") == std::string::npos);
        CHECK(padded.find("/../") == std::string::npos);
    }
    CHECK(mapped > 1500);
}
