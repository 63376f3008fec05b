// SPDX-License-Identifier: MIT
// Configuration macros: the assertion that guards misuse of result<T> and friends.
#pragma once

#include <cstdlib>

/// COSWIRE_ASSERT(cond): checks a precondition that only a programming error can break (for
/// example `value()` on a result that holds an error). It stays on under NDEBUG, so misuse is
/// never undefined behaviour; define it before including coswire to route it elsewhere.
#ifndef COSWIRE_ASSERT
#define COSWIRE_ASSERT(cond) ((cond) ? static_cast<void>(0) : ::std::abort())
#endif
