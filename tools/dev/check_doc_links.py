#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that every pointer into docs/ leads somewhere: the page exists and so does the heading.

Usage: check_doc_links.py [SOURCE_ROOT]

Checked:
- in code, tests, tools, examples, bench, README.md and CHANGELOG.md: every `docs/<page>.md` and
  `docs/<page>.md#anchor` written in the text (comments point at the protocol pages this way);
- in every page under docs/: every relative Markdown link `[text](page.md)`,
  `[text](page.md#anchor)` and `[text](#anchor)`.
An anchor is the GitHub slug of a heading of the target page: lower-cased, punctuation other
than `-` and `_` removed, spaces turned into `-`, with `-1`, `-2`, ... for repeated headings.
Prints one line per problem (file:line: what) and exits 1 when there is any.
"""
import pathlib
import re
import sys

CODE_DIRS = ["include", "tests", "tools", "examples", "bench"]
CODE_FILES = ["README.md", "CHANGELOG.md"]
CODE_SUFFIXES = {".hpp", ".cpp", ".h", ".py", ".build", ".txt", ".cmake", ".md", ".sh", ""}
# docs/<path>.md optionally followed by #anchor, as written in comments and prose.
CODE_REF = re.compile(r"\bdocs/([\w./-]+?\.md)(?:#([\w-]+))?")
# A Markdown link target that is relative: page.md, page.md#anchor, ../page.md, #anchor.
MD_LINK = re.compile(r"\]\((?!https?:|mailto:)([^)\s]*?)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def slug(text):
    text = re.sub(r"`([^`]*)`", r"\1", text)       # code spans keep their text
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page, cache={}):
    if page not in cache:
        seen = {}
        found = set()
        in_fence = False
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("```"):
                in_fence = not in_fence
                continue
            m = None if in_fence else HEADING.match(line)
            if not m:
                continue
            s = slug(m.group(2))
            n = seen.get(s, 0)
            seen[s] = n + 1
            found.add(s if n == 0 else f"{s}-{n}")
        cache[page] = found
    return cache[page]


def check_target(target, anchor, where, problems):
    if not target.is_file():
        problems.append(f"{where}: {target} does not exist")
    elif anchor and anchor not in anchors(target):
        problems.append(f"{where}: {target.name} has no heading with the anchor #{anchor}")


def code_files(root):
    for d in CODE_DIRS:
        for p in sorted((root / d).rglob("*")):
            if p.is_file() and p.suffix in CODE_SUFFIXES and "corpus" not in p.parts:
                yield p
    for f in CODE_FILES:
        if (root / f).is_file():
            yield root / f


def main(argv):
    root = pathlib.Path(argv[1]) if len(argv) > 1 else pathlib.Path(__file__).resolve().parents[2]
    problems = []
    for path in code_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            for m in CODE_REF.finditer(line):
                where = f"{path.relative_to(root)}:{lineno}"
                check_target(root / "docs" / m.group(1), m.group(2), where, problems)
    pages = sorted((root / "docs").rglob("*.md"))
    for page in pages:
        in_fence = False
        for lineno, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("```"):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            for m in MD_LINK.finditer(line):
                link = m.group(1)
                file_part, _, anchor = link.partition("#")
                target = (page.parent / file_part).resolve() if file_part else page
                if file_part and not file_part.endswith(".md"):
                    if not target.exists():
                        problems.append(f"{page.relative_to(root)}:{lineno}: {file_part} does not exist")
                    continue
                check_target(target, anchor, f"{page.relative_to(root)}:{lineno}", problems)
    for p in problems:
        print(p)
    print(f"{len(pages)} page(s) and the code's references checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
