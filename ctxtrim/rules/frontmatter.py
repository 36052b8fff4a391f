"""A tolerant reader for the YAML-ish frontmatter at the top of rule files.

Real rule files are not valid YAML: Cursor writes `globs: **/*.ts` (an alias in YAML) and
`globs: *.tsx, src/**`. Rather than require a YAML library and reject what the assistants
accept, this reads the subset rule files use: `key: value` lines, quoted strings, booleans,
`[a, b]` flow lists, `- item` block lists and `|`/`>` block scalars.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_KEY = re.compile(r"^([A-Za-z_][\w.-]*)\s*:(?:\s+(.*)|\s*)$")
_FENCE = re.compile(r"^---\s*$")


@dataclass(slots=True)
class Frontmatter:
    """What was read: the values, the first line after the block, and any problem found."""

    data: dict[str, Any] = field(default_factory=dict)
    body_start: int = 1  # 1-based line where the body begins
    present: bool = False
    error: str | None = None
    error_line: int = 1


def read_frontmatter(text: str) -> Frontmatter:
    """Parse a leading `---` ... `---` block; never raises."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0].lstrip("\ufeff")):
        return Frontmatter()
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        return Frontmatter(
            present=True, error="frontmatter starts with `---` but is never closed", error_line=1
        )
    result = Frontmatter(present=True, body_start=end + 2)
    _parse_block(lines[1:end], result, first_line=2)
    return result


def _parse_block(lines: list[str], out: Frontmatter, first_line: int) -> None:
    key: str | None = None  # the key whose value continues on the following lines
    style = ""  # "list" for `- item` lines, "|" or ">" for a text block
    collected: list[str] = []
    for offset, raw in enumerate(lines):
        number = first_line + offset
        stripped = raw.strip()
        continues = raw[:1] in (" ", "\t") or not stripped
        if key is not None and style == "list" and stripped.startswith("- "):
            collected.append(stripped[2:].strip())  # YAML allows unindented list items too
            continue
        if key is not None and continues:
            if style != "list":
                collected.append(stripped)
            elif stripped:
                _fail(out, number, f"unexpected indented line under `{key}`")
            continue
        if key is not None:
            out.data[key] = _finish(style, collected)
            key, collected = None, []
        if not stripped or stripped.startswith("#"):
            continue
        match = _KEY.match(raw)
        if not match:
            _fail(out, number, f"expected `key: value`, got `{stripped[:40]}`")
            continue
        name, value = match.group(1), (match.group(2) or "").strip()
        if value[:1] in ("|", ">") and value.rstrip("+-") in ("|", ">"):
            key, style = name, value[0]
        elif value == "":
            key, style = name, "list"
        else:
            out.data[name] = _value(value)
    if key is not None:
        out.data[key] = _finish(style, collected)


def _finish(style: str, collected: list[str]) -> Any:
    if style == "list":
        return [_scalar(item) for item in collected] if collected else None
    joiner = "\n" if style == "|" else " "
    return joiner.join(collected).strip()


def _fail(out: Frontmatter, line: int, message: str) -> None:
    if out.error is None:
        out.error, out.error_line = f"line {line}: {message}", line


def _value(value: str) -> Any:
    if value.startswith("[") and value.endswith("]"):
        inner = value[1:-1].strip()
        return [_scalar(item) for item in split_outside_braces(inner)] if inner else []
    return _scalar(value)


def _scalar(value: str) -> Any:
    value = _strip_comment(value)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    lowered = value.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if lowered in ("null", "~", ""):
        return None
    return value


def _strip_comment(value: str) -> str:
    # ` #` starts a YAML comment, but only outside quotes; globs never contain ` #`.
    if value[:1] in "'\"":
        return value.strip()
    cut = value.find(" #")
    return (value[:cut] if cut >= 0 else value).strip()


def split_outside_braces(text: str) -> list[str]:
    """Split on commas that are not inside `{...}`: `*.{ts,tsx}, src/**` -> two items."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        if char == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def as_globs(value: Any) -> tuple[str, ...]:
    """Globs from a string (`*.ts, src/**`), a list, or nothing; quotes stripped."""
    if value is None or value is False:
        return ()
    raw = value if isinstance(value, list) else [value]
    globs: list[str] = []
    for item in raw:
        if item is None:
            continue
        for part in split_outside_braces(str(item)):
            part = part.strip().strip("'\"").strip()
            if part:
                globs.append(part)
    return tuple(globs)
