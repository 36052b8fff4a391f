"""Split a rule file into sections: one per markdown heading, plus the preamble."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..redact import redact
from ..tokens import Tokenizer
from .model import RuleSection

KEEP_MARKER = "<!-- ctxtrim:keep -->"

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def fenced_lines(lines: list[str]) -> list[bool]:
    """For each line, whether it is part of a fenced code block (fence lines included)."""
    inside: list[bool] = []
    fence = ""
    for line in lines:
        if fence:
            inside.append(True)
            stripped = line.strip()
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = ""
            continue
        match = _FENCE_OPEN.match(line)
        if match:
            fence = match.group(1)
        inside.append(bool(match))
    return inside


def headings(lines: list[str], first: int = 1) -> Iterator[tuple[int, int, str]]:
    """(1-based line, level, title) of each ATX heading outside code blocks, from line `first`."""
    in_code = fenced_lines(lines)
    for index in range(first - 1, len(lines)):
        if in_code[index]:
            continue
        match = _HEADING.match(lines[index])
        if match:
            title = re.sub(r"[ \t]+#+$", "", match.group(2) or "").strip()
            if title == "#" * len(title):  # a closing sequence only: `## ##`
                title = ""
            # Titles are printed (`ctxtrim rules`) and packed as section names: never a secret.
            title = redact(title).text
            yield index + 1, len(match.group(1)), title


def split_sections(
    path: str, text: str, body_start: int, tokenizer: Tokenizer
) -> list[RuleSection]:
    """Sections of `text`; the frontmatter (lines before `body_start`) belongs to none."""
    lines = text.split("\n")
    starts: list[tuple[int, tuple[str, ...]]] = [(body_start, ())]
    stack: list[tuple[int, str]] = []
    for line, level, title in headings(lines, body_start):
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        starts.append((line, tuple(name for _, name in stack)))
    sections: list[RuleSection] = []
    for position, (start, heading_path) in enumerate(starts):
        stop = starts[position + 1][0] - 1 if position + 1 < len(starts) else len(lines)
        while stop > start and not lines[stop - 1].strip():
            stop -= 1  # trailing blank lines belong to no one
        body = "\n".join(lines[start - 1 : stop])
        if not heading_path and not body.strip():
            continue  # no preamble
        if start > len(lines):
            continue
        sections.append(
            RuleSection(
                file=path,
                heading_path=heading_path,
                start=start,
                end=stop,
                text=body,
                tokens=tokenizer.count(body),
                keep=KEEP_MARKER in body,
            )
        )
    return sections
