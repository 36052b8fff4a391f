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


def secret_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every secret in `text`, in order."""
    return [(f.start, f.end, f.kind) for f in find_secrets(text)]


def redact_lines(text: str, spans: list[tuple[int, int, str]] | None = None) -> Redacted:
    """Replace each secret with `[REDACTED:<kind>]`; a multi-line secret keeps its line breaks
    so every other line keeps its number (and its verbatim claim). `spans` are the secrets'
    (start, end, kind), when already known for this very text."""
    if spans is None:
        spans = secret_spans(text)
    if not spans:
        return Redacted(text)
    out: list[str] = []
    counts: Counter[str] = Counter()
    touched: set[int] = set()
    pos = 0
    for start, end, kind in spans:
        out.append(text[pos:start])
        secret = text[start:end]
        first = text.count("\n", 0, start) + 1
        breaks = secret.count("\n")
        touched.update(range(first, first + breaks + 1))
        out.append(f"[REDACTED:{kind}]" + "\n" * breaks)
        counts[kind] += 1
        pos = end
    out.append(text[pos:])
    return Redacted("".join(out), dict(counts), frozenset(touched))
