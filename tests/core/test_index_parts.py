"""The index's building blocks: flattening per-term arrays, sharing equal definitions."""

from __future__ import annotations

import pickle
from array import array

import pytest

import ctxtrim.index.postings as postings
from ctxtrim.index.analysis import (
    NO_TERMS,
    Analysis,
    SharedDefs,
    analyze,
    doc_terms,
    find_defs,
)
from ctxtrim.index.postings import DOC_SHIFT, PACKED, flatten, unpack


def test_flatten_cuts_offsets_and_frees_the_per_term_arrays() -> None:
    lists = [array("I", [1, 4]), array("I"), array("I", [2, 3, 7])]
    offsets, data = flatten(lists, "I")
    assert list(offsets) == [0, 2, 2, 5]
    assert list(data) == [1, 4, 2, 3, 7]
    assert lists == []  # emptied: a large build must not hold both forms


def packed(pairs: list[tuple[int, int]]) -> array[int]:
    return array(PACKED, [doc << DOC_SHIFT | tf for doc, tf in pairs])


def test_packed_postings_unpack_to_doc_ids_and_frequencies_in_order() -> None:
    docs, tfs = unpack(packed([(0, 1), (7, 65_535), (2**32 - 1, 3)]))
    assert docs.typecode == "I" and tfs.typecode == "H"
    assert list(docs) == [0, 7, 2**32 - 1] and list(tfs) == [1, 65_535, 3]
    assert unpack(array(PACKED)) == (array("I"), array("H"))


def test_unpacking_in_blocks_keeps_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postings, "UNPACK_BLOCK", 2)
    docs, tfs = unpack(packed([(1, 2), (3, 4), (9, 1), (12, 5), (40, 8)]))
    assert list(docs) == [1, 3, 9, 12, 40] and list(tfs) == [2, 4, 1, 5, 8]


def test_shared_defs_give_equal_lists_and_names_one_object() -> None:
    shared = SharedDefs()
    first = shared(("Model", "save"))
    again = shared(tuple(["Model", "".join(["sa", "ve"])]))
    assert again is first
    other = shared(("".join(["sa", "ve"]), "delete"))
    assert other == ("save", "delete") and other[0] is first[1]


def test_analyses_pickle_whole_and_keep_shared_definitions_shared() -> None:
    # A cold build's workers pickle every file's analysis; equal definitions stay one object.
    defs = ("Model", "save")
    sent = [Analysis("python", 12, defs, {}, None), Analysis(None, 0, defs, {}, "binary")]
    got = pickle.loads(pickle.dumps(sent))
    assert got == sent and got[0].defs is got[1].defs


def test_terms_taken_from_an_analysis_equal_those_copied_and_leave_it_none() -> None:
    copied = analyze("app/user_model.py", "class UserModel:\n    user = 1\n")
    taken = analyze("app/user_model.py", "class UserModel:\n    user = 1\n")
    counts = doc_terms("app/user_model.py", copied)
    assert counts["user"] == 2 + 3 * 1 and copied.terms["user"] == 2  # path terms weigh 3
    assert doc_terms("app/user_model.py", taken, take=True) == counts
    assert taken.terms is NO_TERMS
    # An analysis whose terms were taken already: the shared empty dict is never written.
    path_only = {"app": 3, "user_model": 3, "user": 3, "model": 3}
    assert doc_terms("app/user_model.py", taken, take=True) == path_only
    assert NO_TERMS == {}


def test_definitions_after_indentation_and_modifier_chains() -> None:
    # The search matches indentation and modifiers possessively (3.11+): the same names.
    text = (
        "        return value  # an indented line that is no definition\n"
        "\t  export default async function* stream() {}\n"
        "pub(crate) unsafe fn raw_parts() {}\n"
        "export\n  abstract class Shape {}\n"  # modifiers may stand on lines of their own
        "    public static final class Inner {}\n"
        "open data class Point(val x: Int)\n"
        "macro_rules! make_vec {}\n"
        "    defaults = make()\n"  # a modifier's prefix is no modifier
        "public static void main() {}\n"  # modifiers, then no definition keyword
        "impl (T) Display for Point {}\n"
    )
    assert find_defs(text, "rust") == (
        "Display",
        "Inner",
        "Point",
        "Shape",
        "make_vec",
        "raw_parts",
        "stream",
    )
