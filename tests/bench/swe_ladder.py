"""Score ctxtrim on the shared SWE-bench split in-process, with a cost figure beside coverage.

    SWE_MIRRORS=/path/to/mirrors python tests/bench/swe_ladder.py [--limit 60 --seed 1]
        [--budgets 4000,8000,16000,32000,64000] [--out results/ladder.jsonl] [--shard K/N]

One workspace per task serves every budget (as the language server would), so a quick sample
runs in a fraction of the CLI harness's time. Scoring is the harness's own (`swe.score`).
Besides the harness's table it prints the cost figure: the median, over tasks, of the
smallest budget in the ladder at which every edited line is in the pack (a task never
covered counts as above the ladder).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ctxtrim.pack import Order

HERE = Path(__file__).resolve().parent
DEFAULT_EVAL = Path("/work/shared/eval")
LADDER = "4000,8000,16000,32000,64000"


def load_harness(eval_dir: Path) -> ModuleType:
    path = eval_dir / "swe.py"
    if not path.is_file():
        sys.exit(f"swe_ladder: no harness at {path} (use --eval-dir)")
    spec = importlib.util.spec_from_file_location("swe", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_task(swe: ModuleType, inst: dict, budgets: list[int], order: Order) -> list[dict]:
    from ctxtrim.render import render
    from ctxtrim.task import Task
    from ctxtrim.workspace import Workspace

    root = swe.tree(inst)
    t0 = time.time()
    ws = Workspace.open(root)
    rows = []
    for budget in budgets:
        t1 = time.time()
        pack = ws.pack(Task(inst["problem_statement"]), budget, fmt="json", order=order)
        data = json.loads(render(pack, "json"))
        row = swe.score(data, root, inst, budget)
        row.update(
            instance_id=inst["instance_id"],
            repo=inst["repo"],
            budget=budget,
            seconds=round(time.time() - t1, 3),
            items=[(i["path"], i["mode"], i.get("lines")) for i in data["items"]],
        )
        rows.append(row)
    rows[0]["open_seconds"] = round(time.time() - t0, 3)
    return rows


def cost(rows: list[dict], budgets: list[int]) -> str:
    """Median over tasks of the smallest budget with every edited line in the pack."""
    first: dict[str, float] = {}
    for r in rows:
        if r["edit_all"]:
            first[r["instance_id"]] = min(first.get(r["instance_id"], 1e18), r["budget"])
    tasks = {r["instance_id"] for r in rows}
    costs = sorted(first.get(t, float("inf")) for t in tasks)
    med = statistics.median_low(costs) if costs else float("inf")
    return f">{max(budgets)}" if med == float("inf") else str(int(med))


def report(rows: list[dict], budgets: list[int]) -> None:
    rows = list({(r["instance_id"], r["budget"]): r for r in rows}.values())
    print("| budget | n | budget_ok % | file_seen | edit coverage | edit_all % | false claims |")
    print("|---|---|---|---|---|---|---|")
    for b in budgets:
        rs = [r for r in rows if r["budget"] == b]
        if not rs:
            continue
        n = len(rs)
        ok = 100 * sum(r["budget_ok"] for r in rs) / n
        seen = statistics.mean(r["file_seen"] or 0 for r in rs)
        cov = statistics.mean(r["coverage"] for r in rs)
        ea = 100 * sum(r["edit_all"] for r in rs) / n
        fc = sum(r["false_claims"] for r in rs)
        print(f"| {b} | {n} | {ok:.1f} | {seen:.3f} | {cov:.3f} | {ea:.1f} | {fc} |")
    print(f"\nmedian budget with every edited line in: {cost(rows, budgets)} tokens")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--eval-dir", default=str(DEFAULT_EVAL))
    p.add_argument("--split", default="dev")
    p.add_argument("--budgets", default=LADDER)
    p.add_argument("--limit", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repos")
    p.add_argument("--order", default="first", choices=("first", "last"))
    p.add_argument("--out", help="one JSON row per task and budget (resumes a run)")
    p.add_argument("--shard", default="0/1", help="K/N: run every Nth task from the Kth")
    p.add_argument("--report", nargs="*", help="only print the table of these result files")
    a = p.parse_args()
    if not os.environ.get("SWE_MIRRORS"):
        sys.exit("swe_ladder: set SWE_MIRRORS to the folder holding owner+name/repo mirrors")
    budgets = [int(b) for b in a.budgets.split(",")]
    if a.report is not None:
        report([json.loads(line) for f in a.report for line in open(f)], budgets)
        return 0
    swe = load_harness(Path(a.eval_dir))
    rows: list[dict] = []
    if a.out and os.path.exists(a.out):  # resume: keep what an earlier run scored
        rows = [json.loads(line) for line in open(a.out)]
    done = {r["instance_id"] for r in rows}
    k, n = (int(x) for x in a.shard.split("/"))
    insts = swe.load(a.split, a.repos, a.limit, a.seed)[k::n]
    insts = [i for i in insts if i["instance_id"] not in done]
    out = open(a.out, "a") if a.out else None
    for done_n, inst in enumerate(insts, 1):
        got = run_task(swe, inst, budgets, a.order)
        rows += got
        if out:
            for r in got:
                out.write(json.dumps(r) + "\n")
            out.flush()
        print(f"[{done_n}/{len(insts)}] {inst['instance_id']}", file=sys.stderr)
    report(rows, budgets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
