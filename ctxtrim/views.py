"""How much of a file to show: the text of each mode, and which lines it holds verbatim.

A view is a set of line ranges copied verbatim from the file; the gaps between them become
a single elision line. Because every shown line is a whole original line, the ranges can be
claimed as verbatim in the JSON contract and nothing else is.
"""

from __future__ import annotations

from dataclasses import dataclass

from .outline import FIELD_KIND, Outline, Symbol
from .pack import Mode

ELISION = "⋮"
HEADER_LINES = 25  # lines of a file's head (imports, module docstring) a slice keeps
MAX_SIGNATURE_LINES = 6
# How the lines above a definition that belong to it start: comments and doc comments,
# attributes and annotations (`#[...]`, `@...`).
LEADING_MARKS = ("//", "/*", "*", "#", "@", "--", ";")
ATTRIBUTE_MARKS = ("#[", "#![", "@")
# Kinds of definition a method written apart from it can belong to.
OWNER_KINDS = frozenset({"class", "struct", "interface", "type", "enum", "record", "union"})
BODY_UNIT_LINES = 60  # a run of statements outside definitions is offered in pieces this long
BODY_KIND = "statements"  # the kind of a unit made of statements outside any definition
# A nested module's own head (Rust's `mod tests {` and the `use` lines under it): shown with
# its header, as a file's head is with any slice, at most this many lines of it.
MODULE_KINDS = frozenset({"module"})
MODULE_HEAD_LINES = 12


@dataclass(frozen=True)
class View:
    mode: Mode
    text: str
    lines: tuple[tuple[int, int], ...]  # verbatim ranges, 1-based inclusive


def split_lines(text: str) -> list[str]:
    """Lines as git numbers them: split on '\\n' only; a final newline ends the last line."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines


def merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def from_ranges(mode: Mode, lines: list[str], ranges: list[tuple[int, int]]) -> View:
    """Render verbatim `ranges` of `lines` with one elision line for each gap."""
    return elided(mode, lines, shown_spans(len(lines), ranges))


def shown_spans(n: int, ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """The line ranges a view of `ranges` shows, in a file of `n` lines."""
    return bridged(merge(clamped(n, ranges)))


def clamped(n: int, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`ranges` cut to a file of `n` lines, the empty ones left out."""
    return [(max(1, s), min(n, e)) for s, e in ranges if s <= e and s <= n and e >= 1]


def bridged(clean: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Merged ranges (from `merge`) with each one-line gap bridged: it costs as much as its
    marker, so the line is shown instead."""
    out: list[tuple[int, int]] = []
    for s, e in clean:
        if out and s - out[-1][1] == 2:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return tuple(out)


def elided(mode: Mode, lines: list[str], spans: tuple[tuple[int, int], ...]) -> View:
    """The view showing `spans` (from `shown_spans`) of `lines`, one elision line per gap."""
    out: list[str] = []
    prev = 0
    for s, e in spans:
        if s > prev + 1:
            out.append(ELISION)
        out.extend(lines[s - 1 : e])
        prev = e
    if spans and prev < len(lines):
        out.append(ELISION)
    return View(mode, "\n".join(out), spans)


def full(lines: list[str], text: str) -> View:
    return View(
        "full", text[:-1] if text.endswith("\n") else text, ((1, len(lines)),) if lines else ()
    )


def signature(sym: Symbol, lines: list[str]) -> tuple[int, int]:
    """The header lines of a definition, with a one-line docstring or doc comment after it.
    A definition's lines start with its doc comment and attributes (`/// ...`, `#[derive]`,
    `@Override`): as many of those are dropped as the header needs to show the line that
    defines it (`pub fn len(&self) -> usize {` under twenty lines of docs)."""
    first = sym.start
    if sym.signature_end - first >= MAX_SIGNATURE_LINES:  # too long: comments go, then
        # attributes until it fits (`#[inline]` above a signature says something of it)
        while first < sym.signature_end and (
            _leading(lines[first - 1])
            and (
                not _attribute(lines[first - 1]) or sym.signature_end - first >= MAX_SIGNATURE_LINES
            )
        ):
            first += 1
    end = min(sym.signature_end, first + MAX_SIGNATURE_LINES - 1)
    nxt = end + 1
    if (
        sym.end > end
        and nxt <= len(lines)
        and lines[nxt - 1].lstrip().startswith(('"""', "'''", 'r"""'))
    ):
        end = nxt
    return first, max(end, first)


