"""Secret detection quality and speed.

Prints precision, recall and false-positive rate per kind on the labelled corpus
(``tests/data/secrets/corpus.jsonl``) and redaction throughput in MB/s on ordinary source code
(Python files of a local mirror when present, else the corpus negatives repeated).

    python tests/bench/secrets_bench.py [--mirror /work/.mirror/ansible+ansible/repo] [--files 400]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ctxtrim.redact import redact  # noqa: E402
from ctxtrim.secrets import KINDS, Finding, find_secrets  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "secrets" / "corpus.jsonl"


def load_corpus() -> list[dict]:
    with open(CORPUS, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def detected(record: dict, findings: list[Finding]) -> bool:
    """True if a finding of the expected kind covers the start of the labelled secret."""
    at = record["text"].index(record["secret"])
    return any(f.kind == record["kind"] and f.start <= at < f.end for f in findings)


def quality(records: list[dict]) -> None:
    true_pos: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    positives: Counter[str] = Counter()
    fp_records: Counter[str] = Counter()
    negatives = 0
    for record in records:
        findings = find_secrets(record["text"])
        kinds = {f.kind for f in findings}
        predicted.update(kinds)
        if record["kind"] is None:
            negatives += 1
            fp_records.update(kinds)
            if findings:
                print(f"  FP {sorted(kinds)}: {record['text'][:90]!r}")
        else:
            positives[record["kind"]] += 1
            if detected(record, findings):
                true_pos[record["kind"]] += 1
            else:
                print(f"  FN {record['kind']}: {record['text'][:90]!r}")
    print(f"\n{'kind':20} {'pos':>4} {'recall':>7} {'precision':>9} {'FP rate':>8}")
    for kind in KINDS:
        recall = true_pos[kind] / positives[kind] if positives[kind] else float("nan")
        precision = true_pos[kind] / predicted[kind] if predicted[kind] else float("nan")
        fp_rate = fp_records[kind] / negatives if negatives else 0.0
        print(f"{kind:20} {positives[kind]:4d} {recall:7.3f} {precision:9.3f} {fp_rate:8.4f}")
    n_pos = sum(positives.values())
    n_fp = sum(1 for r in records if r["kind"] is None and find_secrets(r["text"]))
    print(
        f"\noverall: positives={n_pos} recall={sum(true_pos.values()) / n_pos:.3f} "
        f"negatives={negatives} FP rate={n_fp / negatives:.4f}"
    )


def code_texts(mirror: Path, limit: int) -> list[str]:
    listing = subprocess.run(
        ["git", f"--git-dir={mirror}", "ls-tree", "-r", "--name-only", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    paths = [p for p in listing if p.endswith(".py")][:limit]
    return [
        subprocess.run(
            ["git", f"--git-dir={mirror}", "show", f"HEAD:{p}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for p in paths
    ]


def speed(texts: list[str], label: str, repeats: int = 5) -> None:
    size = sum(len(t.encode("utf-8")) for t in texts)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for text in texts:
            redact(text)
        best = min(best, time.perf_counter() - start)
    print(f"speed: {label}: {len(texts)} texts, {size / 1e6:.2f} MB, {size / 1e6 / best:.1f} MB/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror/ansible+ansible/repo"))
    parser.add_argument("--files", type=int, default=400)
    args = parser.parse_args()
    records = load_corpus()
    quality(records)
    if args.mirror.exists():
        speed(code_texts(args.mirror, args.files), f"python files of {args.mirror.parent.name}")
    negatives = [r["text"] for r in records if r["kind"] is None]
    speed(negatives * 20, "corpus negatives x20")


if __name__ == "__main__":
    main()
