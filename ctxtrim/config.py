"""Settings: defaults, then `[tool.ctxtrim]` in pyproject.toml or `.ctxtrim.toml`, then flags."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on 3.10
    import tomli as tomllib

from .errors import CtxtrimError

DEFAULT_BUDGET = 8000


@dataclass(frozen=True)
class Config:
    """Everything a Workspace needs to know besides the root. Immutable; derive with `with_`."""

    exclude: tuple[str, ...] = ()  # gitignore-style patterns, relative to the root
    include: tuple[str, ...] = ()  # if set, only files matching one of these are packed
    max_file_bytes: int = 1_000_000  # larger files are listed as excluded ("huge")
    encoding: str = "cl100k_base"
    rules_share: float = 0.15  # the share of a pack's budget that rule sections may use
    use_gitignore: bool = True
    redact_secrets: bool = True
    fail_on_secret: bool = False  # refuse to pack instead of redacting
    cache_dir: str | None = None  # None: the user cache directory; "" disables the cache
    rules: dict[str, Any] = field(default_factory=dict)  # [tool.ctxtrim.rules], read by `check`

    @classmethod
    def load(cls, root: Path) -> Config:
        """Read the project's settings from `.ctxtrim.toml` or `[tool.ctxtrim]` in pyproject.toml."""
        table: dict[str, Any] = {}
        source = root / ".ctxtrim.toml"
        if source.is_file():
            table = _read_toml(source)
        else:
            pyproject = root / "pyproject.toml"
            if pyproject.is_file():
                table = _read_toml(pyproject).get("tool", {}).get("ctxtrim", {})
                source = pyproject
        return cls().merged(table, str(source))

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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CtxtrimError(f"{path}: cannot read settings: {exc}") from None
