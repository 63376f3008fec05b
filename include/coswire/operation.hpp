// SPDX-License-Identifier: MIT
// The operation registry: for each X_params type, the builder make_X_request and the parser
// parse_X_response that serve it, so one loop (client::send) runs every operation. A new
// operation adds its specialisation here, next to its builder and parser headers.
#pragma once

#include <coswire/api/acl.hpp>
#include <coswire/api/append.hpp>
#include <coswire/api/bucket.hpp>
#include <coswire/api/copy.hpp>
#include <coswire/api/delete_multiple.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/tagging.hpp>
#include <coswire/api/versioning.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/restore.hpp>
#include <coswire/http/message.hpp>
#include <coswire/parse/acl.hpp>
#include <coswire/parse/append.hpp>
#include <coswire/parse/bucket.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/delete_multiple.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/parse/restore.hpp>
#include <coswire/parse/tagging.hpp>
#include <coswire/parse/versioning.hpp>
#include <coswire/result.hpp>

#include <utility>

namespace coswire {

/// Which builder and parser serve a params type: operation<X_params> names make_X_request and
/// parse_X_response, so client::send works for every operation with one loop.
template <class Params>
struct operation;

template <>
struct operation<put_object_params> {
    static constexpr auto build = make_put_object_request;
    static constexpr auto parse = static_cast<result<put_object_result> (*)(const http_response&)>(parse_put_object_response);
};
template <>
struct operation<get_object_params> {
    static constexpr auto build = make_get_object_request;
    static constexpr auto parse = static_cast<result<get_object_result> (*)(const http_response&)>(parse_get_object_response);
};
template <>
struct operation<head_object_params> {
    static constexpr auto build = make_head_object_request;
    static constexpr auto parse = static_cast<result<head_object_result> (*)(const http_response&)>(parse_head_object_response);
};
template <>
struct operation<delete_object_params> {
    static constexpr auto build = make_delete_object_request;
    static constexpr auto parse = static_cast<result<delete_object_result> (*)(const http_response&)>(parse_delete_object_response);
};
template <>
struct operation<list_objects_params> {
    static constexpr auto build = make_list_objects_request;
    static constexpr auto parse = static_cast<result<list_objects_result> (*)(const http_response&)>(parse_list_objects_response);
};
template <>
struct operation<put_object_copy_params> {
    static constexpr auto build = make_put_object_copy_request;
    static constexpr auto parse = static_cast<result<put_object_copy_result> (*)(const http_response&)>(parse_put_object_copy_response);
};
template <>
struct operation<delete_multiple_objects_params> {
    static constexpr auto build = make_delete_multiple_objects_request;
    static constexpr auto parse = static_cast<result<delete_multiple_objects_result> (*)(const http_response&)>(parse_delete_multiple_objects_response);
};
template <>
struct operation<list_buckets_params> {
    static constexpr auto build = make_list_buckets_request;
    static constexpr auto parse = static_cast<result<list_buckets_result> (*)(const http_response&)>(parse_list_buckets_response);
};
template <>
struct operation<put_bucket_params> {
    static constexpr auto build = make_put_bucket_request;
    static constexpr auto parse = static_cast<result<put_bucket_result> (*)(const http_response&)>(parse_put_bucket_response);
};
template <>
struct operation<head_bucket_params> {
    static constexpr auto build = make_head_bucket_request;
    static constexpr auto parse = static_cast<result<head_bucket_result> (*)(const http_response&)>(parse_head_bucket_response);
};
template <>
struct operation<delete_bucket_params> {
    static constexpr auto build = make_delete_bucket_request;
    static constexpr auto parse = static_cast<result<delete_bucket_result> (*)(const http_response&)>(parse_delete_bucket_response);
};
template <>
struct operation<get_bucket_location_params> {
    static constexpr auto build = make_get_bucket_location_request;
    static constexpr auto parse = static_cast<result<get_bucket_location_result> (*)(const http_response&)>(parse_get_bucket_location_response);
};
template <>
struct operation<put_object_tagging_params> {
    static constexpr auto build = make_put_object_tagging_request;
    static constexpr auto parse = static_cast<result<put_object_tagging_result> (*)(const http_response&)>(parse_put_object_tagging_response);
};
template <>
struct operation<get_object_tagging_params> {
    static constexpr auto build = make_get_object_tagging_request;
    static constexpr auto parse = static_cast<result<get_object_tagging_result> (*)(const http_response&)>(parse_get_object_tagging_response);
};
template <>
struct operation<delete_object_tagging_params> {
    static constexpr auto build = make_delete_object_tagging_request;
    static constexpr auto parse = static_cast<result<delete_object_tagging_result> (*)(const http_response&)>(parse_delete_object_tagging_response);
};
template <>
struct operation<append_object_params> {
    static constexpr auto build = make_append_object_request;
    static constexpr auto parse = static_cast<result<append_object_result> (*)(const http_response&)>(parse_append_object_response);
};
template <>
struct operation<restore_object_params> {
    static constexpr auto build = make_restore_object_request;
    static constexpr auto parse = static_cast<result<restore_object_result> (*)(const http_response&)>(parse_restore_object_response);
};
template <>
struct operation<put_bucket_versioning_params> {
    static constexpr auto build = make_put_bucket_versioning_request;
    static constexpr auto parse = static_cast<result<put_bucket_versioning_result> (*)(const http_response&)>(parse_put_bucket_versioning_response);
};
template <>
struct operation<get_bucket_versioning_params> {
    static constexpr auto build = make_get_bucket_versioning_request;
    static constexpr auto parse = static_cast<result<get_bucket_versioning_result> (*)(const http_response&)>(parse_get_bucket_versioning_response);
};
template <>
struct operation<list_object_versions_params> {
    static constexpr auto build = make_list_object_versions_request;
    static constexpr auto parse = static_cast<result<list_object_versions_result> (*)(const http_response&)>(parse_list_object_versions_response);
};
template <>
struct operation<put_object_acl_params> {
    static constexpr auto build = make_put_object_acl_request;
    static constexpr auto parse = static_cast<result<put_object_acl_result> (*)(const http_response&)>(parse_put_object_acl_response);
};
template <>
struct operation<get_object_acl_params> {
    static constexpr auto build = make_get_object_acl_request;
    static constexpr auto parse = static_cast<result<get_object_acl_result> (*)(const http_response&)>(parse_get_object_acl_response);
};
template <>
struct operation<initiate_multipart_upload_params> {
    static constexpr auto build = make_initiate_multipart_upload_request;
    static constexpr auto parse = static_cast<result<initiate_multipart_upload_result> (*)(const http_response&)>(parse_initiate_multipart_upload_response);
};
template <>
struct operation<upload_part_params> {
    static constexpr auto build = make_upload_part_request;
    static constexpr auto parse = static_cast<result<upload_part_result> (*)(const http_response&)>(parse_upload_part_response);
};
template <>
struct operation<upload_part_copy_params> {
    static constexpr auto build = make_upload_part_copy_request;
    static constexpr auto parse = static_cast<result<upload_part_copy_result> (*)(const http_response&)>(parse_upload_part_copy_response);
};
template <>
struct operation<complete_multipart_upload_params> {
    static constexpr auto build = make_complete_multipart_upload_request;
    static constexpr auto parse = static_cast<result<complete_multipart_upload_result> (*)(const http_response&)>(parse_complete_multipart_upload_response);
};
template <>
struct operation<abort_multipart_upload_params> {
    static constexpr auto build = make_abort_multipart_upload_request;
    static constexpr auto parse = static_cast<result<abort_multipart_upload_result> (*)(const http_response&)>(parse_abort_multipart_upload_response);
};
template <>
struct operation<list_parts_params> {
    static constexpr auto build = make_list_parts_request;
    static constexpr auto parse = static_cast<result<list_parts_result> (*)(const http_response&)>(parse_list_parts_response);
};
template <>
struct operation<list_multipart_uploads_params> {
    static constexpr auto build = make_list_multipart_uploads_request;
    static constexpr auto parse = static_cast<result<list_multipart_uploads_result> (*)(const http_response&)>(parse_list_multipart_uploads_response);
};

/// The result type of an operation's params type.
template <class Params>
using operation_result = typename decltype(operation<Params>::parse(std::declval<const http_response&>()))::value_type;

}  // namespace coswire
