// SPDX-License-Identifier: MIT
// The emulator's bucket state: stored objects, in-progress uploads and their parts, the byte
// quota (max_stored_bytes) they share, ETags as COS computes them, and upload ids; with
// versioning, each key's older versions and delete markers and their version ids.
#pragma once

#include <coswire/api/tagging.hpp>
#include <coswire/api/versioning.hpp>
#include <coswire/parse/acl.hpp>
#include <coswire/crypto/crc64.hpp>
#include <coswire/crypto/md5.hpp>
#include <coswire/encoding/base64.hpp>
#include <coswire/encoding/hex.hpp>
#include <coswire/http/message.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>  // std::less<>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coswire::testing {

/// Where the restore of an archived object stands (POST Object restore).
enum class restore_state {
    none,      ///< never asked for, or the restored copy expired
    ongoing,   ///< asked for; ends when the test calls cos_emulator::finish_restore
    restored,  ///< a readable copy exists until restore_expiry
};

/// How stored bytes are encrypted at rest: as the request that wrote them named it, else as the
/// bucket's default_encryption says (docs/protocol/headers.md#server-side-encryption-headers).
struct emulated_encryption {
    std::string mode{};              ///< x-cos-server-side-encryption: "", "AES256" or "cos/kms" ("" under SSE-C)
    std::string kms_key_id{};        ///< SSE-KMS: the key id as sent; empty for COS's default key
    std::string kms_context{};       ///< SSE-KMS: the context as sent (base64 of a JSON object)
    std::string customer_key_md5{};  ///< SSE-C: base64 of the key's MD5, never the key; empty otherwise

    bool customer() const noexcept { return !customer_key_md5.empty(); }
    /// Whether the ETag is opaque (SSE-KMS, SSE-C) rather than the MD5 of the bytes.
    bool opaque_etag() const noexcept { return mode == "cos/kms" || customer(); }
};

/// An object's or upload's ACL, as x-cos-acl, the x-cos-grant-* headers or an
/// AccessControlPolicy body set it (docs/protocol/acl.md). Kept and answered, never enforced.
struct emulated_acl {
    std::string canned = "default";   ///< x-cos-acl
    std::vector<acl_grant> grants{};  ///< grants beyond the owner's FULL_CONTROL, in the order given
};

/// A stored object, as the inspection API returns it.
struct emulated_object {
    std::string data{};
    std::string etag{};                ///< quoted: "<32 hex>" or "<32 hex>-<N>" for multipart
    std::uint64_t crc64 = 0;         ///< CRC-64/XZ of data (x-cos-hash-crc64ecma)
    std::int64_t last_modified = 0;  ///< server Unix seconds
    /// Content-Type, Cache-Control, Content-Disposition, Content-Encoding, Expires and x-cos-meta-*, as sent.
    std::vector<http_header> metadata{};
    std::vector<object_tag> tags{};  ///< set by x-cos-tagging or PUT Object tagging
    bool appendable = false;         ///< made by APPEND Object (x-cos-object-type: appendable)
    std::string storage_class = "STANDARD";      ///< x-cos-storage-class of the write that made it
    restore_state restore = restore_state::none;
    std::uint64_t restore_days = 0;    ///< Days of the latest POST Object restore
    std::int64_t restore_expiry = 0;   ///< server Unix seconds; the restored copy is readable before it
    emulated_encryption encryption{};  ///< how the bytes are encrypted at rest
    emulated_acl acl{};                ///< the object's ACL
    // Versioning (docs/protocol/versioning.md).
    std::string version_id = "null";  ///< "null" unless written while versioning was Enabled
    bool delete_marker = false;       ///< a delete marker: no bytes, only its version_id and last_modified
};

/// One uploaded part of a multipart upload.
struct emulated_part {
    std::uint32_t number = 0;
    std::string data{};
    std::string etag{};  ///< quoted hex MD5 (opaque under a cos/kms default_encryption)
    std::uint64_t crc64 = 0;
    std::int64_t last_modified = 0;
};

/// An in-progress multipart upload.
struct emulated_upload {
    std::string upload_id{};
    std::string key{};
    std::int64_t initiated = 0;
    std::vector<http_header> metadata{};  ///< from Initiate; becomes the object's metadata
    std::vector<object_tag> tags{};       ///< from Initiate's x-cos-tagging; become the object's tags
    std::string storage_class = "STANDARD";  ///< from Initiate's x-cos-storage-class; becomes the object's
    std::map<std::uint32_t, emulated_part> parts{};
    emulated_encryption encryption{};  ///< from Initiate; every part and the object get it
    emulated_acl acl{};                ///< from Initiate; becomes the object's
};

}  // namespace coswire::testing

