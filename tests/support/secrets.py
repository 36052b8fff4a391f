"""The secrets corpus and its generator (tests/data/secrets)."""

from __future__ import annotations

from . import DATA, load_script

SECRETS_DATA = DATA / "secrets"
GEN = load_script("make_corpus", SECRETS_DATA / "make_corpus.py")
