"""Shared fixtures: a private cache per test session, and copies of the demo repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .support import DEMO


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests never touch the user's cache directory.
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ctxtrim-cache"))


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A fresh copy of fixtures/demo that a test may change."""
    dest = tmp_path / "demo"
    shutil.copytree(DEMO, dest, symlinks=True)
    return dest


# ---- hypothesis: one deterministic profile for every run ------------------------------------
# derandomize=True makes every run explore the same examples (CI and laptops agree, and a
# failure reproduces by re-running); deadline=None because tree-sitter and the tokenizer warm up
# on first use; print_blob=True so a failure can be replayed with @reproduce_failure.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ctxtrim", derandomize=True, deadline=None, print_blob=True)
_hypothesis_settings.load_profile("ctxtrim")
