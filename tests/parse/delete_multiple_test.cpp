// SPDX-License-Identifier: MIT
#include <coswire/parse/delete_multiple.hpp>

#include <doctest/doctest.h>

#include "../support/cos.hpp"

#include <coswire/client.hpp>
#include <coswire/testing/fake_transport.hpp>
#include <coswire/xml/reader.hpp>
#include <coswire/xml/walk.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using coswire::errc;
using coswire::http_response;
using coswire::object_to_delete;

using test_support::check_malformed;
using test_support::replace_once;

namespace {

// The documented answer (docs/protocol/delete-multiple.md#answer): a delete marker made, a
// version deleted, one failure.
const std::string documented_body =
    "<DeleteResult>\n"
    "\t<Deleted>\n\t\t<Key>example-object-1.jpg</Key>\n\t\t<DeleteMarker>true</DeleteMarker>\n"
    "\t\t<DeleteMarkerVersionId>MTg0NDUxNzc2ODQ2NjM1NTI2NDY</DeleteMarkerVersionId>\n\t</Deleted>\n"
    "\t<Deleted>\n\t\t<Key>example-object-2.jpg</Key>\n\t\t<VersionId>MTg0NDUxNzc2ODQ2NjQ1MjM5MTk</VersionId>\n\t</Deleted>\n"
    "\t<Error>\n\t\t<Key>example-object-4.jpg</Key>\n\t\t<VersionId>MTg0NDUxNzc2ODQ2NjQ0NjI0MDQ</VersionId>\n"
    "\t\t<Code>PathConflict</Code>\n\t\t<Message>Path conflict.</Message>\n\t</Error>\n"
    "</DeleteResult>";

http_response ok_xml(std::string body) {
    return http_response{200, {{"Content-Type", "application/xml"}, {"x-cos-request-id", "NjJmMjM4YzBfOWIxZjRlXzY2ZDdf"}}, std::move(body)};
}

// An answer reporting every key of a request as deleted, as a fake COS would.
std::string all_deleted(const coswire::http_request& request) {
    std::string out = "<DeleteResult>";
    coswire::xml::reader reader(request.body);
    auto ok = coswire::xml::read_document(reader, [&](std::string_view, coswire::xml::reader& root) {
        return coswire::xml::for_each_child(root, [&](std::string_view name, coswire::xml::reader& o) -> coswire::result<void> {
            if (name != "Object") return {};
            return coswire::xml::for_each_child(o, [&](std::string_view, coswire::xml::reader& f) -> coswire::result<void> {
                auto text = f.read_text();
                if (!text) return std::move(text).error();
                out += "<Deleted><Key>" + std::string(*text) + "</Key></Deleted>";
                return {};
            });
        });
    });
    REQUIRE(ok);
    return out + "</DeleteResult>";
}

struct fixture {
    coswire::testing::fake_transport transport;
    coswire::client<coswire::testing::fake_transport> client{coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value(),
                                                             coswire::credentials{.secret_id = "AKIDdel", .secret_key = coswire::secret_string("s")},
                                                             transport, [] { return std::int64_t{1700000000}; }, [](std::uint32_t) {},
                                                             coswire::client_options{.max_attempts = 1}};
};

}  // namespace

TEST_CASE("parse_delete_multiple_objects_response: reads the documented DeleteResult") {
    auto r = coswire::parse_delete_multiple_objects_response(ok_xml(documented_body));
    REQUIRE(r);
    CHECK(r->request_id == "NjJmMjM4YzBfOWIxZjRlXzY2ZDdf");
    REQUIRE(r->deleted.size() == 2);
    CHECK(r->deleted[0].key == "example-object-1.jpg");
    CHECK(r->deleted[0].delete_marker);
    CHECK(r->deleted[0].delete_marker_version_id == "MTg0NDUxNzc2ODQ2NjM1NTI2NDY");
    CHECK(r->deleted[1].key == "example-object-2.jpg");
    CHECK_FALSE(r->deleted[1].delete_marker);
    CHECK(r->deleted[1].version_id == "MTg0NDUxNzc2ODQ2NjQ1MjM5MTk");
    REQUIRE(r->errors.size() == 1);
    CHECK(r->errors[0].key == "example-object-4.jpg");
    CHECK(r->errors[0].version_id == "MTg0NDUxNzc2ODQ2NjQ0NjI0MDQ");
    CHECK(r->errors[0].code == "PathConflict");
    CHECK(r->errors[0].message == "Path conflict.");

    SUBCASE("quiet mode with nothing to report") {
        auto quiet = coswire::parse_delete_multiple_objects_response(ok_xml("<DeleteResult/>"));
        REQUIRE(quiet);
        CHECK(quiet->deleted.empty());
        CHECK(quiet->errors.empty());
    }
    SUBCASE("escaped keys come back as written") {
        auto escaped = coswire::parse_delete_multiple_objects_response(
            ok_xml("<DeleteResult><Deleted><Key>a&amp;b&lt;c&gt;</Key></Deleted></DeleteResult>"));
        REQUIRE(escaped);
        CHECK(escaped->deleted[0].key == "a&b<c>");
    }
}

