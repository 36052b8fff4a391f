"""The result of a pack request: what goes to the model, and what was left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from .timing import Timings

SCHEMA = "ctxtrim.pack/1"

# How much of a file an item shows, most to least: the whole file; its most relevant
# definitions verbatim (with the file's head); a summary; the outline of its definitions;
# its path alone.
Mode = Literal["full", "slice", "summary", "outline", "listed"]
MODES: tuple[Mode, ...] = get_args(Mode)
# What an item is: a repository file, or a section of an AI rule file.
ItemKind = Literal["file", "rule"]
# Where the most relevant files go in the rendering: first, or last (nearest the question).
Order = Literal["first", "last"]
ORDERS: tuple[Order, ...] = get_args(Order)


@dataclass
class Item:
    """One file (or rule section) in a pack."""

    kind: ItemKind
    path: str  # relative to the pack's root, '/'-separated
    mode: Mode  # rule sections are always "full"
    text: str  # what the model sees of it (secrets already redacted)
    score: float  # relevance to the task, 0..1 (the best file or rule section scores 1)
    reasons: list[str] = field(default_factory=list)  # why it is in, strongest first
    # The 1-based inclusive line ranges of the file that appear verbatim in `text`; nothing
    # else is claimed as verbatim (elisions, outlines and summaries are not).
    lines: list[tuple[int, int]] = field(default_factory=list)
    tokens: int = 0  # tokens of `text` alone
    section: str | None = None  # rule items: the heading path, joined with " > "
    language: str | None = None  # the file's language (for the code fence), if known
    redactions: int = 0  # secrets replaced in `text`


@dataclass
class Omitted:
    """A file or rule section that was a candidate and is not in the pack."""

    path: str  # relative to the pack's root (rule sections: the rule file's)
    score: float  # its relevance, on the same scale as `Item.score`
    reasons: list[str]  # the evidence it had, strongest first
    why: str  # why it is out: "did not fit the budget", or the rule selector's reason


@dataclass
class Pack:
    """What a pack request returns; `render` turns it into the requested format."""

    root: str  # the repository root, absolute
    task: str  # the task text as given
    budget: int  # the token budget the rendered pack keeps under
    encoding: str  # the tiktoken encoding that counts every token here
    items: list[Item] = field(default_factory=list)  # rule sections first, then files
    tokens: int = 0  # of the rendered pack, in `format`
    files_total: int = 0  # files in the index
    repo_tokens_estimate: int = 0  # rough size of the whole repository in tokens (bytes / 4)
    omitted_files: int = 0  # indexed files not in `items`
    omitted_tokens: int = 0  # rough tokens of those files (bytes / 4)
    best_omitted: list[Omitted] = field(default_factory=list)  # with --explain: the best left out
    dropped_rules: list[Omitted] = field(default_factory=list)  # rule sections left out
    redactions: dict[str, int] = field(default_factory=dict)  # secret kind -> count redacted
    format: str = "markdown"  # the format `tokens` was counted in
    explain: bool = False  # render the reasons for each item and the best left out
    with_task: bool = False  # render the whole task text, not just its first line
    # Where the pack's time went (never rendered: a pack's text depends only on its inputs).
    timings: Timings | None = field(default=None, repr=False, compare=False)
    order: Order = "first"  # "last": files from least to most relevant, the listed ones first

    @property
    def files_shown(self) -> int:
        return sum(1 for i in self.items if i.kind == "file" and i.mode != "listed")
