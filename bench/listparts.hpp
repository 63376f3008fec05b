// SPDX-License-Identifier: MIT
// The XML row of coswire-bench: a generated ListParts result in the shape of
// docs/protocol/multipart.md#list-parts, and the same extraction done with coswire::xml::reader
// and with pugixml.
#pragma once

#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/xml/reader.hpp>

#include <pugixml.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace bench {

/// What a client keeps of one <Part>.
struct part_info {
    std::uint32_t number = 0;
    std::string etag;  // decoded, quotes included
    std::uint64_t size = 0;
    std::string last_modified;

    friend bool operator==(const part_info&, const part_info&) = default;
};

/// A complete, untruncated ListPartsResult with `count` parts, tab-indented like the
/// documented example; ETags are written with &quot; as COS does. Returns the parts it wrote.
inline std::string make_list_parts_document(std::size_t count, std::vector<part_info>& expected) {
    std::string doc =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
        "<ListPartsResult>\n"
        "\t<Bucket>examplebucket-1250000000</Bucket>\n"
        "\t<EncodingType>url</EncodingType>\n"
        "\t<Key>doc/%E5%A4%A7%E6%96%87%E4%BB%B6.bin</Key>\n"
        "\t<UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>\n"
        "\t<Owner>\n\t\t<ID>1250000000</ID>\n\t\t<DisplayName>1250000000</DisplayName>\n\t</Owner>\n"
        "\t<PartNumberMarker>0</PartNumberMarker>\n"
        "\t<Initiator>\n\t\t<ID>qcs::cam::uin/100000000001:uin/100000000011</ID>\n"
        "\t\t<DisplayName>100000000011</DisplayName>\n\t</Initiator>\n";
    expected.clear();
    std::uint64_t state = 0x9E3779B97F4A7C15u;  // xorshift64: deterministic, varied digests
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    char line[256];
    for (std::size_t i = 0; i < count; ++i) {
        part_info p;
        p.number = static_cast<std::uint32_t>(i + 1);
        const std::uint64_t a = next(), b = next();
        char digest[33];
        std::snprintf(digest, sizeof digest, "%016llx%016llx", static_cast<unsigned long long>(a),
                      static_cast<unsigned long long>(b));
        p.etag = "\"" + std::string(digest) + "\"";
        p.size = i + 1 == count ? 1 + a % 1048576 : 1048576;
        char when[32];
        std::snprintf(when, sizeof when, "2020-03-25T%02u:%02u:%02u.000Z", static_cast<unsigned>(10 + i / 3600 % 10),
                      static_cast<unsigned>(i / 60 % 60), static_cast<unsigned>(i % 60));
        p.last_modified = when;
        std::snprintf(line, sizeof line,
                      "\t<Part>\n\t\t<PartNumber>%u</PartNumber>\n\t\t<LastModified>%s</LastModified>\n"
                      "\t\t<ETag>&quot;%s&quot;</ETag>\n\t\t<Size>%llu</Size>\n\t</Part>\n",
                      static_cast<unsigned>(p.number), when, digest, static_cast<unsigned long long>(p.size));
        doc += line;
        expected.push_back(std::move(p));
    }
    std::snprintf(line, sizeof line,
                  "\t<StorageClass>Standard</StorageClass>\n\t<MaxParts>%zu</MaxParts>\n"
                  "\t<IsTruncated>false</IsTruncated>\n</ListPartsResult>\n",
                  count);
    doc += line;
    return doc;
}

template <class Number>
bool parse_decimal(std::string_view text, Number& out) noexcept {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

/// coswire side: the pull reader with for_each_child, no DOM.
inline coswire::result<void> coswire_list_parts(std::string_view document, std::vector<part_info>& out) {
    using coswire::result;
    using coswire::xml::reader;
    auto bad_number = [](std::string_view field) {
        return coswire::make_error(coswire::errc::malformed_response, field, "not a decimal number");
    };
    auto on_field = [&](part_info& p, std::string_view field, reader& r) -> result<void> {
        if (field == "PartNumber" || field == "Size" || field == "ETag" || field == "LastModified") {
            result<std::string_view> text = r.read_text();
            if (!text) return std::move(text).error();
            if (field == "PartNumber") {
                if (!parse_decimal(*text, p.number)) return bad_number(field);
            } else if (field == "Size") {
                if (!parse_decimal(*text, p.size)) return bad_number(field);
            } else if (field == "ETag") {
                p.etag.assign(*text);
            } else {
                p.last_modified.assign(*text);
            }
        }
        return {};
    };
    auto on_child = [&](std::string_view name, reader& r) -> result<void> {
        if (name != "Part") return {};
        part_info p;
        result<void> ok =
            coswire::xml::for_each_child(r, [&](std::string_view field, reader& fr) { return on_field(p, field, fr); });
        if (!ok) return ok;
        out.push_back(std::move(p));
        return {};
    };
    reader doc_reader(document);
    return coswire::xml::read_document(doc_reader, [&](std::string_view root, reader& r) -> result<void> {
        if (root != "ListPartsResult")
            return coswire::make_error(coswire::errc::malformed_response, "document", "not a ListPartsResult");
        return coswire::xml::for_each_child(r, on_child);
    });
}

/// pugixml side: parse into its DOM, then walk the Part nodes; false when the parse fails.
inline bool pugixml_list_parts(std::string_view document, std::vector<part_info>& out) {
    pugi::xml_document dom;
    if (!dom.load_buffer(document.data(), document.size())) return false;
    const pugi::xml_node root = dom.child("ListPartsResult");
    if (!root) return false;
    for (const pugi::xml_node part : root.children("Part")) {
        part_info p;
        p.number = part.child("PartNumber").text().as_uint();
        p.etag = part.child("ETag").text().get();
        p.size = part.child("Size").text().as_ullong();
        p.last_modified = part.child("LastModified").text().get();
        out.push_back(std::move(p));
    }
    return true;
}

/// The parsers alone, without the extraction both sides share (20000 strings and a growing
/// vector, which dominate the rows above on machines where allocation is slow): every field
/// of every <Part> is visited and its text's length summed. coswire side: the pull reader.
inline coswire::result<std::size_t> coswire_walk_parts(std::string_view document) {
    using coswire::result;
    using coswire::xml::reader;
    std::size_t text_bytes = 0;
    auto on_field = [&](std::string_view, reader& r) -> result<void> {
        result<std::string_view> text = r.read_text();
        if (!text) return std::move(text).error();
        text_bytes += text->size();
        return {};
    };
    auto on_child = [&](std::string_view name, reader& r) -> result<void> {
        if (name != "Part") return {};
        return coswire::xml::for_each_child(r, on_field);
    };
    reader doc_reader(document);
    result<void> ok = coswire::xml::read_document(
        doc_reader, [&](std::string_view, reader& r) { return coswire::xml::for_each_child(r, on_child); });
    if (!ok) return std::move(ok).error();
    return text_bytes;
}

/// pugixml side of the walk: load_buffer, then the same visit over its DOM; 0 when the parse fails.
inline std::size_t pugixml_walk_parts(std::string_view document) {
    pugi::xml_document dom;
    if (!dom.load_buffer(document.data(), document.size())) return 0;
    std::size_t text_bytes = 0;
    for (const pugi::xml_node part : dom.child("ListPartsResult").children("Part"))
        for (const pugi::xml_node field : part.children()) text_bytes += std::string_view(field.text().get()).size();
    return text_bytes;
}

}  // namespace bench
