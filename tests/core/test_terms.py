"""Words for lexical matching: how identifiers, paths and prose become terms."""

from __future__ import annotations

from ctxtrim.terms import (
    compounds,
    path_terms,
    split_identifier,
    stem,
    text_terms,
    utf8_terms,
    words,
)


def test_identifiers_split_by_case_and_underscores() -> None:
    assert split_identifier("parseHTTPResponse_v2") == ["parse", "http", "response", "v", "2"]
    assert split_identifier("XMLHttpRequest") == ["xml", "http", "request"]
    assert split_identifier("__private__name") == ["private", "name"]


def test_text_terms_keep_compounds_whole_and_drop_stopwords_and_letters() -> None:
    terms = text_terms("def parseHTTPResponse_v2(self): return self.parse_html or None")
    assert terms == {
        "parsehttpresponse_v2": 1,
        "parse": 2,
        "http": 1,
        "response": 1,
        "parse_html": 1,
        "html": 1,
    }


def test_a_dunder_is_a_name_of_its_own() -> None:
    # `__all__` is all a task about a module's exports may say; its word alone is a stopword.
    assert text_terms("__all__ = []\nclass Point:\n    __slots__ = ()\n") == {
        "__all__": 1,
        "class": 1,
        "point": 1,
        "__slots__": 1,
        "slots": 1,
    }
    assert text_terms("def __init__(self): pass") == {"__init__": 1, "init": 1}
    assert text_terms("__x _y") == {}  # too short to be a name: no one-letter terms


def test_path_terms_drop_the_extension() -> None:
    assert path_terms("src/http_client/parseResponse.py") == {
        "src": 1,
        "http_client": 1,
        "http": 1,
        "client": 1,
        "parseresponse": 1,
        "parse": 1,
        "response": 1,
    }


def test_prose_words_fold_suffixes_in_reading_order() -> None:
    assert [stem(w) for w in ("tests", "testing", "tested", "class", "was")] == [
        "test",
        "test",
        "test",
        "class",
        "was",
    ]
    assert words("Running the parsers fails") == ["runn", "parser", "fail"]


def test_prose_keeps_code_keywords_that_name_a_topic_and_folds_words_alike() -> None:
    # "Import" in a heading and "imports" in a task are one word; code search drops `import`
    # as a keyword, prose does not. A word that folds to a stopword ("uses") is one too.
    assert words("Import organization: imports sorted; it uses isort and returns None") == [
        "import",
        "organization",
        "import",
        "sort",
        "isort",
        "return",
        "none",
    ]
    assert text_terms("import os; return None") == {"os": 1}


def test_utf8_terms_are_text_terms_in_the_same_order() -> None:
    # Leading digits drop out of a run (`2fa` -> `fa`, `404` -> nothing), non-ASCII letters
    # and invalid bytes separate words, a BOM is no word: as IDENT reads the decoded text.
    text = (
        "\ufeffx = 2fa_token + 404 + 0x1F\ncafé_au_lait = naïveBayes(get_user, getUser)\n"
        "__all__ = ['über', 'HTTPServer_v2', 'user_id', 'userId', 'getUser']\n"
    )
    data = text.encode("utf-8")
    assert list(utf8_terms(data).items()) == list(text_terms(text).items())
    assert utf8_terms(data)["fa_token"] == 1 and "404" not in utf8_terms(data)
    assert list(utf8_terms(b"bad\xff\xfebyte_here").items()) == list(
        text_terms(b"bad\xff\xfebyte_here".decode("utf-8", "replace")).items()
    )


def test_compounds_tell_words_on_their_own_from_parts_of_names() -> None:
    alone, names = compounds("Raise `keepalive_timeout` in client.py; ClientSession timeouts")
    assert alone == {"raise", "keepalive_timeout", "client", "py", "clientsession", "timeout"}
    assert names == {frozenset({"keepalive", "timeout"}), frozenset({"client", "session"})}
    # A stopword is no part: `get_user` is the word "user" on its own, not a compound.
    assert compounds("get_user __all__") == ({"get_user", "user", "__all__"}, set())
