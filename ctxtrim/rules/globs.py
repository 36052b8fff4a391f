"""Glob matching as the assistants use it for rule activation.

`**/*.ts`, `src/**`, `*.{ts,tsx}`; a pattern with no `/` matches a file name in any directory
(`*.py` applies to `pkg/a.py`), the lenient reading most users expect; a pattern naming a
directory applies to everything below it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

# Globs that cover every file: a rule guarded by one of these is always on.
UNIVERSAL = frozenset({"*", "**", "**/*", "/**", "/**/*", "./**", "./**/*", "**/**"})


@functools.lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """Compile one glob to a regex over repo-relative posix paths."""
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    body = _translate(pattern)
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"^{prefix}{body}(?:/.*)?$", re.DOTALL)


def _translate(pattern: str) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and "]" in pattern[i + 1 :]:
            close = pattern.index("]", i + 1)
            inner = pattern[i + 1 : close].replace("\\", "\\\\")
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            out.append(f"[{inner}]")
            i = close + 1
        elif char == "{" and "}" in pattern[i + 1 :]:
            close = _matching_brace(pattern, i)
            options = _split_top_level(pattern[i + 1 : close])
            out.append("(?:" + "|".join(_translate(option) for option in options) + ")")
            i = close + 1
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _matching_brace(pattern: str, start: int) -> int:
    depth = 0
    for index in range(start, len(pattern)):
        if pattern[index] == "{":
            depth += 1
        elif pattern[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return len(pattern) - 1


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "{") - (char == "}")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def glob_matches(pattern: str, path: str) -> bool:
    """Whether `pattern` applies to the repo-relative posix `path`."""
    return bool(compile_glob(pattern).match(path))


def matching(pattern: str, paths: Iterable[str]) -> list[str]:
    """The paths that `pattern` applies to, in input order."""
    regex = compile_glob(pattern)
    return [path for path in paths if regex.match(path)]


def is_universal(pattern: str) -> bool:
    """A glob that matches every file by construction (not by the repo's contents)."""
    return pattern.strip() in UNIVERSAL
