"""AI rule files as context: discover and parse them, pick the sections a task needs, lint them.

Front doors (`ctxtrim rules`, the MCP `rules` tool, the language server) ask the workspace,
which brings the files a pack for the task would show, the focus files and the files the task
names into play:

    selection = Workspace.open(root).rule_selection(Task("fix the login redirect"), 2000)

Below it, for a known set of files in play:

    rules = discover(root, files)
    selection = select_sections(rules, task, ["src/auth.py"], 2000, tokenizer, focus=["src/auth.py"])
"""

from __future__ import annotations

from .discover import applies_to, discover
from .model import TOOLS, Reference, RuleFile, RuleSection
from .packing import pack_sections
from .select import Reach, Scored, Selection, select_sections

__all__ = [
    "TOOLS",
    "Reference",
    "Reach",
    "RuleFile",
    "RuleSection",
    "Scored",
    "Selection",
    "applies_to",
    "discover",
    "pack_sections",
    "select_sections",
]
