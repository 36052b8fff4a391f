"""Which tools a task needs: lexical scores, a relative floor, and the companions the task
implies.

Words come from the same splitting as packs and rule sections (`terms.words`:
`get_current_time` -> get, current, time, suffixes folded), and are scored with the
project's BM25 for small document sets (`bm25.Corpus`) twice: over each tool's whole definition text (name,
description, parameter names and descriptions) and over its name alone, because a task that
says "time" is about `get_current_time` more than about a tool that mentions time once.

The set is the smallest useful one: tools scoring at least RELATIVE_FLOOR of the best, then
each chosen tool's companions (a tool of the same server whose name shares a word of the
task that few of that server's tools carry: asking for the time in two cities needs both
`get_current_time` and `convert_time`), at most MAX_SELECTED in all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..bm25 import Corpus
from ..terms import words
from .model import ToolDef

RELATIVE_FLOOR = 0.5  # of the best score
MAX_SELECTED = 6
COMPANION_SHARE_MAX = 3  # a name word on more tools of a server than this is its prefix, not a kin
NAME_WEIGHT = 1.0  # the name-only score's weight beside the whole definition's


@dataclass(frozen=True)
class Scored:
    server: int  # index of the tool's server in the caller's list
    tool: ToolDef
    score: float  # 0..1, relative to the best tool
    selected: bool


def definition_words(tool: ToolDef) -> list[str]:
    parts = [tool.name, tool.description]
    properties = tool.schema.get("properties") if isinstance(tool.schema, dict) else None
    if isinstance(properties, dict):
        for name, spec in properties.items():
            parts.append(str(name))
            if isinstance(spec, dict):
                parts.extend(str(spec[k]) for k in ("description", "title") if k in spec)
    return words("\n".join(parts))


def select(task: str, tools: Sequence[tuple[int, ToolDef]]) -> list[Scored]:
    """Score every (server index, tool) against the task and mark the chosen set."""
    query = list(dict.fromkeys(words(task)))
    if not tools or not query:
        return [Scored(server, tool, 0.0, False) for server, tool in tools]
    names = [words(tool.name) for _, tool in tools]
    weights = dict.fromkeys(query, 1.0)
    whole = Corpus([Counter(definition_words(tool)) for _, tool in tools]).scores(weights)
    by_name = Corpus([Counter(name) for name in names]).scores(weights)
    raw = [w + NAME_WEIGHT * n for w, n in zip(whole, by_name)]
    best = max(raw)
    if best <= 0:
        return [Scored(server, tool, 0.0, False) for server, tool in tools]
    ranked = sorted(range(len(tools)), key=lambda i: (-raw[i], tools[i][1].name))
    chosen: list[int] = []
    for i in (i for i in ranked if raw[i] >= RELATIVE_FLOOR * best):
        # A tool and then its companions: the best tool's kin outrank a weaker match.
        for j in (i, *_companions(i, tools, names, set(query), raw)):
            if j not in chosen and len(chosen) < MAX_SELECTED:
                chosen.append(j)
    picked = set(chosen)
    return [
        Scored(server, tool, round(raw[i] / best, 3), i in picked)
        for i, (server, tool) in enumerate(tools)
    ]


def _companions(
    i: int,
    tools: Sequence[tuple[int, ToolDef]],
    names: list[list[str]],
    query: set[str],
    raw: list[float],
) -> list[int]:
    """Tools of i's server whose names share a task word with i's name that is not the
    server's common prefix, best first."""
    server = tools[i][0]
    same = [j for j, (s, _) in enumerate(tools) if s == server]
    shared: list[str] = []
    for word in set(names[i]) & query:
        carriers = sum(word in names[j] for j in same)
        if carriers <= COMPANION_SHARE_MAX:
            shared.append(word)
    found = [j for j in same if j != i and raw[j] > 0 and any(w in names[j] for w in shared)]
    return sorted(found, key=lambda j: -raw[j])
