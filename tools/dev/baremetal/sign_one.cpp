// SPDX-License-Identifier: MIT
// Signs Tencent's documented GET example (docs/protocol/test-vectors.md#documented-get-example,
// every header signed) into a stack buffer: the program tools/dev/check-baremetal builds for a Cortex-M4
// to measure the signing code.
//
// Only <coswire/sign/authorization.hpp> and the heap-free buffer API. The credentials own
// std::strings, so they are built once before signing; the replaced operator new counts
// allocations so that the host run of tools/dev/check-baremetal can prove the signing path makes none.
// Built with -DSIGN_ONE_BASELINE it does everything except sign, which lets the script subtract
// the start-up code, newlib and the credentials' std::string from the total.
#include <coswire/sign/authorization.hpp>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace {

std::size_t allocations = 0;

constexpr std::string_view host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";
constexpr std::array<coswire::query_param, 2> params = {{
    {"response-content-type", "application/octet-stream"},
    {"response-cache-control", "max-age=600"},
}};
constexpr std::array<coswire::header_field, 2> headers = {{
    {"Date", "Thu, 16 May 2019 06:55:53 GMT"},
    {"Host", host},
}};
constexpr std::string_view expected =
    "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989753;1557996953&"
    "q-key-time=1557989753;1557996953&q-header-list=date;host&q-url-param-list=response-cache-control;"
    "response-content-type&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012";

}  // namespace

void* operator new(std::size_t size) {
    ++allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    std::abort();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

/// Exit status 0: the Authorization matches Tencent's and signing allocated nothing;
/// 1: wrong or failed signature; 2: the signing path touched the heap.
int main() {
    const coswire::credentials creds{"AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                                     coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"), {}};
    const coswire::signable_request request{"GET", "/exampleobject(腾讯云)", params, headers};
    const coswire::sign_options options{coswire::header_selection::all, {}};
    std::array<char, 512> buffer{};

    const std::size_t before = allocations;
#ifdef SIGN_ONE_BASELINE
    (void)request;
    (void)options;
    std::memcpy(buffer.data(), creds.secret_id.data(), creds.secret_id.size());
    const std::size_t length = creds.secret_id.size();
#else
    const auto signed_length =
        coswire::sign_to(buffer, request, creds, coswire::key_time{1557989753, 1557996953}, options);
    if (!signed_length) return 1;
    const std::size_t length = *signed_length;
#endif
    if (allocations != before) return 2;
    return std::string_view(buffer.data(), length) == expected ? 0 : 1;
}
