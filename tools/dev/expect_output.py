#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run a program and check its exit status and that its output holds given text.

Usage: expect_output.py STATUS TEXT PROGRAM [ARG...]

Passes when PROGRAM exits with STATUS and TEXT occurs in its stdout or stderr. In a cross
build PROGRAM runs under the MESON_EXE_WRAPPER meson sets (qemu).
"""
import os
import shlex
import subprocess
import sys


def main(argv):
    status, text = int(argv[1]), argv[2]
    command = shlex.split(os.environ.get("MESON_EXE_WRAPPER", "")) + argv[3:]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    output = run.stdout + run.stderr
    sys.stdout.write(output)
    if run.returncode != status:
        print(f"expected exit status {status}, got {run.returncode}", file=sys.stderr)
        return 1
    if text not in output:
        print(f"expected the output to contain {text!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
