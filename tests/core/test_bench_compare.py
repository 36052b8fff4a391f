"""`bench.py --compare`: which figures of a run regressed against a committed baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..support import ROOT, load_script

BENCH = ROOT / "tests" / "bench" / "bench.py"
bench = load_script("ctxtrim_bench", BENCH)


def run(wall: float, cpu: float, rss_kb: int = 100_000, ok: bool = True) -> dict:
    return {"wall": wall, "cpu": cpu, "rss_kb": rss_kb, "tree_rss_kb": rss_kb, "ok": ok}


def test_only_figures_more_than_20_percent_worse_are_reported() -> None:
    baseline = bench.medians({"warm": [run(1.0, 0.5), run(1.2, 0.6), run(9.0, 0.4)]})
    assert baseline["warm"]["wall"] == 1.2 and baseline["warm"]["cpu"] == 0.5  # medians
    current = bench.medians(
        {
            "warm": [run(1.43, 0.59, 130_000)],
            "cold": [run(5.0, 5.0)],
            "failed": [run(1, 1, ok=False)],
        }
    )
    # wall +19 % and CPU +18 % stay under the line; RSS +30 % does not; other rows are ignored
    assert bench.compare(current, baseline) == [
        "warm RSS: 130000.00 vs 100000.00 (+30%)",
        "warm tree RSS: 130000.00 vs 100000.00 (+30%)",
    ]
    worse = bench.compare(bench.medians({"warm": [run(1.5, 0.5)]}), baseline)
    assert worse == ["warm wall s: 1.50 vs 1.20 (+25%)"]


def test_the_committed_baseline_loads() -> None:
    baseline = bench.load_baseline(BENCH.parent / "baseline-django.json")
    assert {"cold", "warm", "change", "repomix"} <= set(baseline)
    assert all(figures["cpu"] > 0 for figures in baseline.values())


def test_a_file_that_is_no_baseline_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps({"tree": "x"}))
    with pytest.raises(SystemExit, match=r"b\.json: not a baseline written by --json \('runs'\)"):
        bench.load_baseline(bad)
