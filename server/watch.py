"""A server-side file watcher for clients that cannot watch files for us.

It polls: the indexed files' sizes and mtimes, and the mtimes of the directories that hold
them (a new file changes its directory's mtime). No extra dependency, no OS watch limits; a
few milliseconds per thousand files per round, on a thread of its own.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from .folder import Folder

log = logging.getLogger(__name__)


class Poller:
    """Polls every folder's files every `interval` seconds until `stop()`."""

    def __init__(self, folders: Callable[[], list[Folder]], interval: float = 2.0) -> None:
        self._folders = folders
        self.interval = interval
        self._stop = threading.Event()
        self._dirs: dict[str, dict[str, int]] = {}  # folder root -> {rel dir: mtime_ns}
        self._thread = threading.Thread(target=self._run, name="ctxtrim-poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for folder in self._folders():
                try:
                    self.poll(folder)
                except Exception:  # noqa: BLE001 - keep watching the other folders
                    log.exception("polling %s failed", folder.root)

    def poll(self, folder: Folder) -> int:
        """One round over `folder`; returns how many changes it queued."""
        ws = folder.workspace()
        if ws is None:
            return 0
        with ws.lock:  # a consistent snapshot; the worker mutates the index
            files = ws.index.entries()
        root = str(ws.root)
        prefix = root + os.sep  # a concatenation: os.path.join was a third of a round's time
        changes = 0
        for rel, entry in files:
            if entry.mtime_ns == 0:  # an open buffer; its text is what counts
                continue
            try:
                st = os.stat(prefix + rel)
            except OSError:
                folder.sync(rel)
                changes += 1
                continue
            if st.st_mtime_ns != entry.mtime_ns or st.st_size != entry.size:
                folder.sync(rel)
                changes += 1
        known = {rel for rel, _ in files}
        dirs = self._dirs.setdefault(root, {})
        current = {rel.rpartition("/")[0] for rel in known} | {""} | set(dirs)
        for rel_dir in sorted(current):
            try:
                mtime = os.stat(prefix + rel_dir).st_mtime_ns
            except OSError:
                dirs.pop(rel_dir, None)
                continue
            before = dirs.get(rel_dir)
            dirs[rel_dir] = mtime
            if before is None or before == mtime:
                continue
            changes += self._new_entries(folder, root, rel_dir, known, dirs)
        return changes

    def _new_entries(
        self, folder: Folder, root: str, rel_dir: str, known: set[str], dirs: dict[str, int]
    ) -> int:
        """Queue the files and directories in `rel_dir` the index does not know yet."""
        changes = 0
        try:
            entries = list(os.scandir(os.path.join(root, rel_dir)))
        except OSError:
            return 0
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if rel in known or rel in dirs:
                continue
            folder.sync(rel)  # the worker applies the scan's rules and walks new directories
            changes += 1
        return changes
