"""The persistent index cache: a snapshot of each repository's whole index, plus per-file
analyses and outlines keyed by content hash.

Two stores live in the cache directory (`$CTXTRIM_CACHE_DIR`, else the `cache_dir` an API
caller gives, else the user cache directory; never a repository's own settings):

* `snapshots/*.snap` — one file per (repository, settings, ctxtrim version): the built index
  as flat arrays, so a warm start is one read and one decode instead of thousands of row
  decodes. Written to a temporary file and renamed into place, so concurrent writers never
  interleave and a reader sees a whole old or a whole new snapshot. A cold start writes it
  from a forked copy of itself while it goes on packing (`save_snapshot_apart`), and waits
  for that copy before it exits.
* `index.sqlite` — per-file facts that outlive a snapshot: analyses of files changed since
  the last snapshot (so the next start does not re-read them), tree-sitter outlines, and
  the token counts of texts a pack counted (its rendering, its item headers).
  WAL mode and a busy timeout let the CLI and the language server use it at once.

Every blob and snapshot is sealed with a checksum and the ctxtrim + analysis version. A
corrupt, partial or foreign cache is detected, set aside and rebuilt, never trusted and
never a crash: losing the cache only costs time.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import marshal
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .index.analysis import ANALYSIS_VERSION, Analysis
from .outline import Outline, Symbol

if TYPE_CHECKING:
    from .scan import FileEntry

SCHEMA = 3
# What wrote a cache: another ctxtrim or analysis version starts it afresh.
CACHE_VERSION = f"{__version__}+a{ANALYSIS_VERSION}"
OUTLINE_KIND = "o"  # the `blobs` kind of tree-sitter outlines; other kinds are named by their users
_MAGIC = b"ctxtrim3"
_SNAP_MAGIC = b"ctxsnap2"
COUNTS_KEPT_DAYS = 14  # a token count not written again for this long is dropped
SNAPSHOTS_KEPT = 32  # most recently written snapshots kept; older ones are deleted
# A snapshot's temporary file this old was left by a writer that died (a write takes seconds).
ABANDONED_TMP_SECONDS = 3600
# Above this many paths one query for the whole repository beats one query per path.
_LOOKUP_BULK = 400
# SQLite errors that mean the file itself is damaged or not a database; anything else
# (locked, busy, read-only, disk full) is transient and must not cost the cache.
# A file shorter than its header says (a truncated copy) reads short.
_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR_SHORT_READ")


def default_dir() -> Path:
    """`$CTXTRIM_CACHE_DIR`, else the platform's user cache directory for ctxtrim."""
    env = os.environ.get("CTXTRIM_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("ctxtrim", appauthor=False))


def cache_directory(cache_dir: str | None) -> Path | None:
    """The directory a cache setting means: None if `cache_dir` is '' (disabled); else
    `$CTXTRIM_CACHE_DIR`, else `cache_dir`, else the user cache directory."""
    if cache_dir == "":
        return None
    if os.environ.get("CTXTRIM_CACHE_DIR") or not cache_dir:
        return default_dir()
    return Path(cache_dir).expanduser()


def _check(body: bytes | memoryview) -> bytes:
    # CRC-32 detects the damage a cache meets (truncation, torn or flipped bytes) and runs
    # 5x faster than a cryptographic hash: a 100 MB snapshot checks in 30 ms.
    return zlib.crc32(body).to_bytes(4, "little") + len(body).to_bytes(8, "little")


def _seal(obj: Any, magic: bytes = _MAGIC) -> bytes:
    body = marshal.dumps(obj)  # the callers seal tuples of marshallable values
    return magic + _check(body) + body


def _open_seal(blob: bytes, magic: bytes = _MAGIC) -> object | None:
    if not isinstance(blob, bytes) or blob[:8] != magic:
        return None
    check = blob[8:20]
    body = memoryview(blob)[20:]
    if _check(body) != check:
        return None
    try:
        got: object = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None
    return got


# The snapshot writers this process forked that have not been waited for.
_WRITERS: list[int] = []


def wait_for_writers() -> None:
    """Wait until every snapshot this process handed to a writer is in place (or given
    up): before it reads a snapshot, and before it exits, so that the next start finds it."""
    while _WRITERS:
        try:
            os.waitpid(_WRITERS.pop(), 0)
        except ChildProcessError:  # reaped elsewhere
            pass


atexit.register(wait_for_writers)  # a command that ends with os._exit calls it itself


def _is_corrupt(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "")
    if name:
        return name.startswith(_CORRUPT)  # extended codes too: SQLITE_CORRUPT_INDEX, ...
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


class Cache:
    """The cache of one ctxtrim version; a disabled cache simply remembers nothing."""

    def __init__(self, path: Path | None, version: str) -> None:
        self.path = path  # the SQLite file; its directory holds the snapshots too
        self.version = version  # ctxtrim version + analysis version: a new one starts afresh
        self._db: sqlite3.Connection | None = None
        self._pruned: set[str] = set()  # kinds of token counts already pruned (put_counts)
        self._held: list[tuple[str, list[tuple[object, ...]]]] | None = None  # see `batch`
        if path is not None:
            self._db = self._connect(path)

    @classmethod
    def open(cls, cache_dir: str | None, version: str = CACHE_VERSION) -> Cache:
        """The cache in `cache_dir` ('' disables it; None: `$CTXTRIM_CACHE_DIR` or the
        user cache directory)."""
        base = cache_directory(cache_dir)
        return cls(base / "index.sqlite" if base is not None else None, version)

    @property
    def enabled(self) -> bool:
        return self.path is not None

    @property
    def directory(self) -> Path | None:
        """The cache directory; None when the cache is disabled."""
        return self.path.parent if self.path is not None else None

    @property
    def snapshot_dir(self) -> Path | None:
        return self.path.parent / "snapshots" if self.path is not None else None

    # ------------------------------------------------------------------ connection
    def _connect(self, path: Path) -> sqlite3.Connection | None:
        for attempt in range(2):
            db = None
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(
                    str(path), timeout=15, isolation_level=None, check_same_thread=False
                )
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                self._ensure_schema(db)
                return db
            except sqlite3.Error as exc:
                if db is not None:
                    db.close()
                if attempt == 0 and _is_corrupt(exc):
                    self._set_aside(path)
                    continue
                return None  # busy or unwritable: run this process without the database
            except OSError:
                return None
        return None

    def _ensure_schema(self, db: sqlite3.Connection) -> None:
        stamp = f"{SCHEMA}:{self.version}"
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is not None and row[0] == stamp:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is not None and row[0] != stamp:
                # Another ctxtrim version wrote this cache: its analyses may differ. Start afresh.
                db.execute("DROP TABLE IF EXISTS files")
                db.execute("DROP TABLE IF EXISTS blobs")
            db.execute(
                "CREATE TABLE IF NOT EXISTS files (root TEXT, path TEXT, size INTEGER, "
                "mtime_ns INTEGER, digest TEXT, PRIMARY KEY (root, path))"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS blobs (digest TEXT, kind TEXT, blob BLOB, used REAL, "
                "PRIMARY KEY (digest, kind))"
            )
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (stamp,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @staticmethod
    def _set_aside(path: Path) -> None:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.replace(f"{path}{suffix}", f"{path}{suffix}.corrupt")
            except OSError:
                pass

    def _run(self, sql: str, args: Iterable[object] = ()) -> list[tuple[Any, ...]]:
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, tuple(args)).fetchall()
        except sqlite3.Error as exc:
            self._failed(exc)
            return []

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Hold the writes made inside, then make them in one transaction: a pack stores
        the facts of each file it prepares, and a transaction each cost it ~0.1 ms a file.
        Reads inside do not see held writes; everything stored is a fact of some content,
        so a reader that misses one only computes it again."""
        if self._held is not None:  # nested: the outer batch writes
            yield
            return
        self._held = []
        try:
            yield
        finally:
            held, self._held = self._held, None
            self._transact(held)

    def _write(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        if self._db is None or not rows:
            return
        if self._held is not None:
            self._held.append((sql, rows))
            return
        self._transact([(sql, rows)])

    def _transact(self, writes: list[tuple[str, list[tuple[object, ...]]]]) -> None:
        if self._db is None or not writes:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, rows in writes:
                    self._db.executemany(sql, rows)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self._failed(exc)

    def _failed(self, exc: sqlite3.Error) -> None:
        """A query failed: rebuild a damaged database; shrug off a busy one."""
        if not _is_corrupt(exc):
            return
        db, self._db = self._db, None
        if db is not None:
            db.close()
        if self.path is not None:
            self._set_aside(self.path)
            self._db = self._connect(self.path)

    # ------------------------------------------------------------------ snapshots
    def _snapshot_file(self, root: str, key: str) -> Path | None:
        folder = self.snapshot_dir
        if folder is None:
            return None
        name = hashlib.blake2b(
            f"{root}\0{key}\0{self.version}".encode(), digest_size=16
        ).hexdigest()
        return folder / f"{name}.snap"

    def has_snapshot(self, root: str, key: str) -> bool:
        """Whether a snapshot of (`root`, `key`) by this version is there (not whether it
        loads: `load_snapshot` checks that)."""
        path = self._snapshot_file(root, key)
        if path is None:
            return False
        wait_for_writers()
        return path.is_file()

    def load_snapshot(self, root: str, key: str) -> object | None:
        """The snapshot body saved for (`root`, `key`) by this version, or None."""
        path = self._snapshot_file(root, key)
        if path is None:
            return None
        wait_for_writers()
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        # Read whole, then decoded: marshal.load on the file object takes 3x the time.
        sealed = _open_seal(blob, _SNAP_MAGIC)
        del blob  # the decoded body is all the index needs
        if not isinstance(sealed, tuple) or len(sealed) != 4:
            return None
        version, got_root, got_key, body = sealed
        if version != self.version or got_root != root or got_key != key:
            return None
        return body  # type: ignore[no-any-return]  # marshal's value, checked by the caller

    def save_snapshot(self, root: str, key: str, body: object) -> None:
        """Replace the snapshot of (`root`, `key`) atomically; failures are ignored."""
        path = self._snapshot_file(root, key)
        if path is None:
            return
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # `body` is a snapshot: tuples of marshallable values (index.snapshot.dump).
            data = marshal.dumps((self.version, root, key, body))  # type: ignore[arg-type]
            with open(tmp, "wb") as f:  # in pieces: no second copy of a large snapshot
                f.write(_SNAP_MAGIC)
                f.write(_check(data))
                f.write(data)
            del data
            os.replace(tmp, path)
        except BaseException as exc:  # an interrupted write leaves no temporary file either
            try:
                tmp.unlink()
            except OSError:
                pass
            if isinstance(exc, (OSError, ValueError)):
                return
            raise
        self._prune_snapshots(path.parent)

    def save_snapshot_apart(self, root: str, key: str, body: Callable[[], object]) -> bool:
        """`save_snapshot(root, key, body())` in a forked copy of this process, which goes
        on meanwhile: the copy sees the index as it was at the fork, whatever this process
        does next. False, and nothing done, where no copy may be made: with other threads
        running (the copy could inherit a lock one of them held) or if fork fails."""
        if self.snapshot_dir is None:
            return True
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return False
        wait_for_writers()  # one writer at a time: the last one started renames last
        code = 1  # the copy's exit code: set before the fork, the copy never returns
        try:
            pid = os.fork()
        except OSError:
            return False
        if pid == 0:  # the copy: write, then leave at once (no exit handlers, no flushes)
            try:
                gc.disable()  # every object dies with the copy: a collection only copies pages
                # Off the standard streams: a reader of the pack waits for every holder of
                # the pipe to close it, and the pack is done before the snapshot.
                quiet = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(quiet, fd)
                self.save_snapshot(root, key, body())
                code = 0
            finally:
                os._exit(code)
        _WRITERS.append(pid)
        return True

    @staticmethod
    def _prune_snapshots(folder: Path) -> None:
        try:
            snaps = sorted(folder.glob("*.snap"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in snaps[SNAPSHOTS_KEPT:]:
                old.unlink()
            abandoned = time.time() - ABANDONED_TMP_SECONDS
            for tmp in folder.glob(".*.tmp"):
                if tmp.stat().st_mtime < abandoned:
                    tmp.unlink()
        except OSError:
            pass

    # ------------------------------------------------------------------ analyses
    def lookup(self, root: str, entries: list[FileEntry]) -> dict[str, tuple[str, Analysis | None]]:
        """For the files whose size and mtime match what was last recorded: their digest and,
        when stored, their analysis (None when only the digest was recorded)."""
        if self._db is None or not entries:
            return {}
        wanted = {e.path: e for e in entries}
        sql = (
            "SELECT f.path, f.size, f.mtime_ns, f.digest, b.blob FROM files f "
            "LEFT JOIN blobs b ON b.digest = f.digest AND b.kind = 'a' WHERE f.root = ?"
        )
        if len(entries) > _LOOKUP_BULK:
            rows = self._run(sql, (root,))
        else:
            rows = []
            for path in wanted:
                rows.extend(self._run(sql + " AND f.path = ?", (root, path)))
        found: dict[str, tuple[str, Analysis | None]] = {}
        for path, size, mtime_ns, dig, blob in rows:
            entry = wanted.get(path)
            if entry is None or entry.size != size or entry.mtime_ns != mtime_ns or not dig:
                continue
            found[path] = (dig, self._analysis(blob) if blob is not None else None)
        return found

    @staticmethod
    def _analysis(blob: bytes) -> Analysis | None:
        data = _open_seal(blob)
        if not isinstance(data, tuple) or len(data) != 5:
            return None
        try:
            return Analysis(*data)
        except TypeError:
            return None

    def get_analysis(self, dig: str) -> Analysis | None:
        """The stored analysis of content `dig` (its `lang` is that of the path it had)."""
        rows = self._run("SELECT blob FROM blobs WHERE digest = ? AND kind = 'a'", (dig,))
        return self._analysis(rows[0][0]) if rows else None

    def store(self, root: str, records: list[tuple[FileEntry, str, Analysis]]) -> None:
        """Record files' stat and digest, and the analysis of each digest."""
        records = [r for r in records if r[1]]
        if self._db is None or not records:
            return
        now = time.time()
        self.remember(root, [(e, d) for e, d, _ in records])
        self._write(
            "INSERT OR REPLACE INTO blobs VALUES (?, 'a', ?, ?)",
            [(d, _seal((a.lang, a.lines, a.defs, a.terms, a.problem)), now) for _, d, a in records],
        )

    def remember(self, root: str, records: list[tuple[FileEntry, str]]) -> None:
        """Record that these files, with this size and mtime, have this content digest."""
        self._write(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
            [(root, e.path, e.size, e.mtime_ns, d) for e, d in records if d],
        )

    # ------------------------------------------------------------------ outlines
    def get_outline(self, dig: str) -> Outline | None:
        """The stored outline of content `dig`, or None."""
        rows = self._run(
            "SELECT blob FROM blobs WHERE digest = ? AND kind = ?", (dig, OUTLINE_KIND)
        )
        if not rows:
            return None
        data = _open_seal(rows[0][0])
        if not isinstance(data, tuple) or len(data) != 5:
            return None
        language, symbols, imports, refs, error = data
        try:
            return Outline(
                language, [Symbol(*s) for s in symbols], list(imports), list(refs), error
            )
        except TypeError:
            return None

    def put_outline(self, dig: str, outline: Outline) -> None:
        symbols = [
            (s.name, s.kind, s.start, s.end, s.signature_end, s.parent, s.doc, s.trait)
            for s in outline.symbols
        ]
        blob = _seal((outline.language, symbols, outline.imports, outline.refs, outline.error))
        self._write(
            "INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?)",
            [(dig, OUTLINE_KIND, blob, time.time())],
        )

    # ------------------------------------------------------------------ other facts
    def get_facts(self, dig: str, kind: str) -> object | None:
        """Any marshal-able facts stored for content `dig` under `kind` (e.g. token counts
        for one encoding), or None when absent or damaged."""
        rows = self._run("SELECT blob FROM blobs WHERE digest = ? AND kind = ?", (dig, kind))
        return _open_seal(rows[0][0]) if rows else None

    def has_facts(self, dig: str, kinds: tuple[str, ...]) -> bool:
        """Whether facts of every kind in `kinds` are stored for content `dig`."""
        marks = ",".join("?" * len(kinds))
        rows = self._run(
            f"SELECT COUNT(*) FROM blobs WHERE digest = ? AND kind IN ({marks})", (dig, *kinds)
        )
        return bool(rows) and rows[0][0] == len(set(kinds))

    def put_facts(self, dig: str, kind: str, facts: object) -> None:
        self._write(
            "INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?)",
            [(dig, kind, _seal(facts), time.time())],
        )

    def get_count(self, kind: str, key: str) -> int | None:
        """The token count stored for the text hashed to `key` (see `tokens.Tokenizer`)."""
        rows = self._run("SELECT blob FROM blobs WHERE digest = ? AND kind = ?", (key, kind))
        n = rows[0][0] if rows else None
        return n if isinstance(n, int) and n >= 0 else None

    def put_counts(self, kind: str, counts: dict[str, int]) -> None:
        """Store token counts by text hash. Every new pack adds a few dozen, so the first
        store of a process drops those of `kind` written more than COUNTS_KEPT_DAYS ago
        (once: the scan of the table would slow every pack of a language server)."""
        now = time.time()
        self._write(
            "INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?)",
            [(key, kind, n, now) for key, n in counts.items()],
        )
        if kind not in self._pruned:
            self._pruned.add(kind)
            self._write(
                "DELETE FROM blobs WHERE kind = ? AND used < ?",
                [(kind, now - COUNTS_KEPT_DAYS * 86400)],
            )

    # ------------------------------------------------------------------ maintenance
    def info(self) -> dict[str, object]:
        """Where the cache is and what it holds."""
        if self.path is None:
            return {"path": None, "enabled": False}
        roots = self._run("SELECT COUNT(DISTINCT root), COUNT(*) FROM files")
        blobs = self._run("SELECT kind, COUNT(*) FROM blobs GROUP BY kind")
        by_kind = dict(blobs)
        snaps = self._snapshots()
        size = sum(_size(Path(f"{self.path}{s}")) for s in ("", "-wal")) + sum(
            _size(p) for p in snaps
        )
        return {
            "path": str(self.path.parent),
            "enabled": True,
            "database": self._db is not None,
            "snapshots": len(snaps),
            "repositories": roots[0][0] if roots else 0,
            "files": roots[0][1] if roots else 0,
            "analyses": by_kind.get("a", 0),
            "outlines": by_kind.get(OUTLINE_KIND, 0),
            "bytes": size,
        }

    def _snapshots(self) -> list[Path]:
        folder = self.snapshot_dir
        try:
            return sorted(folder.glob("*.snap")) if folder is not None and folder.is_dir() else []
        except OSError:
            return []

    def clear(self) -> None:
        """Forget everything: rows, outlines and snapshots."""
        for snap in self._snapshots():
            try:
                snap.unlink()
            except OSError:
                pass
        if self._db is not None:
            self._write("DELETE FROM files", [()])
            self._write("DELETE FROM blobs", [()])
            self._run("VACUUM")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
