// SPDX-License-Identifier: MIT
// libFuzzer target: POST Object form uploads through the emulator. The input is the body of a
// multipart/form-data POST (boundary "b"); whatever it holds, the emulator answers with a COS
// status below 500, never a crash or a transport failure, and the form and policy readers
// alone (the input read as a policy document too) never crash.
#include <coswire/testing/emulator.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace emu = coswire::detail::emu;

constexpr std::string_view content_type = "multipart/form-data; boundary=b";

coswire::testing::emulator_options options() {
    coswire::testing::emulator_options o;
    o.accepted = {{.secret_id = "AKIDfuzz", .secret_key = coswire::secret_string("fuzz-secret")}};
    o.max_stored_bytes = 1 << 20;
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto form = emu::parse_post_form(content_type, text); form) {
        for (const coswire::header_field& f : form->fields)
            if (f.name.empty() || f.name.data() < text.data() || f.value.data() + f.value.size() > text.data() + text.size()) std::abort();
    }
    static_cast<void>(emu::parse_policy_document(text));

    coswire::testing::cos_emulator server(options());
    coswire::http_request r;
    r.method = "POST";
    r.host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";
    r.path = "/";
    r.wire_path = "/";
    r.headers = {{"Host", r.host}, {"Content-Type", std::string(content_type)}};
    r.body = std::string(text);
    const auto answer = server(r);
    if (!answer || answer->status >= 500) std::abort();
    return 0;
}
