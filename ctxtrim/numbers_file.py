"""The learned-numbers files shipped beside the code (rank's weights, fit's view values): a
JSON object holding, under one key, a non-negative number per name."""

from __future__ import annotations

import json
from collections.abc import Collection

from .errors import CtxtrimError


def parse_numbers(
    text: str, key: str, names: Collection[str], *, complete: bool, problem: str
) -> dict[str, float]:
    """The numbers under `key` in a file's text, as floats. With `complete` every one of
    `names` must be there, without it any of them may (and no other name). Anything else
    raises `CtxtrimError(problem)`: the caller's one line, naming its file and what it needs."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    numbers = data.get(key) if isinstance(data, dict) else None
    if (
        not isinstance(numbers, dict)
        or not (set(numbers) == set(names) if complete else set(numbers) <= set(names))
        or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
            for v in numbers.values()
        )
    ):
        raise CtxtrimError(problem)
    return {k: float(v) for k, v in numbers.items()}
