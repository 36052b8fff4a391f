"""The bridge from rule selection to the core's pack items (`Workspace` calls `pack_sections`)."""

from __future__ import annotations

from typing import Any

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
    kept = [
        Item(
            kind="rule",
            path=scored.section.file,
            mode="full",
            text=scored.section.text,
            score=scored.score,
            reasons=list(scored.reasons),
            lines=[(scored.section.start, scored.section.end)],
            tokens=tokenizer.count(scored.section.text),
            section=" > ".join(scored.section.heading_path) or None,
            language="markdown",
        )
        for scored in selection.kept
    ]
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
