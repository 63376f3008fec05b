// SPDX-License-Identifier: MIT
// libFuzzer target: the JSON reader and the instance-role credential parser on top of it. A
// parsed object written back out parses to the same members; an array member's text reads back
// as an array; no error text grows with the input (errors never quote the document, which may
// hold a secret).
#include <coswire/credentials/instance_role.hpp>
#include <coswire/detail/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace json = coswire::detail::json;

// Errors name an offset and a fixed phrase, never input bytes: their length is bounded.
void check_error(const coswire::error& e) {
    if (coswire::describe(e).size() > 200) std::abort();
}

void append_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (u < 0x20) {
            out += "\\u00";
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 15]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

// The members as a JSON object: strings escaped again, scalars as read, containers empty.
std::string write(const std::vector<json::member>& members) {
    std::string out = "{";
    for (const json::member& m : members) {
        if (out.size() > 1) out.push_back(',');
        append_string(out, m.name);
        out.push_back(':');
        switch (m.type) {
            case json::kind::string: append_string(out, m.value); break;
            case json::kind::number:
            case json::kind::boolean: out += m.value; break;
            case json::kind::null: out += "null"; break;
            case json::kind::object: out += "{}"; break;
            case json::kind::array: out += "[]"; break;
        }
    }
    return out + "}";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const json::limits limits{.max_document_size = 4096, .max_depth = 8, .max_string_length = 512, .max_members = 32};
    auto members = json::parse_object(text, "body", limits);
    if (!members) {
        check_error(members.error());
    } else {
        // Escaping can lengthen the text, so the round trip runs without the size limit.
        auto again = json::parse_object(write(*members), "body", json::limits{.max_document_size = std::size_t{1} << 20});
        if (!again || again->size() != members->size()) std::abort();
        for (std::size_t i = 0; i < members->size(); ++i) {
            const json::member& a = (*members)[i];
            const json::member& b = (*again)[i];
            const bool scalar = a.type != json::kind::object && a.type != json::kind::array;
            if (a.name != b.name || a.type != b.type || (scalar && a.value != b.value)) std::abort();
        }
        // Nested arrays were checked as they were read, so only a limit may stop a second reading
        // (nested objects may repeat a name, which only the top level refuses).
        for (const json::member& m : *members) {
            if (m.type == json::kind::array) {
                auto inner = json::parse_array(m.raw, "body", limits);
                if (!inner && inner.error().code != coswire::errc::limit_exceeded) std::abort();
            } else if (m.type == json::kind::object) {
                if (auto inner = json::parse_object(m.raw, "body", limits); !inner) check_error(inner.error());
            } else if (!m.raw.empty()) {
                std::abort();
            }
        }
    }
    if (auto elements = json::parse_array(text, "body", limits); !elements) check_error(elements.error());
    auto creds = coswire::parse_role_credentials_response({.status = 200, .body = std::string(text)});
    if (!creds) check_error(creds.error());
    else if (creds->creds.secret_id.empty() || creds->creds.secret_key.empty() || creds->creds.session_token.empty() || creds->expires_at <= 0)
        std::abort();
    return 0;
}
