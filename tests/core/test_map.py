"""`--format map`: the pack as where to look, under a character cap."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxtrim.cli import main

TASK = "the login redirect goes to another host"


def test_map_lists_files_definitions_and_rules(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pack", str(demo), TASK, "--format", "map"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# ctxtrim map: where to look\n\n## Files, most relevant first")
    assert TASK not in out  # the reader has the task; the map does not repeat it
    assert "\n1. app/auth.py  (score 1.00" in out
    # The definition the pack showed verbatim is starred: the login that redirects, or the
    # check of the redirect's host it calls (the task's words name both).
    starred = [line for line in out.splitlines() if line.startswith("  - ★ ")]
    assert starred in (["  - ★ function safe_next_url  L35-42"], ["  - ★ function login  L45-51"])
    assert "  - function logout  L54-56\n" in out  # the others listed, unstarred
    assert "- CLAUDE.md:15-18 › shopdemo > Login and redirects" in out
    assert "def safe_next_url" not in out  # no code in a map
    # Deterministic: the same inputs give the same bytes.
    assert main(["pack", str(demo), TASK, "--format", "map"]) == 0
    assert capsys.readouterr().out == out


@pytest.mark.parametrize("cap", [200, 500, 1200])
def test_map_respects_its_cap(demo: Path, capsys: pytest.CaptureFixture[str], cap: int) -> None:
    assert main(["pack", str(demo), TASK, "--format", "map", "--max-chars", str(cap)]) == 0
    out = capsys.readouterr().out
    assert len(out) <= cap
    assert "app/auth.py" in out


def test_map_cap_too_small(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", str(demo), TASK, "--format", "map", "--max-chars", "50"]) == 2
    assert capsys.readouterr().err == "ctxtrim: --max-chars 50 is too small (at least 200)\n"
