// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/versions.hpp>

#include <doctest/doctest.h>

#include "harness.hpp"

#include <coswire/api/append.hpp>
#include <coswire/api/copy.hpp>
#include <coswire/api/delete_multiple.hpp>
#include <coswire/api/restore.hpp>
#include <coswire/api/tagging.hpp>
#include <coswire/api/versioning.hpp>
#include <coswire/parse/append.hpp>
#include <coswire/parse/copy.hpp>
#include <coswire/parse/delete_multiple.hpp>
#include <coswire/parse/object.hpp>
#include <coswire/parse/restore.hpp>
#include <coswire/parse/tagging.hpp>
#include <coswire/parse/versioning.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using coswire::list_object_versions_params;
using coswire::versioning_status;
using emu_test::harness;

namespace emu = coswire::detail::emu;

namespace {

void set_versioning(harness& h, versioning_status status) { h.ok(coswire::put_bucket_versioning_params{.status = status}); }

std::string put(harness& h, std::string key, std::string body) {
    return h.ok(coswire::put_object_params{.key = std::move(key), .body = std::move(body)}).headers.version_id;
}

/// The raw answer to a built request, errors included (the parser passes everything on).
coswire::http_response raw(harness& h, const coswire::result<coswire::http_request>& built) {
    REQUIRE(built);
    auto r = h.client.run(*built, [](const coswire::http_response& a) -> coswire::result<coswire::http_response> { return a; });
    REQUIRE(r);
    return *r;
}

std::string header(const coswire::http_response& r, std::string_view name) {
    const auto v = r.header(name);
    return v ? std::string(*v) : std::string("<none>");
}

/// One listed entry: "key id size [latest]", "key id marker [latest]".
std::string row(const coswire::object_version& v) {
    return v.key + " " + v.version_id + " " + (v.delete_marker ? std::string("marker") : std::to_string(v.size)) +
           (v.is_latest ? " latest" : "");
}

struct listing {
    std::vector<std::string> rows{};
    std::vector<std::string> prefixes{};
    std::size_t pages = 0;
};

/// Every page of a version listing, following NextKeyMarker / NextVersionIdMarker.
listing list_all(harness& h, list_object_versions_params p) {
    listing out;
    for (;;) {
        const coswire::list_object_versions_result page = h.ok(p);
        ++out.pages;
        REQUIRE(out.pages < 10000);
        if (p.max_keys) CHECK(page.versions.size() + page.common_prefixes.size() <= *p.max_keys);
        for (const auto& v : page.versions) out.rows.push_back(row(v));
        out.prefixes.insert(out.prefixes.end(), page.common_prefixes.begin(), page.common_prefixes.end());
        if (!page.is_truncated) return out;
        p.key_marker = page.next_key_marker;
        p.version_id_marker = page.next_version_id_marker;
    }
}

/// PUT /?versioning with `body` as it is, past the builder; "<status> <code>" of the refusal.
std::string put_versioning_raw(harness& h, std::string body) {
    auto built = coswire::make_put_bucket_versioning_request(h.client.bucket_endpoint(), {});
    REQUIRE(built);
    emu::set_header(built->headers, "Content-MD5", coswire::detail::content_md5_of(std::as_bytes(std::span<const char>(body))));
    emu::set_header(built->headers, "Content-Length", std::to_string(body.size()));
    built->body = std::move(body);
    const auto r = h.client.run(*built, [](const coswire::http_response& a) { return coswire::parse_put_bucket_versioning_response(a); });
    REQUIRE_FALSE(r);
    REQUIRE(r.error().service);
    return std::to_string(r.error().service->http_status) + " " + r.error().service->code;
}

}  // namespace

TEST_CASE("parse_versioning_body: Status Enabled or Suspended, anything else is malformed") {
    CHECK(emu::parse_versioning_body("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>").value() ==
          versioning_status::enabled);
    CHECK(emu::parse_versioning_body("<VersioningConfiguration>\r\n    <Status>Suspended</Status>\r\n</VersioningConfiguration>").value() ==
          versioning_status::suspended);
    CHECK_FALSE(emu::parse_versioning_body("<VersioningConfiguration><Status>Off</Status></VersioningConfiguration>"));
    CHECK_FALSE(emu::parse_versioning_body("<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>"));
    CHECK_FALSE(emu::parse_versioning_body("<VersioningConfiguration/>"));
    CHECK_FALSE(emu::parse_versioning_body("<Versioning><Status>Enabled</Status></Versioning>"));
    CHECK_FALSE(emu::parse_versioning_body("<VersioningConfiguration><Status>Enabled</Status>"));
}

