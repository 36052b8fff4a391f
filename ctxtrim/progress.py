"""How long steps (scan, index, warm) report their progress to whoever shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Stage = Literal["scan", "index", "warm"]
# (stage, files done, files in all; 0 while the total is not known yet)
Progress = Callable[[Stage, int, int], None]
