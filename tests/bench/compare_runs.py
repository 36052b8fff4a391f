"""Compare two result files of swe.py or swe_inproc.py, budget by budget.

    python tests/bench/compare_runs.py A.jsonl B.jsonl

Prints edit_all % of A and B (over the tasks each holds), the tasks B gained and lost against
A among those both hold, and each file's budget_ok failures, false claims and failed calls.
A file that was appended to keeps its last row per (task, budget).
"""

from __future__ import annotations

import json
import sys
from typing import Any

Rows = dict[str, dict[str, Any]]  # instance id -> result row, for one budget


def load(path: str) -> dict[tuple[str, int], dict[str, Any]]:
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                rows[(row["instance_id"], row["budget"])] = row
    return rows


def share(rows: Rows) -> float:
    return 100 * sum(bool(r["edit_all"]) for r in rows.values()) / max(len(rows), 1)


def health(name: str, rows: Rows) -> str:
    over = sorted(i for i, r in rows.items() if not r["budget_ok"])
    false = sum(r.get("false_claims") or 0 for r in rows.values())
    failed = sorted(i for i, r in rows.items() if r.get("failed"))
    return (
        f"  {name}: budget_ok failures {len(over)} {' '.join(over)}; false claims {false};"
        f" failed calls {len(failed)} {' '.join(failed)}"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    a, b = load(argv[0]), load(argv[1])
    print(f"A = {argv[0]}\nB = {argv[1]}")
    for budget in sorted({k[1] for k in a} | {k[1] for k in b}):
        ra = {k[0]: r for k, r in a.items() if k[1] == budget}
        rb = {k[0]: r for k, r in b.items() if k[1] == budget}
        both = ra.keys() & rb.keys()
        gained = sorted(i for i in both if rb[i]["edit_all"] and not ra[i]["edit_all"])
        lost = sorted(i for i in both if ra[i]["edit_all"] and not rb[i]["edit_all"])
        print(
            f"\n## budget {budget}: edit_all A {share(ra):.1f} % (n={len(ra)})"
            f"  B {share(rb):.1f} % (n={len(rb)})  net {len(gained) - len(lost):+d}"
        )
        if ra.keys() != rb.keys():
            print(
                f"  only in A: {len(ra.keys() - rb.keys())}  only in B: {len(rb.keys() - ra.keys())}"
            )
        print(f"  gained ({len(gained)}): {' '.join(gained) or '-'}")
        print(f"  lost   ({len(lost)}): {' '.join(lost) or '-'}")
        print(health("A", ra))
        print(health("B", rb))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