TEST_CASE("PUT/GET Bucket versioning: never enabled, Enabled, Suspended; bad bodies are 400 MalformedXML") {
    harness h;
    CHECK(h.ok(coswire::get_bucket_versioning_params{}).status == versioning_status::off);
    CHECK(h.server.versioning() == versioning_status::off);
    set_versioning(h, versioning_status::enabled);
    CHECK(h.ok(coswire::get_bucket_versioning_params{}).status == versioning_status::enabled);
    set_versioning(h, versioning_status::suspended);
    CHECK(h.ok(coswire::get_bucket_versioning_params{}).status == versioning_status::suspended);
    CHECK(put_versioning_raw(h, "<VersioningConfiguration><Status>Off</Status></VersioningConfiguration>") == "400 MalformedXML");
    CHECK(put_versioning_raw(h, "<VersioningConfiguration/>") == "400 MalformedXML");
    CHECK(put_versioning_raw(h, "not xml") == "400 MalformedXML");
    CHECK(h.server.versioning() == versioning_status::suspended);  // refusals change nothing
}

TEST_CASE("versions: the life cycle of a key through the library's builders and parsers") {
    harness h;
    set_versioning(h, versioning_status::enabled);
    const std::string v1 = put(h, "dir/a b ü", "one");
    const std::string v2 = put(h, "dir/a b ü", "second");
    CHECK(v1.size() == 24);
    CHECK(v2.size() == 24);
    CHECK(v1 != v2);
    CHECK(list_all(h, {}).rows == std::vector<std::string>{"dir/a b ü " + v2 + " 6 latest", "dir/a b ü " + v1 + " 3"});

    const auto old = h.ok(coswire::get_object_params{.key = "dir/a b ü", .version_id = v1});
    CHECK(old.body == "one");
    CHECK(old.headers.version_id == v1);
    CHECK(h.ok(coswire::get_object_params{.key = "dir/a b ü"}).body == "second");

    const auto deleted = h.ok(coswire::delete_object_params{.key = "dir/a b ü"});
    CHECK(deleted.delete_marker);
    const std::string marker = deleted.version_id;
    CHECK(marker.size() == 24);
    CHECK(h.server.keys().empty());
    for (const std::optional<std::string>& id : {std::optional<std::string>(), std::optional<std::string>(marker)}) {
        const auto got = raw(h, coswire::make_get_object_request(h.client.bucket_endpoint(), {.key = "dir/a b ü", .version_id = id}));
        CHECK(got.status == 404);
        CHECK(got.body.find("<Code>NoSuchKey</Code>") != std::string::npos);
        CHECK(header(got, "x-cos-delete-marker") == "true");
        CHECK(header(got, "x-cos-version-id") == marker);
        const auto head = raw(h, coswire::make_head_object_request(h.client.bucket_endpoint(), {.key = "dir/a b ü", .version_id = id}));
        CHECK(head.status == 404);
        CHECK(header(head, "x-cos-delete-marker") == "true");
    }
    CHECK(list_all(h, {}).rows ==
          std::vector<std::string>{"dir/a b ü " + marker + " marker latest", "dir/a b ü " + v2 + " 6", "dir/a b ü " + v1 + " 3"});

    const auto unmarked = h.ok(coswire::delete_object_params{.key = "dir/a b ü", .version_id = marker});
    CHECK(unmarked.delete_marker);
    CHECK(unmarked.version_id == marker);
    CHECK(h.ok(coswire::get_object_params{.key = "dir/a b ü"}).body == "second");
    CHECK(h.ok(coswire::head_object_params{.key = "dir/a b ü"}).headers.version_id == v2);
    CHECK(h.ok(coswire::list_objects_params{}).contents.size() == 1);  // GET Bucket sees the key again

    set_versioning(h, versioning_status::suspended);
    CHECK(put(h, "dir/a b ü", "null 1") == "");  // a suspended bucket's write makes the "null" version
    CHECK(put(h, "dir/a b ü", "null two") == "");  // and the next replaces it
    CHECK(list_all(h, {}).rows ==
          std::vector<std::string>{"dir/a b ü null 8 latest", "dir/a b ü " + v2 + " 6", "dir/a b ü " + v1 + " 3"});
    CHECK(h.ok(coswire::get_object_params{.key = "dir/a b ü", .version_id = "null"}).body == "null two");
    CHECK(h.server.stored_bytes() == 8 + 6 + 3);  // every version counts

    const auto suspended_delete = h.ok(coswire::delete_object_params{.key = "dir/a b ü"});
    CHECK(suspended_delete.delete_marker);
    CHECK(suspended_delete.version_id == "null");
    CHECK(list_all(h, {}).rows ==
          std::vector<std::string>{"dir/a b ü null marker latest", "dir/a b ü " + v2 + " 6", "dir/a b ü " + v1 + " 3"});
    CHECK(h.server.stored_bytes() == 6 + 3);
    const auto versions = h.server.versions("dir/a b ü");
    REQUIRE(versions.size() == 3);
    CHECK(versions[0].delete_marker);
    CHECK(versions[2].data == "one");
}

