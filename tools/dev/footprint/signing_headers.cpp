// SPDX-License-Identifier: MIT
// tools/dev/measure-footprint times this TU against empty.cpp: the cost of including only what
// signing needs, for users who include coswire's headers one by one instead of the single header.
#include <coswire/sign/authorization.hpp>

int main() { return 0; }
