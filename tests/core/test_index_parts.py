"""The index's building blocks: flattening per-term arrays, sharing equal definitions."""

from __future__ import annotations

from array import array

from ctxtrim.index.analysis import SharedDefs
from ctxtrim.index.postings import flatten


def test_flatten_cuts_offsets_and_frees_the_per_term_arrays() -> None:
    lists = [array("I", [1, 4]), array("I"), array("I", [2, 3, 7])]
    offsets, data = flatten(lists, "I")
    assert list(offsets) == [0, 2, 2, 5]
    assert list(data) == [1, 4, 2, 3, 7]
    assert lists == []  # emptied: a large build must not hold both forms


def test_shared_defs_give_equal_lists_and_names_one_object() -> None:
    shared = SharedDefs()
    first = shared(("Model", "save"))
    again = shared(tuple(["Model", "".join(["sa", "ve"])]))
    assert again is first
    other = shared(("".join(["sa", "ve"]), "delete"))
    assert other == ("save", "delete") and other[0] is first[1]
