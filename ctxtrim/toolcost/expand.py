"""Expand the variable references of a server entry as its client would before starting it.

* Claude Code: `${VAR}` and `${VAR:-default}` (an unset `${VAR}` stays as written).
* Cursor, VS Code, Windsurf: `${env:VAR}`, plus `${userHome}`, `${workspaceFolder}`,
  `${workspaceFolderBasename}`, `${pathSeparator}` and `${/}` (Cursor, VS Code).
* Gemini CLI: `$VAR` and `${VAR}`.
* Codex: no expansion; `env_vars` names variables passed through from the shell.

A reference ctxtrim cannot resolve (an unset variable, VS Code's `${input:...}` prompt) is
reported by name, so a server that would start with a hole in its command says why.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .model import ServerConfig

_CLAUDE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_EDITOR = re.compile(r"\$\{(env:([A-Za-z_][A-Za-z0-9_]*)|input:([^}]+)|([A-Za-z/]+))\}")
_GEMINI = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_EDITOR_CLIENTS = ("cursor", "vscode", "windsurf")
# Any reference at all, whatever the client: a value holding one is not a literal.
REFERENCE = re.compile(r"\$\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Launch:
    """What starting a stdio server takes, references expanded."""

    command: str
    args: list[str]
    env: dict[str, str]
    cwd: str
    unresolved: list[str] = field(default_factory=list)  # references left as written


def launch(
    server: ServerConfig, root: Path, home: Path, environ: Mapping[str, str] | None = None
) -> Launch:
    """The server's command line, environment and folder, expanded for its client."""
    environ = os.environ if environ is None else environ
    missing: list[str] = []

    def expand(value: str) -> str:
        return _expand(value, server.client, root, home, environ, missing)

    env = {name: expand(value) for name, value in server.env}
    for name in server.forward_env:  # Codex env_vars: passed through when set
        if name in environ:
            env.setdefault(name, environ[name])
        else:
            missing.append(name)
    cwd = expand(server.cwd) if server.cwd else ""
    folder = (root / cwd) if cwd and not Path(cwd).is_absolute() else Path(cwd or root)
    return Launch(
        command=expand(server.command),
        args=[expand(a) for a in server.args],
        env=env,
        cwd=str(folder),
        unresolved=list(dict.fromkeys(missing)),
    )


def _expand(
    value: str, client: str, root: Path, home: Path, environ: Mapping[str, str], missing: list[str]
) -> str:
    if "$" not in value:
        return value
    if client == "claude-code":
        return _CLAUDE.sub(lambda m: _claude(m, environ, missing), value)
    if client in _EDITOR_CLIENTS:
        return _EDITOR.sub(lambda m: _editor(m, root, home, environ, missing), value)
    if client == "gemini":
        return _GEMINI.sub(lambda m: _gemini(m, environ, missing), value)
    return value  # Codex takes values literally


def _claude(match: re.Match[str], environ: Mapping[str, str], missing: list[str]) -> str:
    name, default = match.group(1), match.group(2)
    if name in environ:
        return environ[name]
    if default is not None:
        return default
    missing.append(name)
    return match.group(0)


def _editor(
    match: re.Match[str], root: Path, home: Path, environ: Mapping[str, str], missing: list[str]
) -> str:
    env_name, input_id, builtin = match.group(2), match.group(3), match.group(4)
    if env_name:
        if env_name in environ:
            return environ[env_name]
        missing.append(env_name)
        return ""  # editors substitute an empty string for an unset variable
    if input_id:
        missing.append(f"input:{input_id}")
        return match.group(0)
    values = {
        "userHome": str(home),
        "workspaceFolder": str(root),
        "workspaceFolderBasename": root.name,
        "pathSeparator": os.sep,
        "/": os.sep,
    }
    if builtin in values:
        return values[builtin]
    missing.append(builtin)
    return match.group(0)


def _gemini(match: re.Match[str], environ: Mapping[str, str], missing: list[str]) -> str:
    name = match.group(1) or match.group(2)
    if name in environ:
        return environ[name]
    missing.append(name)
    return match.group(0)
