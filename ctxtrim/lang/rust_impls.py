"""The traits of Rust `impl` blocks, read from their headers.

An `impl Trait for Type` is named for its type, yet a task may name it by its trait
(`ToValue` impls) or name one of its methods through the trait (`Visitor::visit_str`).
"""

from __future__ import annotations

import bisect
import re

from ..outline import Symbol

# The line that starts a Rust `impl` (below its doc comment and attributes).
RUST_IMPL = re.compile(r"^\s*(?:unsafe\s+)?impl\b", re.M)


def member_traits(lines: list[str], symbols: list[Symbol], leaves: list[Symbol]) -> dict[int, str]:
    """The trait each method leaf implements, as written, by the leaf's index: a task's
    `Visitor::visit_str` names the `visit_str` of every `impl Visitor for ...` (whose
    methods are named for the type)."""
    impls = [(s, trait) for s in symbols if s.kind == "impl" and (trait := _impl_trait(lines, s))]
    if not impls:
        return {}
    starts = [s.start for s, _ in impls]  # symbols come sorted by start
    found: dict[int, str] = {}
    for j, leaf in enumerate(leaves):
        # The last impl starting above the method is the one holding it, if any does.
        k = bisect.bisect_left(starts, leaf.start) - 1
        if leaf.kind in ("method", "function") and k >= 0 and leaf.end <= impls[k][0].end:
            found[j] = impls[k][1]
    return found


def impl_traits(lines: list[str], leaves: list[Symbol]) -> dict[int, str]:
    """The trait of each leaf that is a whole `impl Trait for Type` (named for its type), by
    the leaf's index, lowercased: `impl<'a> de::Deserialize<'a> for Value` -> `deserialize`."""
    found: dict[int, str] = {}
    for j, leaf in enumerate(leaves):
        if leaf.kind != "impl":
            continue
        trait = _impl_trait(lines, leaf)
        if trait:
            found[j] = trait.lower()
    return found


def _impl_trait(lines: list[str], impl: Symbol) -> str | None:
    header = "\n".join(lines[impl.start - 1 : impl.signature_end])
    at = RUST_IMPL.search(header)
    return _trait_of(header[at.end() :].replace("\n", " ")) if at is not None else None


def _trait_of(rest: str) -> str | None:
    """The trait's own name in what follows `impl`: past the impl's generic parameters, the
    path up to ` for ` (outside angle brackets); None for an inherent impl."""
    rest = _past_generics(rest.lstrip())
    depth = 0
    for i, ch in enumerate(rest):
        if ch == "<":
            depth += 1
        elif ch == ">" and rest[i - 1 : i] != "-":  # not the arrow of `Fn() -> T`
            depth -= 1
        elif depth == 0 and ch == "{":
            return None
        elif depth == 0 and rest.startswith(" for ", i):
            path = rest[:i].strip().lstrip("!?")
            name = re.split(r"[<(]", path, maxsplit=1)[0].rsplit("::", 1)[-1].strip()
            return name if name.isidentifier() else None
    return None


def _past_generics(text: str) -> str:
    """`text` after the balanced `<...>` it starts with, if it does."""
    if not text.startswith("<"):
        return text
    depth = 0
    for i, ch in enumerate(text):
        if ch == "<":
            depth += 1
        elif ch == ">" and text[i - 1 : i] != "-":
            depth -= 1
            if depth == 0:
                return text[i + 1 :]
    return ""
