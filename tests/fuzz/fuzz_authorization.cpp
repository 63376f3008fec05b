// SPDX-License-Identifier: MIT
// libFuzzer target: the Authorization and presigned-query parsers and the request verifier.
#include <coswire/sign/verify.hpp>

#include "fuzz_input.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

// The input is "METHOD\nPATH\nQUERY\nName: value\n...": a request as a server would receive it.
// Every SecretId is known, so inputs reach the signature comparison.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    static_cast<void>(coswire::parse_authorization(text));

    const fuzz::request_parts r = fuzz::make_request(text);
    static_cast<void>(coswire::parse_presigned_query(r.params));

    static const coswire::secret_string secret("fuzz-secret-key");
    const auto lookup = [](std::string_view) { return &secret; };
    static_cast<void>(coswire::verify_request({r.method, r.path, r.params, r.headers}, lookup, 1700000000));
    static_cast<void>(coswire::verify_request({r.method, r.path, r.params, r.headers}, lookup, 1700000000,
                                              {.max_window_seconds = 0, .refuse_unsigned = true, .max_signature_bytes = 512, .max_fields = 8}));
    return 0;
}
