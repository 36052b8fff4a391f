"""Thresholds for `ctxtrim check`: `[rules]` in .ctxtrim.toml or `[tool.ctxtrim.rules]` in
pyproject.toml."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..config import SETTINGS_FILE, project_settings
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
    """`[rules]` of the project's settings, with the settings' own `encoding` as default."""
    data, path = project_settings(root)
    if path is None:
        return {}, ""
    table = data.get("rules", {})
    if "encoding" in data and isinstance(table, dict) and "encoding" not in table:
        table = {**table, "encoding": data["encoding"]}
    where = (
        f"{path.name} [rules]"
        if path.name == SETTINGS_FILE
        else f"{path.name} [tool.ctxtrim.rules]"
    )
    return _table(table, where), path.name


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