def _leading(line: str) -> bool:
    """A doc comment, comment or attribute line, as written above a definition."""
    return line.lstrip().startswith(LEADING_MARKS)


def _attribute(line: str) -> bool:
    """An attribute or annotation line (`#[inline]`, `@Override`), not a comment."""
    return line.lstrip().startswith(ATTRIBUTE_MARKS)


def depth_of(symbols: list[Symbol]) -> list[int]:
    """Nesting depth of each symbol (symbols sorted by start, enclosing ones first)."""
    depths: list[int] = []
    stack: list[Symbol] = []
    for sym in symbols:
        while stack and not (stack[-1].start <= sym.start and sym.end <= stack[-1].end):
            stack.pop()
        depths.append(len(stack))
        stack.append(sym)
    return depths


def head_range(outline: Outline, lines: list[str]) -> tuple[int, int] | None:
    first = min((s.start for s in outline.symbols), default=len(lines) + 1)
    end = min(first - 1, HEADER_LINES)
    return (1, end) if end >= 1 else None


def summary(
    outline: Outline, lines: list[str], max_depth: int = 1, depths: list[int] | None = None
) -> View:
    """Signatures (and one-line docs) of every definition up to `max_depth` (`depths`: the
    symbols' `depth_of`, if known)."""
    if depths is None:
        depths = depth_of(outline.symbols)
    ranges: list[tuple[int, int]] = []
    for s, d in zip(outline.symbols, depths):
        if d <= max_depth and s.kind not in ("heading", FIELD_KIND):
            header = signature(s, lines)
            ranges.append(header)
            if header[0] > s.start and s.doc:  # a long doc comment above: its first line
                ranges.append((s.start, s.start))
    ranges += [
        (s.start, s.start)
        for s, d in zip(outline.symbols, depths)
        if s.kind == "heading" and d <= 2
    ]
    return from_ranges("summary", lines, ranges)


def contexts(
    symbols: list[Symbol], lines: list[str], wanted: list[Symbol]
) -> list[list[tuple[int, int]]]:
    """For each of `wanted`, what showing it verbatim takes: its own lines and the headers
    of what encloses it (the class line above a method), so the excerpt says where it lives.
    One pass with a stack of open definitions (symbols are sorted, enclosing ones first)."""
    wanted_ids = {id(s) for s in wanted}
    # A method written outside its type (Go's receiver methods, C++'s `A::f`) gets the
    # type's header as if it were nested in it.
    owners: dict[str, Symbol] = {}
    for sym in symbols:
        if sym.kind in OWNER_KINDS:
            owners.setdefault(sym.name, sym)
    found: dict[int, list[tuple[int, int]]] = {}
    stack: list[Symbol] = []
    headers: dict[int, tuple[int, int]] = {}  # a class's header, found once for its members
    first_inside: dict[int, int] = {}  # where the first definition inside each one starts
    for sym in symbols:
        while stack and not (stack[-1].start <= sym.start and sym.end <= stack[-1].end):
            stack.pop()
        for o in stack:
            first_inside.setdefault(id(o), sym.start)
        if id(sym) in wanted_ids:
            ranges = found[id(sym)] = [(sym.start, _blank_after(lines, sym.end))]
            for o in stack:
                header = headers.get(id(o))
                if header is None:
                    header = headers[id(o)] = _module_head(o, first_inside[id(o)], lines)
                ranges.append(header)
            owner = owners.get(sym.parent) if sym.parent else None
            if owner is not None and not any(o.name == sym.parent for o in stack):
                ranges.append(signature(owner, lines))
        stack.append(sym)
    return [found.get(id(s), [(s.start, s.end)]) for s in wanted]


def _module_head(owner: Symbol, first_inside: int, lines: list[str]) -> tuple[int, int]:
    """The header of `owner`; for a nested module, with the lines under it up to its first
    definition (at line `first_inside`): its imports, where a new one goes, as many as
    `MODULE_HEAD_LINES`."""
    first, end = signature(owner, lines)
    if owner.kind not in MODULE_KINDS:
        return first, end
    stop = min(first_inside - 1, end + MODULE_HEAD_LINES, owner.end)
    while stop > end and not lines[stop - 1].strip():
        stop -= 1
    return first, max(stop, end)


