// SPDX-License-Identifier: MIT
// The contract of detail/fast_http_string.hpp: on random and hostile inputs, each fast routine
// gives exactly what the readable signing path (encoding/percent.hpp, sign/http_string.hpp)
// gives for the same question.
#include <coswire/detail/fast_http_string.hpp>

#include <coswire/crypto/sha1.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/sign/http_string.hpp>
#include <coswire/sign/signer.hpp>

#include <doctest/doctest.h>

#include "../support/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fast = coswire::detail::fast;

// The readable answers.
std::string readable_encode(std::string_view s) { return coswire::percent_encode(s); }

std::string readable_signed_name(std::string_view name) {
    std::string out;
    for (char c : name) out += coswire::detail::signed_name_piece(c).view();
    return out;
}

int sign_of(int v) { return (v > 0) - (v < 0); }

// The fast answers, written into a buffer with the room their preconditions ask for.
std::string fast_encode(std::string_view s) {
    std::string out(3 * s.size(), '\0');
    out.resize(static_cast<std::size_t>(fast::percent_encode_unchecked(s, out.data()) - out.data()));
    return out;
}

std::string fast_signed_name(std::string_view name) {
    std::string out(3 * name.size(), '\0');
    out.resize(static_cast<std::size_t>(fast::write_signed_name_unchecked(name, out.data()) - out.data()));
    return out;
}

// Strings the sixteen-byte steps and the sink's 192-byte pieces must cut correctly: runs of
// unreserved bytes of both cases broken by reserved, control and non-ASCII bytes, at lengths
// around 16, 64 and 192.
std::string hostile_text(std::mt19937_64& rng, bool utf8) {
    static const std::vector<std::string> pieces = {
        "a", "Z", "0", "-", "_", ".", "~", "/", "%", "+", " ", "\t", "&", "=", ";", "\x7F",
        "\xE8\x85\xBE", "\xF0\x9F\x98\x80", "x-cos-meta-", "Content-MD5", std::string(15, 'Q'), std::string(17, 'q')};
    const std::size_t lengths[] = {0, 1, 15, 16, 17, 31, 63, 64, 65, 191, 192, 193, 400};
    const std::size_t target = lengths[rng() % std::size(lengths)];
    std::string s;
    while (s.size() < target) {
        if (!utf8 && rng() % 8 == 0) s += static_cast<char>(rng() & 0xFF);
        else s += pieces[rng() % pieces.size()];
    }
    return s;
}

// A sink that writes everything through the readable code (no put_signed_name) and keeps the
// session token's real value: what the fast sinks must produce byte for byte.
struct readable_sink {
    std::string& out;
    void put(char c) { out.push_back(c); }
    void put(std::string_view s) { out.append(s); }
    void put_encoded(std::string_view value, bool) { coswire::percent_encode_append(out, value); }
};

}  // namespace

