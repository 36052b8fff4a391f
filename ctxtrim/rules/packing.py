"""The bridge from rule selection to the core's pack items (`Workspace` calls `pack_sections`)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ..redact import redact_lines
from ..tokens import Tokenizer
from .model import RuleFile, RuleSection
from .select import select_sections


def pack_sections(
    rules: list[RuleFile],
    task: str,
    paths: list[str],
    budget: int,
    tokenizer: Tokenizer,
    focus: Collection[str] = (),
    files: Collection[str] = (),
) -> tuple[list[Any], list[Any]]:
    """Rule sections for a pack as (`Item`s kept, `Omitted`s dropped).

    `rules` come from `discover`; `paths` are the files in play (those the pack shows, the
    focus files, those the task names), `focus` the ones the task is about and `files`
    all the repository's files.
    """
    from ..pack import Item, Omitted  # the core's types; imported late to avoid a cycle

    selection = select_sections(rules, task, paths, budget, tokenizer, focus, files)
    kept = []
    for scored in selection.kept:
        section = scored.section
        # Rule files are sent to a model like code: secrets in them are redacted the same way,
        # and the lines that changed are no longer claimed as verbatim.
        red = redact_lines(section.text)
        lines = _verbatim_ranges(_file_lines(section), red.lines)
        kept.append(
            Item(
                kind="rule",
                path=section.file,
                mode="full" if not red.counts and not section.parts else "slice",
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


def _file_lines(section: RuleSection) -> list[int | None]:
    """The file line each line of the section's text shows (None for a trim gap)."""
    if not section.parts:
        return list(range(section.start, section.end + 1))
    numbers: list[int | None] = []
    shown_to = section.start - 1
    for first, last in section.parts:
        if first > shown_to + 1:  # parts are apart only where lines were left out
            numbers.append(None)
        numbers.extend(range(first, last + 1))
        shown_to = last
    if shown_to < section.end:
        numbers.append(None)
    return numbers


def _verbatim_ranges(numbers: list[int | None], touched: frozenset[int]) -> list[tuple[int, int]]:
    """The file line ranges the text shows verbatim: its lines that map to a file line,
    minus those (1-based within the text) that redaction changed."""
    ranges: list[tuple[int, int]] = []
    for offset, line in enumerate(numbers):
        if line is None or offset + 1 in touched:
            continue
        if ranges and ranges[-1][1] == line - 1:
            ranges[-1] = (ranges[-1][0], line)
        else:
            ranges.append((line, line))
    return ranges
