"""Fit's view values (ctxtrim/fit.py) as learned by tests/bench/train_fit.py: read from the
data file beside this module, over the hand-set defaults that fit.py names and documents."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .errors import CtxtrimError
from .numbers_file import parse_numbers

VALUES_FILE = "fit_values.json"


def parse_values(text: str, defaults: Mapping[str, float]) -> dict[str, float]:
    """`defaults` with what the file's text sets: a JSON object whose "values" maps any of
    their names to a non-negative number. The file may leave values out (those that did not
    validate keep their default); it may not name one fit does not have."""
    values = parse_numbers(
        text,
        "values",
        defaults,
        complete=False,
        problem=f'{VALUES_FILE}: needs "values", a non-negative number for any of '
        f"{', '.join(defaults)}",
    )
    return {**defaults, **values}


def load_values(defaults: Mapping[str, float], folder: Path | None = None) -> dict[str, float]:
    """`parse_values` of the file in `folder` (this package's, by default). Read by path, not
    through importlib.resources, whose imports cost every start ~5 ms (as rank's weights)."""
    path = (folder or Path(__file__).parent) / VALUES_FILE
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        raise CtxtrimError(f"{VALUES_FILE}: cannot be read at {path}") from None
    return parse_values(text, defaults)
