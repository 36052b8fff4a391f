"""The `ctxtrim` command. Every subcommand calls the core API; none re-implements a step."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from . import __version__
from .config import DEFAULT_BUDGET, Config
from .errors import CtxtrimError
from .pack import ORDERS
from .render import FORMATS, render
from .scan import directory
from .task import Task

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE = 0, 1, 2
_DIFF_TASK = "Continue the work in progress."


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line, as every other bad input does."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"ctxtrim: {message}\n")


def _progress() -> Callable[[str, int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(stage: str, done: int, total: int) -> None:
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


def _task_text(args: argparse.Namespace, root: Path) -> str:
    """The task: the argument, a file, stdin; else the uncommitted diff and branch name."""
    if args.task is not None:
        return args.task
    if args.task_file:
        try:
            return Path(args.task_file).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise CtxtrimError(
                f"{args.task_file}: cannot read task file ({exc.strerror})"
            ) from None
    if not sys.stdin.isatty():
        data = sys.stdin.read()
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
    if ws.index.alive == 0:
        raise CtxtrimError(f"{args.path}: no files to pack (empty, or everything is excluded)")
    focus = list(args.focus or ())
    if args.task is None and not args.task_file and text.startswith(_DIFF_TASK):
        # The task is the uncommitted diff: the files it touches are what the user works on.
        changed = _git(ws.root, "diff", "HEAD", "--name-only").split("\n")
        focus += [p for p in changed if p in ws.index.by_path][:10]
    pack = ws.pack(
        Task(text, tuple(focus)),
        args.budget,
        args.format,
        args.explain,
        args.with_task,
        args.order,
    )
    if ws.config.fail_on_secret and pack.redactions:
        raise CtxtrimError(
            f"{sum(pack.redactions.values())} secret(s) found in files selected for the pack; "
            "refusing to pack (--fail-on-secret)"
        )
    _write(render(pack, args.format), args.output)
    if args.explain and args.format == "json":
        pass  # the JSON carries its own explanation
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
    from .scan import read_text
    from .tokens import Tokenizer

    tok = Tokenizer(config.encoding)
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
    data = {
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
    from .index import ANALYSIS_VERSION

    if args.action == "warm":
        return _warm(args)
    cache = Cache.open(
        os.environ.get("CTXTRIM_CACHE_DIR") or None, f"{__version__}+a{ANALYSIS_VERSION}"
    )
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
    (the language server starts it so), run at low priority and stop when the parent goes."""
    from .workspace import Workspace

    stop = None
    if args.parent is not None:
        parent = args.parent
        with contextlib.suppress(AttributeError, OSError):
            os.nice(10)
        stop = lambda: os.getppid() != parent  # noqa: E731
    root = directory(args.path)
    config = _config(args, root)
    if config.cache_dir == "":
        raise CtxtrimError("the cache is disabled (cache_dir = ''): there is nothing to warm")
    started = time.monotonic()
    progress = None if args.quiet else _progress()
    ws = Workspace.open(root, config, progress)
    done, total = ws.warm(stop, progress)
    _clear_progress()
    if not args.quiet:
        print(
            f"warmed {root}: {done:,} of {total:,} files prepared "
            f"in {time.monotonic() - started:.1f} s"
        )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from .server import main as serve_main
    except ImportError as exc:
        raise CtxtrimError(
            f"the language server needs its extra dependencies ({exc.name}): pip install 'ctxtrim[server]'"
        ) from None
    return serve_main(args)


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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ctxtrim", description="Task-ranked context packs for AI coding assistants."
    )
    parser.add_argument("--version", action="version", version=f"ctxtrim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("pack", help="print a context pack for a task")
    p.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    p.add_argument(
        "task", nargs="?", help="the task; else --task-file, stdin, or the uncommitted diff"
    )
    p.add_argument("--task-file", help="read the task from this file")
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
    p.add_argument("--format", default="markdown", choices=FORMATS)
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
    v.add_argument("--tcp", metavar="HOST:PORT")
    v.set_defaults(func=cmd_serve)

    for name in ("rules.commands", "evaluate"):
        try:
            module = __import__(f"ctxtrim.{name}", fromlist=["register"])
        except ImportError:
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CtxtrimError as exc:
        _clear_progress()
        sys.stderr.write(f"ctxtrim: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("ctxtrim: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
