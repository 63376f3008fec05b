// SPDX-License-Identifier: MIT
// The emulator's configuration (emulator_options) and what it has seen (emulator_stats).
#pragma once

#include <coswire/callback.hpp>
#include <coswire/multipart/plan.hpp>
#include <coswire/sign/credentials.hpp>
#include <coswire/sign/verify.hpp>
#include <coswire/testing/emulator/faults.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace coswire::testing {

/// What the emulator has seen.
struct emulator_stats {
    std::uint64_t requests = 0;  ///< every call of operator()
    std::uint64_t served = 0;    ///< calls that reached the bucket logic (not replaced by a fault)
    fault_counters faults{};
};

/// Configuration of a cos_emulator.
struct emulator_options {
    std::string bucket = "examplebucket-1250000000";                            ///< `<BucketName>-<APPID>`
    std::string host = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";  ///< the only Host answered
    std::vector<credentials> accepted{};  ///< keys whose signatures are accepted (with their session tokens)
    /// When temporary keys stop working: SecretId → the Unix second of server time from which a
    /// request signed with that key is answered 400 ExpiredToken. Keys not listed never expire.
    std::map<std::string, std::int64_t, std::less<>> credential_expiry{};
    /// The server clock in Unix seconds; when empty, `now` is the clock (see cos_emulator::set_now).
    /// Called with the emulator's lock held: it must not call back into the emulator.
    callback<std::int64_t()> clock{};
    std::int64_t now = 1700000000;                            ///< the settable clock, used without `clock`
    std::uint64_t min_part_size = coswire::min_part_size;     ///< EntityTooSmall below this (all parts but the last)
    std::uint64_t max_stored_bytes = std::uint64_t{1} << 30;  ///< objects plus parts; EntityTooLarge beyond
    bool allow_part_gaps = false;  ///< false: Complete needs parts 1..N without gaps (docs/protocol/multipart.md#part-limits), else InvalidPart
    /// The bucket's default encryption, for every write (PUT, Initiate, copy) that names none:
    /// "" none, "AES256" (SSE-COS) or "cos/kms" (SSE-KMS). Answers about bytes it encrypts
    /// (Initiate, PUT, Upload Part, Complete, GET, HEAD) carry x-cos-server-side-encryption with
    /// this value; under "cos/kms" the ETags of objects and parts are not the MD5 of their bytes, as COS's are not.
    std::string default_encryption{};
    /// Keys that refuse deletion as a bucket policy would: DELETE Object answers 403
    /// AccessDenied, DELETE Multiple Objects an Error entry AccessDenied for them.
    std::vector<std::string> undeletable_keys{};
    std::uint64_t seed = 0;        ///< seeds the fault draws and the upload ids
    fault_plan faults{};
    /// How signatures are checked: limits, the longest window (7 days by default, where COS
    /// accepts any) and whether unsigned parameters and x-cos-* headers are refused.
    verify_options verify{};
};

}  // namespace coswire::testing
