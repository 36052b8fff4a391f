"""No repository can break ctxtrim, and nothing outside the root ever reaches its output.

Hostile trees come from :mod:`tests.hostile`. Every command runs as a subprocess with a timeout,
and must: exit 0 (1 for `check` with findings, 2 with a one-line message for bad input), print
no traceback, print valid JSON for `--format json`, and never print the canary token that lives
in a file outside the root (linked and referenced from inside it in every way we know).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..support import ROOT, hostile
from ..support.hostile import CANARY, RpcClient
from ..support.lsp import server_command, server_env

TIMEOUT = 60


def run(
    root: Path, *args: str, timeout: float = TIMEOUT, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`ctxtrim ARGS` in `root` (stdin closed, private cache); a hang fails the test."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "ctxtrim", *args],
        cwd=cwd or root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
    )


def assert_clean(done: subprocess.CompletedProcess[str], ok: tuple[int, ...] = (0,)) -> None:
    """Exit code allowed, no traceback, the canary nowhere, a bad-input message on one line."""
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert CANARY not in done.stdout and CANARY not in done.stderr, "canary leaked"
    if done.returncode == 2:
        # Python warnings are checked by test_no_python_warnings_on_stderr; here, the message.
        message = _without_warnings(done.stderr)
        assert message.count("\n") == 1 and message.startswith("ctxtrim: "), done.stderr
    else:
        assert done.returncode in ok, (done.returncode, done.stderr[-2000:])


def _without_warnings(stderr: str) -> str:
    """stderr minus Python warning reports (`file:line: XWarning: ...` and its source line)."""
    lines = stderr.splitlines(keepends=True)
    kept = []
    skip_next = False
    for line in lines:
        if skip_next and line.startswith("  "):
            skip_next = False
            continue
        skip_next = "Warning: " in line
        if not skip_next:
            kept.append(line)
    return "".join(kept)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One root with links out, loops, special files, huge and deep files, long paths and
    broken rule files; the canary lives in `../outside`."""
    base = tmp_path_factory.mktemp("hostile")
    hostile.make_canary(base)
    root = base / "root"
    root.mkdir()
    hostile.ordinary(root)
    hostile.links(root, hostile.Canary(base / "outside" / "secret.txt", base / "outside"))
    notes = hostile.special_files(root)
    # The FIFO ignore files hang the scan (see test_fifo_ignore_file_does_not_hang): they are
    # tested on their own tree, so that one bug does not hide every other result here.
    for name in (".gitignore", ".ctxtrimignore"):
        (root / "special" / "ignored_here" / name).unlink()
    hostile.big_files(root)
    hostile.long_paths(root)
    nested = root / "malformed"
    nested.mkdir()
    hostile.malformed_config(nested)
    (nested / ".ctxtrim.toml").unlink()  # a broken config is its own test
    # (The malformed ignore files live in malformed/: their `***` lines rightly ignore all.)
    print("\n".join(notes))
    yield root
    hostile.remove_tree(root / "long")  # too deep for pytest's own (recursive) cleanup


