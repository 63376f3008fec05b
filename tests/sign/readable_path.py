#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Keeps the readable signing path readable in one sitting.

Usage: readable_path.py INCLUDE_DIR

The path from a request to its Authorization value is marked in the sign/ headers by
"// ---- Signing path N/5: ... ----" and "// ---- End of signing path N/5 ----" lines. This
check finds the five sections in reading order (the files in the order below, the steps 1 to 5
in turn), prints the lines of each, and fails when one is missing, out of order or unclosed,
or when together they run past LIMIT lines (every line counts: code, comments and blanks).
"""
import pathlib
import re
import sys

FILES = ["coswire/sign/http_string.hpp", "coswire/sign/signer.hpp", "coswire/sign/authorization.hpp"]
LIMIT = 400
START = re.compile(r"^// ---- Signing path (\d)/5: (.+) ----$")
END = re.compile(r"^// ---- End of signing path (\d)/5 ----$")


def sections(include):
    """(step, title, file, line count) of each section, in the order they appear."""
    found = []
    for name in FILES:
        open_step = None
        for number, line in enumerate((include / name).read_text(encoding="utf-8").splitlines(), 1):
            if m := START.match(line):
                if open_step is not None:
                    raise ValueError(f"{name}:{number}: step {m[1]} starts inside step {open_step[0]}")
                open_step = (int(m[1]), m[2], number)
            elif m := END.match(line):
                if open_step is None or open_step[0] != int(m[1]):
                    raise ValueError(f"{name}:{number}: end of step {m[1]} without its start")
                found.append((open_step[0], open_step[1], name, number - open_step[2] + 1))
                open_step = None
        if open_step is not None:
            raise ValueError(f"{name}: step {open_step[0]} is never closed")
    return found


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        found = sections(pathlib.Path(sys.argv[1]))
    except ValueError as e:
        print(f"readable_path: {e}", file=sys.stderr)
        return 1
    steps = [step for step, _, _, _ in found]
    if steps != [1, 2, 3, 4, 5]:
        print(f"readable_path: expected steps 1 to 5 in reading order, found {steps}", file=sys.stderr)
        return 1
    total = 0
    for step, title, name, count in found:
        total += count
        print(f"{step}/5 {count:4d} lines  {name}: {title}")
    print(f"    {total:4d} lines in all (limit {LIMIT})")
    if total > LIMIT:
        print(f"readable_path: the signing path is {total} lines, more than {LIMIT}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
