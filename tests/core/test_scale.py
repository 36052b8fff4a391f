"""A generated repository of a few thousand files: it packs correctly, the parallel cold
build equals the serial one, and nothing holds file texts. No timings here: performance is
measured by tests/bench/bench.py."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable
from pathlib import Path

import pytest

import ctxtrim.index.build as index_build
from ctxtrim.cache import Cache
from ctxtrim.cli import main
from ctxtrim.config import Config
from ctxtrim.index import FileIndex
from ctxtrim.scan import scan

from ..support.index import VERSION, make_repo, summary

PACKAGES = 30
MODULES = 100  # 30 x 100 = 3,000 modules, plus a few ignored and binary files


def generate(root: Path) -> Path:
    """A deterministic tree: many similar modules, one that holds the answer."""
    for p in range(PACKAGES):
        pkg = root / "src" / f"pkg{p:02d}"
        pkg.mkdir(parents=True)
        for m in range(MODULES):
            (pkg / f"mod{m:03d}.py").write_text(
                f'"""Helpers {p}.{m} for the storage layer."""\n\n'
                f"from pkg{(p + 1) % PACKAGES:02d}.mod{m:03d} import helper_{m}\n\n\n"
                f"def helper_{m}(value):\n    return value * {m} + {p}\n\n\n"
                f"class Record{p}x{m}:\n    size = {m}\n"
            )
    target = root / "src" / "pkg17" / "ledger.py"
    target.write_text(
        '"""Reconcile the quarterly ledger."""\n\n\n'
        "def reconcile_quarterly_ledger(entries):\n"
        "    return sum(e.amount for e in entries)\n"
    )
    (root / ".gitignore").write_text("generated/\n")
    (root / "generated").mkdir()
    (root / "generated" / "big.py").write_text("def reconcile_quarterly_ledger():\n    pass\n")
    (root / "src" / "blob.bin").write_bytes(bytes(range(256)) * 4)
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("scale") / "repo")


def build(root: Path, cache_dir: str, parallel: bool, monkeypatch: pytest.MonkeyPatch) -> FileIndex:
    monkeypatch.setattr(index_build, "PARALLEL_MIN_BYTES", 0 if parallel else 10**15)
    monkeypatch.setattr(index_build, "PARALLEL_MIN_FILES", 0)
    config = Config(cache_dir=cache_dir)
    index = FileIndex(root.resolve(), config, Cache.open(cache_dir, VERSION))
    index.build(scan(root, config))
    return index


def test_generated_tree_packs_the_relevant_file(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(tmp_path / "cache"))
    args = [
        "pack",
        str(tree),
        "reconcile the quarterly ledger",
        "--budget",
        "3000",
        "--format",
        "json",
    ]
    assert main(args) == 0
    cold = json.loads(capsys.readouterr().out)
    paths = [i["path"] for i in cold["items"] if i["kind"] == "file"]
    assert paths[0] == "src/pkg17/ledger.py"
    assert "generated/big.py" not in paths and cold["tokens"] <= 3000
    assert cold["omitted"]["files"] == PACKAGES * MODULES + 2 - len(paths)  # + ledger + blob
    assert main(args) == 0  # warm, from the snapshot
    assert json.loads(capsys.readouterr().out) == cold


def test_parallel_cold_build_equals_serial(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = build(tree, "", parallel=False, monkeypatch=monkeypatch)
    parallel = build(tree, "", parallel=True, monkeypatch=monkeypatch)
    assert not serial.stats.parallel and parallel.stats.parallel
    assert summary(parallel) == summary(serial)
    assert list(parallel.paths()) == list(serial.paths())


def test_index_is_compact(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = build(tree, str(tmp_path / "c"), parallel=False, monkeypatch=monkeypatch)
    warm = build(tree, str(tmp_path / "c"), parallel=False, monkeypatch=monkeypatch)
    for ix in (index, warm):
        assert ix.file_count == PACKAGES * MODULES + 2
        # Postings live in flat arrays, not in one object per term; no text, no term dicts.
        store = ix._store  # white-box: the storage itself
        assert type(store.postings.data).__name__ == "array" and not store.postings.appended
        assert len(store.postings.offsets) == len(store.vocab) + 1
        assert all(not d.analysis.terms and d.term_ids is None for d in store.docs)
        assert not ix.overlays() and not ix._outlines
    assert warm.stats.snapshot == "loaded" and summary(warm) == summary(index)


def test_postings_posted_in_batches_equal_those_of_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cold build posts the terms of several files at once (`POSTING_BATCH_TERMS`); the
    # language server's edits add one file at a time, by other code: both must index alike.
    root = make_repo(tmp_path / "repo")
    monkeypatch.setattr(index_build, "POSTING_BATCH_TERMS", 12)  # 2-3 files a batch
    config = Config(cache_dir="")
    cold = FileIndex(root.resolve(), config, Cache.open("", VERSION))
    scanned = scan(root, config)
    cold.build(scanned)
    edited = FileIndex(root.resolve(), config, Cache.open("", VERSION))
    for entry in scanned.files:
        edited.update(entry.path)
    assert summary(edited)["postings"]  # the comparison is not of two empty indexes
    assert summary(cold) == summary(edited)
    assert list(cold.paths()) == list(edited.paths())


def build_streaming(
    root: Path,
    monkeypatch: pytest.MonkeyPatch,
    hand_in: Callable[[Callable[..., None], list], None],
    cache_dir: str = "",
) -> FileIndex:
    """A cold build whose scan hands its files over through `hand_in(found, files)`."""
    monkeypatch.setattr(index_build, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(index_build, "PARALLEL_MIN_FILES", 0)
    monkeypatch.setattr(index_build, "STREAM_CHUNK_COST", 20_000)  # a chunk every ~10 files
    config = Config(cache_dir=cache_dir)
    index = FileIndex(root.resolve(), config, Cache.open(cache_dir, VERSION))
    with index.streaming() as found:
        assert found is not None
        scanned = scan(root, config, found=lambda files: hand_in(found, files))
        index.build(scanned)
    assert not multiprocessing.active_children()  # every worker has ended
    return index


def test_cold_build_started_during_the_scan_equals_serial(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = build(tree, "", parallel=False, monkeypatch=monkeypatch)
    streamed = build_streaming(tree, monkeypatch, lambda found, files: found(files))
    assert streamed.stats.parallel and 0 < streamed.stats.streamed < streamed.file_count
    assert summary(streamed) == summary(serial)
    assert list(streamed.paths()) == list(serial.paths())


def test_the_rest_of_a_stream_is_cut_as_a_plain_build_cuts_it(tree: Path) -> None:
    # The stream keeps each file's cost as it comes; the jobs cut from them are the same.
    files = scan(tree, Config(cache_dir="")).files
    stream = index_build.Stream(str(tree), 1_000_000, 2)
    for n in range(0, len(files), 7):
        stream.add(files[n : n + 7])
    assert stream.sent == 0 and stream.matches(files)  # too little for a worker: none sent
    assert index_build.chunk_jobs(
        str(tree), 1_000_000, files, 2, 0, stream._costs
    ) == index_build.chunk_jobs(str(tree), 1_000_000, files, 2)
    stream.close()


def test_files_handed_over_out_of_order_are_built_the_plain_way(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = build(tree, "", parallel=False, monkeypatch=monkeypatch)
    runs: list[list] = []

    def swap_runs(found: Callable[..., None], files: list) -> None:
        # The third run is handed in before the second: what was sent assumed wrong doc ids.
        runs.append(files)
        if len(runs) != 2:
            found(files)
        if len(runs) == 3:
            found(runs[1])

    streamed = build_streaming(tree, monkeypatch, swap_runs)
    assert streamed.stats.streamed == 0 and streamed.stats.parallel
    assert summary(streamed) == summary(serial)
    assert list(streamed.paths()) == list(serial.paths())


def test_an_interrupted_cold_build_stops_its_workers_and_leaves_no_snapshot(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail_late(found: Callable[..., None], files: list) -> None:
        found(files)
        if files[0].path.startswith("src/pkg20/"):
            raise KeyboardInterrupt  # Ctrl-C while workers analyse what the scan found

    monkeypatch.delenv("CTXTRIM_CACHE_DIR")  # which would win over the directory given
    cache_dir = str(tmp_path / "cache")
    with pytest.raises(KeyboardInterrupt):
        build_streaming(tree, monkeypatch, fail_late, cache_dir)
    assert not multiprocessing.active_children()
    assert not list((tmp_path / "cache").glob("snapshots/*"))  # none, not a partial one
    again = build(tree, cache_dir, parallel=True, monkeypatch=monkeypatch)
    assert again.stats.snapshot == "written"
    assert summary(again) == summary(build(tree, "", parallel=False, monkeypatch=monkeypatch))
