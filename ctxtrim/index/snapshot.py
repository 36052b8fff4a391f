"""A whole index as one picklable value, and back: a warm start loads it and re-examines
only the files whose size or mtime changed since (see `cache.py` for where it is kept)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config import Config
from ..scan import FileEntry
from .analysis import NO_TERMS, Analysis, SharedDefs
from .postings import Postings, from_bytes
from .store import Doc, Store
from .vocab import Vocab

SNAPSHOT_FORMAT = 2

# path, size, mtime_ns, digest, language, lines, defs, problem, length, is_live
DocRow = tuple[str, int, int, str, str | None, int, tuple[str, ...], str | None, int, bool]
# format, root, docs, the terms sorted and joined by newlines, then as machine-order bytes:
# each term's start in that string and its id (see `vocab.py`), the postings' offsets, doc
# ids, frequencies and document frequencies
Snapshot = tuple[
    int,
    str,
    list[DocRow],
    str,
    bytes | memoryview,
    bytes | memoryview,
    bytes | memoryview,
    bytes | memoryview,
    bytes | memoryview,
    bytes | memoryview,
]
SNAPSHOT_PARTS = 10


def snapshot_key(config: Config) -> str:
    """What decides the set of files and their analyses; a different setting keeps its own
    snapshot so alternating between two never rewrites either."""
    c = config
    return repr((SNAPSHOT_FORMAT, c.exclude, c.include, c.use_gitignore, c.max_file_bytes))


def dump(store: Store, root: str) -> Snapshot:
    """The snapshot of a store whose postings are flat (`Store.flatten` first)."""
    # Equal digests and definition lists are written as one object: marshal then stores the
    # first and refers back to it, and a load shares it. Copies of a file (vendored code, a
    # monorepo's packages) and common names are most of them: on django copied 15 times,
    # 547k defined names are 28k distinct, and the loaded index is ~40 MB smaller.
    shared = SharedDefs()
    digests: dict[str, str] = {}
    docs: list[DocRow] = [
        (
            d.path,
            d.entry.size,
            d.entry.mtime_ns,
            digests.setdefault(d.digest, d.digest),
            d.analysis.lang,
            d.analysis.lines,
            shared(d.analysis.defs),
            d.analysis.problem,
            d.length,
            d.is_live,
        )
        for d in store.docs
    ]
    terms, starts, ids = store.vocab.sorted_parts()
    return (
        SNAPSHOT_FORMAT,
        root,
        docs,
        terms,
        # Views, not copies: marshal writes them as bytes, the arrays are not duplicated.
        memoryview(starts),
        memoryview(ids),
        memoryview(store.postings.offsets),
        memoryview(store.postings.data),
        memoryview(store.frequencies.data),
        memoryview(store.doc_freq),
    )


def load(snap: object, root: str, scanned: Mapping[str, FileEntry] | None = None) -> Store | None:
    """The store a snapshot holds; None if it is of another format or root, or does not
    hold together. A document whose file `scanned` (path -> the scan's entry) shows with
    the same size and mtime takes the scan's entry and path: not a second copy of each."""
    scanned = scanned or {}
    if not isinstance(snap, tuple) or len(snap) != SNAPSHOT_PARTS:
        return None
    parts: tuple[Any, ...] = snap
    try:
        fmt, snap_root, docs, terms, starts, ids, offsets, data, tfs, df = parts
        if fmt != SNAPSHOT_FORMAT or snap_root != root:
            return None
        store = Store()
        off = from_bytes("Q", offsets)
        post = from_bytes("I", data)
        ptf = from_bytes("H", tfs)
        store.doc_freq = from_bytes("I", df)
        vocab = Vocab.from_sorted(terms, from_bytes("Q", starts), from_bytes("I", ids))
        if (
            vocab is None
            or len(off) != len(vocab) + 1
            or off[-1] != len(post)
            or len(ptf) != len(post)
            or len(store.doc_freq) != len(vocab)
        ):
            return None
        store.vocab = vocab
        store.postings = Postings("I", off, post)
        store.frequencies = Postings("H", off, ptf)
        by_path, all_docs = store.by_path, store.docs
        for path, size, mtime_ns, dig, language, lines, defs, problem, length, live in docs:
            analysis = Analysis(language, lines, defs, NO_TERMS, problem)
            entry = scanned.get(path)
            if entry is None or entry.size != size or entry.mtime_ns != mtime_ns:
                entry = FileEntry(path, size, mtime_ns)
            path = entry.path
            doc = Doc(path, entry, dig, analysis, length, live)
            if live:
                by_path[path] = len(all_docs)
                store.total_len += length
            all_docs.append(doc)
        store.live_count = len(by_path)
        return store
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
