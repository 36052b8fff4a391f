"""Fuzz `ctxtrim serve` over stdio: garbage in, and the server still answers a valid pack.

One server process per test module (starting it costs a second). Each case sends something
malformed, then a valid `ctxtrim/pack` must succeed, the process must be alive, and nothing but
well-framed JSON-RPC may have reached stdout (a traceback there would corrupt the protocol).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..support import hostile
from ..support.hostile import CANARY, RpcClient
from ..support.lsp import server_command, server_env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RpcClient, Path]]:
    base = tmp_path_factory.mktemp("fuzz")
    hostile.make_canary(base)
    root = base / "root"
    root.mkdir()
    hostile.ordinary(root)
    client = RpcClient(server_command(), server_env(base / "cache"), root)
    try:
        assert "result" in client.initialize(root)
        assert_healthy(client)
        yield client, root
    finally:
        client.close()
    assert CANARY.encode() not in client.stderr


def assert_healthy(client: RpcClient) -> None:
    """A valid pack succeeds, the process lives, stdout carried only JSON-RPC frames."""
    reply = client.pack({"task": "login redirect", "budget": 2000}, timeout=60)
    assert "result" in reply, reply
    assert reply["result"]["tokens"] <= 2000
    assert any(item["path"] == "app/auth.py" for item in reply["result"]["items"])
    assert client.proc.poll() is None
    assert not client.garbage, client.garbage[:3]


def frame(body: bytes, length: int | None = None) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body


BAD_FRAMES = {
    "not-json": frame(b"{this is not json"),
    "json-not-object": frame(b"[1, 2, 3]"),
    "json-string": frame(b'"hello"'),
    "binary-body": frame(bytes(range(256))),
    "invalid-utf8": frame(b'{"jsonrpc": "2.0", "id": 9, "method": "\xff\xfe"}'),
    "no-jsonrpc-field": frame(b'{"id": 9, "method": "ctxtrim/pack"}'),
    "null-id": frame(b'{"jsonrpc": "2.0", "id": null, "method": "ctxtrim/pack"}'),
    "object-id": frame(b'{"jsonrpc": "2.0", "id": {"a": 1}, "method": "ctxtrim/pack"}'),
    "method-number": frame(b'{"jsonrpc": "2.0", "id": 9, "method": 42}'),
    "response-nobody-asked": frame(b'{"jsonrpc": "2.0", "id": 77777, "result": {"x": 1}}'),
    "deep-json": frame(
        b'{"jsonrpc": "2.0", "method": "x", "params": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    ),
    "zero-length": frame(b"", 0),
    # A frame whose Content-Length is too small: the rest of its body arrives as "headers";
    # the parser must get back in step at the next well-formed frame.
    "short-length": frame(b'{"jsonrpc": "2.0", "method": "initialized"}xxxx', 43) + b"\r\n\r\n",
    "bad-length-value": b"Content-Length: abc\r\n\r\n",
    "negative-length": b"Content-Length: -5\r\n\r\n",
    "extra-headers": b"Content-Type: text/plain\r\nX-Foo: bar\r\n"
    + frame(b'{"jsonrpc": "2.0", "method": "$/noop"}'),
    "header-only-garbage": b"garbage line without colon\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FRAMES))
def test_malformed_frames(server: tuple[RpcClient, Path], name: str) -> None:
    client, _ = server
    client.send_raw(BAD_FRAMES[name])
    assert_healthy(client)


def _bad_params() -> list[Any]:
    """Wrong types for every ctxtrim/pack parameter, plus absurd values (the values that must be
    errors, with their exact messages, are `MUST_FAIL`)."""
    wrong = [None, True, 0, -1, 1.5, "x", [], {}, [1, "a"], {"a": 1}, 10**30, "\x00", "💥" * 10]
    keys = ["task", "budget", "format", "focus", "include", "exclude", "explain", "root",
            "textDocument", "position"]  # fmt: skip
    cases: list[Any] = [None, [], 5, "just a task", [1, 2, 3], {"unknown": 1}]
    cases += [{"task": "login", key: value} for key in keys for value in wrong]
    cases += [
        {"task": "login", "focus": ["../outside/secret.txt"]},
        {"task": "login", "focus": ["/etc/passwd"]},
        {"task": "login", "focus": ["file:///etc/passwd"]},
        {"task": "login", "focus": [{"path": "../outside/secret.txt", "line": 1}]},
        {"task": "login", "textDocument": {"uri": "file:///etc/passwd"}},
        {"task": "login", "include": ["["] * 10, "exclude": ["\\"]},
    ]
    return cases


def test_wrong_parameters(server: tuple[RpcClient, Path]) -> None:
    client, root = server
    outside = str(root.parent / "outside" / "secret.txt")
    for params in [*_bad_params(), {"task": "x", "focus": [outside]}]:
        reply = client.request("ctxtrim/pack", params, timeout=30)
        assert "result" in reply or "error" in reply, reply
        if "error" in reply:
            assert isinstance(reply["error"].get("message"), str)
            assert "Traceback" not in reply["error"]["message"]
        assert CANARY not in json.dumps(reply), params
    assert_healthy(client)


MUST_FAIL = [
    ({"budget": 63}, "'budget' 63 is out of range (64 to 2,000,000 tokens)"),
    ({"budget": 0}, "'budget' 0 is out of range (64 to 2,000,000 tokens)"),
    ({"budget": 10**12}, "'budget' 1000000000000 is out of range (64 to 2,000,000 tokens)"),
    ({"budget": -(10**9)}, "'budget' -1000000000 is out of range (64 to 2,000,000 tokens)"),
    ({"format": "yaml"}, "'format' must be one of markdown, xml, json, plain, not 'yaml'"),
    ({"root": "/"}, "'root' / is not one of the workspace folders"),
    ({"root": "file:///etc"}, "'root' file:///etc is not one of the workspace folders"),
    (
        {"root": "relative/dir"},
        "'root' must be a file: URI or an absolute path, not 'relative/dir'",
    ),
]


@pytest.mark.parametrize(("params", "message"), MUST_FAIL)
def test_inputs_that_must_be_errors(
    server: tuple[RpcClient, Path], params: dict[str, Any], message: str
) -> None:
    client, _ = server
    reply = client.pack({"task": "login", **params}, timeout=30)
    assert reply.get("error") == {"code": -32602, "message": message}, reply


def test_unknown_methods_and_notifications(server: tuple[RpcClient, Path]) -> None:
    client, _ = server
    reply = client.request("ctxtrim/doesNotExist", {"a": 1}, timeout=30)
    assert reply.get("error", {}).get("code") == -32601, reply
    reply = client.request("textDocument/hover", {"nonsense": True}, timeout=30)
    assert "error" in reply or "result" in reply
    client.notify("ctxtrim/unknownNotification", [1, 2])
    client.notify("textDocument/didOpen", {"textDocument": 5})
    client.notify("textDocument/didChange", {"textDocument": {"uri": "file:///etc/passwd"}})
    client.notify("workspace/didChangeWatchedFiles", {"changes": "all"})
    client.notify("$/cancelRequest", {"id": "never-sent"})
    assert_healthy(client)


def test_huge_messages(server: tuple[RpcClient, Path]) -> None:
    client, _ = server
    huge_task = "login redirect " * (20 * 1024 * 1024 // 15)  # ~20 MB
    reply = client.request("ctxtrim/pack", {"task": huge_task, "budget": 2000}, timeout=60)
    assert "error" in reply or reply["result"]["tokens"] <= 2000
    focus = [f"app/auth.py:{i}" for i in range(5_000)]
    reply = client.request("ctxtrim/pack", {"task": "login", "focus": focus}, timeout=60)
    assert "error" in reply or "result" in reply
    junk = "x" * 5_000_000
    reply = client.request("ctxtrim/doesNotExist", {"junk": junk}, timeout=60)
    assert "error" in reply
    assert_healthy(client)


def test_unsaved_buffer_outside_the_workspace(server: tuple[RpcClient, Path]) -> None:
    client, root = server
    outside = root.parent / "outside" / "secret.py"
    client.notify(
        "textDocument/didOpen",
        {
            "textDocument": {
                "uri": outside.as_uri(),
                "languageId": "python",
                "version": 1,
                "text": f"SECRET = '{CANARY}'\n",
            }
        },
    )
    reply = client.pack({"task": f"secret {CANARY}", "budget": 4000})
    assert "result" in reply, reply
    assert CANARY not in json.dumps(reply["result"]["items"])
    assert_healthy(client)
