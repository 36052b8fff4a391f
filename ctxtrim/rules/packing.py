"""The bridge from rule selection to the core's pack items (`Workspace` calls `pack_sections`)."""

from __future__ import annotations

from typing import Any

from ..redact import redact_lines
from ..tokens import Tokenizer
from .model import RuleFile
from .select import select_sections


def pack_sections(
    rules: list[RuleFile], task: str, paths: list[str], budget: int, tokenizer: Tokenizer
) -> tuple[list[Any], list[Any]]:
    """Rule sections for a pack as (`Item`s kept, `Omitted`s dropped).

    `rules` come from `discover`; `paths` are the files in the pack and the focus files.
    """
    from ..pack import Item, Omitted  # the core's types; imported late to avoid a cycle

    selection = select_sections(rules, task, paths, budget, tokenizer)
    kept = []
    for scored in selection.kept:
        section = scored.section
        # Rule files are sent to a model like code: secrets in them are redacted the same way,
        # and the lines that changed are no longer claimed as verbatim.
        red = redact_lines(section.text)
        lines = _verbatim_ranges(section.start, section.end, red.lines)
        kept.append(
            Item(
                kind="rule",
                path=section.file,
                mode="full" if not red.counts else "slice",
                text=red.text,
                score=scored.score,
                reasons=list(scored.reasons),
                lines=lines,
                tokens=tokenizer.count(red.text),
                section=" > ".join(section.heading_path) or None,
                language="markdown",
                redactions=sum(red.counts.values()),
            )
        )
    dropped = [
        Omitted(
            path=f"{scored.section.file}:{scored.section.start}",
            score=scored.score,
            reasons=list(scored.reasons[:-1]),
            why=scored.reasons[-1] if scored.reasons else "not selected",
        )
        for scored in selection.dropped
    ]
    return kept, dropped


def _verbatim_ranges(start: int, end: int, touched: frozenset[int]) -> list[tuple[int, int]]:
    """File line ranges `start..end` minus the lines (1-based within the section) redacted."""
    ranges: list[tuple[int, int]] = []
    for offset in range(end - start + 1):
        line = start + offset
        if offset + 1 in touched:
            continue
        if ranges and ranges[-1][1] == line - 1:
            ranges[-1] = (ranges[-1][0], line)
        else:
            ranges.append((line, line))
    return ranges
