"""`ctxtrim mcp` as agents run it: a subprocess speaking newline-delimited JSON-RPC on stdio,
driven by the SDK's stdio client and by a hand-written client that uses no SDK at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from ctxtrim.tokens import Tokenizer

PROTOCOL = "2025-06-18"
TOOL_TOKENS_LIMIT = 800
WAIT = 60.0  # seconds a reply may take (the first pack waits for the index)


def command(root: Path) -> list[str]:
    return [sys.executable, "-m", "ctxtrim", "mcp", str(root), "--no-warm"]


class RawClient:
    """JSON-RPC 2.0 over a child's stdin and stdout, one JSON object per line."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            command(root),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(os.environ),
        )
        self.next_id = 0
        self.stderr = b""
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        assert self.proc.stdout is not None
        while True:
            line = self.proc.stdout.readline()
            assert line, f"the server closed stdout; stderr: {self.stderr[-2000:]!r}"
            reply = json.loads(line)  # every line on stdout is one JSON-RPC message
            if reply.get("id") == self.next_id:
                return reply

    def initialize(self) -> dict[str, Any]:
        reply = self.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL,
                "capabilities": {},
                "clientInfo": {"name": "hand-written", "version": "0"},
            },
        )
        self.send({"method": "notifications/initialized"})
        return reply

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return self.request("tools/call", {"name": name, "arguments": arguments})["result"]

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        code = self.proc.wait(timeout=WAIT)
        self._drain.join(timeout=5)
        return code


def test_hand_written_client_sees_an_edit_and_the_server_exits_0(demo: Path) -> None:
    client = RawClient(demo)
    try:
        init = client.initialize()
        assert init["result"]["serverInfo"]["name"] == "ctxtrim"
        tools = client.request("tools/list", {})["result"]["tools"]
        assert {t["name"] for t in tools} == {"pack", "expand", "rules"}
        assert all(t["annotations"]["readOnlyHint"] is True for t in tools)
        # What the model is sent with every request, as it crossed the wire.
        tokens = Tokenizer("cl100k_base").count(json.dumps(tools, ensure_ascii=False))
        print(f"\ntool definitions on the wire: {tokens} cl100k tokens")
        assert tokens <= TOOL_TOKENS_LIMIT

        task = "apply_coupon_code should reject an expired coupon"
        first = client.call("pack", {"task": task, "budget": 2000})
        assert first["isError"] is False
        assert "def apply_coupon_code" not in first["content"][0]["text"]

        with open(demo / "app" / "cart.py", "a", encoding="utf-8") as f:
            f.write(
                "\n\ndef apply_coupon_code(cart, code):\n"
                '    """Apply a coupon code to the cart, rejecting an expired coupon."""\n'
                "    return cart\n"
            )
        second = client.call("pack", {"task": task, "budget": 2000})
        assert "def apply_coupon_code(cart, code):" in second["content"][0]["text"]
        assert second["structuredContent"]["tokens"] <= 2000

        bad = client.call("pack", {"task": "x", "focus": ["../../etc/passwd"]})
        assert bad["isError"] is True
        assert bad["content"][0]["text"] == (
            "Error executing tool pack: 'focus[0]' ../../etc/passwd: outside the repository"
        )
        unknown = client.request("tools/call", {"name": "grep", "arguments": {}})
        assert unknown["result"]["isError"] is True
        assert unknown["result"]["content"][0]["text"] == "Unknown tool: grep"
        again = client.call("expand", {"path": "app/cart.py", "symbol": "apply_coupon_code"})
        assert (
            again["isError"] is False
            and "rejecting an expired coupon" in again["content"][0]["text"]
        )
    finally:
        code = client.close()
    assert code == 0
    assert b"Traceback" not in client.stderr


def test_sdk_stdio_client(demo: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=command(demo)[1:],
        env={"CTXTRIM_CACHE_DIR": os.environ["CTXTRIM_CACHE_DIR"]},
    )

    async def run() -> tuple[list[str], Any]:
        async with Client(params) as client:
            listed = await client.list_tools()
            result = await client.call_tool(
                "pack", {"task": "the login redirect goes to another host", "budget": 1200}
            )
            return [t.name for t in listed.tools], result

    names, result = anyio.run(run)
    assert names == ["pack", "expand", "rules"]
    assert not result.is_error
    assert "## app/auth.py" in result.content[0].text
    assert result.structured_content["tokens"] <= 1200


def test_a_bad_root_is_a_one_line_error(tmp_path: Path) -> None:
    done = subprocess.run(
        command(tmp_path / "missing"),
        capture_output=True,
        text=True,
        timeout=WAIT,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("ctxtrim: ")
