// SPDX-License-Identifier: MIT
// libFuzzer target: every response parser of parse/ (objects, multipart, copy, batch delete,
// buckets, tagging, ACL, append, restore, versioning), and the error parser, on a response whose
// status, headers and body come from the input; the error's FormatString / StringToSign then go
// through the mismatch diagnosis, as a server's would.
#include <coswire/parse/acl.hpp>
#include <coswire/parse/append.hpp>
#include <coswire/parse/bucket.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/delete_multiple.hpp>
#include <coswire/parse/error_response.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/parse/restore.hpp>
#include <coswire/parse/tagging.hpp>
#include <coswire/parse/versioning.hpp>
#include <coswire/sign/diagnose.hpp>

#include "fuzz_input.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const coswire::http_response r = fuzz::make_response(fuzz::as_text(data, size));

    static_cast<void>(coswire::parse_put_object_response(r));
    static_cast<void>(coswire::parse_get_object_response(r));
    static_cast<void>(coswire::parse_get_object_response(coswire::http_response(r)));
    static_cast<void>(coswire::parse_head_object_response(r));
    static_cast<void>(coswire::parse_delete_object_response(r));
    if (auto listed = coswire::parse_list_objects_response(r))
        static_cast<void>(coswire::next_list_objects_params({}, *listed));
    if (const auto range = r.header("Content-Range")) static_cast<void>(coswire::parse_content_range(*range));

    static_cast<void>(coswire::parse_initiate_multipart_upload_response(r));
    static_cast<void>(coswire::parse_upload_part_response(r));
    static_cast<void>(coswire::parse_upload_part_copy_response(r));
    static_cast<void>(coswire::parse_complete_multipart_upload_response(r));
    static_cast<void>(coswire::parse_abort_multipart_upload_response(r));
    if (auto parts = coswire::parse_list_parts_response(r)) static_cast<void>(coswire::next_list_parts_params({}, *parts));
    if (auto uploads = coswire::parse_list_multipart_uploads_response(r))
        static_cast<void>(coswire::next_list_multipart_uploads_params({}, *uploads));

    static_cast<void>(coswire::parse_put_object_copy_response(r));
    static_cast<void>(coswire::parse_delete_multiple_objects_response(r));
    static_cast<void>(coswire::parse_list_buckets_response(r));
    static_cast<void>(coswire::parse_put_bucket_response(r));
    static_cast<void>(coswire::parse_head_bucket_response(r));
    static_cast<void>(coswire::parse_delete_bucket_response(r));
    static_cast<void>(coswire::parse_get_bucket_location_response(r));
    static_cast<void>(coswire::parse_put_object_tagging_response(r));
    static_cast<void>(coswire::parse_get_object_tagging_response(r));
    static_cast<void>(coswire::parse_delete_object_tagging_response(r));
    static_cast<void>(coswire::parse_put_object_acl_response(r));
    static_cast<void>(coswire::parse_get_object_acl_response(r));
    static_cast<void>(coswire::parse_append_object_response(r));
    static_cast<void>(coswire::parse_restore_object_response(r));
    if (const auto restore = r.header("x-cos-restore")) static_cast<void>(coswire::parse_restore_state(*restore));
    static_cast<void>(coswire::parse_put_bucket_versioning_response(r));
    static_cast<void>(coswire::parse_get_bucket_versioning_response(r));
    if (auto versions = coswire::parse_list_object_versions_response(r))
        static_cast<void>(coswire::next_list_object_versions_params({}, *versions));

    const coswire::error e = coswire::parse_error_response(r);
    static_cast<void>(coswire::describe(e));
    static const coswire::signed_parts ours = [] {
        const coswire::header_field host[] = {{"Host", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"}};
        const coswire::credentials creds{"AKIDfuzz", coswire::secret_string("fuzz-secret-key"), coswire::secret_string("token")};
        auto parts = coswire::sign({.method = "GET", .path = "/exampleobject", .headers = host}, creds, {1557989753, 1557996953});
        return parts ? *parts : coswire::signed_parts{};
    }();
    if (e.service) static_cast<void>(coswire::diagnose_signature_mismatch(*e.service, ours));
    return 0;
}
