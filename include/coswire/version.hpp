// SPDX-License-Identifier: MIT
// The library version, as macros (for #if) and as a constexpr string.
#pragma once

#define COSWIRE_VERSION_MAJOR 0
#define COSWIRE_VERSION_MINOR 1
#define COSWIRE_VERSION_PATCH 0

namespace coswire {

#define COSWIRE_DETAIL_TEXT(x) #x
#define COSWIRE_DETAIL_VERSION_TEXT(major, minor, patch) \
    COSWIRE_DETAIL_TEXT(major) "." COSWIRE_DETAIL_TEXT(minor) "." COSWIRE_DETAIL_TEXT(patch)

/// The version as "MAJOR.MINOR.PATCH", made from the three macros above, which are the only
/// place the version is written: meson, CMake and the single-header generator read them.
inline constexpr const char* version_string =
    COSWIRE_DETAIL_VERSION_TEXT(COSWIRE_VERSION_MAJOR, COSWIRE_VERSION_MINOR, COSWIRE_VERSION_PATCH);

}  // namespace coswire
