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

# Words a task uses to say what to do, not what it is about ("fix the login redirect"): no
# evidence for prose such as rule sections. Code search keeps them (`update_user` is a name).
TASK_WORDS = frozenset(
    """fix fixe add update change make implement support need want please ensure improve
    should must new""".split()
)


def split_identifier(ident: str) -> list[str]:
    """The lowercase parts of an identifier (snake_case and camelCase aware)."""
    parts: list[str] = []
    for chunk in ident.split("_"):
        if chunk:
            parts.extend(p.lower() for p in _CAMEL.findall(chunk))
    return parts


# Identifier -> the terms it yields. Identifiers repeat across a repository's files, so
# splitting each distinct one once (not once per file) is most of what makes indexing fast.
_TERMS_OF: dict[str, tuple[str, ...]] = {}
_TERMS_OF_MAX = 400_000  # bound the memo: a pathological repository must not grow it forever


def _terms_of(ident: str) -> tuple[str, ...]:
    got = _TERMS_OF.get(ident)
    if got is None:
        if ident.isalpha() and ident.islower():
            # Most identifiers are one lowercase word: their only part is themselves.
            got = (ident,) if len(ident) > 1 and ident not in STOPWORDS else ()
        else:
            parts = split_identifier(ident)
            lowered = ident.lower()
            # A dunder (`__all__`, `__slots__`) is a name of its own, whatever its word is.
            whole = len(parts) > 1 or (len(ident) > 4 and ident[:2] == ident[-2:] == "__")
            out = [lowered] if whole and lowered not in STOPWORDS else []
            out.extend(p for p in parts if len(p) > 1 and p not in STOPWORDS)
            got = tuple(out)
        if len(_TERMS_OF) >= _TERMS_OF_MAX:
            _TERMS_OF.clear()
        _TERMS_OF[ident] = got
    return got


def _expand(counts: Counter[str]) -> dict[str, int]:
    terms: dict[str, int] = {}
    get = terms.get
    memo = _TERMS_OF.get
    for ident, n in counts.items():
        split = memo(ident)
        if split is None:  # inlined memo hit: this loop runs once per identifier and file
            split = _terms_of(ident)
        for term in split:
            terms[term] = get(term, 0) + n
    return terms  # a plain dict: indexing a whole tree makes millions, copies cost


def text_terms(text: str) -> dict[str, int]:
    """Term frequencies of a text: identifier parts plus whole compound identifiers."""
    # Count whole identifiers first (C speed), then split each distinct one once.
    return _expand(Counter(IDENT.findall(text)))


def path_terms(path: str) -> dict[str, int]:
    """Terms of a file path (directory and file names, extension dropped)."""
    stem = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    return _expand(Counter(IDENT.findall(stem.replace("-", "_"))))


def stem(term: str) -> str:
    """Fold common English suffixes so `tests`, `testing` and `test` meet (prose, not code)."""
    for suffix in ("ing", "ed", "s"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 3 and not term.endswith("ss"):
            return term[: -len(suffix)]
    return term


def words(text: str) -> list[str]:
    """The terms of a prose text in reading order, suffixes folded: what rule sections and
    tasks are compared on. Same splitting and stopwords as `text_terms`."""
    out: list[str] = []
    for ident in IDENT.findall(text):
        split = _TERMS_OF.get(ident)
        if split is None:
            split = _terms_of(ident)
        out.extend(stem(term) for term in split)
    return out