TEST_CASE("versions: a bucket that never had versioning lists one version per key with an empty VersionId") {
    harness h;
    const std::string id = put(h, "k", "abc");
    CHECK(id.empty());
    CHECK(list_all(h, {}).rows == std::vector<std::string>{"k  3 latest"});
    const auto got = raw(h, coswire::make_get_object_request(h.client.bucket_endpoint(), {.key = "k", .version_id = "null"}));
    CHECK(got.status == 200);
    CHECK(header(got, "x-cos-version-id") == "<none>");
    CHECK(h.refused(coswire::get_object_params{.key = "k", .version_id = "MTg0NDUx"}) == "404 NoSuchVersion");
    const auto deleted = h.ok(coswire::delete_object_params{.key = "k"});
    CHECK_FALSE(deleted.delete_marker);
    CHECK(h.server.versions("k").empty());
    CHECK(list_all(h, {}).rows.empty());
}

TEST_CASE("versions: errors — NoSuchVersion, an unknown version-id-marker, a delete marker as copy source") {
    harness h;
    set_versioning(h, versioning_status::enabled);
    const std::string v1 = put(h, "k", "one");
    CHECK(h.refused(coswire::get_object_params{.key = "k", .version_id = "MTIzNDU2Nzg5MDEyMzQ1Njc4"}) == "404 NoSuchVersion");
    CHECK(raw(h, coswire::make_head_object_request(h.client.bucket_endpoint(), {.key = "k", .version_id = "MTIzNDU2Nzg5MDEyMzQ1Njc4"})).status ==
          404);
    CHECK(h.refused(coswire::delete_object_params{.key = "k", .version_id = "MTIzNDU2Nzg5MDEyMzQ1Njc4"}) == "404 NoSuchVersion");
    CHECK(h.refused(coswire::get_object_params{.key = "none", .version_id = v1}) == "404 NoSuchKey");
    CHECK(h.refused(list_object_versions_params{.key_marker = "k", .version_id_marker = "MTIzNDU2Nzg5MDEyMzQ1Njc4"}) ==
          "400 InvalidArgument");
    const std::string marker = h.ok(coswire::delete_object_params{.key = "k"}).version_id;
    const auto endpoint = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value();
    CHECK(h.refused(coswire::put_object_copy_params{.key = "dst", .source = endpoint, .source_key = "k", .source_version_id = marker}) ==
          "400 InvalidRequest");
    CHECK(h.refused(coswire::put_object_copy_params{.key = "dst", .source = endpoint, .source_key = "k"}) == "404 NoSuchKey");
    CHECK(h.refused(coswire::put_object_copy_params{.key = "dst", .source = endpoint, .source_key = "k", .source_version_id = "MTIz"}) ==
          "404 NoSuchVersion");
    CHECK(h.refused(coswire::get_object_tagging_params{.key = "k"}) == "404 NoSuchKey");
    CHECK(h.ok(coswire::get_object_tagging_params{.key = "k", .version_id = v1}).tags.empty());
}

