"""`ctxtrim hook claude-code`: a map of where to look, added to every prompt.

Claude Code runs the command on each `UserPromptSubmit` with the event JSON on stdin and adds
`hookSpecificOutput.additionalContext` to what the model sees. The hook must never get in the
prompt's way: on any problem (bad JSON, an unknown `cwd`, no repository, a prompt that is no
task, the time limit) it prints nothing on stdout, one line on stderr, and exits 0. It never
emits a decision, so it can never block a prompt.

A cold repository takes longer to index than a prompt may wait. Then the hook gives up at its
time limit and leaves a `ctxtrim cache warm` running in the background, which fills the
persistent cache; the next prompts open the repository from that cache.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from .config import Config
from .errors import CtxtrimError
from .map import MIN_MAP_CHARS, outlines, render_map
from .task import Task

EVENT = "UserPromptSubmit"
TIMEOUT = 2.0  # seconds: a prompt waits no longer for its context
MIN_TASK_WORDS = 4  # "thanks", "yes go ahead": no task, no context
MAX_EVENT_BYTES = 4_000_000
EXIT = 0  # always: a hook's failure must not become the prompt's


class Skip(Exception):
    """The hook has nothing to add; the message says why (one line on stderr)."""


def main(args: argparse.Namespace) -> int:
    try:
        prompt, root = _read_event(sys.stdin.buffer.read(MAX_EVENT_BYTES + 1))
        if args.max_chars < MIN_MAP_CHARS:
            raise Skip(f"--max-chars {args.max_chars} is too small (at least {MIN_MAP_CHARS})")
        if not args.timeout > 0:
            raise Skip(f"--timeout {args.timeout} must be a positive number of seconds")
    except Skip as why:
        return _quiet(str(why))
    # The index may use a process pool; this process runs threads, so children start fresh.
    multiprocessing.set_start_method("spawn", force=True)
    result: list[str] = []
    failure: list[str] = []
    worker = threading.Thread(
        target=_work,
        args=(root, prompt, args.budget, args.max_chars, result, failure),
        daemon=True,
    )
    worker.start()
    # The limit is the prompt's wait: it counts from the process's start, imports included.
    worker.join(max(args.timeout - _since_start(), 0.0))
    if worker.is_alive():
        started = _warm_in_background(root)
        note = "; warming its cache in the background" if started else ""
        _quiet(f"no context: {root} took longer than {args.timeout:g} s{note}")
        _leave()
    if failure:
        return _quiet(failure[0])
    out = {"hookSpecificOutput": {"hookEventName": EVENT, "additionalContext": result[0]}}
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return EXIT


def _read_event(data: bytes) -> tuple[str, Path]:
    """The prompt and the repository root from the event, or Skip saying why not."""
    if len(data) > MAX_EVENT_BYTES:
        raise Skip(f"the event is larger than {MAX_EVENT_BYTES:,} bytes")
    try:
        event: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Skip("stdin is not a JSON event") from None
    if not isinstance(event, dict):
        raise Skip("the event is not a JSON object")
    name = event.get("hook_event_name", EVENT)
    if name != EVENT:
        raise Skip(f"event {str(name)[:40]!r} is not {EVENT}")
    prompt, cwd = event.get("prompt"), event.get("cwd")
    if not isinstance(prompt, str) or not isinstance(cwd, str) or not cwd:
        raise Skip("the event has no 'prompt' and 'cwd' strings")
    stripped = prompt.strip()
    if stripped.startswith("/"):
        raise Skip("a slash command is not a task")
    if len(stripped.split()) < MIN_TASK_WORDS:
        raise Skip(f"a prompt of fewer than {MIN_TASK_WORDS} words is not a task")
    return prompt, _repository(cwd)


def _repository(cwd: str) -> Path:
    """The root of the git repository holding `cwd`."""
    try:
        start = Path(cwd).resolve()
    except (OSError, ValueError):
        raise Skip(f"cwd {cwd[:200]!r} cannot be resolved") from None
    if not start.is_dir():
        raise Skip(f"cwd {cwd[:200]!r} is not a directory")
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    raise Skip(f"{start} is not in a git repository")


def _work(
    root: Path, prompt: str, budget: int, max_chars: int, result: list[str], failure: list[str]
) -> None:
    from .workspace import Workspace  # the heavy imports, inside the time limit

    try:
        ws = Workspace.open(root)
        gc.freeze()  # one pack, then the process ends: never walk the index again (cli.py)
        if ws.index.file_count == 0:
            raise CtxtrimError(f"{root}: no files to map")
        pack = ws.pack(Task(prompt), budget, "markdown")
        result.append(render_map(pack, outlines(ws), max_chars))
    except CtxtrimError as exc:
        failure.append(str(exc))
    except Exception as exc:  # noqa: BLE001 - a hook's bug must not reach the prompt
        failure.append(f"internal error ({type(exc).__name__}: {exc})")


def _warm_in_background(root: Path) -> bool:
    """Start one detached `ctxtrim cache warm ROOT` unless one is running; True if started."""
    from .cache import default_dir

    config = Config.load(root) if root.is_dir() else Config()
    if config.cache_dir == "":
        return False
    # Where the index cache lives (Cache.open's rule: the environment, the config, the default).
    custom = config.cache_dir if not os.environ.get("CTXTRIM_CACHE_DIR") else None
    base = Path(custom).expanduser() if custom else default_dir()
    key = hashlib.sha1(str(root).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    pidfile = base / f"hook-warm-{key}.pid"
    try:
        pid = int(pidfile.read_text())
        os.kill(pid, 0)
        return False  # still warming
    except (OSError, ValueError):
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        child = subprocess.Popen(
            [sys.executable, "-m", "ctxtrim", "cache", "warm", str(root), "--quiet"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # outlives the hook
        )
        pidfile.write_text(str(child.pid))
    except OSError:
        return False
    return True


def _since_start() -> float:
    """Seconds since this process started (Linux /proc; 0 where that cannot be read)."""
    try:
        with open("/proc/self/stat", "rb") as f:
            # Field 22, counted after the parenthesised command name, which may hold spaces.
            started = int(f.read().rsplit(b")", 1)[1].split()[19])
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        return max(uptime - started / os.sysconf("SC_CLK_TCK"), 0.0)
    except (OSError, ValueError, IndexError):
        return 0.0


def _quiet(message: str) -> int:
    sys.stderr.write(f"ctxtrim hook: {message}\n")
    sys.stderr.flush()
    return EXIT


def _leave() -> None:
    """Exit now, without waiting for the indexing thread."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT)
