// SPDX-License-Identifier: MIT
// Umbrella header: includes every public header of coswire, nothing else. Opt-in headers stay
// out: <coswire/multipart/parallel.hpp>, <coswire/download/parallel.hpp> and
// <coswire/copy/parallel.hpp> (threads), <coswire/testing/*.hpp> (test doubles) and
// <coswire/transport/*.hpp> (each needs its HTTP library); single_include/coswire/ has a
// companion single header for each group.
#pragma once

#include <coswire/version.hpp>
#include <coswire/config.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>
#include <coswire/callback.hpp>

#include <coswire/crypto/sha1.hpp>
#include <coswire/crypto/hmac.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/crypto/crc64.hpp>

#include <coswire/encoding/hex.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/encoding/object_key.hpp>

#include <coswire/time/key_time.hpp>
#include <coswire/time/http_date.hpp>

#include <coswire/sign/credentials.hpp>
#include <coswire/sign/http_string.hpp>
#include <coswire/sign/signer.hpp>
#include <coswire/sign/authorization.hpp>
#include <coswire/sign/presign.hpp>
#include <coswire/sign/request.hpp>
#include <coswire/sign/diagnose.hpp>
#include <coswire/sign/verify.hpp>

#include <coswire/http/message.hpp>
#include <coswire/http/transport.hpp>

#include <coswire/credentials/static.hpp>
#include <coswire/credentials/environment.hpp>
#include <coswire/credentials/file.hpp>
#include <coswire/credentials/caching.hpp>
#include <coswire/credentials/instance_role.hpp>
#include <coswire/credentials/chain.hpp>

#include <coswire/xml/characters.hpp>
#include <coswire/xml/markup.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/scan.hpp>
#include <coswire/xml/walk.hpp>
#include <coswire/xml/writer.hpp>

#include <coswire/api/limits.hpp>
#include <coswire/api/endpoint.hpp>
#include <coswire/api/encryption.hpp>
#include <coswire/api/request.hpp>
#include <coswire/api/object.hpp>
#include <coswire/api/presign.hpp>
#include <coswire/api/post_object.hpp>
#include <coswire/api/multipart.hpp>
#include <coswire/api/copy.hpp>
#include <coswire/api/bucket.hpp>
#include <coswire/api/tagging.hpp>
#include <coswire/api/append.hpp>
#include <coswire/api/restore.hpp>
#include <coswire/api/versioning.hpp>
#include <coswire/api/delete_multiple.hpp>
#include <coswire/api/acl.hpp>

#include <coswire/parse/error_response.hpp>
#include <coswire/parse/response.hpp>
#include <coswire/parse/xml_fields.hpp>
#include <coswire/parse/retry.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/parse/multipart.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/bucket.hpp>
#include <coswire/parse/tagging.hpp>
#include <coswire/parse/append.hpp>
#include <coswire/parse/restore.hpp>
#include <coswire/parse/versioning.hpp>
#include <coswire/parse/acl.hpp>
#include <coswire/parse/delete_multiple.hpp>

#include <coswire/machine/step.hpp>
#include <coswire/machine/context.hpp>
#include <coswire/machine/operation.hpp>
#include <coswire/machine/drive.hpp>
#include <coswire/machine/relay.hpp>

#include <coswire/listing/all_pages.hpp>

#include <coswire/objects/append.hpp>
#include <coswire/objects/delete_multiple.hpp>

#include <coswire/multipart/plan.hpp>
#include <coswire/multipart/source.hpp>
#include <coswire/multipart/options.hpp>
#include <coswire/multipart/checks.hpp>
#include <coswire/multipart/cleanup.hpp>
#include <coswire/multipart/machine.hpp>
#include <coswire/multipart/stream.hpp>
#include <coswire/multipart/upload.hpp>
#include <coswire/download/plan.hpp>
#include <coswire/download/machine.hpp>
#include <coswire/download/driver.hpp>
#include <coswire/copy/options.hpp>
#include <coswire/copy/machine.hpp>
#include <coswire/copy/driver.hpp>

#include <coswire/operation.hpp>
#include <coswire/client.hpp>
