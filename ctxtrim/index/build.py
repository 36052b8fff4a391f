"""A cold build's analysis: files cut into chunks by their work, each analysed (in a worker
process when the tree is large) into the postings of the whole chunk as arrays, so the
parent merges per term, not per (term, file). A `Stream` starts the workers while the scan
still walks the tree."""

from __future__ import annotations

import operator
import os
import threading
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..scan import FileEntry, TreeReader
from .analysis import NAME_ONLY, Analysis, SharedDefs, analyze_file, doc_terms
from .postings import DOC_SHIFT, PACKED, TF_MAX, flatten, unpack

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

# A cold build goes to worker processes above this much text; below it, forking costs more.
PARALLEL_MIN_BYTES = 3_000_000
PARALLEL_MIN_FILES = 200
MAX_WORKERS = 8
# Workers take the next chunk as they finish one. Each chunk is this share of the work left
# per worker, so chunks shrink towards the end and all workers finish at about the same
# time, however the earlier chunks fell; but none is below the floor share of all the work:
# more chunks multiply the parent's merging.
TAPER_SHARE = 0.5
TAPER_FLOOR = 0.04
FILES_PER_SERIAL_CHUNK = 2000
_FILE_COST = 2_000  # a file's fixed cost (open, stat, hash) in bytes of text analysed
# While the scan walks, the first chunk goes to a worker once this much work is found
# (about a quarter second of analysis), each next one once twice the last one's, up to
# STREAM_CHUNK_MAX times this: workers start early, and the parent has few chunks to merge.
# The walk finds work far faster than workers do it, so a chunk is sent only to a worker
# that has none.
STREAM_CHUNK_COST = 8_000_000
STREAM_CHUNK_MAX = 4
# A worker posts the terms of the files it analysed once they hold this many (~150 a file;
# a few MB of dicts held): see `analyze_chunk`.
POSTING_BATCH_TERMS = 100_000

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
    lists: list[array[int]] = []
    digests: list[str] = []
    analyses: list[Analysis] = []
    lengths = array("I")
    shared = SharedDefs()  # the chunk is pickled: shared objects are sent once
    batch: list[dict[str, int]] = []  # the term counts of the files analysed, not yet posted
    held = 0  # terms in `batch`

    def post() -> None:
        post_terms(batch, base + len(lengths) - len(batch), local, lists)

    with TreeReader(root) as reader:
        for rel in paths:
            dig, analysis = analyze_file(reader, rel, max_bytes)
            counts = doc_terms(rel, analysis, take=True)
            analysis.defs = shared(analysis.defs)
            digests.append(dig)
            analyses.append(analysis)
            lengths.append(sum(counts.values()))
            batch.append(counts)
            held += len(counts)
            if held >= POSTING_BATCH_TERMS:
                post()
                held = 0
    post()
    offsets, packed = flatten(lists, PACKED)
    docs, tfs = unpack(packed)  # the parent merges them apart: its memory stays as it was
    return Chunk(base, digests, analyses, lengths, list(local), offsets, docs, tfs)


def post_terms(
    batch: list[dict[str, int]], first: int, local: dict[str, int], lists: list[array[int]]
) -> None:
    """Post the term counts of files `first`, `first` + 1, ... (then empty `batch`): each
    term's postings (doc id and frequency, packed) go to its array, a new term gets the
    next local id.

    The hot loop of a cold start: once per posting. Run for many files in a row, not after
    each file: the chunk's term dict and the arrays of common terms then stay in the CPU's
    caches, instead of being pushed out by reading and splitting the next file (16,000
    files of big100k: 8 % less CPU)."""
    get = local.get
    for doc_id, counts in enumerate(batch, first):
        if max(counts.values(), default=0) > TF_MAX:
            counts = {term: min(tf, TF_MAX) for term, tf in counts.items()}
        key = doc_id << DOC_SHIFT
        for term, tf in counts.items():
            tid = get(term)
            if tid is None:
                tid = local[term] = len(lists)
                lists.append(array(PACKED))
            lists[tid].append(key | tf)
    batch.clear()


