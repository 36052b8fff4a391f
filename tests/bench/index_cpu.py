"""CPU per file of a cold build's analysis, measured in this process.

A cold start's wall time on a shared 2-core machine moves with the machine's load; the CPU
its worker processes spend per file hardly does, and it is what a faster analysis changes.
This runs the workers' job (`analyze_chunk`) on the first LIMIT scanned files of a tree in a
forked child, as a cold build does (fresh memos each run), and prints the child's CPU per
file (the least of the runs) and a hash of everything the chunks hold (analyses, terms in
order, postings): a speed change that leaves the index alone prints the same hash.

With --parts it then prints where that CPU goes, step by step (reading, hashing, term
splitting and within it the runs' split and count, definitions, path terms, postings,
pickling the chunk), timed in one more child that repeats `analyze_chunk`'s steps.

    python tests/bench/index_cpu.py --tree /tmp/big100k --limit 16000 --runs 3 [--parts]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import pickle
import sys
import time
from array import array
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from ctxtrim.config import Config  # noqa: E402
from ctxtrim.index.analysis import (  # noqa: E402
    NAME_ONLY,
    Analysis,
    digest,
    doc_terms,
    find_defs,
)
from ctxtrim.index.build import (  # noqa: E402
    POSTING_BATCH_TERMS,
    Chunk,
    Job,
    analyze_chunk,
    chunk_jobs,
    post_terms,
)
from ctxtrim.index.postings import PACKED, flatten, unpack  # noqa: E402
from ctxtrim.lang import detect_language  # noqa: E402
from ctxtrim.scan import TreeReader, scan  # noqa: E402
from ctxtrim.terms import _NOT_IDENT, utf8_terms  # noqa: E402

# The chunks a cold build cuts for two workers, analysed in turn by one (its memos carry over).
WORKERS = 2


def chunk_hash(chunks: list[Chunk]) -> str:
    h = hashlib.sha256()
    for c in chunks:
        facts = [(a.lang, a.lines, a.defs, a.problem) for a in c.analyses]
        h.update(repr((c.base, c.digests, facts, c.terms)).encode())
        for arr in (c.lengths, c.offsets, c.docs, c.tfs):
            h.update(arr.tobytes())
    return h.hexdigest()[:16]


def analyse_in_child(jobs: list[Job], parts: bool = False) -> tuple[float, str]:
    """(CPU seconds, chunks hash) of analysing `jobs` in a forked child; with `parts`, the
    child's report is the step breakdown instead of the hash."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: analyse, report, leave at once
        os.close(read_end)
        report = step_cpu(jobs) if parts else chunk_hash([analyze_chunk(job) for job in jobs])
        os.write(write_end, report.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        report = pipe.read().decode()
    _, status, usage = os.wait4(pid, 0)
    if status != 0 or not report:
        raise SystemExit("the analysing child failed")
    return usage.ru_utime + usage.ru_stime, report


STEPS = (
    "read",
    "hash",
    "language, lines",
    "terms",
    "  of which runs: split, count",
    "definitions",
    "path terms",
    "postings",
    "pickle chunk (no digests, lengths)",
)


def step_cpu(jobs: list[Job]) -> str:
    """CPU per step of `analyze_chunk` over `jobs`, as a table. The steps are those of the
    analysis (`analyze_file`, `doc_terms`, the postings loop), repeated here with a clock
    around each; the runs' split and count is timed once more on its own (its time is also
    inside "terms")."""
    spent = dict.fromkeys(STEPS, 0.0)
    clock = time.process_time
    for root, max_bytes, paths, base in jobs:
        local: dict[str, int] = {}
        lists: list[array[int]] = []
        analyses = []
        batch: list[dict[str, int]] = []
        held = 0
        with TreeReader(root) as reader:
            for n, rel in enumerate(paths):
                t0 = clock()
                got = reader.text(rel, max_bytes)
                t1 = clock()
                spent["read"] += t1 - t0
                if got.text is None:
                    analysis = Analysis(None, 0, (), {}, got.problem)
                else:
                    digest(got.data)
                    t2 = clock()
                    language = detect_language(rel)
                    text = got.text
                    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
                    t3 = clock()
                    spent["hash"] += t2 - t1
                    spent["language, lines"] += t3 - t2
                    analysis = Analysis(language, lines, (), {})
                    if not NAME_ONLY.search(rel):
                        utf8 = got.utf8 if got.utf8 is not None else text.encode()
                        analysis.terms = utf8_terms(utf8)
                        t4 = clock()
                        Counter(utf8.translate(_NOT_IDENT).split())
                        t5 = clock()
                        analysis.defs = find_defs(text, language)
                        t6 = clock()
                        spent["terms"] += t4 - t3
                        spent["  of which runs: split, count"] += t5 - t4
                        spent["definitions"] += t6 - t5
                t7 = clock()
                batch.append(doc_terms(rel, analysis, take=True))
                held += len(batch[-1])
                spent["path terms"] += clock() - t7
                analyses.append(analysis)
                if held >= POSTING_BATCH_TERMS or n == len(paths) - 1:  # as analyze_chunk
                    t8 = clock()
                    post_terms(batch, base + n + 1 - len(batch), local, lists)
                    held = 0
                    spent["postings"] += clock() - t8
        t9 = clock()
        offsets, packed = flatten(lists, PACKED)
        docs, tfs = unpack(packed)
        t10 = clock()
        chunk = Chunk(base, [], analyses, array("I"), list(local), offsets, docs, tfs)
        pickle.dumps(chunk)
        spent["postings"] += t10 - t9
        spent["pickle chunk (no digests, lengths)"] += clock() - t10
    total = sum(v for k, v in spent.items() if not k.startswith(" "))
    rows = [f"{k:<32}{v:7.2f} s {100 * v / total:5.1f} %" for k, v in spent.items()]
    return "\n".join(rows + [f"{'total (timed)':<32}{total:7.2f} s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=16000, help="files analysed (first by path)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parts", action="store_true", help="then print CPU per step")
    args = parser.parse_args()
    root = args.tree.resolve()
    config = Config.load(root)
    files = scan(root, config).files[: args.limit]
    jobs = chunk_jobs(str(root), config.max_file_bytes, files, WORKERS)
    gc.disable()  # as in a cold build (Workspace.open)
    times = []
    digest = ""
    for _ in range(args.runs):
        cpu, digest = analyse_in_child(jobs)
        times.append(cpu)
    best = min(times)
    print(
        f"{root}: {len(files)} files, CPU {best:.2f} s = {1000 * best / max(len(files), 1):.3f}"
        f" ms per file (least of {args.runs}); chunks hash {digest}"
    )
    if args.parts:
        cpu, table = analyse_in_child(jobs, parts=True)
        print(f"where it goes (one more child, {cpu:.2f} s CPU with its clocks):\n{table}")


if __name__ == "__main__":
    main()
