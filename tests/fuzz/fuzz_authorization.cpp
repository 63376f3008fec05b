// SPDX-License-Identifier: MIT
// libFuzzer target: the Authorization and presigned-query parsers and the request verifier.
#include <coswire/sign/verify.hpp>

#include "fuzz_input.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace {

/// "a=1&b&c=" as parameters; a name without '=' has no value.
std::vector<coswire::query_param> split_query(std::string_view query) {
    std::vector<coswire::query_param> out;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            out.push_back({item, std::nullopt});
        else
            out.push_back({item.substr(0, eq), item.substr(eq + 1)});
    }
    return out;
}

}  // namespace

// The input is "METHOD\nPATH\nQUERY\nName: value\n...": a request as a server would receive it.
// Every SecretId is known, so inputs reach the signature comparison.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    static_cast<void>(coswire::parse_authorization(text));

    std::string_view rest = text;
    const std::string_view method = fuzz::take_line(rest);
    const std::string_view path = fuzz::take_line(rest);
    const std::vector<coswire::query_param> params = split_query(fuzz::take_line(rest));
    std::vector<coswire::header_field> headers;
    while (!rest.empty()) {
        const std::string_view line = fuzz::take_line(rest);
        const std::size_t colon = line.find(':');
        std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        if (value.starts_with(' ')) value.remove_prefix(1);
        headers.push_back({line.substr(0, colon), value});
    }
    static_cast<void>(coswire::parse_presigned_query(params));

    static const coswire::secret_string secret("fuzz-secret-key");
    const auto lookup = [](std::string_view) { return &secret; };
    static_cast<void>(coswire::verify_request({method, path, params, headers}, lookup, 1700000000));
    return 0;
}