def cost(entry: FileEntry) -> int:
    """The analysis work of a file, in bytes of text: its size, plus a fixed cost (a file
    indexed by its name alone costs little beyond that)."""
    return _FILE_COST + (entry.size // 8 if NAME_ONLY.search(entry.path) else entry.size)


def chunk_jobs(
    root: str,
    max_bytes: int,
    files: list[FileEntry],
    workers: int,
    first: int = 0,
    costs: list[int] | None = None,
) -> list[Job]:
    """Cut `files` (doc ids from `first` on) into runs for `workers`, their work shrinking
    towards the end (see TAPER_SHARE). Work is counted by `cost` (or given, per file, in
    `costs`): file count is a poor proxy, a docs or locale directory is all one kind."""
    if costs is None:
        costs = [cost(e) for e in files]
    left = sum(costs)
    floor = TAPER_FLOOR * left
    jobs: list[Job] = []
    start, acc = 0, 0
    due = max(TAPER_SHARE * left / workers, floor)
    for n, c in enumerate(costs):
        acc += c
        if acc >= due and n + 1 < len(files):
            jobs.append((root, max_bytes, [e.path for e in files[start : n + 1]], first + start))
            left -= acc
            start, acc = n + 1, 0
            due = max(TAPER_SHARE * left / workers, floor)
    if start < len(files):
        jobs.append((root, max_bytes, [e.path for e in files[start:]], first + start))
    return jobs


def worker_count(files: list[FileEntry]) -> int:
    """How many worker processes a cold build of `files` uses; 1 means this process alone."""
    large = sum(e.size for e in files) >= PARALLEL_MIN_BYTES and len(files) >= PARALLEL_MIN_FILES
    return max_workers() if large else 1


def max_workers() -> int:
    """How many worker processes a large cold build may use here; 1: none.

    Workers are forked: cheap, and no re-import of `__main__` (which `python -m ctxtrim`
    would re-run under spawn). Forking a process with other threads (the language server's)
    risks a child stuck on a lock one of them held, so there the build stays in this process."""
    import multiprocessing  # here: a warm start never needs it

    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    forks = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    return workers if workers > 1 and forks else 1


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
        for n in range(0, len(files), FILES_PER_SERIAL_CHUNK):
            part = files[n : n + FILES_PER_SERIAL_CHUNK]
            yield analyze_chunk((root, max_bytes, [e.path for e in part], n))
        return
    jobs = chunk_jobs(root, max_bytes, files, workers)
    with _pool(workers) as pool:
        chunks = pool.map(analyze_chunk, jobs)  # submits every job now
        if idle is not None:
            idle()
        yield from chunks


def _pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor  # only a cold start pays its import

    context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


class Stream:
    """A cold build's analysis that starts while the scan still walks the tree: the files
    the walk finds (in path order) go to worker processes in chunks as soon as there is a
    chunk's worth and a worker without one, so the walk no longer comes before all of the
    analysis. `finished` hands over the chunks done meanwhile; when the scan is done,
    `chunks` cuts the rest as a plain build does.

    Started only where workers may be forked (`max_workers`), and only once the files found
    are as many as a parallel build needs; below that, `chunks` is a plain build's."""

    def __init__(self, root: str, max_bytes: int, workers: int) -> None:
        self.root, self.max_bytes, self.workers = root, max_bytes, workers
        self.files: list[FileEntry] = []  # every file handed in, in order
        self._costs: list[int] = []  # and the `cost` of each
        self.sent = 0  # files[:sent] went to workers while the scan walked
        self.workers_used = 0  # worker processes `chunks` ran (1: this process alone)
        self._size = 0  # bytes of every file handed in
        self._cost = 0  # work of files[sent:]
        self._due = STREAM_CHUNK_COST  # work that makes the next chunk
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[Chunk]] = []  # sent, not yet handed over; in order
        # One mark per future ended, put by its callback (from the pool's thread: a list's
        # append is atomic): the walk asks after every directory whether a worker is free,
        # and asking each future (a lock each time) cost more than the asking was worth.
        self._ended: list[None] = []
        self._submitted = 0  # futures sent while the scan walked
        self._handed = 0  # of them, handed over by `finished`
        self._in_order = True

    def add(self, files: list[FileEntry]) -> None:
        """Take the next run of files the scan found; send a chunk if one is due."""
        if not self._in_order or not files:
            return
        if self.files and files[0].path <= self.files[-1].path:
            self._in_order = False  # never seen: the build then goes the plain way
            return
        self.files += files
        self._size += sum(e.size for e in files)
        costs = list(map(cost, files))
        self._costs += costs
        self._cost += sum(costs)
        if self._cost < self._due:
            return
        if self._pool is None:
            if self._size < PARALLEL_MIN_BYTES or len(self.files) < PARALLEL_MIN_FILES:
                return
            self._pool = _pool(self.workers)
        elif self._submitted - len(self._ended) >= self.workers:
            return
        start, end, work = self.sent, self.sent, 0
        while work < self._due:  # the chunk due; the rest waits for the next free worker
            work += self._costs[end]
            end += 1
        job = (self.root, self.max_bytes, [e.path for e in self.files[start:end]], start)
        future = self._pool.submit(analyze_chunk, job)
        ended = self._ended
        future.add_done_callback(lambda _: ended.append(None))
        self._futures.append(future)
        self._submitted += 1
        self.sent, self._cost = end, self._cost - work
        self._due = min(2 * work, STREAM_CHUNK_MAX * STREAM_CHUNK_COST)

    def finished(self) -> Iterator[Chunk]:
        """The chunks done by now that follow those handed over before, in order."""
        futures = self._futures
        while futures and len(self._ended) > self._handed and futures[0].done():
            self._handed += 1
            yield futures.pop(0).result()

    def matches(self, files: list[FileEntry]) -> bool:
        """Whether `files` (the scan's result, sorted) are the files handed in, in the same
        order: what the chunks sent and handed over so far assumed."""
        mine = self.files
        return self._in_order and len(files) == len(mine) and all(map(operator.is_, files, mine))

    def chunks(self, files: list[FileEntry], idle: Callable[[], object] | None) -> Iterator[Chunk]:
        """The chunks of `files` (which `matches`) not handed over yet, in order. With
        workers, `idle` runs while they analyse; alone, it is not called."""
        if self._pool is None:
            self.workers_used = worker_count(files)
            yield from analyse_chunks(self.root, self.max_bytes, files, self.workers_used, idle)
            return
        self.workers_used = self.workers
        for job in chunk_jobs(
            self.root,
            self.max_bytes,
            files[self.sent :],
            self.workers,
            self.sent,
            self._costs[self.sent :],  # the same files (`matches`)
        ):
            self._futures.append(self._pool.submit(analyze_chunk, job))
        if idle is not None:
            idle()
        futures, self._futures = self._futures[::-1], []
        try:
            while futures:  # popped: a chunk is freed once merged
                yield futures.pop().result()
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers (chunks not started are dropped); waits for those running."""
        pool, self._pool = self._pool, None
        self._futures = []
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
