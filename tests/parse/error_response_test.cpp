// SPDX-License-Identifier: MIT
#include <coswire/parse/error_response.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using coswire::cos_errc;
using coswire::errc;
using coswire::http_response;

namespace {
const std::string no_such_upload_body =
    "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>NoSuchUpload</Code>\n"
    "\t<Message>The specified upload does not exist.</Message>\n"
    "\t<Resource>examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject</Resource>\n"
    "\t<RequestId>NWU3YjJkNWVfZDFjODJhMDlfMTk2ODJfMmEyNTA0****</RequestId>\n"
    "\t<TraceId>OGVmYzZiMmQzYjA2OWNhODk0NTRkMTBiOWVmMDAxODc0OWRkZjk0ZDM1NmI1M2E2MTRlY2MzZDhmNmI5MWI1OTdjMDczODYwZjM5YTU3ZmZmOWI5MmY4NjkxY2I3MGNiNjkyOWZiNzUxZjg5MGY2OWU4NmI0YWMwNTlhNTExYWU=</TraceId>\n"
    "</Error>";

const std::string signature_body =
    "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>SignatureDoesNotMatch</Code>\n"
    "\t<Message>The Signature you specified is invalid.</Message>\n"
    "\t<StringToSign>sha1\n1615113257;1615199657\nc7503b92a8581b3f3f68c8f7f64a8917b03a1a95\n</StringToSign>\n"
    "\t<FormatString>put\n/imagesresume-zh en_页面_1.png\n\nhost=o2-1258123310.cos.ap-beijing.myqcloud.com\n</FormatString>\n"
    "\t<Resource>o2-00000000.cos.ap-beijing.myqcloud.com/imagesresume-zh+en_页面_1.png</Resource>\n"
    "\t<RequestId>req</RequestId>\n\t<TraceId>trace</TraceId>\n</Error>";
}  // namespace

TEST_CASE("parse_error_response: the documented NoSuchUpload body") {
    const http_response r{404, {{"Content-Type", "application/xml"}, {"x-cos-request-id", "header-id"}}, no_such_upload_body};
    const coswire::error e = coswire::parse_error_response(r);
    CHECK(e.code == errc::service_error);
    REQUIRE(e.service);
    CHECK(e.service->http_status == 404);
    CHECK(e.service->code == "NoSuchUpload");
    CHECK(e.service->message == "The specified upload does not exist.");
    CHECK(e.service->resource == "examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject");
    CHECK(e.service->request_id == "NWU3YjJkNWVfZDFjODJhMDlfMTk2ODJfMmEyNTA0****");
    CHECK(e.service->trace_id.size() > 100);
    CHECK(coswire::is_cos_error(e, cos_errc::no_such_upload));
    CHECK(coswire::describe(e) ==
          "NoSuchUpload (404): The specified upload does not exist. [request-id NWU3YjJkNWVfZDFjODJhMDlfMTk2ODJfMmEyNTA0****]");
}

TEST_CASE("parse_error_response: SignatureDoesNotMatch keeps the server's StringToSign and FormatString") {
    const coswire::error e = coswire::parse_error_response({403, {}, signature_body});
    REQUIRE(e.service);
    CHECK(e.service->code == "SignatureDoesNotMatch");
    CHECK(e.service->string_to_sign == "sha1\n1615113257;1615199657\nc7503b92a8581b3f3f68c8f7f64a8917b03a1a95\n");
    CHECK(e.service->format_string == "put\n/imagesresume-zh en_页面_1.png\n\nhost=o2-1258123310.cos.ap-beijing.myqcloud.com\n");
}

TEST_CASE("parse_error_response: body-less answers get their code from the status and ids from headers") {
    const http_response head404{404, {{"x-cos-request-id", "rid"}, {"x-cos-trace-id", "tid"}, {"Content-Length", "0"}}, ""};
    const coswire::error e = coswire::parse_error_response(head404);
    REQUIRE(e.service);
    CHECK(e.service->code == "NoSuchResource");
    CHECK(e.service->request_id == "rid");
    CHECK(e.service->trace_id == "tid");
    CHECK(e.reason.find("derived from the status") != std::string::npos);
    CHECK(coswire::parse_error_response({412, {}, ""}).service->code == "PreconditionFailed");
    CHECK(coswire::parse_error_response({503, {}, "<html>gateway</html>"}).service->code == "ServiceUnavailable");
    CHECK(coswire::parse_error_response({599, {}, ""}).service->code == "InternalError");
}