namespace coswire::detail::emu {

/// The quoted hex MD5 of `data`: the ETag COS gives bytes stored without SSE-KMS.
inline std::string quoted_md5(std::string_view data) {
    const auto hex = to_hex(md5_hash(data));
    return "\"" + std::string(to_string_view(hex)) + "\"";
}

/// Objects (every version of them) and uploads of one bucket, and the bytes they hold together.
/// Every change keeps stored_bytes() equal to the sum of the version and part sizes; the quota
/// is checked by the caller (fits) before it stores, so fixtures can bypass it.
class bucket_store {
public:
    using object_map = std::map<std::string, testing::emulated_object, std::less<>>;

    /// An empty bucket holding at most `max_stored_bytes`, whose objects all get
    /// `default_encryption` ("", "AES256" or "cos/kms"); `seed` seeds the upload and version ids.
    bucket_store(std::uint64_t max_stored_bytes, std::string default_encryption, std::uint64_t seed)
        : max_stored_bytes_(max_stored_bytes),
          encryption_(std::move(default_encryption)),
          id_rng_(seed),
          version_rng_(seed ^ 0x5851F42D4C957F2Du) {}

    const object_map& objects() const noexcept { return objects_; }
    std::uint64_t stored_bytes() const noexcept { return stored_bytes_; }
    std::string_view encryption() const noexcept { return encryption_; }

    /// Whether adding `added` bytes in place of `removed` stays within max_stored_bytes.
    bool fits(std::uint64_t added, std::uint64_t removed) const noexcept {
        return stored_bytes_ - removed + added <= max_stored_bytes_;
    }

    /// What bytes stored without encryption headers get: the bucket's default_encryption.
    testing::emulated_encryption default_encryption() const { return {.mode = encryption_}; }

    /// The ETag of stored bytes: their MD5, except under SSE-KMS and SSE-C, whose ETags are
    /// opaque (here the MD5 of the bytes behind a fixed prefix: 32 hex digits, never the bytes' MD5).
    static std::string content_etag(std::string_view data, const testing::emulated_encryption& encryption) {
        if (!encryption.opaque_etag()) return quoted_md5(data);
        md5 h;
        h.update(std::string_view("sealed:"));
        h.update(data);
        const auto hex = to_hex(h.finish());
        return "\"" + std::string(to_string_view(hex)) + "\"";
    }

    /// Stores an object as the latest version of `key`, encrypted as `encryption` says (default:
    /// the bucket's default); `etag` defaults to content_etag(data, encryption). What was there
    /// goes as versioning decides (retire_latest): replaced while versioning is off, kept as an
    /// older version while it is Enabled (the new one gets a fresh version id), and under
    /// Suspended only the "null" version goes, since the new one is "null".
    testing::emulated_object& store_object(std::string_view key, std::string data, std::vector<http_header> metadata,
                                           std::optional<std::string> etag, std::int64_t now,
                                           std::optional<testing::emulated_encryption> encryption = std::nullopt) {
        testing::emulated_object o;
        o.encryption = encryption ? std::move(*encryption) : default_encryption();
        o.etag = etag ? std::move(*etag) : content_etag(data, o.encryption);
        o.crc64 = crc64(data);
        o.last_modified = now;
        o.metadata = std::move(metadata);
        o.data = std::move(data);
        if (versioning_ == versioning_status::enabled) o.version_id = new_version_id();
        retire_latest(key);
        stored_bytes_ += o.data.size();
        return objects_.insert_or_assign(std::string(key), std::move(o)).first->second;
    }

    /// Grows `o`, an object of this store, by `more` at `now`. Appends change their object in
    /// place: appendable objects take no part in versioning.
    void append_bytes(testing::emulated_object& o, std::string_view more, std::int64_t now) {
        o.data += more;
        o.etag = content_etag(o.data, o.encryption);
        o.crc64 = crc64(o.data);
        o.last_modified = now;
        stored_bytes_ += more.size();
    }

    /// The current object under `key`, or null (none, or its latest version is a delete marker).
    const testing::emulated_object* find_object(std::string_view key) const {
        const auto it = objects_.find(key);
        return it == objects_.end() ? nullptr : &it->second;
    }

