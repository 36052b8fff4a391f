"""AI rule files as context: discover and parse them, pick the sections a task needs, lint them.

from ctxtrim.rules import discover, select_sections
rules = discover(root, files)
selection = select_sections(rules, "fix the login redirect", ["src/auth.py"], 2000, tokenizer)
"""

from __future__ import annotations

from .discover import applies_to, discover
from .model import TOOLS, Reference, RuleFile, RuleSection
from .packing import pack_sections
from .select import Scored, Selection, select_sections

__all__ = [
    "TOOLS",
    "Reference",
    "RuleFile",
    "RuleSection",
    "Scored",
    "Selection",
    "applies_to",
    "discover",
    "pack_sections",
    "select_sections",
]
