// SPDX-License-Identifier: MIT
// The library version, as macros (for #if) and as a constexpr string.
#pragma once

#define COSWIRE_VERSION_MAJOR 0
#define COSWIRE_VERSION_MINOR 1
#define COSWIRE_VERSION_PATCH 0

namespace coswire {

/// The version as "MAJOR.MINOR.PATCH"; equals the banner of the single header.
inline constexpr const char* version_string = "0.1.0";

}  // namespace coswire