    /// The current object under `key`, or null, to change in place (its bytes must not change).
    testing::emulated_object* find_object(std::string_view key) {
        const auto it = objects_.find(key);
        return it == objects_.end() ? nullptr : &it->second;
    }

    /// The bytes a write to `key` frees: the current object's while versioning is off, the
    /// "null" version's while it is Suspended, none while it is Enabled.
    std::uint64_t replaced_size(std::string_view key) const {
        const testing::emulated_object* o = versioning_ == versioning_status::off         ? find_object(key)
                                            : versioning_ == versioning_status::suspended ? find_version(key, "null")
                                                                                          : nullptr;
        return o == nullptr ? 0 : o->data.size();
    }

    // Versioning.

    using history_map = std::map<std::string, std::vector<testing::emulated_object>, std::less<>>;

    versioning_status versioning() const noexcept { return versioning_; }
    /// Enabled or Suspended (PUT Bucket versioning); a bucket made again starts at off.
    void set_versioning(versioning_status status) noexcept { versioning_ = status; }

    /// Every key's versions other than its current object (older versions, and delete
    /// markers), newest first; a key whose latest version is a delete marker has it in front.
    const history_map& history() const noexcept { return history_; }

    /// Every version of `key`, newest first: the current object, then history(). Empty for a
    /// key that has none.
    std::vector<const testing::emulated_object*> versions_of(std::string_view key) const {
        std::vector<const testing::emulated_object*> out;
        if (const testing::emulated_object* o = find_object(key)) out.push_back(o);
        if (const auto h = history_.find(key); h != history_.end())
            for (const testing::emulated_object& v : h->second) out.push_back(&v);
        return out;
    }

    /// The version `version_id` of `key` (an object or a delete marker), or null.
    const testing::emulated_object* find_version(std::string_view key, std::string_view version_id) const {
        for (const testing::emulated_object* v : versions_of(key))
            if (v->version_id == version_id) return v;
        return nullptr;
    }
    testing::emulated_object* find_version(std::string_view key, std::string_view version_id) {
        // The store is not const here, so neither is what the const lookup found in it.
        return const_cast<testing::emulated_object*>(static_cast<const bucket_store&>(*this).find_version(key, version_id));
    }

    /// DELETE without a version id: while versioning is off the object goes (if any); else the
    /// latest version is retired as a write would retire it and a delete marker (a fresh id
    /// under Enabled, "null" under Suspended) becomes the latest, even for a key with no
    /// object. Returns that marker, or null while versioning is off.
    const testing::emulated_object* delete_latest(std::string_view key, std::int64_t now) {
        if (versioning_ == versioning_status::off) {
            retire_latest(key);
            return nullptr;
        }
        testing::emulated_object marker;
        marker.delete_marker = true;
        marker.last_modified = now;
        if (versioning_ == versioning_status::enabled) marker.version_id = new_version_id();
        retire_latest(key);
        std::vector<testing::emulated_object>& h = history_.try_emplace(std::string(key)).first->second;
        return &*h.insert(h.begin(), std::move(marker));
    }

    /// Removes version `version_id` of `key` for good, an object or a delete marker, and returns
    /// it (nothing when there is no such version). When the latest went, the newest older
    /// version becomes current, unless it is a delete marker.
    std::optional<testing::emulated_object> erase_version(std::string_view key, std::string_view version_id) {
        std::optional<testing::emulated_object> out;
        if (const auto it = objects_.find(key); it != objects_.end() && it->second.version_id == version_id) {
            out = std::move(it->second);
            objects_.erase(it);
        } else if (const auto h = history_.find(key); h != history_.end()) {
            std::vector<testing::emulated_object>& list = h->second;
            const auto v = std::find_if(list.begin(), list.end(), [&](const testing::emulated_object& e) { return e.version_id == version_id; });
            if (v == list.end()) return std::nullopt;
            out = std::move(*v);
            list.erase(v);
        } else {
            return std::nullopt;
        }
        stored_bytes_ -= out->data.size();
        promote(key);
        return out;
    }

    /// Starts an upload of `key` with a new id (see new_upload_id).
    testing::emulated_upload& initiate(std::string_view key, std::vector<http_header> metadata, std::int64_t now) {
        std::string id = new_upload_id(now);
        testing::emulated_upload& u = uploads_[id];
        u.upload_id = std::move(id);
        u.key = std::string(key);
        u.initiated = now;
        u.metadata = std::move(metadata);
        u.encryption = default_encryption();
        return u;
    }

