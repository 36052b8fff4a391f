"""`ctxtrim serve` end to end, over stdio, driven by pytest-lsp's client."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
import pytest_asyncio
from ctxtrim.server import _parse_tcp
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcRequestCancelled
from pytest_lsp import ClientServerConfig, LanguageClient

from ctxtrim.cache import Cache
from ctxtrim.fit import PREPARED_FACTS
from ctxtrim.index import digest

from ..support.index import VERSION
from ..support.lsp import make_repo, server_command, server_env
from ..support.lsp_client import (
    TIMEOUT,
    bounded,
    capabilities,
    new_client,
    open_doc,
    start,
    stop,
    wait_until,
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


@pytest_asyncio.fixture
async def client(repo: Path, tmp_path: Path) -> AsyncIterator[LanguageClient]:
    client = await start(repo, tmp_path / "cache")
    yield client
    await stop(client)


async def pack(client: LanguageClient, params: Any, method: str = "ctxtrim/pack") -> Any:
    return await bounded(client.protocol.send_request_async(method, params))


def paths(result: dict[str, Any]) -> list[str]:
    return [item["path"] for item in result["items"]]


def text_of(result: dict[str, Any], path: str) -> str:
    return next(
        item["text"] for item in result["items"] if item["path"] == path and item["kind"] == "file"
    )


# ------------------------------------------------------------------ packs


@pytest.mark.asyncio
async def test_pack_returns_the_contract_within_budget(client: LanguageClient, repo: Path) -> None:
    result = await pack(client, {"task": "fix the login redirect", "budget": 1500})
    assert result["schema"] == "ctxtrim.pack/1"
    assert Path(result["root"]) == repo.resolve()
    assert 0 < result["tokens"] <= result["budget"] == 1500
    assert "app/auth.py" in paths(result)
    assert all(not p.startswith("/") and "\\" not in p for p in paths(result))
    for item in result["items"]:
        assert {"kind", "path", "mode", "tokens", "score", "reasons", "text"} <= set(item)
    # Indexing was reported as work-done progress that began and ended.
    reports = [r for token in client.progress_reports.values() for r in token]
    assert any(isinstance(r, types.WorkDoneProgressBegin) for r in reports)
    assert any(isinstance(r, types.WorkDoneProgressEnd) for r in reports)
    # The server asked the client to watch files (the client supports dynamic registration).
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in client.registrations)  # type: ignore[attr-defined]
    # The status reports each phase's p50/p95 over the packs served so far.
    status = await folder_status(client)
    assert status["packs"] == 1
    assert list(status["phases"]) == ["refresh", "rank", "prepare", "fit", "render"]
    assert all(0 <= p["p50_ms"] <= p["p95_ms"] for p in status["phases"].values())


@pytest.mark.asyncio
async def test_text_formats_and_explain(client: LanguageClient) -> None:
    result = await pack(
        client, {"task": "cart total", "budget": 1000, "format": "markdown", "explain": True}
    )
    assert result["format"] == "markdown" and result["tokens"] <= 1000
    assert "web/cart.js" in result["text"] and "# Why" in result["text"]
    xml = await pack(client, {"task": "cart total", "format": "xml"})
    assert xml["text"].lstrip().startswith("<!--") and "<context>" in xml["text"]


@pytest.mark.asyncio
async def test_execute_command_packs(client: LanguageClient) -> None:
    result = await bounded(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="ctxtrim.pack", arguments=[{"task": "add item to cart", "budget": 800}]
            )
        )
    )
    assert result is not None
    assert result["schema"] == "ctxtrim.pack/1" and "web/cart.js" in paths(result)
    with pytest.raises(JsonRpcInvalidParams):
        await bounded(
            client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="ctxtrim.pack", arguments=[{"budget": -5}])
            )
        )


# ------------------------------------------------------------------ buffers and files


@pytest.mark.asyncio
async def test_unsaved_edits_are_packed(client: LanguageClient, repo: Path) -> None:
    auth = repo / "app" / "auth.py"
    disk = auth.read_text()
    uri = open_doc(client, auth)
    lines = disk.count("\n")
    # An incremental edit appending a new function; the file on disk never changes.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(lines, 0), types.Position(lines, 0)),
                    text="\n\ndef quuxify_session_token(user):\n    return user.name[::-1]\n",
                )
            ],
        )
    )
    result = await pack(client, {"task": "quuxify_session_token is wrong", "budget": 2000})
    assert "def quuxify_session_token" in text_of(result, "app/auth.py")
    assert auth.read_text() == disk

    # A full-text change replaces the buffer; the pack follows it.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(
                    text="def zorblax_handler():\n    pass\n"
                )
            ],
        )
    )
    result = await pack(client, {"task": "zorblax_handler", "budget": 2000})
    assert "zorblax_handler" in text_of(result, "app/auth.py")
    assert "quuxify_session_token" not in json.dumps(result)

    # Closing the buffer reverts to the disk version.
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri))
    )
    result = await pack(client, {"task": "login redirect", "budget": 2000})
    assert "zorblax_handler" not in json.dumps(result)
    assert "def login_redirect" in text_of(result, "app/auth.py")


@pytest.mark.asyncio
async def test_default_focus_is_the_active_document(client: LanguageClient, repo: Path) -> None:
    uri = open_doc(client, repo / "app" / "models.py")
    result = await pack(
        client,
        {
            "task": "",
            "budget": 1000,
            "textDocument": {"uri": uri},
            "position": {"line": 1, "character": 4},
        },
    )
    item = next(i for i in result["items"] if i["path"] == "app/models.py")
    assert any("focus" in r for r in item["reasons"])


@pytest.mark.asyncio
async def test_created_and_deleted_files(client: LanguageClient, repo: Path) -> None:
    new = repo / "app" / "gizmo_factory.py"
    new.write_text("def assemble_gizmo(parts):\n    return sorted(parts)\n")
    client.workspace_did_create_files(
        types.CreateFilesParams(files=[types.FileCreate(uri=new.as_uri())])
    )
    result = await pack(client, {"task": "assemble_gizmo", "budget": 1000})
    assert "app/gizmo_factory.py" in paths(result)

    new.unlink()
    client.workspace_did_delete_files(
        types.DeleteFilesParams(files=[types.FileDelete(uri=new.as_uri())])
    )
    result = await pack(client, {"task": "assemble_gizmo", "budget": 1000})
    assert "app/gizmo_factory.py" not in paths(result)

    # The same through watched-file events, and a rename.
    models = repo / "app" / "models.py"
    moved = repo / "app" / "people.py"
    models.rename(moved)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=models.as_uri(), type=types.FileChangeType.Deleted),
                types.FileEvent(uri=moved.as_uri(), type=types.FileChangeType.Created),
            ]
        )
    )
    result = await pack(client, {"task": "class User", "budget": 1000})
    assert "app/people.py" in paths(result) and "app/models.py" not in paths(result)


@pytest.mark.asyncio
async def test_excluded_and_outside_buffers_never_enter_packs(
    client: LanguageClient, repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere" / "leak.py"
    outside.parent.mkdir()
    outside.write_text("def outside_marker_fn():\n    pass\n")
    open_doc(client, outside)
    env = repo / ".env"
    env.write_text("API_KEY=abc\n")
    open_doc(client, env, "API_KEY=env_marker_value\n")
    build = repo / "build" / "gen.py"
    build.parent.mkdir()
    build.write_text("")
    open_doc(client, build, "def build_marker_fn():\n    pass\n")
    result = await pack(
        client, {"task": "outside_marker_fn env_marker_value build_marker_fn", "budget": 4000}
    )
    text = json.dumps(result)
    assert "outside_marker_fn" not in text.split('"task"')[0] + json.dumps(result["items"])
    assert "env_marker_value" not in json.dumps(result["items"])
    assert "build_marker_fn" not in json.dumps(result["items"])
    with pytest.raises(JsonRpcInvalidParams, match="outside the workspace"):
        await pack(client, {"task": "x", "focus": [{"uri": outside.as_uri()}]})


# ------------------------------------------------------------------ errors


BAD_PARAMS: list[tuple[Any, str]] = [
    ({"task": 42}, "'task' must be a string"),
    ({"task": "x", "budget": "8000"}, "'budget' must be an integer"),
    ({"task": "x", "budget": -1}, "out of range"),
    ({"task": "x", "budget": 10**12}, "out of range"),
    ({"task": "x", "budget": 1.5}, "'budget' must be an integer"),
    ({"task": "x", "budget": True}, "'budget' must be an integer"),
    ({"task": "x", "format": "yaml"}, "'format' must be one of"),
    ({"task": "x", "explain": "yes"}, "'explain' must be true or false"),
    ({"task": "x", "focus": ["no/such/file.py"]}, "not in the workspace"),
    ({"task": "x", "focus": ["/etc/passwd"]}, "outside the workspace"),
    ({"task": "x", "focus": ["../../etc/passwd:3"]}, "outside the workspace"),
    ({"task": "x", "focus": [{"uri": "file:///etc/passwd"}]}, "outside the workspace"),
    ({"task": "x", "focus": [{"uri": "https://example.com/a.py"}]}, "not a file: URI"),
    (
        {"task": "x", "focus": [{"path": "app/auth.py", "line": "3"}]},
        "must be a non-negative integer",
    ),
    ({"task": "x", "focus": 7}, "'focus' must be a list"),
    ({"task": "x", "exclude": [3]}, "'exclude' must be a list"),
    ({"task": "x", "include": [""]}, "'include' must be a list"),
    ({"task": "x", "root": "/etc"}, "not one of the workspace folders"),
    ({"task": "x", "bogus": 1}, "unknown parameter"),
    ([1, 2, 3], "must be an object"),
    ({"task": "x", "textDocument": {"uri": 5}}, "'textDocument' must be"),
    ({"task": "x", "position": {"line": 1}}, "'position' needs 'textDocument'"),
]


@pytest.mark.asyncio
async def test_bad_requests_get_invalid_params(client: LanguageClient) -> None:
    for params, message in BAD_PARAMS:
        with pytest.raises(JsonRpcInvalidParams, match=message):
            await pack(client, params)
    # ...and the server keeps answering.
    assert (await pack(client, {"task": "login", "budget": 500}))["tokens"] <= 500
    # Patterns narrow the pack (a separate, cached view of the folder).
    only_js = await pack(client, {"task": "login cart", "include": ["web/**"]})
    assert paths(only_js) and all(
        p.startswith("web/") for p in paths(only_js) if not p.endswith(".md")
    )
    no_tests = await pack(client, {"task": "login redirect test", "exclude": ["tests/"]})
    assert not any(p.startswith("tests/") for p in paths(no_tests))


@pytest.mark.asyncio
async def test_malformed_lsp_params_are_answered(client: LanguageClient) -> None:
    # pygls alone drops a request whose params do not match the LSP schema (the client hangs).
    response = asyncio.get_running_loop().create_future()
    client.protocol._request_futures["bad-1"] = response  # type: ignore[assignment]
    client.protocol._send_data(
        {
            "jsonrpc": "2.0",
            "id": "bad-1",
            "method": "textDocument/hover",
            "params": {"textDocument": 3},
        }
    )
    with pytest.raises(JsonRpcInvalidParams):
        await bounded(response)
    with pytest.raises(JsonRpcException):  # unknown method
        await pack(client, {}, method="ctxtrim/nope")
    assert "items" in await pack(client, {"task": "cart"})


@pytest.mark.asyncio
async def test_cancel_and_indexing_timeout(tmp_path: Path) -> None:
    # A repository big enough for the index's process pool (cold cache), held in "indexing"
    # for 2 s so that the timeout and the cancellation below are deterministic.
    files = {
        f"pkg{i // 100}/mod{i}.py": f"def function_{i}(x):\n    return x + {i}\n" * 40
        for i in range(2500)
    }
    root = make_repo(tmp_path / "big", files)
    config = ClientServerConfig(
        server_command=server_command(open_delay=2.0),
        client_factory=new_client,
        server_env=server_env(tmp_path / "cache"),
    )
    client = cast(LanguageClient, await bounded(config.start()))
    await bounded(
        client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities(),
                root_uri=root.as_uri(),
                initialization_options={"indexTimeout": 0.5},
            )
        )
    )
    try:
        # Cancelled while it waits for indexing: the client gets RequestCancelled.
        waiting = asyncio.ensure_future(
            client.protocol.send_request_async(
                "ctxtrim/pack", {"task": "function_9"}, msg_id="cancel-me"
            )
        )
        await asyncio.sleep(0.1)  # pytest-lsp sends the request when its coroutine first runs
        client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="cancel-me"))
        with pytest.raises(JsonRpcRequestCancelled):
            await bounded(waiting)
        # Not cancelled: a bounded wait, then an error that says why.
        with pytest.raises(JsonRpcException, match="still indexing") as err:
            await pack(client, {"task": "function_7"})
        assert err.value.code == -32803

        async def indexed() -> None:
            while True:
                status = await bounded(client.protocol.send_request_async("ctxtrim/status", {}))
                if status["folders"][0]["state"] == "ready":
                    return
                await asyncio.sleep(0.1)

        await bounded(indexed(), 120)
        result = await pack(client, {"task": "function_1234", "budget": 2000})
        assert "pkg12/mod1234.py" in paths(result)
    finally:
        await stop(client)


# ------------------------------------------------------------------ rule files


@pytest.mark.asyncio
async def test_rule_file_diagnostics_lens_and_hover(client: LanguageClient, repo: Path) -> None:
    claude = repo / "CLAUDE.md"
    uri = open_doc(client, claude)

    def codes() -> list[str]:
        return [str(d.code) for d in client.diagnostics.get(uri, [])]

    await wait_until(lambda: "CTX101" in codes())
    dead = next(d for d in client.diagnostics[uri] if d.code == "CTX101")
    assert dead.range.start.line == 10 and "docs/style-guide.md" in dead.message

    # Fix the dead path in the buffer, unsaved: the diagnostic goes away as the user types.
    fixed = claude.read_text().replace("`docs/style-guide.md`", "the style guide")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    await wait_until(lambda: "CTX101" not in codes())

    lenses = await bounded(
        client.text_document_code_lens_async(
            types.CodeLensParams(types.TextDocumentIdentifier(uri))
        )
    )
    assert lenses is not None
    titles = [(lens.range.start.line, lens.command.title) for lens in lenses if lens.command]
    assert any(line == 0 and "tokens" in t and "always on" in t for line, t in titles)  # the file
    assert any(line == 4 and t.endswith(" tokens") for line, t in titles)  # "## Testing"

    hover = await bounded(
        client.text_document_hover_async(
            types.HoverParams(
                types.TextDocumentIdentifier(uri), types.Position(line=6, character=0)
            )
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "Claude Code" in hover.contents.value and "always-on tokens" in hover.contents.value
    assert "Testing" in hover.contents.value

    # Packs take rule sections from the unsaved buffer too.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(
                    text=fixed + "\n## Deploying\n\nShip with zebracorn canaries only.\n"
                )
            ],
        )
    )
    result = await pack(client, {"task": "deploy with zebracorn canaries", "budget": 3000})
    assert any(i["kind"] == "rule" and "zebracorn" in i["text"] for i in result["items"])

    # Not a rule file: no lens, no hover.
    other = open_doc(client, repo / "app" / "auth.py")
    other_lenses = await bounded(
        client.text_document_code_lens_async(
            types.CodeLensParams(types.TextDocumentIdentifier(other))
        )
    )
    assert not other_lenses


# ------------------------------------------------------------------ cache warmer


async def folder_status(client: LanguageClient) -> dict[str, Any]:
    status = await bounded(client.protocol.send_request_async("ctxtrim/status", {}))
    return status["folders"][0]


@pytest.mark.asyncio
async def test_cache_warmer_prepares_every_file(repo: Path, tmp_path: Path) -> None:
    """After indexing, a child process fills the cache with every file's outline and token
    counts, so a pack prepares nothing itself; `warmCache: false` turns it off."""
    client = await start(repo, tmp_path / "cache")
    try:
        deadline = time.monotonic() + TIMEOUT
        while (state := (await folder_status(client))["warming"]) in ("off", "running"):
            assert time.monotonic() < deadline, f"warmer still {state}"
            await asyncio.sleep(0.1)
        assert state == "done"
        cache = Cache(tmp_path / "cache" / "index.sqlite", VERSION)  # not $CTXTRIM_CACHE_DIR
        for path in ("app/auth.py", "app/models.py"):
            dig = digest((repo / path).read_bytes())
            assert cache.has_facts(dig, ("o", f"{PREPARED_FACTS}:cl100k_base")), path
        result = await pack(client, {"task": "login"})
        assert "app/auth.py" in paths(result)
    finally:
        await stop(client)
    client = await start(repo, tmp_path / "cache2", {"warmCache": False})
    try:
        assert (await folder_status(client))["warming"] == "off"
    finally:
        await stop(client)


# ------------------------------------------------------------------ lifecycle


@pytest.mark.asyncio
async def test_shutdown_and_exit_are_clean(repo: Path, tmp_path: Path) -> None:
    client = await start(repo, tmp_path / "cache", watch=False)  # no client watching: a poller runs
    status = await bounded(client.protocol.send_request_async("ctxtrim/status", {}))
    assert status["watching"] == "poll"
    await pack(client, {"task": "login"})
    await bounded(client.shutdown_async(None))
    client.exit(None)
    server = client._server
    assert server is not None
    assert await bounded(server.wait(), 10) == 0
    await client.stop()


def test_tcp_transport(repo: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        server_command("--tcp", f"127.0.0.1:{port}"),
        env={**server_env(tmp_path / "cache"), "CTXTRIM_LOG_LEVEL": "info"},
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        with sock:
            sock.settimeout(30)
            reader = sock.makefile("rb")

            def call(msg: dict[str, Any]) -> dict[str, Any] | None:
                body = json.dumps(msg).encode()
                sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
                if "id" not in msg:
                    return None
                while True:
                    length = 0
                    while (line := reader.readline().strip()) != b"":
                        if line.lower().startswith(b"content-length:"):
                            length = int(line.split(b":")[1])
                    reply = json.loads(reader.read(length))
                    if reply.get("id") == msg["id"] and "method" not in reply:
                        return reply

            init = call(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"capabilities": {}, "rootUri": repo.as_uri()},
                }
            )
            assert (
                init
                and "ctxtrim.pack"
                in init["result"]["capabilities"]["executeCommandProvider"]["commands"]
            )
            call({"jsonrpc": "2.0", "method": "initialized", "params": {}})
            got = call(
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "ctxtrim/pack",
                    "params": {"task": "cart total", "budget": 700},
                }
            )
            assert got and got["result"]["tokens"] <= 700 and "web/cart.js" in paths(got["result"])
            call({"jsonrpc": "2.0", "id": 3, "method": "shutdown"})
            call({"jsonrpc": "2.0", "method": "exit"})
        assert proc.wait(timeout=15) == 0
        # At INFO, each pack's phases are logged; the messages themselves (whole packs) not.
        assert proc.stderr is not None
        log = proc.stderr.read().decode()
        assert "pack 'cart total': refresh" in log and " · render " in log
        assert "Sending data" not in log and '"jsonrpc"' not in log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_bad_tcp_address_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        server_command("--tcp", "nonsense"),
        env=server_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "HOST:PORT" in done.stderr
    assert sys.executable  # the same interpreter runs the server


@pytest.mark.parametrize("command", ["serve", "mcp"])
def test_an_unknown_log_level_is_a_usage_error(tmp_path: Path, command: str) -> None:
    argv = server_command()
    argv[argv.index("serve")] = command
    done = subprocess.run(
        argv,
        env={**server_env(tmp_path), "CTXTRIM_LOG_LEVEL": "verbose"},
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert (done.returncode, done.stderr) == (
        2,
        "ctxtrim: CTXTRIM_LOG_LEVEL='verbose' is not a log level "
        "(choose from debug, info, warning, error, critical)\n",
    )


@pytest.mark.asyncio
async def test_fail_on_secret_is_honoured_by_the_pack_request(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / ".ctxtrim.toml").write_text("fail_on_secret = true\n")
    (root / "app" / "tokens.py").write_text(
        'GITHUB_TOKEN = "ghp_R8fT2kLq9ZxW4mNvB7cYd1HsJ3pAe6Gu0QoV"\n'
    )
    client = await start(root, tmp_path / "cache")
    try:
        with pytest.raises(JsonRpcInvalidParams) as err:
            await pack(client, {"task": "github token", "focus": ["app/tokens.py"]})
        assert str(err.value.message) == (
            "1 secret(s) found in files selected for the pack; refusing to pack (fail_on_secret)"
        )
        # A pack that needs no redaction is still served.
        fine = await pack(client, {"task": "login redirect", "budget": 600})
        assert "app/tokens.py" not in paths(fine) and fine["tokens"] <= 600
    finally:
        await stop(client)


def test_tcp_refuses_a_non_loopback_address_without_the_opt_in(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run(
        server_command("--tcp", f"0.0.0.0:{port}"),
        env=server_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"ctxtrim: --tcp 0.0.0.0:{port}: 0.0.0.0 is not a loopback address; anyone who can "
        "connect could pack this user's files (pass --allow-remote to listen there anyway)\n"
    )
    with pytest.raises(OSError):  # nothing listens there
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    # With the opt-in it listens on every address (loopback included).
    proc = subprocess.Popen(
        server_command("--tcp", f"0.0.0.0:{port}", "--allow-remote"),
        env=server_env(tmp_path),
        stdin=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "never listened"
                time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait()


def test_tcp_address_rules_and_help() -> None:
    assert _parse_tcp("127.0.0.1:2087") == ("127.0.0.1", 2087)
    assert _parse_tcp("[::1]:2087") == ("::1", 2087)
    assert _parse_tcp("localhost:2087") == ("localhost", 2087)
    assert _parse_tcp(":2087") == ("127.0.0.1", 2087)
    with pytest.raises(ValueError, match=r"^--tcp example\.com:80: example\.com is not a loop"):
        _parse_tcp("example.com:80")
    assert _parse_tcp("example.com:80", allow_remote=True) == ("example.com", 80)
    serve = subprocess.run(
        [sys.executable, "-m", "ctxtrim", "serve", "--help"], capture_output=True, text=True
    )
    assert "--allow-remote" in serve.stdout and "loopback" in serve.stdout
