// SPDX-License-Identifier: MIT
// The baseline TU for tools/dev/measure-footprint's include-cost measurement: includes nothing.
int main() { return 0; }
