"""Words for lexical matching: identifiers split into their parts, as a search index wants them.

`parseHTTPResponse_v2` yields the terms `parsehttpresponse_v2` (the whole identifier),
`parse`, `http`, `response` and `v2`, so a task that says "HTTP response parsing" meets code
that never spells it that way.
"""

from __future__ import annotations

import re
import string
from collections import Counter

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IDENT_CHARS = frozenset((string.ascii_letters + string.digits + "_").encode())
# Every byte that is no identifier character, as a space: `translate` then `split` cut UTF-8
# bytes into the runs of identifier characters at C speed, twice as fast as `IDENT.findall`
# (a non-ASCII character's bytes separate words, as it does for IDENT).
_NOT_IDENT = bytes(b if b in _IDENT_CHARS else 0x20 for b in range(256))
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
        got = _split(ident, STOPWORDS)
        if len(_TERMS_OF) >= _TERMS_OF_MAX:
            _TERMS_OF.clear()
        _TERMS_OF[ident] = got
    return got


def _split(ident: str, stopwords: frozenset[str]) -> tuple[str, ...]:
    if ident.isalpha() and ident.islower():
        # Most identifiers are one lowercase word: their only part is themselves.
        return (ident,) if len(ident) > 1 and ident not in stopwords else ()
    parts = split_identifier(ident)
    lowered = ident.lower()
    # A dunder (`__all__`, `__slots__`) is a name of its own, whatever its word is.
    whole = len(parts) > 1 or (len(ident) > 4 and ident[:2] == ident[-2:] == "__")
    out = [lowered] if whole and lowered not in stopwords else []
    out.extend(p for p in parts if len(p) > 1 and p not in stopwords)
    return tuple(out)


def _expand(counts: dict[str, int]) -> dict[str, int]:
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


# A run of identifier characters (bytes) -> its terms: IDENT's match in the run is the run
# without its leading digits (`2fa` -> `fa`, `404` -> none). Most runs yield one term or
# none (""): kept apart from the others, they need no inner loop in `utf8_terms`.
_TERM_OF_RUN: dict[bytes, str] = {}
_TERMS_OF_RUN: dict[bytes, tuple[str, ...]] = {}  # runs of two terms or more


def _learn_run(run: bytes) -> tuple[str, ...]:
    ident = run.lstrip(string.digits.encode()).decode("ascii")
    got = _terms_of(ident) if ident else ()
    if len(_TERM_OF_RUN) + len(_TERMS_OF_RUN) >= _TERMS_OF_MAX:
        _TERM_OF_RUN.clear()
        _TERMS_OF_RUN.clear()
    if len(got) > 1:
        _TERMS_OF_RUN[run] = got
    else:
        _TERM_OF_RUN[run] = got[0] if got else ""
    return got


def utf8_terms(data: bytes) -> dict[str, int]:
    """`text_terms` of UTF-8 text given as its bytes: the same terms in the same order (each
    run's terms come where its identifier first occurs, counts add up alike), found faster."""
    terms: dict[str, int] = {}
    get = terms.get
    one, several = _TERM_OF_RUN.get, _TERMS_OF_RUN.get
    for run, n in Counter(data.translate(_NOT_IDENT).split()).items():
        term = one(run)
        if term:
            terms[term] = get(term, 0) + n
        elif term is None:  # a run of several terms, or one not seen yet
            split = several(run)
            if split is None:
                split = _learn_run(run)
            for term in split:
                terms[term] = get(term, 0) + n
    return terms


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


# Prose keeps the code keywords that are also English words: in a rule section or a tool
# description, "Import organization", "Return values" or "null handling" name a topic.
PROSE_STOPWORDS = STOPWORDS - frozenset("import include return null none const var let".split())
_PROSE_OF: dict[str, tuple[str, ...]] = {}


def _prose_of(ident: str) -> tuple[str, ...]:
    """The terms `words` yields for `ident`: split, suffixes folded, and no stopword after
    folding either ("uses" is "use"), so a task and a text fold a word alike."""
    got = _PROSE_OF.get(ident)
    if got is None:
        folded = (stem(term) for term in _split(ident, PROSE_STOPWORDS))
        got = tuple(term for term in folded if term not in PROSE_STOPWORDS)
        if len(_PROSE_OF) >= _TERMS_OF_MAX:
            _PROSE_OF.clear()
        _PROSE_OF[ident] = got
    return got


def words(text: str) -> list[str]:
    """The terms of a prose text in reading order, suffixes folded: what rule sections and
    tasks are compared on. Same splitting as `text_terms`; English stopwords only."""
    out: list[str] = []
    for ident in IDENT.findall(text):
        out.extend(_prose_of(ident))
    return out


def compounds(text: str) -> tuple[set[str], set[frozenset[str]]]:
    """How `text` spells its words, folded as `words` folds them: (those standing on their
    own, the parts of each compound name). `keepalive_timeout` stands on its own whole and is
    the compound {keepalive, timeout}: its `timeout` is only part of a name."""
    alone: set[str] = set()
    names: set[frozenset[str]] = set()
    for ident in set(IDENT.findall(text)):
        got = _NAME_OF.get(ident)
        if got is None:
            got = _name_of(ident)
        whole, parts = got
        alone.update(whole)
        if parts:
            names.add(parts)
    return alone, names


# Identifier -> (its prose words that stand on their own, its parts if it is a compound).
_NAME_OF: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}


def _name_of(ident: str) -> tuple[tuple[str, ...], frozenset[str]]:
    terms = _prose_of(ident)
    parts = frozenset(stem(part) for part in split_identifier(ident)).intersection(terms)
    if len(parts) > 1:
        got = (tuple(term for term in terms if term not in parts), parts)  # the whole name
    else:
        got = (terms, frozenset())
    if len(_NAME_OF) >= _TERMS_OF_MAX:
        _NAME_OF.clear()
    _NAME_OF[ident] = got
    return got
