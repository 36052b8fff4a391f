"""`ctxtrim tools --connect` against real servers: mcp-server-time and mcp-server-git from
PyPI (started through their console scripts), a generated 40-tool server that pages its
tools/list, a command that does not exist, one that exits at once, one that never answers,
and a remote server that must not be contacted. The servers are started once per module."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from ctxtrim.cli import main
from ctxtrim.tokens import get_encoding

from ..support import ROOT
from ..support.repos import init_repo

BIN = Path(sys.executable).parent
DATA = ROOT / "tests" / "data" / "mcp"
TASK = "what time is it in Tokyo when it is 9am in Paris"
HANG = "import time; time.sleep(60)"
CONNECT_TIMEOUT = 10  # seconds --connect waits for a server


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One repository naming every kind of server, measured once with --connect."""
    base = tmp_path_factory.mktemp("tools")
    root = base / "repo"
    root.mkdir()
    init_repo(root)
    (root / ".mcp.json").write_text(
        json.dumps(
            {
                "mcpServers": {
                    "time": {"command": str(BIN / "mcp-server-time")},
                    "git": {
                        "command": str(BIN / "mcp-server-git"),
                        "args": ["--repository", "${REPO_DIR}"],
                    },
                    "broken": {"command": "nonexistent-mcp-command-xyz"},
                    "dies": {"command": sys.executable, "args": [str(DATA / "exits_now.py")]},
                    "remote": {"type": "http", "url": "http://127.0.0.1:9/mcp"},
                }
            },
            indent=2,
        )
    )
    (root / ".vscode").mkdir()
    (root / ".vscode" / "mcp.json").write_text(
        '{\n  // the same time server, and two more\n  "servers": {\n'
        f'    "time": {{"type": "stdio", "command": {json.dumps(str(BIN / "mcp-server-time"))}}},\n'
        f'    "many": {{"command": {json.dumps(sys.executable)}, "args": [{json.dumps(str(DATA / "many_tools.py"))}]}},\n'
        f'    "hangs": {{"command": {json.dumps(sys.executable)}, "args": ["-c", {json.dumps(HANG)}]}},\n'
        "  }\n}\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(base / "home"))
        patch.setenv("CTXTRIM_CACHE_DIR", str(base / "cache"))
        patch.setenv("REPO_DIR", str(root))
        # The real servers take 1-4 s to start on a loaded 2-core machine: the timeout
        # (which the hanging server always waits out) leaves them room.
        code, out = _run(
            "tools",
            str(root),
            TASK,
            "--connect",
            "--timeout",
            str(CONNECT_TIMEOUT),
            "--format",
            "json",
        )
        assert code == 0
        again, cached = _run("tools", str(root), "--format", "json")
        assert again == 0
        _, text = _run("tools", str(root), TASK)
        yield {
            "root": root,
            "report": json.loads(out),
            "cached": json.loads(cached),
            "text": text,
        }


def servers(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in report["servers"]}


def independent_count(command: list[str]) -> tuple[int, int]:
    """(tools, tokens) of a server counted without ctxtrim: the SDK's own listing, each tool
    dumped as the JSON the server sent and encoded with tiktoken's cl100k."""
    from mcp import ClientSession, StdioServerParameters, stdio_client
    from mcp.types import PaginatedRequestParams

    async def listing() -> list[dict[str, Any]]:
        params = StdioServerParameters(command=command[0], args=command[1:])
        tools: list[dict[str, Any]] = []
        with tempfile.TemporaryFile("w+") as errlog:
            async with (
                stdio_client(params, errlog=errlog) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                cursor = None
                while True:
                    paging = PaginatedRequestParams(cursor=cursor) if cursor else None
                    page = await session.list_tools(params=paging)
                    tools += [t.model_dump(by_alias=True, exclude_none=True) for t in page.tools]
                    cursor = page.next_cursor
                    if not cursor:
                        return tools

    tools = anyio.run(listing)
    encoding = get_encoding("cl100k_base")
    total = sum(
        len(
            encoding.encode(
                t["name"] + "\n" + t.get("description", "") + "\n" + json.dumps(t["inputSchema"])
            )
        )
        for t in tools
    )
    return len(tools), total


def test_statuses_and_errors(measured: dict[str, Any]) -> None:
    got = servers(measured["report"])
    assert {name: s["status"] for name, s in got.items()} == {
        "time": "ok",
        "git": "ok",
        "broken": "error",
        "dies": "error",
        "remote": "remote",
        "many": "ok",
        "hangs": "error",
    }
    assert got["broken"]["error"] == "cannot start `nonexistent-mcp-command-xyz`: command not found"
    assert got["dies"]["error"] == (
        "the server closed the connection before listing its tools "
        "(stderr: fatal: missing configuration)"
    )
    assert got["hangs"]["error"] == f"no answer within {CONNECT_TIMEOUT} s"
    assert got["remote"]["tokens"] is None and got["remote"]["tools"] == []
    # One server configured for two clients is one entry.
    assert got["time"]["clients"] == ["claude-code", "vscode"]
    assert got["time"]["sources"] == [".mcp.json:3", ".vscode/mcp.json:4"]
    assert got["git"]["sources"] == [".mcp.json:6"]


def test_counts_match_an_independent_count(measured: dict[str, Any]) -> None:
    got = servers(measured["report"])
    for name, command in (
        ("time", [str(BIN / "mcp-server-time")]),
        ("git", [str(BIN / "mcp-server-git"), "--repository", str(measured["root"])]),
        ("many", [sys.executable, str(DATA / "many_tools.py")]),
    ):
        tools, tokens = independent_count(command)
        assert len(got[name]["tools"]) == tools, name
        assert abs(got[name]["tokens"] - tokens) <= 0.3 * tokens, (
            name,
            got[name]["tokens"],
            tokens,
        )
        assert got[name]["tokens"] == sum(t["tokens"] for t in got[name]["tools"])
    assert len(got["many"]["tools"]) == 40  # three pages of tools/list
    report = measured["report"]
    assert report["tokens"] == sum(s["tokens"] or 0 for s in report["servers"])


def test_both_time_tools_for_two_cities(measured: dict[str, Any]) -> None:
    report = measured["report"]
    chosen = [
        (s["name"], t["name"]) for s in report["servers"] for t in s["tools"] if t["selected"]
    ]
    assert ("time", "get_current_time") in chosen and ("time", "convert_time") in chosen
    assert len(chosen) <= 6
    assert report["selected_tokens"] == sum(
        t["tokens"] for s in report["servers"] for t in s["tools"] if t["selected"]
    )
    vscode = next(c for c in report["clients"] if c["id"] == "vscode")
    assert vscode["tools"] == 42 and vscode["tool_limit"] == 128
    assert vscode["snippet"] == "keep servers: time\nremove or disable: many"


def test_cached_costs_without_connect(measured: dict[str, Any]) -> None:
    now, cached = servers(measured["report"]), servers(measured["cached"])
    assert cached["time"]["status"] == "not-connected"
    assert cached["time"]["tokens"] == now["time"]["tokens"]
    assert cached["many"]["tokens"] == now["many"]["tokens"]
    assert cached["broken"]["tokens"] is None
    assert measured["cached"]["tokens"] == measured["report"]["tokens"]
    text = measured["text"]
    assert "keep 2 of 54 tools" in text and "time/convert_time" in text
