// SPDX-License-Identifier: MIT
// libFuzzer target: properties of sign + verify. Whatever the signer signs verifies and reports
// exactly what it covered; a second copy of a signed name never verifies; an unsigned
// parameter or x-cos-* header passes the default policy and fails refuse_unsigned.
#include <coswire/sign/authorization.hpp>
#include <coswire/sign/verify.hpp>

#include "fuzz_input.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

void require(bool ok) {
    if (!ok) std::abort();  // a broken property: libFuzzer keeps the input as a crash
}

/// True when a header or parameter of `fields` is called `name` (any case).
template <class Field>
bool has_name(const std::vector<Field>& fields, std::string_view name) {
    for (const Field& f : fields)
        if (coswire::detail::iequals(f.name, name)) return true;
    return false;
}

}  // namespace

// The input is one mutation byte, then "METHOD\nPATH\nQUERY\nName: value\n..." (see fuzz_input.hpp).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mutation = data[0];
    fuzz::request_parts r = fuzz::make_request(fuzz::as_text(data + 1, size - 1));
    if (has_name(r.headers, "Authorization")) return 0;
    for (const auto& p : r.params)
        if (coswire::detail::is_signature_param(p.name)) return 0;

    static const coswire::credentials creds{.secret_id = "AKIDfuzz", .secret_key = coswire::secret_string("fuzz-secret-key")};
    const auto lookup = [](std::string_view id) { return id == creds.secret_id ? &creds.secret_key : nullptr; };
    auto parts = coswire::sign({r.method, r.path, r.params, r.headers}, creds, {1000, 2000});
    if (!parts) return 0;
    const coswire::verify_options lenient{}, strict{.refuse_unsigned = true};
    if (parts->authorization.size() > lenient.max_signature_bytes || r.headers.size() + r.params.size() + 2 > lenient.max_fields) return 0;
    r.headers.push_back({"Authorization", parts->authorization});

    const auto verify = [&](const coswire::verify_options& o) {
        return coswire::verify_request({r.method, r.path, r.params, r.headers}, lookup, 1500, o);
    };
    auto covered = verify(lenient);
    require(covered.has_value());
    require(covered->secret_id == creds.secret_id && !covered->presigned);
    std::string headers_listed, params_listed;
    for (const auto& name : covered->signed_headers) headers_listed += (headers_listed.empty() ? "" : ";") + name;
    for (const auto& name : covered->signed_params) params_listed += (params_listed.empty() ? "" : ";") + name;
    require(headers_listed == parts->header_list && params_listed == parts->url_param_list);

    switch (mutation % 4) {
        case 0:  // a second copy of a signed header, first
            if (covered->signed_headers.empty()) return 0;
            for (const auto& h : r.headers)
                if (coswire::detail::signed_name_is(h.name, covered->signed_headers[mutation / 4 % covered->signed_headers.size()])) {
                    const coswire::header_field copy{h.name, "other"};
                    r.headers.insert(r.headers.begin(), copy);
                    require(!verify(lenient).has_value());
                    break;
                }
            break;
        case 1:  // a second copy of a signed parameter, last
            if (r.params.empty()) return 0;
            r.params.push_back({r.params[mutation / 4 % r.params.size()].name, "other"});
            require(!verify(lenient).has_value());
            break;
        case 2:  // an unsigned x-cos-* header
            if (has_name(r.headers, "x-cos-fuzz-added")) return 0;
            r.headers.push_back({"x-cos-fuzz-added", "1"});
            require(verify(lenient).has_value() && !verify(strict).has_value());
            break;
        default:  // an unsigned parameter
            if (has_name(r.params, "response-content-type")) return 0;
            r.params.push_back({"response-content-type", "text/html"});
            require(verify(lenient).has_value() && !verify(strict).has_value());
            break;
    }
    return 0;
}
