"""Start `ctxtrim serve` from tests and benchmarks, and speak to it with plain JSON values."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from pygls.protocol import default_converter
from pygls.protocol.json_rpc import JsonRPCResponseMessage

REPO = Path(__file__).resolve().parents[2]

# When ctxtrim is installed (pip install -e .), `ctxtrim.server` maps to server/. Run from a
# bare checkout it does not exist yet, so point the package's search path at the checkout,
# where the folder `server/` then resolves as `ctxtrim.server`.
_BOOT = (
    "import sys, ctxtrim; "
    "sys.modules['ctxtrim'].__path__.append({repo!r}); "
    "from ctxtrim.cli import main; sys.exit(main())"
)


def server_installed() -> bool:
    try:
        return importlib.util.find_spec("ctxtrim.server") is not None
    except ImportError:
        return False


def server_command(*extra: str) -> list[str]:
    """The argv that starts `ctxtrim serve` with this interpreter."""
    if server_installed():
        return [sys.executable, "-m", "ctxtrim", "serve", *extra]
    return [sys.executable, "-c", _BOOT.format(repo=str(REPO)), "serve", *extra]


def server_env(cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CTXTRIM_CACHE_DIR"] = str(cache_dir)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def plain_converter() -> Any:
    """pygls' client converter, but results of custom requests stay plain dicts and lists."""
    conv = default_converter()
    conv.register_structure_hook(JsonRPCResponseMessage, lambda obj, cls: cls(**obj))
    return conv
