"""Where a pack's time goes: every front door reports the same phases, with their counts."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ctxtrim import Task, Workspace, render, timing
from ctxtrim.config import Config
from ctxtrim.timing import PHASES, PhaseStats, Timings

TASK = "the login redirect goes to another host"


@pytest.fixture
def ws(demo: Path, tmp_path: Path) -> Workspace:
    # A cache of its own: the first pack prepares its files, none are cached yet.
    config = Config.load(demo).with_(cache_dir=str(tmp_path / "cache"))
    return Workspace.open(demo, config)


def test_nested_phase_time_is_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 6.0, 7.0, 7.5])  # fit from 0 to 6 s (4 s of it preparing), render 7-7.5
    monkeypatch.setattr("ctxtrim.timing.time.perf_counter", lambda: next(clock))
    t = Timings()
    with t.phase("fit") as fit:
        t.add("prepare", 4.0, files=2, tokens=300)  # measured by the preparer during fit
        fit.files = 3
    with t.phase("render"):
        pass
    assert (t.phases["fit"].seconds, t.phases["prepare"].seconds) == (2.0, 4.0)
    assert t.phases["render"].seconds == 0.5
    assert t.seconds == 6.5
    assert (t.phases["prepare"].files, t.phases["prepare"].tokens, fit.files) == (2, 300, 3)


def test_a_pack_reports_every_phase_with_its_counts(ws: Workspace) -> None:
    pack = ws.pack(Task(TASK), 2000)
    t = pack.timings
    assert t is not None and list(t.phases) == list(PHASES)
    files = [i for i in pack.items if i.kind == "file"]
    assert t.phases["refresh"].files == 0  # nothing changed since the open
    assert t.phases["rank"].files >= len(files) > 0
    # Every file shown was prepared by this pack, and its tokens counted.
    assert t.phases["prepare"].files >= len(files)
    assert t.phases["prepare"].tokens >= sum(i.tokens for i in files) // 2 > 0
    assert t.phases["fit"].files == len(files)
    assert t.phases["fit"].tokens == sum(i.tokens for i in files)
    assert (t.phases["render"].files, t.phases["render"].tokens) == (len(pack.items), pack.tokens)
    line = t.describe()
    for name in PHASES:
        assert re.search(rf"{name} \d+\.\d ms \(\d[\d,]* files", line), (name, line)

    again = ws.pack(Task(TASK), 2000)
    assert again.timings is not None
    assert again.timings.phases["prepare"].files == 0  # prepared once, kept in memory
    assert render(again, "markdown") == render(pack, "markdown")


def test_edits_are_charged_to_the_next_packs_refresh(ws: Workspace, demo: Path) -> None:
    ws.pack(Task(TASK), 2000)
    ws.update_file("app/auth.py", (demo / "app/auth.py").read_text() + "\n# edited\n")
    ws.remove_file("README.md")
    pack = ws.pack(Task(TASK), 2000)
    assert pack.timings is not None and pack.timings.phases["refresh"].files == 2
    later = ws.pack(Task(TASK), 2000)
    assert later.timings is not None and later.timings.phases["refresh"].files == 0


def test_phase_stats_give_percentiles_since_start(ws: Workspace) -> None:
    assert ws.phase_stats.summary() == {}
    for _ in range(3):
        ws.pack(Task(TASK), 2000)
    summary = ws.phase_stats.summary()
    assert ws.phase_stats.packs == 3
    assert list(summary) == list(PHASES)
    for figures in summary.values():
        assert figures["packs"] == 3
        assert 0 <= figures["p50_ms"] <= figures["p95_ms"]


def test_phase_stats_keep_only_recent_samples() -> None:
    stats = PhaseStats()
    for n in range(timing.SAMPLES_KEPT + 10):
        t = Timings()
        t.add("rank", float(n))
        stats.record(t)
    summary = stats.summary()
    assert stats.packs == timing.SAMPLES_KEPT + 10
    assert summary["rank"]["packs"] == timing.SAMPLES_KEPT
    assert summary["rank"]["p50_ms"] > 10_000  # the oldest samples (0 s ... 9 s) are gone


def test_cli_explain_prints_the_breakdown_on_stderr(demo: Path, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "ctxtrim", "pack", str(demo), TASK, "--budget", "2000"]
    plain = subprocess.run(argv, capture_output=True, text=True, check=True)
    explained = subprocess.run(argv + ["--explain"], capture_output=True, text=True, check=True)
    assert plain.stderr == ""
    lines = explained.stderr.splitlines()
    assert re.fullmatch(
        r"ctxtrim: open \d+ ms \(\d+ files scanned; index \w+, \d+ files read\)", lines[0]
    )
    assert lines[1].startswith("ctxtrim: pack refresh ")
    for name in PHASES:
        assert re.search(rf"{name} \d+\.\d ms \(\d[\d,]* files", lines[1]), name
    assert "ctxtrim:" not in explained.stdout  # the pack itself carries no timings


def test_the_language_server_logs_each_packs_phases(
    demo: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from ctxtrim.server.folder import Folder
    from ctxtrim.server.packs import _run
    from ctxtrim.server.params import parse_pack_params

    folder = Folder(demo, demo.as_uri(), warm=False)
    try:
        folder.ready.result(timeout=60)
        with caplog.at_level(logging.INFO, logger="ctxtrim.server.packs"):
            _run(folder, parse_pack_params({"task": TASK, "budget": 2000}), (), None)
    finally:
        folder.close()
    logged = [r.getMessage() for r in caplog.records if r.name == "ctxtrim.server.packs"]
    assert len(logged) == 1
    assert logged[0].startswith(f"pack {TASK!r}: refresh ")
    for name in PHASES:
        assert re.search(rf"{name} \d+\.\d ms \(\d[\d,]* files", logged[0]), name
