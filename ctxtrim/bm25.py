"""Okapi BM25 over a small set of documents held in memory (rule sections, descriptions).

The repository index keeps its own postings for thousands of files; this is the same formula
for a few hundred short documents, where building postings would cost more than scoring.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet

K1 = 1.2  # how fast a repeated term stops adding
B = 0.75  # how much a long document is penalised


def idf(documents: int, frequency: int) -> float:
    """How rare a term is: high for a term in one document of many, near 0 for one in all."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


class Corpus:
    """Term statistics of a fixed list of documents, each a bag of terms."""

    def __init__(self, documents: Sequence[Mapping[str, int]]) -> None:
        self.documents = documents
        self.frequency: Counter[str] = Counter(t for doc in documents for t in doc)
        self.lengths = [sum(doc.values()) for doc in documents]
        self.average = (sum(self.lengths) / len(documents) if documents else 0.0) or 1.0

    def idf(self, term: str) -> float:
        return idf(len(self.documents), self.frequency[term])

    def rarest(self) -> float:
        """The idf of a term found in one document: the most any one term can weigh."""
        return idf(len(self.documents), 1)

    def scores(
        self, query: Mapping[str, float], ignore: Sequence[AbstractSet[str]] = ()
    ) -> list[float]:
        """BM25 of every document for weighted query terms, in document order; `ignore`
        names, per document, query terms that do not count as found in it."""
        weights = {term: w * self.idf(term) for term, w in query.items() if self.frequency[term]}
        skips = ignore or [frozenset()] * len(self.documents)
        out = []
        for doc, length, skip in zip(self.documents, self.lengths, skips, strict=True):
            norm = K1 * (1 - B + B * length / self.average)
            out.append(
                sum(
                    w * doc[t] * (K1 + 1) / (doc[t] + norm)
                    for t, w in weights.items()
                    if t in doc and t not in skip
                )
            )
        return out
