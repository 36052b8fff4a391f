"""A whole index as one picklable value, and back: a warm start loads it and re-examines
only the files whose size or mtime changed since (see `cache.py` for where it is kept)."""

from __future__ import annotations

from ..config import Config
from ..scan import FileEntry
from .analysis import NO_TERMS, Analysis
from .postings import Postings, from_bytes
from .store import Doc, Store

SNAPSHOT_FORMAT = 1


def snapshot_key(config: Config) -> str:
    """What decides the set of files and their analyses; a different setting keeps its own
    snapshot so alternating between two never rewrites either."""
    c = config
    return repr((SNAPSHOT_FORMAT, c.exclude, c.include, c.use_gitignore, c.max_file_bytes))


def dump(store: Store, root: str) -> tuple:
    """The snapshot of a store whose postings are flat (`Store.flatten` first)."""
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
            d.is_live,
        )
        for d in store.docs
    ]
    terms = sorted(store.vocab, key=store.vocab.__getitem__)
    return (
        SNAPSHOT_FORMAT,
        root,
        docs,
        "\n".join(terms),
        store.postings.offsets.tobytes(),
        store.postings.data.tobytes(),
        store.frequencies.data.tobytes(),
        store.doc_freq.tobytes(),
    )


def load(snap: object, root: str) -> Store | None:
    """The store a snapshot holds; None if it is of another format or root, or does not
    hold together."""
    try:
        fmt, snap_root, docs, terms, offsets, data, tfs, df = snap  # type: ignore[misc]
        if fmt != SNAPSHOT_FORMAT or snap_root != root:
            return None
        store = Store()
        off = from_bytes("Q", offsets)
        post = from_bytes("I", data)
        ptf = from_bytes("H", tfs)
        vocab_list = terms.split("\n") if terms else []
        store.doc_freq = from_bytes("I", df)
        if (
            len(off) != len(vocab_list) + 1
            or off[-1] != len(post)
            or len(ptf) != len(post)
            or len(store.doc_freq) != len(vocab_list)
        ):
            return None
        store.vocab = dict(zip(vocab_list, range(len(vocab_list))))
        store.postings = Postings("I", off, post)
        store.frequencies = Postings("H", off, ptf)
        by_path, all_docs = store.by_path, store.docs
        for path, size, mtime_ns, dig, language, lines, defs, problem, length, live in docs:
            analysis = Analysis(language, lines, defs, NO_TERMS, problem)
            doc = Doc(path, FileEntry(path, size, mtime_ns), dig, analysis, length, live)
            if live:
                by_path[path] = len(all_docs)
                store.total_len += length
            all_docs.append(doc)
        store.live_count = len(by_path)
        return store
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