    /// The upload `upload_id`, only for the key it was initiated for (else null: NoSuchUpload).
    testing::emulated_upload* find_upload(std::string_view upload_id, std::string_view key) {
        const auto it = uploads_.find(upload_id);
        return it != uploads_.end() && it->second.key == key ? &it->second : nullptr;
    }

    /// Stores (or replaces) part `number` of `u`, whose quota the caller has checked.
    testing::emulated_part& store_part(testing::emulated_upload& u, std::uint32_t number, std::string data, std::int64_t now) {
        testing::emulated_part& part = u.parts[number];
        stored_bytes_ -= part.data.size();
        stored_bytes_ += data.size();
        part.number = number;
        part.etag = content_etag(data, u.encryption);
        part.crc64 = crc64(data);
        part.last_modified = now;
        part.data = std::move(data);
        return part;
    }

    /// Forgets an upload and the bytes of all its parts, listed in a Complete or not.
    void drop_upload(const testing::emulated_upload& u) {
        for (const auto& entry : u.parts) stored_bytes_ -= entry.second.data.size();
        uploads_.erase(uploads_.find(u.upload_id));
    }

    /// The in-progress uploads by key, then upload id: the order List Multipart Uploads uses.
    std::vector<const testing::emulated_upload*> sorted_uploads() const {
        std::vector<const testing::emulated_upload*> out;
        for (const auto& entry : uploads_) out.push_back(&entry.second);
        std::sort(out.begin(), out.end(), [](const testing::emulated_upload* a, const testing::emulated_upload* b) {
            return a->key != b->key ? a->key < b->key : a->upload_id < b->upload_id;
        });
        return out;
    }

private:
    // Makes room for a new latest version of `key`: under Suspended the "null" version goes
    // wherever it is; then the current object goes while versioning is off, or becomes the
    // newest older version while it is on.
    void retire_latest(std::string_view key) {
        if (versioning_ == versioning_status::suspended) static_cast<void>(erase_version(key, "null"));
        const auto it = objects_.find(key);
        if (it == objects_.end()) return;
        if (versioning_ == versioning_status::off) {
            stored_bytes_ -= it->second.data.size();
        } else {
            std::vector<testing::emulated_object>& h = history_.try_emplace(it->first).first->second;
            h.insert(h.begin(), std::move(it->second));
        }
        objects_.erase(it);
    }

    // After a version of `key` went: without a current object, the newest older version becomes
    // current unless it is a delete marker; an empty history is forgotten.
    void promote(std::string_view key) {
        const auto h = history_.find(key);
        if (h == history_.end()) return;
        std::vector<testing::emulated_object>& list = h->second;
        if (!list.empty() && !list.front().delete_marker && objects_.find(key) == objects_.end()) {
            objects_.emplace(h->first, std::move(list.front()));
            list.erase(list.begin());
        }
        if (list.empty()) history_.erase(h);
    }

    // Opaque and unique, from the seeded generator: base64 of 18 decimal digits (24 letters and
    // digits, never '+', '/' or '='), the shape of the ids on Tencent's pages.
    std::string new_version_id() {
        for (;;) {
            std::string digits = std::to_string(version_rng_() % 1000000000000000000u);
            digits.insert(0, 18 - digits.size(), '0');
            std::string id = base64_encode(std::string_view(digits));
            if (issued_versions_.insert(id).second) return id;
        }
    }

    // 74 lower-case hex digits: the decimal server time, then digits from the seeded generator
    // (docs/protocol/multipart.md#initiate-multipart-upload: every documented id looks like this).
    std::string new_upload_id(std::int64_t now) {
        for (;;) {
            std::string id = std::to_string(std::max<std::int64_t>(now, 0));
            while (id.size() < 74) {
                const std::uint64_t bits = id_rng_();
                for (int i = 0; i < 16 && id.size() < 74; ++i) id += "0123456789abcdef"[(bits >> (4 * i)) & 0xFu];
            }
            if (uploads_.find(id) == uploads_.end()) return id;
        }
    }

    std::uint64_t max_stored_bytes_ = 0;
    std::string encryption_{};
    std::mt19937_64 id_rng_;
    std::mt19937_64 version_rng_;
    std::set<std::string, std::less<>> issued_versions_{};
    versioning_status versioning_ = versioning_status::off;
    history_map history_{};
    object_map objects_{};
    std::map<std::string, testing::emulated_upload, std::less<>> uploads_{};
    std::uint64_t stored_bytes_ = 0;
};

}  // namespace coswire::detail::emu
