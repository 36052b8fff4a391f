"""Helpers shared by the test layers (core, rules, server) and the benchmarks."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent  # the checkout
DATA = TESTS / "data"
DEMO = ROOT / "fixtures" / "demo"
