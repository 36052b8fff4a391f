"""Fit's view values (ctxtrim/fit.py) as learned by tests/bench/train_fit.py: read from the
data file beside this module, over the hand-set defaults that fit.py names and documents."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from .errors import CtxtrimError

VALUES_FILE = "fit_values.json"


def parse_values(text: str, defaults: Mapping[str, float]) -> dict[str, float]:
    """`defaults` with what the file's text sets: a JSON object whose "values" maps any of
    their names to a non-negative number. The file may leave values out (those that did not
    validate keep their default); it may not name one fit does not have."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    values = data.get("values") if isinstance(data, dict) else None
    if (
        not isinstance(values, dict)
        or not set(values) <= set(defaults)
        or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
            for v in values.values()
        )
    ):
        raise CtxtrimError(
            f'{VALUES_FILE}: needs "values", a non-negative number for any of {", ".join(defaults)}'
        )
    return {**defaults, **{k: float(v) for k, v in values.items()}}


def load_values(defaults: Mapping[str, float], folder: Path | None = None) -> dict[str, float]:
    """`parse_values` of the file in `folder` (this package's, by default). Read by path, not
    through importlib.resources, whose imports cost every start ~5 ms (as rank's weights)."""
    path = (folder or Path(__file__).parent) / VALUES_FILE
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        raise CtxtrimError(f"{VALUES_FILE}: cannot be read at {path}") from None
    return parse_values(text, defaults)
