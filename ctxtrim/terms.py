"""Words for lexical matching: identifiers split into their parts, as a search index wants them.

`parseHTTPResponse_v2` yields the terms `parsehttpresponse_v2` (the whole identifier),
`parse`, `http`, `response` and `v2`, so a task that says "HTTP response parsing" meets code
that never spells it that way.
"""

from __future__ import annotations

import re
from collections import Counter

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

STOPWORDS = frozenset(
    """a an and are as at be but by can could did do does for from had has have how i if in
    into is it its me my no not of on or our should so than that the their them then there
    these they this those to was we were what when where which while who will with would you
    your self cls this none null true false nil return def var let const new else elif end
    import from use using include pass get set is_ to_ also just like would only some any all
    one two out up via per use used using""".split()
)


def split_identifier(ident: str) -> list[str]:
    """The lowercase parts of an identifier (snake_case and camelCase aware)."""
    parts: list[str] = []
    for chunk in ident.split("_"):
        if chunk:
            parts.extend(p.lower() for p in _CAMEL.findall(chunk))
    return parts


def _expand(counts: Counter[str], weight_whole: int = 1) -> Counter[str]:
    terms: Counter[str] = Counter()
    for ident, n in counts.items():
        parts = split_identifier(ident)
        lowered = ident.lower()
        if len(parts) > 1 and lowered not in STOPWORDS:
            terms[lowered] += n * weight_whole
        for part in parts:
            if len(part) > 1 and part not in STOPWORDS:
                terms[part] += n
    return terms


def text_terms(text: str) -> Counter[str]:
    """Term frequencies of a text: identifier parts plus whole compound identifiers."""
    # Count whole identifiers first (C speed), then split each distinct one once.
    return _expand(Counter(IDENT.findall(text)))


def path_terms(path: str) -> Counter[str]:
    """Terms of a file path (directory and file names, extension dropped)."""
    stem = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    return _expand(Counter(IDENT.findall(stem.replace("-", "_"))))
