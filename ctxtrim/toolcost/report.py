"""Put `ctxtrim tools` together: discover the configs, measure (with --connect) or recall
(from the cache) each server's tools, score them against the task, and collect warnings.

A server is one (name, launch) pair: the same server configured for several clients is one
entry listing them all; the same name started differently in two files is two entries and a
warning.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..tokens import Tokenizer
from .connect import measure_all
from .discover import discover
from .expand import Launch, launch
from .model import CLIENTS, DEFAULT_TIMEOUT, Discovery, ServerConfig, ToolDef
from .select import select
from .store import Store, config_key

# Tools a client works with at once (docs/tools.md: where each number comes from).
CLIENT_TOOL_LIMITS: dict[str, int] = {"cursor": 40, "vscode": 128, "windsurf": 100}
DEFAULT_TOKENS_WARNING = 20_000  # tool-definition tokens per request worth a warning


@dataclass
class Server:
    """One server as the report shows it."""

    name: str
    configs: list[ServerConfig]
    key: str
    launch: Launch | None  # None for remote servers
    status: str = "not-connected"  # ok | error | not-connected | remote
    error: str | None = None
    tools: list[ToolDef] | None = None  # None: never measured
    measured_at: float | None = None
    scores: dict[str, tuple[float, bool]] = field(default_factory=dict)

    @property
    def transport(self) -> str:
        return self.configs[0].transport

    @property
    def clients(self) -> list[str]:
        return list(dict.fromkeys(c.client for c in self.configs))

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(f"{c.source}:{c.line}" for c in self.configs))

    @property
    def tokens(self) -> int | None:
        return None if self.tools is None else sum(t.tokens for t in self.tools)

    def tools_for(self, client: str) -> list[ToolDef]:
        """The tools `client` loads from this server, after its per-tool filters."""
        config = next((c for c in self.configs if c.client == client), None)
        tools = self.tools or []
        if config is None:
            return []
        if config.include_tools is not None:
            tools = [t for t in tools if t.name in config.include_tools]
        return [t for t in tools if t.name not in config.exclude_tools]


@dataclass
class Report:
    root: Path
    task: str | None
    encoding: str
    connected: bool
    servers: list[Server]
    warnings: list[str]
    token_warning: int

    @property
    def tokens(self) -> int:
        return sum(s.tokens or 0 for s in self.servers)

    @property
    def selected_tokens(self) -> int | None:
        if self.task is None:
            return None
        return sum(
            t.tokens for s in self.servers for t in s.tools or () if s.scores.get(t.name, (0, 0))[1]
        )

    def clients(self) -> list[str]:
        return [c for c in CLIENTS if any(c in s.clients for s in self.servers)]


def build(
    root: Path,
    task: str | None = None,
    *,
    connect: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    home: Path | None = None,
    cache_folder: Path | None = None,
    encoding: str = "cl100k_base",
    token_warning: int = DEFAULT_TOKENS_WARNING,
    environ: Mapping[str, str] | None = None,
) -> Report:
    """The whole report. Nothing is started unless `connect`."""
    environ = os.environ if environ is None else environ
    home = Path.home() if home is None else home
    tokenizer = Tokenizer(encoding)
    found = discover(root, home)
    warnings = [f"{p.source}:{p.line}: {p.message}" for p in found.problems]
    servers = _group(found, root, home, environ, tokenizer.name, warnings)
    store = Store(cache_folder)
    if connect:
        _connect(servers, tokenizer, timeout, store)
    else:
        _recall(servers, store)
    if task is not None:
        _score(servers, task)
    report = Report(root, task, tokenizer.name, connect, servers, warnings, token_warning)
    warnings.extend(_limit_warnings(report))
    return report


def _group(
    found: Discovery,
    root: Path,
    home: Path,
    environ: Mapping[str, str],
    encoding: str,
    warnings: list[str],
) -> list[Server]:
    by_key: dict[tuple[str, str], Server] = {}
    for config in found.servers:
        started = None if config.remote else launch(config, root, home, environ)
        key = config_key(config, started, encoding)
        server = by_key.get((config.name, key))
        if server is None:
            by_key[(config.name, key)] = server = Server(config.name, [], key, started)
        server.configs.append(config)
        if started is not None:
            for name in started.unresolved:
                if not name.startswith("input:"):
                    warnings.append(
                        f"{config.source}:{config.line}: server `{config.name}`: "
                        f"${{{name}}} is not set in this environment"
                    )
    servers = list(by_key.values())
    names: dict[str, list[Server]] = {}
    for server in servers:
        names.setdefault(server.name, []).append(server)
    for name, same in names.items():
        if len(same) > 1:
            where = " vs ".join(f"{', '.join(s.sources)} (`{_short(s)}`)" for s in same)
            warnings.append(f"server `{name}` is started differently: {where}")
    return servers


def _short(server: Server) -> str:
    text = server.configs[0].launch()
    return text if len(text) <= 80 else text[:79] + "…"


def _connect(servers: list[Server], tokenizer: Tokenizer, timeout: float, store: Store) -> None:
    to_start: list[Server] = []
    for server in servers:
        if server.launch is None:
            server.status = "remote"
            continue
        inputs = [n for n in server.launch.unresolved if n.startswith("input:")]
        if inputs:
            server.status = "error"
            server.error = f"needs ${{{inputs[0]}}}, which only the client can prompt for"
            continue
        to_start.append(server)
    launches = [s.launch for s in to_start if s.launch is not None]
    for server, outcome in zip(to_start, measure_all(launches, tokenizer, timeout)):
        if outcome.error is not None:
            server.status, server.error = "error", outcome.error
        else:
            server.status, server.tools = "ok", outcome.tools
            store.put(server.key, server.name, outcome.tools)


def _recall(servers: list[Server], store: Store) -> None:
    for server in servers:
        if server.launch is None:
            server.status = "remote"
            continue
        got = store.get(server.key)
        if got is not None:
            server.tools, server.measured_at = got


def _score(servers: list[Server], task: str) -> None:
    pairs = [(i, t) for i, s in enumerate(servers) for t in s.tools or ()]
    for scored in select(task, pairs):
        servers[scored.server].scores[scored.tool.name] = (scored.score, scored.selected)


def client_load(report: Report, client: str) -> tuple[int, int]:
    """(tools, definition tokens) that `client` loads from the measured servers."""
    tools = [t for s in report.servers for t in s.tools_for(client)]
    return len(tools), sum(t.tokens for t in tools)


def _limit_warnings(report: Report) -> list[str]:
    out: list[str] = []
    for client in report.clients():
        limit = CLIENT_TOOL_LIMITS.get(client)
        count, tokens = client_load(report, client)
        if limit is not None and count > limit:
            out.append(
                f"{CLIENTS[client]} loads {count} tools from these servers; it works with "
                f"at most {limit}"
            )
        if tokens > report.token_warning:
            out.append(
                f"{CLIENTS[client]}: tool definitions cost {tokens:,} tokens per request "
                f"(over {report.token_warning:,})"
            )
    return out
