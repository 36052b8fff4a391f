"""`ctxtrim mcp` through the SDK's in-process client: tools, results, errors, fuzzed calls."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from ctxtrim.server.mcp import build
from mcp import Client
from mcp.types import CallToolResult

from ctxtrim.tokens import Tokenizer

KEY = "AKIA" + "Q3EGRTYUIOPLKJHG"
TOOL_TOKENS_LIMIT = 800


def with_client(root: Path, body: Callable[[Client], Awaitable[Any]]) -> Any:
    """Run `body` with a client connected in-process to a fresh server for `root`."""
    server, session = build(root.resolve(), warm=False)

    async def run() -> Any:
        async with Client(server, raise_exceptions=True) as client:
            return await body(client)

    try:
        return anyio.run(run)
    finally:
        session.close()


def text(result: CallToolResult) -> str:
    assert len(result.content) == 1
    return result.content[0].text  # type: ignore[union-attr]


def error(result: CallToolResult) -> str:
    assert result.is_error, text(result)[:300]
    return text(result)


def test_tools_are_listed_read_only_and_small(demo: Path) -> None:
    async def body(client: Client) -> list[dict[str, Any]]:
        listed = await client.list_tools()
        return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in listed.tools]

    tools = with_client(demo, body)
    assert [t["name"] for t in tools] == ["pack", "expand", "rules"]
    for tool in tools:
        assert tool["title"] and tool["description"]
        assert tool["annotations"] == {
            "readOnlyHint": True,
            "idempotentHint": True,
            "openWorldHint": False,
        }
    assert tools[0]["inputSchema"]["required"] == ["task"]
    assert tools[0]["inputSchema"]["properties"]["budget"]["default"] == 8000
    tokens = Tokenizer("cl100k_base").count(json.dumps(tools, ensure_ascii=False))
    print(f"\ntool definitions: {tokens} cl100k tokens for {len(tools)} tools")
    assert tokens <= TOOL_TOKENS_LIMIT


def test_pack_names_the_relevant_file_within_budget(demo: Path) -> None:
    async def body(client: Client) -> CallToolResult:
        return await client.call_tool(
            "pack", {"task": "the login redirect goes to another host", "budget": 1500}
        )

    result = with_client(demo, body)
    assert not result.is_error
    out = text(result)
    assert "## app/auth.py" in out and "def safe_next_url" in out
    meta = result.structured_content
    assert meta is not None and meta["budget"] == 1500
    assert meta["tokens"] == Tokenizer("cl100k_base").count(out) <= 1500
    paths = [i["path"] for i in meta["items"]]
    assert "app/auth.py" in paths
    first = next(i for i in meta["items"] if i["path"] == "app/auth.py")
    assert set(first) == {"path", "mode", "lines", "score"}
    # The pack travels once: the metadata carries no item text.
    assert "def safe_next_url" not in json.dumps(meta)


def test_pack_focus_and_filters(demo: Path) -> None:
    async def body(client: Client) -> CallToolResult:
        return await client.call_tool(
            "pack",
            {"task": "change the price", "focus": ["app/cart.py:3"], "exclude": ["tests/"]},
        )

    result = with_client(demo, body)
    paths = [i["path"] for i in result.structured_content["items"]]  # type: ignore[index]
    assert "app/cart.py" in paths and not any(p.startswith("tests/") for p in paths)


def test_expand_symbol_lines_and_whole_file(demo: Path) -> None:
    async def body(client: Client) -> list[CallToolResult]:
        return [
            await client.call_tool("expand", {"path": "app/auth.py", "symbol": "safe_next_url"}),
            await client.call_tool("expand", {"path": "app/auth.py", "symbol": "Session.is_admin"}),
            await client.call_tool("expand", {"path": "app/auth.py", "lines": "1-3"}),
            await client.call_tool("expand", {"path": "web/src/login.ts"}),
        ]

    sym, method, lines, whole = with_client(demo, body)
    source = (demo / "app" / "auth.py").read_text().split("\n")
    assert sym.structured_content == {
        "path": "app/auth.py",
        "lines": [[35, 42]],
        "tokens": sym.structured_content["tokens"],  # type: ignore[index]
        "truncated": False,
    }
    assert "\n".join(source[34:42]) in text(sym)
    assert text(method).count("def is_admin") == 1
    assert method.structured_content["lines"] == [[20, 21]]  # type: ignore[index]
    assert lines.structured_content["lines"] == [[1, 3]]  # type: ignore[index]
    assert text(whole).startswith("## web/src/login.ts (slice, lines 1-18)")


def test_expand_cuts_at_its_budget(demo: Path) -> None:
    body_lines = "".join(f"    total += {n}  # step {n}\n" for n in range(400))
    (demo / "app" / "long.py").write_text(
        f"def long():\n    total = 0\n{body_lines}    return total\n"
    )

    async def body(client: Client) -> CallToolResult:
        return await client.call_tool("expand", {"path": "app/long.py", "budget": 300})

    result = with_client(demo, body)
    meta = result.structured_content
    assert meta is not None and meta["truncated"] is True and meta["tokens"] <= 300
    end = meta["lines"][-1][1]
    assert text(result).rstrip().endswith(f"ask for lines {end + 1}- next")


def test_expand_redacts_like_packs(demo: Path) -> None:
    (demo / "app" / "settings.py").write_text(
        f'"""Settings."""\n\nAWS_ACCESS_KEY_ID = "{KEY}"\nREGION = "eu-west-1"\n'
    )

    async def body(client: Client) -> CallToolResult:
        return await client.call_tool("expand", {"path": "app/settings.py"})

    result = with_client(demo, body)
    assert KEY not in text(result) and "[REDACTED:" in text(result)
    # The redacted line is not claimed as verbatim.
    assert result.structured_content["lines"] == [[1, 2], [4, 4]]  # type: ignore[index]


def test_rules_with_why(demo: Path) -> None:
    async def body(client: Client) -> CallToolResult:
        return await client.call_tool(
            "rules", {"task": "the login redirect", "paths": ["app/auth.py"]}
        )

    result = with_client(demo, body)
    out = text(result)
    assert "## Rule from CLAUDE.md, lines 15-18\nWhy: " in out
    assert "mentions app/auth.py" in out and "safe_next_url" in out
    sections = result.structured_content["sections"]  # type: ignore[index]
    assert sections[0]["path"] == "CLAUDE.md"
    assert sections[0]["section"] == "shopdemo > Login and redirects"


def test_rules_without_rule_files(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("def main():\n    return 1\n")

    async def body(client: Client) -> CallToolResult:
        return await client.call_tool("rules", {"task": "anything"})

    result = with_client(tmp_path, body)
    assert not result.is_error and text(result) == "This repository has no AI rule files."


def test_fuzzed_calls_get_exact_errors_and_the_server_keeps_serving(demo: Path) -> None:
    outside = demo.parent / "outside.txt"
    outside.write_text("SECRET-OUTSIDE\n")
    os.symlink(outside, demo / "app" / "link.py")
    (demo / ".env").write_text(f"AWS_ACCESS_KEY_ID={KEY}\n")
    (demo / "build").mkdir()
    (demo / "build" / "gen.py").write_text("x = 1\n")
    huge = "fix the login " * 1_500_000  # 21 MB

    calls: list[tuple[str, dict[str, Any], str]] = [
        (
            "pack",
            {"task": 5},
            "Error executing tool pack: 1 validation error for packArguments\ntask\n"
            "  Input should be a valid string [type=string_type, input_value=5, input_type=int]",
        ),
        (
            "pack",
            {"task": "x", "budget": "lots"},
            "Error executing tool pack: 1 validation error for packArguments\nbudget\n"
            "  Input should be a valid integer, unable to parse string as an integer "
            "[type=int_parsing, input_value='lots', input_type=str]",
        ),
        (
            "pack",
            {"task": "x", "focus": "app/auth.py"},
            "Error executing tool pack: 1 validation error for packArguments\nfocus\n"
            "  Input should be a valid tuple [type=tuple_type, input_value='app/auth.py', input_type=str]",
        ),
        (
            "pack",
            {},
            "Error executing tool pack: 1 validation error for packArguments\ntask\n"
            "  Field required [type=missing, input_value={}, input_type=dict]",
        ),
        (
            "pack",
            {"task": huge},
            f"Error executing tool pack: 'task' is too long ({len(huge):,} characters; at most 1,000,000)",
        ),
        (
            "pack",
            {"task": "x", "focus": [f"app/f{n}.py" for n in range(5000)]},
            "Error executing tool pack: 'focus' has 5000 entries; at most 64",
        ),
        (
            "pack",
            {"task": "x", "budget": 10},
            "Error executing tool pack: 'budget' 10 is out of range (64 to 2,000,000 tokens)",
        ),
        (
            "pack",
            {"task": "x", "focus": ["../outside.txt"]},
            "Error executing tool pack: 'focus[0]' ../outside.txt: outside the repository",
        ),
        (
            "pack",
            {"task": "x", "focus": ["app/link.py"]},
            "Error executing tool pack: 'focus[0]' app/link.py: outside the repository",
        ),
        (
            "pack",
            {"task": "x", "focus": ["app/nope.py"]},
            "Error executing tool pack: focus file app/nope.py: not in the workspace (missing or excluded)",
        ),
        ("nope", {}, "Unknown tool: nope"),
        (
            "expand",
            {"path": str(outside)},
            f"Error executing tool expand: 'path' {outside}: outside the repository",
        ),
        (
            "expand",
            {"path": "app/link.py"},
            "Error executing tool expand: 'path' app/link.py: outside the repository",
        ),
        (
            "expand",
            {"path": ".env"},
            "Error executing tool expand: 'path' .env: excluded from packs (ignored, a secret "
            "file or generated); `ctxtrim stats --why .env` says which rule",
        ),
        (
            "expand",
            {"path": "build/gen.py"},
            "Error executing tool expand: 'path' build/gen.py: excluded from packs (ignored, a "
            "secret file or generated); `ctxtrim stats --why build/gen.py` says which rule",
        ),
        (
            "expand",
            {"path": "app/missing.py"},
            "Error executing tool expand: 'path' app/missing.py: no such file in the repository",
        ),
        (
            "expand",
            {"path": "app/auth.py", "symbol": "nothing"},
            "Error executing tool expand: 'symbol' nothing: not defined in app/auth.py (defined "
            "there: Session, Session.is_admin, check_password, hash_password, login, logout, "
            "safe_next_url)",
        ),
        (
            "expand",
            {"path": "app/auth.py", "lines": "ten"},
            "Error executing tool expand: 'lines' must look like 40-88 or 40, not 'ten'",
        ),
        (
            "expand",
            {"path": "app/auth.py", "lines": "900-901"},
            "Error executing tool expand: 'lines' 900-901: app/auth.py has 56 lines",
        ),
        (
            "rules",
            {"paths": ["../../etc/passwd"]},
            "Error executing tool rules: 'paths[0]' ../../etc/passwd: outside the repository",
        ),
    ]

    async def body(client: Client) -> list[CallToolResult]:
        out = []
        for name, args, _ in calls:
            out.append(await client.call_tool(name, args))
            # After every bad call, a good one still works.
            good = await client.call_tool("pack", {"task": "login redirect", "budget": 500})
            assert not good.is_error and good.structured_content["tokens"] <= 500  # type: ignore[index]
        return out

    results = with_client(demo, body)
    for (name, args, expected), result in zip(calls, results, strict=True):
        got = error(result)
        # Pydantic's messages end with a link that names its version.
        got = got.split("\n    For further information visit https://errors.pydantic.dev/")[0]
        assert got == expected, (name, list(args), got[:400])
        assert "SECRET-OUTSIDE" not in got and KEY not in got


def test_files_created_changed_and_deleted_between_calls(demo: Path) -> None:
    task = "redeem_gift_voucher rejects a spent voucher"

    async def body(client: Client) -> list[CallToolResult]:
        before = await client.call_tool("pack", {"task": task, "budget": 1500})
        (demo / "app" / "vouchers.py").write_text(
            'def redeem_gift_voucher(code):\n    """Reject a spent voucher."""\n    return code\n'
        )
        created = await client.call_tool("pack", {"task": task, "budget": 1500})
        (demo / "app" / "vouchers.py").unlink()
        deleted = await client.call_tool("pack", {"task": task, "budget": 1500})
        return [before, created, deleted]

    before, created, deleted = with_client(demo, body)
    paths = [[i["path"] for i in r.structured_content["items"]] for r in (before, created, deleted)]  # type: ignore[index]
    assert "app/vouchers.py" not in paths[0]
    assert "app/vouchers.py" in paths[1] and "def redeem_gift_voucher(code):" in text(created)
    assert "app/vouchers.py" not in paths[2]
