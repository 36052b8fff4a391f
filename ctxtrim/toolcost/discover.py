"""Find the MCP server configurations each client loads for a repository.

Each client keeps its servers in its own file and shape (docs/tools.md says where each shape
was verified): Claude Code `.mcp.json` and `~/.claude.json` (`mcpServers`, and per project
`projects[<abs path>].mcpServers`), Cursor `.cursor/mcp.json`, VS Code `.vscode/mcp.json`
(`servers`, JSON with comments), Codex `.codex/config.toml` (`[mcp_servers.NAME]`), Gemini CLI
`.gemini/settings.json` (`mcpServers`), Windsurf `~/.codeium/windsurf/mcp_config.json`.

Only these exact files are read, never written. A file that cannot be parsed, or an entry of
the wrong shape, is a Problem; the rest of the file and the other files still count.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on 3.10
    import tomli as tomllib

from .model import HTTP, SSE, STDIO, Discovery, Problem, ServerConfig

PROJECT_MAX_BYTES = 2_000_000  # a project MCP config is a few hundred bytes
USER_MAX_BYTES = 50_000_000  # ~/.claude.json also keeps history and grows large

# (path, client, syntax, key of the servers table)
PROJECT_FILES: tuple[tuple[str, str, str, str], ...] = (
    (".mcp.json", "claude-code", "json", "mcpServers"),
    (".cursor/mcp.json", "cursor", "json", "mcpServers"),
    (".vscode/mcp.json", "vscode", "jsonc", "servers"),
    (".codex/config.toml", "codex", "toml", "mcp_servers"),
    (".gemini/settings.json", "gemini", "jsonc", "mcpServers"),
)
USER_FILES: tuple[tuple[str, str, str, str], ...] = (
    (".claude.json", "claude-code", "json", "mcpServers"),
    (".cursor/mcp.json", "cursor", "json", "mcpServers"),
    (".codex/config.toml", "codex", "toml", "mcp_servers"),
    (".gemini/settings.json", "gemini", "jsonc", "mcpServers"),
    (".codeium/windsurf/mcp_config.json", "windsurf", "json", "mcpServers"),
)
_TYPES = {
    "stdio": STDIO,
    "http": HTTP,
    "streamable-http": HTTP,
    "streamablehttp": HTTP,
    "sse": SSE,
}
_TOML_LINE = re.compile(r"line (\d+)")


def is_project_config(rel: str) -> bool:
    """Whether a repository-relative path is one of the project MCP config files."""
    return any(rel == path for path, *_ in PROJECT_FILES)


def discover(
    root: Path,
    home: Path | None = None,
    overrides: dict[str, str] | None = None,
    present: Callable[[str], bool] | None = None,
) -> Discovery:
    """Every server entry the clients load for `root`: its project files, then (if `home` is
    given) the user's own files. `overrides` maps project paths to text that wins over the
    disk (open editor buffers); `present` limits which project files count (e.g. committed)."""
    found = Discovery()
    for rel, client, syntax, key in PROJECT_FILES:
        text = (overrides or {}).get(rel)
        if text is None:
            if present is not None and not present(rel):
                continue
            text = _read_inside(root, rel, PROJECT_MAX_BYTES)
        if text is None:
            continue
        found.files.append(rel)
        _parse_file(found, text, rel, client, syntax, key, project=True)
    if home is not None:
        for rel, client, syntax, key in USER_FILES:
            text = _read(home / rel, USER_MAX_BYTES)
            if text is None:
                continue
            shown = f"~/{rel}"
            found.files.append(shown)
            _parse_file(found, text, shown, client, syntax, key, project=False, root=root)
    return found


def read_text(root: Path, rel: str) -> str | None:
    """A project config file's text (None if absent, unreadable or outside the repository)."""
    return _read_inside(root, rel, PROJECT_MAX_BYTES)


def _read_inside(root: Path, rel: str, limit: int) -> str | None:
    path = root / rel
    try:
        if not path.is_file() or not path.resolve().is_relative_to(root.resolve()):
            return None  # absent, or a link out of the repository
    except (OSError, ValueError):
        return None
    return _read(path, limit)


def _read(path: Path, limit: int) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > limit:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return None


# ------------------------------------------------------------------ one file


