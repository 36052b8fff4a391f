"""`FileIndex`: every file of a repository, analysed and indexed for BM25, kept current.

A warm start loads the whole built index from one per-root snapshot and only re-examines
the files whose size or mtime changed since; a cold start analyses everything (`build.py`).
The index updates one file at a time, so the language server can follow edits. No file's
text is kept after its analysis; only open buffers (`overlays`) are held.

Other modules read it through the named lookups below, never through its storage.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterator, KeysView
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import lang
from ..bm25 import idf as bm25_idf
from ..config import Config
from ..outline import Outline
from ..progress import Progress
from ..scan import FileEntry, ScanResult, read_regular, read_text
from . import snapshot
from .analysis import NAME_ONLY, Analysis, analyze, digest
from .build import Stream, max_workers
from .store import Doc, Lists, Store

if TYPE_CHECKING:  # the cache is handed in; the cache itself imports `analysis`
    from ..cache import Cache

# Rewrite the snapshot once this many files differ from it (else the few changed files are
# served from the per-file cache, and the snapshot write, a full copy, is saved).
SNAPSHOT_STALE_MIN = 48
SNAPSHOT_STALE_SHARE = 0.01
# Above this share of changed files an incremental start costs more than a cold one.
REBUILD_SHARE = 0.4
OUTLINES_KEPT = 256
# Texts of files read lately, up to this many characters: each pack's ranking searches the
# text of its best files for the task's literals, and a server's next pack the same ones.
TEXTS_KEPT_CHARS = 16_000_000
PROGRESS_EVERY = 500  # files between progress reports of an incremental start


@dataclass
class BuildStats:
    """What the last build did; tests and the benchmark read it."""

    files: int = 0
    analysed: int = 0  # files read and analysed
    hashed: int = 0  # files read only to check their content hash
    from_cache: int = 0  # analyses taken from the per-file cache
    snapshot: str = "none"  # none | loaded | written | refreshed
    parallel: bool = False
    streamed: int = 0  # files sent to workers while the scan still walked the tree
    idle_done: bool = False  # the caller's idle work ran while workers analysed


class FileIndex:
    """BM25-ready inverted index over file terms, plus the defined-names map."""

    K1 = 1.2
    B = 0.75

    def __init__(self, root: Path, config: Config, cache: Cache) -> None:
        self.root = root
        self.config = config
        self.cache = cache
        self.stats = BuildStats()
        self._store = Store()
        self._version = 0  # bumped by every add or removal: memos keyed by it go stale
        self._overlays: dict[str, str] = {}  # path -> unsaved buffer text (language server)
        self._defs: dict[str, set[int]] | None = None
        self._gone = 0  # files the snapshot had and the last scan did not
        self._outlines: OrderedDict[str, Outline] = OrderedDict()
        self._texts: OrderedDict[str, tuple[str, str]] = OrderedDict()  # path: (digest, text)
        self._texts_chars = 0
        # (documents' version key, the docs list they were computed for, norms): see bm25
        self._norms: tuple[tuple[int, int, int, int], list[Doc], list[float | None]] | None = None
        self._stream: Stream | None = None  # a cold build's analysis started during the scan
        self._lists: Lists = ([], [])  # and the postings it merged meanwhile
        self._save_apart = False  # while building: write a snapshot from a forked copy

    # ------------------------------------------------------------------ named lookups
    @property
    def version(self) -> int:
        """Changes with every add or removal: a memo keyed by it is stale when it differs."""
        return self._version

    @property
    def file_count(self) -> int:
        """How many files the index holds."""
        return self._store.live_count

    def __contains__(self, rel: object) -> bool:
        return rel in self._store.by_path

    def paths(self) -> KeysView[str]:
        """Every indexed file's path (in indexing order)."""
        return self._store.by_path.keys()

    def doc(self, rel: str) -> Doc | None:
        """The indexed file at `rel`, or None."""
        doc_id = self._store.by_path.get(rel)
        return self._store.docs[doc_id] if doc_id is not None else None

    def path_of(self, doc_id: int) -> str:
        """The path of a document id that `bm25` or `defined_in` returned."""
        return self._store.docs[doc_id].path

    def entries(self) -> list[tuple[str, FileEntry]]:
        """(path, size and mtime as indexed) of every file, in indexing order."""
        docs = self._store.docs
        return [(path, docs[i].entry) for path, i in self._store.by_path.items()]

    def total_bytes(self) -> int:
        """The size of every indexed file, summed."""
        docs = self._store.docs
        return sum(docs[i].entry.size for i in self._store.by_path.values())

    def doc_freq(self, term: str) -> int:
        """How many indexed files contain `term`."""
        tid = self._store.vocab.get(term)
        return self._store.doc_freq[tid] if tid is not None else 0

    def files_with(self, term: str) -> Iterator[str]:
        """The paths of the files that contain `term`, in doc id order."""
        tid = self._store.vocab.get(term)
        if tid is None:
            return
        docs = self._store.docs
        for doc_id in self._store.postings[tid]:
            doc = docs[doc_id]
            if doc.is_live:
                yield doc.path

    def text_indexed(self, rel: str) -> bool:
        """Whether every identifier in `rel`'s text yields indexed terms (a file indexed by
        its name only, such as a translation catalogue, has none)."""
        return not NAME_ONLY.search(rel)

    def has_overlay(self, rel: str) -> bool:
        """Whether `rel` is an open buffer (its text is not the disk's)."""
        return rel in self._overlays

    def overlays(self) -> dict[str, str]:
        """A copy of the open buffers: path -> text."""
        return dict(self._overlays)

    # ------------------------------------------------------------------ building
    @contextmanager
    def streaming(self) -> Iterator[Callable[[list[FileEntry]], None] | None]:
        """Where the scan about to run hands the files it finds, so that a cold build's
        worker processes analyse them while it walks; None when this start will not build
        from nothing (a snapshot is there) or no worker may be forked. Call `build` with
        the scan's result inside the block; leaving it stops any worker still running."""
        key = snapshot.snapshot_key(self.config)
        workers = 1 if self.cache.has_snapshot(str(self.root), key) else max_workers()
        if workers <= 1:
            yield None
            return
        stream = self._stream = Stream(str(self.root), self.config.max_file_bytes, workers)
        lists = self._lists = ([], [])

        def found(files: list[FileEntry]) -> None:
            stream.add(files)
            for chunk in stream.finished():  # merged now: no pile of chunks at the scan's end
                self._store.merge(chunk, stream.files, lists)

        try:
            yield found
        finally:
            self._stream = None
            stream.close()

    def build(
        self,
        scan: ScanResult,
        progress: Progress | None = None,
        idle: Callable[[], object] | None = None,
        save_apart: bool = False,
    ) -> None:
        """Index every scanned file: from the snapshot when there is one, re-examining only
        files whose size or mtime changed; else analyse everything (in parallel if large).
        `idle` is called once while worker processes analyse, if there are any: other start-up
        work (loading the tokenizer) overlaps the analysis instead of following it. With
        `save_apart`, a snapshot to write is written by a forked copy of this process
        (where one may be made) while the caller goes on; see `Cache.save_snapshot_apart`."""
        self._save_apart = save_apart
        try:
            self._build(scan, progress, idle)
        finally:
            self._save_apart = False

    def _build(
        self, scan: ScanResult, progress: Progress | None, idle: Callable[[], object] | None
    ) -> None:
        self.stats = BuildStats(files=len(scan.files))
        if self._stream is not None:  # no snapshot was there: the analysis has begun
            self._build_cold(scan.files, progress, idle)
            self.save_snapshot()
            self.stats.snapshot = "written"
            return
        key = snapshot.snapshot_key(self.config)
        snap = self.cache.load_snapshot(str(self.root), key)
        loaded = None
        if snap is not None:
            scanned = {entry.path: entry for entry in scan.files}
            loaded = snapshot.load(snap, str(self.root), scanned)
            del scanned
        del snap  # its byte strings are copied into the index's arrays: drop them now
        if loaded is not None:
            self._adopt(loaded)
            stale = self._stale(scan.files)
            if len(stale) <= REBUILD_SHARE * max(len(scan.files), 1):
                self.stats.snapshot = "loaded"
                self._refresh(stale, progress)
                if self._worth_rewriting(len(stale)):
                    self.save_snapshot()
                    self.stats.snapshot = "refreshed"
                return
            self._adopt(Store())
        self._build_cold(scan.files, progress, idle)
        self.save_snapshot()
        self.stats.snapshot = "written"

    def _adopt(self, store: Store) -> None:
        self._store = store
        self._defs = None

    def _build_cold(
        self, files: list[FileEntry], progress: Progress | None, idle: Callable[[], object] | None
    ) -> None:
        stream, lists = self._stream, self._lists
        if stream is None or not stream.matches(files):  # nothing streamed, or not in order
            if stream is not None:
                stream.close()
            self._adopt(Store())
            stream, lists = Stream(str(self.root), self.config.max_file_bytes, 1), ([], [])
        store = self._store
        for chunk in stream.chunks(files, idle):
            store.merge(chunk, files, lists)
            if progress:
                progress("index", chunk.base + len(chunk.digests), len(files))
        self.stats.analysed = len(files)
        self.stats.parallel = stream.workers_used > 1
        self.stats.idle_done = stream.workers_used > 1 and idle is not None
        self.stats.streamed = stream.sent
        store.finish(lists)
        self._lists = ([], [])

    def save_snapshot(self) -> None:
        """Persist the whole index for the next start (a no-op without a cache)."""
        if not self.cache.enabled:
            return
        if self._store.flatten():
            self._defs = None  # doc ids changed
        store, root, key = self._store, str(self.root), snapshot.snapshot_key(self.config)

        def dump() -> snapshot.Snapshot:
            return snapshot.dump(store, root)

        # A snapshot is a full copy of the index (~0.5 s at 100k files): written apart, it
        # costs a cold start nothing while a pack follows.
        if not (self._save_apart and self.cache.save_snapshot_apart(root, key, dump)):
            self.cache.save_snapshot(root, key, dump())

    # ------------------------------------------------------------------ incremental start
    def _stale(self, files: list[FileEntry]) -> list[FileEntry]:
        """Scanned files whose size or mtime differ from the snapshot's, or that are new;
        files the snapshot has and the scan lacks are retired here."""
        stale = []
        by_path, docs = self._store.by_path, self._store.docs
        for entry in files:
            doc_id = by_path.get(entry.path)
            if doc_id is None:
                stale.append(entry)
                continue
            old = docs[doc_id].entry
            if old is not entry and (old.size != entry.size or old.mtime_ns != entry.mtime_ns):
                stale.append(entry)
        self._gone = 0
        if len(by_path) + len(stale) > len(files):  # some indexed files were not scanned
            scanned = {e.path for e in files}
            for path in [p for p in by_path if p not in scanned]:
                self._retire(by_path.pop(path))
                self._gone += 1
        return stale

    def _refresh(self, stale: list[FileEntry], progress: Progress | None) -> None:
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
            old = self.doc(entry.path)
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
            if progress and n % PROGRESS_EVERY == 0:
                progress("index", n, len(stale))
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
        return dig, analyze(entry.path, got.text, got.utf8)

    def _worth_rewriting(self, stale: int) -> bool:
        changed = stale + self._gone
        return changed >= max(SNAPSHOT_STALE_MIN, SNAPSHOT_STALE_SHARE * self.file_count)

    # ------------------------------------------------------------------ one document
    def _add(self, entry: FileEntry, dig: str, analysis: Analysis) -> None:
        self._version += 1
        store = self._store
        doc_id = store.add(entry, dig, analysis)
        if self._defs is not None:
            for name in analysis.defs:
                self._defs.setdefault(name, set()).add(doc_id)
        old = store.by_path.get(entry.path)
        if old is not None:
            self._retire(old)
        store.by_path[entry.path] = doc_id

    def _retire(self, doc_id: int) -> None:
        self._version += 1
        if self._store.retire(doc_id) and self._defs is not None:
            for name in self._store.docs[doc_id].analysis.defs:
                self._defs.get(name, set()).discard(doc_id)

    # ------------------------------------------------------------------ updates
    def update(self, rel: str, text: str | None = None) -> None:
        """Re-index one file from `text` (an open buffer) or from disk; drop it if it is gone."""
        self._outlines.pop(rel, None)
        if text is not None:
            self._overlays[rel] = text
            data = text.encode("utf-8", "surrogatepass")
            entry = FileEntry(rel, len(data), 0)
            self._add(entry, digest(data), analyze(rel, text))
            return
        self._overlays.pop(rel, None)
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
        analysis = analyze(rel, got.text, got.utf8)
        dig = digest(got.data)
        self.cache.store(str(self.root), [(entry, dig, analysis)])
        self._add(entry, dig, analysis)
        self._keep_text(rel, dig, got.text)

    def remove(self, rel: str) -> None:
        """Drop a file from the index (deleted, or newly excluded)."""
        self._outlines.pop(rel, None)
        self._overlays.pop(rel, None)
        doc_id = self._store.by_path.pop(rel, None)
        if doc_id is not None:
            self._retire(doc_id)

    # ------------------------------------------------------------------ queries
    @property
    def defs(self) -> dict[str, set[int]]:
        """Defined name -> ids of the documents defining it (built on first use)."""
        if self._defs is None:
            defs: dict[str, set[int]] = {}
            docs = self._store.docs
            for doc_id in self._store.by_path.values():
                for name in docs[doc_id].analysis.defs:
                    got = defs.get(name)
                    if got is None:
                        defs[name] = {doc_id}
                    else:
                        got.add(doc_id)
            self._defs = defs
        return self._defs

    def live_docs(self) -> Iterator[tuple[int, Doc]]:
        """(doc id, doc) of every file in the index, by path."""
        by_path, docs = self._store.by_path, self._store.docs
        for path in sorted(by_path):
            doc_id = by_path[path]
            yield doc_id, docs[doc_id]

    def idf(self, term: str) -> float:
        return bm25_idf(self.file_count, self.doc_freq(term))

    def bm25(self, query: dict[str, float]) -> dict[int, float]:
        """Okapi BM25 of every live document for a weighted bag of query terms."""
        store = self._store
        norms = self._length_norms()
        saturation = self.K1 + 1
        # Summed in a list by document id (a fifth faster than a dict: the loop runs once
        # per posting, ~10k for an issue's words in django), with the ids in the order first
        # reached, which the result keeps.
        sums = [0.0] * len(norms)
        reached: list[int] = []
        for term, weight in query.items():
            tid = store.vocab.get(term)
            if tid is None or not store.doc_freq[tid]:
                continue
            idf = self.idf(term) * weight
            for doc_id, tf in zip(store.postings[tid], store.frequencies[tid]):
                norm = norms[doc_id]
                if norm is None:  # a retired document
                    continue
                total = sums[doc_id]
                if not total:
                    reached.append(doc_id)
                sums[doc_id] = total + idf * tf * saturation / (tf + norm)
        return {doc_id: sums[doc_id] for doc_id in reached}

    def _length_norms(self) -> list[float | None]:
        """BM25's length normalisation of every document id (None for a retired one), kept
        until the documents change: a query then does one list lookup per posting."""
        store = self._store
        key = (self._version, store.total_len, store.live_count, len(store.docs))
        if self._norms is None or self._norms[0] != key or self._norms[1] is not store.docs:
            avg = store.total_len / max(store.live_count, 1)
            k1, b = self.K1, self.B
            norms = [
                k1 * (1 - b + b * doc.length / avg) if doc.is_live else None for doc in store.docs
            ]
            self._norms = (key, store.docs, norms)
        return self._norms[2]

    def defined_in(self, name: str) -> set[int]:
        docs = self._store.docs
        return {d for d in self.defs.get(name, ()) if docs[d].is_live}

    def text(self, rel: str, keep: bool = True) -> str | None:
        """The current text of a file: the open buffer if there is one, else the disk (read
        again only once the index holds other content for it). `keep=False` for a text
        read once for good (the cache warmer's), which should not push out the others."""
        if rel in self._overlays:
            return self._overlays[rel]
        doc = self.doc(rel)
        digest = doc.digest if doc is not None else ""
        kept = self._texts.get(rel)
        if kept is not None and kept[0] == digest:
            self._texts.move_to_end(rel)
            return kept[1]
        text = read_text(self.root, rel, self.config.max_file_bytes).text
        if text is not None and digest and keep:
            self._keep_text(rel, digest, text)
        return text

    def _keep_text(self, rel: str, digest: str, text: str) -> None:
        old = self._texts.pop(rel, None)
        if old is not None:
            self._texts_chars -= len(old[1])
        self._texts[rel] = (digest, text)
        self._texts_chars += len(text)
        while self._texts_chars > TEXTS_KEPT_CHARS:
            _, (_, dropped) = self._texts.popitem(last=False)
            self._texts_chars -= len(dropped)

    def head(self, rel: str, size: int) -> str:
        """About the first `size` characters of a file's current text, reading no further
        (a header comment, without the cost of the whole file); '' if it cannot be read."""
        if rel in self._overlays:
            return self._overlays[rel][:size]
        data = read_regular(os.path.join(self.root, rel), size, str(self.root))
        return data[:size].decode("utf-8", "replace") if isinstance(data, bytes) else ""

    def forget_outline(self, rel: str) -> None:
        """Drop `rel`'s outline from memory (it stays in the persistent cache)."""
        self._outlines.pop(rel, None)

    def outline(self, rel: str, text: str) -> Outline:
        """The tree-sitter outline of a file (cached by content hash)."""
        got = self._outlines.get(rel)
        if got is not None:
            self._outlines.move_to_end(rel)
            return got
        doc = self._store.docs[self._store.by_path[rel]]
        got = self.cache.get_outline(doc.digest) if doc.digest else None
        if got is None:
            got = lang.outline(text, doc.analysis.lang)
            if doc.digest and rel not in self._overlays:
                self.cache.put_outline(doc.digest, got)
        self._outlines[rel] = got
        if len(self._outlines) > OUTLINES_KEPT:  # bounded: the server asks for many over time
            self._outlines.popitem(last=False)
        return got
