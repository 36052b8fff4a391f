"""Measured tool lists, kept in the user's cache directory keyed by a hash of how the server
is started, so `ctxtrim tools` without --connect can show the last measured costs without
starting anything.

One small JSON file per configuration under `<cache dir>/tools/`. A missing, corrupt or
foreign file is simply no measurement: the cache only saves a --connect.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .expand import Launch
from .model import ServerConfig, ToolDef

STORE_VERSION = 1
FOLDER = "tools"


def config_key(server: ServerConfig, launch: Launch | None, encoding: str) -> str:
    """A hash of everything that decides which tools a server lists and what they cost.
    Values (secrets too) only ever enter the hash, never the file."""
    if launch is None or server.remote:
        what: dict[str, Any] = {"transport": server.transport, "url": server.url}
    else:
        what = {
            "command": launch.command,
            "args": launch.args,
            "env": sorted(launch.env.items()),
            "cwd": launch.cwd,
        }
    what["encoding"] = encoding
    blob = json.dumps(what, sort_keys=True, ensure_ascii=False).encode("utf-8", "replace")
    return hashlib.sha256(blob).hexdigest()[:32]


def folder_for(root: Path) -> Path | None:
    """Where measurements live for a repository: `<cache dir>/tools`, the cache dir as the
    index cache finds it (`cache_dir` setting, `$CTXTRIM_CACHE_DIR`, the user cache dir);
    None when the project disables the cache or its settings cannot be read."""
    from ..cache import default_dir
    from ..config import Config
    from ..errors import CtxtrimError

    try:
        configured = Config.load(root).cache_dir
    except CtxtrimError:
        return None
    if configured == "":
        return None
    return (Path(configured).expanduser() if configured else default_dir()) / FOLDER


class Store:
    """The measurements folder; `folder=None` keeps nothing (cache disabled)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _file(self, key: str) -> Path | None:
        return self.folder / f"{key}.json" if self.folder is not None else None

    def get(self, key: str) -> tuple[list[ToolDef], float] | None:
        """The tools last measured for `key` and when (epoch seconds), or None."""
        path = self._file(key)
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != STORE_VERSION:
                return None
            tools = [
                ToolDef(str(t["name"]), str(t["description"]), dict(t["schema"]), int(t["tokens"]))
                for t in data["tools"]
            ]
            return tools, float(data["measured_at"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, server: str, tools: list[ToolDef]) -> None:
        path = self._file(key)
        if path is None:
            return
        body = {
            "version": STORE_VERSION,
            "server": server,
            "measured_at": time.time(),
            "tools": [asdict(t) for t in tools],
        }
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only cache costs the next run a --connect
