#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every data member of a public struct in include/coswire/ has a default member initialiser, so
that designated initialisers naming only some members ({.key = "a"}) compile without
-Wmissing-field-initializers on g++ (clang does not warn for designated initialisers, g++ 12 does).

Usage: check_member_initialisers.py SOURCE_ROOT [FILE...]   (FILE: only these headers)
Structs inside namespace detail or inside a class (its private helpers) are skipped, as are
reference members (which cannot have one).
Exit 1 with one line per member that lacks an initialiser."""
import pathlib
import re
import sys

OPENER = re.compile(r"(?:template\s*<.*>\s*)?(struct|class|namespace|union|enum(?:\s+class)?)\b\s*([\w:]*)[^;{]*\{")
MEMBER = re.compile(r"^[\w:<>,\s*\[\]]+?[\s*>]\(?\*?\w+\)?(\[\w*\])?;$")
NOT_MEMBER = re.compile(r"^(using|friend|typedef|static|return|public|private|protected|break|continue|goto)\b")


def code_of(text):
    """The text with comments and string literals blanked, line structure kept."""
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\\n])'", "' '", text)
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def without_template_arguments(declaration):
    """The declaration with every <...> removed, innermost first, so a member such as
    `callback<void(std::string_view)> on_id;` is seen as the member it is, not a function."""
    previous = None
    while previous != declaration:
        previous = declaration
        declaration = re.sub(r"<[^<>]*>", "", declaration)
    return declaration


def missing(path):
    """(line number, declaration) of each public struct member without an initialiser."""
    found = []
    stack = []  # (kind, name, depth at which it opened)
    depth = 0
    for number, line in enumerate(code_of(path.read_text()).split("\n"), 1):
        s = line.strip()
        opened, closed = line.count("{"), line.count("}")
        opener = OPENER.match(s)
        in_struct = stack and stack[-1][0] == "struct" and depth == stack[-1][2] + 1
        if opener:
            stack.append((opener.group(1), opener.group(2), depth))
            stack.extend([("block", "", depth)] * (opened - 1))
        elif opened:
            stack.extend([("block", "", depth)] * opened)
        elif in_struct and MEMBER.match(bare := without_template_arguments(s)) and not NOT_MEMBER.match(s) and "&" not in bare:
            hidden = any((kind == "namespace" and name.split("::")[-1] == "detail") or kind == "class" for kind, name, _ in stack)
            if not hidden:
                found.append((number, s))
        depth += opened - closed
        while stack and depth <= stack[-1][2]:
            stack.pop()
    return found


def main():
    root = pathlib.Path(sys.argv[1])
    files = [pathlib.Path(f) for f in sys.argv[2:]] or sorted((root / "include" / "coswire").rglob("*.hpp"))
    bad = [f"{f}:{n}: {decl}" for f in files for n, decl in missing(f)]
    for line in bad:
        print(line)
    if bad:
        print(f"{len(bad)} public struct member(s) without a default member initialiser")
        return 1
    print(f"{len(files)} headers: every public struct member has a default member initialiser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
