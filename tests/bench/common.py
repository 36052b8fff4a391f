"""What the latency benchmarks share: percentiles, a process's memory, real issue texts."""

from __future__ import annotations

import json
from pathlib import Path

# Real GitHub issues (SWE-bench dev split, eight Python projects, none of them held out). A
# latency benchmark needs tasks of real length and shape; which repository they were written
# for does not matter to the time a pack takes.
ISSUES = Path("/work/shared/eval/swebench_dev.jsonl")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def proc_status(pid: int) -> dict[str, str]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in lines if ":" in line)


def issue_texts(n: int, path: Path = ISSUES) -> list[str]:
    """The problem statements of the first `n` issues by instance id: deterministic."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    rows.sort(key=lambda r: r["instance_id"])
    return [r["problem_statement"] for r in rows[:n]]
