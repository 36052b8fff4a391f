"""The language server's cache warmer, steered: a pack names the files it is about to
prepare, the warmer takes them from the back while the pack takes them from the front."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctxtrim.config import Config
from ctxtrim.fit import HELP_MIN_FILES, PREPARED_FACTS
from ctxtrim.index import digest
from ctxtrim.render import render
from ctxtrim.task import Task
from ctxtrim.warm_channel import Asker, Requests
from ctxtrim.workspace import Workspace

from ..support.index import make_repo

FACTS = ("o", f"{PREPARED_FACTS}:cl100k_base")
WAIT = 10.0  # seconds a reader thread gets to see a message


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read, write = os.pipe()
    yield read, write
    for fd in (read, write):
        try:
            os.close(fd)
        except OSError:
            pass


def first_request(requests: Requests) -> str:
    deadline = time.monotonic() + WAIT
    while (got := requests.next()) is None:
        assert time.monotonic() < deadline, "no request arrived"
        time.sleep(0.01)
    return got


def test_requests_hand_out_the_latest_message_in_order(pipe: tuple[int, int]) -> None:
    read, write = pipe
    requests = Requests(read)
    assert requests.next() is None
    os.write(write, b'not json\n{"a": 1}\n["src/a.py", 3, "src/b.py"]\n')
    assert first_request(requests) == "src/a.py"
    assert requests.next() == "src/b.py"  # what is not a path is skipped
    assert requests.next() is None
    # A newer message replaces what is left of the older one (its pack is over).
    os.write(write, b'["x.py", "y.py"]\n["z.py"]\n')
    assert first_request(requests) == "z.py"
    assert requests.next() is None


def test_asker_writes_one_line_never_blocks_and_survives_a_gone_reader(
    pipe: tuple[int, int],
) -> None:
    read, write = pipe
    asker = Asker(os.fdopen(write, "wb", closefd=False))
    asker.ask(["src/é.py", "a\nb.py"])
    assert json.loads(os.read(read, 65536)) == ["src/é.py", "a\nb.py"]
    many = [f"src/package/module_{n:04}.py" for n in range(1000)]
    asker.ask(many)
    line = os.read(read, 65536)
    assert line.endswith(b"\n") and len(line) <= select.PIPE_BUF
    cut = json.loads(line)
    assert 0 < len(cut) < len(many) and cut == many[: len(cut)]  # the front kept
    for _ in range(100):  # a reader that stopped reading: the pipe fills, asks are dropped
        asker.ask(many)
    os.close(read)
    asker.ask(["src/a.py"])  # the reader is gone: nothing raised, nothing more sent
    asker.ask(["src/a.py"])


def test_warm_takes_an_asked_file_before_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(tmp_path / "repo", n=5)
    ws = Workspace.open(root)
    asked = iter(["src/mod3.py"])
    rounds = iter([False, True])  # stop after one file
    done, total = ws.warm(lambda: next(rounds), None, lambda: next(asked, None))
    assert (done, total) == (1, 6)
    warmed = [
        p
        for p in ws.index.paths()
        if ws.index.cache.has_facts(digest((root / p).read_bytes()), FACTS)
    ]
    assert warmed == ["src/mod3.py"]


def test_warm_starts_with_the_longest_source_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(tmp_path / "repo", n=3)
    (root / "src" / "mod1.py").write_text("def long_one():\n    return 1\n" * 40)
    ws = Workspace.open(root)
    rounds = iter([False, True])
    assert ws.warm(lambda: next(rounds)) == (1, 4)
    cache = ws.index.cache
    assert cache.has_facts(digest((root / "src" / "mod1.py").read_bytes()), FACTS)
    assert not cache.has_facts(digest((root / "src" / "mod0.py").read_bytes()), FACTS)


def test_a_pack_shares_its_unprepared_files_with_the_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(tmp_path / "repo", n=HELP_MIN_FILES + 2)
    ws = Workspace.open(root)
    told: list[list[str]] = []
    ws.preparer.helper = told.append
    paths = sorted(p for p in ws.index.paths() if p.startswith("src/"))
    got = ws.preparer.get_all(paths)
    assert told == [paths[::-1]]  # the helper starts at the back
    assert [p.digest if p else None for p in got] == [
        digest((root / p).read_bytes()) for p in paths
    ]
    ws.preparer.get_all(paths)  # all prepared now: nothing to share
    ws.preparer.get_all(["src/new.py", *paths[: HELP_MIN_FILES - 1]])
    assert len(told) == 1  # too few to be worth telling


def test_packs_with_a_real_warmer_helping_equal_packs_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(tmp_path / "cache"))
    root = make_repo(tmp_path / "repo", n=30)
    task = Task("Widget3 colour handler_3 render_page_7 Widget12")
    expected = render(Workspace.open(root, Config(cache_dir="")).pack(task, 3000, "json"), "json")
    ws = Workspace.open(root)
    env = dict(os.environ)
    warmer = subprocess.Popen(
        [sys.executable, "-m", "ctxtrim", "cache", "warm", str(root), "-q"]
        + ["--parent", str(os.getpid())],
        stdin=subprocess.PIPE,
        env=env,
    )
    try:
        assert warmer.stdin is not None
        ws.preparer.helper = Asker(warmer.stdin).ask
        assert render(ws.pack(task, 3000, "json"), "json") == expected
        assert warmer.wait(timeout=60) == 0
    finally:
        warmer.kill()
        warmer.wait()
