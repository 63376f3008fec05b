#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build every program of examples/ and tests/consumers/consumer.cpp with single_include/ alone.

Usage: from_single_include.py SOURCE_ROOT CXX [CXX_ARG...]

What a user who copied single_include/coswire/ has: the core coswire.hpp and the companions
(coswire_parallel.hpp, coswire_testing.hpp, coswire_curl.hpp, ...). The examples are copied to a
temporary directory with each `#include <coswire/X>` replaced by the single header that holds X
(tools/dev/amalgamate.py knows which), and built against a copy of single_include/coswire/
only, with -Werror, -fno-exceptions and -fno-rtti, each with its HTTP library. Those that need
no HTTP library need no network either and are run (exit 0); the consumer must print a good
signature. One more translation unit includes the core and every companion whose library is
found, so the companions provably never redefine what another holds. A program whose HTTP
library is missing prints SKIP, and the script then exits 77 (meson's SKIP) when the rest pass.
"""
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
SKIP = 77
OWN_INCLUDE = re.compile(r'^(\s*#\s*include\s*)<(coswire/[^>]+)>', re.M)
LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
FLAGS = ["-std=c++20", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fno-exceptions", "-fno-rtti", "-pthread",
         "-DDOCTEST_CONFIG_NO_EXCEPTIONS_BUT_WITH_ALL_ASSERTS"]


def run(cmd, cwd=None):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"$ {shlex.join(str(c) for c in cmd)}\n{proc.stdout}")
    return proc.stdout


def pkg_config(name):
    """(cflags, libs) of a pkg-config package, or None when it is missing."""
    if shutil.which("pkg-config") is None:
        return None
    proc = subprocess.run(["pkg-config", "--cflags", "--libs", name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return shlex.split(proc.stdout) if proc.returncode == 0 else None


def compiles(cxx, source, tmp):
    probe = tmp / "probe.cpp"
    probe.write_text(source)
    return subprocess.run([*cxx, "-std=c++20", "-fsyntax-only", probe], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def library_flags(cxx, tmp):
    """{companion: flags, or None when its HTTP library is missing}."""
    boost = compiles(cxx, "#include <boost/beast/http.hpp>\n#include <boost/asio/ip/tcp.hpp>\n", tmp)
    return {
        "coswire_curl.hpp": pkg_config("libcurl"),
        "coswire_httplib.hpp": pkg_config("cpp-httplib"),
        "coswire_beast.hpp": [] if boost else None,
    }


def rewrite_tree(source, target, provider):
    """Copies `source` to `target`, every <coswire/X> include replaced by its single header."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("meson.build"))
    for path in target.rglob("*"):
        if path.suffix not in (".cpp", ".hpp"):
            continue
        text = path.read_text(encoding="utf-8")

        def single(match):
            header = match.group(2)
            if header not in provider:
                raise RuntimeError(f"{path.relative_to(target)}: <{header}> is in no single header")
            return f"{match.group(1)}<coswire/{provider[header]}>"

        path.write_text(OWN_INCLUDE.sub(single, text), encoding="utf-8")


# A program that uses an HTTP library directly (an event loop over libcurl's multi interface, say)
# needs that library's flags as if it included the transport's companion.
DIRECT_LIBRARY = {"curl/": "coswire_curl.hpp", "httplib.h": "coswire_httplib.hpp", "boost/beast": "coswire_beast.hpp"}


def companions_of(path, root, seen=None):
    """The single headers `path` includes, directly or through a header of `root`, and the
    companion standing for each HTTP library it includes itself."""
    seen = set() if seen is None else seen
    found = set()
    for name in LOCAL_INCLUDE.findall(path.read_text(encoding="utf-8")):
        if name.startswith("coswire/"):
            found.add(name.removeprefix("coswire/"))
            continue
        found |= {companion for prefix, companion in DIRECT_LIBRARY.items() if name.startswith(prefix)}
        for candidate in (path.parent / name, root / name):
            if candidate.is_file() and candidate not in seen:
                seen.add(candidate)
                found |= companions_of(candidate, root, seen)
                break
    return found


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    root = pathlib.Path(argv[1]).resolve()
    cxx = argv[2:]
    sys.path.insert(0, str(root / "tools" / "dev"))
    import amalgamate  # noqa: E402 - the generator's own map of which single header holds what

    _, provider = amalgamate.build()
    failed, skipped = [], []
    with tempfile.TemporaryDirectory(prefix="coswire-single-") as tmp_name:
        tmp = pathlib.Path(tmp_name)
        shutil.copytree(root / "single_include" / "coswire", tmp / "include" / "coswire")
        rewrite_tree(root / "examples", tmp / "examples", provider)
        libraries = library_flags(cxx, tmp)
        include = [f"-I{tmp / 'include'}", f"-I{tmp / 'examples'}"]

        def build(name, source, extra=(), execute=False):
            needs = companions_of(source, tmp / "examples")
            missing = sorted(c for c in needs if c in libraries and libraries[c] is None)
            if missing:
                print(f"SKIP {name}: the HTTP library of {', '.join(missing)} was not found", flush=True)
                skipped.append(name)
                return
            libs = [flag for c in sorted(needs) for flag in (libraries.get(c) or [])]
            try:
                exe = tmp / name.replace("/", "_")
                run([*cxx, *FLAGS, *include, source, *extra, "-o", exe, *libs])
                out = run([exe]) if execute else ""
                if name == "consumer" and "signature ok" not in out:
                    raise RuntimeError(f"consumer printed {out!r}")
            except RuntimeError as e:
                print(f"FAIL {name}\n{e}", flush=True)
                failed.append(name)
                return
            print(f"ok   {name}{' (built and run)' if execute else ' (built)'}", flush=True)

        for source in sorted((tmp / "examples").glob("*.cpp")):
            needs_network = any(c in libraries for c in companions_of(source, tmp / "examples"))
            build(f"examples/{source.name}", source, execute=not needs_network)
        shutil.copy2(HERE / "consumer.cpp", tmp / "consumer.cpp")
        build("consumer", tmp / "consumer.cpp", execute=True)

        found = [c for c, flags in libraries.items() if flags is not None]
        together = tmp / "together.cpp"
        together.write_text("".join(f"#include <coswire/{h}>\n" for h in
                                    ["coswire.hpp", *(c for c, *_ in amalgamate.COMPANIONS if c not in libraries or c in found)]))
        extra = [flag for c in found for flag in libraries[c] if not flag.startswith("-l")]
        try:
            run([*cxx, *FLAGS, *include, *extra, "-c", together, "-o", tmp / "together.o"])
            print(f"ok   the core and {len(amalgamate.COMPANIONS) - len(libraries) + len(found)} companions in one translation unit")
        except RuntimeError as e:
            print(f"FAIL the core and its companions in one translation unit\n{e}")
            failed.append("together")
    if failed:
        print(f"{len(failed)} failed: {', '.join(failed)}")
        return 1
    return SKIP if skipped or len(found) < len(libraries) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
