"""Settings: defaults, then `[tool.ctxtrim]` in pyproject.toml or `.ctxtrim.toml`, then flags."""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import CtxtrimError

DEFAULT_BUDGET = 8000
SETTINGS_FILE = ".ctxtrim.toml"
PYPROJECT = "pyproject.toml"
# Tables of the settings that other readers own: `[rules]` is `ctxtrim check`'s (rules/settings.py).
OWN_TABLES = frozenset({"rules"})
# Settings a repository may not choose: where ctxtrim writes is the user's choice alone
# (CTXTRIM_CACHE_DIR, --no-cache, or the API), never a file inside the tree being packed.
USER_ONLY = frozenset({"cache_dir"})


@dataclass(frozen=True)
class Config:
    """Everything a Workspace needs to know besides the root. Immutable; derive with `with_`."""

    exclude: tuple[str, ...] = ()  # gitignore-style patterns, relative to the root
    include: tuple[str, ...] = ()  # if set, only files matching one of these are packed
    max_file_bytes: int = 1_000_000  # larger files are listed as excluded ("huge")
    encoding: str = "cl100k_base"
    rules_share: float = 0.15  # the share of a pack's budget that rule sections may use
    use_gitignore: bool = True
    fail_on_secret: bool = False  # refuse to pack instead of redacting
    # None: $CTXTRIM_CACHE_DIR, else the user cache directory; "" disables the cache. Never
    # from the repository's settings (`USER_ONLY`).
    cache_dir: str | None = None

    @classmethod
    def load(cls, root: Path) -> Config:
        """Read the project's settings from `.ctxtrim.toml` or `[tool.ctxtrim]` in pyproject.toml."""
        table, source = project_settings(root)
        where = str(source or root / SETTINGS_FILE)
        mine = {k: v for k, v in table.items() if k not in OWN_TABLES}
        for raw_key in mine:
            if raw_key.replace("-", "_") in USER_ONLY:
                raise CtxtrimError(
                    f"{where}: '{raw_key}' cannot be set by a repository "
                    "(set CTXTRIM_CACHE_DIR, or pass --no-cache)"
                )
        return cls().merged(mine, where)

    def merged(self, table: dict[str, Any], source: str = "settings") -> Config:
        """A copy with the keys of `table` applied (kebab-case or snake_case keys)."""
        known = {f.name: f for f in fields(self)}
        changes: dict[str, Any] = {}
        for raw_key, value in table.items():
            key = raw_key.replace("-", "_")
            if key not in known:
                raise CtxtrimError(f"{source}: unknown ctxtrim setting '{raw_key}'")
            current = getattr(self, key)
            if isinstance(current, tuple):
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise CtxtrimError(f"{source}: '{raw_key}' must be a list of strings")
                value = tuple(value)
            elif isinstance(current, bool) and not isinstance(value, bool):
                raise CtxtrimError(f"{source}: '{raw_key}' must be true or false")
            elif isinstance(current, (int, float)) and not isinstance(current, bool):
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    raise CtxtrimError(f"{source}: '{raw_key}' must be a non-negative number")
            changes[key] = value
        return replace(self, **changes)

    def with_(self, **changes: Any) -> Config:
        return replace(self, **changes)


def project_settings(root: Path) -> tuple[dict[str, Any], Path | None]:
    """The repository's ctxtrim settings and the file they are in: `.ctxtrim.toml` if there
    is one, else `[tool.ctxtrim]` of pyproject.toml; ({}, None) if neither. The one reader
    of these files: `Config` and `ctxtrim check` both take their tables from here."""
    own = root / SETTINGS_FILE
    if own.is_file():
        return _parse_toml(own, _read(own)), own
    pyproject = root / PYPROJECT
    if pyproject.is_file():
        # A pyproject that never names ctxtrim has no table for it: not parsed (most are
        # not ctxtrim's, and parsing one costs a warm pack the TOML parser's import).
        text = _read(pyproject)
        if "ctxtrim" not in text:
            return {}, None
        table = _parse_toml(pyproject, text).get("tool", {}).get("ctxtrim", {})
        if not isinstance(table, dict):
            raise CtxtrimError(f"{pyproject}: [tool.ctxtrim] must be a table")
        return table, pyproject
    return {}, None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CtxtrimError(f"{path}: cannot read settings: {exc}") from None


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised only on 3.10
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CtxtrimError(f"{path}: cannot read settings: {exc}") from None
    return data
