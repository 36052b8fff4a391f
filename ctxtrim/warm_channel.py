"""The channel between a process that packs (the language server) and its cache warmer
(`ctxtrim cache warm --parent PID`): the packer names the files a pack is about to prepare,
the warmer prepares those first, into the persistent cache both use.

One message per line on the warmer's stdin: a JSON list of repository-relative paths, in the
order the warmer should take them. A new message replaces what is left of the previous one,
whose pack is over by then. Losing the channel only costs speed: the packer prepares every
file itself, as it does without a warmer.
"""

from __future__ import annotations

import json
import logging
import os
import select
import threading
from typing import IO

log = logging.getLogger(__name__)
READ_SIZE = 65536


class Asker:
    """The packer's end: `ask(paths)` never blocks; after a failure it stays silent."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self._pipe: IO[bytes] | None = pipe
        # A warmer that stopped reading must not stall a pack: a full pipe drops the message.
        os.set_blocking(pipe.fileno(), False)

    def ask(self, paths: list[str]) -> None:
        if self._pipe is None:
            return
        line = _message(paths)
        try:
            written = os.write(self._pipe.fileno(), line)
        except BlockingIOError:
            return
        except OSError as exc:  # the warmer is gone (finished or killed)
            log.debug("cache warmer no longer listens: %s", exc)
            self._pipe = None
            return
        if written < len(line):  # a torn message would poison the next one: give up
            self._pipe = None


def _message(paths: list[str]) -> bytes:
    """`paths` as one line, cut to the pipe's atomic write size (a write that long is never
    torn). The paths cut are the last ones, which the packer reaches first itself."""
    while True:
        line = json.dumps(paths, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"
        if len(line) <= select.PIPE_BUF or not paths:
            return line
        paths = paths[: len(paths) * 3 // 4]


class Requests:
    """The warmer's end: a thread reads messages from file descriptor `fd`; `next()` hands
    out the latest message's paths one by one, None when there is none left. Raw reads: a
    daemon thread blocked inside a buffered reader aborts the interpreter's shutdown."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()
        self._pending: list[str] = []
        threading.Thread(target=self._read, name="warm-requests", daemon=True).start()

    def next(self) -> str | None:
        with self._lock:
            return self._pending.pop(0) if self._pending else None

    def _read(self) -> None:
        rest = b""
        while True:
            try:
                data = os.read(self._fd, READ_SIZE)
            except OSError:
                return
            if not data:
                return
            *lines, rest = (rest + data).split(b"\n")
            for line in lines:
                self._take(line)

    def _take(self, line: bytes) -> None:
        try:
            paths = json.loads(line)
        except ValueError:
            return  # not a message: ignore it
        if isinstance(paths, list):
            with self._lock:
                self._pending = [p for p in paths if isinstance(p, str)]
