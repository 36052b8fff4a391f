"""Expand: the verbatim code of one definition or line range of a file, under a budget.

The agent's next step after a pack cut a file (`⋮`), summarised it or only listed it. It reads
the file as packs do (the index's text, redacted the same way, through the same prepared
files), so what a pack would not show (excluded files, secrets) expand does not show either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import CtxtrimError
from .fit import Prepared
from .outline import Symbol
from .pack import Item
from .redact import verbatim_ranges
from .render import item_block
from .views import ELISION, from_ranges, merge
from .workspace import Workspace

DEFAULT_EXPAND_BUDGET = 4000
MIN_EXPAND_BUDGET, MAX_EXPAND_BUDGET = 64, 100_000
MAX_MATCHES = 5  # definitions of the same name shown at once
_RANGE = re.compile(r"^\s*(\d{1,9})\s*(?:-\s*(\d{1,9})\s*)?$")


@dataclass(frozen=True)
class Expanded:
    path: str
    text: str  # markdown, rendered like a pack's file item
    lines: tuple[tuple[int, int], ...]  # verbatim ranges shown (redacted lines left out)
    tokens: int
    truncated: bool


def expand(
    ws: Workspace, path: str, symbol: str = "", lines: str = "", budget: int = 0
) -> Expanded:
    """The code of `symbol` (a name or Class.method) or `lines` ("40-88") of `path`, or the
    whole file, cut at `budget` tokens. Raises CtxtrimError naming the bad argument."""
    budget = budget or DEFAULT_EXPAND_BUDGET
    if not MIN_EXPAND_BUDGET <= budget <= MAX_EXPAND_BUDGET:
        raise CtxtrimError(
            f"'budget' {budget} is out of range ({MIN_EXPAND_BUDGET} to {MAX_EXPAND_BUDGET:,} tokens)"
        )
    if symbol and lines:
        raise CtxtrimError("give 'symbol' or 'lines', not both")
    rel, prep = _prepared(ws, path)
    total = len(prep.lines)
    if symbol:
        ranges = _symbol_ranges(prep.outline.symbols, symbol, path)
    elif lines:
        ranges = [_line_range(lines, total, path)]
    else:
        ranges = [(1, total)]
    return _fit(ws, rel, prep.lines, ranges, prep.redacted.lines, prep.language, budget)


def _prepared(ws: Workspace, path: str) -> tuple[str, Prepared]:
    """`path` relative to the root and prepared as packs prepare it, if packs may show it;
    else why not, naming 'path'."""
    if not path or "\x00" in path:
        raise CtxtrimError("'path' must be a non-empty file path")
    try:
        rel = ws.relative(path)  # symlinks resolved: one pointing out of the root is outside
    except (CtxtrimError, OSError, ValueError):
        raise CtxtrimError(f"'path' {path}: outside the repository") from None
    with ws.lock:
        prep = ws.preparer.get(rel)  # None unless the index holds the file
    if prep is not None:
        return rel, prep
    full = ws.root / rel
    if rel in ("", ".") or full.is_dir():
        raise CtxtrimError(f"'path' {path}: is a directory, not a file")
    if not full.is_file():
        raise CtxtrimError(f"'path' {path}: no such file in the repository")
    if not ws.admits(rel):
        raise CtxtrimError(
            f"'path' {path}: excluded from packs (ignored, a secret file or generated); "
            f"`ctxtrim stats --why {rel}` says which rule"
        )
    raise CtxtrimError(f"'path' {path}: not indexed (too large, binary or unreadable)")


def _symbol_ranges(symbols: list[Symbol], name: str, path: str) -> list[tuple[int, int]]:
    found = [s for s in symbols if name in (s.name, s.qualname)]
    if not found:
        known = ", ".join(sorted({s.qualname for s in symbols if s.kind != "heading"})[:20])
        hint = f" (defined there: {known})" if known else " (it has no definitions)"
        raise CtxtrimError(f"'symbol' {name}: not defined in {path}{hint}")
    return [(s.start, s.end) for s in found[:MAX_MATCHES]]


def _line_range(text: str, total: int, path: str) -> tuple[int, int]:
    got = _RANGE.match(text)
    if got is None:
        raise CtxtrimError(f"'lines' must look like 40-88 or 40, not {text[:40]!r}")
    start = int(got.group(1))
    end = int(got.group(2) or start)
    if start < 1 or end < start:
        raise CtxtrimError(f"'lines' {text}: must be 1-based, start before end")
    if start > total:
        raise CtxtrimError(f"'lines' {text}: {path} has {total} lines")
    return start, min(end, total)


def _fit(
    ws: Workspace,
    rel: str,
    lines: list[str],
    ranges: list[tuple[int, int]],
    redacted: frozenset[int],
    language: str | None,
    budget: int,
) -> Expanded:
    """The ranges verbatim, the last one cut at a line boundary if the budget needs it."""
    count = ws.tokenizer.count
    wanted = merge(ranges)
    truncated = False
    while True:
        view = from_ranges("slice", lines, wanted)
        item = Item("file", rel, "slice", view.text, 1.0, lines=list(view.lines), language=language)
        text = item_block(item, "markdown").rstrip("\n")
        if truncated:
            text += f"\n{ELISION} cut at the budget: ask for lines {wanted[-1][1] + 1}- next"
        tokens = count(text)
        if tokens <= budget:
            break
        truncated = True
        size = sum(e - s + 1 for s, e in wanted)
        keep = int(size * budget / tokens * 0.9)
        if keep < 1 or size <= 1:
            raise CtxtrimError(f"'budget' {budget} is too small for even one line of {rel}")
        wanted = _first_lines(wanted, min(keep, size - 1))
    verbatim = tuple(verbatim_ranges(list(view.lines), redacted))
    return Expanded(rel, text + "\n", verbatim, tokens, truncated)


def _first_lines(ranges: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    out = []
    for s, e in ranges:
        if n <= 0:
            break
        out.append((s, min(e, s + n - 1)))
        n -= e - s + 1
    return out
