#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Guards the signing headers against streams, locales and clocks, so signing has no hidden inputs.

Usage: check_signing_includes.py INCLUDE_DIR COMPILER [COMPILER_ARG...]

Preprocesses <coswire/sign/authorization.hpp> and <coswire/sign/presign.hpp> with COMPILER -H
(g++ and clang++ print one line per header opened, dots giving the depth) and fails when
  1. any header in the include closure is a stream or locale facet header (<iostream>, <ostream>,
     <istream>, <sstream>, <fstream>, <iomanip>, <locale>, <codecvt>): libstdc++ and libc++ never
     open these for <string>, <span>, <atomic> and the like, so only coswire can bring them in;
  2. a coswire header itself includes a stream, locale or clock header (the list above plus <ios>,
     <streambuf>, <clocale>, <locale.h>, <cctype>, <ctype.h>, <cwctype>, <ctime>, <time.h>,
     <chrono>, <sys/time.h>);
  3. a coswire header in the closure names a function that reads the C locale, the clock or the
     standard streams (tolower, isalpha, strtol, setlocale, time, localtime, std::cout, ...),
     comments and literals aside.
<clocale> and <time.h> do appear deeper down: libstdc++'s <string> opens <clocale> for its
locale forward declarations, and its <atomic> reaches <time.h> through pthread.h. That is the
standard library's business, not a dependency of the signing code: rule 3 checks the code never
uses them. Those chains are printed as notes. 64-bit size_t is not checked here: the armhf cross
build (cross/armhf.ini, 32-bit size_t) runs the whole suite.
"""
import pathlib
import re
import subprocess
import sys

HEADERS = ["coswire/sign/authorization.hpp", "coswire/sign/presign.hpp"]
NEVER = {"iostream", "ostream", "istream", "sstream", "fstream", "iomanip", "locale", "codecvt"}
NOT_DIRECT = NEVER | {"ios", "streambuf", "clocale", "locale.h", "cctype", "ctype.h", "cwctype", "wctype.h",
                      "ctime", "time.h", "chrono", "sys/time.h"}
NOTE = {"clocale", "locale.h", "ctime", "time.h"}
CALLS = re.compile(
    r"(?<![\w.>:])(?:std::|::)?"
    r"(?P<name>tolower|toupper|is(?:alpha|digit|alnum|space|upper|lower|xdigit|print|punct|cntrl|graph|blank)"
    r"|strto(?:l|ul|ll|ull|d|f|ld|imax|umax)|ato[ifl]|atoll|s?scanf|s?n?printf|setlocale|localeconv"
    r"|localtime(?:_r)?|gmtime(?:_r)?|mktime|timegm|strftime|tzset|getenv)\s*\(")
# time and clock are also coswire member names (signer::time()): only the C library's count.
CLOCK_CALLS = re.compile(r"(?:\b(?:std)?::(?P<name>time|clock)\s*\(|\b(?P<call>time)\s*\(\s*(?:nullptr|NULL|0)\s*\))")
STD_NAMES = re.compile(r"\bstd::(?P<name>locale|cout|cerr|clog|cin|chrono|time_t|tm)\b|\b(?P<type>time_t|struct\s+tm)\b")
LITERAL_OR_COMMENT = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def name_of(path, include_dirs):
    """The name a header is included by: 'time.h', 'sys/time.h', 'string', 'bits/chrono.h'."""
    for d in include_dirs:
        try:
            return path.relative_to(d).as_posix()
        except ValueError:
            pass
    return path.name


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    include = pathlib.Path(sys.argv[1]).resolve()
    compiler = sys.argv[2:]
    source = "".join(f"#include <{h}>\n" for h in HEADERS)
    # The compiler's own search list, to name system headers as they are written in #include.
    probe = subprocess.run(compiler + ["-x", "c++", "-std=c++20", "-E", "-v", "-"], input="",
                           capture_output=True, text=True)
    lines = probe.stderr.splitlines()
    system_dirs = []
    if "#include <...> search starts here:" in lines:
        start = lines.index("#include <...> search starts here:") + 1
        for line in lines[start:]:
            if not line.startswith(" "):
                break
            system_dirs.append(pathlib.Path(line.split(" (")[0].strip()).resolve())
    run = subprocess.run(compiler + ["-x", "c++", "-std=c++20", "-fno-exceptions", "-fno-rtti", f"-I{include}",
                                     "-E", "-H", "-o", "/dev/null", "-"],
                         input=source, capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        print("check_signing_includes: preprocessing failed", file=sys.stderr)
        return 1

    failures, notes, coswire_headers = [], set(), []
    stack = []  # (depth, path) of the chain leading to the current header
    for line in run.stderr.splitlines():
        m = re.match(r"^(\.+) (.+)$", line)
        if not m:
            continue
        depth, path = len(m.group(1)), pathlib.Path(m.group(2)).resolve()
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((depth, path))
        ours = include in path.parents
        if ours:
            if path not in coswire_headers:
                coswire_headers.append(path)
            continue
        name = name_of(path, system_dirs)
        chain = " -> ".join(name_of(p, [include] + system_dirs) for _, p in stack)
        if name in NEVER:
            failures.append(f"<{name}> is in the include closure: {chain}")
        elif parent is not None and include in parent.parents and name in NOT_DIRECT:
            failures.append(f"{name_of(parent, [include])} includes <{name}>")
        elif name in NOTE:
            notes.add(f"note: <{name}> reached through the standard library only: {chain}")

    for path in coswire_headers:
        text = LITERAL_OR_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
        for number, code in enumerate(text.splitlines(), 1):
            for pattern in (CALLS, CLOCK_CALLS, STD_NAMES):
                for m in pattern.finditer(code):
                    name = next(g for g in m.groups() if g)
                    failures.append(f"{name_of(path, [include])}:{number}: uses {name}: {code.strip()}")

    for note in sorted(notes):
        print(note)
    print(f"checked {len(coswire_headers)} coswire headers in the closure of {', '.join(HEADERS)}")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
