// SPDX-License-Identifier: MIT
// Configuration macros: the assertion that guards misuse of result<T> and friends, and whether
// the XML reader and the signer's percent-encoder use SSE2.
#pragma once

#include <cstdlib>

/// COSWIRE_ASSERT(cond): checks a precondition that only a programming error can break (for
/// example `value()` on a result that holds an error). It stays on under NDEBUG, so misuse is
/// never undefined behaviour; define it before including coswire to route it elsewhere.
#ifndef COSWIRE_ASSERT
#define COSWIRE_ASSERT(cond) ((cond) ? static_cast<void>(0) : ::std::abort())
#endif

/// COSWIRE_SSE2: 1 (the default wherever the compiler targets SSE2, as every x86-64 compiler
/// does) lets the XML reader test and the signer percent-encode sixteen bytes per step; 0 keeps
/// the portable code, which gives the same answers everywhere. (SHA-NI and PCLMULQDQ are chosen
/// at run time instead; see detail/cpu.hpp.)
#ifndef COSWIRE_SSE2
#if defined(__SSE2__)
#define COSWIRE_SSE2 1
#else
#define COSWIRE_SSE2 0
#endif
#endif
