"""Where a pack's time goes: each phase's duration with the files and tokens it handled.

`Workspace.pack` fills one `Timings` per pack (attached to the Pack) and records it in the
workspace's `PhaseStats`, so every front door (CLI `--explain`, the language server's log
and `ctxtrim/status`, the MCP server) reports the same breakdown without timing anything
itself. A service that slows down without failing shows up here first, by phase.

The phases, in order:

* refresh: bring the index up to date since the previous pack (edits, deletions, files
  changed on disk) and the derived state (rule files); files = files re-indexed;
* rank: score the index against the task; files = files with a score;
* prepare: outline, secrets, per-line token counts of files not prepared before; files =
  files prepared, tokens = their tokens;
* fit: choose each candidate's view under the budget; files = files chosen, tokens = theirs;
* render: render and count the pack until it fits; files = items, tokens = the pack's.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

PHASES = ("refresh", "rank", "prepare", "fit", "render")
SAMPLES_KEPT = 4096  # per phase: percentiles over the most recent packs, in bounded memory


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    files: int = 0
    tokens: int = 0


class Timings:
    """One pack's phases. A phase measured inside another (prepare inside fit) is not
    counted twice: the outer phase gets only its own time."""

    def __init__(self) -> None:
        self.phases = {name: Phase(name) for name in PHASES}
        self._open: list[float] = []  # per open phase: time taken by phases nested in it

    @contextmanager
    def phase(self, name: str) -> Iterator[Phase]:
        """Time a block as phase `name`; the caller sets the counts on what it yields."""
        started = time.perf_counter()
        self._open.append(0.0)
        try:
            yield self.phases[name]
        finally:
            nested = self._open.pop()
            elapsed = time.perf_counter() - started
            self.phases[name].seconds += elapsed - nested
            if self._open:
                self._open[-1] += elapsed

    def add(self, name: str, seconds: float, files: int = 0, tokens: int = 0) -> None:
        """Count work of phase `name` measured elsewhere (during another phase)."""
        phase = self.phases[name]
        phase.seconds += seconds
        phase.files += files
        phase.tokens += tokens
        if self._open:
            self._open[-1] += seconds

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.phases.values())

    def describe(self) -> str:
        """One line: each phase's time, files and tokens."""
        parts = []
        for p in self.phases.values():
            counts = f"{p.files:,} files" + (f", {p.tokens:,} tokens" if p.tokens else "")
            parts.append(f"{p.name} {p.seconds * 1000:.1f} ms ({counts})")
        return " · ".join(parts) + f" · total {self.seconds * 1000:.1f} ms"

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {
            p.name: {"ms": round(p.seconds * 1000, 2), "files": p.files, "tokens": p.tokens}
            for p in self.phases.values()
        }


class PhaseStats:
    """Every pack's phase times since the start (the most recent SAMPLES_KEPT of them), for
    percentiles. Thread-safe: a status request may read while a pack records."""

    def __init__(self) -> None:
        self.packs = 0
        self._samples: dict[str, deque[float]] = {
            name: deque(maxlen=SAMPLES_KEPT) for name in PHASES
        }
        self._lock = threading.Lock()

    def record(self, timings: Timings) -> None:
        with self._lock:
            self.packs += 1
            for name, phase in timings.phases.items():
                self._samples[name].append(phase.seconds)

    def summary(self) -> dict[str, dict[str, float]]:
        """Phase -> p50 and p95 in milliseconds (empty before the first pack)."""
        with self._lock:
            if not self.packs:
                return {}
            return {
                name: {
                    "p50_ms": round(_percentile(list(values), 50) * 1000, 2),
                    "p95_ms": round(_percentile(list(values), 95) * 1000, 2),
                    "packs": len(values),
                }
                for name, values in self._samples.items()
            }


def _percentile(values: list[float], pct: float) -> float:
    """The percentile by linear interpolation between the closest ranks (the median for 50)."""
    ordered = sorted(values)
    at = pct / 100 * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)
