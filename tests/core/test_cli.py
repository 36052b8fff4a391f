"""The command line: exit codes, one-line errors, task sources, stats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ctxtrim.cli import main

from ..support import DEMO
from ..support.repos import git, init_repo


def run(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ctxtrim", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd,
        timeout=120,
        env={**os.environ},
    )


def test_pack_json_from_the_command_line() -> None:
    done = run("pack", str(DEMO), "cart checkout total", "--budget", "1500", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["tokens"] <= 1500 and data["items"]


def test_task_from_stdin_and_file(tmp_path: Path) -> None:
    a = run(
        "pack", str(DEMO), "--budget", "1200", "--format", "json", stdin="payments Capture amount"
    )
    task = tmp_path / "task.txt"
    task.write_text("payments Capture amount")
    b = run("pack", str(DEMO), "--task-file", str(task), "--budget", "1200", "--format", "json")
    assert a.returncode == b.returncode == 0
    assert json.loads(a.stdout)["task"] == json.loads(b.stdout)["task"] == "payments Capture amount"
    assert a.stdout == b.stdout


def test_output_file_and_explain(tmp_path: Path) -> None:
    out = tmp_path / "pack.md"
    done = run("pack", str(DEMO), "login redirect", "--budget", "1500", "--explain", "-o", str(out))
    assert done.returncode == 0 and done.stdout == ""
    text = out.read_text()
    assert "# Why" in text and "- in: app/auth.py" in text and "- out:" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pack", "/nonexistent/repo", "x"], "/nonexistent/repo: no such file or directory"),
        (["pack", str(DEMO), "x", "--format", "yaml"], "invalid choice: 'yaml'"),
        (["pack", str(DEMO), "x", "--budget", "ten"], "invalid int value: 'ten'"),
        (["pack", str(DEMO), "x", "--budget", "5"], "budget 5 is out of range"),
        (["pack", str(DEMO), "x", "--encoding", "nope"], "unknown encoding 'nope'"),
        (
            ["pack", str(DEMO), "--task-file", "/nonexistent/task"],
            "/nonexistent/task: cannot read task file",
        ),
        (
            ["pack", str(DEMO), "x", "--focus", "nope.py"],
            "focus file nope.py: not in the workspace",
        ),
        (["stats", str(DEMO), "--why", "missing.py"], "missing.py: no such file"),
        (["bogus"], "invalid choice: 'bogus'"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_empty_repository_is_a_clear_error(tmp_path: Path) -> None:
    done = run("pack", str(tmp_path), "anything")
    assert done.returncode == 2 and "no files to pack" in done.stderr


def test_binary_unreadable_and_non_utf8_files_do_not_break_a_pack(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("def handler():\n    return 1\n")
    (tmp_path / "blob.dat2").write_bytes(b"\x00\x01binary handler\x00")
    (tmp_path / "latin.txt").write_bytes(bytes(range(160, 256)) * 20)
    locked = tmp_path / "locked.py"
    locked.write_text("def handler_locked(): pass\n")
    locked.chmod(0)
    done = run("pack", str(tmp_path), "handler", "--format", "json", "--budget", "500")
    assert done.returncode == 0, done.stderr
    paths = {i["path"] for i in json.loads(done.stdout)["items"]}
    assert "ok.py" in paths and "blob.dat2" not in paths and "latin.txt" not in paths


def test_no_task_uses_the_uncommitted_diff(demo: Path) -> None:
    init_repo(demo)
    git(demo, "add", "-A")
    git(demo, "commit", "-qm", "init")
    git(demo, "checkout", "-qb", "fix-payment-capture")
    main_go = demo / "services" / "payments" / "main.go"
    main_go.write_text(main_go.read_text().replace("invalid amount", "amount must be positive"))
    done = run("pack", str(demo), "--budget", "1500", "--format", "json", stdin="")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "fix payment capture" in data["task"] and "amount must be positive" in data["task"]
    files = [i for i in data["items"] if i["kind"] == "file"]
    assert files[0]["path"] == "services/payments/main.go"
    assert files[0]["reasons"][0] == "focus file"


def test_stats_and_why(demo: Path) -> None:
    (demo / "debug.log").write_text("noise\n")
    done = run("stats", str(demo), "--format", "json")
    data = json.loads(done.stdout)
    assert done.returncode == 0 and data["files"] > 10
    assert {"path": "debug.log", "rule": ".gitignore:3: *.log"} in data["excluded"]
    why = run("stats", str(demo), "--why", "debug.log")
    assert why.stdout.strip() == "debug.log: excluded by .gitignore:3: *.log"


def test_main_returns_codes_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", str(DEMO), "login", "--budget", "800", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["budget"] == 800
    assert main(["pack", "/nonexistent", "x"]) == 2


# ---- what pack reads and where it writes ----------------------------------------------------
def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "CTXTRIM_CACHE_DIR": str(cache)}


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def test_an_open_silent_stdin_does_not_hang_pack(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.json"
    with out.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ctxtrim", "pack", str(demo), "--format", "json"],
            stdin=subprocess.PIPE,  # open, and nothing is ever written to it
            stdout=sink,
            stderr=subprocess.PIPE,
            env=_env(tmp_path / "cache"),
        )
        try:
            assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
        finally:
            proc.kill()
            assert proc.stdin is not None and proc.stderr is not None
            proc.stdin.close()
            proc.stderr.close()
    data = json.loads(out.read_text())
    assert data["task"] == "" and data["items"]  # no task: the overview of the repository


def test_dash_reads_the_task_from_stdin(tmp_path: Path) -> None:
    args = ["pack", str(DEMO), "--budget", "1200", "--format", "json"]
    as_task = run(*args[:2], "-", *args[2:], stdin="payments Capture amount")
    as_file = run(*args, "--task-file", "-", stdin="payments Capture amount")
    assert as_task.returncode == as_file.returncode == 0, as_task.stderr + as_file.stderr
    assert json.loads(as_task.stdout)["task"] == "payments Capture amount"
    assert as_task.stdout == as_file.stdout


def test_no_cache_writes_nothing_to_the_cache_directory(demo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    args = [sys.executable, "-m", "ctxtrim", "pack", str(demo), "cart total", "--budget", "900"]
    done = subprocess.run([*args, "--no-cache"], capture_output=True, env=_env(cache), timeout=120)
    assert done.returncode == 0, done.stderr
    assert _files(cache) == []
    # The same pack with the cache keeps the index and the tokenizer's parsed ranks there.
    done = subprocess.run(args, capture_output=True, env=_env(cache), timeout=120)
    assert done.returncode == 0, done.stderr
    assert {"cl100k_base.ranks", "index.sqlite", "snapshots"} <= set(_files(cache))


@pytest.mark.parametrize(
    ("name", "text", "shown"),
    [
        (".ctxtrim.toml", 'cache_dir = "{dir}"\n', ".ctxtrim.toml"),
        ("pyproject.toml", '[tool.ctxtrim]\ncache-dir = "{dir}"\n', "pyproject.toml"),
        (".ctxtrim.toml", 'cache_dir = "relative-cache"\n', ".ctxtrim.toml"),
    ],
)
def test_a_repository_cannot_choose_the_cache_directory(
    demo: Path, tmp_path: Path, name: str, text: str, shown: str
) -> None:
    planted = tmp_path / "planted"
    (demo / name).write_text(text.format(dir=planted))
    cache = tmp_path / "cache"
    done = run("pack", str(demo), "cart total", cwd=tmp_path)
    assert done.returncode == 2
    key = "cache-dir" if "cache-dir" in text else "cache_dir"
    assert done.stderr == (
        f"ctxtrim: {demo / shown}: '{key}' cannot be set by a repository "
        "(set CTXTRIM_CACHE_DIR, or pass --no-cache)\n"
    )
    assert not planted.exists() and not (tmp_path / "relative-cache").exists()
    assert not cache.exists()


def test_cache_info_names_the_directory_packs_use(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = _env(cache)
    pack = [sys.executable, "-m", "ctxtrim", "pack", str(DEMO), "cart", "--budget", "900"]
    assert subprocess.run(pack, capture_output=True, env=env, timeout=120).returncode == 0
    info = subprocess.run(
        [sys.executable, "-m", "ctxtrim", "cache", "info", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    data = json.loads(info.stdout)
    assert data["path"] == str(cache) and data["snapshots"] >= 1


def test_the_executable_ends_without_teardown_but_with_every_byte_written(tmp_path: Path) -> None:
    # `run` leaves a pack's process with os._exit: what is buffered must still come out whole,
    # well past a pipe's 64 KB, and on stderr too; the exit codes stay those of `main`.
    root = tmp_path / "repo"
    root.mkdir()
    for i in range(12):
        body = "".join(f"def step_{i}_{n}(value):\n    return value + {n}\n\n" for n in range(400))
        (root / f"ledger_{i}.py").write_text(body)
    args = ["pack", str(root), "ledger step value", "--budget", "200000", "--format", "json"]
    done = run(*args, "--explain")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) > 200_000
    data = json.loads(done.stdout)
    assert len(data["items"]) == 12 and data["tokens"] <= 200_000
    assert done.stderr.rstrip().endswith("ms") and "ctxtrim: pack " in done.stderr
    bad = run(*args[:3], "--budget", "1")
    assert bad.returncode == 2 and bad.stderr.startswith("ctxtrim: budget 1 is out of range")
