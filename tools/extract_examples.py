#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the README's C++ examples to files so the test suite compiles and runs them.

Usage: extract_examples.py README.md OUTPUT_DIR NAME...

Each ```cpp block whose first line is `// example: NAME` becomes OUTPUT_DIR/readme_NAME.cpp; a NAME
given on the command line but missing from the README is an error, so examples cannot vanish.
"""
import pathlib
import re
import sys

BLOCK = re.compile(r"^```cpp\n(// example: ([\w-]+)\n.*?)^```", re.M | re.S)


def main(argv):
    readme, out_dir, names = pathlib.Path(argv[1]), pathlib.Path(argv[2]), argv[3:]
    found = {m.group(2): m.group(1) for m in BLOCK.finditer(readme.read_text(encoding="utf-8"))}
    missing = [n for n in names if n not in found]
    if missing:
        sys.exit(f"{readme}: no ```cpp example named {', '.join(missing)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        (out_dir / f"readme_{name}.cpp").write_text(found[name], encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
