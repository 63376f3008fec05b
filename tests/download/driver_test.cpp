// SPDX-License-Identifier: MIT
#include <coswire/download/driver.hpp>
#include <doctest/doctest.h>
