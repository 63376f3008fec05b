#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that every C++ block of the README is a program of examples/, byte for byte.

Usage: check_readme_examples.py README.md EXAMPLES_DIR

Each ```cpp block must start with `// examples/NAME.cpp` and equal that file. The test suite
builds (and, where no network is needed, runs) every file of examples/, so a block the README
shows is a block that compiles and works.
"""
import pathlib
import re
import sys

BLOCK = re.compile(r"^```cpp\n(.*?)^```", re.M | re.S)
ORIGIN = re.compile(r"// examples/([\w-]+\.cpp)\b")


def main(argv):
    readme, examples = pathlib.Path(argv[1]), pathlib.Path(argv[2])
    document = readme.read_text(encoding="utf-8")
    problems, shown = [], []
    for block in BLOCK.finditer(document):
        text = block.group(1)
        line = document.count("\n", 0, block.start()) + 1
        origin = ORIGIN.match(text)
        if not origin:
            problems.append(f"{readme}:{line}: a cpp block must start with // examples/NAME.cpp")
            continue
        source = examples / origin.group(1)
        shown.append(origin.group(1))
        if not source.is_file():
            problems.append(f"{readme}:{line}: {source} does not exist")
        elif source.read_text(encoding="utf-8") != text:
            problems.append(f"{readme}:{line}: the block differs from {source}")
    if not shown:
        problems.append(f"{readme}: no cpp block found")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(shown)} README blocks checked: {', '.join(shown)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
