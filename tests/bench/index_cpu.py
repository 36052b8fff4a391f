"""CPU per file of a cold build's analysis, measured in this process.

A cold start's wall time on a shared 2-core machine moves with the machine's load; the CPU
its worker processes spend per file hardly does, and it is what a faster analysis changes.
This runs the workers' job (`analyze_chunk`) on the first LIMIT scanned files of a tree in a
forked child, as a cold build does (fresh memos each run), and prints the child's CPU per
file (the least of the runs) and a hash of everything the chunks hold (analyses, terms in
order, postings): a speed change that leaves the index alone prints the same hash.

    python tests/bench/index_cpu.py --tree /tmp/big100k --limit 16000 --runs 3
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from ctxtrim.config import Config  # noqa: E402
from ctxtrim.index.build import Chunk, Job, analyze_chunk, chunk_jobs  # noqa: E402
from ctxtrim.scan import scan  # noqa: E402

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


def analyse_in_child(jobs: list[Job]) -> tuple[float, str]:
    """(CPU seconds, chunks hash) of analysing `jobs` in a forked child."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: analyse, report the hash, leave at once
        os.close(read_end)
        os.write(write_end, chunk_hash([analyze_chunk(job) for job in jobs]).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        digest = pipe.read().decode()
    _, status, usage = os.wait4(pid, 0)
    if status != 0 or not digest:
        raise SystemExit("the analysing child failed")
    return usage.ru_utime + usage.ru_stime, digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=16000, help="files analysed (first by path)")
    parser.add_argument("--runs", type=int, default=3)
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


if __name__ == "__main__":
    main()
