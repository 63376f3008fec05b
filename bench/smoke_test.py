#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Runs `coswire-bench --quick` and checks its machine-readable contract (issue 5): exit status 0
# and exactly one well-formed `ratio <name> <value>` / `allocs <name> <count>` /
# `peak_bytes <name> <bytes>` line per name.
# Timings are never judged here.
import re
import subprocess
import sys

RATIOS = [
    "sign_vs_openssl",
    "sign_cached_vs_openssl",
    "sha1_16k_vs_openssl",
    "sha1_64b_vs_openssl",
    "md5_1m_vs_openssl",
    "crc64_64m_vs_isal",
    "crc64_64m_vs_slicing8",
    "xml_listparts_vs_pugixml",
    "xml_listparts_walk_vs_pugixml",
    "xml_listparts_parser_vs_pugixml",
    "multipart_driver_vs_hashing",
    "multipart_driver_copying_vs_hashing",
    "multipart_driver_no_md5_vs_crc64",
    "download_driver_vs_crc64",
    "client_send_vs_by_hand",
]
ALLOCS = ["sign_buffer", "sign_string", "client_send_beyond_by_hand", "machine_bookkeeping_steps"]
PEAKS = ["multipart_driver", "multipart_driver_lent", "download_sequential", "download_parallel_4"]
# Deterministic memory bounds (heap bytes in use at most, 8 MiB ranges of a 256 MiB object):
# a sequential download holds no part, a parallel one at most one part per worker.
MIB = 1 << 20
PEAK_BOUNDS = {"download_sequential": 1 * MIB + 8 * MIB, "download_parallel_4": 4 * 8 * MIB + 1 * MIB}
NUMBER = r"[0-9]+(?:\.[0-9]+)?"


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: smoke_test.py PATH-TO-coswire-bench", file=sys.stderr)
        return 2
    proc = subprocess.run([sys.argv[1], "--quick"], capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        print(f"FAIL: coswire-bench --quick exited with status {proc.returncode}")
        return 1
    problems = []
    for kind, names in (("ratio", RATIOS), ("allocs", ALLOCS), ("peak_bytes", PEAKS)):
        for name in names:
            lines = re.findall(rf"^{kind} {re.escape(name)} .*$", proc.stdout, re.M)
            if len(lines) != 1:
                problems.append(f"expected one '{kind} {name} <value>' line, found {len(lines)}")
            elif not re.fullmatch(rf"{kind} {re.escape(name)} {NUMBER}", lines[0]):
                problems.append(f"malformed line: {lines[0]!r}")
    for name, bound in PEAK_BOUNDS.items():
        found = re.search(rf"^peak_bytes {re.escape(name)} ({NUMBER})$", proc.stdout, re.M)
        if found and float(found.group(1)) > bound:
            problems.append(f"peak_bytes {name} {found.group(1)} exceeds its bound of {bound} bytes")
    for p in problems:
        print(f"FAIL: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
