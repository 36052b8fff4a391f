"""What the last scan decided in each directory, kept so the next scan re-decides only where
something changed.

A directory's verdicts (which entries are subdirectories to descend, which files pass the
ignore rules, which entries are excluded and why) change only when its listing changes,
which moves the directory's mtime, or when an ignore file that applies to it changes. So
a scan stores, per directory, its mtime and those verdicts; the next scan trusts a record
whose directory mtime is unchanged and whose ignore files are the same, and then only
stats the kept files (their size and mtime, for the index). On a 100k-file tree this
skips the ignore matching of every path and the listing of every directory.

Safety rules, as git's index has them:

* a directory modified within `RACY_NS` of the scan may change again within the same mtime
  tick: it is not recorded, so the next scan lists it again;
* every ignore file the scan read (and `.git/info/exclude`) is recorded with its size and
  mtime; if any differs, or a directory's set of ignore files changed, nothing below it is
  trusted;
* a directory holding a symbolic link is never recorded (a link's target can change without
  its directory's mtime moving).

The records live in one sealed file per (root, settings) in the cache directory, replaced
atomically; a damaged or foreign file is simply ignored.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

FORMAT = 1
_MAGIC = b"ctxlist1"
RACY_NS = 2_000_000_000  # mtimes closer than this to the scan are not trusted next time


class Listing(NamedTuple):
    """One directory's verdicts. `files` passed the ignore rules (their size still decides);
    `excluded` are (name, rule, is_dir) the rules left out; `ignore` are the directory's
    ignore files as (name, size, mtime_ns). A named tuple: a warm start makes one per
    directory of the tree from its stored record (48k on a 100k-file tree)."""

    mtime_ns: int
    subdirs: tuple[str, ...]
    files: tuple[str, ...]
    excluded: tuple[tuple[str, str, bool], ...]
    ignore: tuple[tuple[str, int, int], ...]


@dataclass
class Listings:
    """The records of one (root, settings), as loaded, and those the running scan makes."""

    path: Path | None
    key: str
    old: dict[str, Listing] = field(default_factory=dict)
    new: dict[str, Listing] = field(default_factory=dict)
    started_ns: int = field(default_factory=time.time_ns)
    changed: bool = False

    @classmethod
    def load(cls, folder: Path | None, root: Path, key: str) -> Listings:
        """The records kept for `root` under `key` in `folder` (none if absent or damaged)."""
        if folder is None:
            return cls(None, key)
        name = hashlib.blake2b(f"{root}\0{key}".encode(), digest_size=16).hexdigest()
        listings = cls(folder / f"{name}.list", key)
        try:
            blob = listings.path.read_bytes()  # type: ignore[union-attr]
        except OSError:
            return listings
        body = blob[12:]
        if blob[:8] != _MAGIC or zlib.crc32(body).to_bytes(4, "little") != blob[8:12]:
            return listings
        try:
            fmt, got_root, got_key, records = marshal.loads(body)
            if fmt == FORMAT and got_root == str(root) and got_key == key:
                listings.old = {rel: Listing._make(rec) for rel, rec in records.items()}
        except (ValueError, EOFError, TypeError):
            listings.old = {}
        return listings

    def trusted(self, rel_dir: str, mtime_ns: int) -> Listing | None:
        """The old record of `rel_dir` if its mtime still matches."""
        got = self.old.get(rel_dir)
        return got if got is not None and got.mtime_ns == mtime_ns else None

    def keep(self, rel_dir: str, listing: Listing, fresh: bool) -> None:
        """Record `rel_dir` for the next scan; a `fresh` listing changes the stored file."""
        if fresh:
            self.changed = True
            if abs(self.started_ns - listing.mtime_ns) < RACY_NS:
                return  # may change again within its mtime's tick: list it next time
        self.new[rel_dir] = listing

    def save(self, root: Path) -> None:
        """Write the records if the scan listed anything anew or dropped a directory."""
        if self.path is None or not (self.changed or self.new.keys() != self.old.keys()):
            return
        records = {rel: tuple(r) for rel, r in self.new.items()}  # marshal takes plain tuples
        body = marshal.dumps((FORMAT, str(root), self.key, records))
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(_MAGIC + zlib.crc32(body).to_bytes(4, "little") + body)
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only cache only costs time
