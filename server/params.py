"""Validate `ctxtrim/pack` parameters strictly: a wrong type or range is InvalidParams, never a
guess, so a client bug shows up as an error message instead of a surprising pack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pathspec

from ctxtrim.config import DEFAULT_BUDGET
from ctxtrim.render import FORMATS
from ctxtrim.workspace import MAX_BUDGET, MIN_BUDGET

from .errors import invalid

MAX_TASK_CHARS = 1_000_000
MAX_FOCUS = 64
MAX_PATTERNS = 256
MAX_PATTERN_CHARS = 1_000
_KNOWN_KEYS = {
    "task", "budget", "format", "focus", "include", "exclude", "explain", "root",
    "textDocument", "position", "workDoneToken", "partialResultToken",
}  # fmt: skip


@dataclass(frozen=True)
class FocusRef:
    """A focus entry as the client wrote it: a path (relative to the folder, or absolute) or a
    `file:` URI, and an optional 1-based line."""

    path: str
    line: int | None = None
    is_uri: bool = False


@dataclass(frozen=True)
class PackParams:
    task: str
    budget: int = DEFAULT_BUDGET
    fmt: str = "json"
    explain: bool = False
    focus: tuple[FocusRef, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    root: str | None = None  # a folder URI or path: which workspace folder to pack
    document: str | None = None  # `textDocument.uri`: the active editor, if given


def parse_pack_params(raw: Any) -> PackParams:
    """Check every field of a `ctxtrim/pack` request; raise InvalidParams naming the first bad one."""
    if raw is None:
        raw = {}
    if isinstance(raw, str):  # executeCommand clients often pass just the task
        raw = {"task": raw}
    if not isinstance(raw, dict):
        raise invalid('ctxtrim/pack params must be an object like {"task": "...", "budget": 8000}')
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        raise invalid(
            f"unknown parameter(s) {', '.join(map(repr, unknown))} (known: task, budget, format, focus, include, exclude, explain, root, textDocument, position)"
        )

    task = raw.get("task", "")
    if not isinstance(task, str):
        raise invalid(f"'task' must be a string, not {_kind(task)}")
    if len(task) > MAX_TASK_CHARS:
        raise invalid(f"'task' is too long ({len(task):,} characters; at most {MAX_TASK_CHARS:,})")

    budget = raw.get("budget", DEFAULT_BUDGET)
    if isinstance(budget, bool) or not isinstance(budget, int):
        if isinstance(budget, float) and budget.is_integer():
            budget = int(budget)
        else:
            raise invalid(f"'budget' must be an integer number of tokens, not {_kind(budget)}")
    if not MIN_BUDGET <= budget <= MAX_BUDGET:
        raise invalid(f"'budget' {budget} is out of range ({MIN_BUDGET} to {MAX_BUDGET:,} tokens)")

    fmt = raw.get("format", "json")
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise invalid(f"'format' must be one of {', '.join(FORMATS)}, not {fmt!r}")

    explain = raw.get("explain", False)
    if not isinstance(explain, bool):
        raise invalid(f"'explain' must be true or false, not {_kind(explain)}")

    root = raw.get("root")
    if root is not None and (not isinstance(root, str) or not root):
        raise invalid("'root' must be a non-empty folder URI or path")

    document, cursor = _document(raw)
    focus = _focus(raw.get("focus"))
    if "focus" not in raw and document is not None:
        # Default focus: the active document, at the cursor when the client says where it is.
        focus = (FocusRef(document, cursor, is_uri=True),)

    return PackParams(
        task=task,
        budget=budget,
        fmt=fmt,
        explain=explain,
        focus=focus,
        include=_patterns(raw, "include"),
        exclude=_patterns(raw, "exclude"),
        root=root,
        document=document,
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _line(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**9:
        raise invalid(f"{what} must be a non-negative integer, not {_kind(value)}")
    return value


def _document(raw: dict[str, Any]) -> tuple[str | None, int | None]:
    doc = raw.get("textDocument")
    if doc is None:
        if raw.get("position") is not None:
            raise invalid("'position' needs 'textDocument' to say which document it is in")
        return None, None
    if not isinstance(doc, dict) or not isinstance(doc.get("uri"), str) or not doc["uri"]:
        raise invalid("'textDocument' must be an object with a 'uri' string")
    line = None
    pos = raw.get("position")
    if pos is not None:
        if not isinstance(pos, dict) or "line" not in pos:
            raise invalid('\'position\' must be an object like {"line": 0, "character": 0}')
        line = _line(pos["line"], "'position.line'") + 1  # LSP lines are 0-based; focus is 1-based
    return doc["uri"], line


def _focus(value: Any) -> tuple[FocusRef, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise invalid(
            f"'focus' must be a list of \"path[:line]\" strings or {{uri, position}} objects, not {_kind(value)}"
        )
    if len(value) > MAX_FOCUS:
        raise invalid(f"'focus' has {len(value)} entries; at most {MAX_FOCUS}")
    out = []
    for n, item in enumerate(value):
        where = f"'focus[{n}]'"
        if isinstance(item, str):
            if not item or "\x00" in item:
                raise invalid(f"{where} must be a non-empty path")
            head, sep, tail = item.rpartition(":")
            if sep and head and tail.isdigit() and not item.startswith("file:"):
                out.append(FocusRef(head, int(tail) or None))
            elif item.startswith("file:"):
                out.append(FocusRef(item, None, is_uri=True))
            else:
                out.append(FocusRef(item, None))
        elif isinstance(item, dict):
            uri, given = item.get("uri"), item.get("path")
            ref: str
            if isinstance(uri, str) and uri:
                ref, is_uri = uri, True
            elif isinstance(given, str) and given and "\x00" not in given:
                ref, is_uri = given, False
            else:
                raise invalid(f"{where} must have a 'uri' or 'path' string")
            ref_line: int | None = None
            if item.get("position") is not None:
                pos = item["position"]
                if not isinstance(pos, dict) or "line" not in pos:
                    raise invalid(
                        f'{where}.position must be an object like {{"line": 0, "character": 0}}'
                    )
                ref_line = _line(pos["line"], f"{where}.position.line") + 1
            elif item.get("line") is not None:
                ref_line = _line(item["line"], f"{where}.line") or None  # 'line' is 1-based
            out.append(FocusRef(ref, ref_line, is_uri))
        else:
            raise invalid(
                f'{where} must be a "path[:line]" string or a {{uri, position}} object, not {_kind(item)}'
            )
    return tuple(out)


def _patterns(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise invalid(f"'{key}' must be a list of non-empty gitignore-style pattern strings")
    if len(value) > MAX_PATTERNS or any(len(v) > MAX_PATTERN_CHARS for v in value):
        raise invalid(
            f"'{key}' is too large (at most {MAX_PATTERNS} patterns of {MAX_PATTERN_CHARS} characters)"
        )
    try:
        pathspec.GitIgnoreSpec.from_lines(value)
    except Exception as exc:  # noqa: BLE001 - pathspec raises several types for bad patterns
        raise invalid(f"'{key}' has a pattern that cannot be compiled: {exc}") from None
    return tuple(value)
