"""The shared SWE-bench harness (../shared/eval/swe.py), with ctxtrim called in-process.

    SWE_MIRRORS=/path/to/mirrors python tests/bench/swe_inproc.py --split devmulti \
        [--tool ctxtrim|bm25|bm25src] [--limit N --seed S] [--data FILE] [--out FILE]

Same tasks, trees and scoring as `swe.py run` (it imports them), but one process opens each tree
once with `Workspace.open` and packs every budget from it, with the persistent cache of the run:
no process start or import per budget. Rows are written in swe.py's format, so `swe.py report`
and `--by-language` below read them. `--data FILE` scores a JSONL of tasks in the shared format
that is not in the harness's folder (e.g. tests/bench/data/gitlog_go.jsonl).
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BUDGETS = "8000,16000,32000"


def harness(eval_dir: str):
    spec = importlib.util.spec_from_file_location("swe", Path(eval_dir) / "swe.py")
    if spec is None or spec.loader is None:
        sys.exit(f"swe_inproc: no harness at {eval_dir}/swe.py (use --eval-dir)")
    swe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(swe)
    return swe


def ctxtrim_packs(root: str, text: str, budgets: list[int]) -> list[dict]:
    from ctxtrim.config import Config
    from ctxtrim.render import render
    from ctxtrim.task import Task
    from ctxtrim.workspace import Workspace

    ws = Workspace.open(Path(root), Config.load(Path(root)))
    return [json.loads(render(ws.pack(Task(text), b, "json"), "json")) for b in budgets]


def run(a: argparse.Namespace, swe) -> None:
    budgets = [int(b) for b in a.budgets.split(",")]
    if a.data:
        swe.DATA[a.split] = a.data
    done = set()
    if os.path.exists(a.out):
        for line in open(a.out):
            r = json.loads(line)
            done.add((r["instance_id"], r["budget"]))
    todo = [
        i
        for i in swe.load(a.split, a.repos, a.limit, a.seed)
        if not all((i["instance_id"], b) in done for b in budgets)
    ]
    print(f"{len(todo)} instances to run", file=sys.stderr)
    bm25 = swe.BM25()
    t_start = time.time()
    with open(a.out, "a") as out:
        for k, inst in enumerate(todo, 1):
            root = swe.tree(inst)
            base = {
                "instance_id": inst["instance_id"],
                "repo": inst["repo"],
                "language": inst.get("language", "python"),
                "split": a.split,
                "tool": a.name or a.tool,
            }
            t0 = time.time()
            err = None
            if a.tool == "ctxtrim":
                try:
                    packs = ctxtrim_packs(root, inst["problem_statement"], budgets)
                except Exception as exc:  # scored as an empty pack, like a failed call
                    packs, err = [{}] * len(budgets), f"{type(exc).__name__}: {exc}"
            else:
                ranked = bm25.rank(root, inst["problem_statement"], a.tool == "bm25src")
                packs = [swe.bm25_pack(root, ranked, b) for b in budgets]
            secs = (time.time() - t0) / len(budgets)
            for b, pack in zip(budgets, packs):
                row = {**base, "budget": b, "seconds": round(secs, 3), "failed": err is not None}
                out.write(
                    json.dumps({**row, "error": err, **swe.score(pack, root, inst, b)}) + "\n"
                )
            out.flush()
            print(
                f"[{k}/{len(todo)} {time.time() - t_start:.0f}s] {inst['instance_id']}",
                file=sys.stderr,
            )


LANG = {"javascript": "js/ts", "typescript": "js/ts", "js": "js/ts", "ts": "js/ts", "rs": "rust"}


def by_language(files: list[str]) -> None:
    """edit_all and gold file seen per language, task set, tool and budget (Markdown); a
    language with tasks from several sets also gets a row for all of them."""
    rows = [json.loads(line) for f in files for line in open(f)]
    groups: dict = collections.defaultdict(list)
    for r in rows:
        lang = LANG.get(r.get("language", "python").lower(), r.get("language", "python").lower())
        groups[(lang, r["split"], r["tool"], r["budget"])].append(r)
        groups[(lang, "all", r["tool"], r["budget"])].append(r)
    budgets = sorted({k[3] for k in groups})
    head = " / ".join(f"{b // 1000}k" for b in budgets)
    print(f"| language | tasks | tool | n | edit_all % {head} | gold file seen % {head} |", end="")
    print(" over budget | false claims | failed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for lang, split, tool in sorted({k[:3] for k in groups}):
        splits = {k[1] for k in groups if k[0] == lang} - {"all"}
        if split == "all" and len(splits) == 1:
            continue
        rs = [groups.get((lang, split, tool, b), []) for b in budgets]
        ea = " / ".join(f"{100 * sum(r['edit_all'] for r in g) / max(len(g), 1):.1f}" for g in rs)
        fs = " / ".join(
            f"{100 * sum(r['file_seen'] or 0 for r in g) / max(len(g), 1):.0f}" for g in rs
        )
        over = sum(not r["budget_ok"] for g in rs for r in g)
        false = sum(r["false_claims"] for g in rs for r in g)
        failed = sum(r["failed"] for g in rs for r in g)
        print(
            f"| {lang} | {split} | {tool} | {len(rs[0])} | {ea} | {fs} | {over} | {false}"
            f" | {failed} |"
        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--eval-dir", default=str(REPO.parent.parent / "shared" / "eval"))
    p.add_argument("--split", default="devmulti")
    p.add_argument("--data", help="a JSONL of tasks in the shared format (names the split)")
    p.add_argument("--tool", default="ctxtrim", choices=("ctxtrim", "bm25", "bm25src"))
    p.add_argument("--name", help="tool label in the results (default: --tool)")
    p.add_argument("--budgets", default=BUDGETS)
    p.add_argument("--limit", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repos")
    p.add_argument("--out", help="results JSONL (appends and resumes)")
    p.add_argument("--by-language", nargs="+", metavar="RESULTS", help="only print the table")
    a = p.parse_args()
    if a.by_language:
        by_language(a.by_language)
        return 0
    if not os.environ.get("SWE_MIRRORS"):
        sys.exit("swe_inproc: set SWE_MIRRORS to the folder holding owner+name/repo mirrors")
    swe = harness(a.eval_dir)
    a.out = a.out or str(REPO / "results" / f"{a.name or a.tool}_{a.split}.jsonl")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    run(a, swe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
