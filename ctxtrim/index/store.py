"""The documents of an index and their postings, in memory: adding, retiring, merging a
build's chunks, and keeping the postings flat (folding appends, dropping retired documents).

Doc ids only grow: a changed file gets a new id and its old one is retired, so every
posting list stays sorted by doc id."""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import TypeAlias

from ..scan import FileEntry
from .analysis import NO_TERMS, Analysis, SharedDefs, doc_terms
from .build import Chunk
from .postings import TF_MAX, Postings, flatten
from .vocab import Vocab

# Per-term doc ids and frequencies of a build in progress, flattened by `Store.finish`.
Lists: TypeAlias = "tuple[list[array[int]], list[array[int]]]"  # array[int]: 3.12+ at runtime

# Rebuild the postings without retired documents once they are this share of all documents.
COMPACT_SHARE = 0.1


@dataclass(slots=True)
class Doc:
    """One file in the index. `term_ids` is kept only for documents added after the base
    was built (the language server's edits), so retiring them is cheap."""

    path: str
    entry: FileEntry
    digest: str  # content hash; '' for a file with no text
    analysis: Analysis
    length: int = 0  # indexed term count (BM25's document length)
    is_live: bool = (
        True  # False once retired (changed, removed); its postings stay until compaction
    )
    term_ids: array[int] | None = None


class Store:
    """Documents, the vocabulary and the postings; what a snapshot saves."""

    def __init__(self) -> None:
        self.docs: list[Doc] = []
        self.by_path: dict[str, int] = {}  # live documents only
        self.vocab = Vocab()
        self.postings = Postings("I")  # term id -> doc ids (readers skip retired docs)
        self.frequencies = Postings("H")  # term id -> term frequencies, parallel to postings
        self.doc_freq = array("I")  # term id -> number of live docs that contain it
        self.total_len = 0  # sum of live documents' lengths
        self.live_count = 0  # live documents
        self._shared_defs: SharedDefs | None = None  # while chunks are merged

    # ------------------------------------------------------------------ building
    def merge(self, chunk: Chunk, entries: list[FileEntry], lists: Lists) -> None:
        """Fold a worker's chunk into the store under construction (chunks arrive in order);
        `lists` are the per-term doc id and frequency arrays `finish` flattens."""
        lists_docs, lists_tfs = lists
        vocab = self.vocab.writable()
        get = vocab.get
        off, cdocs, ctfs = chunk.offsets, chunk.docs, chunk.tfs
        for term, lo, hi in zip(chunk.terms, off, islice(off, 1, None)):
            tid = get(term)
            if tid is None:
                tid = vocab[term] = len(lists_docs)
                lists_docs.append(array("I"))
                lists_tfs.append(array("H"))
            lists_docs[tid].extend(cdocs[lo:hi])
            lists_tfs[tid].extend(ctfs[lo:hi])
        if self._shared_defs is None:
            self._shared_defs = SharedDefs()  # chunks repeat each other's definitions
        shared = self._shared_defs
        for n, (dig, analysis) in enumerate(zip(chunk.digests, chunk.analyses)):
            analysis.defs = shared(analysis.defs)
            entry = entries[chunk.base + n]
            length = chunk.lengths[n]
            self.by_path[entry.path] = len(self.docs)
            self.docs.append(Doc(entry.path, entry, dig, analysis, length))
            self.total_len += length
            self.live_count += 1

    def finish(self, lists: Lists) -> None:
        """Adopt the merged per-term arrays as the flat postings."""
        self._shared_defs = None
        lists_docs, lists_tfs = lists
        self.doc_freq = array("I", map(len, lists_docs))
        offsets, docs = flatten(lists_docs, "I")
        _, tfs = flatten(lists_tfs, "H")
        self.postings = Postings("I", offsets, docs)
        self.frequencies = Postings("H", offsets, tfs)

    # ------------------------------------------------------------------ one document
    def add(self, entry: FileEntry, dig: str, analysis: Analysis) -> int:
        """Index one file as a new document (its terms are taken from `analysis`); the id."""
        counts = doc_terms(entry.path, analysis)
        doc_id = len(self.docs)
        term_ids = array("I")
        vocab, df = self.vocab.writable(), self.doc_freq
        for term, n in counts.items():
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(vocab)
                df.append(0)
            term_ids.append(tid)
            self.postings.append(tid, doc_id)
            self.frequencies.append(tid, min(n, TF_MAX))
            df[tid] += 1
        analysis.terms = NO_TERMS
        doc = Doc(entry.path, entry, dig, analysis, sum(counts.values()), term_ids=term_ids)
        self.total_len += doc.length
        self.live_count += 1
        self.docs.append(doc)
        return doc_id

    def retire(self, doc_id: int) -> bool:
        """Take a document out of the counts; False if it was retired already."""
        doc = self.docs[doc_id]
        if not doc.is_live:
            return False
        doc.is_live = False
        self.live_count -= 1
        self.total_len -= doc.length
        df = self.doc_freq
        for tid in self._terms_of(doc_id):
            df[tid] -= 1
        return True

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

    # ------------------------------------------------------------------ flat again
    def flatten(self) -> bool:
        """Make the postings flat again: fold per-term appends into the arrays, or, once
        retired documents are a tenth of the index, rebuild them without those. True if
        doc ids changed (compaction)."""
        if len(self.docs) - self.live_count > COMPACT_SHARE * max(len(self.docs), 1):
            self._compact()
            return True
        if not self.postings.appended:
            return False
        self.postings = self.postings.folded(len(self.vocab))
        self.frequencies = self.frequencies.folded(len(self.vocab))
        for doc in self.docs:
            doc.term_ids = None
        return False

    def _compact(self) -> None:
        """Drop retired documents; doc ids stay in their old order, so postings stay sorted."""
        remap = array("i", [-1]) * len(self.docs)
        docs: list[Doc] = []
        for old, doc in enumerate(self.docs):
            if doc.is_live:
                remap[old] = len(docs)
                docs.append(doc)
        lists_docs: list[array[int]] = []
        lists_tfs: list[array[int]] = []
        vocab: dict[str, int] = {}
        ids = self.vocab.writable()
        for term in sorted(ids, key=ids.__getitem__):
            tid = ids[term]
            kept = [
                (remap[d], tf)
                for d, tf in zip(self.postings[tid], self.frequencies[tid])
                if remap[d] >= 0
            ]
            if not kept:
                continue  # a term no live document has any more
            vocab[term] = len(lists_docs)
            lists_docs.append(array("I", (d for d, _ in kept)))
            lists_tfs.append(array("H", (tf for _, tf in kept)))
        self.vocab = Vocab(vocab)
        self.finish((lists_docs, lists_tfs))
        for doc in docs:
            doc.term_ids = None
        self.docs = docs
        self.by_path = {d.path: i for i, d in enumerate(docs)}
