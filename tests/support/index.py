"""Build small indexes and describe everything they answer, for comparing two builds."""

from __future__ import annotations

from pathlib import Path

from ctxtrim.cache import CACHE_VERSION, Cache
from ctxtrim.config import Config
from ctxtrim.index import FileIndex
from ctxtrim.scan import scan

VERSION = CACHE_VERSION


def make_repo(root: Path, n: int = 12) -> Path:
    (root / "src").mkdir(parents=True)
    for i in range(n):
        (root / "src" / f"mod{i}.py").write_text(
            f'"""Module {i}."""\n\n\ndef handler_{i}(request):\n    return render_page_{i}(request)\n\n\n'
            f"class Widget{i}:\n    colour = 'blue{i}'\n"
        )
    (root / "README.md").write_text("# Demo\n\nWidgets and handlers.\n")
    (root / "logo.bin").write_bytes(b"\x00\x01binary")
    return root


def build(root: Path, cache_dir: Path | str) -> FileIndex:
    config = Config(cache_dir=str(cache_dir))
    index = FileIndex(root.resolve(), config, Cache.open(str(cache_dir), VERSION))
    index.build(scan(root, config))
    return index


def summary(index: FileIndex) -> dict[str, object]:
    """Everything an index answers, independent of doc ids and term ids."""
    store = index._store  # white-box: the postings themselves, not only what queries show
    postings: dict[str, list[tuple[str, int]]] = {}
    for term, tid in store.vocab.items():
        live = sorted(
            (store.docs[d].path, tf)
            for d, tf in zip(store.postings[tid], store.frequencies[tid])
            if store.docs[d].is_live
        )
        if live:
            postings[term] = live
            assert index.doc_freq(term) == len(live), term
    defs = {n: sorted(index.path_of(d) for d in index.defined_in(n)) for n in index.defs}
    return {
        "paths": sorted(index.paths()),
        "postings": postings,
        "defs": {n: p for n, p in defs.items() if p},
        "files": index.file_count,
        "total_len": store.total_len,
        "digests": {d.path: d.digest for _, d in index.live_docs()},
        "bm25": sorted(
            (index.path_of(d), round(s, 9))
            for d, s in index.bm25({"widget": 1.0, "handler": 0.5, "blue3": 2.0}).items()
        ),
    }