def _blank_after(lines: list[str], end: int) -> int:
    """`end`, or the line after it if that one is blank: the gap after a definition is where
    a new one goes, and a slice that shows it says so (one token)."""
    return end + 1 if end < len(lines) and not lines[end].strip() else end


def slice_view(lines: list[str], ranges: list[tuple[int, int]]) -> View:
    """Some definitions verbatim (see `context`) and the file's head, the rest elided."""
    return from_ranges("slice", lines, ranges)


def outline_view(outline: Outline, depths: list[int] | None = None) -> View:
    """Names only: one line per top-level definition, with its members' names after it."""
    rows: list[tuple[str, list[str]]] = []
    if depths is None:
        depths = depth_of(outline.symbols)
    for sym, d in zip(outline.symbols, depths):
        if d == 0:
            rows.append((f"{sym.kind} {sym.name}  (L{sym.start}-{sym.end})", []))
        elif d == 1 and rows and sym.kind != FIELD_KIND:
            rows[-1][1].append(sym.name)
    text = "\n".join(
        head + (": " + ", ".join(members) if members else "") for head, members in rows
    )
    return View("outline", text, ())


def body_units(
    symbols: list[Symbol], lines: list[str], after: int, depths: list[int] | None = None
) -> list[tuple[Symbol, list[tuple[int, int]]]]:
    """Statements that belong to no member definition, as slice units: a class's own body
    (attributes, tables of messages) and the module's top-level code past line `after` (the
    head, shown anyway). Each unit is one run of lines between definitions, cut to
    `BODY_UNIT_LINES`, named for what encloses it; blank edges are trimmed. With each unit
    comes what showing it takes (its lines, the blank line after them as after a definition,
    and the header of its class). `depths`: the symbols' `depth_of`, if known."""
    units: list[tuple[Symbol, list[tuple[int, int]]]] = []
    if depths is None:
        depths = depth_of(symbols)
    containers: list[tuple[Symbol | None, int, int, list[Symbol]]] = []
    top = [s for s, d in zip(symbols, depths) if d == 0]
    if top and not any(s.kind == "heading" for s in top):
        containers.append((None, after + 1, len(lines), top))
    for i, sym in enumerate(symbols):
        if sym.kind in ("function", "method", "heading"):
            continue
        members = []
        # Sorted by start: the first symbol starting past `sym` ends the search.
        for j in range(i + 1, len(symbols)):
            o = symbols[j]
            if o.start > sym.end:
                break
            if depths[j] == depths[i] + 1 and sym.start <= o.start and o.end <= sym.end:
                members.append(o)
        if members:
            containers.append((sym, signature(sym, lines)[1] + 1, sym.end, members))
    for owner, start, end, members in containers:
        taken = merge([(m.start, m.end) for m in members])
        header = [signature(owner, lines)] if owner else []
        if owner is not None and owner.kind in MODULE_KINDS:
            header.append(_module_tail(owner, lines))
        name = owner.name if owner else "<module>"
        cursor = start
        for s, e in taken + [(end + 1, end + 1)]:
            for a, b in _pieces(lines, cursor, min(s - 1, end)):
                unit = Symbol(name, BODY_KIND, a, b, a, owner.name if owner else None)
                units.append((unit, [(a, _blank_after(lines, b)), *header]))
            cursor = max(cursor, e + 1)
    return units


def _module_tail(owner: Symbol, lines: list[str]) -> tuple[int, int]:
    """The last line of a nested module's body and its closing line: a new item of a module
    of statements (re-exports, `use` lists) is most often added at its end."""
    last = owner.end - 1
    while last > owner.start and not lines[last - 1].strip():
        last -= 1
    return max(last, owner.start), owner.end


def _pieces(lines: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """Lines start..end without blank edges, cut into runs of at most BODY_UNIT_LINES."""
    while start <= end and not lines[start - 1].strip():
        start += 1
    while end >= start and not lines[end - 1].strip():
        end -= 1
    return [(a, min(a + BODY_UNIT_LINES - 1, end)) for a in range(start, end + 1, BODY_UNIT_LINES)]
