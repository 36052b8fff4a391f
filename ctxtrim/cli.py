"""The `ctxtrim` command. Every subcommand calls the core API; none re-implements a step."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import select
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .cache import wait_for_writers
from .config import DEFAULT_BUDGET, Config
from .errors import CtxtrimError
from .map import MAP, MAP_CHARS, MIN_MAP_CHARS, outlines, render_map
from .pack import ORDERS
from .progress import Progress, Stage
from .render import FORMATS, render
from .scan import directory
from .task import Task

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE = 0, 1, 2
# Commands whose process ends with their output: `run` then skips the interpreter's
# teardown, which only frees memory the OS reclaims anyway (the index, the tokenizer's
# tables: ~30 ms of a 0.3 s warm pack on django).
QUICK_EXIT = frozenset({"pack", "hook"})
STDIN = "-"  # as the task or the task file: read the task from stdin
_DIFF_TASK = "Continue the work in progress."


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line, as every other bad input does."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"ctxtrim: {message}\n")


def _progress() -> Progress | None:
    if not sys.stderr.isatty():
        return None

    def show(stage: Stage, done: int, total: int) -> None:
        detail = f"{done:,}/{total:,}" if total else f"{done:,}"
        sys.stderr.write(f"\r\x1b[2Kctxtrim: {stage} {detail} files")
        sys.stderr.flush()

    return show


def _clear_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[2K")


def _config(args: argparse.Namespace, root: Path) -> Config:
    config = Config.load(root)
    changes: dict[str, object] = {}
    if getattr(args, "exclude", None):
        changes["exclude"] = tuple(config.exclude) + tuple(args.exclude)
    if getattr(args, "include", None):
        changes["include"] = tuple(config.include) + tuple(args.include)
    if getattr(args, "encoding", None):
        changes["encoding"] = args.encoding
    if getattr(args, "no_gitignore", False):
        changes["use_gitignore"] = False
    if getattr(args, "fail_on_secret", False):
        changes["fail_on_secret"] = True
    if getattr(args, "max_file_bytes", None) is not None:
        changes["max_file_bytes"] = args.max_file_bytes
    if getattr(args, "no_cache", False):
        changes["cache_dir"] = ""
    return config.with_(**changes) if changes else config


def _git(root: Path, *args: str) -> str:
    import subprocess  # here: most packs are given their task and never run git

    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=20,
            errors="replace",
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def _stdin_has_data() -> bool:
    """Whether stdin is a pipe or file with data (or its end) ready now. An open pipe that
    sends nothing (a hook, an IDE task, a CI step) must not make `pack` wait for it."""
    if sys.stdin is None or sys.stdin.isatty():
        return False
    try:
        ready, _, _ = select.select([sys.stdin], [], [], 0)
    except (OSError, ValueError):  # no select on this stream (Windows pipes): do not wait
        return False
    return bool(ready)


def _read_stdin() -> str:
    return sys.stdin.read() if sys.stdin is not None else ""


def _task_text(args: argparse.Namespace, root: Path) -> str:
    """The task: the argument (`-`: stdin), a file (`-`: stdin), stdin if it has data
    ready; else the uncommitted diff and branch name."""
    if args.task == STDIN or args.task_file == STDIN:
        return _read_stdin()
    if args.task is not None:
        return str(args.task)
    if args.task_file:
        try:
            return Path(args.task_file).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise CtxtrimError(
                f"{args.task_file}: cannot read task file ({exc.strerror})"
            ) from None
    if _stdin_has_data():
        data = _read_stdin()
        if data.strip():
            return data
    branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD").strip()
    diff = _git(root, "diff", "HEAD", "--unified=0", "--no-color")[:20000]
    parts = [_DIFF_TASK] if diff.strip() or branch else []
    if branch and branch not in ("HEAD", "main", "master"):
        parts.append(f"Branch: {branch.replace('-', ' ').replace('_', ' ').replace('/', ' ')}")
    if diff.strip():
        parts.append(f"Uncommitted changes:\n{diff}")
    return "\n\n".join(parts) if len(parts) > 1 else ""


def cmd_pack(args: argparse.Namespace) -> int:
    from .workspace import Workspace

    root = directory(args.path)
    text = _task_text(args, root)
    ws = Workspace.open(root, _config(args, root), _progress())
    _clear_progress()
    # One pack, then the process ends: the index lives until then, so the cyclic collector
    # need never walk it again (its first passes took a tenth of a warm pack).
    gc.freeze()
    if ws.index.file_count == 0:
        raise CtxtrimError(f"{args.path}: no files to pack (empty, or everything is excluded)")
    focus = list(args.focus or ())
    if args.task is None and not args.task_file and text.startswith(_DIFF_TASK):
        # The task is the uncommitted diff: the files it touches are what the user works on.
        changed = _git(ws.root, "diff", "HEAD", "--name-only").split("\n")
        focus += [p for p in changed if p in ws.index][:10]
    # A map is a rendering of the markdown pack: its files, definitions and rules.
    fmt = "markdown" if args.format == MAP else args.format
    pack = ws.pack(
        Task(text, tuple(focus)), args.budget, fmt, args.explain, args.with_task, args.order
    )
    if args.format == MAP:
        if args.max_chars < MIN_MAP_CHARS:
            raise CtxtrimError(
                f"--max-chars {args.max_chars} is too small (at least {MIN_MAP_CHARS})"
            )
        _write(render_map(pack, outlines(ws), args.max_chars), args.output)
    else:
        _write(render(pack, args.format), args.output)
    if args.explain and pack.timings is not None:
        # On stderr: the pack itself depends only on its inputs, its timings do not.
        stats = ws.index.stats
        sys.stderr.write(
            f"ctxtrim: open {ws.open_seconds * 1000:.0f} ms ({stats.files:,} files scanned; "
            f"index {stats.snapshot}, {stats.analysed + stats.hashed:,} files read)\n"
            f"ctxtrim: pack {pack.timings.describe()}\n"
        )
    return EXIT_OK


def _write(text: str, output: str | None) -> None:
    if not output or output == "-":
        sys.stdout.write(text)
        return
    tmp = f"{output}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, output)
    except OSError as exc:
        raise CtxtrimError(f"{output}: cannot write ({exc.strerror})") from None


def cmd_stats(args: argparse.Namespace) -> int:
    from .scan import scan, why

    root = directory(args.path)
    config = _config(args, root)
    if args.why:
        print(why(root, args.why, config))
        return EXIT_OK
    result = scan(root, config)
    by_dir: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    sizes = []
    from .cache import cache_directory
    from .scan import read_text
    from .tokens import Tokenizer

    tok = Tokenizer(config.encoding, cache_directory(config.cache_dir))
    for entry in result.files:
        top = entry.path.split("/", 1)[0] if "/" in entry.path else "."
        est = entry.size // 4
        by_dir[top][0] += 1
        by_dir[top][1] += est
        sizes.append((est, entry.path))
    sizes.sort(key=lambda x: (-x[0], x[1]))
    top_files = []
    for _, path in sizes[: args.top]:
        got = read_text(result.root, path, config.max_file_bytes)
        top_files.append((tok.count(got.text) if got.text else 0, path))
    data: dict[str, Any] = {
        "root": str(result.root),
        "files": len(result.files),
        "tokens_estimate": sum(v[1] for v in by_dir.values()),
        "directories": [
            {"path": d, "files": v[0], "tokens_estimate": v[1]}
            for d, v in sorted(by_dir.items(), key=lambda kv: (-kv[1][1], kv[0]))
        ],
        "top_files": [{"path": p, "tokens": t} for t, p in top_files],
        "excluded": [
            {"path": e.path + ("/" if e.is_dir else ""), "rule": e.rule} for e in result.excluded
        ],
    }
    if args.format == "json":
        print(json.dumps(data, indent=1))
        return EXIT_OK
    print(
        f"{data['root']}: {data['files']:,} files, ~{data['tokens_estimate']:,} tokens (estimated)"
    )
    print("\nBy directory:")
    for d in data["directories"][:20]:
        print(f"  {d['tokens_estimate']:>10,}  {d['files']:>6,} files  {d['path']}")
    print(f"\nLargest files (exact {config.encoding} tokens):")
    for t, p in top_files:
        print(f"  {t:>10,}  {p}")
    print(f"\nExcluded ({len(result.excluded):,}):")
    for e in result.excluded[: args.excluded]:
        print(f"  {e.path}{'/' if e.is_dir else ''}  ← {e.rule}")
    if len(result.excluded) > args.excluded:
        print(f"  … {len(result.excluded) - args.excluded:,} more (--excluded N, or --format json)")
    return EXIT_OK


def cmd_cache(args: argparse.Namespace) -> int:
    from .cache import Cache

    if args.action == "warm":
        return _warm(args)
    cache = Cache.open(None)  # the directory every pack uses (no repository chooses another)
    if args.action == "clear":
        cache.clear()
        print(f"cleared {cache.path}")
    else:
        print(
            json.dumps(cache.info(), indent=1)
            if args.format == "json"
            else "\n".join(f"{k}: {v}" for k, v in cache.info().items())
        )
    return EXIT_OK


def _warm(args: argparse.Namespace) -> int:
    """`cache warm`: prepare every file of a repository ahead of the packs. With --parent
    (the language server starts it so), run at low priority, prepare first the files the
    parent asks for on stdin (see warm_channel), and stop when the parent goes."""
    from .workspace import Workspace

    stop = None
    asked = None
    if args.parent is not None:
        from .warm_channel import Requests

        asked = Requests(sys.stdin.fileno()).next
        parent = args.parent
        with contextlib.suppress(AttributeError, OSError):
            os.nice(10)
        stop = lambda: os.getppid() != parent  # noqa: E731
    root = directory(args.path)
    config = _config(args, root)
    started = time.monotonic()
    progress = None if args.quiet else _progress()
    ws = Workspace.open(root, config, progress)
    done, total = ws.warm(stop, progress, asked)
    _clear_progress()
    if not args.quiet:
        print(
            f"warmed {root}: {done:,} of {total:,} files prepared "
            f"in {time.monotonic() - started:.1f} s"
        )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import main as serve_main

    code: int = serve_main(args)
    return code


def cmd_mcp(args: argparse.Namespace) -> int:
    from .server.mcp import main as mcp_main

    code: int = mcp_main(args)
    return code


def cmd_hook(args: argparse.Namespace) -> int:
    from .hook import main as hook_main

    return hook_main(args)


def _add_scan_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--exclude",
        action="append",
        metavar="PATTERN",
        help="gitignore-style pattern to leave out (repeatable)",
    )
    p.add_argument(
        "--include",
        action="append",
        metavar="PATTERN",
        help="pack only files matching these patterns (repeatable)",
    )
    p.add_argument("--no-gitignore", action="store_true", help="do not apply .gitignore files")
    p.add_argument(
        "--max-file-bytes", type=int, help="leave out files larger than this (default 1,000,000)"
    )


# Commands whose modules load only when one of them is run (or help is asked for).
BUILTIN = ("pack", "stats", "cache", "serve")
EXTRA = ("mcp", "hook", "rules", "check", "eval", "tools")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given `argv` whose command is built in, without the other modules'."""
    parser = _Parser(
        prog="ctxtrim", description="Task-ranked context packs for AI coding assistants."
    )
    parser.add_argument("--version", action="version", version=f"ctxtrim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("pack", help="print a context pack for a task")
    p.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    p.add_argument(
        "task",
        nargs="?",
        help="the task ('-': read it from stdin); else --task-file, piped stdin, or the "
        "uncommitted diff",
    )
    p.add_argument("--task-file", help="read the task from this file ('-': stdin)")
    p.add_argument(
        "--focus",
        action="append",
        metavar="FILE[:LINE]",
        help="a file (and line) the task is about (repeatable)",
    )
    p.add_argument(
        "--budget",
        type=int,
        default=DEFAULT_BUDGET,
        help=f"token budget (default {DEFAULT_BUDGET})",
    )
    p.add_argument("--format", default="markdown", choices=(*FORMATS, MAP))
    p.add_argument(
        "--max-chars",
        type=int,
        default=MAP_CHARS,
        help=f"--format map: at most this many characters (default {MAP_CHARS:,})",
    )
    p.add_argument("--output", "-o", help="write the pack to this file")
    p.add_argument(
        "--explain", action="store_true", help="say why each item is in, and the best left out"
    )
    p.add_argument(
        "--with-task",
        action="store_true",
        help="repeat the whole task in the pack (default: its first line)",
    )
    p.add_argument(
        "--order",
        default="first",
        choices=ORDERS,
        help="where the most relevant files go: first (default) or last, nearest the question",
    )
    p.add_argument("--encoding", help="tiktoken encoding (default cl100k_base)")
    p.add_argument(
        "--fail-on-secret", action="store_true", help="fail instead of redacting secrets"
    )
    p.add_argument("--no-cache", action="store_true", help="do not read or write the index cache")
    _add_scan_flags(p)
    p.set_defaults(func=cmd_pack)

    s = sub.add_parser("stats", help="tokens by directory, top files, and what is excluded and why")
    s.add_argument("path", nargs="?", default=".")
    s.add_argument("--why", metavar="PATH", help="say which rule includes or excludes PATH")
    s.add_argument("--format", default="text", choices=("text", "json"))
    s.add_argument("--top", type=int, default=15, help="how many of the largest files to list")
    s.add_argument("--excluded", type=int, default=30, help="how many excluded paths to list")
    _add_scan_flags(s)
    s.set_defaults(func=cmd_stats)

    c = sub.add_parser("cache", help="the persistent index cache")
    c.add_argument(
        "action",
        choices=("info", "clear", "warm"),
        help="info | clear | warm: prepare every file of PATH now, so later packs are fast",
    )
    c.add_argument("path", nargs="?", default=".", help="the repository to warm (warm only)")
    c.add_argument("--format", default="text", choices=("text", "json"))
    c.add_argument("--quiet", "-q", action="store_true", help="no progress or summary (warm)")
    c.add_argument("--parent", type=int, help=argparse.SUPPRESS)
    c.set_defaults(func=cmd_cache)

    v = sub.add_parser("serve", help="run the language server (stdio, or --tcp HOST:PORT)")
    v.add_argument(
        "--tcp",
        metavar="HOST:PORT",
        help="listen on TCP instead of stdio; HOST must be a loopback address (127.0.0.1, ::1, "
        "localhost) unless --allow-remote is given",
    )
    v.add_argument(
        "--allow-remote",
        action="store_true",
        help="let --tcp listen on a non-loopback address: anyone who can connect can then "
        "pack any folder this user can read",
    )
    v.set_defaults(func=cmd_serve)

    # Other commands are added only when asked for (or for help, or a mistyped command): a
    # pack, run once per prompt by some agents, then imports none of their modules.
    command = next((a for a in argv or () if not a.startswith("-")), None)
    if {"-h", "--help"} & set(argv or ()) or command not in BUILTIN + EXTRA:
        command = None
    if command in (None, "mcp"):
        m = sub.add_parser("mcp", help="run the MCP server for AI coding agents (stdio)")
        m.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
        m.add_argument("--no-warm", action="store_true", help="do not warm the cache in a child")
        m.set_defaults(func=cmd_mcp)
    if command in (None, "hook"):
        from .hook import TIMEOUT as HOOK_TIMEOUT

        h = sub.add_parser("hook", help="run as an agent's prompt hook (reads the event on stdin)")
        h.add_argument("agent", choices=("claude-code",), help="whose hook: claude-code")
        h.add_argument(
            "--max-chars",
            type=int,
            default=MAP_CHARS,
            help=f"at most this many characters of context (default {MAP_CHARS:,})",
        )
        h.add_argument(
            "--timeout",
            type=float,
            default=HOOK_TIMEOUT,
            help=f"seconds before giving up silently (default {HOOK_TIMEOUT:g})",
        )
        h.add_argument(
            "--budget", type=int, default=DEFAULT_BUDGET, help="token budget of the underlying pack"
        )
        h.set_defaults(func=cmd_hook)
    if command in (None, "rules", "check"):
        from .rules import commands as rules_commands

        rules_commands.register(sub)
    if command in (None, "eval"):
        from . import evaluate

        evaluate.register(sub)
    if command in (None, "tools"):
        from .toolcost import command as toolcost_command

        toolcost_command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.func
    try:
        return command(args)
    except CtxtrimError as exc:
        _clear_progress()
        sys.stderr.write(f"ctxtrim: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("ctxtrim: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK


def run() -> NoReturn:
    """The `ctxtrim` executable: `main`, then exit with its code."""
    code = main()
    argv = sys.argv[1:]
    # Only with no other thread running: nothing is then left to finish but the flushes,
    # and the snapshot a cold start's copy of this process may still be writing.
    if argv and argv[0] in QUICK_EXIT and threading.active_count() == 1:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:
            pass  # the reader left; as `main` does, that is no error
        except OSError:
            code = code or EXIT_USAGE
        wait_for_writers()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