TEST_CASE("versions: copy, tagging and restore act on the version named") {
    harness h;
    set_versioning(h, versioning_status::enabled);
    const auto endpoint = coswire::make_endpoint("examplebucket-1250000000", "ap-beijing").value();
    const std::string v1 = h.ok(coswire::put_object_params{.key = "k", .body = "cold", .attributes = {.storage_class = "ARCHIVE"}})
                               .headers.version_id;
    const std::string v2 = put(h, "k", "old");
    const std::string v3 = put(h, "k", "new");

    const auto copied = h.ok(coswire::put_object_copy_params{.key = "dst", .source = endpoint, .source_key = "k", .source_version_id = v2});
    CHECK(copied.source_version_id == v2);
    CHECK(copied.version_id.size() == 24);
    CHECK(copied.version_id != v2);
    CHECK(h.ok(coswire::get_object_params{.key = "dst"}).body == "old");
    CHECK(h.refused(coswire::put_object_copy_params{.key = "cold", .source = endpoint, .source_key = "k", .source_version_id = v1}) ==
          "403 InvalidObjectState");  // an archived version is read only once restored

    const auto from_latest = h.ok(coswire::put_object_copy_params{.key = "dst", .source = endpoint, .source_key = "k"});
    CHECK(from_latest.source_version_id == v3);
    CHECK(h.ok(coswire::get_object_params{.key = "dst"}).body == "new");
    CHECK(h.server.versions("dst").size() == 2);

    h.ok(coswire::put_object_tagging_params{.key = "k", .tags = {{"v", "1"}}, .version_id = v1});
    CHECK(h.ok(coswire::get_object_tagging_params{.key = "k", .version_id = v1}).tags.size() == 1);
    CHECK(h.ok(coswire::get_object_tagging_params{.key = "k"}).tags.empty());

    CHECK(h.refused(coswire::restore_object_params{.key = "k"}) == "405 RestoreNonArchiveObject");
    h.ok(coswire::restore_object_params{.key = "k", .version_id = v1});
    CHECK(h.server.versions("k")[2].restore == coswire::testing::restore_state::ongoing);
}

TEST_CASE("versions: DELETE Multiple Objects with version ids reports markers made and removed") {
    harness h;
    set_versioning(h, versioning_status::enabled);
    const std::string v1 = put(h, "k", "one");
    const std::string v2 = put(h, "k", "two");
    const auto first = h.ok(coswire::delete_multiple_objects_params{.objects = {{.key = "k", .version_id = v1}, {.key = "k"}}});
    REQUIRE(first.deleted.size() == 2);
    CHECK(first.deleted[0].version_id == v1);
    CHECK_FALSE(first.deleted[0].delete_marker);
    CHECK(first.deleted[1].delete_marker);
    const std::string marker = first.deleted[1].delete_marker_version_id;
    CHECK(marker.size() == 24);
    CHECK(h.server.keys().empty());

    const auto second = h.ok(coswire::delete_multiple_objects_params{
        .objects = {{.key = "k", .version_id = marker}, {.key = "k", .version_id = "MTIzNDU2Nzg5MDEyMzQ1Njc4"}}});
    REQUIRE(second.deleted.size() == 1);
    CHECK(second.deleted[0].delete_marker);
    CHECK(second.deleted[0].delete_marker_version_id == marker);
    CHECK(second.deleted[0].version_id == marker);
    REQUIRE(second.errors.size() == 1);
    CHECK(second.errors[0].code == "NoSuchVersion");
    CHECK(h.ok(coswire::get_object_params{.key = "k"}).body == "two");
    CHECK(h.server.versions("k").size() == 1);
    CHECK(h.server.versions("k")[0].version_id == v2);
}

