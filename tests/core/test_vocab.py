"""The vocabulary a snapshot stores sorted: lookups by binary search, then a dict on write."""

from __future__ import annotations

from array import array

from ctxtrim.index.vocab import Vocab

TERMS = {"zeta": 0, "alpha": 1, "mid": 2, "a": 3, "alphabet": 4, "é": 5, "Zed": 6}


def loaded(terms: dict[str, int]) -> Vocab:
    """A vocabulary as a snapshot load makes it: from the sorted parts of a dict."""
    parts = Vocab(dict(terms)).sorted_parts()
    got = Vocab.from_sorted(*parts)
    assert got is not None
    return got


def test_sorted_form_finds_every_term_and_nothing_else() -> None:
    vocab = loaded(TERMS)
    assert {t: vocab[t] for t in TERMS} == TERMS
    assert dict(vocab.items()) == TERMS and len(vocab) == len(TERMS)
    # Before the first, after the last, between two, a prefix of a term, and a longer one.
    for miss in ("", "A", "zz", "alph", "alphabets", "b", "mi"):
        assert vocab.get(miss) is None and miss not in vocab, miss
    assert vocab.get("nope", -1) == -1


def test_first_write_turns_it_into_a_dict_with_the_same_terms() -> None:
    vocab = loaded(TERMS)
    terms = vocab.writable()
    terms["new"] = len(terms)
    assert vocab["new"] == len(TERMS) and vocab["alpha"] == 1
    again = loaded(dict(vocab.items()))
    assert dict(again.items()) == {**TERMS, "new": len(TERMS)}


def test_empty_vocabulary_round_trips() -> None:
    vocab = loaded({})
    assert len(vocab) == 0 and vocab.get("a") is None and list(vocab) == []


def test_parts_that_disagree_are_refused() -> None:
    text, starts, ids = Vocab(dict(TERMS)).sorted_parts()
    assert Vocab.from_sorted(text + "x", starts, ids) is None  # the string is longer
    assert Vocab.from_sorted(text, starts, ids[:-1]) is None  # one id short
    assert Vocab.from_sorted(text, array("Q", [1, *starts[1:]]), ids) is None
