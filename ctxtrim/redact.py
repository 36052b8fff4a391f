"""Secrets out of every text that enters a pack, keeping line numbers intact."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .secrets import find_secrets


@dataclass(frozen=True)
class Redacted:
    text: str
    counts: dict[str, int] = field(default_factory=dict)
    lines: frozenset[int] = frozenset()  # 1-based lines whose text changed


def redact_lines(text: str) -> Redacted:
    """Replace each secret with `[REDACTED:<kind>]`; a multi-line secret keeps its line breaks
    so every other line keeps its number (and its verbatim claim)."""
    findings = find_secrets(text)
    if not findings:
        return Redacted(text)
    out: list[str] = []
    counts: Counter[str] = Counter()
    touched: set[int] = set()
    pos = 0
    for f in findings:
        out.append(text[pos : f.start])
        secret = text[f.start : f.end]
        first = text.count("\n", 0, f.start) + 1
        breaks = secret.count("\n")
        touched.update(range(first, first + breaks + 1))
        out.append(f"[REDACTED:{f.kind}]" + "\n" * breaks)
        counts[f.kind] += 1
        pos = f.end
    out.append(text[pos:])
    return Redacted("".join(out), dict(counts), frozenset(touched))