COMMANDS = {
    "pack-markdown": ("pack", ".", "login redirect loop secret", "--budget", "6000"),
    "pack-json": ("pack", ".", "outside secret CANARY", "--format", "json", "--budget", "20000"),
    "pack-xml": ("pack", ".", "deep parens brackets", "--format", "xml", "--budget", "3000"),
    "pack-plain": ("pack", ".", "", "--format", "plain", "--budget", "64"),
    "pack-explain": ("pack", ".", "leak_abs.py passwd.txt outdir/secret.txt", "--explain"),
    "stats": ("stats", "."),
    "stats-json": ("stats", ".", "--format", "json", "--excluded", "100000"),
    "check": ("check", "."),
    "check-json": ("check", ".", "--format", "json"),
    "rules": ("rules", ".", "docs"),
    "rules-json": ("rules", ".", "docs outside secret", "--format", "json"),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_survives_hostile_tree(tree: Path, name: str) -> None:
    args = COMMANDS[name]
    done = run(tree, *args)
    assert_clean(done, ok=(0, 1) if args[0] == "check" else (0,))
    if "json" in args:
        data = json.loads(done.stdout)
        assert isinstance(data, dict)
    if args[0] == "pack" and done.returncode == 0:
        assert done.stdout.strip()
    if name == "pack-json":
        data = json.loads(done.stdout)
        assert data["tokens"] <= data["budget"]
        shown = {item["path"] for item in data["items"]}
        # Nothing reached through a link out of the root, and no special file, is packed.
        forbidden = {"leak_abs.py", "leak_rel.py", "passwd.txt", "CLAUDE.md", "AGENTS.md"}
        forbidden |= {"special/fifo.py", "special/null.py", "special/server.sock.py"}
        assert not shown & forbidden, shown & forbidden
        assert not any(path.startswith(("outdir/", "fsroot/", "loop/")) for path in shown)


def test_stats_reports_why_special_files_are_out(tree: Path) -> None:
    done = run(tree, "stats", ".", "--format", "json", "--excluded", "100000")
    assert_clean(done)
    rules = {e["path"]: e["rule"] for e in json.loads(done.stdout)["excluded"]}
    assert "symlink out of the root" in rules["leak_abs.py"]
    assert "symlink out of the root" in rules["passwd.txt"]
    assert "not a regular file" in rules["special/fifo.py"]
    assert "huge" in rules["big/huge.py"]
    files = {f["path"] for f in json.loads(done.stdout)["top_files"]}
    assert not any(p.startswith(("outdir/", "fsroot/")) for p in files)


@pytest.mark.parametrize(
    "focus",
    ["../outside/secret.txt", "outdir/secret.txt", "leak_abs.py", "fsroot/etc/passwd", "{abs}"],
)
def test_focus_outside_the_root_is_refused(tree: Path, focus: str) -> None:
    focus = focus.format(abs=tree.parent / "outside" / "secret.txt")
    done = run(tree, "pack", ".", "secret", "--focus", focus)
    assert done.returncode == 2, done.stdout[:500]
    assert_clean(done)


def test_task_file_and_rules_focus_outside_the_root(tree: Path) -> None:
    # A task *file* is the user's own input (it may live anywhere), but a task mentioning
    # paths outside the root must not pull them in.
    task = tree / "task.txt"
    task.write_text("look at ../outside/secret.txt and outdir/secret.md and /etc/passwd\n")
    assert_clean(run(tree, "pack", ".", "--task-file", str(task), "--format", "json"))
    assert_clean(run(tree, "rules", ".", "secret", "--focus", "../outside/secret.txt"))


# Task texts whose shape once made the reading of a task take time quadratic in its length: a
# run of backticks (a fence opened at each), a token of path characters with no `:line` (a
# frame looked for from each of its characters), `<!--` never closed, a dotted name of
# thousands of parts (a module path tried at each length). At 20 kB each took seconds, at
# 300 kB minutes; read in linear time they take a fraction of a second.
HOSTILE_TASKS = {
    "backticks": "`" * 300_000,
    "one long token": "a" * 300_000,
    "dotted run": "ab.cd" * 60_000,
    "open comments": "<!--" * 75_000,
}


@pytest.mark.parametrize("shape", sorted(HOSTILE_TASKS))
def test_a_hostile_task_text_does_not_hang(tmp_path: Path, shape: str) -> None:
    root = tmp_path / "root"
    hostile.ordinary(root)
    task = tmp_path / "task.txt"
    task.write_text(HOSTILE_TASKS[shape])
    try:
        done = run(root, "pack", ".", "--task-file", str(task), "--format", "json")
    except subprocess.TimeoutExpired:
        pytest.fail(f"ctxtrim pack hung on a task of {shape}")
    assert_clean(done)
    assert json.loads(done.stdout)["budget"] == 8000


def test_stats_why_refuses_paths_outside_the_root(tree: Path) -> None:
    # `--why` must not call a path outside the root (or below a linked directory) "included":
    # the scan never reads it, so the answer misleads.
    for path in ("../outside/secret.txt", "outdir/secret.txt"):
        done = run(tree, "stats", ".", "--why", path)
        assert_clean(done)
        assert done.returncode == 2 or "excluded" in done.stdout, (path, done.stdout)


def test_fifo_ignore_file_does_not_hang(tmp_path: Path) -> None:
    # A FIFO named .gitignore (or .ctxtrimignore, or .git/info/exclude): opening it for reading
    # blocks until a writer appears, which never happens. The scan must not wait on it.
    root = tmp_path / "root"
    hostile.ordinary(root)
    os.mkfifo(root / ".gitignore")
    (root / "sub").mkdir()
    os.mkfifo(root / "sub" / ".ctxtrimignore")
    for args in (("stats", "."),):  # the scan is shared by every command
        try:
            done = run(root, *args, timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"ctxtrim {' '.join(args)} hung on a FIFO ignore file")
        assert_clean(done)


def test_broken_config_is_a_one_line_error(tmp_path: Path) -> None:
    root = tmp_path / "root"
    hostile.ordinary(root)
    (root / ".ctxtrim.toml").write_text("exclude = [\n")
    for args in (("pack", ".", "login"), ("stats", "."), ("check", "."), ("rules", ".")):
        done = run(root, *args)
        assert done.returncode == 2, (args, done.stdout[:300])
        assert_clean(done)
        assert ".ctxtrim.toml" in done.stderr


def test_hundred_thousand_files_in_one_directory(tmp_path: Path) -> None:
    root = tmp_path / "root"
    hostile.ordinary(root)
    hostile.many_files(root, 100_000)
    started = time.monotonic()
    done = run(root, "pack", ".", "login redirect", "--format", "json", "--budget", "4000")
    assert_clean(done)
    data = json.loads(done.stdout)
    assert data["tokens"] <= 4000
    assert any(item["path"] == "app/auth.py" for item in data["items"])
    assert data["omitted"]["files"] >= 100_000 - len(data["items"])
    assert_clean(run(root, "stats", ".", "--format", "json"))
    assert time.monotonic() - started < 50


# ---- files that change between the scan and the reads ---------------------------------------

RACE = r"""
import os, sys
from pathlib import Path
import ctxtrim.workspace as ws_mod
from ctxtrim import Task, Workspace, render

root, mode, canary = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
real_scan = ws_mod.scan

def scan_then_change(*args, **kwargs):
    result = real_scan(*args, **kwargs)
    if mode == "dirlink":  # the whole directory becomes a link to one full of canaries
        outside = Path(canary).parent / "pkg"
        outside.mkdir()
        for i in range(60):
            (outside / f"m{i}.py").write_text(Path(canary).read_text())
        (root / "pkg").rename(root / "pkg_old")
        os.symlink(outside, root / "pkg")
        return result
    for i in range(0, 60, 2):  # every other file changes after it was listed
        path = root / "pkg" / f"m{i}.py"
        path.unlink()
        if mode == "fifo":
            os.mkfifo(path)
        elif mode == "dir":
            path.mkdir()
        elif mode == "link":
            os.symlink(canary, path)
        elif mode == "grow":
            path.write_text("x = 1\n" * 300_000)
    return result

ws_mod.scan = scan_then_change
ws = Workspace.open(root)
assert ws.index.doc_freq("canary") == 0, "a file outside the root was indexed"
print(render(ws.pack(Task("f0 f2 f4 secret outside " + canary), 20000), "json"))
"""


@pytest.mark.parametrize("mode", ["delete", "dir", "grow", "fifo", "link", "dirlink"])
def test_files_changed_after_the_scan(tmp_path: Path, mode: str) -> None:
    base = tmp_path
    canary = hostile.make_canary(base)
    root = base / "root"
    (root / "pkg").mkdir(parents=True)
    for i in range(60):
        (root / "pkg" / f"m{i}.py").write_text(f"def f{i}():\n    return {i}\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        done = subprocess.run(
            [sys.executable, "-c", RACE, str(root), mode, str(canary.file)],
            capture_output=True,
            text=True,
            timeout=10,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"a file replaced by a {mode} after the scan hangs the index")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert CANARY not in done.stdout, "a file swapped for a link out of the root was read"
    if mode == "dirlink":
        assert [i for i in data["items"] if i["kind"] == "file"] == []
    assert data["tokens"] <= data["budget"]


def test_entries_vanishing_during_the_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Directories and files deleted between `scandir` listing them and the walk using them."""
    import shutil

    from ctxtrim import Task, Workspace, render

    root = tmp_path / "root"
    for d in range(20):
        for f in range(5):
            path = root / f"d{d}" / f"sub{f}" / f"m{f}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"def g{d}_{f}():\n    return {f}\n")
    real_scandir = os.scandir
    calls = {"n": 0}

    def scandir_then_delete(path: str | os.PathLike[str] = ".") -> object:
        iterator = real_scandir(path)
        calls["n"] += 1
        if calls["n"] % 3 == 0:  # pull the rug: delete what was just listed
            for entry in list(real_scandir(path)):
                target = os.path.join(path, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    os.unlink(target)
        return iterator

    monkeypatch.setattr(os, "scandir", scandir_then_delete)
    ws = Workspace.open(root)
    monkeypatch.setattr(os, "scandir", real_scandir)
    out = render(ws.pack(Task("g1_1 g2_2"), 2000), "json")
    assert json.loads(out)["tokens"] <= 2000


# ---- the language server on a hostile tree --------------------------------------------------


def test_server_packs_a_hostile_tree(tree: Path, tmp_path: Path) -> None:
    client = RpcClient(server_command(), server_env(tmp_path / "cache"), tree)
    try:
        init = client.initialize(tree)
        assert "result" in init, init
        reply = client.pack({"task": "login redirect outside secret", "budget": 8000}, timeout=90)
        assert "result" in reply, reply
        result = reply["result"]
        assert result["tokens"] <= 8000 and result["items"]
        assert CANARY not in json.dumps(reply)
        for focus in ("../outside/secret.txt", "outdir/secret.txt", "leak_abs.py"):
            refused = client.pack({"task": "x", "focus": [focus]})
            assert "error" in refused and CANARY not in json.dumps(refused), refused
        assert client.proc.poll() is None
        assert not client.garbage, client.garbage[:3]
    finally:
        code = client.close()
    assert code == 0
    assert CANARY.encode() not in client.stderr


@pytest.mark.parametrize("command", ["pack", "stats", "check", "rules"])
def test_overlong_path_argument_is_a_one_line_error(tree: Path, command: str) -> None:
    # `ctxtrim pack "a long task"` without a path: the task lands in the path argument. A
    # name over 255 bytes makes pathlib raise ENAMETOOLONG instead of answering "missing".
    long_arg = "fix the login redirect " * 20
    done = run(tree, command, long_arg)
    assert_clean(done, ok=(0,))


def test_no_python_warnings_on_stderr(tmp_path: Path) -> None:
    # A `.gitignore` line such as `[[:alpha:]` makes re.compile emit a FutureWarning ("Possible
    # nested set"), which Python prints to stderr: noise a user cannot act on, and it breaks
    # the one-line-message contract for exit code 2.
    root = tmp_path / "root"
    hostile.ordinary(root)
    (root / "sub").mkdir()
    (root / "sub" / ".gitignore").write_text("[[:alpha:]\n[[a]\n")
    for args in (("pack", ".", "login"), ("stats", ".")):
        done = run(root, *args)
        assert_clean(done)
        assert "Warning" not in done.stderr, done.stderr
