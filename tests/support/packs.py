"""Checks that a pack tells the truth about the lines it shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ctxtrim.views import split_lines


def verbatim(lines: list[str], start: int, end: int, text: str) -> bool:
    """The harness's check: lines start..end appear as whole lines in text."""
    block = "\n".join(lines[start - 1 : end])
    at = text.find(block)
    while at >= 0:
        stop = at + len(block)
        if (at == 0 or text[at - 1] == "\n") and (stop == len(text) or text[stop] == "\n"):
            return True
        at = text.find(block, at + 1)
    return False


def assert_truthful(root: Path, data: dict[str, Any]) -> None:
    """Every file item's claimed line ranges appear verbatim in its text."""
    for item in data["items"]:
        if item["kind"] != "file":
            continue
        lines = split_lines((root / item["path"]).read_text())
        ranges = [[1, len(lines)]] if item["mode"] == "full" else item["lines"]
        for start, end in ranges:
            assert verbatim(lines, start, end, item["text"]), (item["path"], start, end)
