"""The bridge from rule selection to the core's pack items (`Workspace` calls `pack_sections`)."""

from __future__ import annotations

from collections.abc import Collection

from ..pack import Item, Omitted
from ..redact import redact, verbatim_ranges
from ..tokens import Tokenizer
from .model import RuleFile, RuleSection
from .select import Reach, select_sections


def pack_sections(
    rules: list[RuleFile],
    task: str,
    paths: list[str],
    budget: int,
    tokenizer: Tokenizer,
    focus: Collection[str] = (),
    files: Collection[str] | Reach = (),
) -> tuple[list[Item], list[Omitted]]:
    """Rule sections for a pack as (`Item`s kept, `Omitted`s dropped).

    `rules` come from `discover`; `paths` are the files in play (those the pack shows, the
    focus files, those the task names), `focus` the ones the task is about and `files`
    all the repository's files (or their `Reach`, see `select_sections`).
    """
    selection = select_sections(rules, task, paths, budget, tokenizer, focus, files)
    kept = []
    for scored in selection.kept:
        section = scored.section
        # Rule files are sent to a model like code: secrets in them are redacted the same way,
        # and the lines that changed are no longer claimed as verbatim.
        red = redact(section.text)
        # The redacted lines are numbered from 1 within the section's text; a trimmed
        # section's text skips lines of the file (and has gap lines of its own).
        numbers = _file_lines(section)
        file_lines = frozenset(n for i, n in enumerate(numbers, 1) if i in red.lines and n)
        lines = verbatim_ranges(list(section.parts) or [(section.start, section.end)], file_lines)
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
