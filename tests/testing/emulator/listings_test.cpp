// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/listings.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace emu = coswire::detail::emu;

namespace {

/// Pages through plain keys, with a marker exclusive of itself.
emu::page<std::string> page_of(const std::vector<std::string>& keys, std::string_view marker, std::string_view prefix,
                               std::string_view delimiter, std::uint64_t max) {
    std::vector<const std::string*> sorted;
    for (const std::string& k : keys) sorted.push_back(&k);
    return emu::paginate(
        sorted, [](const std::string& k) { return std::string_view(k); }, [marker](const std::string& k) { return k > marker; },
        marker, prefix, delimiter, max);
}

emu::exchange listing(std::vector<coswire::http_query_param> params) {
    emu::exchange x;
    x.method = "GET";
    x.path = "/";
    x.target_ok = true;
    x.params = std::move(params);
    return x;
}

const std::vector<std::string> keys{"a/1", "a/2", "b", "c/x/1", "c/y", "d"};

}  // namespace

TEST_CASE("paginate: prefixes fold by delimiter and count as one entry") {
    const auto p = page_of(keys, "", "", "/", 1000);
    CHECK_FALSE(p.truncated);
    REQUIRE(p.items.size() == 2);
    CHECK(*p.items[0] == "b");
    CHECK(*p.items[1] == "d");
    CHECK(p.common_prefixes == std::vector<std::string>{"a/", "c/"});
    const auto nested = page_of(keys, "", "c/", "/", 1000);
    CHECK(nested.common_prefixes == std::vector<std::string>{"c/x/"});
    REQUIRE(nested.items.size() == 1);
    CHECK(*nested.items[0] == "c/y");
}

TEST_CASE("paginate: pages end after max entries, resume after the next key, and a group is never repeated") {
    auto p = page_of(keys, "", "", "/", 2);
    CHECK(p.truncated);
    CHECK(p.common_prefixes == std::vector<std::string>{"a/"});
    CHECK(p.next_key == "b");
    CHECK(p.next_item != nullptr);
    p = page_of(keys, "b", "", "/", 1);
    CHECK(p.truncated);
    CHECK(p.common_prefixes == std::vector<std::string>{"c/"});
    CHECK(p.next_key == "c/");
    CHECK(p.next_item == nullptr);  // the page ends on a prefix
    p = page_of(keys, "c/", "", "/", 1);  // c/x/1 and c/y belong to the group already returned
    CHECK_FALSE(p.truncated);
    REQUIRE(p.items.size() == 1);
    CHECK(*p.items[0] == "d");
    const auto exact = page_of(keys, "", "", "", 6);
    CHECK_FALSE(exact.truncated);  // truncated only when another entry follows
    const auto none = page_of(keys, "", "", "", 0);
    CHECK_FALSE(none.truncated);
    CHECK(none.items.empty());
}

TEST_CASE("listing parameters: numbers, encoding-type and XML-safe text") {
    emu::listing_query q;
    CHECK_FALSE(emu::read_listing_query(listing({{"max-keys", "5000"}, {"prefix", "p"}, {"encoding-type", "url"}}), "marker", "max-keys", q));
    CHECK(q.max == 1000);
    CHECK(q.prefix == "p");
    CHECK(q.url);
    CHECK(emu::read_listing_query(listing({{"max-keys", "-1"}}), "marker", "max-keys", q)->status == 400);
    CHECK(emu::read_listing_query(listing({{"encoding-type", "base64"}}), "marker", "max-keys", q)->status == 400);
    CHECK(emu::read_listing_query(listing({{"marker", "\xEF\xBF\xBE"}}), "marker", "max-keys", q)->status == 400);
    std::uint64_t n = 9;
    CHECK_FALSE(emu::number_param(listing({}), "part-number-marker", 3, n));
    CHECK(n == 3);
    CHECK(emu::listed("a b/c", true) == "a%20b/c");
    CHECK(emu::listed("a b/c", false) == "a b/c");
}

TEST_CASE("list_objects and list_parts over a store") {
    const coswire::testing::emulator_options options;
    emu::bucket_store store(1000, "", 0);
    for (const std::string& k : keys) store.store_object(k, "v", {}, std::nullopt, 0);
    const coswire::http_response objects = emu::list_objects(store, options, listing({{"delimiter", "/"}, {"max-keys", "3"}}));
    CHECK(objects.status == 200);
    CHECK(objects.body.find("<Name>examplebucket-1250000000</Name>") != std::string::npos);
    CHECK(objects.body.find("<IsTruncated>true</IsTruncated><NextMarker>c/</NextMarker>") != std::string::npos);
    CHECK(objects.body.find("<ID>qcs::cam::uin/1250000000:uin/1250000000</ID>") != std::string::npos);

    auto& u = store.initiate("k", {}, 0);
    store.store_part(u, 1, "a", 0);
    store.store_part(u, 3, "b", 0);
    emu::exchange x = listing({{"uploadId", u.upload_id}, {"max-parts", "1"}});
    x.path = "/k";
    const coswire::http_response parts = emu::list_parts(store, options, x);
    CHECK(parts.status == 200);
    CHECK(parts.body.find("<PartNumber>1</PartNumber>") != std::string::npos);
    CHECK(parts.body.find("<PartNumber>3</PartNumber>") == std::string::npos);
    CHECK(parts.body.find("<NextPartNumberMarker>1</NextPartNumberMarker>") != std::string::npos);
    x.params = {{"uploadId", ""}};
    CHECK(emu::list_parts(store, options, x).status == 400);
    x.params = {{"uploadId", "other"}};
    CHECK(emu::list_parts(store, options, x).status == 404);
}
