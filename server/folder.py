"""One workspace folder: its Workspace, opened in the background, and the queue of edits to it.

Every job that touches a folder's index (the initial open, buffer edits, file events, packs)
runs on that folder's own single worker thread, in arrival order. That one rule gives the
guarantees the editor needs without further locking: a pack sees every edit sent before it,
edits apply in order, and the reader thread never waits for the index.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ctxtrim.config import Config
from ctxtrim.errors import CtxtrimError
from ctxtrim.progress import Progress
from ctxtrim.warm_channel import Asker
from ctxtrim.workspace import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")

# Edit operations, coalesced per path: only the latest one for a path is applied.
SET, CLOSE, SYNC = "set", "close", "sync"
MAX_SECONDARY = 2  # workspaces kept for per-request include/exclude patterns
# Packs keep what they prepared (files, texts, outlines) for the next ones: tens of thousands
# of objects that each full collection would walk again, every few packs (12-77 ms on django,
# growing with the memos: most of the language server's p95). They hold no reference cycles,
# so after every job what is alive is frozen out of the collector's reach (refcounting still
# frees it); every FULL_COLLECT_JOBS jobs a full collection frees any cycle all the same.
FULL_COLLECT_JOBS = 200


class Folder:
    """A workspace folder and everything the server keeps for it."""

    def __init__(
        self, root: Path, uri: str, progress: Progress | None = None, warm: bool = True
    ) -> None:
        self.root = root.resolve()
        self.uri = uri
        self.name = self.root.name or str(self.root)
        self.started = time.monotonic()
        self.elapsed: float | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"ctxtrim-{self.name}")
        self.jobs_done = 0
        self._pending: dict[str, tuple[str, str | None]] = {}
        self._pending_lock = threading.Lock()
        self.buffers: dict[str, str] = {}  # rel -> text of open editor buffers (worker thread only)
        self._secondary: OrderedDict[tuple[tuple[str, ...], tuple[str, ...]], Workspace] = (
            OrderedDict()
        )
        self._warm = warm
        self._warmer: subprocess.Popen[bytes] | None = None
        self.ready: Future[Workspace] = self._worker.submit(self._open, progress)

    # ------------------------------------------------------------------ lifecycle
    def _open(self, progress: Progress | None) -> Workspace:
        try:
            ws = Workspace.open(self.root, None, progress)
            # The index lives as long as the server: collect once, then keep its millions of
            # objects out of every later collection (each one walked them all: p95 spikes).
            gc.collect()
            gc.freeze()
        finally:
            self.elapsed = time.monotonic() - self.started
        log.info("indexed %s: %d files in %.2f s", self.root, ws.index.file_count, self.elapsed)
        if self._warm and ws.index.cache.enabled:
            self._start_warmer()
            if self._warmer is not None and self._warmer.stdin is not None:
                ws.preparer.helper = Asker(self._warmer.stdin).ask
        return ws

    def _start_warmer(self) -> None:
        """Prepare every file (outline, token counts, secrets) ahead of the packs, in a
        low-priority `ctxtrim cache warm` child: packs then find it all in the cache. A
        child process, not a thread, so the work runs on another core and never holds this
        process's GIL while a request waits. Until it is done, a pack that meets files it
        has not prepared yet shares them with it (ctxtrim.warm_channel)."""
        argv = [sys.executable, "-m", "ctxtrim", "cache", "warm", str(self.root), "--quiet"]
        try:
            self._warmer = subprocess.Popen(
                [*argv, "--parent", str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:  # packs only get slower: prepared on demand, as without it
            log.warning("could not start the cache warmer for %s: %s", self.root, exc)

    @property
    def warming(self) -> str:
        """off | running | done | failed: the cache warmer's state."""
        if self._warmer is None:
            return "off"
        code = self._warmer.poll()
        return "running" if code is None else "done" if code == 0 else "failed"

    @property
    def state(self) -> str:
        if not self.ready.done():
            return "indexing"
        return "failed" if self.ready.exception() is not None else "ready"

    def workspace(self) -> Workspace | None:
        """The primary Workspace if it is open, else None (never blocks)."""
        if self.ready.done() and self.ready.exception() is None:
            return self.ready.result()
        return None

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run `fn(*args)` on this folder's worker, after every job submitted before it."""
        return self._worker.submit(self._job, fn, *args)

    def _job(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        finally:
            self.jobs_done += 1
            if self.jobs_done % FULL_COLLECT_JOBS == 0:
                gc.unfreeze()
                gc.collect()
            gc.freeze()  # O(1): the generations' lists are moved, not walked

    def close(self) -> None:
        """Drop queued jobs and let the running one finish in the background."""
        self._worker.shutdown(wait=False, cancel_futures=True)
        if self._warmer is not None and self._warmer.poll() is None:
            self._warmer.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._warmer.wait(timeout=2)

    # ------------------------------------------------------------------ paths
    def contains(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root)
        except (ValueError, OSError):
            return False
        return True

    def relative(self, path: str | Path) -> str:
        """`path` relative to the root; CtxtrimError if it lies outside (symlinks resolved)."""
        ws = self.workspace()
        if ws is not None:
            return ws.relative(path)
        p = Path(path)
        full = (p if p.is_absolute() else self.root / p).resolve()
        try:
            return full.relative_to(self.root).as_posix()
        except ValueError:
            raise CtxtrimError(f"{path}: outside the workspace {self.root}") from None

    def admits(
        self, ws: Workspace, rel: str, size: int | None = None, is_dir: bool = False
    ) -> bool:
        """Whether the scan would keep `rel` (or, with `is_dir`, descend into it): ignore files,
        excludes, include patterns, secret files, size. So the buffer of an excluded file
        (`.env`, vendored code) never enters the index. Worker thread only."""
        return ws.admits(rel, size, is_dir)

    def forget_ignore_rules(self) -> None:
        """An ignore file changed: re-read them on the next check."""

        def forget() -> None:
            for ws in [self.ready.result(), *self._secondary.values()]:
                ws.forget_ignore_rules()

        self.submit(forget)

    # ------------------------------------------------------------------ edits
    def set_text(self, rel: str, text: str) -> None:
        """An open buffer's current text (didOpen, didChange, didSave): it wins over the disk."""
        self._schedule(rel, SET, text)

    def close_buffer(self, rel: str) -> None:
        """The buffer was closed (didClose): index the disk version again."""
        self._schedule(rel, CLOSE, None)

    def sync(self, rel: str) -> None:
        """`rel` (a file or a directory) was created, changed, deleted or renamed on disk.
        Ignored for paths with an open buffer, whose text is what the user sees."""
        self._schedule(rel, SYNC, None)

    def _schedule(self, rel: str, op: str, text: str | None) -> None:
        with self._pending_lock:
            queued = self._pending.get(rel)
            if queued is not None and queued[0] == SET and op == SYNC:
                return  # the buffer's text is newer than whatever the disk says
            self._pending[rel] = (op, text)
        if queued is None:  # else a job for this path is already waiting and applies the latest op
            try:
                self._worker.submit(self._apply, rel)
            except RuntimeError:  # shutting down
                pass

    def _apply(self, rel: str) -> None:
        with self._pending_lock:
            op, text = self._pending.pop(rel)
        if op == SYNC and rel in self.buffers:
            return
        if op == SET:
            self.buffers[rel] = text or ""
        else:
            self.buffers.pop(rel, None)
        for ws in self._all_workspaces():
            try:
                if op == SET and text is not None:
                    self._set(ws, rel, text)
                else:
                    self._sync_path(ws, rel)
            except Exception:  # noqa: BLE001 - one bad file must not stop the queue
                log.exception("could not update %s in the index", rel)

    def _set(self, ws: Workspace, rel: str, text: str) -> None:
        if self.admits(ws, rel, len(text.encode("utf-8", "surrogatepass"))):
            ws.update_file(rel, text)
        elif rel in ws.index:
            ws.remove_file(rel)

    def _sync_path(self, ws: Workspace, rel: str) -> None:
        """Make the index agree with the disk at `rel`, as the scan would have."""
        full = ws.root / rel
        if full.is_dir() and not full.is_symlink():
            self._add_tree(ws, rel)
            return
        if full.is_file() and self.admits(ws, rel, _size(full)):
            ws.update_file(rel, None)
            return
        prefix = rel + "/"
        gone = [p for p in ws.index.paths() if p == rel or p.startswith(prefix)]
        for path in gone:
            if path not in self.buffers:
                ws.remove_file(path)

    def _add_tree(self, ws: Workspace, rel_dir: str) -> None:
        """A directory appeared (created, or renamed into place): index what the scan would."""
        if not self.admits(ws, rel_dir, is_dir=True):
            return
        for dirpath, dirnames, filenames in os.walk(ws.root / rel_dir):
            base = Path(dirpath).relative_to(ws.root).as_posix()
            base = "" if base == "." else base + "/"
            dirnames[:] = sorted(d for d in dirnames if self.admits(ws, base + d, is_dir=True))
            for name in sorted(filenames):
                rel = base + name
                if rel in self.buffers:
                    continue
                full = ws.root / rel
                try:
                    if full.is_file() and self.admits(ws, rel, _size(full)):
                        ws.update_file(rel, None)
                except CtxtrimError as exc:  # e.g. a symlink out of the root
                    log.info("not indexed: %s", exc)

    def _all_workspaces(self) -> list[Workspace]:
        ws = self.workspace()
        return [ws, *self._secondary.values()] if ws is not None else []

    # ------------------------------------------------------------------ filtered views
    def filtered(self, include: tuple[str, ...], exclude: tuple[str, ...]) -> Workspace:
        """The Workspace for per-request include/exclude patterns (worker thread only).

        A different file set means a different scan, so these are separate Workspaces, kept in
        a small LRU and fed the same edits; the persistent cache makes opening one cheap.
        """
        ws = self.ready.result()
        if not include and not exclude:
            return ws
        key = (include, exclude)
        got = self._secondary.get(key)
        if got is not None:
            self._secondary.move_to_end(key)
            return got
        config: Config = ws.config.with_(
            include=tuple(include) or ws.config.include, exclude=ws.config.exclude + tuple(exclude)
        )
        got = Workspace.open(self.root, config)
        for rel, text in self.buffers.items():
            self._set(got, rel, text)
        self._secondary[key] = got
        while len(self._secondary) > MAX_SECONDARY:
            self._secondary.popitem(last=False)
        return got


def _size(path: Path) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None
