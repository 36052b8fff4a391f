"""The persistent index: hits, incremental refresh, corruption recovery, concurrency, CLI."""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import ctxtrim.cache as cache_module
import ctxtrim.index.file_index as file_index
from ctxtrim.cache import Cache, wait_for_writers
from ctxtrim.cli import main
from ctxtrim.config import Config
from ctxtrim.fit import PREPARED_FACTS
from ctxtrim.index import FileIndex, digest, find_defs
from ctxtrim.index.postings import TF_MAX
from ctxtrim.lang import outline
from ctxtrim.scan import read_text, scan

from ..support import DEMO
from ..support.index import VERSION, build, make_repo, summary


def cold(root: Path) -> dict[str, object]:
    return summary(build(root, ""))


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The directory passed explicitly; the environment must not override it here.
    monkeypatch.delenv("CTXTRIM_CACHE_DIR", raising=False)
    return tmp_path / "cache"


def test_unchanged_repository_is_not_reread(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(tmp_path / "repo")
    first = build(root, cache_dir)
    assert first.stats.analysed == first.stats.files and first.stats.snapshot == "written"

    def no_reading(*args: object, **kwargs: object) -> object:
        raise AssertionError("a file was read on a warm start")

    monkeypatch.setattr(file_index, "read_text", no_reading)
    monkeypatch.setattr(file_index, "analyze", no_reading)
    second = build(root, cache_dir)
    assert second.stats.snapshot == "loaded"
    assert (second.stats.analysed, second.stats.hashed) == (0, 0)
    assert summary(second) == summary(first)


def test_changed_file_is_reanalysed_and_the_rest_is_not(tmp_path: Path, cache_dir: Path) -> None:
    root = make_repo(tmp_path / "repo")
    build(root, cache_dir)
    target = root / "src" / "mod3.py"
    target.write_text("def brand_new_function():\n    return 'mauve'\n")
    warm = build(root, cache_dir)
    assert (warm.stats.analysed, warm.stats.hashed) == (1, 1)
    assert warm.doc_freq("mauve") == 1
    assert warm.defined_in("brand_new_function") == {
        d for d, doc in warm.live_docs() if doc.path == "src/mod3.py"
    }
    assert not warm.defined_in("handler_3")
    assert summary(warm) == cold(root)
    # The next start takes the changed file's analysis from the per-file cache: no reading.
    again = build(root, cache_dir)
    assert (again.stats.analysed, again.stats.hashed, again.stats.from_cache) == (0, 0, 1)
    assert summary(again) == cold(root)


def test_touched_but_unchanged_file_is_hashed_not_analysed(tmp_path: Path, cache_dir: Path) -> None:
    root = make_repo(tmp_path / "repo")
    build(root, cache_dir)
    path = root / "src" / "mod1.py"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    warm = build(root, cache_dir)
    assert (warm.stats.analysed, warm.stats.hashed) == (0, 1)
    doc = warm.doc("src/mod1.py")
    assert doc is not None and doc.entry.mtime_ns == st.st_mtime_ns + 5_000_000_000
    assert build(root, cache_dir).stats.hashed == 0  # the new stat was remembered


def test_added_and_deleted_files(tmp_path: Path, cache_dir: Path) -> None:
    root = make_repo(tmp_path / "repo")
    build(root, cache_dir)
    (root / "src" / "mod0.py").unlink()
    (root / "src" / "extra.py").write_text("def extra_thing():\n    pass\n")
    warm = build(root, cache_dir)
    assert "src/mod0.py" not in warm and "src/extra.py" in warm
    assert summary(warm) == cold(root)


def test_many_changes_rewrite_and_compact_the_snapshot(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_index, "SNAPSHOT_STALE_MIN", 3)
    monkeypatch.setattr(file_index, "REBUILD_SHARE", 0.9)
    root = make_repo(tmp_path / "repo", n=20)
    build(root, cache_dir)
    for i in range(8):  # 8 of 22 files: the retired versions exceed a tenth of the docs
        (root / "src" / f"mod{i}.py").write_text(f"def changed_{i}():\n    return {i}\n")
    warm = build(root, cache_dir)
    assert warm.stats.snapshot == "refreshed"
    assert summary(warm) == cold(root)
    again = build(root, cache_dir)
    assert again.stats.snapshot == "loaded" and again.stats.analysed == again.stats.hashed == 0
    assert len(again._store.docs) == again.file_count  # compacted: no retired documents left
    assert summary(again) == cold(root)


def test_snapshot_with_appends_folds_back_exactly(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_index, "SNAPSHOT_STALE_MIN", 1)
    root = make_repo(tmp_path / "repo", n=30)
    build(root, cache_dir)
    (root / "src" / "mod7.py").write_text("def only_here():\n    return 'zebra'\n")
    assert build(root, cache_dir).stats.snapshot == "refreshed"  # 1 dead of 32: folded, kept
    again = build(root, cache_dir)
    assert again.stats.hashed == 0 and len(again._store.docs) == again.file_count + 1
    assert summary(again) == cold(root)


def test_editor_update_of_a_snapshot_document(tmp_path: Path, cache_dir: Path) -> None:
    root = make_repo(tmp_path / "repo")
    build(root, cache_dir)
    warm = build(root, cache_dir)
    new_text = "def replaced():\n    return 'violet'\n"
    warm.update("src/mod2.py", new_text)  # an unsaved buffer
    (root / "src" / "mod2.py").write_text(new_text)
    assert summary(warm) | {"digests": None} == cold(root) | {"digests": None}
    warm.update("src/mod2.py", new_text + "# more\n")  # a second edit retires an appended doc
    warm.remove("src/mod5.py")
    (root / "src" / "mod2.py").write_text(new_text + "# more\n")
    (root / "src" / "mod5.py").unlink()
    assert summary(warm) | {"digests": None} == cold(root) | {"digests": None}


def test_analyses_are_not_kept_in_memory(tmp_path: Path, cache_dir: Path) -> None:
    root = make_repo(tmp_path / "repo")
    for index in (build(root, cache_dir), build(root, cache_dir)):
        assert all(not d.analysis.terms for d in index._store.docs)
        assert not index.overlays()


# ---------------------------------------------------------------------- damaged caches
def _db(cache_dir: Path) -> Path:
    return cache_dir / "index.sqlite"


def _snapshots(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "snapshots").glob("*.snap"))


