"""Secrets out of every text that enters a pack, keeping line numbers intact: the one
redaction API (`secrets.py` only finds them)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

Span = tuple[int, int, str]  # (start, end, kind) of one secret in a text


@dataclass(frozen=True)
class Redacted:
    """A text with its secrets replaced."""

    text: str  # the redacted text
    counts: dict[str, int] = field(default_factory=dict)  # secret kind -> how many replaced
    lines: frozenset[int] = frozenset()  # 1-based lines (of the original) whose text changed


def secret_spans(text: str) -> list[Span]:
    """(start, end, kind) of every secret in `text`, in order."""
    # Imported on first use: compiling the detectors costs ~7 ms, and a warm pack takes
    # its files' secret spans from the cache.
    from .secrets import find_secrets

    return [(f.start, f.end, f.kind) for f in find_secrets(text)]


def redact(text: str, spans: list[Span] | None = None) -> Redacted:
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


def verbatim_ranges(
    ranges: list[tuple[int, int]], redacted: frozenset[int]
) -> list[tuple[int, int]]:
    """1-based inclusive line `ranges` minus the `redacted` lines: what is still verbatim."""
    out: list[tuple[int, int]] = []
    for s, e in ranges:
        start = None
        for ln in range(s, e + 1):
            if ln in redacted:
                if start is not None:
                    out.append((start, ln - 1))
                    start = None
            elif start is None:
                start = ln
        if start is not None:
            out.append((start, e))
    return out
