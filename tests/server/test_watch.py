"""The server's folder queue and polling watcher, in process (no LSP): fast and deterministic."""

from __future__ import annotations

import gc
import os
import weakref
from pathlib import Path

import pytest

from ..support.lsp import make_repo

pytest.importorskip("pygls")

import ctxtrim.server.folder as folder_module  # noqa: E402
from ctxtrim.server.folder import Folder  # noqa: E402
from ctxtrim.server.watch import Poller  # noqa: E402


def settle(folder: Folder) -> None:
    """Wait until every job queued so far has run."""
    folder.submit(lambda: None).result(timeout=30)


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    root = make_repo(tmp_path / "repo")
    folder = Folder(root, root.as_uri())
    folder.ready.result(timeout=60)
    yield folder
    folder.close()


def indexed(folder: Folder) -> set[str]:
    ws = folder.workspace()
    assert ws is not None
    return set(ws.index.paths())


def test_poller_sees_changes_new_files_and_deletions(folder: Folder) -> None:
    poller = Poller(lambda: [folder], interval=3600)  # driven by hand, never by its thread
    assert poller.poll(folder) == 0  # the first round records directory mtimes
    root = folder.root

    models = root / "app" / "models.py"
    models.write_text("class Customer:\n    pass\n" * 3)
    os.utime(models, ns=(1, 1))  # a different mtime, whatever the clock resolution
    (root / "web" / "checkout.js").write_text("export const pay = () => 1;\n")
    os.utime(root / "web", ns=(2, 2))
    (root / "tests" / "test_auth.py").unlink()
    (root / "lib" / "deep").mkdir(parents=True)
    (root / "lib" / "deep" / "util.py").write_text("def helper():\n    pass\n")
    os.utime(root, ns=(3, 3))
    assert poller.poll(folder) >= 4
    settle(folder)

    files = indexed(folder)
    assert "web/checkout.js" in files and "lib/deep/util.py" in files
    assert "tests/test_auth.py" not in files
    ws = folder.workspace()
    assert ws is not None and "Customer" in (ws.index.text("app/models.py") or "")
    assert poller.poll(folder) == 0  # nothing new since


def test_buffers_win_and_excluded_paths_stay_out(folder: Folder) -> None:
    folder.set_text("app/auth.py", "def only_in_buffer():\n    pass\n")
    folder.sync("app/auth.py")  # a disk event while the buffer is open changes nothing
    folder.set_text(".env", "SECRET=1\n")  # secret files never enter the index
    folder.set_text("build/out.py", "x = 1\n")  # .gitignore'd
    folder.set_text("node_modules/pkg/index.js", "x\n")  # default exclude
    settle(folder)
    ws = folder.workspace()
    assert ws is not None
    assert "only_in_buffer" in (ws.index.text("app/auth.py") or "")
    assert not {".env", "build/out.py", "node_modules/pkg/index.js"} & indexed(folder)

    folder.close_buffer("app/auth.py")  # back to the disk text
    settle(folder)
    assert "def login(" in (ws.index.text("app/auth.py") or "")


def test_filtered_views_get_buffers_and_edits(folder: Folder) -> None:
    folder.set_text("web/cart.js", "export function unsavedCartThing() {}\n")
    settle(folder)
    view = folder.submit(folder.filtered, ("web/**",), ()).result(timeout=60)
    assert set(view.index.paths()) == {"web/cart.js"}
    assert "unsavedCartThing" in (view.index.text("web/cart.js") or "")
    folder.set_text("web/cart.js", "export function secondEdit() {}\n")
    settle(folder)
    assert "secondEdit" in (view.index.text("web/cart.js") or "")


class _Node:
    me: object = None


def test_each_job_leaves_what_it_kept_out_of_the_collectors_reach(
    folder: Folder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(folder_module, "FULL_COLLECT_JOBS", 3)
    kept: list[weakref.ref[_Node]] = []

    def job() -> None:
        node = _Node()
        node.me = node  # a reference cycle: only the collector can free it
        kept.append(weakref.ref(node))

    try:
        folder.jobs_done = 0
        folder.submit(job).result(timeout=30)
        gc.collect()  # a full collection no longer walks what the job left
        assert kept[0]() is not None and gc.get_freeze_count() > 0
        settle(folder)
        settle(folder)  # the third job ends with a full collection first
        assert kept[0]() is None
    finally:
        gc.unfreeze()
