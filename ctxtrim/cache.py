"""The persistent index cache: per-file analyses and outlines, keyed by content hash.

One SQLite database in the user cache directory serves every repository. WAL mode and a
busy timeout make it safe for the CLI and the language server to use it at once. Every
blob carries a checksum; a corrupt, partial or foreign database is set aside and rebuilt,
never trusted and never a crash. Losing the cache only costs time.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .outline import Outline, Symbol

if TYPE_CHECKING:
    from .index import Analysis
    from .scan import FileEntry

SCHEMA = 1
_MAGIC = b"ctxtrim1"


def default_dir() -> Path:
    env = os.environ.get("CTXTRIM_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("ctxtrim", appauthor=False))


def _seal(obj: object) -> bytes:
    body = marshal.dumps(obj)
    return _MAGIC + hashlib.blake2b(body, digest_size=8).digest() + body


def _open_seal(blob: bytes) -> object | None:
    if not isinstance(blob, bytes) or blob[:8] != _MAGIC:
        return None
    check, body = blob[8:16], blob[16:]
    if hashlib.blake2b(body, digest_size=8).digest() != check:
        return None
    try:
        return marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None


class Cache:
    """Analyses and outlines by content hash; a disabled cache simply remembers nothing."""

    def __init__(self, path: Path | None, version: str) -> None:
        self.path = path
        self.version = version  # ctxtrim version + analysis version: a new one starts afresh
        self._db: sqlite3.Connection | None = None
        if path is not None:
            self._db = self._connect(path)

    @classmethod
    def open(cls, cache_dir: str | None, version: str) -> Cache:
        if cache_dir == "":
            return cls(None, version)
        base = Path(cache_dir) if cache_dir else default_dir()
        return cls(base / "index.sqlite", version)

    # ------------------------------------------------------------------ connection
    def _connect(self, path: Path) -> sqlite3.Connection | None:
        for attempt in range(2):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(str(path), timeout=10, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                self._ensure_schema(db)
                return db
            except (sqlite3.DatabaseError, OSError):
                if attempt == 0:
                    self._set_aside(path)
        return None  # no usable cache: run without one

    def _ensure_schema(self, db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is not None and row[0] != f"{SCHEMA}:{self.version}":
            # Another ctxtrim version wrote this cache: its analyses may differ. Start afresh.
            db.executescript("DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS blobs;")
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS files (
                root TEXT, path TEXT, size INTEGER, mtime_ns INTEGER, digest TEXT,
                PRIMARY KEY (root, path));
            CREATE TABLE IF NOT EXISTS blobs (
                digest TEXT, kind TEXT, blob BLOB, used REAL, PRIMARY KEY (digest, kind));
            """
        )
        db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (f"{SCHEMA}:{self.version}",)
        )

    @staticmethod
    def _set_aside(path: Path) -> None:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.replace(f"{path}{suffix}", f"{path}{suffix}.corrupt")
            except OSError:
                pass

    def _run(self, sql: str, args: Iterable[object] = ()) -> list[tuple]:
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, tuple(args)).fetchall()
        except sqlite3.DatabaseError:
            self._recover()
            return []

    def _recover(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()
        if self.path is not None:
            self._set_aside(self.path)
            self._db = self._connect(self.path)

    # ------------------------------------------------------------------ analyses
    def lookup(self, root: str, entries: list[FileEntry]) -> dict[str, tuple[str, Analysis]]:
        """Cached (digest, analysis) of the files whose size and mtime are unchanged."""
        from .index import Analysis

        if self._db is None:
            return {}
        wanted = {e.path: e for e in entries}
        rows = self._run(
            "SELECT f.path, f.size, f.mtime_ns, f.digest, b.blob FROM files f "
            "JOIN blobs b ON b.digest = f.digest AND b.kind = 'a' WHERE f.root = ?",
            (root,),
        )
        found: dict[str, tuple[str, Analysis]] = {}
        for path, size, mtime_ns, dig, blob in rows:
            entry = wanted.get(path)
            if entry is None or entry.size != size or entry.mtime_ns != mtime_ns:
                continue
            data = _open_seal(blob)
            if not isinstance(data, tuple) or len(data) != 5:
                continue
            found[path] = (dig, Analysis(*data))
        return found

    def store(self, root: str, records: list[tuple[FileEntry, str, Analysis]]) -> None:
        if self._db is None or not records:
            return
        now = time.time()
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                    [(root, e.path, e.size, e.mtime_ns, d) for e, d, _ in records if d],
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO blobs VALUES (?, 'a', ?, ?)",
                    [
                        (d, _seal((a.lang, a.lines, a.defs, a.terms, a.problem)), now)
                        for _, d, a in records
                        if d
                    ],
                )
        except sqlite3.DatabaseError:
            self._recover()

    # ------------------------------------------------------------------ outlines
    def get_outline(self, dig: str) -> Outline | None:
        rows = self._run("SELECT blob FROM blobs WHERE digest = ? AND kind = 'o'", (dig,))
        if not rows:
            return None
        data = _open_seal(rows[0][0])
        if not isinstance(data, tuple) or len(data) != 5:
            return None
        language, symbols, imports, refs, error = data
        try:
            return Outline(language, [Symbol(*s) for s in symbols], list(imports), list(refs), error)
        except TypeError:
            return None

    def put_outline(self, dig: str, outline: Outline) -> None:
        symbols = [
            (s.name, s.kind, s.start, s.end, s.signature_end, s.parent, s.doc) for s in outline.symbols
        ]
        blob = _seal((outline.language, symbols, outline.imports, outline.refs, outline.error))
        self._run("INSERT OR REPLACE INTO blobs VALUES (?, 'o', ?, ?)", (dig, blob, time.time()))

    # ------------------------------------------------------------------ maintenance
    def info(self) -> dict[str, object]:
        if self._db is None or self.path is None:
            return {"path": None, "enabled": False}
        roots = self._run("SELECT COUNT(DISTINCT root), COUNT(*) FROM files")
        blobs = self._run("SELECT kind, COUNT(*), SUM(LENGTH(blob)) FROM blobs GROUP BY kind")
        size = sum(
            Path(f"{self.path}{s}").stat().st_size
            for s in ("", "-wal")
            if Path(f"{self.path}{s}").exists()
        )
        by_kind = {k: (n, b or 0) for k, n, b in blobs}
        return {
            "path": str(self.path),
            "enabled": True,
            "repositories": roots[0][0] if roots else 0,
            "files": roots[0][1] if roots else 0,
            "analyses": by_kind.get("a", (0, 0))[0],
            "outlines": by_kind.get("o", (0, 0))[0],
            "bytes": size,
        }

    def clear(self) -> None:
        self._run("DELETE FROM files")
        self._run("DELETE FROM blobs")
        self._run("VACUUM")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