def _parse_file(
    found: Discovery,
    text: str,
    source: str,
    client: str,
    syntax: str,
    key: str,
    project: bool,
    root: Path | None = None,
) -> None:
    data, problem = _load(text, syntax)
    if problem is not None:
        found.problems.append(Problem(source, problem[0], problem[1], project))
        return
    if not isinstance(data, dict):
        found.problems.append(Problem(source, 1, "the file is not an object", project))
        return
    tables: list[tuple[Any, int]] = [(data.get(key), 0)]
    if client == "claude-code" and not project and root is not None:
        tables.append(_claude_project_table(data, text, root))
    for table, start in tables:
        if table is None:
            continue
        if not isinstance(table, dict):
            line = _line_at(text, _find_key(text, key, start))
            found.problems.append(Problem(source, line, f"`{key}` is not an object", project))
            continue
        for name, entry in table.items():
            offset = _find_entry(text, syntax, key, str(name), start)
            server = _server(str(name), entry, client, source, _line_at(text, offset), project)
            if isinstance(server, ServerConfig):
                found.servers.append(server)
            elif server is not None:
                found.problems.append(Problem(source, _line_at(text, offset), server, project))


def _claude_project_table(data: dict[str, Any], text: str, root: Path) -> tuple[Any, int]:
    """`projects[<root>].mcpServers` of ~/.claude.json: servers added for this project only."""
    projects = data.get("projects")
    if not isinstance(projects, dict):
        return None, 0
    for candidate in (str(root), str(root.resolve())):
        entry = projects.get(candidate)
        if isinstance(entry, dict):
            start = max(_find_key(text, candidate, 0), 0)
            return entry.get("mcpServers"), start
    return None, 0


def _load(text: str, syntax: str) -> tuple[Any, tuple[int, str] | None]:
    """The parsed file, or (line, message) saying why it cannot be parsed."""
    if syntax == "toml":
        try:
            return tomllib.loads(text), None
        except tomllib.TOMLDecodeError as exc:
            found = _TOML_LINE.search(str(exc))
            return None, (int(found.group(1)) if found else 1, f"invalid TOML: {exc}")
        except (RecursionError, ValueError):
            return None, (1, "invalid TOML: nested too deeply or a value out of range")
    source = strip_jsonc(text) if syntax == "jsonc" else text
    try:
        return json.loads(source), None
    except json.JSONDecodeError as exc:
        return None, (exc.lineno, f"invalid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})")
    except (RecursionError, ValueError):
        return None, (1, "invalid JSON: nested too deeply or a value out of range")


def _server(
    name: str, entry: Any, client: str, source: str, line: int, project: bool
) -> ServerConfig | str | None:
    """The entry as a ServerConfig; a message if its shape is wrong; None if it is disabled."""
    if not isinstance(entry, dict):
        return f"server `{name}` is not an object"
    if entry.get("disabled") is True or entry.get("enabled") is False:
        return None  # the client does not load it
    transport, url = _transport(entry, client)
    if transport is None:
        return f"server `{name}` has neither `command` nor a URL"
    strings = _strings(entry, name)
    if isinstance(strings, str):
        return strings
    args, env, forward = strings
    headers = entry.get("headers", entry.get("http_headers", {}))
    if not isinstance(headers, dict):
        return f"server `{name}`: `headers` must map names to strings"
    include = entry.get("enabled_tools" if client == "codex" else "includeTools")
    exclude = entry.get("disabled_tools" if client == "codex" else "excludeTools") or []
    for label, value in (("tool allow list", include), ("tool deny list", exclude)):
        if value is not None and not _str_list(value):
            return f"server `{name}`: the {label} must be a list of strings"
    return ServerConfig(
        name=name,
        client=client,
        source=source,
        line=line,
        transport=transport,
        command=str(entry.get("command") or ""),
        args=args,
        env=env,
        cwd=str(entry.get("cwd") or ""),
        url=url,
        headers=tuple((str(k), str(v)) for k, v in headers.items()),
        forward_env=forward,
        include_tools=tuple(include) if include is not None else None,
        exclude_tools=tuple(exclude),
        project=project,
    )


