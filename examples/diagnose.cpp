// examples/diagnose.cpp: find out why COS answered SignatureDoesNotMatch
#include <coswire/coswire.hpp>
#include <coswire/testing/emulator.hpp>  // stands in for COS; real COS answers the same way
#include <cstdio>

int main() {
    const coswire::credentials creds{.secret_id = "AKIDexample", .secret_key = coswire::secret_string("example-secret")};
    coswire::testing::emulator_options options;
    options.accepted = {creds};
    coswire::testing::cos_emulator cos(options);
    auto endpoint = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value();
    auto signer = coswire::signer::create(creds, {.start = 1700000000 - 60, .end = 1700000000 + 900}).value();

    // A hand-built request: the key "c++/notes.txt" put on the wire as it is, instead of through
    // coswire::map_object_key (which sends '+' as %2B). COS reads a raw '+' as a space.
    coswire::http_request put{.method = "PUT", .scheme = endpoint.scheme, .host = endpoint.host, .path = "/c++/notes.txt",
                              .wire_path = "/c++/notes.txt", .headers = {{.name = "Host", .value = endpoint.host}}, .body = "hello"};
    auto sent = coswire::authorize(put, signer);  // keep what was signed for the diagnosis
    if (!sent) return std::fprintf(stderr, "%s\n", coswire::describe(sent.error()).c_str()), 1;

    auto response = cos(put);
    if (!response) return std::fprintf(stderr, "%s\n", coswire::describe(response.error()).c_str()), 1;
    if (response->status == 200) return std::puts("stored (not expected here)"), 1;
    const coswire::error refused = coswire::parse_error_response(*response);
    std::printf("%s\n", coswire::describe(refused).c_str());
    if (!refused.service || refused.service->code != "SignatureDoesNotMatch") return 1;
    std::printf("diagnosis: %s\n", coswire::diagnose_signature_mismatch(*refused.service, *sent).c_str());
}
