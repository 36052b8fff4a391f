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


# Holds every folder in the "indexing" state for a while, so that timeouts and cancellations
# during indexing are deterministic: opening a workspace sleeps first.
_SLOW_OPEN = (
    "import sys, time; from ctxtrim.workspace import Workspace; "
    "_open = Workspace.open.__func__; "
    "Workspace.open = classmethod(lambda cls, *a, **k: time.sleep({delay}) or _open(cls, *a, **k)); "
    "from ctxtrim.cli import main; sys.exit(main())"
)


def server_command(*extra: str, open_delay: float = 0.0) -> list[str]:
    """The argv that starts `ctxtrim serve` with this interpreter; with `open_delay`, every
    folder takes that many seconds longer to open."""
    if open_delay:
        boot = _SLOW_OPEN.format(delay=open_delay)
        if not server_installed():
            boot = f"import ctxtrim; ctxtrim.__path__.append({str(REPO)!r}); " + boot
        return [sys.executable, "-c", boot, "serve", *extra]
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


SAMPLE_FILES = {
    "app/__init__.py": "",
    "app/auth.py": (
        '"""Login and the redirect after it."""\n\n\n'
        "def login(user, password):\n"
        '    """Check the password and send the user home."""\n'
        "    if not check_password(user, password):\n"
        "        raise PermissionError(user)\n"
        "    return login_redirect(user)\n\n\n"
        "def check_password(user, password):\n"
        "    return password == user.secret\n\n\n"
        "def login_redirect(user):\n"
        '    return f"/home/{user.name}"\n'
    ),
    "app/models.py": (
        "class User:\n"
        "    def __init__(self, name, secret):\n"
        "        self.name = name\n"
        "        self.secret = secret\n"
    ),
    "web/cart.js": (
        "export function addItem(cart, item) {\n"
        "  cart.items.push(item);\n"
        "  return cart;\n"
        "}\n\n"
        "export function cartTotal(cart) {\n"
        "  return cart.items.reduce((sum, i) => sum + i.price, 0);\n"
        "}\n"
    ),
    "tests/test_auth.py": (
        "from app.auth import login_redirect\n\n\n"
        "def test_redirect():\n"
        "    class U:\n"
        '        name = "ann"\n'
        '    assert login_redirect(U()) == "/home/ann"\n'
    ),
    "CLAUDE.md": (
        "# Project\n\n"
        "A tiny shop with a login.\n\n"
        "## Testing\n\n"
        "Run `pytest tests/` before every commit.\n\n"
        "## Style\n\n"
        "Follow `docs/style-guide.md` for naming.\n"
    ),
    ".gitignore": "build/\n",
}


def make_repo(root: Path, files: dict[str, str] | None = None) -> Path:
    """A small repository: Python and JavaScript sources, a test, a CLAUDE.md whose
    `docs/style-guide.md` reference is dead."""
    for rel, text in (files or SAMPLE_FILES).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
