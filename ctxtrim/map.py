"""The map: a pack rendered as where to look, for an agent that reads files itself.

Per file, most relevant first: its path, why it ranks, and its definitions with line ranges
(the ones the pack showed verbatim marked ★); then the rule sections that apply. No code:
the agent opens what it needs. The map must arrive whole (Claude Code turns a hook's output
longer than about 10,000 characters into a preview), so it stops at a character cap; files
that do not fit in full are listed by path while room remains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .outline import Outline, Symbol
from .pack import Item, Pack
from .views import depth_of

if TYPE_CHECKING:
    from .workspace import Workspace

MAP = "map"  # the format's name on the command line
MAP_CHARS = 9_000
MIN_MAP_CHARS = 200
MAX_DEFS = 12  # definitions listed per file besides the relevant ones
MAX_DEPTH = 1  # classes and their methods; deeper definitions are noise in a map
RULES_SHARE = 0.25  # at most this share of the characters goes to rule sections
FILES_TITLE = "\n## Files, most relevant first (★ = the definitions that matter most)"
FOOTER = "Lines are 1-based and inclusive."

OutlineOf = Callable[[str], "Outline | None"]


def outlines(ws: Workspace) -> OutlineOf:
    """The outline of a file of `ws`, from the same prepared files packs use."""

    def get(path: str) -> Outline | None:
        with ws.lock:
            prep = ws.preparer.get(path)
        return prep.outline if prep is not None else None

    return get


def render_map(pack: Pack, outline_of: OutlineOf, max_chars: int = MAP_CHARS) -> str:
    """`pack` as a map of at most `max_chars` characters."""
    # No echo of the task: whoever reads the map has it (the hook's prompt, the caller's task).
    head = ["# ctxtrim map: where to look"]
    files = sorted((i for i in pack.items if i.kind == "file"), key=lambda i: (-i.score, i.path))
    rules = [i for i in pack.items if i.kind == "rule"]
    rule_lines = ["\n## Rules that apply", *(_rule_line(r) for r in rules)] if rules else []
    room = max_chars - _size(head) - _size(["", FOOTER])
    rule_room = min(_size(rule_lines), int(room * RULES_SHARE))

    body: list[str] = [FILES_TITLE] if files else []
    used = _size(body)
    for n, item in enumerate(files, 1):
        block = _file_block(n, item, outline_of(item.path))
        short = f"{n}. {item.path}"
        for candidate in (block, short):
            # Rules keep their share, except against the most relevant file.
            limit = room - (rule_room if n > 1 else 0)
            if used + len(candidate) + 1 <= limit:
                body.append(candidate)
                used += len(candidate) + 1
                break
    kept = _fill(rule_lines, room - used)
    body.extend(kept if len(kept) > 1 else [])
    return "\n".join([*head, *body, "", FOOTER]) + "\n"


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _fill(lines: list[str], room: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        if _size(out) + len(line) + 1 > room:
            break
        out.append(line)
    return out


def _why(item: Item) -> str:
    reasons = "; ".join(r.replace("\n", " ") for r in item.reasons[:2])
    return f"score {item.score:.2f}" + (f": {reasons}" if reasons else "")


def _file_block(n: int, item: Item, outline: Outline | None) -> str:
    lines = [f"{n}. {item.path}  ({_why(item)})"]
    if outline is None or not outline.symbols:
        return lines[0]
    shown = item.lines if item.mode == "slice" else []
    named = " ".join(item.reasons)  # "defines `login`", "`safe_next_url` matches the task"
    depths = depth_of(outline.symbols)
    rows: list[tuple[Symbol, int, bool]] = []
    for sym, depth in zip(outline.symbols, depths):
        if depth > MAX_DEPTH or (sym.kind == "heading" and depth > 0):
            continue
        rows.append((sym, depth, _covered(sym, shown) or f"`{sym.name}`" in named))
    starred = [r for r in rows if r[2]]
    others = [r for r in rows if not r[2]][:MAX_DEFS]
    keep = {id(r[0]) for r in starred + others}
    for sym, depth, star in rows:
        if id(sym) in keep:
            mark = "★ " if star else ""
            lines.append(
                f"{'  ' * (depth + 1)}- {mark}{sym.kind} {sym.name}  L{sym.start}-{sym.end}"
            )
    hidden = len(rows) - len(keep)
    if hidden:
        lines.append(f"  - … {hidden} more definitions")
    return "\n".join(lines)


def _covered(sym: Symbol, ranges: list[tuple[int, int]]) -> bool:
    """Whether the pack showed the whole definition verbatim (a slice's relevant part)."""
    return any(s <= sym.start and sym.end <= e for s, e in ranges) and sym.end > sym.start


def _rule_line(item: Item) -> str:
    where = f":{item.lines[0][0]}-{item.lines[-1][1]}" if item.lines else ""
    section = f" › {item.section}" if item.section else ""
    reasons = "; ".join(r.replace("\n", " ") for r in item.reasons[:2])
    return f"- {item.path}{where}{section}" + (f"  ({reasons})" if reasons else "")