TEST_CASE("parse_error_response: server time comes only from responses that carry x-cos-request-id") {
    const std::string skewed = "<Error><Code>RequestTimeTooSkewed</Code><ServerTime>2020-03-25T10:07:14Z</ServerTime></Error>";
    CHECK(coswire::parse_error_response({403, {{"x-cos-request-id", "r"}}, skewed}).service->server_time == 1585130834);
    CHECK_FALSE(coswire::parse_error_response({403, {}, skewed}).service->server_time);
    const http_response dated{403, {{"x-cos-request-id", "r"}, {"Date", "Thu, 16 May 2019 06:45:51 GMT"}},
                              "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"};
    CHECK(coswire::parse_error_response(dated).service->server_time == 1557989151);
    const http_response forged{403, {{"Date", "Thu, 16 May 2019 06:45:51 GMT"}}, "<Error><Code>AccessDenied</Code></Error>"};
    CHECK_FALSE(coswire::parse_error_response(forged).service->server_time);
}

TEST_CASE("parse_error_response: the 200-with-Error body, whitespace first, is recognised") {
    const http_response r{200, {}, "    \n  \n<?xml version=\"1.0\"?><Error><Code>InternalError</Code><Message>x</Message></Error>"};
    CHECK(coswire::has_error_body(r));
    CHECK(coswire::parse_error_response(r).service->code == "InternalError");
    CHECK_FALSE(coswire::has_error_body({200, {}, "<CompleteMultipartUploadResult/>"}));
    CHECK_FALSE(coswire::has_error_body({200, {}, "<Errors/>"}));
    CHECK(coswire::has_error_body({200, {}, "<!-- c --><Error/>"}));
}

TEST_CASE("parse_error_response: unknown elements are ignored and unknown codes kept verbatim") {
    const coswire::error e = coswire::parse_error_response(
        {400, {}, "<Error><Extra><Nested>1</Nested></Extra><Code>BrandNewCode</Code><Resource/></Error>"});
    CHECK(e.service->code == "BrandNewCode");
    CHECK(coswire::to_cos_errc(e.service->code) == cos_errc::unknown);
    CHECK(coswire::to_cos_errc("InternalErrror") == cos_errc::internal_error);
    CHECK(coswire::to_cos_errc("RequestTimeOut") == cos_errc::request_timeout);
}

TEST_CASE("parse_error_response: every prefix of a real body gives an error value, never a crash") {
    for (std::size_t n = 0; n <= signature_body.size(); ++n) {
        const coswire::error e = coswire::parse_error_response({403, {}, signature_body.substr(0, n)});
        CHECK(e.code == errc::service_error);
        REQUIRE(e.service);
        CHECK_FALSE(e.service->code.empty());
    }
}