def _populate(root: Path, cache_dir: Path) -> None:
    build(root, cache_dir)
    (root / "src" / "mod1.py").write_text("def fresh():\n    pass\n")
    build(root, cache_dir)  # puts a row in the database too
    assert _db(cache_dir).stat().st_size > 0 and _snapshots(cache_dir)
    # sqlite3 connections sit in reference cycles: close this process's before the damage,
    # as a separate process (the real case) would have.
    gc.collect()


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_damaged_database_is_set_aside_and_rebuilt(
    tmp_path: Path, cache_dir: Path, damage: str
) -> None:
    root = make_repo(tmp_path / "repo")
    _populate(root, cache_dir)
    db = _db(cache_dir)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    data = db.read_bytes()
    if damage == "truncate":
        db.write_bytes(data[:1000])
    elif damage == "garbage":
        db.write_bytes(os.urandom(len(data)))
    else:
        db.write_bytes(b"")
    (root / "src" / "mod4.py").write_text("def after_damage():\n    pass\n")
    warm = build(root, cache_dir)
    assert summary(warm) == cold(root)
    info = warm.cache.info()
    assert info["database"] is True  # a working database again
    assert build(root, cache_dir).stats.analysed == 0


def test_damaged_pages_inside_the_database(tmp_path: Path, cache_dir: Path) -> None:
    root = make_repo(tmp_path / "repo")
    _populate(root, cache_dir)
    db = _db(cache_dir)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    for at in range(4096, len(data), 97):  # scribble over every page but the header's
        data[at] ^= 0x5A
    db.write_bytes(bytes(data))
    cache = Cache.open(str(cache_dir), VERSION)
    cache.lookup(str(root.resolve()), scan(root).files)  # must not raise
    cache.get_analysis("0" * 32)
    (root / "src" / "mod2.py").write_text("def later():\n    pass\n")
    assert summary(build(root, cache_dir)) == cold(root)


