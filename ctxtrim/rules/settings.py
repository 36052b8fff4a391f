"""Thresholds for `ctxtrim check`: `[rules]` in .ctxtrim.toml or `[tool.ctxtrim.rules]` in
pyproject.toml."""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on 3.10
    import tomli as tomllib

from ..errors import CtxtrimError


@dataclass(frozen=True)
class CheckSettings:
    """Limits a team can tune; the defaults suit a typical repository."""

    file_tokens_warning: int = 2500  # one always-on rule file
    file_tokens_error: int = 6000
    tool_tokens_warning: int = 5000  # everything one tool loads into every conversation
    tool_tokens_error: int = 12000
    section_tokens_warning: int = 800
    broad_glob_ratio: float = 0.9  # a glob matching more of the repo than this is "always on"
    duplicate_similarity: float = 0.9  # shingle overlap from which two sections are duplicates
    disable: tuple[str, ...] = ()  # codes or names never reported, e.g. ["CTX203", "dead-glob"]
    exclude: tuple[str, ...] = ()  # globs of rule files not to lint (fixtures, examples)
    encoding: str = "cl100k_base"
    mcp_tokens_warning: int = 20000  # MCP tool-definition tokens one client loads per request


def load_settings(root: Path) -> CheckSettings:
    """Read the settings for the repository at `root`; a bad value is a CtxtrimError."""
    table, source = _rules_table(root)
    known = {f.name: f for f in fields(CheckSettings)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in known:
            raise CtxtrimError(
                f"{source}: unknown rules setting `{key}` (known: {', '.join(known)})"
            )
        default = getattr(CheckSettings, name)
        values[name] = _coerce(source, key, value, default)
    return CheckSettings(**values)


def _rules_table(root: Path) -> tuple[dict[str, Any], str]:
    own = root / ".ctxtrim.toml"
    if own.is_file():
        data = _read(own)
        table = data.get("rules", {})
        if "encoding" in data and "encoding" not in table:
            table = {**table, "encoding": data["encoding"]}
        return _table(table, f"{own.name} [rules]"), own.name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        tool = _read(pyproject).get("tool", {}).get("ctxtrim", {})
        table = tool.get("rules", {})
        if "encoding" in tool and "encoding" not in table:
            table = {**table, "encoding": tool["encoding"]}
        return _table(table, "pyproject.toml [tool.ctxtrim.rules]"), "pyproject.toml"
    return {}, ""


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CtxtrimError(f"cannot read {path}: {exc}") from None


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CtxtrimError(f"{where} must be a table")
    return value


def _coerce(source: str, key: str, value: Any, default: Any) -> Any:
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise CtxtrimError(f"{source}: rules setting `{key}` must be a list of strings")
        return tuple(value)
    if isinstance(default, bool) or isinstance(value, bool):
        raise CtxtrimError(f"{source}: rules setting `{key}` must be a number")
    if isinstance(default, int) and isinstance(value, int) and value >= 0:
        return value
    if isinstance(default, float) and isinstance(value, (int, float)) and 0 <= value <= 1:
        return float(value)
    if isinstance(default, str) and isinstance(value, str):
        return value
    expected = {int: "a whole number >= 0", float: "a number from 0 to 1", str: "a string"}
    raise CtxtrimError(
        f"{source}: rules setting `{key}` must be {expected[type(default)]}, got {value!r}"
    )
