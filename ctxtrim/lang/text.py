"""Line helpers shared by the tree-sitter and fallback outliners: attached comments and docs."""

from __future__ import annotations

import re
from collections.abc import Sequence

DOC_MAX = 300

# Comment line prefixes per comment style. Order matters: longer markers first.
_SLASH = ("///", "//", "/**", "/*", "*/", "*")
_HASH = ("#",)
COMMENT_PREFIXES: dict[str, tuple[str, ...]] = {
    "python": _HASH,
    "ruby": _HASH,
    "php": ("#", *_SLASH),
    "shell": _HASH,
    "yaml": _HASH,
    "toml": _HASH,
    "ini": ("#", ";"),
    "makefile": _HASH,
    "dockerfile": _HASH,
    "perl": _HASH,
    "r": _HASH,
    "elixir": _HASH,
    "sql": ("--",),
    "lua": ("--",),
    "haskell": ("--",),
}
_DEFAULT_PREFIXES = _SLASH

# Lines that belong to the definition below them although they are not comments.
DECORATOR_PREFIXES: dict[str, tuple[str, ...]] = {
    "python": ("@",),
    "javascript": ("@",),
    "typescript": ("@",),
    "tsx": ("@",),
    "java": ("@",),
    "kotlin": ("@",),
    "scala": ("@",),
    "swift": ("@",),
    "dart": ("@",),
    "rust": ("#[",),
    "php": ("#[",),
    "csharp": ("[",),
    "cpp": ("[[",),
}

# Rust inner doc comments describe the enclosing item, never the next one.
_NOT_ATTACHED = ("//!", "/*!")

_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_SPACES = re.compile(r"\s+")


def comment_prefixes(language: str) -> tuple[str, ...]:
    """Return the line-comment markers that may start an attached comment line."""
    return COMMENT_PREFIXES.get(language, _DEFAULT_PREFIXES)


def attached_above(lines: Sequence[str], row: int, language: str) -> tuple[int, list[str]]:
    """Find comment and decorator lines directly above 0-based `row`.

    Returns the new first row and the raw comment lines (top to bottom). Scanning stops at a
    blank line or code, so a comment separated by a blank line is not attached.
    """
    comments = comment_prefixes(language)
    decorators = DECORATOR_PREFIXES.get(language, ())
    found: list[str] = []
    first = row
    r = row - 1
    while r >= 0:
        stripped = lines[r].strip()
        if not stripped or stripped.startswith(_NOT_ATTACHED):
            break
        if decorators and stripped.startswith(decorators):
            first = r
        elif stripped.startswith(comments) and not _is_preprocessor(stripped, language):
            found.append(stripped)
            first = r
        elif stripped.endswith("*/") and "/*" in comments:
            # The last line of a block comment whose inner lines lack a leading '*'.
            top = _block_comment_top(lines, r)
            if top is None:
                break
            found.extend(lines[i].strip() for i in range(r, top - 1, -1))
            first = top
            r = top
        else:
            break
        r -= 1
    found.reverse()
    return first, found


def _block_comment_top(lines: Sequence[str], row: int) -> int | None:
    """Return the row where the block comment ending on `row` opens, looking back a little."""
    for r in range(row, max(-1, row - 200), -1):
        if "/*" in lines[r]:
            return r if lines[r].lstrip().startswith("/*") else None
    return None


def _is_preprocessor(stripped: str, language: str) -> bool:
    # `#[attr]` in PHP is an attribute, not a comment.
    return language == "php" and stripped.startswith("#[")


def comment_doc(raw: Sequence[str]) -> str | None:
    """Turn raw comment lines into their first paragraph of text, markers stripped."""
    out: list[str] = []
    for line in raw:
        text = line.strip()
        for marker in ("/**", "/*", "*/", "///", "//", "#", "--", "*"):
            if text.startswith(marker):
                text = text[len(marker) :]
                break
        if text.endswith("*/"):
            text = text[:-2]
        text = _TAG.sub("", text).strip()  # C# `/// <summary>` tags carry no meaning here
        if text:
            out.append(text)
        elif out:
            break  # an empty comment line ends the first paragraph
    return clip(" ".join(out)) if out else None


def docstring_doc(literal: str) -> str | None:
    """Return the first paragraph of a Python string literal's text, cleaned."""
    body = literal.lstrip("rRbBuUfF")
    for quote in ('"""', "'''", '"', "'"):
        if body.startswith(quote):
            body = body[len(quote) :]
            if body.endswith(quote):
                body = body[: -len(quote)]
            break
    paragraph: list[str] = []
    for line in body.strip().split("\n"):
        line = line.strip()
        if not line:
            if paragraph:
                break
            continue
        paragraph.append(line)
    return clip(" ".join(paragraph)) if paragraph else None


def clip(text: str) -> str | None:
    """Collapse whitespace and cut to DOC_MAX characters."""
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return None
    return text if len(text) <= DOC_MAX else text[: DOC_MAX - 1].rstrip() + "…"


def last_line(text: str) -> int:
    """Return the number of the last line holding content (a final '\\n' opens no new line)."""
    n = text.count("\n")
    return max(1, n if text.endswith("\n") else n + 1)