def test_database_from_another_version_is_started_afresh(tmp_path: Path, cache_dir: Path) -> None:
    root = make_repo(tmp_path / "repo")
    _populate(root, cache_dir)
    with sqlite3.connect(_db(cache_dir)) as conn:
        conn.execute("UPDATE meta SET value = '1:0.0.1+a0' WHERE key = 'schema'")
    other = Cache.open(str(cache_dir), "9.9.9+a9")
    assert other.info()["files"] == 0  # the foreign rows were dropped
    assert other.load_snapshot(str(root.resolve()), "anything") is None
    mine = build(root, cache_dir)  # and back: this version's snapshot file is still valid
    assert summary(mine) == cold(root)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip"])
def test_damaged_snapshot_is_ignored_and_replaced(
    tmp_path: Path, cache_dir: Path, damage: str
) -> None:
    root = make_repo(tmp_path / "repo")
    build(root, cache_dir)
    (snap,) = _snapshots(cache_dir)
    data = bytearray(snap.read_bytes())
    if damage == "truncate":
        snap.write_bytes(bytes(data[: len(data) // 2]))
    elif damage == "garbage":
        snap.write_bytes(os.urandom(len(data)))
    else:
        data[len(data) // 2] ^= 1
        snap.write_bytes(bytes(data))
    again = build(root, cache_dir)
    assert again.stats.snapshot == "written" and summary(again) == cold(root)
    assert build(root, cache_dir).stats.snapshot == "loaded"


def test_snapshot_of_another_root_is_not_used(tmp_path: Path, cache_dir: Path) -> None:
    a = make_repo(tmp_path / "a")
    b = make_repo(tmp_path / "b", n=5)
    build(a, cache_dir)
    assert build(b, cache_dir).stats.snapshot == "written"
    assert summary(build(b, cache_dir)) == cold(b)


def test_unwritable_cache_directory_degrades_to_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    root = make_repo(tmp_path / "repo")
    index = build(root, blocker / "cache")
    assert summary(index) == cold(root)


# ---------------------------------------------------------------------- concurrency
_BUILD = """
import sys
from pathlib import Path
from ctxtrim.cache import Cache
from ctxtrim.config import Config
from ctxtrim.index import FileIndex
from ctxtrim.scan import read_text, scan
root, cache_dir, version = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
config = Config(cache_dir=cache_dir)
index = FileIndex(root.resolve(), config, Cache.open(cache_dir, version))
index.build(scan(root, config))
print(index.file_count, index.stats.snapshot, sorted(index._store.vocab)[:5])
"""


def test_two_processes_building_the_same_repository_at_once(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = make_repo(tmp_path / "repo", n=300)
    env = {k: v for k, v in os.environ.items() if k != "CTXTRIM_CACHE_DIR"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _BUILD, str(root), str(cache_dir), VERSION],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    assert len({out.split(" ", 1)[0] for out, _ in outs}) == 1
    assert len(_snapshots(cache_dir)) == 1
    assert not list((cache_dir / "snapshots").glob("*.tmp"))
    warm = build(root, cache_dir)
    assert warm.stats.snapshot == "loaded" and summary(warm) == cold(root)


# ---------------------------------------------------------------------- snapshots written apart
def build_apart(root: Path, cache_dir: Path) -> FileIndex:
    """A build whose snapshot is written by a forked copy of this process, as a cold
    Workspace.open has it."""
    config = Config(cache_dir=str(cache_dir))
    index = FileIndex(root.resolve(), config, Cache.open(str(cache_dir), VERSION))
    index.build(scan(root, config), save_apart=True)
    return index


def test_a_snapshot_written_apart_is_in_place_once_its_writer_is_waited_for(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = make_repo(tmp_path / "repo")
    assert threading.active_count() == 1  # else the snapshot is written in this process
    index = build_apart(root, cache_dir)
    assert index.stats.snapshot == "written" and len(cache_module._WRITERS) == 1
    wait_for_writers()
    assert not cache_module._WRITERS and len(_snapshots(cache_dir)) == 1
    assert not list((cache_dir / "snapshots").glob(".*.tmp"))
    warm = build(root, cache_dir)
    assert warm.stats.snapshot == "loaded" and summary(warm) == summary(index) == cold(root)


def test_with_other_threads_the_snapshot_is_written_in_this_process(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = make_repo(tmp_path / "repo")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # as the language server's threads
    other.start()
    try:
        build_apart(root, cache_dir)
        assert not cache_module._WRITERS and len(_snapshots(cache_dir)) == 1
    finally:
        stop.set()
        other.join()


def test_a_writer_killed_mid_write_leaves_no_snapshot_and_the_next_start_rebuilds(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(tmp_path / "repo")
    real_check = cache_module._check

    def die_while_writing(body: bytes) -> bytes:
        if os.getpid() != parent:  # the writer, with its temporary file open: killed
            os.kill(os.getpid(), signal.SIGKILL)
        return real_check(body)

    parent = os.getpid()
    monkeypatch.setattr(cache_module, "_check", die_while_writing)
    build_apart(root, cache_dir)
    wait_for_writers()
    monkeypatch.undo()
    assert _snapshots(cache_dir) == []  # no snapshot, not a partial one
    (left,) = (cache_dir / "snapshots").glob(".*.tmp")  # what the killed writer had begun
    again = build(root, cache_dir)
    assert again.stats.snapshot == "written" and summary(again) == cold(root)
    assert build(root, cache_dir).stats.snapshot == "loaded"
    assert left.exists()  # a writer may still be at it: only an old one is removed
    hours_ago = time.time() - 2 * 3600
    os.utime(left, (hours_ago, hours_ago))
    _snapshots(cache_dir)[0].unlink()
    build(root, cache_dir)  # writes a snapshot, and clears what was abandoned
    assert not left.exists() and len(_snapshots(cache_dir)) == 1


_EXIT_BEFORE_WRITER = """
import os, sys, time
from pathlib import Path
import ctxtrim.index.snapshot as snapshot
from ctxtrim.cache import Cache
from ctxtrim.config import Config
from ctxtrim.index import FileIndex
from ctxtrim.scan import read_text, scan
root, cache_dir, version = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
real_dump = snapshot.dump

def slow_dump(*args):
    time.sleep(1.0)  # the writer is still at work when this process has gone
    return real_dump(*args)

snapshot.dump = slow_dump
config = Config(cache_dir=cache_dir)
index = FileIndex(root.resolve(), config, Cache.open(cache_dir, version))
index.build(scan(root, config), save_apart=True)
print(index.stats.snapshot, flush=True)
os._exit(0)  # no wait for the writer: as a process killed right after its pack
"""


def test_a_process_that_exits_before_its_writer_still_leaves_a_whole_snapshot(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = make_repo(tmp_path / "repo")
    env = {k: v for k, v in os.environ.items() if k != "CTXTRIM_CACHE_DIR"}
    done = subprocess.run(
        [sys.executable, "-c", _EXIT_BEFORE_WRITER, str(root), str(cache_dir), VERSION],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout == "written\n", done.stderr
    deadline = time.monotonic() + 60
    while not _snapshots(cache_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    warm = build(root, cache_dir)  # the snapshot appears whole: renamed into place
    assert warm.stats.snapshot == "loaded" and summary(warm) == cold(root)
    assert not list((cache_dir / "snapshots").glob(".*.tmp"))


_SLOW_WRITER_CLI = """
import sys, time
import ctxtrim.index.snapshot as snapshot
from ctxtrim.cli import run
real_dump = snapshot.dump

def slow_dump(*args):
    time.sleep(1.0)  # the writer is still at work when the pack is done
    return real_dump(*args)

snapshot.dump = slow_dump
sys.argv = ["ctxtrim", *sys.argv[1:]]
run()
"""


def test_a_cold_pack_command_ends_with_its_snapshot_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `ctxtrim pack` ends with os._exit: it waits for its snapshot's writer first, so the
    # next command starts warm.
    cache = tmp_path / "cache"
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(cache))
    out = tmp_path / "pack.md"
    args = ["pack", str(DEMO), "cart total", "--explain", "-o", str(out)]
    first = subprocess.run(
        [sys.executable, "-c", _SLOW_WRITER_CLI, *args], capture_output=True, text=True, timeout=120
    )
    assert first.returncode == 0 and "index written" in first.stderr, first.stderr
    assert len(_snapshots(cache)) == 1 and not list((cache / "snapshots").glob(".*.tmp"))
    cold_pack = out.read_text()
    second = subprocess.run(
        [sys.executable, "-m", "ctxtrim", *args], capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 0 and "index loaded" in second.stderr, second.stderr
    assert out.read_text() == cold_pack


# ---------------------------------------------------------------------- location and CLI
def test_cache_location_setting_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CTXTRIM_CACHE_DIR", raising=False)
    chosen = tmp_path / "from-config"
    assert Cache.open(str(chosen), VERSION).path == chosen / "index.sqlite"
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(tmp_path / "from-env"))
    assert Cache.open(str(chosen), VERSION).path == tmp_path / "from-env" / "index.sqlite"
    assert Cache.open(None, VERSION).path == tmp_path / "from-env" / "index.sqlite"
    disabled = Cache.open("", VERSION)
    assert not disabled.enabled and disabled.info() == {"path": None, "enabled": False}
    root = make_repo(tmp_path / "repo")
    before = set(tmp_path.iterdir())
    index = build(root, "")
    assert index.stats.snapshot == "written" and set(tmp_path.iterdir()) == before


def test_cache_info_and_clear_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache_dir = tmp_path / "cli-cache"
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(cache_dir))
    root = make_repo(tmp_path / "repo")
    assert main(["pack", str(root), "widget handler", "--budget", "2000"]) == 0
    capsys.readouterr()
    assert main(["cache", "info", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["enabled"] and info["snapshots"] == 1 and info["bytes"] > 0
    assert info["path"] == str(cache_dir)
    assert main(["cache", "clear"]) == 0
    assert str(cache_dir) in capsys.readouterr().out
    assert main(["cache", "info", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["snapshots"] == 0 and info["files"] == 0 and info["outlines"] == 0
    index = build(root, cache_dir)
    assert index.stats.snapshot == "written"  # cleared: the next start is cold


def test_cache_warm_command_prepares_every_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache_dir = tmp_path / "cli-cache"
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(cache_dir))
    root = make_repo(tmp_path / "repo", n=5)
    assert main(["cache", "warm", str(root)]) == 0
    assert "6 of 6 files prepared" in capsys.readouterr().out
    cache = Cache(cache_dir / "index.sqlite", VERSION)
    for path in ("README.md", "src/mod0.py", "src/mod4.py"):
        assert cache.has_facts(
            digest((root / path).read_bytes()), ("o", f"{PREPARED_FACTS}:cl100k_base")
        )
    assert main(["cache", "warm", str(root)]) == 0
    assert "0 of 6 files prepared" in capsys.readouterr().out
    # A pack then prepares nothing: every fact comes from the cache.
    monkeypatch.setattr("ctxtrim.fit.secret_spans", lambda text: pytest.fail("recomputed"))
    assert main(["pack", str(root), "widget handler", "--budget", "2000"]) == 0
    # Where the cache lives is not the repository's choice, for warming either.
    (root / ".ctxtrim.toml").write_text('cache_dir = ""\n')
    assert main(["cache", "warm", str(root)]) == 2
    assert capsys.readouterr().err == (
        f"ctxtrim: {root / '.ctxtrim.toml'}: 'cache_dir' cannot be set by a repository "
        "(set CTXTRIM_CACHE_DIR, or pass --no-cache)\n"
    )


def test_warm_and_cold_packs_are_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(tmp_path / "c"))
    root = make_repo(tmp_path / "repo")
    args = ["pack", str(root), "Widget3 colour handler_3", "--budget", "1500", "--format", "json"]
    outs = []
    for extra in (["--no-cache"], [], []):
        assert main(args + extra) == 0
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1] == outs[2]


def test_cold_build_equals_file_by_file_updates(tmp_path: Path) -> None:
    """The cold build's fused term loop and the editor's one-file path index alike."""
    root = tmp_path / "repo"
    shutil.copytree(DEMO, root)
    (root / "locale").mkdir()
    (root / "locale" / "fr.po").write_text('msgid "checkout_total"\nmsgstr "totalPanier"\n')
    (root / "app" / "weird.js").write_text(
        "const parseHTTPResponse_v2 = (x) => x\nself.self = 1\n" * 3
    )
    # A term more frequent than a posting can hold is stored at the most it holds.
    (root / "app" / "many.txt").write_text("ab " * (TF_MAX + 10))
    built = build(root, "")
    by_hand = FileIndex(root.resolve(), Config(cache_dir=""), Cache.open("", VERSION))
    for rel in sorted(built.paths()):
        by_hand.update(rel)
    assert summary(by_hand) == summary(built)
    # A translation catalog is found by its name, not by the strings it translates.
    vocab = built._store.vocab
    assert {t for t in vocab if "locale/fr.po" in built.files_with(t)} == {"locale", "fr"}
    assert "parsehttpresponse_v2" in vocab and "http" in vocab
    store = built._store
    many = store.by_path["app/many.txt"]
    tid = vocab["ab"]
    assert [tf for d, tf in zip(store.postings[tid], store.frequencies[tid]) if d == many] == [
        TF_MAX
    ]


def test_definitions_by_language() -> None:
    """`name = function` and arrow definitions count in JS-like code, not in Python or prose."""
    js = "export const loadCart = async (id) => fetch(id)\nvar render = function () {}\n"
    assert find_defs(js, "javascript") == ("loadCart", "render")
    assert find_defs(js, None) == ("loadCart", "render")  # unknown: look anyway
    py = '"""callback = function (x) => x, as the JS side says"""\ndef real():\n    pass\n'
    assert find_defs(py, "python") == ("real",)
    assert find_defs(js, "markdown") == ()


def test_a_warm_start_shares_what_copies_of_a_file_repeat(tmp_path: Path, cache_dir: Path) -> None:
    # Three copies of one package: the snapshot writes each digest and definition list once,
    # so the loaded index shares them; a document's entry is the scan's own.
    root = make_repo(tmp_path / "repo")
    for copy in ("copy1", "copy2"):
        shutil.copytree(root / "src", root / copy)
    build(root, cache_dir)
    config = Config(cache_dir=str(cache_dir))
    scanned = scan(root, config)
    warm = FileIndex(root.resolve(), config, Cache.open(str(cache_dir), VERSION))
    warm.build(scanned)
    assert warm.stats.snapshot == "loaded"
    docs = [warm.doc(f"{folder}/mod3.py") for folder in ("src", "copy1", "copy2")]
    assert all(d is not None for d in docs)
    first, *others = [d for d in docs if d is not None]
    assert first.analysis.defs == ("Widget3", "handler_3")
    assert all(d.analysis.defs is first.analysis.defs and d.digest is first.digest for d in others)
    scanned_ids = {id(entry) for entry in scanned.files}
    assert all(id(entry) in scanned_ids for _, entry in warm.entries())
    assert summary(warm) == cold(root)


def test_token_counts_are_stored_read_back_and_pruned_when_old(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "index.sqlite", VERSION)
    cache.put_counts("n:cl100k_base", {"a" * 32: 12, "b" * 32: 0})
    assert cache.get_count("n:cl100k_base", "a" * 32) == 12
    assert cache.get_count("n:cl100k_base", "b" * 32) == 0
    assert cache.get_count("n:o200k_base", "a" * 32) is None  # counts are per encoding
    assert cache.get_count("n:cl100k_base", "c" * 32) is None
    old = time.time() - (cache_module.COUNTS_KEPT_DAYS + 1) * 86400
    cache._write(
        "INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?)",
        [("d" * 32, "n:cl100k_base", 7, old), ("e" * 32, "n:cl100k_base", b"junk", time.time())],
    )
    assert cache.get_count("n:cl100k_base", "e" * 32) is None  # not a count: never trusted
    cache.close()
    again = Cache(tmp_path / "index.sqlite", VERSION)  # a new process prunes once
    assert again.get_count("n:cl100k_base", "d" * 32) == 7
    again.put_counts("n:cl100k_base", {"f" * 32: 3})
    assert again.get_count("n:cl100k_base", "d" * 32) is None
    assert again.get_count("n:cl100k_base", "a" * 32) == 12


def test_a_stored_outline_keeps_the_trait_of_each_rust_impl(cache_dir: Path) -> None:
    text = "impl fmt::Display for Cache {\n    fn fmt(&self) {}\n}\n"
    made = outline(text, "rust")
    cache = Cache.open(str(cache_dir))
    cache.put_outline("d1", made)
    back = cache.get_outline("d1")
    assert back is not None
    assert [(s.name, s.trait) for s in back.symbols] == [("Cache", "Display"), ("fmt", "Display")]


def test_a_batch_holds_its_writes_and_makes_them_in_one_transaction(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "index.sqlite", VERSION)
    other = Cache(tmp_path / "index.sqlite", VERSION)  # another process's view of the database
    statements: list[str] = []
    assert cache._db is not None
    cache._db.set_trace_callback(statements.append)
    with pytest.raises(RuntimeError, match="pack failed"), cache.batch():
        cache.put_facts("d1", "p", [1, 2])
        with cache.batch():  # nested: the outer batch writes
            cache.put_counts("n:cl100k_base", {"a" * 32: 5})
        assert other.get_facts("d1", "p") is None and statements == []
        raise RuntimeError("pack failed")
    # Written even so: each is a fact of some content, true whatever the pack did next.
    assert other.get_facts("d1", "p") == [1, 2]
    assert other.get_count("n:cl100k_base", "a" * 32) == 5
    assert statements.count("BEGIN IMMEDIATE") == 1 and statements[-1] == "COMMIT"
    cache.put_facts("d2", "p", 3)  # outside a batch: at once
    assert other.get_facts("d2", "p") == 3


def test_a_files_text_is_read_once_per_content_and_texts_kept_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_text("def a():\n    return 1\n")
    (root / "b.py").write_text("def b():\n    return 2\n")
    index = build(root, tmp_path / "cache")
    reads: list[str] = []
    real = read_text

    def spy(root: Path, rel: str, max_bytes: int) -> object:
        reads.append(rel)
        return real(root, rel, max_bytes)

    monkeypatch.setattr(file_index, "read_text", spy)
    assert index.text("a.py") == index.text("a.py") == "def a():\n    return 1\n"
    assert reads == ["a.py"]
    (root / "a.py").write_text("def a():\n    return 3\n")
    assert index.text("a.py") == "def a():\n    return 1\n"  # as the index holds it
    index.update("a.py")  # what the file watcher does: it reads the new text
    assert index.text("a.py") == "def a():\n    return 3\n"
    assert reads == ["a.py", "a.py"]
    monkeypatch.setattr(file_index, "TEXTS_KEPT_CHARS", 30)  # room for one of them
    reads.clear()
    index.text("b.py")  # keeping it drops a.py
    index.text("a.py")
    index.text("a.py")
    assert reads == ["b.py", "a.py"]
    index.text("b.py", keep=False)  # read once for good (the cache warmer): a.py stays
    index.text("a.py")
    assert reads == ["b.py", "a.py", "b.py"]
