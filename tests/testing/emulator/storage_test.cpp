// SPDX-License-Identifier: MIT
#include <coswire/testing/emulator/storage.hpp>

#include <doctest/doctest.h>

#include <coswire/crypto/crc64.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using coswire::detail::emu::bucket_store;
using coswire::detail::emu::quoted_md5;
using coswire::testing::emulated_encryption;

TEST_CASE("bucket_store: objects are stored and replaced with their ETag and CRC-64; bytes are counted") {
    bucket_store s(100, "", 0);
    const auto& o = s.store_object("a", "hello", {{"Content-Type", "text/plain"}}, std::nullopt, 5);
    CHECK(o.etag == "\"5d41402abc4b2a76b9719d911017c592\"");  // MD5("hello")
    CHECK(o.crc64 == coswire::crc64("hello"));
    CHECK(o.last_modified == 5);
    CHECK(s.stored_bytes() == 5);
    s.store_object("a", "hi", {}, std::string("\"given\""), 6);
    CHECK(s.stored_bytes() == 2);
    CHECK(s.find_object("a")->etag == "\"given\"");
    CHECK(s.find_object("a")->metadata.empty());
    s.store_object("b", "xyz", {}, std::nullopt, 6);
    CHECK(s.replaced_size("b") == 3);
    CHECK(s.replaced_size("none") == 0);
    CHECK(s.stored_bytes() == 5);
    CHECK(s.delete_latest("a", 7) == nullptr);  // versioning off: no delete marker
    CHECK(s.delete_latest("a", 7) == nullptr);  // absent: nothing changes
    CHECK(s.find_object("a") == nullptr);
    CHECK(s.stored_bytes() == 3);
    CHECK(s.objects().size() == 1);
}

TEST_CASE("bucket_store: fits checks the quota with what a replacement frees") {
    bucket_store s(10, "", 0);
    s.store_object("a", "12345678", {}, std::nullopt, 0);
    CHECK(s.fits(2, 0));
    CHECK_FALSE(s.fits(3, 0));
    CHECK(s.fits(10, 8));
    CHECK_FALSE(s.fits(11, 8));
}

TEST_CASE("bucket_store: under cos/kms and SSE-C an ETag is 32 hex digits but not the MD5") {
    bucket_store kms(100, "cos/kms", 0), aes(100, "AES256", 0);
    CHECK(bucket_store::content_etag("data", aes.default_encryption()) == quoted_md5("data"));
    const emulated_encryption customer{.customer_key_md5 = "U5L61r7jcwdNvT7frmUG8g=="};
    for (const emulated_encryption& e : {kms.default_encryption(), customer}) {
        const std::string etag = bucket_store::content_etag("data", e);
        CHECK(etag.size() == 34);
        CHECK(etag != quoted_md5("data"));
        CHECK(etag == bucket_store::content_etag("data", e));
    }
    CHECK(kms.encryption() == "cos/kms");
    CHECK(kms.store_object("k", "data", {}, std::nullopt, 0).etag == bucket_store::content_etag("data", kms.default_encryption()));
    CHECK(kms.store_object("k", "data", {}, std::nullopt, 0, emulated_encryption{.mode = "AES256"}).etag == quoted_md5("data"));
}

