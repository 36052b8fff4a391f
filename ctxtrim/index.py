"""The per-file analysis of a repository and the lexical index over it.

Every file gets a cheap analysis (language, line count, the names it defines, its terms).
Tree-sitter outlines and exact token counts are expensive, so they are computed only for the
files a pack may show, and cached. The index updates one file at a time, so the language
server can follow edits.

Speed at scale comes from three things:

* the postings live in flat arrays (one array of doc ids and one of term frequencies, sliced
  by term offsets), not in one Python object per term and document;
* a warm start loads the whole built index from one per-root snapshot (`cache.py`) and only
  re-examines the files whose size or mtime changed since;
* a cold start analyses files in worker processes, each returning the postings of a whole
  chunk of files as arrays, so the parent merges per term, not per (term, file).

No file's text is kept after its analysis; only open buffers (`overlays`) are held.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import os
import re
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import lang
from .cache import Cache
from .config import Config
from .outline import Outline
from .scan import FileEntry, ScanResult, TreeReader, read_text
from .terms import path_terms, text_terms

# Names a file defines, found by a language-agnostic pattern; tree-sitter refines this for
# the few files a pack shows. Cheap enough to run on every file of a large repository.
# The lookahead fails most lines at their first letter (every keyword is lowercase); without
# it the regex tries each alternative on every line, a third of a cold start's analysis.
_DEF = re.compile(
    r"^[ \t]*(?=[a-z])(?:(?:export|default|pub(?:\([^)]*\))?|async|static|public|private|protected|"
    r"abstract|final|inline|extern|unsafe|override|open|internal|sealed|partial|data)\s+)*"
    r"(?:def|class|function\*?|func|fn|struct|interface|enum|trait|type|module|impl|object|"
    r"record|union|namespace|protocol|macro_rules!)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)",
    re.M,
)
# `name = function(...)`, `const name = (...) =>`, and `name: function` in JS-like code,
# matched on one line: only the lines that `_FN_LINE` finds (C speed) are tried, because
# trying it at every line start cost more than all the rest of the analysis.
_ASSIGNED_FN = re.compile(
    r"[ \t]*(?:export\s+)?(?:const|let|var)?\s*([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?"
    r"(?:function\b|\([^)\n]*\)\s*=>)"
)
_FN_LINE = re.compile(r"^.*(?:function|=>).*$", re.M)
# Files indexed by their path alone: translation catalogs repeat the source's strings once per
# language (a fifth of django's text, and every UI word's document frequency multiplied by
# the number of locales), and vector images are coordinates. Their names still match.
NAME_ONLY = re.compile(r"\.(po|pot|xlf|xliff|svg)$", re.I)
ANALYSIS_VERSION = 3
SNAPSHOT_FORMAT = 1

PATH_WEIGHT = 3  # a path term counts as this many occurrences in the text
TF_MAX = 65_535  # term frequencies are stored as 16-bit; BM25 saturates long before this
# A cold build goes to worker processes above this much text; below it, forking costs more.
PARALLEL_MIN_BYTES = 3_000_000
PARALLEL_MIN_FILES = 200
# Rewrite the snapshot once this many files differ from it (else the few changed files are
# served from the per-file cache, and the snapshot write, a full copy, is saved).
SNAPSHOT_STALE_MIN = 48
SNAPSHOT_STALE_SHARE = 0.01
# Above this share of changed files an incremental start costs more than a cold one.
REBUILD_SHARE = 0.4
OUTLINES_KEPT = 256
_FILE_COST = 2_000  # a file's fixed cost (open, stat, hash) in bytes of text analysed

_NO_TERMS: dict[str, int] = {}


@dataclass(slots=True)
class Analysis:
    """What is known of one file's content; independent of its path except for `lang`.

    `terms` is filled by `analyze` and emptied once the file is in an index (the index keeps
    the postings, not a dict per file)."""

    lang: str | None
    lines: int
    defs: tuple[str, ...]
    terms: dict[str, int]
    problem: str | None = None  # why the file has no text (binary, not UTF-8, ...)


def digest(data: bytes) -> str:
    """The content hash that keys every cached fact about a file."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# Languages with no `name = function ...` / `name = (...) =>` definitions: skipping the
