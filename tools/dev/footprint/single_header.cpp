// SPDX-License-Identifier: MIT
// tools/dev/measure-footprint times this TU against empty.cpp: the cost of including the single header.
#include <coswire/coswire.hpp>

int main() { return 0; }
