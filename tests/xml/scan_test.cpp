// SPDX-License-Identifier: MIT
// The contract of xml/scan.hpp: on every input generated here, each fast routine gives exactly
// what its plain twin gives, from every start offset.
#include <coswire/xml/scan.hpp>

#include <doctest/doctest.h>

#include "../support/bytes.hpp"

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace coswire::detail;

// Documents the sixteen-byte steps must cut correctly: pieces of COS bodies, every kind of byte
// the scans stop at or pass over, and names and runs around 4, 8 and 16 bytes.
std::string hostile_xml(std::mt19937_64& rng) {
    static const std::vector<std::string> pieces = {
        "<", ">", "</", "/>", "&", ";", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#65;", "&#x4E2D;", "&#0;",
        "&bogus;", "&am", "\r", "\n", "\t", " ", "]", "]]>", ":", "-", ".", "_", "0", "a", "Z", "\xE8\x85\xBE",
        std::string(1, '\0'), "\x7F", "ETag", "PartNumber", "<Part>", "</Part>", "\n\t\t", std::string(15, 'k'),
        std::string(16, 'm'), std::string(17, ' '), "<Abcdefghijklmno>", "<a:b>"};
    const std::size_t lengths[] = {0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 100};
    const std::size_t target = lengths[rng() % std::size(lengths)];
    std::string out;
    while (out.size() < target) {
        if (rng() % 8 == 0) out += test_support::random_bytes(rng, rng() % 5);
        else out += pieces[rng() % pieces.size()];
    }
    return out;
}

// Runs every comparison on doc from every start offset; returns how many were made.
std::size_t compare_all(std::string_view doc) {
    std::size_t compared = 0;
    std::string fast_out(doc.size(), '\0');
    std::string plain_out(doc.size(), '\0');
    for (std::size_t from = 0; from <= doc.size(); ++from) {
        CAPTURE(doc);
        CAPTURE(from);
        CHECK(xml_plain_run_end(doc, from) == xml_plain_run_end_bytewise(doc, from));
        CHECK(xml_space_run_end(doc, from) == xml_space_run_end_bytewise(doc, from));
        for (const std::size_t max_name : {std::size_t{0}, std::size_t{1}, std::size_t{4}, std::size_t{15},
                                           std::size_t{16}, std::size_t{256}}) {
            CAPTURE(max_name);
            CHECK(xml_simple_tag_end(doc, from, max_name) == xml_simple_tag_end_bytewise(doc, from, max_name));
        }
        const xml_decoded_text fast = xml_decode_text(doc, from, fast_out.data());
        const xml_decoded_text plain = xml_decode_text_bytewise(doc, from, plain_out.data());
        CHECK(fast.end == plain.end);
        REQUIRE(fast.size == plain.size);
        CHECK(fast_out.compare(0, fast.size, plain_out, 0, plain.size) == 0);
        const std::string_view rest = doc.substr(from);
        for (std::size_t size = 0; size <= rest.size() && size <= 40; ++size) {
            // Against the document itself and against a copy that differs in one byte.
            std::string other(rest.substr(0, size));
            CHECK(xml_short_equal(rest.data(), other.data(), size));
            for (std::size_t at = 0; at < size; at += 3) {
                other[at] = static_cast<char>(other[at] ^ 0x20);
                CHECK_FALSE(xml_short_equal(rest.data(), other.data(), size));
                other[at] = static_cast<char>(other[at] ^ 0x20);
            }
        }
        compared += 6;
    }
    return compared;
}

}  // namespace

TEST_CASE("scan: each fast routine equals its plain twin on hostile documents, from every offset") {
    std::mt19937_64 rng(20261207);
    std::size_t compared = 0;
    for (int i = 0; i < 1500; ++i) compared += compare_all(hostile_xml(rng));
    CHECK(compared > 100000);
}

TEST_CASE("scan: the fast routines stop where the plain loops say on the shapes COS bodies have") {
    const std::string_view body = "<Part>\n\t\t<PartNumber>1</PartNumber>\n\t\t<ETag>&quot;3858f62230ac3c91&quot;</ETag>\n\t</Part>";
    compare_all(body);
    CHECK(xml_plain_run_end(body, 6) == 9);                      // layout is plain text up to the '<'
    CHECK(xml_space_run_end(body, 6) == 9);                      // "\n\t\t"
    CHECK(xml_simple_tag_end(body, 10, 256) == 20);              // "PartNumber>"
    CHECK(xml_simple_tag_end(body, 10, 9) == body.size());       // one byte over max_name_length
    CHECK(xml_simple_tag_end(body, 10, 10) == 20);               // exactly max_name_length
    CHECK(xml_simple_tag_end("<a:b>", 1, 256) == 5);             // a prefix takes the general path
    CHECK(xml_simple_tag_end("<a>", 1, 0) == 3);                 // no name fits a limit of 0
    const std::size_t etag = body.find("&quot;");
    std::string out(body.size(), '\0');
    const xml_decoded_text decoded = xml_decode_text(body, etag, out.data());
    CHECK(std::string_view(out.data(), decoded.size) == "\"3858f62230ac3c91\"");
    CHECK(body.substr(decoded.end, 7) == "</ETag>");
}

TEST_CASE("scan: decoding stops at a reference that is not valid, before its '&'") {
    for (const std::string_view doc : {"ab&bogus;cd<", "ab&#0;cd<", "ab&quot<", "ab&#x110000;<", "ab&"}) {
        CAPTURE(doc);
        std::string fast(doc.size(), '\0');
        std::string plain(doc.size(), '\0');
        const xml_decoded_text f = xml_decode_text(doc, 0, fast.data());
        const xml_decoded_text p = xml_decode_text_bytewise(doc, 0, plain.data());
        CHECK(f.end == 2);
        CHECK(p.end == 2);
        CHECK(std::string_view(fast.data(), f.size) == "ab");
        CHECK(std::string_view(plain.data(), p.size) == "ab");
    }
}