# search there saves a tenth of a cold start (Python docstrings say "function" a lot).
_NO_ASSIGNED_FN = frozenset(("python", "go", "rust", "java", "c", "cpp", "ruby")) | lang.PROSE


def find_defs(text: str, language: str | None = None) -> tuple[str, ...]:
    """Names `text` defines, by the language-agnostic patterns, sorted."""
    defs = {m.group(1) for m in _DEF.finditer(text)}
    if language not in _NO_ASSIGNED_FN and ("function" in text or "=>" in text):
        match = _ASSIGNED_FN.match
        for line in _FN_LINE.findall(text):
            m = match(line)
            if m:
                defs.add(m.group(1))
    return tuple(sorted(defs))


def analyze(path: str, text: str) -> Analysis:
    """The cheap analysis of one file's text."""
    language = lang.detect_language(path)
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if NAME_ONLY.search(path):
        return Analysis(language, lines, (), {})
    return Analysis(language, lines, find_defs(text, language), dict(text_terms(text)))


def doc_terms(path: str, analysis: Analysis) -> dict[str, int]:
    """The indexed term counts of a file: its text terms plus its path terms, weighted.

    Path terms count as strong evidence: a file named for the thing is about the thing."""
    counts = dict(analysis.terms)
    for term, n in path_terms(path).items():
        counts[term] = counts.get(term, 0) + PATH_WEIGHT * n
    return counts


def analyze_file(reader: TreeReader, rel: str, max_bytes: int) -> tuple[str, Analysis]:
    """(digest, analysis) of a file on disk; a file with no text gets digest ''."""
    got = reader.text(rel, max_bytes)
    if got.text is None:
        return "", Analysis(None, 0, (), {}, got.problem)
    return digest(got.data), analyze(rel, got.text)


# ---------------------------------------------------------------------- postings storage
class Postings:
    """Term id -> an array of values: a frozen base (one flat array cut by offsets, as built
    or loaded) plus per-term appends made since. Reading a term returns a fresh array."""

    __slots__ = ("typecode", "offsets", "data", "extra")

    def __init__(
        self, typecode: str, offsets: array | None = None, data: array | None = None
    ) -> None:
        self.typecode = typecode
        self.offsets = offsets if offsets is not None else array("Q", [0])
        self.data = data if data is not None else array(typecode)
        self.extra: dict[int, array] = {}

    @property
    def base_terms(self) -> int:
        return len(self.offsets) - 1

    def span(self, tid: int) -> tuple[int, int]:
        """The range of `data` that holds term `tid`'s base entries."""
        if tid < len(self.offsets) - 1:
            return self.offsets[tid], self.offsets[tid + 1]
        return 0, 0

    def __getitem__(self, tid: int) -> array:
        lo, hi = self.span(tid)
        got = self.data[lo:hi]
        more = self.extra.get(tid)
        if more:
            got.extend(more)
        return got

    def get(self, tid: int, default: array | None = None) -> array | None:
        return self[tid] if self.has(tid) else default

    def has(self, tid: int) -> bool:
        lo, hi = self.span(tid)
        return hi > lo or bool(self.extra.get(tid))

    __contains__ = has

    def append(self, tid: int, value: int) -> None:
        more = self.extra.get(tid)
        if more is None:
            more = self.extra[tid] = array(self.typecode)
        more.append(value)

    def size(self, tid: int) -> int:
        lo, hi = self.span(tid)
        return hi - lo + len(self.extra.get(tid, ()))


def _csr(lists: list[array], typecode: str) -> tuple[array, array]:
    """Flatten per-term arrays into (offsets, data)."""
    offsets = array("Q", [0])
    total = 0
    for arr in lists:
        total += len(arr)
        offsets.append(total)
    data = array(typecode)
    for arr in lists:
        data.extend(arr)
    return offsets, data