TEST_CASE("fast percent encoding writes what enc() writes, for values and lower-cased names") {
    // Every byte value at every position of blocks of 0..40 bytes, around runs of unreserved
    // bytes of both cases, so each sixteen-byte step boundary meets a reserved byte somewhere.
    std::mt19937_64 rng(0xC05'F001);
    const std::string_view plain = "aZ09-._~Mq";
    for (std::size_t size = 0; size <= 40; ++size)
        for (int round = 0; round < 64; ++round) {
            std::string in(size, 'a');
            for (char& c : in) c = rng() % 4 == 0 ? static_cast<char>(rng() & 0xFF) : plain[rng() % plain.size()];
            CAPTURE(in);
            CHECK(fast_encode(in) == readable_encode(in));
            CHECK(fast_signed_name(in) == readable_signed_name(in));
        }
    for (int b = 0; b < 256; ++b) {
        const std::string in = std::string(7, 'A') + static_cast<char>(b) + std::string(20, 'z');
        CHECK(fast_encode(in) == readable_encode(in));
        CHECK(fast_signed_name(in) == readable_signed_name(in));
    }
    for (int i = 0; i < 2000; ++i) {
        const std::string in = hostile_text(rng, false);
        CHECK(fast_encode(in) == readable_encode(in));
        CHECK(fast_signed_name(in) == readable_signed_name(in));
    }
}

TEST_CASE("fast name order, sizes and token check agree with the readable definitions") {
    std::mt19937_64 rng(0xC05'F002);
    for (int i = 0; i < 4000; ++i) {
        const std::string a = i % 2 == 0 ? hostile_text(rng, false) : test_support::random_bytes(rng, rng() % 24);
        std::string b = rng() % 2 == 0 ? a.substr(0, rng() % (a.size() + 1)) : std::string();
        b += hostile_text(rng, false).substr(0, rng() % 8);
        CAPTURE(a);
        CAPTURE(b);
        CHECK(sign_of(fast::compare_signed_names(a, b)) == sign_of(coswire::detail::compare_signed_names(a, b)));
        CHECK(sign_of(fast::compare_signed_names(b, a)) == sign_of(coswire::detail::compare_signed_names(b, a)));
        CHECK(fast::signed_name_size(a) == coswire::percent_encoded_size(a));
        CHECK(fast::token_signed_name_size(a) == (coswire::detail::is_token(a) ? coswire::percent_encoded_size(a) : 0));
    }
}

TEST_CASE("the word-at-a-time lower-casing writes lower(name) for unreserved names of every length") {
    std::mt19937_64 rng(0xC05'F003);
    const std::string_view plain = "abcXYZ019-._~";
    for (std::size_t size = 0; size <= 40; ++size) {
        std::string in(size, 'a');
        for (char& c : in) c = plain[rng() % plain.size()];
        std::string out(size, '\0');
        CHECK(fast::write_plain_name_unchecked(in, out.data()) == out.data() + size);
        CHECK(out == readable_signed_name(in));
    }
}

TEST_CASE("the streamed SHA-1 and the buffer sink see the HttpString the readable writers write") {
    std::mt19937_64 rng(0xC05'F004);
    int compared = 0;
    for (int i = 0; i < 300; ++i) {
        std::vector<std::string> texts;
        for (int k = 0; k < 12; ++k) texts.push_back(hostile_text(rng, true));
        std::vector<coswire::query_param> params;
        std::vector<coswire::header_field> headers;
        for (int k = 0; k < 6; k += 2)
            if (!texts[k].empty()) params.push_back({texts[k], texts[k + 1]});
        // Header names must be tokens: the hostile text with its non-token bytes dropped.
        for (int k = 6; k < 12; k += 2) {
            std::string name;
            for (char c : texts[k])
                if (coswire::detail::is_tchar(c)) name += c;
            texts[k] = name;
            std::erase(texts[k + 1], '\x7F');  // the one control byte the pieces hold besides HTAB
            if (!name.empty()) headers.push_back({texts[k], texts[k + 1]});
        }
        auto c = coswire::canonicalize({.method = "PUT", .path = "/a b", .params = params, .headers = headers},
                                       {.headers = coswire::header_selection::all}, "token\twith tab");
        if (!c) continue;  // a duplicate name or a control byte in a header value
        ++compared;
        std::string readable;
        readable_sink r{readable};
        coswire::detail::write_http_string(r, *c);
        CHECK(coswire::to_string_view(coswire::http_string_sha1(*c)) ==
              test_support::hex(coswire::sha1_hash(test_support::bytes_of(readable))));

        std::string written(3 * readable.size() + 64, '\0');
        fast::span_sink span{written.data()};
        coswire::detail::write_http_string(span, *c);
        written.resize(static_cast<std::size_t>(span.out - written.data()));
        CHECK(written == readable);

        std::string list;
        readable_sink l{list};
        coswire::detail::write_list(l, c->headers);
        CHECK(coswire::header_list(*c) == list);
        CHECK(c->headers.list_size() == list.size());
    }
    CHECK(compared > 200);  // most generated requests are valid, so the comparisons above ran
}
