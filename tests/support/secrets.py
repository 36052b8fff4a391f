"""The secrets corpus and its generator (tests/data/secrets)."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from . import DATA

SECRETS_DATA = DATA / "secrets"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", SECRETS_DATA / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load_generator()
