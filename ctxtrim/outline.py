"""What ctxtrim knows about the structure of one file: its definitions and imports."""

from __future__ import annotations

from dataclasses import dataclass, field

# The kind of a data member of a constant or an interface (`em: /.../` in `const inline = {`,
# a table row `['table', ...]`, a TypeScript interface's `coerce: {...}`): a slice unit of its
# own, but too many and too small for the summary and outline views, which name their owner.
FIELD_KIND = "field"


@dataclass(frozen=True, slots=True)
class Symbol:
    """One definition in a file. Lines are 1-based and inclusive, numbered by splitting on '\\n'."""

    name: str
    kind: str  # class, function, method, struct, interface, enum, trait, impl, module, type, heading, ...
    start: int  # first line, decorators and attached doc comments included
    end: int  # last line of the body
    signature_end: int  # last line of the header: `def f(\n  a,\n):` spans start..signature_end
    parent: str | None = None  # enclosing definition's name (the class of a method)
    doc: str | None = None  # first paragraph of the docstring or leading comment, if any
    # The trait a Rust `impl Trait for Type` (named for its type) implements, as its own name
    # (`Visitor`), also on the methods inside it; None for anything else.
    trait: str | None = None

    @property
    def qualname(self) -> str:
        return f"{self.parent}.{self.name}" if self.parent else self.name


@dataclass(slots=True)
class Outline:
    """The outline of one file; `error` says why a fallback was used, if one was."""

    language: str
    symbols: list[Symbol] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)  # imported modules / paths, as written
    refs: list[str] = field(
        default_factory=list
    )  # identifiers used but not defined here, sorted, unique
    error: str | None = None
