"""Where each assistant looks for rule files, and which convention a path follows."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

# Rule files named the same in any directory; a nested one applies to its own subtree.
NESTED_NAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "CLAUDE.md": ("claude-md", ("claude",)),
    "CLAUDE.local.md": ("claude-local", ("claude",)),
    "AGENTS.md": ("agents-md", ("codex", "cursor", "copilot")),
    "GEMINI.md": ("gemini-md", ("gemini",)),
}

# Single files at the repository root.
ROOT_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    ".claude/CLAUDE.md": ("claude-md", ("claude",)),
    ".cursorrules": ("cursorrules", ("cursor",)),
    ".github/copilot-instructions.md": ("copilot", ("copilot",)),
    ".windsurfrules": ("windsurfrules", ("windsurf",)),
    ".clinerules": ("clinerules", ("cline",)),
    "CONVENTIONS.md": ("conventions", ("aider",)),
    ".junie/guidelines.md": ("junie", ("junie",)),
    ".rules": ("zed-rules", ("zed",)),
    ".roorules": ("roo-rule", ("roo",)),
}

# Folders of rule files; `scope` is the directory holding the tool folder (nested allowed).
_FOLDERS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"^(?:(.*)/)?\.claude/rules/.+\.md$"), "claude-rule", ("claude",)),
    (re.compile(r"^(?:(.*)/)?\.cursor/rules/.+\.mdc?$"), "cursor-mdc", ("cursor",)),
    (
        re.compile(r"^()\.github/instructions/.+\.instructions\.md$"),
        "copilot-instructions",
        ("copilot",),
    ),
    (re.compile(r"^(?:(.*)/)?\.windsurf/rules/.+\.md$"), "windsurf-rule", ("windsurf",)),
    (re.compile(r"^()\.clinerules/.+\.(?:md|txt)$"), "cline-rule", ("cline",)),
    (re.compile(r"^(?:(.*)/)?\.continue/rules/.+\.md$"), "continue-rule", ("continue",)),
    (re.compile(r"^()\.roo/rules(?:-[\w-]+)?/.+\.(?:md|txt)$"), "roo-rule", ("roo",)),
    (re.compile(r"^()\.roorules-[\w-]+$"), "roo-rule", ("roo",)),
)

# Folders to look for on disk too, since they are often gitignored (personal rules).
DISK_FOLDERS = (
    ".claude/rules",
    ".cursor/rules",
    ".github/instructions",
    ".windsurf/rules",
    ".clinerules",
    ".continue/rules",
    ".roo",
)

# Kinds whose files carry activation frontmatter.
FRONTMATTER_KINDS = frozenset(
    {
        "claude-rule",
        "cursor-mdc",
        "copilot-instructions",
        "windsurf-rule",
        "cline-rule",
        "continue-rule",
    }
)
# Kinds whose `@path` lines import other files.
IMPORT_KINDS = frozenset({"claude-md", "claude-local", "claude-rule", "gemini-md"})

# Zed reads the first of these that exists at the root, and only that one.
ZED_ORDER = (
    ".rules",
    ".cursorrules",
    ".windsurfrules",
    ".clinerules",
    ".github/copilot-instructions.md",
    "AGENT.md",
    "AGENTS.md",
    "CLAUDE.md",
    "GEMINI.md",
)


@dataclass(frozen=True, slots=True)
class Convention:
    """How one path is read: its kind, the tools that load it, the directory it governs."""

    kind: str
    tools: tuple[str, ...]
    scope: str


def classify(path: str) -> Convention | None:
    """The convention `path` (repo-relative, posix) follows, or None if it is no rule file."""
    if path in ROOT_FILES:
        kind, tools = ROOT_FILES[path]
        return Convention(kind, tools, "")
    directory, name = posixpath.split(path)
    if name in NESTED_NAMES and not directory.endswith(".claude") and "/.claude/" not in path:
        kind, tools = NESTED_NAMES[name]
        return Convention(kind, tools, directory)
    for pattern, kind, tools in _FOLDERS:
        match = pattern.match(path)
        if match:
            return Convention(kind, tools, match.group(1) or "")
    return None
