// SPDX-License-Identifier: MIT
#include <coswire/parse/acl.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <string>
#include <string_view>

using coswire::acl_grantee_kind;
using coswire::acl_permission;
using coswire::errc;
using test_support::replace_once;

namespace {

// The answer of the GET Object acl page's example (docs/protocol/acl.md#get-object-acl).
const std::string documented = R"(<?xml version="1.0" encoding="UTF-8"?>
<AccessControlPolicy>
	<Owner>
		<ID>qcs::cam::uin/100000000001:uin/100000000001</ID>
		<DisplayName>qcs::cam::uin/100000000001:uin/100000000001</DisplayName>
	</Owner>
	<AccessControlList>
		<Grant>
			<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">
				<URI>http://cam.qcloud.com/groups/global/AllUsers</URI>
			</Grantee>
			<Permission>READ</Permission>
		</Grant>
		<Grant>
			<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">
				<ID>qcs::cam::uin/100000000002:uin/100000000002</ID>
				<DisplayName>qcs::cam::uin/100000000002:uin/100000000002</DisplayName>
			</Grantee>
			<Permission>READ_ACP</Permission>
		</Grant>
	</AccessControlList>
</AccessControlPolicy>)";

coswire::http_response answer(std::string body) {
    return {200, {{"Content-Type", "application/xml"}, {"x-cos-request-id", "NjE0ZjQ2****"}}, std::move(body)};
}

}  // namespace

TEST_CASE("parse_get_object_acl_response: the documented policy's owner and grants") {
    auto a = coswire::parse_get_object_acl_response(answer(documented));
    REQUIRE(a);
    CHECK(a->request_id == "NjE0ZjQ2****");
    CHECK(a->owner.id == "qcs::cam::uin/100000000001:uin/100000000001");
    CHECK(a->owner.display_name == a->owner.id);
    REQUIRE(a->grants.size() == 2);
    CHECK(a->grants[0].kind == acl_grantee_kind::all_users);
    CHECK(a->grants[0].uri == "http://cam.qcloud.com/groups/global/AllUsers");
    CHECK(a->grants[0].permission == acl_permission::read);
    CHECK(a->grants[1].kind == acl_grantee_kind::account);
    CHECK(a->grants[1].id == "qcs::cam::uin/100000000002:uin/100000000002");
    CHECK(a->grants[1].permission == acl_permission::read_acp);

    SUBCASE("other groups, the anyone id, and the other permissions") {
        std::string body = replace_once(documented, "global/AllUsers", "global/AuthenticatedUsers");
        body = replace_once(body, "<Permission>READ</Permission>", "<Permission>FULL_CONTROL</Permission>");
        body = replace_once(body, "<ID>qcs::cam::uin/100000000002:uin/100000000002</ID>", "<ID>qcs::cam::anyone:anyone</ID>");
        body = replace_once(body, "READ_ACP", "WRITE_ACP");
        auto b = coswire::parse_get_object_acl_response(answer(body));
        REQUIRE(b);
        CHECK(b->grants[0].kind == acl_grantee_kind::authenticated_users);
        CHECK(b->grants[0].permission == acl_permission::full_control);
        CHECK(b->grants[1].kind == acl_grantee_kind::all_users);
        CHECK(b->grants[1].permission == acl_permission::write_acp);
    }
    SUBCASE("an empty list") {
        auto c = coswire::parse_get_object_acl_response(answer("<AccessControlPolicy><AccessControlList/></AccessControlPolicy>"));
        REQUIRE(c);
        CHECK(c->grants.empty());
    }
}

TEST_CASE("parse_get_object_acl_response: malformed policies name the element, errors stay COS errors") {
    const auto malformed = [](const std::string& body, std::string_view element) {
        auto r = coswire::parse_get_object_acl_response(answer(body));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::malformed_response);
        CHECK(r.error().argument == element);
    };
    malformed(replace_once(documented, "<Permission>READ</Permission>", "<Permission>WRITE</Permission>"), "Permission");
    malformed(replace_once(documented, "<Permission>READ</Permission>", ""), "Permission");
    malformed(replace_once(documented, "global/AllUsers", "global/Everyone"), "URI");
    malformed(replace_once(documented, "<ID>qcs::cam::uin/100000000002:uin/100000000002</ID>", ""), "Grantee");
    malformed(replace_once(documented, "AccessControlPolicy>\n\t<Owner", "Other>\n\t<Owner"), "document");
    malformed("<AccessControlPolicy><Owner>", "document");

    auto missing = coswire::parse_get_object_acl_response(
        {404, {}, "<Error><Code>NoSuchKey</Code><Message>m</Message></Error>"});
    REQUIRE_FALSE(missing);
    CHECK(coswire::is_cos_error(missing.error(), coswire::cos_errc::no_such_key));
}

TEST_CASE("parse_put_object_acl_response: 200, or the error") {
    auto ok = coswire::parse_put_object_acl_response({200, {{"x-cos-request-id", "id"}}, ""});
    REQUIRE(ok);
    CHECK(ok->request_id == "id");
    auto hidden = coswire::parse_put_object_acl_response({200, {}, "<Error><Code>AccessDenied</Code></Error>"});
    REQUIRE_FALSE(hidden);
    CHECK(coswire::is_cos_error(hidden.error(), coswire::cos_errc::access_denied));
}
