"""Helpers for the rules tests: copy a sample repository, run a command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ctxtrim.rules.commands import main

from . import DATA

RULES_DATA = DATA / "rules"


def sample(name: str, tmp_path: Path) -> Path:
    """A private copy of tests/data/rules/<name> (outside any git repository)."""
    target = tmp_path / name
    shutil.copytree(RULES_DATA / name, target, symlinks=True)
    return target


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(args: list[str], capsys) -> tuple[int, dict]:
    code, out, _ = run([*args, "--format", "json"], capsys)
    return code, json.loads(out)


def line_of(path: Path, needle: str) -> int:
    """1-based number of the first line of `path` containing `needle`."""
    for number, line in enumerate(path.read_text().split("\n"), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
