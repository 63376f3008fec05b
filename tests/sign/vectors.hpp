// SPDX-License-Identifier: MIT
// Shared signing inputs of docs/protocol/test-vectors.md for the sign/ tests.
#pragma once

#include <coswire/sign/credentials.hpp>
#include <coswire/sign/http_string.hpp>
#include <coswire/time/key_time.hpp>

#include <array>

namespace vectors {

inline coswire::credentials doc_credentials() {
    return {.secret_id = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q", .secret_key = coswire::secret_string("BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz")};
}

inline constexpr std::string_view doc_host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";

// The documented PUT /exampleobject(腾讯云), every header signed.
inline constexpr std::array<coswire::header_field, 7> put_headers = {{
    {"Date", "Thu, 16 May 2019 06:45:51 GMT"},
    {"Host", doc_host},
    {"Content-Type", "text/plain"},
    {"Content-Length", "13"},
    {"Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="},
    {"x-cos-acl", "private"},
    {"x-cos-grant-read", "uin=\"100000000011\""},
}};
inline constexpr coswire::key_time put_time{1557989151, 1557996351};
inline const coswire::signable_request put_request{"PUT", "/exampleobject(腾讯云)", {}, put_headers};

// The documented GET with response-* overrides.
inline constexpr std::array<coswire::query_param, 2> get_params = {{
    {"response-content-type", "application/octet-stream"},
    {"response-cache-control", "max-age=600"},
}};
inline constexpr std::array<coswire::header_field, 2> get_headers = {{
    {"Date", "Thu, 16 May 2019 06:55:53 GMT"},
    {"Host", doc_host},
}};
inline constexpr coswire::key_time get_time{1557989753, 1557996953};
inline const coswire::signable_request get_request{"GET", "/exampleobject(腾讯云)", get_params, get_headers};

// The multipart vectors.
inline constexpr coswire::key_time multipart_time{1700000000, 1700003600};
inline constexpr std::string_view upload_id =
    "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361";
inline constexpr std::string_view multipart_path = "/doc/大文件 v1+final.bin";

}  // namespace vectors
