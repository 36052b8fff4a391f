"""The index's vocabulary: term -> term id.

A snapshot stores it as its terms in sorted order (one string) with their start offsets and
ids (two arrays). Loaded so, it answers a lookup by binary search over that string: a warm
start then builds no dict of every term (74k for django, ~16 ms), since a pack looks up a
few hundred. The first write (an edit the language server indexes) turns it into a dict.
Lookups are remembered: a server's packs ask for the same names again and again.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping

# (terms sorted and joined by newlines, start offset of each and the end, term ids)
SortedParts = tuple[str, "array[int]", "array[int]"]
LOOKUPS_KEPT = 100_000  # remembered lookups of the sorted form; then forgotten at once
_UNSEEN = -1


class Vocab(Mapping[str, int]):
    """term -> term id: a dict, or the sorted form a snapshot holds until the first write."""

    __slots__ = ("_dict", "_text", "_starts", "_ids", "_seen")

    def __init__(self, terms: dict[str, int] | None = None) -> None:
        self._dict: dict[str, int] | None = terms if terms is not None else {}
        self._text = ""
        self._starts: array[int] = array("Q", [0])
        self._ids: array[int] = array("I")
        self._seen: dict[str, int | None] = {}

    @classmethod
    def from_sorted(cls, text: str, starts: array[int], ids: array[int]) -> Vocab | None:
        """The vocabulary a snapshot stored (`sorted_parts`); None if the parts disagree."""
        end = len(text) + 1 if ids else 0  # no newline follows the last term
        if len(starts) != len(ids) + 1 or starts[0] != 0 or starts[-1] != end:
            return None
        vocab = cls()
        vocab._dict = None
        vocab._text, vocab._starts, vocab._ids = text, starts, ids
        return vocab

    def _term(self, k: int) -> str:
        return self._text[self._starts[k] : self._starts[k + 1] - 1]

    def _find(self, term: str) -> int | None:
        lo = bisect_left(range(len(self._ids)), term, key=self._term)
        if lo < len(self._ids) and self._term(lo) == term:
            return self._ids[lo]
        return None

    def get(self, term: str, default: int | None = None) -> int | None:  # type: ignore[override]
        if self._dict is not None:
            return self._dict.get(term, default)
        found = self._seen.get(term, _UNSEEN)
        if found == _UNSEEN:
            if len(self._seen) >= LOOKUPS_KEPT:
                self._seen.clear()
            found = self._seen[term] = self._find(term)
        return default if found is None else found

    def __getitem__(self, term: str) -> int:
        found = self.get(term)
        if found is None:
            raise KeyError(term)
        return found

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def __len__(self) -> int:
        return len(self._dict) if self._dict is not None else len(self._ids)

    def __iter__(self) -> Iterator[str]:
        if self._dict is not None:
            return iter(self._dict)
        return (self._term(k) for k in range(len(self._ids)))

    def writable(self) -> dict[str, int]:
        """The vocabulary as a dict, to add terms to (the sorted form is dropped)."""
        if self._dict is None:
            terms = self._text.split("\n") if self._ids else []
            self._dict = dict(zip(terms, self._ids))
            self._text, self._starts, self._ids = "", array("Q", [0]), array("I")
            self._seen = {}
        return self._dict

    def sorted_parts(self) -> SortedParts:
        """The form a snapshot stores (see the module's docstring)."""
        if self._dict is None:
            return self._text, self._starts, self._ids
        pairs = sorted(self._dict.items())
        starts = array("Q", [0])
        at = 0
        for term, _ in pairs:
            at += len(term) + 1
            starts.append(at)
        return "\n".join(t for t, _ in pairs), starts, array("I", (i for _, i in pairs))