TEST_CASE("bucket_store: uploads get 74-hex ids from the time and the seed; parts count against the store") {
    bucket_store s(100, "", 42), same(100, "", 42);
    auto& u = s.initiate("k", {{"x-cos-meta-a", "1"}}, 1700000000);
    CHECK(u.upload_id.size() == 74);
    CHECK(u.upload_id.starts_with("1700000000"));
    CHECK(u.upload_id.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(u.upload_id == same.initiate("k", {}, 1700000000).upload_id);
    CHECK(u.key == "k");
    CHECK(u.initiated == 1700000000);
    const std::string id = u.upload_id;
    CHECK(s.find_upload(id, "k") == &u);
    CHECK(s.find_upload(id, "other") == nullptr);  // an id only serves its own key
    CHECK(s.find_upload("nope", "k") == nullptr);
    auto& part = s.store_part(u, 2, "abcd", 9);
    CHECK(part.number == 2);
    CHECK(part.etag == quoted_md5("abcd"));
    CHECK(part.crc64 == coswire::crc64("abcd"));
    CHECK(s.stored_bytes() == 4);
    s.store_part(u, 2, "ab", 9);
    CHECK(s.stored_bytes() == 2);
    s.store_part(u, 1, "xyz", 9);
    CHECK(s.stored_bytes() == 5);
    s.drop_upload(u);
    CHECK(s.stored_bytes() == 0);
    CHECK(s.sorted_uploads().empty());
}

TEST_CASE("bucket_store: uploads are listed by key, then id; a negative time gives an id from 0") {
    bucket_store s(100, "", 1);
    const std::string b = s.initiate("b", {}, 1).upload_id;
    const std::string a2 = s.initiate("a", {}, 2).upload_id;
    const std::string a1 = s.initiate("a", {}, 1).upload_id;
    const auto sorted = s.sorted_uploads();
    REQUIRE(sorted.size() == 3);
    CHECK(sorted[0]->upload_id == a1);
    CHECK(sorted[1]->upload_id == a2);
    CHECK(sorted[2]->upload_id == b);
    CHECK(s.initiate("c", {}, -5).upload_id.starts_with("0"));
}

TEST_CASE("bucket_store: versions — Enabled keeps every write, Suspended replaces the null one, markers and promotion") {
    using coswire::versioning_status;
    bucket_store s(100, "", 3);
    s.store_object("k", "null", {}, std::nullopt, 1);  // written before versioning: the "null" version
    s.set_versioning(versioning_status::enabled);
    CHECK(s.replaced_size("k") == 0);
    const std::string v1 = s.store_object("k", "one", {}, std::nullopt, 2).version_id;
    CHECK(v1.size() == 24);
    CHECK(s.versions_of("k").size() == 2);
    CHECK(s.stored_bytes() == 7);
    const std::string marker = s.delete_latest("k", 3)->version_id;
    CHECK(s.find_object("k") == nullptr);
    CHECK(s.find_version("k", marker)->delete_marker);
    CHECK(s.find_version("k", v1)->data == "one");

    const auto gone = s.erase_version("k", marker);  // the version under the marker is current again
    REQUIRE(gone);
    CHECK(gone->delete_marker);
    CHECK(s.find_object("k")->version_id == v1);
    CHECK_FALSE(s.erase_version("k", marker));

    s.set_versioning(versioning_status::suspended);
    CHECK(s.replaced_size("k") == 4);  // the "null" version, though it is not current
    s.store_object("k", "null 2", {}, std::nullopt, 4);
    CHECK(s.versions_of("k").size() == 2);
    CHECK(s.find_object("k")->version_id == "null");
    CHECK(s.find_version("k", v1)->data == "one");
    CHECK(s.stored_bytes() == 6 + 3);
    CHECK(s.delete_latest("k", 5)->version_id == "null");  // the marker replaces the "null" version
    CHECK(s.stored_bytes() == 3);

    CHECK(s.erase_version("k", v1));
    CHECK(s.erase_version("k", "null"));
    CHECK(s.versions_of("k").empty());
    CHECK(s.history().empty());
    CHECK(s.stored_bytes() == 0);
}

TEST_CASE("bucket_store: version ids are unique and follow the seed") {
    const auto ids = [](std::uint64_t seed) {
        bucket_store s(1000, "", seed);
        s.set_versioning(coswire::versioning_status::enabled);
        std::vector<std::string> out;
        for (int i = 0; i < 50; ++i) out.push_back(s.store_object("k", "", {}, std::nullopt, i).version_id);
        return out;
    };
    std::vector<std::string> a = ids(1);
    CHECK(a == ids(1));
    CHECK(a != ids(2));
    std::sort(a.begin(), a.end());
    CHECK(std::adjacent_find(a.begin(), a.end()) == a.end());
}
