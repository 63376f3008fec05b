// SPDX-License-Identifier: MIT
// Umbrella header: includes every public header of coswire, nothing else.
#pragma once

#include <coswire/version.hpp>
#include <coswire/config.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>
