"""Watch what a tokenizer encodes (rather than finds counted already)."""

from __future__ import annotations

import pytest

from ctxtrim.tokens import Tokenizer


def encoded_texts(tok: Tokenizer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The list each text `tok` encodes from now on is appended to."""
    encoded: list[str] = []
    real = tok._encode_count

    def spy(text: str) -> int:
        encoded.append(text)
        return real(text)

    monkeypatch.setattr(tok, "_encode_count", spy)
    return encoded
