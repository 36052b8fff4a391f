"""`ctxtrim check` on the repository's MCP configs (the language server shows the same):

* CTX601 a config its client cannot read (syntax, or an entry of the wrong shape);
* CTX602 a credential written into a committed config: any value the secret detector
  recognises, plus literal values of env entries, headers and arguments whose names say
  TOKEN / KEY / SECRET / PASSWORD. The value is never printed;
* CTX603 one server name started differently in two configs;
* CTX604 a client loading more tools than it works with, and CTX605 more tool-definition
  tokens than `mcp-tokens-warning`, both from the counts a `ctxtrim tools --connect` cached.

Only the project's own files are checked; nothing is started.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from ..rules.diagnostics import Diagnostic, code_of
from ..rules.settings import CheckSettings
from ..secrets import find_secrets
from .discover import discover, position, read_text, syntax_of
from .expand import REFERENCE, launch
from .model import CLIENTS, Discovery, ServerConfig
from .report import CLIENT_TOOL_LIMITS
from .store import Store, config_key, folder_for

# Names that say their value is a credential; and the values that only stand in for one.
_SECRET_NAME = re.compile(
    r"(?i)(token|secret|passw(or)?d|passwd|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"credential|auth|\bpat\b|_pat$|^pat_|_key$|^key$)"
)
_NOT_SECRET_NAME = re.compile(r"(?i)(^|_)(file|path|dir|url|uri|host|endpoint|id|name|type)$")
_PLACEHOLDER = re.compile(
    r"(?i)^(<[^>]*>|\[[^\]]*\]|x{3,}|\*{3,}|\.{3,}|your[-_ ].*|my[-_ ].*|changeme|placeholder|"
    r"example.*|todo|none|null|true|false|bearer)$"
)
_FLAG = re.compile(r"^--?([A-Za-z][\w-]*)(?:=(.*))?$", re.DOTALL)
_HINTS = {
    "claude-code": "`${NAME}` in .mcp.json",
    "cursor": "`${env:NAME}` in .cursor/mcp.json",
    "vscode": '`${env:NAME}` or an `inputs` entry (`"password": true`) in .vscode/mcp.json',
    "codex": '`env_vars = ["NAME"]` (the server reads it from your shell) in .codex/config.toml',
    "gemini": "`$NAME` or `${NAME}` in .gemini/settings.json",
}


def check_mcp(
    root: Path,
    settings: CheckSettings,
    present: Callable[[str], bool] | None = None,
    overrides: dict[str, str] | None = None,
) -> list[Diagnostic]:
    """Diagnostics for the project MCP configs of `root`, sorted, `settings.disable` applied.
    `present` limits the files to those that count (committed); `overrides` are open buffers."""
    found = discover(root, None, overrides, present)
    texts = {rel: (overrides or {}).get(rel) or read_text(root, rel) or "" for rel in found.files}
    out: list[Diagnostic] = []
    for problem in found.problems:
        out.append(
            Diagnostic(
                problem.source,
                problem.line,
                1,
                "error",
                "CTX601",
                problem.message,
                "the client cannot load this file's servers until it is fixed",
            )
        )
    for rel in found.files:
        out.extend(_secrets(rel, texts[rel], [s for s in found.servers if s.source == rel]))
    out.extend(_conflicts(found))
    out.extend(_costs(root, found, settings, folder_for(root)))
    disabled = {code_of(word) for word in settings.disable} - {None}
    return sorted({d for d in out if d.code not in disabled}, key=Diagnostic.sort_key)


# ------------------------------------------------------------------ credentials


def _secrets(rel: str, text: str, servers: list[ServerConfig]) -> Iterator[Diagnostic]:
    client = servers[0].client if servers else _client_of(rel)
    hint = f"reference an environment variable instead: {_HINTS.get(client, '`${NAME}`')}; and rotate the credential, it is in the repository's history"
    detected: list[str] = []
    for finding in find_secrets(text):
        detected.append(text[finding.start : finding.end])
        line_start = text.rfind("\n", 0, finding.start) + 1
        yield Diagnostic(
            rel,
            finding.line,
            finding.start - line_start + 1,
            "error",
            "CTX602",
            f"a credential ({finding.kind}) is written into this MCP config",
            hint,
        )
    syntax = syntax_of(rel)
    for server in servers:
        for where, needle, as_key, label, value in _literal_credentials(server):
            if any(secret in value for secret in detected):
                continue  # reported above, by kind
            line, col = position(text, syntax, needle, server.line, as_key)
            yield Diagnostic(
                rel,
                line,
                col,
                "error",
                "CTX602",
                f"server `{server.name}`: {where} `{label}` holds a literal credential",
                hint,
            )


def _literal_credentials(server: ServerConfig) -> Iterator[tuple[str, str, bool, str, str]]:
    """(what, text to locate, located as a key?, name, value) for each literal credential."""
    for name, value in server.env:
        if _secret_name(name) and _literal(value):
            yield "env", name, True, name, value
    for name, value in server.headers:
        if _secret_name(name) and _literal(value.split(" ", 1)[-1]):
            yield "header", name, True, name, value
    args = list(server.args)
    for i, arg in enumerate(args):
        flag = _FLAG.match(arg)
        if flag is None or not _secret_name(flag.group(1)):
            continue
        value = (
            flag.group(2)
            if flag.group(2) is not None
            else (args[i + 1] if i + 1 < len(args) else "")
        )
        if value.startswith("-"):
            continue
        if _literal(value):
            shown = arg if flag.group(2) is not None else args[i + 1]
            yield "argument", shown, False, f"--{flag.group(1)}", value


def _secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET_NAME.search(name)


def _literal(value: str) -> bool:
    """A value that is itself the credential: not empty, not a reference, not a stand-in."""
    value = value.strip()
    return bool(value) and not REFERENCE.search(value) and not _PLACEHOLDER.match(value)


def _client_of(rel: str) -> str:
    from .discover import PROJECT_FILES

    return next((client for path, client, _, _ in PROJECT_FILES if path == rel), "")


# ------------------------------------------------------------------ conflicts and costs


def _conflicts(found: Discovery) -> Iterator[Diagnostic]:
    first: dict[str, ServerConfig] = {}
    for server in found.servers:
        earlier = first.setdefault(server.name, server)
        if earlier is server or earlier.launch() == server.launch():
            continue
        yield Diagnostic(
            server.source,
            server.line,
            1,
            "warning",
            "CTX603",
            f"server `{server.name}` is started as `{_short(server.launch())}` here but as "
            f"`{_short(earlier.launch())}` in {earlier.source}:{earlier.line}",
            "give the two servers different names, or make the definitions agree",
        )


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"


def _costs(
    root: Path, found: Discovery, settings: CheckSettings, cache_folder: Path | None
) -> Iterator[Diagnostic]:
    """Tool counts and tokens per client, from what `ctxtrim tools --connect` measured."""
    store = Store(cache_folder)
    home = Path.home()
    by_client: dict[str, list[tuple[ServerConfig, int, int]]] = {}
    for server in found.servers:
        if server.remote:
            continue
        key = config_key(server, launch(server, root, home, os.environ), settings.encoding)
        got = store.get(key)
        if got is None:
            continue
        tools = got[0]
        if server.include_tools is not None:
            tools = [t for t in tools if t.name in server.include_tools]
        tools = [t for t in tools if t.name not in server.exclude_tools]
        by_client.setdefault(server.client, []).append(
            (server, len(tools), sum(t.tokens for t in tools))
        )
    for client, entries in by_client.items():
        source = entries[0][0].source
        count = sum(n for _, n, _ in entries)
        tokens = sum(t for _, _, t in entries)
        limit = CLIENT_TOOL_LIMITS.get(client)
        hint = "disable the servers or tools this project does not need; `ctxtrim tools TASK` suggests a set"
        if limit is not None and count > limit:
            yield Diagnostic(
                source,
                1,
                1,
                "warning",
                "CTX604",
                f"{CLIENTS[client]} loads {count} tools from this file's servers; it works with at most {limit}",
                hint,
            )
        if tokens > settings.mcp_tokens_warning:
            yield Diagnostic(
                source,
                1,
                1,
                "warning",
                "CTX605",
                f"the tool definitions of this file's servers cost {tokens:,} tokens in every "
                f"{CLIENTS[client]} request (over {settings.mcp_tokens_warning:,})",
                hint + "; or raise `mcp-tokens-warning`",
            )
