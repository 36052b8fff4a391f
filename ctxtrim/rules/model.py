"""The one data model for every assistant's rule files: files, their sections, their references."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Activation = Literal["always", "glob", "request", "manual"]

# Tool ids in display order, with the name a person knows them by.
TOOLS: dict[str, str] = {
    "claude": "Claude Code",
    "codex": "Codex (AGENTS.md)",
    "cursor": "Cursor",
    "copilot": "GitHub Copilot",
    "windsurf": "Windsurf",
    "cline": "Cline",
    "gemini": "Gemini CLI",
    "aider": "Aider (CONVENTIONS.md)",
    "continue": "Continue",
    "roo": "Roo Code",
    "junie": "Junie",
    "zed": "Zed (.rules)",
}


@dataclass(frozen=True, slots=True)
class Reference:
    """A path written in a rule file (`@import`, backticked or linked path), where it was written."""

    target: str  # as written, e.g. "docs/style.md" or "./scripts/dev.sh"
    line: int  # 1-based
    col: int  # 1-based
    resolved: str | None = None  # repo-relative posix path if it exists, else None


TRIM_GAP = "[…]"  # stands for the lines a trimmed section leaves out


@dataclass(slots=True)
class RuleSection:
    """A heading and its body (or the preamble before the first heading).

    Lines are 1-based and inclusive, numbered by splitting the file on '\\n'.
    """

    file: str
    heading_path: tuple[str, ...]  # ("Testing", "Unit tests"); () for the preamble
    start: int
    end: int
    text: str
    tokens: int
    keep: bool  # the section carries `<!-- ctxtrim:keep -->`
    # A trimmed section shows only these file line ranges (`text` joins them with a gap
    # line, TRIM_GAP, between); empty when `text` is the whole of start..end.
    parts: tuple[tuple[int, int], ...] = ()

    @property
    def title(self) -> str:
        return " › ".join(self.heading_path) if self.heading_path else "(preamble)"


@dataclass(slots=True)
class RuleFile:
    """One rule file as the assistants that load it see it."""

    path: str  # repo-relative posix path
    tools: tuple[str, ...]  # tool ids (keys of TOOLS) that load this file
    scope: str  # the directory it applies to, '' = the whole repository
    activation: Activation
    globs: tuple[str, ...]  # for `glob` activation, relative to `scope`
    description: str | None
    frontmatter: dict[str, Any]
    frontmatter_error: str | None
    sections: list[RuleSection]
    chars: int
    tokens: int
    kind: str = ""  # which convention it follows, e.g. "cursor-mdc", "agents-md"
    text: str = ""
    frontmatter_line: int = 1  # line of the frontmatter problem, if any
    body_start: int = 1  # first line after the frontmatter
    imports: tuple[Reference, ...] = ()  # `@path` imports written in this file
    imported_by: str | None = None  # the file whose `@import` brought this one in
    shadowed_by: tuple[str, ...] = ()  # nested scopes whose own nearer file wins over this one
    symlink_of: str | None = None  # repo-relative target when the file is a symlink in the repo
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def always_on(self) -> bool:
        """Loaded into every conversation of its tools, whatever files are touched."""
        return self.activation == "always" and self.scope == ""