TEST_CASE("versions: paging with both markers, any max-keys, gives the one-page listing") {
    harness h;
    set_versioning(h, versioning_status::enabled);
    for (int round = 0; round < 3; ++round)
        for (const char* key : {"a", "b", "c+d", "e f"}) put(h, key, std::string(static_cast<std::size_t>(round + 1), 'x'));
    h.ok(coswire::delete_object_params{.key = "b"});
    const listing whole = list_all(h, {});
    CHECK(whole.pages == 1);
    REQUIRE(whole.rows.size() == 13);
    CHECK(whole.rows[3].starts_with("b "));
    CHECK(whole.rows[3].ends_with(" marker latest"));
    for (std::uint32_t max = 1; max <= 14; ++max) {
        CAPTURE(max);
        const listing paged = list_all(h, {.max_keys = max});
        CHECK(paged.rows == whole.rows);
        CHECK(paged.pages == (whole.rows.size() + max - 1) / max);
    }
    // key-marker alone skips every version of that key.
    const listing after_b = list_all(h, {.key_marker = "b"});
    CHECK(after_b.rows == std::vector<std::string>(whole.rows.begin() + 7, whole.rows.end()));
}

TEST_CASE("versions: max-keys above 1000 is read as 1000; a page of 1000 resumes inside one key's versions") {
    harness h;
    set_versioning(h, versioning_status::enabled);
    for (int i = 0; i < 1001; ++i) h.server.put_object("k", std::to_string(i));
    auto built = coswire::make_list_object_versions_request(h.client.bucket_endpoint(), {.max_keys = 1000});
    REQUIRE(built);
    for (coswire::http_query_param& q : built->query)
        if (q.name == "max-keys") q.value = "5000";  // past the builder's own check
    const auto r = h.client.run(*built, [](const coswire::http_response& a) { return coswire::parse_list_object_versions_response(a); });
    REQUIRE(r);
    CHECK(r->max_keys == 1000);
    CHECK(r->versions.size() == 1000);
    CHECK(r->is_truncated);
    CHECK(r->next_key_marker == "k");
    const auto rest = h.ok(list_object_versions_params{.key_marker = r->next_key_marker, .version_id_marker = r->next_version_id_marker});
    REQUIRE(rest.versions.size() == 1);
    CHECK(h.ok(coswire::get_object_params{.key = "k", .version_id = rest.versions[0].version_id}).body == "0");
}

TEST_CASE("versions: a delimiter folds keys into CommonPrefixes, which pages count once") {
    harness h;
    set_versioning(h, versioning_status::enabled);
    for (const char* key : {"a/1", "a/2", "b", "c/x/y"}) {
        put(h, key, "1");
        put(h, key, "22");
    }
    const listing whole = list_all(h, {.delimiter = "/"});
    CHECK(whole.prefixes == std::vector<std::string>{"a/", "c/"});
    REQUIRE(whole.rows.size() == 2);
    CHECK(whole.rows[0].starts_with("b "));
    for (std::uint32_t max = 1; max <= 4; ++max) {
        CAPTURE(max);
        const listing paged = list_all(h, {.delimiter = "/", .max_keys = max});
        CHECK(paged.rows == whole.rows);
        CHECK(paged.prefixes == whole.prefixes);
    }
    const listing inside = list_all(h, {.prefix = "c/", .delimiter = "/"});
    CHECK(inside.prefixes == std::vector<std::string>{"c/x/"});
    CHECK(list_all(h, {.prefix = "a/", .max_keys = 1}).rows.size() == 4);
}

TEST_CASE("versions: version ids come from the seed; the quota counts every version; appends keep their version") {
    const auto ids = [](std::uint64_t seed) {
        auto o = emu_test::options();
        o.seed = seed;
        harness h(1, o);
        set_versioning(h, versioning_status::enabled);
        return std::vector<std::string>{put(h, "k", "1"), put(h, "k", "2")};
    };
    CHECK(ids(7) == ids(7));
    CHECK(ids(7) != ids(8));

    auto o = emu_test::options();
    o.max_stored_bytes = 10;
    harness h(1, o);
    put(h, "k", "123456");
    put(h, "k", "654321");  // unversioned: the replacement frees the old bytes
    set_versioning(h, versioning_status::enabled);
    CHECK(h.refused(coswire::put_object_params{.key = "k", .body = "abcdef"}) == "400 EntityTooLarge");
    set_versioning(h, versioning_status::suspended);
    put(h, "k", "abcdef");  // replaces the "null" version
    CHECK(h.server.stored_bytes() == 6);

    harness a;
    set_versioning(a, versioning_status::enabled);
    a.ok(coswire::append_object_params{.key = "log", .position = 0, .body = "ab"});
    const std::string id = a.server.versions("log").at(0).version_id;
    a.ok(coswire::append_object_params{.key = "log", .position = 2, .body = "cd"});
    REQUIRE(a.server.versions("log").size() == 1);
    CHECK(a.server.versions("log")[0].version_id == id);
    CHECK(a.server.versions("log")[0].data == "abcd");
    CHECK(a.server.stored_bytes() == 4);
}