def _transport(entry: dict[str, Any], client: str) -> tuple[str | None, str]:
    kind = str(entry.get("type") or entry.get("transport") or "").lower()
    if client == "gemini":  # Gemini: httpUrl is streamable HTTP, url is SSE
        if isinstance(entry.get("httpUrl"), str):
            return HTTP, entry["httpUrl"]
        if isinstance(entry.get("url"), str):
            return _TYPES.get(kind, SSE), entry["url"]
    url = entry.get("url", entry.get("serverUrl"))
    if isinstance(entry.get("command"), str) and entry["command"] and kind in ("", "stdio"):
        return STDIO, ""
    if isinstance(url, str) and url:
        return _TYPES.get(kind, HTTP) if kind != "stdio" else HTTP, url
    return None, ""


def _strings(
    entry: dict[str, Any], name: str
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]] | str:
    args = entry.get("args", [])
    if not _str_list(args, allow_numbers=True):
        return f"server `{name}`: `args` must be a list of strings"
    env = entry.get("env", {})
    if not isinstance(env, dict) or not all(
        isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in env.values()
    ):
        return f"server `{name}`: `env` must map names to strings"
    forward = entry.get("env_vars", [])
    if not isinstance(forward, list):
        return f"server `{name}`: `env_vars` must be a list"
    names = tuple(
        item if isinstance(item, str) else str(item.get("name", ""))
        for item in forward
        if isinstance(item, (str, dict))
    )
    return (
        tuple(str(a) for a in args),
        tuple((str(k), str(v)) for k, v in env.items()),
        tuple(n for n in names if n),
    )


def _str_list(value: Any, allow_numbers: bool = False) -> bool:
    kinds = (str, int, float) if allow_numbers else (str,)
    return isinstance(value, list) and all(
        isinstance(item, kinds) and not isinstance(item, bool) for item in value
    )


# ------------------------------------------------------------------ where things are


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset, 0)) + 1


def _find_key(text: str, key: str, start: int) -> int:
    """Offset of `"key"` used as a JSON key at or after `start` (-1 if not found)."""
    pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    found = pattern.search(text, start)
    return found.start() if found else -1


def _find_entry(text: str, syntax: str, key: str, name: str, start: int) -> int:
    if syntax == "toml":
        quoted = re.escape(json.dumps(name))
        bare = re.escape(name)
        pattern = re.compile(
            rf"^\s*\[\s*{re.escape(key)}\s*\.\s*(?:{bare}|{quoted})\s*[\].]", re.MULTILINE
        )
        header = pattern.search(text)
        return header.start() if header else 0
    table = _find_key(text, key, start)
    found = _find_key(text, name, max(table, start))
    return found if found >= 0 else max(table, 0)


def syntax_of(rel: str) -> str:
    """`json`, `jsonc` or `toml`: how a project config file is written."""
    return next((syntax for path, _, syntax, _ in PROJECT_FILES if path == rel), "json")


def position(text: str, syntax: str, needle: str, after_line: int, as_key: bool) -> tuple[int, int]:
    """(line, column) of `needle` written as a key (or a string value) at or after line
    `after_line`; (after_line, 1) if it cannot be found."""
    start = sum(len(line) + 1 for line in text.split("\n")[: max(after_line - 1, 0)])
    quoted = re.escape(json.dumps(needle))
    if as_key and syntax == "toml":
        pattern = rf"(?<![\w-])(?:{re.escape(needle)}|{quoted})\s*="
    elif as_key:
        pattern = rf"{quoted}\s*:"
    else:
        pattern = quoted
    found = re.compile(pattern).search(text, start)
    if found is None:
        return after_line, 1
    line_start = text.rfind("\n", 0, found.start()) + 1
    return _line_at(text, found.start()), found.start() - line_start + 1


def strip_jsonc(text: str) -> str:
    """JSON with comments and trailing commas (VS Code's flavour) as plain JSON, every other
    character kept in place so line numbers still point into the original."""
    out = list(text)
    i, n = 0, len(text)
    last_comma = -1  # a comma not yet followed by anything but blanks and comments
    while i < n:
        char = text[i]
        if char == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            i, last_comma = j + 1, -1
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out[i:end] = [c if c == "\n" else " " for c in text[i:end]]
            i = end
            continue
        if char in "}]" and last_comma >= 0:
            out[last_comma] = " "
        if char == ",":
            last_comma = i
        elif not char.isspace():
            last_comma = -1
        i += 1
    return "".join(out)