# ---------------------------------------------------------------------- worker side
@dataclass(slots=True)
class Chunk:
    """What one worker returns for a run of files with consecutive doc ids: their analyses
    (terms emptied) and the postings of the whole run, keyed by the chunk's own term list."""

    base: int
    digests: list[str]
    analyses: list[Analysis]
    lengths: array
    terms: list[str]
    offsets: array
    docs: array
    tfs: array


def analyze_chunk(job: tuple[str, int, list[str], int]) -> Chunk:
    """Analyse files `paths` (doc ids from `base` on) and index them as one block."""
    root, max_bytes, paths, base = job
    local: dict[str, int] = {}
    post_docs: list[array] = []
    post_tfs: list[array] = []
    digests: list[str] = []
    analyses: list[Analysis] = []
    lengths = array("I")
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
            analysis.terms = _NO_TERMS
            digests.append(dig)
            analyses.append(analysis)
            lengths.append(sum(counts.values()))
    offsets, docs = _csr(post_docs, "I")
    _, tfs = _csr(post_tfs, "H")
    return Chunk(base, digests, analyses, lengths, list(local), offsets, docs, tfs)


def _chunk_jobs(root: str, max_bytes: int, files: list[FileEntry], parts: int) -> list[tuple]:
    """Cut `files` into `parts` runs of about equal work, so no worker is left with the slow
    end of the tree (file count is a poor proxy: a docs or locale directory is all one kind)."""
    cost = [_FILE_COST + (e.size // 8 if NAME_ONLY.search(e.path) else e.size) for e in files]
    share = sum(cost) / max(parts, 1)
    jobs: list[tuple] = []
    start, acc = 0, 0.0
    for n, c in enumerate(cost):
        acc += c
        if acc >= share and len(jobs) < parts - 1:
            jobs.append((root, max_bytes, [e.path for e in files[start : n + 1]], start))
            start, acc = n + 1, 0.0
    if start < len(files):
        jobs.append((root, max_bytes, [e.path for e in files[start:]], start))
    return jobs


@dataclass(slots=True)
class Doc:
    """One file in the index. `term_ids` is kept only for documents added after the base
    was built (the language server's edits), so retiring them is cheap."""

    path: str
    entry: FileEntry
    digest: str
    analysis: Analysis
    length: int = 0
    alive: bool = True
    term_ids: array | None = None


@dataclass
class BuildStats:
    """What the last build did; tests and the benchmark read it."""

    files: int = 0
    analysed: int = 0  # files read and analysed
    hashed: int = 0  # files read only to check their content hash
    from_cache: int = 0  # analyses taken from the per-file cache
    snapshot: str = "none"  # none | loaded | written | refreshed
    parallel: bool = False
    idle_done: bool = False  # the caller's idle work ran while workers analysed


class FileIndex:
    """BM25-ready inverted index over file terms, plus the defined-names map."""

    K1 = 1.2
    B = 0.75

    def __init__(self, root: Path, config: Config, cache: Cache) -> None:
        self.root = root
        self.config = config
        self.cache = cache
        self.changes = 0  # bumped by every add or removal: memos keyed by it go stale
        self.docs: list[Doc] = []
        self.by_path: dict[str, int] = {}
        self.vocab: dict[str, int] = {}
        self.postings = Postings("I")  # term id -> doc ids (dead docs are skipped by readers)
        self.post_tf = Postings("H")  # term id -> term frequencies, parallel to postings
        self.df = array("I")  # term id -> number of live docs that contain it
        self.total_len = 0
        self.alive = 0
        self.overlays: dict[str, str] = {}  # path -> unsaved buffer text (language server)
        self.stats = BuildStats()
        self._defs: dict[str, set[int]] | None = None
        self._gone = 0  # files the snapshot had and the last scan did not
        self._outlines: OrderedDict[str, Outline] = OrderedDict()

    # ------------------------------------------------------------------ building
    def build(
        self,
        scan: ScanResult,
        progress: Callable[[int, int], None] | None = None,
        idle: Callable[[], object] | None = None,
    ) -> None:
        """Index every scanned file: from the snapshot when there is one, re-examining only
        files whose size or mtime changed; else analyse everything (in parallel if large).
        `idle` is called once, while worker processes run if there are any: other start-up
        work (loading the tokenizer) overlaps the analysis instead of following it."""
        self._build(scan, progress, idle)
        if idle is not None and not self.stats.idle_done:
            idle()

    def _build(
        self,
        scan: ScanResult,
        progress: Callable[[int, int], None] | None,
        idle: Callable[[], object] | None,
    ) -> None:
        self.stats = BuildStats(files=len(scan.files))
        key = self._snapshot_key()
        snap = self.cache.load_snapshot(str(self.root), key)
        if snap is not None and self._load(snap):
            stale = self._stale(scan.files)
            if len(stale) <= REBUILD_SHARE * max(len(scan.files), 1):
                self.stats.snapshot = "loaded"
                self._refresh(stale, progress)
                if self._worth_rewriting(len(stale)):
                    self.save_snapshot()
                    self.stats.snapshot = "refreshed"
                return
            self._reset()
        self._build_cold(scan.files, progress, idle)
        self.save_snapshot()
        self.stats.snapshot = "written"

    def _reset(self) -> None:
        stats = self.stats
        self.__init__(self.root, self.config, self.cache)  # type: ignore[misc]
        self.stats = stats

    def _snapshot_key(self) -> str:
        # What decides the set of files and their analyses; a different setting keeps its own
        # snapshot so alternating between two never rewrites either.
        c = self.config
        return repr((SNAPSHOT_FORMAT, c.exclude, c.include, c.use_gitignore, c.max_file_bytes))

    def _build_cold(
        self,
        files: list[FileEntry],
        progress: Callable[[int, int], None] | None,
        idle: Callable[[], object] | None = None,
    ) -> None:
        paths = [e.path for e in files]
        total_bytes = sum(e.size for e in files)
        workers = min(os.cpu_count() or 1, 8)
        # Worker processes are forked: cheap, and no re-import of `__main__` (which `python -m
        # ctxtrim` would re-run under spawn). Forking a process with other threads (the
        # language server's) risks a child stuck on a lock one of them held, so there the
        # build stays in this process.
        import multiprocessing  # here: a warm start never needs it

        parallel = (
            workers > 1
            and total_bytes >= PARALLEL_MIN_BYTES
            and len(paths) >= PARALLEL_MIN_FILES
            and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods()
        )
        self.stats.parallel = parallel
        root, max_bytes = str(self.root), self.config.max_file_bytes
        lists_docs: list[array] = []
        lists_tfs: list[array] = []
        entries = files
        if parallel:
            from concurrent.futures import ProcessPoolExecutor  # only a cold start pays its import

            # A few chunks per worker balance the load; more would only multiply the per-term
            # merge work in the parent.
            jobs = _chunk_jobs(root, max_bytes, files, workers * 3)
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                chunks = pool.map(analyze_chunk, jobs)  # submits every job now
                if idle is not None:
                    self.stats.idle_done = True
                    idle()
                for chunk in chunks:
                    self._merge(chunk, entries, lists_docs, lists_tfs)
                    if progress:
                        progress(chunk.base + len(chunk.digests), len(paths))
        else:
            for job in _chunk_jobs(root, max_bytes, files, max(1, len(paths) // 2000)):
                chunk = analyze_chunk(job)
                self._merge(chunk, entries, lists_docs, lists_tfs)
                if progress:
                    progress(chunk.base + len(chunk.digests), len(paths))
        self.stats.analysed = len(paths)
        offsets, docs = _csr(lists_docs, "I")
        _, tfs = _csr(lists_tfs, "H")
        self.postings = Postings("I", offsets, docs)
        self.post_tf = Postings("H", offsets, tfs)
        self.df = array("I", (len(a) for a in lists_docs))

    def _merge(
        self,
        chunk: Chunk,
        entries: list[FileEntry],
        lists_docs: list[array],
        lists_tfs: list[array],
    ) -> None:
        """Fold a worker's chunk into the index under construction (chunks arrive in order)."""
        vocab = self.vocab
        off, cdocs, ctfs = chunk.offsets, chunk.docs, chunk.tfs
        for local, term in enumerate(chunk.terms):
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(lists_docs)
                lists_docs.append(array("I"))
                lists_tfs.append(array("H"))
            lo, hi = off[local], off[local + 1]
            lists_docs[tid].extend(cdocs[lo:hi])
            lists_tfs[tid].extend(ctfs[lo:hi])
        for n, (dig, analysis) in enumerate(zip(chunk.digests, chunk.analyses)):
            entry = entries[chunk.base + n]
            length = chunk.lengths[n]
            self.by_path[entry.path] = len(self.docs)
            self.docs.append(Doc(entry.path, entry, dig, analysis, length))
            self.total_len += length
            self.alive += 1

    # ------------------------------------------------------------------ snapshot
    def save_snapshot(self) -> None:
        """Persist the whole index for the next start (a no-op without a cache)."""
        if not self.cache.enabled:
            return
        self._fold()
        docs = [
            (
                d.path,
                d.entry.size,
                d.entry.mtime_ns,
                d.digest,
                d.analysis.lang,
                d.analysis.lines,
                d.analysis.defs,
                d.analysis.problem,
                d.length,
                d.alive,
            )
            for d in self.docs
        ]
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        body = (
            SNAPSHOT_FORMAT,
            str(self.root),
            docs,
            "\n".join(terms),
            self.postings.offsets.tobytes(),
            self.postings.data.tobytes(),
            self.post_tf.data.tobytes(),
            self.df.tobytes(),
        )
        self.cache.save_snapshot(str(self.root), self._snapshot_key(), body)

    def _load(self, snap: object) -> bool:
        """Adopt a snapshot; False (and an empty index) if it does not hold together."""
        try:
            fmt, root, docs, terms, offsets, data, tfs, df = snap  # type: ignore[misc]
            if fmt != SNAPSHOT_FORMAT or root != str(self.root):
                return False
            off = _array("Q", offsets)
            post = _array("I", data)
            ptf = _array("H", tfs)
            vocab_list = terms.split("\n") if terms else []
            self.df = _array("I", df)
            if (
                len(off) != len(vocab_list) + 1
                or off[-1] != len(post)
                or len(ptf) != len(post)
                or len(self.df) != len(vocab_list)
            ):
                return False
            self.vocab = dict(zip(vocab_list, range(len(vocab_list))))
            self.postings = Postings("I", off, post)
            self.post_tf = Postings("H", off, ptf)
            by_path, all_docs = self.by_path, self.docs
            for path, size, mtime_ns, dig, language, lines, defs, problem, length, alive in docs:
                analysis = Analysis(language, lines, defs, _NO_TERMS, problem)
                doc = Doc(path, FileEntry(path, size, mtime_ns), dig, analysis, length, alive)
                if alive:
                    by_path[path] = len(all_docs)
                    self.total_len += length
                all_docs.append(doc)
            self.alive = len(by_path)
            return True
        except (TypeError, ValueError, IndexError, OverflowError):
            self._reset()
            return False

    def _fold(self) -> None:
        """Make the postings flat again: fold per-term appends into the arrays, or, once
        retired documents are a tenth of the index, rebuild them without those."""
        if len(self.docs) - self.alive > 0.1 * max(len(self.docs), 1):
            self._compact()
            return
        if not self.postings.extra:
            return
        self.postings = _folded(self.postings, len(self.vocab))
        self.post_tf = _folded(self.post_tf, len(self.vocab))
        for doc in self.docs:
            doc.term_ids = None

    def _compact(self) -> None:
        """Drop retired documents; doc ids stay in their old order, so postings stay sorted."""
        remap = array("i", [-1]) * len(self.docs)
        docs: list[Doc] = []
        for old, doc in enumerate(self.docs):
            if doc.alive:
                remap[old] = len(docs)
                docs.append(doc)
        lists_docs: list[array] = []
        lists_tfs: list[array] = []
        vocab: dict[str, int] = {}
        for term in sorted(self.vocab, key=self.vocab.__getitem__):
            tid = self.vocab[term]
            kept = [
                (remap[d], tf)
                for d, tf in zip(self.postings[tid], self.post_tf[tid])
                if remap[d] >= 0
            ]
            if not kept:
                continue  # a term no live document has any more
            vocab[term] = len(lists_docs)
            lists_docs.append(array("I", (d for d, _ in kept)))
            lists_tfs.append(array("H", (tf for _, tf in kept)))
        offsets, data = _csr(lists_docs, "I")
        _, tfs = _csr(lists_tfs, "H")
        self.vocab = vocab
        self.postings = Postings("I", offsets, data)
        self.post_tf = Postings("H", offsets, tfs)
        self.df = array("I", (len(a) for a in lists_docs))
        for doc in docs:
            doc.term_ids = None
        self.docs = docs
        self.by_path = {d.path: i for i, d in enumerate(docs)}
        self._defs = None

    # ------------------------------------------------------------------ incremental start
    def _stale(self, files: list[FileEntry]) -> list[FileEntry]:
        """Scanned files whose size or mtime differ from the snapshot's, or that are new;
        files the snapshot has and the scan lacks are retired here."""
        stale = []
        by_path, docs = self.by_path, self.docs
        for entry in files:
            doc_id = by_path.get(entry.path)
            if doc_id is None:
                stale.append(entry)
                continue
            old = docs[doc_id].entry
            if old.size != entry.size or old.mtime_ns != entry.mtime_ns:
                stale.append(entry)
        self._gone = 0
        if len(by_path) + len(stale) > len(files):  # some indexed files were not scanned
            scanned = {e.path for e in files}
            for path in [p for p in by_path if p not in scanned]:
                self._retire(by_path.pop(path))
                self._gone += 1
        return stale

    def _refresh(self, stale: list[FileEntry], progress: Callable[[int, int], None] | None) -> None:
        """Bring the files that changed since the snapshot up to date: the per-file cache
        first (its stat matches: nothing is read), then a content hash (a touched but
        unchanged file keeps its analysis), then a fresh analysis."""
        if not stale:
            return
        root = str(self.root)
        known = self.cache.lookup(root, stale)
        fresh: list[tuple[FileEntry, str, Analysis]] = []
        seen: list[tuple[FileEntry, str]] = []
        changed: list[tuple[FileEntry, str, Analysis]] = []
        for n, entry in enumerate(stale, 1):
            doc_id = self.by_path.get(entry.path)
            old = self.docs[doc_id] if doc_id is not None else None
            dig, analysis = known.get(entry.path, ("", None))
            if analysis is not None:
                self.stats.from_cache += 1
            elif not (dig and old is not None and dig == old.digest):
                dig, analysis = self._examine(entry, old)
                if analysis is not None and dig:
                    fresh.append((entry, dig, analysis))
                elif dig:
                    seen.append((entry, dig))
            if analysis is None or (old is not None and dig == old.digest):
                if old is not None:
                    old.entry = entry  # same content, new stat
            else:
                changed.append((entry, dig, analysis))
            if progress and n % 500 == 0:
                progress(n, len(stale))
        # Stored before indexing: the index drops each analysis's terms as it takes them.
        self.cache.store(root, fresh)
        self.cache.remember(root, seen)
        for entry, dig, analysis in changed:
            self._add(entry, dig, analysis)

    def _examine(self, entry: FileEntry, old: Doc | None) -> tuple[str, Analysis | None]:
        """(digest, analysis) of a changed file; analysis None if its content is unchanged."""
        got = read_text(self.root, entry.path, self.config.max_file_bytes)
        self.stats.hashed += 1
        if got.text is None:
            return "", Analysis(None, 0, (), {}, got.problem)
        dig = digest(got.data)
        if old is not None and dig == old.digest:
            return dig, None
        cached = self.cache.get_analysis(dig)
        if cached is not None:
            self.stats.from_cache += 1
            cached.lang = lang.detect_language(entry.path)
            return dig, cached
        self.stats.analysed += 1
        return dig, analyze(entry.path, got.text)

    def _worth_rewriting(self, stale: int) -> bool:
        changed = stale + self._gone
        return changed >= max(SNAPSHOT_STALE_MIN, SNAPSHOT_STALE_SHARE * len(self.by_path))

    # ------------------------------------------------------------------ one document
    def _add(self, entry: FileEntry, dig: str, analysis: Analysis) -> None:
        self.changes += 1
        counts = doc_terms(entry.path, analysis)
        doc_id = len(self.docs)
        term_ids = array("I")
        vocab, df = self.vocab, self.df
        for term, n in counts.items():
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(vocab)
                df.append(0)
            term_ids.append(tid)
            self.postings.append(tid, doc_id)
            self.post_tf.append(tid, min(n, TF_MAX))
            df[tid] += 1
        analysis.terms = _NO_TERMS
        doc = Doc(entry.path, entry, dig, analysis, sum(counts.values()), term_ids=term_ids)
        self.total_len += doc.length
        self.alive += 1
        if self._defs is not None:
            for name in analysis.defs:
                self._defs.setdefault(name, set()).add(doc_id)
        old = self.by_path.get(entry.path)
        if old is not None:
            self._retire(old)
        self.by_path[entry.path] = doc_id
        self.docs.append(doc)

    def _retire(self, doc_id: int) -> None:
        self.changes += 1
        doc = self.docs[doc_id]
        if not doc.alive:
            return
        doc.alive = False
        self.alive -= 1
        self.total_len -= doc.length
        df = self.df
        for tid in self._terms_of(doc_id):
            df[tid] -= 1
        if self._defs is not None:
            for name in doc.analysis.defs:
                self._defs.get(name, set()).discard(doc_id)

    def _terms_of(self, doc_id: int) -> Iterable[int]:
        """The term ids of a document. Base documents do not keep theirs (it would double
        the index's size); find them by bisecting each term's sorted doc ids instead."""
        doc = self.docs[doc_id]
        if doc.term_ids is not None:
            return doc.term_ids
        data, off = self.postings.data, self.postings.offsets
        found = []
        lo = off[0]
        for tid in range(len(off) - 1):
            hi = off[tid + 1]
            if hi > lo:
                at = bisect.bisect_left(data, doc_id, lo, hi)
                if at < hi and data[at] == doc_id:
                    found.append(tid)
            lo = hi
        return found

    # ------------------------------------------------------------------ updates
    def update(self, rel: str, text: str | None = None) -> None:
        """Re-index one file from `text` (an open buffer) or from disk; drop it if it is gone."""
        self._outlines.pop(rel, None)
        if text is not None:
            self.overlays[rel] = text
            data = text.encode("utf-8", "surrogatepass")
            entry = FileEntry(rel, len(data), 0)
            self._add(entry, digest(data), analyze(rel, text))
            return
        self.overlays.pop(rel, None)
        full = self.root / rel
        try:
            st = full.stat()
        except OSError:
            self.remove(rel)
            return
        got = read_text(self.root, rel, self.config.max_file_bytes)
        if got.text is None:
            self.remove(rel)
            return
        entry = FileEntry(rel, st.st_size, st.st_mtime_ns)
        analysis = analyze(rel, got.text)
        dig = digest(got.data)
        self.cache.store(str(self.root), [(entry, dig, analysis)])
        self._add(entry, dig, analysis)

    def remove(self, rel: str) -> None:
        """Drop a file from the index (deleted, or newly excluded)."""
        self._outlines.pop(rel, None)
        self.overlays.pop(rel, None)
        doc_id = self.by_path.pop(rel, None)
        if doc_id is not None:
            self._retire(doc_id)

    # ------------------------------------------------------------------ queries
    @property
    def defs(self) -> dict[str, set[int]]:
        """Defined name -> ids of the documents defining it (built on first use)."""
        if self._defs is None:
            defs: dict[str, set[int]] = {}
            for doc_id in self.by_path.values():
                for name in self.docs[doc_id].analysis.defs:
                    got = defs.get(name)
                    if got is None:
                        defs[name] = {doc_id}
                    else:
                        got.add(doc_id)
            self._defs = defs
        return self._defs

    def live_docs(self) -> Iterator[tuple[int, Doc]]:
        """(doc id, doc) of every file in the index, by path."""
        for path in sorted(self.by_path):
            doc_id = self.by_path[path]
            yield doc_id, self.docs[doc_id]

    def term_id(self, term: str) -> int | None:
        return self.vocab.get(term)

    def idf(self, term: str) -> float:
        tid = self.vocab.get(term)
        n = self.df[tid] if tid is not None else 0
        return math.log(1 + (self.alive - n + 0.5) / (n + 0.5))

    def bm25(self, query: dict[str, float]) -> dict[int, float]:
        """Okapi BM25 of every live document for a weighted bag of query terms."""
        scores: dict[int, float] = {}
        avg = self.total_len / max(self.alive, 1)
        docs = self.docs
        k1, b = self.K1, self.B
        for term, weight in query.items():
            tid = self.vocab.get(term)
            if tid is None or not self.df[tid]:
                continue
            idf = self.idf(term) * weight
            for doc_id, tf in zip(self.postings[tid], self.post_tf[tid]):
                doc = docs[doc_id]
                if not doc.alive:
                    continue
                norm = k1 * (1 - b + b * doc.length / avg)
                scores[doc_id] = scores.get(doc_id, 0.0) + idf * tf * (k1 + 1) / (tf + norm)
        return scores

    def defined_in(self, name: str) -> set[int]:
        return {d for d in self.defs.get(name, ()) if self.docs[d].alive}

    def text(self, rel: str) -> str | None:
        """The current text of a file: the open buffer if there is one, else the disk."""
        if rel in self.overlays:
            return self.overlays[rel]
        return read_text(self.root, rel, self.config.max_file_bytes).text

    def forget_outline(self, rel: str) -> None:
        """Drop `rel`'s outline from memory (it stays in the persistent cache)."""
        self._outlines.pop(rel, None)

    def outline(self, rel: str, text: str) -> Outline:
        """The tree-sitter outline of a file (cached by content hash)."""
        got = self._outlines.get(rel)
        if got is not None:
            self._outlines.move_to_end(rel)
            return got
        doc = self.docs[self.by_path[rel]]
        got = self.cache.get_outline(doc.digest) if doc.digest else None
        if got is None:
            got = lang.outline(text, doc.analysis.lang)
            if doc.digest and rel not in self.overlays:
                self.cache.put_outline(doc.digest, got)
        self._outlines[rel] = got
        if len(self._outlines) > OUTLINES_KEPT:  # bounded: the server asks for many over time
            self._outlines.popitem(last=False)
        return got


def _folded(post: Postings, terms: int) -> Postings:
    """`post` with its appends folded in: copy the runs of untouched terms whole."""
    extra = post.extra
    off, data = post.offsets, post.data
    new_off = array("Q", [0]) * (terms + 1)
    pieces: list[array] = []
    shift = 0
    start = 0  # first term not yet copied
    for tid in sorted(extra) + [terms]:
        # Terms start..tid-1 have no appends: one slice of the data, offsets shifted.
        base_end = min(tid, len(off) - 1)
        if base_end > start:
            pieces.append(data[off[start] : off[base_end]])
            for t in range(start, base_end):
                new_off[t + 1] = off[t + 1] + shift
        for t in range(max(start, base_end), tid):  # new terms with no appends: empty
            new_off[t + 1] = new_off[t]
        if tid == terms:
            break
        lo, hi = post.span(tid)
        more = extra[tid]
        pieces.append(data[lo:hi])
        pieces.append(more)
        shift += len(more)
        new_off[tid + 1] = new_off[tid] + (hi - lo) + len(more)
        start = tid + 1
    flat = array(post.typecode)
    for piece in pieces:
        flat.extend(piece)
    return Postings(post.typecode, new_off, flat)


def _array(typecode: str, data: bytes) -> array:
    arr = array(typecode)
    arr.frombytes(data)
    return arr
