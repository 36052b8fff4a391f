"""A warm pack imports only what a pack needs: no other command, no server, no parser of
ignore patterns when no directory changed, no tree-sitter when every outline is cached."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ctxtrim.cli import build_parser

NOT_NEEDED = (
    "ctxtrim.rules.commands",
    "ctxtrim.evaluate",
    "ctxtrim.server",
    "pygls",
    "lsprotocol",
    "mcp",
    "pathspec",
    "tree_sitter",
    "multiprocessing",
    "statistics",
    "importlib.resources",
    "zipfile",
    "tempfile",
)
PACK_AND_LIST_MODULES = (
    "import json, sys\n"
    "from ctxtrim.cli import main\n"
    "from ctxtrim.tokens import get_encoding\n"
    "code = main(sys.argv[1:])\n"
    "print(json.dumps([sorted(sys.modules), get_encoding.cache_info().currsize]))\n"
)


def pack_modules(argv: list[str], cache: Path) -> tuple[set[str], int]:
    """The modules a pack imported, and how many encodings it built."""
    env = {**os.environ, "CTXTRIM_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", PACK_AND_LIST_MODULES, *argv],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    modules, encodings = json.loads(done.stdout)
    return set(modules), encodings


def loaded(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_a_warm_pack_imports_only_what_it_needs(demo: Path, tmp_path: Path) -> None:
    past = time.time_ns() - 60 * 10**9  # an unchanged tree: its listings are trusted
    for dirpath, _, names in os.walk(demo):
        for name in names:
            os.utime(os.path.join(dirpath, name), ns=(past, past))
        os.utime(dirpath, ns=(past, past))
    argv = ["pack", str(demo), "the login redirect", "-o", str(tmp_path / "pack.md")]
    cold, built = pack_modules(argv, tmp_path / "cache")
    assert loaded(cold, "tree_sitter") and loaded(cold, "pathspec")  # the first run needs both
    assert built == 1
    first = (tmp_path / "pack.md").read_text()
    warm, built = pack_modules(argv, tmp_path / "cache")
    assert [name for name in NOT_NEEDED if loaded(warm, name)] == []
    # The same pack again is counted from the cache: the encoding is never built.
    assert built == 0
    assert (tmp_path / "pack.md").read_text() == first
    assert first.startswith("<!-- ctxtrim pack")
    _, built = pack_modules([*argv[:2], "the password reset", *argv[3:]], tmp_path / "cache")
    assert built == 1  # a new task renders new text: counted by the encoding


def test_every_command_is_still_offered() -> None:
    assert {"pack", "stats", "cache", "serve", "rules", "check", "eval"} <= commands(None)
    # A built-in command's parser leaves the others' modules alone, but knows its own.
    pack_only = commands(["pack", "."])
    assert "pack" in pack_only and "rules" not in pack_only
    assert "rules" in commands(["rules", "."])


def commands(argv: list[str] | None) -> set[str]:
    """The subcommands a parser built for `argv` offers."""
    parser = build_parser(argv)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)
