#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that docs/*.md name only what include/coswire declares, so the docs cannot drift.

The example adapters under examples/ (namespace coswire::examples) count as declared too: the
guides document them.

Usage: check_docs.py [SOURCE_ROOT]

Checked in every page:
- each `coswire::a::b` (prose or code block): every part after `coswire` is declared somewhere
  in include/coswire as a namespace, type, concept, alias, function, enumerator, member or
  constant; `coswire::detail` is refused, since the docs never use internals;
- each inline code span that is a call, `name(...)` or `a::name(...)`: `name` is declared as a
  function (or a type, for a constructor call);
- each `<coswire/...hpp>` include path: the header exists.
The search is by regular expression, not by parsing C++: it proves a name exists, not its
signature. Prints one line per problem (page:line: what) and exits 1 when there is any.
"""
import pathlib
import re
import sys

QUALIFIED = re.compile(r"\bcoswire((?:::[A-Za-z_]\w*)+)")
INLINE_CODE = re.compile(r"`([^`\n]+)`")
CALL = re.compile(r"^((?:[A-Za-z_]\w*::)*)([A-Za-z_]\w*)\(")
INCLUDE = re.compile(r"<(coswire/[\w/]+\.hpp)>")
# Words a declaration pattern may see before a name that are not types: `return f(` is a call.
NOT_A_TYPE = {"return", "co_return", "else", "new", "delete", "throw", "case", "and", "or", "not",
              "if", "while", "for", "switch", "sizeof", "decltype", "typename", "goto"}
# Calls in inline code that are not coswire's (standard library, language).
FOREIGN_CALLS = {"std", "static_assert", "sizeof", "decltype", "alignof", "noexcept"}


class Declarations:
    def __init__(self, include_dir, examples_dir=None):
        headers = sorted(include_dir.rglob("*.hpp"))
        if examples_dir is not None and examples_dir.is_dir():
            headers += sorted(examples_dir.rglob("*.hpp"))
        self.text = "\n".join(p.read_text(encoding="utf-8") for p in headers)
        self.cache = {}

    def _search(self, key, pattern):
        if key not in self.cache:
            self.cache[key] = re.search(pattern, self.text, re.M) is not None
        return self.cache[key]

    def type_like(self, name):
        n = re.escape(name)
        return self._search(("type", name),
                            rf"\b(?:struct|class|union|enum(?:\s+class)?|concept|using)\s+{n}\b"
                            rf"|\bnamespace\s+(?:\w+::)*{n}\b")

    def function(self, name):
        key = ("function", name)
        if key not in self.cache:
            pattern = re.compile(rf"([\w>&*:]+)\s+[&*]?{re.escape(name)}\s*\(|\boperator\s*{re.escape(name)}\b")
            self.cache[key] = any(m.group(1) not in NOT_A_TYPE if m.group(1) else True
                                  for m in pattern.finditer(self.text))
        return self.cache[key]

    def value(self, name):
        # enumerators, members and constants: `name,` `name = ...` `name;` `name{...}` `name ///<`
        n = re.escape(name)
        return self._search(("value", name), rf"^\s*(?:[\w:<>,\s]+\s)?{n}\s*(?:[,;={{]|///<|$)")

    def any(self, name):
        return self.type_like(name) or self.function(name) or self.value(name)


def check_page(page, decl, include_dir):
    problems = []
    in_fence = False
    for lineno, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{page}:{lineno}"
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        for m in QUALIFIED.finditer(line):
            parts = m.group(1).split("::")[1:]
            if parts[0] == "detail":
                problems.append(f"{where}: coswire::detail is internal; the docs never use it")
                continue
            for part in parts:
                if not decl.any(part):
                    problems.append(f"{where}: `{m.group(0)}`: no declaration of `{part}` in include/coswire")
                    break
        for m in INCLUDE.finditer(line):
            if not (include_dir.parent / m.group(1)).is_file():
                problems.append(f"{where}: <{m.group(1)}> does not exist")
        if in_fence:
            continue
        for span in INLINE_CODE.findall(line):
            call = CALL.match(span.strip())
            if not call:
                continue
            qualifiers = [q for q in call.group(1).split("::") if q]
            if qualifiers and qualifiers[0] in FOREIGN_CALLS or call.group(2) in FOREIGN_CALLS:
                continue
            name = call.group(2)
            if not (decl.function(name) or decl.type_like(name)):
                problems.append(f"{where}: `{span}`: no function `{name}` declared in include/coswire")
    return problems


def main(argv):
    root = pathlib.Path(argv[1]) if len(argv) > 1 else pathlib.Path(__file__).resolve().parents[2]
    include_dir = root / "include" / "coswire"
    pages = sorted((root / "docs").glob("*.md"))
    if not pages:
        print(f"no pages in {root / 'docs'}")
        return 1
    decl = Declarations(include_dir, root / "examples")
    problems = [p for page in pages for p in check_page(page, decl, include_dir)]
    for p in problems:
        print(p)
    print(f"{len(pages)} page(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
