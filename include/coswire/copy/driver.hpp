// SPDX-License-Identifier: MIT
// The blocking copy: the drive loop over the copy machine (copy/machine.hpp), which HEADs the
// source, copies up to a threshold (5 GiB) with one PUT Object - Copy, and larger objects by
// multipart copy (Initiate, Upload Part - Copy per range, Complete, abort on failure); every
// request is pinned to the source's ETag, and the copy's CRC-64 is compared with the source's
// (docs/protocol/copy.md#copying-large-objects).
#pragma once

#include <coswire/client.hpp>
#include <coswire/copy/machine.hpp>
#include <coswire/copy/options.hpp>
#include <coswire/result.hpp>

#include <string>
#include <string_view>

namespace coswire {

/// Copies `source_key`, in the bucket of the client `source`, to `key` in the bucket of
/// `destination` (the same client for a copy within one bucket; no object byte passes through
/// the caller). HEADs the source for its size, ETag and CRC-64; a source of up to
/// options.threshold bytes is copied with one PUT Object - Copy, a larger one by multipart copy
/// in parts of about options.part_size, one after another (<coswire/copy/parallel.hpp> copies
/// parts concurrently). This is drive() over copy_machine, through `destination`'s transport and
/// sleeper; the source's HEAD is signed with `source`'s context and goes through them too. Every request carries x-cos-copy-source-If-Match with the source's ETag,
/// so a source replaced during the copy fails the copy (412, said so in the reason) rather than
/// mixing two objects. The copy's CRC-64 (PUT Object - Copy's, or Complete's, else the parts'
/// combined) must equal the source's; result.crc64_matched says the check was made, and
/// crc64_unchecked why not. A multipart copy that fails after Initiate is aborted unless
/// options.keep_on_failure. Errors: invalid_argument naming "threshold" (above 5 GiB) or the
/// metadata attribute set under metadata_directive::copy, both before anything is sent; the
/// builders' for bad keys or attributes; malformed_response naming "ETag" when the source's
/// HEAD has none; the failing operation's (with the abort's outcome); integrity_failure naming
/// "object" when the CRC-64s differ (a single copy is then already stored: the reason says so).
template <class Client, class SourceClient>
result<copy_object_result> copy_object(Client& destination, SourceClient& source, std::string_view source_key, std::string_view key,
                                       const copy_object_options& options = {}) {
    copy_machine m(destination.context(), source.context(), std::string(source_key), std::string(key), options);
    return destination.drive(m);
}

}  // namespace coswire
