"""`ctxtrim tools` output: text for people, JSON (`ctxtrim.tools/1`) for programs, and per
client the configuration that keeps only the chosen tools."""

from __future__ import annotations

import json
from typing import Any

from .model import CLIENTS
from .report import CLIENT_TOOL_LIMITS, Report, Server, client_load

SCHEMA = "ctxtrim.tools/1"
# Clients whose configs filter single tools, and the key that does it.
TOOL_FILTERS = {"codex": "enabled_tools", "gemini": "includeTools"}


def to_json(report: Report) -> str:
    return json.dumps(as_dict(report), indent=1, ensure_ascii=False) + "\n"


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "root": str(report.root),
        "task": report.task,
        "encoding": report.encoding,
        "connected": report.connected,
        "servers": [_server_dict(s, report.task is not None) for s in report.servers],
        "tokens": report.tokens,
        "selected_tokens": report.selected_tokens,
        "clients": [_client_dict(report, c) for c in report.clients()],
        "warnings": report.warnings,
    }


def _server_dict(server: Server, scored: bool) -> dict[str, Any]:
    return {
        "name": server.name,
        "clients": server.clients,
        "sources": server.sources,
        "transport": server.transport,
        "status": server.status,
        "error": server.error,
        "tokens": server.tokens,
        "measured_at": server.measured_at,
        "tools": [
            {
                "name": tool.name,
                "tokens": tool.tokens,
                "score": server.scores.get(tool.name, (0.0, False))[0] if scored else None,
                "selected": server.scores.get(tool.name, (0.0, False))[1] if scored else None,
            }
            for tool in server.tools or ()
        ],
    }


def _client_dict(report: Report, client: str) -> dict[str, Any]:
    tools, tokens = client_load(report, client)
    return {
        "id": client,
        "name": CLIENTS[client],
        "servers": [s.name for s in report.servers if client in s.clients],
        "tools": tools,
        "tokens": tokens,
        "tool_limit": CLIENT_TOOL_LIMITS.get(client),
        "snippet": snippet(report, client) if report.task is not None else None,
    }


def snippet(report: Report, client: str) -> str | None:
    """Configuration keeping only the chosen tools for `client`: per tool where its config
    can filter tools, whole servers elsewhere. None when nothing was measured."""
    servers = [s for s in report.servers if client in s.clients and s.tools is not None]
    if not servers:
        return None
    keep = {
        s.name: [t.name for t in s.tools or () if s.scores.get(t.name, (0, False))[1]]
        for s in servers
    }
    if client == "codex":
        blocks = []
        for name, tools in keep.items():
            head = f"[mcp_servers.{_toml_key(name)}]"
            body = f"enabled_tools = {json.dumps(tools)}" if tools else "enabled = false"
            blocks.append(f"{head}\n{body}")
        return "\n\n".join(blocks)
    if client == "gemini":
        kept = {name: {"includeTools": tools} for name, tools in keep.items() if tools}
        dropped = [name for name, tools in keep.items() if not tools]
        data: dict[str, Any] = {"mcpServers": kept}
        if dropped:
            data["mcp"] = {"excluded": dropped}
        return json.dumps(data, indent=2)
    kept_names = [name for name, tools in keep.items() if tools]
    dropped = [name for name, tools in keep.items() if not tools]
    lines = [f"keep servers: {', '.join(kept_names) or '(none)'}"]
    if dropped:
        lines.append(f"remove or disable: {', '.join(dropped)}")
    return "\n".join(lines)


def _toml_key(name: str) -> str:
    bare = name.replace("-", "").replace("_", "").isalnum() and name.isascii()
    return name if bare else json.dumps(name)


# ------------------------------------------------------------------ text


def to_text(report: Report) -> str:
    out: list[str] = []
    how = "measured now" if report.connected else "last measured costs from the cache"
    out.append(f"MCP servers for {report.root} ({how}; tokens: {report.encoding})")
    if not report.servers:
        out.append("  no MCP server configurations found")
    width = max((len(s.name) for s in report.servers), default=0)
    for server in report.servers:
        out.append(_server_line(server, width))
    if report.servers:
        measured = sum(s.tools is not None for s in report.servers)
        out.append(
            f"Total: {report.tokens:,} tokens of tool definitions per request "
            f"({measured} of {len(report.servers)} servers measured)"
        )
        if not report.connected and measured < len(report.servers):
            out.append("  (run with --connect to start the stdio servers and measure them)")
        out.append("")
        out.append("By client:")
        for client in report.clients():
            tools, tokens = client_load(report, client)
            names = ", ".join(s.name for s in report.servers if client in s.clients)
            out.append(f"  {CLIENTS[client]}: {tools} tools, {tokens:,} tokens ({names})")
    if report.task is not None:
        out.extend(_selection_lines(report))
    if report.warnings:
        out.append("")
        out.append("Warnings:")
        out.extend(f"  - {w}" for w in report.warnings)
    return "\n".join(out) + "\n"


def _server_line(server: Server, width: int) -> str:
    where = ", ".join(server.sources)
    clients = ", ".join(CLIENTS[c] for c in server.clients)
    if server.tools is not None:
        cost = f"{len(server.tools):>3} tools {server.tokens or 0:>7,} tokens"
    elif server.status == "remote":
        cost = "remote, not contacted"
    else:
        cost = "not measured"
    line = f"  {server.name:<{width}}  {server.transport:<5} {server.status:<13} {cost}  [{clients}] {where}"
    if server.error:
        line += f"\n  {'':<{width}}  error: {server.error}"
    return line


def _selection_lines(report: Report) -> list[str]:
    out = ["", f'For "{_one_line(report.task or "")}":']
    chosen = [
        (s, t) for s in report.servers for t in s.tools or () if s.scores.get(t.name, (0, False))[1]
    ]
    total = sum(len(s.tools or ()) for s in report.servers)
    if total == 0:
        out.append("  no measured tools to choose from (run with --connect)")
        return out
    if not chosen:
        out.append(f"  no tool matches the task; all {total} tools cost {report.tokens:,} tokens")
        return out
    selected = report.selected_tokens or 0
    out.append(
        f"  keep {len(chosen)} of {total} tools ({selected:,} tokens); the other "
        f"{total - len(chosen)} cost {report.tokens - selected:,} tokens per request"
    )
    for server, tool in sorted(chosen, key=lambda st: -st[0].scores[st[1].name][0]):
        score = server.scores[tool.name][0]
        out.append(f"    {server.name}/{tool.name}  {tool.tokens:,} tokens  score {score:.2f}")
    for client in report.clients():
        text = snippet(report, client)
        if text is None:
            continue
        how = "per tool" if client in TOOL_FILTERS else "whole servers"
        out.append(f"  {CLIENTS[client]} ({how}):")
        out.extend(f"    {line}" for line in text.split("\n"))
    return out


def _one_line(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
