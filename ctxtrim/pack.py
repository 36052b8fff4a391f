"""The result of a pack request: what goes to the model, and what was left out."""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA = "ctxtrim.pack/1"
MODES = ("full", "slice", "summary", "outline", "listed")
ORDERS = ("first", "last")  # where the most relevant files go in the rendering


@dataclass
class Item:
    """One file (or rule section) in a pack. `lines` are the 1-based inclusive ranges of the
    file that appear verbatim in `text`; nothing else is claimed as verbatim."""

    kind: str  # "file" or "rule"
    path: str
    mode: str
    text: str
    score: float
    reasons: list[str] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)
    tokens: int = 0  # tokens of `text` alone
    section: str | None = None  # rule items: the heading path, joined with " > "
    language: str | None = None
    redactions: int = 0


@dataclass
class Omitted:
    path: str
    score: float
    reasons: list[str]
    why: str


@dataclass
class Pack:
    root: str
    task: str
    budget: int
    encoding: str
    items: list[Item] = field(default_factory=list)
    tokens: int = 0  # of the rendered pack
    files_total: int = 0
    repo_tokens_estimate: int = 0  # rough size of the whole repository in tokens
    omitted_files: int = 0
    omitted_tokens: int = 0
    best_omitted: list[Omitted] = field(default_factory=list)
    dropped_rules: list[Omitted] = field(default_factory=list)
    redactions: dict[str, int] = field(default_factory=dict)
    format: str = "markdown"
    explain: bool = False
    with_task: bool = False  # render the whole task text, not just its first line
    order: str = "first"  # "last": files from least to most relevant, the listed ones first

    @property
    def files_shown(self) -> int:
        return sum(1 for i in self.items if i.kind == "file" and i.mode != "listed")
