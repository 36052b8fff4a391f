"""A cold build's analysis: files cut into chunks of about equal work, each analysed (in a
worker process when the tree is large) into the postings of the whole chunk as arrays, so
the parent merges per term, not per (term, file)."""

from __future__ import annotations

import os
import threading
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..scan import FileEntry, TreeReader
from .analysis import NAME_ONLY, NO_TERMS, Analysis, SharedDefs, analyze_file, doc_terms
from .postings import TF_MAX, flatten

# A cold build goes to worker processes above this much text; below it, forking costs more.
PARALLEL_MIN_BYTES = 3_000_000
PARALLEL_MIN_FILES = 200
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 3  # a few per worker balance the load; more multiply the parent's merging
FILES_PER_SERIAL_CHUNK = 2000
_FILE_COST = 2_000  # a file's fixed cost (open, stat, hash) in bytes of text analysed

# (root, max_bytes, paths, first doc id): one worker's job, picklable.
Job = tuple[str, int, list[str], int]


@dataclass(slots=True)
class Chunk:
    """What one worker returns for a run of files with consecutive doc ids: their analyses
    (terms emptied) and the postings of the whole run, keyed by the chunk's own term list."""

    base: int  # doc id of the first file
    digests: list[str]
    analyses: list[Analysis]
    lengths: array[int]  # per file: its indexed term count
    terms: list[str]  # local term id -> term
    offsets: array[int]  # local term id -> its range of `docs` and `tfs`
    docs: array[int]
    tfs: array[int]


def analyze_chunk(job: Job) -> Chunk:
    """Analyse files `paths` (doc ids from `base` on) and index them as one block."""
    root, max_bytes, paths, base = job
    local: dict[str, int] = {}
    post_docs: list[array[int]] = []
    post_tfs: list[array[int]] = []
    digests: list[str] = []
    analyses: list[Analysis] = []
    lengths = array("I")
    shared = SharedDefs()  # the chunk is pickled: shared objects are sent once
    get = local.get
    with TreeReader(root) as reader:
        for n, rel in enumerate(paths):
            dig, analysis = analyze_file(reader, rel, max_bytes)
            counts = doc_terms(rel, analysis)
            doc_id = base + n
            for term, tf in counts.items():  # the hot loop of a cold start: once per posting
                tid = get(term)
                if tid is None:
                    tid = local[term] = len(post_docs)
                    post_docs.append(array("I"))
                    post_tfs.append(array("H"))
                post_docs[tid].append(doc_id)
                post_tfs[tid].append(tf if tf <= TF_MAX else TF_MAX)
            analysis.terms = NO_TERMS
            analysis.defs = shared(analysis.defs)
            digests.append(dig)
            analyses.append(analysis)
            lengths.append(sum(counts.values()))
    offsets, docs = flatten(post_docs, "I")
    _, tfs = flatten(post_tfs, "H")
    return Chunk(base, digests, analyses, lengths, list(local), offsets, docs, tfs)


def chunk_jobs(root: str, max_bytes: int, files: list[FileEntry], parts: int) -> list[Job]:
    """Cut `files` into `parts` runs of about equal work, so no worker is left with the slow
    end of the tree (file count is a poor proxy: a docs or locale directory is all one kind)."""
    cost = [_FILE_COST + (e.size // 8 if NAME_ONLY.search(e.path) else e.size) for e in files]
    share = sum(cost) / max(parts, 1)
    jobs: list[Job] = []
    start, acc = 0, 0.0
    for n, c in enumerate(cost):
        acc += c
        if acc >= share and len(jobs) < parts - 1:
            jobs.append((root, max_bytes, [e.path for e in files[start : n + 1]], start))
            start, acc = n + 1, 0.0
    if start < len(files):
        jobs.append((root, max_bytes, [e.path for e in files[start:]], start))
    return jobs


def worker_count(files: list[FileEntry]) -> int:
    """How many worker processes a cold build of `files` uses; 1 means this process alone.

    Workers are forked: cheap, and no re-import of `__main__` (which `python -m ctxtrim`
    would re-run under spawn). Forking a process with other threads (the language server's)
    risks a child stuck on a lock one of them held, so there the build stays in this process."""
    import multiprocessing  # here: a warm start never needs it

    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    parallel = (
        workers > 1
        and sum(e.size for e in files) >= PARALLEL_MIN_BYTES
        and len(files) >= PARALLEL_MIN_FILES
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )
    return workers if parallel else 1


def analyse_chunks(
    root: str,
    max_bytes: int,
    files: list[FileEntry],
    workers: int,
    idle: Callable[[], object] | None = None,
) -> Iterator[Chunk]:
    """The chunks of `files`, in order. With workers, `idle` runs while they analyse (other
    start-up work overlaps the analysis instead of following it); alone, it is not called."""
    if workers <= 1:
        for job in chunk_jobs(root, max_bytes, files, max(1, len(files) // FILES_PER_SERIAL_CHUNK)):
            yield analyze_chunk(job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor  # only a cold start pays its import

    jobs = chunk_jobs(root, max_bytes, files, workers * CHUNKS_PER_WORKER)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        chunks = pool.map(analyze_chunk, jobs)  # submits every job now
        if idle is not None:
            idle()
        yield from chunks
