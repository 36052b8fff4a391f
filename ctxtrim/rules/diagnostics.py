"""What `ctxtrim check` reports, and the inline comments that silence it.

<!-- ctxtrim: disable=dead-path -->          the next line (a heading: its whole section)
some text `old/path.py` <!-- ctxtrim: disable=CTX101 -->     this line
<!-- ctxtrim: disable-file=CTX201,section-size -->           the whole file
<!-- ctxtrim: disable-file -->                               everything in the file
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .model import RuleFile

Severity = Literal["error", "warning"]

# code -> (name, what it means)
CODES: dict[str, tuple[str, str]] = {
    "CTX001": ("invalid-frontmatter", "frontmatter the assistant cannot read"),
    "CTX002": ("missing-description", "a rule applied on request has no description to decide by"),
    "CTX101": ("dead-path", "a referenced path does not exist"),
    "CTX102": ("dead-import", "an @import names a file that does not exist"),
    "CTX103": ("dead-glob", "a glob matches no file"),
    "CTX104": ("broad-glob", "a glob so broad the rule is always on"),
    "CTX201": ("file-tokens", "an always-on rule file is large"),
    "CTX202": ("tool-tokens", "a tool loads many always-on tokens in total"),
    "CTX203": ("section-size", "one section is large"),
    "CTX301": ("windsurf-limit", "Windsurf truncates rule files over its character limit"),
    "CTX302": ("codex-limit", "Codex stops reading the AGENTS.md chain at 32 KiB"),
    "CTX303": ("claude-size", "Claude Code warns about CLAUDE.md over 40,000 characters"),
    "CTX304": ("copilot-review-limit", "Copilot code review reads only 4,000 characters"),
    "CTX305": ("cursor-lines", "Cursor advises rules under 500 lines"),
    "CTX401": ("duplicate-section", "the same section appears twice"),
    "CTX501": ("secret", "a secret in a rule file"),
    # MCP server configs (ctxtrim/toolcost/findings.py)
    "CTX601": ("mcp-config-invalid", "an MCP config its client cannot read"),
    "CTX602": ("mcp-secret", "a credential written into an MCP config"),
    "CTX603": ("mcp-server-conflict", "one server name started differently in two configs"),
    "CTX604": ("mcp-tool-limit", "a client loads more tools than it works with"),
    "CTX605": ("mcp-tool-tokens", "tool definitions cost many tokens per request"),
}
NAMES = {name: code for code, (name, _) in CODES.items()}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding, located at `path:line:col` (1-based)."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    hint: str

    @property
    def name(self) -> str:
        return CODES[self.code][0]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "name": self.name}

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


def code_of(word: str) -> str | None:
    """`CTX101` or `dead-path` -> `CTX101`; None for an unknown word."""
    word = word.strip()
    if word.upper() in CODES:
        return word.upper()
    return NAMES.get(word.lower())


_DIRECTIVE = re.compile(r"<!--\s*ctxtrim:\s*(disable-file|disable)\s*(?:=\s*([\w\s,-]*?))?\s*-->")


class Suppressions:
    """The `ctxtrim: disable` comments of one file."""

    def __init__(self, rule: RuleFile) -> None:
        self.file_codes: set[str] | None = set()  # None: everything is disabled
        self.ranges: list[tuple[int, int, set[str] | None]] = []
        lines = rule.text.split("\n")
        for index, line in enumerate(lines):
            for match in _DIRECTIVE.finditer(line):
                codes = _codes(match.group(2))
                if match.group(1) == "disable-file":
                    self._disable_file(codes)
                else:
                    self.ranges.append(self._range(rule, lines, index, match, codes))

    def _disable_file(self, codes: set[str] | None) -> None:
        if codes is None or self.file_codes is None:
            self.file_codes = None
        else:
            self.file_codes |= codes

    @staticmethod
    def _range(
        rule: RuleFile, lines: list[str], index: int, match: re.Match[str], codes: set[str] | None
    ) -> tuple[int, int, set[str] | None]:
        rest = (lines[index][: match.start()] + lines[index][match.end() :]).strip()
        if rest:  # a trailing comment: this line
            return index + 1, index + 1, codes
        target = next((n for n in range(index + 1, len(lines)) if lines[n].strip()), index)
        number = target + 1
        section = next((s for s in rule.sections if s.start == number and s.heading_path), None)
        return number, (section.end if section else number), codes

    def silences(self, diagnostic: Diagnostic) -> bool:
        if self.file_codes is None or diagnostic.code in self.file_codes:
            return True
        return any(
            start <= diagnostic.line <= end and (codes is None or diagnostic.code in codes)
            for start, end, codes in self.ranges
        )


def _codes(text: str | None) -> set[str] | None:
    if not text or not text.strip():
        return None
    return {code for code in (code_of(word) for word in text.split(",")) if code}