TEST_CASE("parse_delete_multiple_objects_response: errors and hostile answers") {
    SUBCASE("a 200 whose body is <Error>, and error statuses") {
        auto e = coswire::parse_delete_multiple_objects_response(ok_xml("<Error><Code>MalformedXML</Code><Message>m</Message></Error>"));
        REQUIRE_FALSE(e);
        CHECK(e.error().code == errc::service_error);
        CHECK(e.error().service->code == "MalformedXML");
        auto md5 = coswire::parse_delete_multiple_objects_response(
            http_response{400, {}, "<Error><Code>InvalidRequest</Code><Message>Missing required header for this request: Content-MD5</Message></Error>"});
        REQUIRE_FALSE(md5);
        CHECK(md5.error().service->code == "InvalidRequest");
    }
    SUBCASE("missing fields and wrong types") {
        check_malformed(coswire::parse_delete_multiple_objects_response(ok_xml("<DeleteResult><Deleted/></DeleteResult>")), "Key");
        check_malformed(coswire::parse_delete_multiple_objects_response(ok_xml("<DeleteResult><Error><Code>X</Code></Error></DeleteResult>")),
                        "Key");
        check_malformed(coswire::parse_delete_multiple_objects_response(ok_xml("<DeleteResult><Error><Key>k</Key></Error></DeleteResult>")),
                        "Code");
        check_malformed(coswire::parse_delete_multiple_objects_response(ok_xml(replace_once(documented_body, "<DeleteMarker>true", "<DeleteMarker>yes"))),
                        "DeleteMarker");
        check_malformed(coswire::parse_delete_multiple_objects_response(ok_xml("<ListBucketResult/>")), "document");
        check_malformed(coswire::parse_delete_multiple_objects_response(ok_xml("")), "document");
    }
    SUBCASE("more entries than a request may name") {
        std::string body = "<DeleteResult>";
        for (int i = 0; i < 1000; ++i) body += "<Deleted><Key>k" + std::to_string(i) + "</Key></Deleted>";
        CHECK(coswire::parse_delete_multiple_objects_response(ok_xml(body + "</DeleteResult>")));
        check_malformed(coswire::parse_delete_multiple_objects_response(ok_xml(body + "<Error><Key>x</Key><Code>c</Code></Error></DeleteResult>")),
                        "document");
    }
    SUBCASE("every cut of the documented answer is an error, never a crash") {
        for (std::size_t n = 0; n < documented_body.size(); ++n) CHECK_FALSE(coswire::parse_delete_multiple_objects_response(ok_xml(documented_body.substr(0, n))));
    }
}

TEST_CASE("delete_objects: 2500 keys take three requests; the answers are merged in order") {
    fixture f;
    std::vector<object_to_delete> objects;
    for (int i = 0; i < 2500; ++i) objects.push_back({.key = "logs/" + std::to_string(i) + ".gz"});
    // The fake answers in order, so each answer is queued once its request's keys are known: the
    // batches are the split the loop will send.
    for (const auto& batch : coswire::split_delete_multiple_objects(objects)) {
        auto request = coswire::make_delete_multiple_objects_request(f.client.bucket_endpoint(), batch);
        REQUIRE(request);
        f.transport.respond(ok_xml(all_deleted(*request)));
    }
    auto r = coswire::delete_objects(f.client, objects);
    REQUIRE(r);
    CHECK(f.transport.requests().size() == 3);
    REQUIRE(r->deleted.size() == 2500);
    CHECK(r->deleted[0].key == "logs/0.gz");
    CHECK(r->deleted[2499].key == "logs/2499.gz");
    CHECK(r->errors.empty());
}

TEST_CASE("delete_objects: per-key failures are results; answers about other keys are not believed") {
    fixture f;
    const std::vector<object_to_delete> objects{{.key = "example-object-1.jpg"}, {.key = "example-object-2.jpg"},
                                                {.key = "example-object-4.jpg", .version_id = "MTg0NDUxNzc2ODQ2NjQ0NjI0MDQ"}};
    SUBCASE("the documented answer: two deleted, one refused") {
        f.transport.respond(ok_xml(documented_body));
        auto r = coswire::delete_objects(f.client, objects);
        REQUIRE(r);
        CHECK(r->deleted.size() == 2);
        REQUIRE(r->errors.size() == 1);
        CHECK(r->errors[0].code == "PathConflict");
    }
    SUBCASE("an answer naming a key not asked for") {
        f.transport.respond(ok_xml(replace_once(documented_body, "example-object-2.jpg", "someone-else.jpg")));
        auto r = coswire::delete_objects(f.client, objects);
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "Key");
    }
    SUBCASE("an answer silent about a key outside quiet mode, accepted in quiet mode") {
        const std::string two = "<DeleteResult><Deleted><Key>example-object-1.jpg</Key></Deleted>"
                                "<Deleted><Key>example-object-2.jpg</Key></Deleted></DeleteResult>";
        f.transport.respond(ok_xml(two)).respond(ok_xml(two));
        auto loud = coswire::delete_objects(f.client, objects);
        REQUIRE_FALSE(loud);
        CHECK(loud.error().code == errc::malformed_response);
        CHECK(coswire::delete_objects(f.client, objects, true));
    }
    SUBCASE("a bad entry is refused before anything is sent") {
        auto r = coswire::delete_objects(f.client, std::vector<object_to_delete>{{.key = ""}});
        REQUIRE_FALSE(r);
        CHECK(r.error().argument == "objects");
        CHECK(f.transport.requests().empty());
    }
}