TEST_CASE("parse_error_response: every documented COS error code round-trips with its status") {
    // docs/protocol/errors.md#error-codes, by status; the raw code is always kept, known ones map to cos_errc.
    const std::vector<std::pair<int, std::vector<std::string>>> table = {
        {301, {"PermanentRedirect"}},
        {302, {"TemporaryRedirect"}},
        {400, {"ActionAccelerateNotSupported", "AttachmentFull", "BadDigest", "BadRquest", "BadRequest",
               "BucketAccelerateNotEnabled", "BucketNameTooLong", "InvalidBucketName", "TargetBucketNameInvalid",
               "BucketVersionNotOpen", "DNSRecordVerifyFailed", "UserCnameInvalid", "WebsiteURLInvalid", "DownloadForbidden",
               "EntitySizeNotMatch", "EntityTooLarge", "EntityTooSmall", "ExpiredToken", "ImageResolutionExceed",
               "ImageTooLarge", "InvalidImageFormat", "InvalidImageSource", "InvalidPicOperations", "IncompleteBody",
               "ImcompleteBody", "IncorrectNumberOfFilesInPostRequest", "MalformedPOSTRequest", "MalformedPolicy",
               "InvalidPolicyDocument", "InvalidArgument", "InvalidCopySource", "InvalidDelimiter", "InvalidDigest",
               "InvalidLocationConstraint", "InvalidRegionName", "InvalidObjectName", "KeyTooLong", "InvalidPart",
               "InvalidPartOrder", "InvalidRequest", "InvalidSHA1Digest", "InvalidTag", "InvalidTargetBucketForLogging",
               "LoggingConfExists", "LoggingPrefixInvalid", "InventoryFull", "InvalidUploadStatus", "InvalidURI",
               "JsonAPINotSupportOnMAZBucket", "MAZOperationNotSupportOnOAZBucket", "OAZOperationNotSupportOnMAZBucket",
               "MultiAZFeatureNotSupport", "KmsException", "KmsKeyDisabled", "KmsKeyNotExist", "ListPartUploadIdIsEmpty",
               "MalformedXML", "MissingRequestBodyError", "MissingAppid", "MissingContentMD5", "MissingHost",
               "MultiBucketNotSupport", "NotifyRuleEventConflict", "NotifyRulePrefixConflict", "NotifyRuleSuffixConflict",
               "NotSupportedStorageClass", "PolicyFull", "PolicyVersionFull", "RequestTimeout", "RequestTimeOut",
               "SsecDecryptHeaderInvalid", "SSEContentNotSupported", "SSEHeaderNotAllowed", "TooManyBuckets",
               "UnexpectedContent", "UserNetworkTooSlow", "VerifyAlgorithmNotSupported", "XMLSizeLimit"}},
        {402, {"PaymentRequired"}},
        {403, {"AccessDenied", "AccessForbidden", "InvalidAccessKeyId", "InvaildAccessKeyId", "InvalidObjectState",
               "NoProcessAuthority", "RequestTimeTooSkewed", "SignatureDoesNotMatch", "UserNotSourceBucketOwner",
               "UserNotTargetBucketOwner", "AccountProblem", "InvalidSecurity", "InvalidObjectStorage"}},
        {404, {"NoSuchBucket", "NoSuchKey", "NoSuchUpload", "NoSuchVersion", "NoSuchCopySource", "NoSuchTagSet",
               "NoSuchLifecycleConfiguration", "NoSuchCORSConfiguration", "NoSuchEncryptionConfiguration",
               "NoSuchObjectLockConfiguration", "NoSuchPolicyVersion", "NoSuchWebsiteConfiguration", "NoSuchJob",
               "NoBucketQuotaPolicy", "InventoryConfigurationNotFoundError", "OriginConfigurationNotFoundError",
               "ReplicationConfigurationNotFoundError"}},
        {405, {"MethodNotAllowed", "RestoreNonArchiveObject", "UploadIdNotSupported"}},
        {409, {"AppendPositionErr", "BucketAlreadyExists", "BucketAlreadyExistsDiffRegion", "BucketAlreadyOwnedByYou",
               "BucketLocked", "BucketNotEmpty", "DomainConfigConflict", "InvalidBucketState", "InvalidLockedTime",
               "InvalidObjectState", "ObjectLocked", "ObjectNotAppendable", "PathConflict", "QuotaConflict",
               "QuotaOperationConfilct", "RecordAlreadyExist", "RestoreAlreadyInProgress", "UploadConflict", "actionAborted"}},
        {411, {"MissingContentLength"}},
        {412, {"PreconditionFailed"}},
        {416, {"InvalidRange"}},
        {451, {"DomainAuditFailed", "UnavailableForLegalReasons"}},
        {500, {"InternalError", "InternalErrror", "KmsInternalException"}},
        {501, {"NotImplemented"}},
        {503, {"ServiceUnavailable", "SlowDown", "KmsFreqControl"}},
    };
    std::size_t known = 0, total = 0;
    for (const auto& [status, codes] : table)
        for (const std::string& code : codes) {
            CAPTURE(code);
            const coswire::error e = coswire::parse_error_response(
                {status, {{"x-cos-request-id", "r"}}, "<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>" + code +
                                                          "</Code><Message>m</Message></Error>"});
            REQUIRE(e.service);
            CHECK(e.service->code == code);
            CHECK(e.service->http_status == status);
            known += coswire::to_cos_errc(code) != cos_errc::unknown;
            ++total;
        }
    CHECK(total == 145);
    CHECK(known == 50);  // the codes a program acts on (InvalidObjectState twice), typo spellings included
    CHECK(coswire::to_cos_errc("NoSuchUpload") == cos_errc::no_such_upload);
    // The codes of the bucket, copy, tagging, append and restore operations.
    CHECK(coswire::to_cos_errc("BucketNotEmpty") == cos_errc::bucket_not_empty);
    CHECK(coswire::to_cos_errc("BucketAlreadyExists") == cos_errc::bucket_already_exists);
    CHECK(coswire::to_cos_errc("BucketAlreadyOwnedByYou") == cos_errc::bucket_already_owned_by_you);
    CHECK(coswire::to_cos_errc("NoSuchCopySource") == cos_errc::no_such_copy_source);
    CHECK(coswire::to_cos_errc("NoSuchTagSet") == cos_errc::no_such_tag_set);
    CHECK(coswire::to_cos_errc("AppendPositionErr") == cos_errc::append_position_err);
    CHECK(coswire::to_cos_errc("ObjectNotAppendable") == cos_errc::object_not_appendable);
    CHECK(coswire::to_cos_errc("RestoreAlreadyInProgress") == cos_errc::restore_already_in_progress);
    CHECK(coswire::to_cos_errc("RestoreNonArchiveObject") == cos_errc::restore_non_archive_object);
    CHECK(coswire::to_cos_errc("BucketAlreadyExistsDiffRegion") == cos_errc::unknown);
    CHECK(coswire::to_cos_errc("BadRquest") == cos_errc::unknown);
}
