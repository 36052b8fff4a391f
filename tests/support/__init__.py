"""Helpers shared by the test layers (core, rules, server) and the benchmarks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent  # the checkout
DATA = TESTS / "data"
DEMO = ROOT / "fixtures" / "demo"


def load_script(name: str, path: Path) -> ModuleType:
    """The Python file at `path` (a benchmark script, a data generator: not in a package)
    imported as module `name`, registered in sys.modules: its dataclasses look it up there."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
