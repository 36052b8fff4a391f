"""Run the shared SWE-bench harness (../shared/eval) with ctxtrim and print its table.

    SWE_MIRRORS=/path/to/mirrors python tests/bench/swe_eval.py [--limit N] [--budgets 8000,16000,32000]

It scores ctxtrim and the BM25 baseline on the same tasks and prints the harness's Markdown
report side by side. Results go to results/ (resumable: rerun to continue).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--eval-dir", default=str(REPO.parent / "shared" / "eval"))
    p.add_argument("--split", default="dev")
    p.add_argument("--budgets", default="8000,16000,32000")
    p.add_argument("--limit", type=int, help="stratified sample of N tasks")
    p.add_argument("--repos", help="e.g. pytest,sphinx")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", default=str(REPO / "results"))
    p.add_argument("--name", default="ctxtrim")
    p.add_argument("--fresh", action="store_true", help="discard earlier ctxtrim results")
    p.add_argument("--baseline", default="bm25", choices=("bm25", "bm25src", "none"))
    a = p.parse_args()

    harness = Path(a.eval_dir) / "swe.py"
    if not harness.is_file():
        sys.exit(f"swe_eval: no harness at {harness} (use --eval-dir)")
    if not os.environ.get("SWE_MIRRORS"):
        sys.exit("swe_eval: set SWE_MIRRORS to the folder holding owner+name/repo mirrors")
    ctxtrim = shutil.which("ctxtrim")
    if ctxtrim is None:
        sys.exit("swe_eval: install ctxtrim first (pip install -e .)")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    sample = (
        ["--split", a.split]
        + (["--limit", str(a.limit)] if a.limit else [])
        + (["--repos", a.repos] if a.repos else [])
    )
    mine = out / f"{a.name}_{a.split}.jsonl"
    if a.fresh and mine.exists():
        mine.unlink()
    cmd = f"{ctxtrim} pack {{tree}} --task-file {{task_file}} --budget {{budget}} --format json"
    runs = [
        [
            "run",
            "--tool",
            "cmd",
            "--name",
            a.name,
            "--cmd",
            cmd,
            "--budgets",
            a.budgets,
            "--workers",
            str(a.workers),
            "--out",
            str(mine),
            *sample,
        ]
    ]
    files = [mine]
    if a.baseline != "none":
        base = out / f"{a.baseline}_{a.split}.jsonl"
        runs.append(
            ["run", "--tool", a.baseline, "--budgets", a.budgets, "--out", str(base), *sample]
        )
        files.append(base)
    # One index cache for the run, as a user would have: the budgets of a task share it.
    env = {
        **os.environ,
        "CTXTRIM_CACHE_DIR": os.environ.get("CTXTRIM_CACHE_DIR", str(out / "cache")),
    }
    for args in runs:
        subprocess.run([sys.executable, str(harness), *args], check=True, env=env)
    subprocess.run([sys.executable, str(harness), "report", *map(str, files)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
