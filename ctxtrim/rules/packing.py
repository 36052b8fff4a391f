"""The bridge from rule selection to the core's pack items (`Workspace` calls `pack_sections`)."""

from __future__ import annotations

from ..pack import Item, Omitted
from ..redact import redact, verbatim_ranges
from ..tokens import Tokenizer
from .model import RuleFile
from .select import select_sections


def pack_sections(
    rules: list[RuleFile], task: str, paths: list[str], budget: int, tokenizer: Tokenizer
) -> tuple[list[Item], list[Omitted]]:
    """Rule sections for a pack as (`Item`s kept, `Omitted`s dropped).

    `rules` come from `discover`; `paths` are the files in the pack and the focus files.
    """
    selection = select_sections(rules, task, paths, budget, tokenizer)
    kept = []
    for scored in selection.kept:
        section = scored.section
        # Rule files are sent to a model like code: secrets in them are redacted the same way,
        # and the lines that changed are no longer claimed as verbatim.
        red = redact(section.text)
        # The section's redacted lines are numbered from 1 within the section.
        file_lines = frozenset(section.start - 1 + n for n in red.lines)
        lines = verbatim_ranges([(section.start, section.end)], file_lines)
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