TEST_CASE("versions: DELETE Bucket counts older versions and delete markers; a bucket made again is never versioned") {
    harness h;
    set_versioning(h, versioning_status::enabled);
    const std::string v1 = put(h, "k", "1");
    const std::string marker = h.ok(coswire::delete_object_params{.key = "k"}).version_id;
    CHECK(h.refused(coswire::delete_bucket_params{}) == "409 BucketNotEmpty");
    h.ok(coswire::delete_object_params{.key = "k", .version_id = v1});
    CHECK(h.refused(coswire::delete_bucket_params{}) == "409 BucketNotEmpty");
    h.ok(coswire::delete_object_params{.key = "k", .version_id = marker});
    h.ok(coswire::delete_bucket_params{});
    h.ok(coswire::put_bucket_params{});
    CHECK(h.ok(coswire::get_bucket_versioning_params{}).status == versioning_status::off);
}

TEST_CASE("versions property: random puts and deletes match a model's listing after every step") {
    // The model: each key's versions newest first, as (version id, delete marker, size).
    struct entry {
        std::string id{};
        bool marker = false;
        std::size_t size = 0;
    };
    harness h;
    std::mt19937_64 rng(20261207);
    std::map<std::string, std::vector<entry>> model;
    bool suspended = false;
    set_versioning(h, versioning_status::enabled);
    const std::vector<std::string> keys{"a", "a/b", "b"};
    for (int step = 0; step < 300; ++step) {
        CAPTURE(step);
        const std::string key = keys[rng() % keys.size()];
        std::vector<entry>& versions = model[key];
        const auto drop_null = [&] {
            versions.erase(std::remove_if(versions.begin(), versions.end(), [](const entry& e) { return e.id == "null"; }), versions.end());
        };
        switch (rng() % 8) {
            case 0:
            case 1:
            case 2: {
                const std::size_t size = rng() % 5;
                const std::string id = put(h, key, std::string(size, 'x'));
                CHECK(id.empty() == suspended);
                if (suspended) drop_null();
                versions.insert(versions.begin(), {suspended ? "null" : id, false, size});
                break;
            }
            case 3:
            case 4: {
                const auto r = h.ok(coswire::delete_object_params{.key = key});
                CHECK(r.delete_marker);
                if (suspended) drop_null();
                versions.insert(versions.begin(), {r.version_id, true, 0});
                break;
            }
            case 5:
            case 6: {
                if (versions.empty()) break;
                const std::size_t at = rng() % versions.size();
                const auto r = h.ok(coswire::delete_object_params{.key = key, .version_id = versions[at].id});
                CHECK(r.delete_marker == versions[at].marker);
                versions.erase(versions.begin() + static_cast<std::ptrdiff_t>(at));
                break;
            }
            default:
                suspended = !suspended;
                set_versioning(h, suspended ? versioning_status::suspended : versioning_status::enabled);
        }
        std::vector<std::string> expected;
        std::uint64_t bytes = 0;
        for (const auto& [k, list] : model)
            for (std::size_t i = 0; i < list.size(); ++i) {
                expected.push_back(k + " " + list[i].id + " " + (list[i].marker ? std::string("marker") : std::to_string(list[i].size)) +
                                   (i == 0 ? " latest" : ""));
                bytes += list[i].size;
            }
        const std::uint32_t max = static_cast<std::uint32_t>(1 + rng() % 4);
        CHECK(list_all(h, {.max_keys = max}).rows == expected);
        CHECK(h.server.stored_bytes() == bytes);
        const bool readable = !versions.empty() && !versions.front().marker;
        CHECK(h.server.object(key).has_value() == readable);
    }
}
