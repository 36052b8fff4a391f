"""The per-file analysis of a repository and the lexical index over it.

Every file gets a cheap analysis (language, line count, the names it defines, its terms),
computed once per content hash and kept in the cache. Tree-sitter outlines and exact token
counts are expensive, so they are computed only for the files a pack may show, and cached
too. The index updates one file at a time, so the language server can follow edits.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import lang
from .cache import Cache
from .config import Config
from .outline import Outline
from .scan import FileEntry, ScanResult, read_text
from .terms import path_terms, text_terms

# Names a file defines, found by a language-agnostic pattern; tree-sitter refines this for
# the few files a pack shows. Cheap enough to run on every file of a large repository.
_DEF = re.compile(
    r"^[ \t]*(?:(?:export|default|pub(?:\([^)]*\))?|async|static|public|private|protected|"
    r"abstract|final|inline|extern|unsafe|override|open|internal|sealed|partial|data)\s+)*"
    r"(?:def|class|function\*?|func|fn|struct|interface|enum|trait|type|module|impl|object|"
    r"record|union|namespace|protocol|macro_rules!)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)",
    re.M,
)
# `name = function(...)`, `const name = (...) =>`, and `name: function` in JS-like code.
_ASSIGNED_FN = re.compile(
    r"^[ \t]*(?:export\s+)?(?:const|let|var)?\s*([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?"
    r"(?:function\b|\([^)]*\)\s*=>)",
    re.M,
)
ANALYSIS_VERSION = 1


@dataclass(slots=True)
class Analysis:
    """What is known of one file's content; independent of its path except for `lang`."""

    lang: str | None
    lines: int
    defs: tuple[str, ...]
    terms: dict[str, int]
    problem: str | None = None  # why the file has no text (binary, not UTF-8, ...)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def analyze(path: str, text: str) -> Analysis:
    """The cheap analysis of one file's text."""
    defs = {m.group(1) for m in _DEF.finditer(text)}
    defs.update(m.group(1) for m in _ASSIGNED_FN.finditer(text))
    return Analysis(
        lang=lang.detect_language(path),
        lines=text.count("\n") + (0 if text.endswith("\n") or not text else 1),
        defs=tuple(sorted(defs)),
        terms=dict(text_terms(text)),
    )


def _analyze_file(job: tuple[str, str, int]) -> tuple[str, str, Analysis]:
    root, rel, max_bytes = job
    got = read_text(Path(root), rel, max_bytes)
    if got.text is None:
        return rel, "", Analysis(None, 0, (), {}, got.problem)
    return rel, digest(got.data), analyze(rel, got.text)


@dataclass(slots=True)
class Doc:
    """One file in the index."""

    path: str
    entry: FileEntry
    digest: str
    analysis: Analysis
    term_ids: array = field(default_factory=lambda: array("I"))
    tfs: array = field(default_factory=lambda: array("I"))
    length: int = 0
    alive: bool = True


class FileIndex:
    """BM25-ready inverted index over file terms, plus the defined-names map."""

    K1 = 1.2
    B = 0.75

    def __init__(self, root: Path, config: Config, cache: Cache) -> None:
        self.root = root
        self.config = config
        self.cache = cache
        self.docs: list[Doc] = []
        self.by_path: dict[str, int] = {}
        self.vocab: dict[str, int] = {}
        self.postings: dict[int, array] = {}  # term id -> doc ids (with repeats removed on rebuild)
        self.post_tf: dict[int, array] = {}
        self.df: Counter[int] = Counter()
        self.defs: dict[str, set[int]] = {}
        self.total_len = 0
        self.alive = 0
        self.overlays: dict[str, str] = {}  # path -> unsaved buffer text (language server)
        self._outlines: dict[str, Outline] = {}

    # ------------------------------------------------------------------ building
    def build(self, scan: ScanResult, progress: Callable[[int, int], None] | None = None) -> None:
        """Analyse every scanned file, reusing cached analyses of unchanged files."""
        known = self.cache.lookup(str(self.root), scan.files)
        todo = [e for e in scan.files if e.path not in known]
        results: dict[str, tuple[str, Analysis]] = dict(known)
        fresh = list(self._analyze_many(todo, progress, len(scan.files) - len(todo), len(scan.files)))
        for rel, dig, analysis in fresh:
            results[rel] = (dig, analysis)
        entries = {e.path: e for e in scan.files}
        if fresh:
            self.cache.store(str(self.root), [(entries[r], d, a) for r, d, a in fresh])
        for entry in scan.files:
            dig, analysis = results[entry.path]
            self._add(entry, dig, analysis)

    def _analyze_many(
        self,
        todo: list[FileEntry],
        progress: Callable[[int, int], None] | None,
        done: int,
        total: int,
    ) -> Iterable[tuple[str, str, Analysis]]:
        jobs = [(str(self.root), e.path, self.config.max_file_bytes) for e in todo]
        workers = min(os.cpu_count() or 1, 4)
        # A process pool pays for itself only on a large cold start.
        if workers > 1 and sum(e.size for e in todo) > 4_000_000:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for n, result in enumerate(pool.map(_analyze_file, jobs, chunksize=64), 1):
                    if progress and n % 500 == 0:
                        progress(done + n, total)
                    yield result
        else:
            for n, job in enumerate(jobs, 1):
                if progress and n % 500 == 0:
                    progress(done + n, total)
                yield _analyze_file(job)

    def _add(self, entry: FileEntry, dig: str, analysis: Analysis) -> None:
        doc = Doc(entry.path, entry, dig, analysis)
        counts = Counter(analysis.terms)
        # Path terms count as strong evidence: a file named for the thing is about the thing.
        for term, n in path_terms(entry.path).items():
            counts[term] += 3 * n
        doc_id = len(self.docs)
        vocab = self.vocab
        for term, n in counts.items():
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(vocab)
                self.postings[tid] = array("I")
                self.post_tf[tid] = array("I")
            doc.term_ids.append(tid)
            doc.tfs.append(n)
            self.postings[tid].append(doc_id)
            self.post_tf[tid].append(n)
            self.df[tid] += 1
        doc.length = sum(counts.values())
        self.total_len += doc.length
        self.alive += 1
        for name in analysis.defs:
            self.defs.setdefault(name, set()).add(doc_id)
        old = self.by_path.get(entry.path)
        if old is not None:
            self._retire(old)
        self.by_path[entry.path] = doc_id
        self.docs.append(doc)

    def _retire(self, doc_id: int) -> None:
        doc = self.docs[doc_id]
        if not doc.alive:
            return
        doc.alive = False
        self.alive -= 1
        self.total_len -= doc.length
        for tid in doc.term_ids:
            self.df[tid] -= 1
        for name in doc.analysis.defs:
            self.defs.get(name, set()).discard(doc_id)

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
        self._outlines.pop(rel, None)
        self.overlays.pop(rel, None)
        doc_id = self.by_path.pop(rel, None)
        if doc_id is not None:
            self._retire(doc_id)

    # ------------------------------------------------------------------ queries
    def live_docs(self) -> Iterable[tuple[int, Doc]]:
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

    def outline(self, rel: str, text: str) -> Outline:
        """The tree-sitter outline of a file (cached by content hash)."""
        got = self._outlines.get(rel)
        if got is not None:
            return got
        doc = self.docs[self.by_path[rel]]
        got = self.cache.get_outline(doc.digest) if doc.digest else None
        if got is None:
            got = lang.outline(text, doc.analysis.lang)
            if doc.digest and rel not in self.overlays:
                self.cache.put_outline(doc.digest, got)
        self._outlines[rel] = got
        return got
