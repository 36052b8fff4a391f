"""ctxtrim: task-ranked context packs for AI coding assistants, under a hard token budget.

from ctxtrim import Workspace, Task, render
ws = Workspace.open("path/to/repo")
pack = ws.pack(Task("fix the login redirect", focus=("src/auth.py:42",)), budget=16000)
print(render(pack, "markdown"))
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Config  # noqa: E402
from .errors import CtxtrimError  # noqa: E402
from .pack import Item, Pack  # noqa: E402
from .render import render  # noqa: E402
from .task import Task  # noqa: E402
from .workspace import Workspace  # noqa: E402

__all__ = ["Config", "CtxtrimError", "Item", "Pack", "Task", "Workspace", "render", "__version__"]
