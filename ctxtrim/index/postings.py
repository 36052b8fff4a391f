"""Postings in flat arrays: term id -> doc ids, and term id -> term frequencies.

One flat array cut by offsets (as built or loaded), not one Python object per term and
document: a large repository's index then loads and saves as a few byte strings.
"""

from __future__ import annotations

import sys
from array import array

TF_MAX = 65_535  # term frequencies are stored as 16-bit; BM25 saturates long before this
# While a worker posts a chunk's terms, a posting is one number: its doc id above these bits,
# its term frequency (at most TF_MAX) below. One append per posting instead of two in the
# build's hottest loop (`build.post_terms`); `unpack` splits them at C speed. "L" where it
# is 64-bit (LP64: Linux, macOS): the array stores it by a fast conversion, where "Q" goes
# through a generic byte-array one that cost 2 % of a cold build's analysis.
PACKED = "L" if array("L").itemsize == 8 else "Q"
DOC_SHIFT = 32
# `unpack` cuts packed postings in blocks of this many: its copies stay small.
UNPACK_BLOCK = 1 << 20
# Where in memory a packed posting's doc id (of its two 32-bit words) and its frequency (of
# its four 16-bit words) lie.
_DOC_WORD, _TF_HALF = (1, 0) if sys.byteorder == "little" else (0, 3)


class Postings:
    """Term id -> an array of values: a frozen base (one flat array cut by offsets, as built
    or loaded) plus per-term appends made since. Reading a term returns a fresh array."""

    __slots__ = ("typecode", "offsets", "data", "appended")

    def __init__(
        self, typecode: str, offsets: array[int] | None = None, data: array[int] | None = None
    ) -> None:
        self.typecode = typecode
        self.offsets = offsets if offsets is not None else array("Q", [0])
        self.data = data if data is not None else array(typecode)
        self.appended: dict[int, array[int]] = {}  # term id -> values added after the base

    def span(self, tid: int) -> tuple[int, int]:
        """The range of `data` that holds term `tid`'s base entries."""
        if tid < len(self.offsets) - 1:
            return self.offsets[tid], self.offsets[tid + 1]
        return 0, 0

    def __getitem__(self, tid: int) -> array[int]:
        lo, hi = self.span(tid)
        got = self.data[lo:hi]
        more = self.appended.get(tid)
        if more:
            got.extend(more)
        return got

    def append(self, tid: int, value: int) -> None:
        more = self.appended.get(tid)
        if more is None:
            more = self.appended[tid] = array(self.typecode)
        more.append(value)

    def folded(self, terms: int) -> Postings:
        """These postings with their appends folded into the base: the runs of untouched
        terms are copied whole."""
        appended = self.appended
        off, data = self.offsets, self.data
        new_off = array("Q", [0]) * (terms + 1)
        pieces: list[array[int]] = []
        shift = 0
        start = 0  # first term not yet copied
        for tid in sorted(appended) + [terms]:
            # Terms start..tid-1 have no appends: one slice of the data, offsets shifted.
            base_end = min(tid, len(off) - 1)
            if base_end > start:
                pieces.append(data[off[start] : off[base_end]])
                for t in range(start, base_end):
                    new_off[t + 1] = off[t + 1] + shift
            for t in range(max(start, base_end), tid):  # new terms with no appends: empty
                new_off[t + 1] = new_off[t]
            if tid == terms:
                break
            lo, hi = self.span(tid)
            more = appended[tid]
            pieces.append(data[lo:hi])
            pieces.append(more)
            shift += len(more)
            new_off[tid + 1] = new_off[tid] + (hi - lo) + len(more)
            start = tid + 1
        flat = array(self.typecode)
        for piece in pieces:
            flat.extend(piece)
        return Postings(self.typecode, new_off, flat)


def flatten(lists: list[array[int]], typecode: str) -> tuple[array[int], array[int]]:
    """Per-term arrays as (offsets, data), emptying `lists`: each array is freed once copied,
    so a large build never holds both forms in full (~50 MB less peak at 100k files)."""
    offsets = array("Q", [0])
    data = array(typecode)
    total = 0
    lists.reverse()  # popped from the end: first term first
    while lists:
        arr = lists.pop()
        total += len(arr)
        offsets.append(total)
        data.extend(arr)
    return offsets, data


def unpack(packed: array[int]) -> tuple[array[int], array[int]]:
    """(doc ids, term frequencies) of packed postings (see PACKED), in their order."""
    docs, tfs = array("I"), array("H")
    _unpack_into(packed, docs, tfs)
    return docs, tfs


def _unpack_into(packed: array[int], docs: array[int], tfs: array[int]) -> None:
    whole = memoryview(packed).cast("B")
    step = UNPACK_BLOCK * packed.itemsize
    for start in range(0, len(whole), step):
        block = whole[start : start + step]
        docs.frombytes(block.cast("I")[_DOC_WORD::2].tobytes())
        tfs.frombytes(block.cast("H")[_TF_HALF::4].tobytes())


def from_bytes(typecode: str, data: bytes) -> array[int]:
    arr = array(typecode)
    arr.frombytes(data)
    return arr
