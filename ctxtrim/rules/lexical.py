"""Words for lexical matching: identifiers split (`loginRedirect` -> login, redirect), light
stemming, and a small BM25 over short documents such as rule sections."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
STOPWORDS = frozenset(
    """a an and are as at be but by can do does for from has have how i if in into is it its
    make me my no not of on or our should so that the their then there these this to use used
    using was we what when where which while will with you your all any also each must only
    may might new please add fix change update get set need want like just
    src lib py ts tsx js jsx md txt www""".split()
)


def stem(word: str) -> str:
    """Fold common English suffixes so `tests`, `testing` and `test` meet."""
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """Lower-cased, stemmed words of `text`, identifiers split into their parts, no stopwords."""
    out: list[str] = []
    for token in _WORD.findall(text.replace("_", " ")):
        parts = _CAMEL.findall(token) or [token]
        for part in parts:
            lowered = part.lower()
            if len(lowered) > 1 and lowered not in STOPWORDS:
                out.append(stem(lowered))
    return out


def bm25(query: Sequence[str], documents: Sequence[Sequence[str]]) -> list[float]:
    """BM25 score of each document for the (deduplicated) query terms."""
    if not documents:
        return []
    k1, b = 1.2, 0.75
    terms = list(dict.fromkeys(query))
    average = sum(len(doc) for doc in documents) / len(documents) or 1.0
    frequency = Counter(term for doc in documents for term in set(doc))
    total = len(documents)
    scores: list[float] = []
    for doc in documents:
        counts = Counter(doc)
        score = 0.0
        for term in terms:
            tf = counts.get(term, 0)
            if not tf:
                continue
            idf = math.log(1 + (total - frequency[term] + 0.5) / (frequency[term] + 0.5))
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / average))
        scores.append(score)
    return scores
