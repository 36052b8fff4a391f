"""The `ctxtrim tools` subcommand (registered by the core CLI)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import CtxtrimError
from .model import DEFAULT_TIMEOUT

EXIT_OK = 0


def register(subparsers: Any) -> None:
    tools = subparsers.add_parser(
        "tools",
        help="MCP servers per client, what their tool definitions cost, and which a task needs",
        description="List the MCP servers each assistant loads for a repository and the tokens "
        "their tool definitions add to every request (from the cache; --connect starts the "
        "stdio servers to measure them). With a TASK, choose the tools it needs.",
    )
    tools.add_argument("path", nargs="?", help="repository (default: .)")
    tools.add_argument("task", nargs="?", help="a task, to choose the tools it needs")
    tools.add_argument(
        "--connect",
        action="store_true",
        help="start each configured stdio server (runs its command) and list its tools",
    )
    tools.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds per server with --connect (default {DEFAULT_TIMEOUT:g})",
    )
    tools.add_argument("--format", default="text", choices=("text", "json"))
    tools.set_defaults(func=cmd_tools)


def cmd_tools(args: argparse.Namespace) -> int:
    from ..config import Config
    from ..rules.settings import load_settings
    from ..rules.workspace import existing
    from .render import to_json, to_text
    from .report import build
    from .store import folder_for

    raw_path, task = args.path, args.task
    if raw_path is not None and task is None and not Path(raw_path).exists():
        raw_path, task = (
            None,
            raw_path,
        )  # `ctxtrim tools "what time is it"`: the one argument is the task
    if not args.timeout > 0:
        raise CtxtrimError(f"--timeout must be more than 0 seconds, got {args.timeout:g}")
    root = existing(raw_path or ".")
    if not root.is_dir():
        raise CtxtrimError(f"{raw_path}: not a directory")
    Config.load(root)  # a bad settings file is an error here, not a silently missing cache
    cache = folder_for(root)
    settings = load_settings(root)
    report = build(
        root,
        task,
        connect=args.connect,
        timeout=args.timeout,
        cache_folder=cache,
        encoding=settings.encoding,
        token_warning=settings.mcp_tokens_warning,
    )
    sys.stdout.write(to_json(report) if args.format == "json" else to_text(report))
    return EXIT_OK
