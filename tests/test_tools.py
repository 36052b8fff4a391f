"""`ctxtrim tools` and `ctxtrim check` on MCP configs: discovery of every client's config
shape, reference expansion, tool selection, snippets and check findings. Only two tests start
a server (test_tools_connect.py measures the real ones). HOME always points at a temporary
folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ctxtrim.cli import main
from ctxtrim.rules.settings import CheckSettings
from ctxtrim.toolcost.discover import discover, strip_jsonc
from ctxtrim.toolcost.expand import launch
from ctxtrim.toolcost.findings import check_mcp
from ctxtrim.toolcost.model import ToolDef
from ctxtrim.toolcost.select import select
from ctxtrim.toolcost.store import Store, config_key, folder_for

GITHUB_TOKEN = "ghp_" + "16C7e42F292c6912E7710c838347Ae178B4a"  # split: not a secret in this file


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("CTXTRIM_CACHE_DIR", str(tmp_path / "cache"))
    return folder


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ discovery


def test_every_client_shape_project_and_user(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "repo"
    write(
        root,
        ".mcp.json",
        json.dumps({"mcpServers": {"time": {"command": "uvx", "args": ["mcp-server-time"]}}}),
    )
    write(
        root,
        ".vscode/mcp.json",
        '{\n  // VS Code allows comments\n  "inputs": [{"type": "promptString", "id": "key", "password": true}],\n'
        '  "servers": {\n    "git": {"type": "stdio", "command": "uvx", "args": ["mcp-server-git",],},\n'
        '    "api": {"type": "sse", "url": "https://example.com/sse"}, /* remote */\n  },\n}\n',
    )
    write(root, ".cursor/mcp.json", '{"mcpServers": {"docs": {"url": "https://example.com/mcp"}}}')
    write(
        root,
        ".codex/config.toml",
        '[mcp_servers.time]\ncommand = "uvx"\nargs = ["mcp-server-time"]\n'
        'enabled_tools = ["convert_time"]\n\n[mcp_servers.off]\ncommand = "x"\nenabled = false\n',
    )
    write(
        root,
        ".gemini/settings.json",
        json.dumps(
            {
                "mcpServers": {
                    "stream": {"httpUrl": "https://example.com/mcp"},
                    "events": {"url": "https://example.com/sse"},
                    "local": {"command": "node", "args": ["s.js"], "excludeTools": ["rm"]},
                }
            }
        ),
    )
    write(
        home,
        ".claude.json",
        json.dumps(
            {
                "mcpServers": {"mine": {"type": "stdio", "command": "my-server"}},
                "projects": {
                    str(root): {"mcpServers": {"local-only": {"command": "only-here"}}},
                    "/elsewhere": {"mcpServers": {"other": {"command": "not-for-this-repo"}}},
                },
            },
            indent=2,
        ),
    )
    write(
        home,
        ".codeium/windsurf/mcp_config.json",
        '{"mcpServers": {"wind": {"serverUrl": "https://w.example/mcp"}}}',
    )
    write(
        home, ".cursor/mcp.json", '{"mcpServers": {"global": {"command": "g", "disabled": true}}}'
    )

    found = discover(root, home)

    seen = {(s.client, s.name): s for s in found.servers}
    assert sorted(seen) == [
        ("claude-code", "local-only"),
        ("claude-code", "mine"),
        ("claude-code", "time"),
        ("codex", "time"),
        ("cursor", "docs"),
        ("gemini", "events"),
        ("gemini", "local"),
        ("gemini", "stream"),
        ("vscode", "api"),
        ("vscode", "git"),
        ("windsurf", "wind"),
    ]
    assert found.problems == []
    assert seen[("vscode", "git")].args == ("mcp-server-git",)
    assert (
        seen[("vscode", "git")].source == ".vscode/mcp.json" and seen[("vscode", "git")].line == 5
    )
    assert seen[("vscode", "api")].transport == "sse"
    assert seen[("cursor", "docs")].transport == "http"
    assert seen[("gemini", "stream")].transport == "http"
    assert seen[("gemini", "events")].transport == "sse"
    assert seen[("gemini", "local")].exclude_tools == ("rm",)
    assert seen[("codex", "time")].include_tools == ("convert_time",)
    assert seen[("codex", "time")].line == 1
    assert (
        seen[("windsurf", "wind")].remote
        and seen[("windsurf", "wind")].url == "https://w.example/mcp"
    )
    assert seen[("claude-code", "local-only")].source == "~/.claude.json"
    assert not seen[("claude-code", "mine")].project


def test_jsonc_keeps_line_numbers() -> None:
    text = '{\n  // a comment, "quoted"\n  "a": "x // not a comment",\n  /* two\n lines */ "b": [1,],\n}\n'
    stripped = strip_jsonc(text)
    assert json.loads(stripped) == {"a": "x // not a comment", "b": [1]}
    assert stripped.count("\n") == text.count("\n")


def test_malformed_configs_are_findings(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    write(root, ".mcp.json", '{\n  "mcpServers": {\n    "a": {"command": "x",}\n  }\n}\n')
    write(root, ".codex/config.toml", "[mcp_servers.a\ncommand = 1\n")
    write(
        root,
        ".cursor/mcp.json",
        '{"mcpServers": {"a": {"args": ["x"]}, "b": {"command": "y", "args": "z"}}}',
    )
    write(root, ".gemini/settings.json", '{"mcpServers": []}')

    code, out, err = run(capsys, "tools", str(root), "--format", "json")
    assert code == 0 and err == ""
    warnings = json.loads(out)["warnings"]
    assert warnings == [
        ".mcp.json:3: invalid JSON: Expecting property name enclosed in double quotes (line 3 column 26)",
        ".cursor/mcp.json:1: server `a` has neither `command` nor a URL",
        ".cursor/mcp.json:1: server `b`: `args` must be a list of strings",
        ".codex/config.toml:1: invalid TOML: Expected ']' at the end of a table declaration (at line 1, column 15)",
        ".gemini/settings.json:1: `mcpServers` is not an object",
    ]

    code, out, _ = run(capsys, "check", str(root))
    assert code == 1
    assert ".mcp.json:3:1: error: CTX601 mcp-config-invalid: invalid JSON" in out
    assert (
        ".gemini/settings.json:1:1: error: CTX601 mcp-config-invalid: `mcpServers` is not an object"
        in out
    )


# ------------------------------------------------------------------ references


def test_references_expand_as_each_client_does(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "repo"
    write(
        root,
        ".mcp.json",
        json.dumps(
            {
                "mcpServers": {
                    "s": {
                        "command": "${BIN}/srv",
                        "args": ["${MODE:-fast}", "${UNSET_X}", "$BIN"],
                        "env": {"K": "${BIN}"},
                    }
                }
            }
        ),
    )
    write(
        root,
        ".cursor/mcp.json",
        json.dumps(
            {
                "mcpServers": {
                    "s": {
                        "command": "srv",
                        "args": ["${env:BIN}", "${workspaceFolder}/x", "${userHome}"],
                    }
                }
            }
        ),
    )
    write(
        root,
        ".vscode/mcp.json",
        json.dumps({"servers": {"s": {"command": "srv", "env": {"KEY": "${input:api-key}"}}}}),
    )
    write(
        root,
        ".gemini/settings.json",
        json.dumps({"mcpServers": {"s": {"command": "srv", "args": ["$BIN", "${BIN}"]}}}),
    )
    write(
        root,
        ".codex/config.toml",
        '[mcp_servers.s]\ncommand = "srv"\nargs = ["${BIN}"]\nenv_vars = ["BIN", "NOPE"]\n',
    )
    environ = {"BIN": "/opt/bin"}
    got = {s.client: launch(s, root, home, environ) for s in discover(root).servers}

    assert got["claude-code"].command == "/opt/bin/srv"
    assert got["claude-code"].args == ["fast", "${UNSET_X}", "$BIN"]
    assert got["claude-code"].env == {"K": "/opt/bin"}
    assert got["claude-code"].unresolved == ["UNSET_X"]
    assert got["cursor"].args == ["/opt/bin", f"{root}/x", str(home)]
    assert got["vscode"].unresolved == ["input:api-key"]
    assert got["gemini"].args == ["/opt/bin", "/opt/bin"]
    assert got["codex"].args == ["${BIN}"]  # Codex takes values literally
    assert got["codex"].env == {"BIN": "/opt/bin"} and got["codex"].unresolved == ["NOPE"]
    assert got["codex"].cwd == str(root)


# ------------------------------------------------------------------ nothing starts


def test_without_connect_no_server_starts(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    marker = tmp_path / "started"
    script = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('x')"
    write(
        root,
        ".mcp.json",
        json.dumps({"mcpServers": {"touch": {"command": sys.executable, "args": ["-c", script]}}}),
    )
    write(
        root,
        ".vscode/mcp.json",
        json.dumps({"servers": {"touch": {"command": sys.executable, "args": ["-c", script]}}}),
    )

    for argv in (
        ["tools", str(root)],
        ["tools", str(root), "what time is it", "--format", "json"],
        ["check", str(root)],
    ):
        run(capsys, *argv)
        assert not marker.exists(), argv

    code, out, _ = run(
        capsys, "tools", str(root), "--connect", "--timeout", "5", "--format", "json"
    )
    assert code == 0 and marker.exists()  # the same config does run its command when asked to
    server = json.loads(out)["servers"][0]
    assert server["status"] == "error" and server["clients"] == ["claude-code", "vscode"]
    assert server["error"] == "the server closed the connection before listing its tools"


def test_bad_arguments_are_one_line_errors(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "tools", str(tmp_path), "--timeout", "0")
    assert code == 2 and err == "ctxtrim: --timeout must be more than 0 seconds, got 0\n"
    code, _, err = run(capsys, "tools", str(tmp_path / "missing"), "a task")
    assert code == 2 and err == f"ctxtrim: no such file or directory: {tmp_path / 'missing'}\n"


# ------------------------------------------------------------------ selection


def tool(name: str, description: str, **params: str) -> ToolDef:
    schema = {
        "type": "object",
        "properties": {k: {"type": "string", "description": v} for k, v in params.items()},
    }
    return ToolDef(name, description, schema, 50)


def test_selection_keeps_companions_and_drops_prefix_kin() -> None:
    time_tools = [
        tool(
            "get_current_time",
            "Get current time in a specific timezone",
            timezone="IANA timezone name",
        ),
        tool(
            "convert_time",
            "Convert time between timezones",
            source_timezone="Source IANA timezone",
            time="Time to convert in 24-hour format",
            target_timezone="Target IANA timezone",
        ),
    ]
    git_tools = [
        tool(
            f"git_{verb}",
            f"{verb.capitalize()}s the repository",
            repo_path="Path to the Git repository",
        )
        for verb in ("status", "log", "commit", "diff", "show", "add", "reset")
    ]
    metrics = [
        tool(f"{v}_metric", "Query dashboards and time series of application metrics")
        for v in ("create", "list", "delete")
    ]
    pairs = [(0, t) for t in time_tools] + [(1, t) for t in git_tools] + [(2, t) for t in metrics]

    chosen = [
        s.tool.name
        for s in select("what time is it in Tokyo when it is 9am in Paris", pairs)
        if s.selected
    ]
    assert sorted(chosen) == ["convert_time", "get_current_time"]

    chosen = [s.tool.name for s in select("read the git log history", pairs) if s.selected]
    assert chosen == [
        "git_log"
    ]  # `git` is on every tool of that server: not a reason to keep them all

    assert not any(s.selected for s in select("bake a sourdough loaf", pairs))


# ------------------------------------------------------------------ check


def test_check_fails_on_a_github_token_without_printing_it(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    write(
        root,
        ".mcp.json",
        json.dumps(
            {
                "mcpServers": {
                    "github": {
                        "command": "npx",
                        "args": ["-y", "@github/mcp"],
                        "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": GITHUB_TOKEN},
                    }
                }
            },
            indent=2,
        ),
    )
    code, out, err = run(capsys, "check", str(root))
    assert code == 1
    assert (
        "repo/.mcp.json:10:42: error: CTX602 mcp-secret: a credential (github-token) is written into this MCP config"
        in out
    )
    assert "`${NAME}` in .mcp.json" in out
    assert GITHUB_TOKEN not in out + err and GITHUB_TOKEN[4:] not in out + err

    code, out, err = run(capsys, "check", str(root), "--format", "json")
    assert code == 1 and GITHUB_TOKEN not in out + err
    assert [d["code"] for d in json.loads(out)["results"][0]["diagnostics"]] == ["CTX602"]


def test_check_credential_names_references_and_placeholders(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "repo"
    write(
        root,
        ".cursor/mcp.json",
        "{\n"
        '  "mcpServers": {\n'
        '    "db": {\n'
        '      "command": "db-mcp",\n'
        '      "args": ["--api-key", "hunter2hunter2", "--verbose"],\n'
        '      "env": {\n'
        '        "DB_PASSWORD": "correct horse",\n'
        '        "API_TOKEN": "${env:API_TOKEN}",\n'
        '        "SECRET_KEY": "<your secret key>",\n'
        '        "TOKEN_FILE": "/run/token"\n'
        "      }\n"
        "    },\n"
        '    "remote": {"url": "https://x.example/mcp", "headers": {"Authorization": "Bearer s3cr3tvalue"}}\n'
        "  }\n"
        "}\n",
    )
    found = check_mcp(root, CheckSettings())
    assert [(d.line, d.col, d.code, d.message) for d in found] == [
        (5, 29, "CTX602", "server `db`: argument `--api-key` holds a literal credential"),
        (7, 9, "CTX602", "server `db`: env `DB_PASSWORD` holds a literal credential"),
        (13, 60, "CTX602", "server `remote`: header `Authorization` holds a literal credential"),
    ]
    assert all(
        "hunter2" not in d.message + d.hint and "correct horse" not in d.message + d.hint
        for d in found
    )
    assert check_mcp(root, CheckSettings(disable=("mcp-secret",))) == []


def test_check_conflicts_limits_and_tokens_from_the_cache(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "repo"
    write(root, ".mcp.json", json.dumps({"mcpServers": {"big": {"command": "big-server"}}}))
    write(
        root,
        ".cursor/mcp.json",
        json.dumps({"mcpServers": {"big": {"command": "big-server", "args": ["--all"]}}}),
    )
    found = check_mcp(root, CheckSettings())
    assert [(d.path, d.code, d.severity, d.message) for d in found] == [
        (
            ".cursor/mcp.json",
            "CTX603",
            "warning",
            "server `big` is started as `big-server --all` here but as `big-server` in .mcp.json:1",
        ),
    ]

    # A measurement of the Cursor entry, as `ctxtrim tools --connect` caches it: 45 tools.
    cursor = next(s for s in discover(root).servers if s.client == "cursor")
    key = config_key(cursor, launch(cursor, root, home), "cl100k_base")
    Store(folder_for(root)).put(key, "big", [ToolDef(f"t{i}", "d", {}, 500) for i in range(45)])
    codes = [
        (d.code, d.message)
        for d in check_mcp(root, CheckSettings())
        if d.path == ".cursor/mcp.json"
    ]
    assert codes == [
        (
            "CTX603",
            "server `big` is started as `big-server --all` here but as `big-server` in .mcp.json:1",
        ),
        ("CTX604", "Cursor loads 45 tools from this file's servers; it works with at most 40"),
        (
            "CTX605",
            "the tool definitions of this file's servers cost 22,500 tokens in every Cursor request (over 20,000)",
        ),
    ]
    assert not any(
        d.code == "CTX605" for d in check_mcp(root, CheckSettings(mcp_tokens_warning=30_000))
    )


def test_snippets_per_tool_where_the_client_filters_tools(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """From cached measurements (nothing started): Codex and Gemini get per-tool filters,
    Claude Code whole servers; the report counts what the rest costs."""
    root = tmp_path / "repo"
    write(
        root,
        ".codex/config.toml",
        '[mcp_servers.time]\ncommand = "time-server"\n\n[mcp_servers.git]\ncommand = "git-server"\n',
    )
    write(
        root,
        ".gemini/settings.json",
        json.dumps(
            {"mcpServers": {"time": {"command": "time-server"}, "git": {"command": "git-server"}}}
        ),
    )
    write(
        root,
        ".mcp.json",
        json.dumps(
            {"mcpServers": {"time": {"command": "time-server"}, "git": {"command": "git-server"}}}
        ),
    )
    store = Store(folder_for(root))
    measured = {
        "time": [
            tool("get_current_time", "Get current time in a specific timezone"),
            tool("convert_time", "Convert time between timezones"),
        ],
        "git": [
            tool("git_status", "Shows the working tree status"),
            tool("git_log", "Shows the commit logs"),
        ],
    }
    for server in discover(root).servers:
        store.put(
            config_key(server, launch(server, root, home), "cl100k_base"),
            server.name,
            measured[server.name],
        )

    code, out, _ = run(
        capsys,
        "tools",
        str(root),
        "what time is it in Tokyo when it is 9am in Paris",
        "--format",
        "json",
    )
    assert code == 0
    report = json.loads(out)
    assert [s["status"] for s in report["servers"]] == ["not-connected", "not-connected"]
    assert report["tokens"] == 200 and report["selected_tokens"] == 100
    snippets = {c["id"]: c["snippet"] for c in report["clients"]}
    assert snippets == {
        "claude-code": "keep servers: time\nremove or disable: git",
        "codex": '[mcp_servers.time]\nenabled_tools = ["get_current_time", "convert_time"]\n\n[mcp_servers.git]\nenabled = false',
        "gemini": json.dumps(
            {
                "mcpServers": {"time": {"includeTools": ["get_current_time", "convert_time"]}},
                "mcp": {"excluded": ["git"]},
            },
            indent=2,
        ),
    }

    code, out, _ = run(
        capsys, "tools", str(root), "what time is it in Tokyo when it is 9am in Paris"
    )
    assert "keep 2 of 4 tools (100 tokens); the other 2 cost 100 tokens per request" in out


def test_hostile_configs_do_not_crash(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "repo"
    write(root, ".mcp.json", "[" * 100_000)
    write(
        root,
        ".cursor/mcp.json",
        '{"mcpServers": {"a": {"command": "x", "args": [' + "9" * 5000 + "]}}}",
    )
    (root / ".vscode").mkdir()
    (root / ".vscode" / "mcp.json").mkdir()  # a folder where a file should be
    write(root, ".gemini/settings.json", "\x00\xff binary")
    outside = write(tmp_path, "elsewhere.json", '{"mcpServers": {"leak": {"command": "x"}}}')
    (root / ".codex").mkdir()
    (root / ".codex" / "config.toml").symlink_to(outside)  # a link out of the repository
    found = discover(root)
    assert found.servers == []
    assert [(p.source, p.message) for p in found.problems] == [
        (".mcp.json", "invalid JSON: nested too deeply or a value out of range"),
        (".cursor/mcp.json", "invalid JSON: nested too deeply or a value out of range"),
        (".gemini/settings.json", "invalid JSON: Expecting value (line 1 column 1)"),
    ]


def test_a_bare_command_is_found_beside_the_running_python(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`"command": "mcp-server-time"` works from an unactivated virtual environment."""
    root = tmp_path / "repo"
    write(root, ".mcp.json", json.dumps({"mcpServers": {"time": {"command": "mcp-server-time"}}}))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    code, out, _ = run(capsys, "tools", str(root), "--connect", "--format", "json")
    assert code == 0
    server = json.loads(out)["servers"][0]
    assert server["status"] == "ok" and len(server["tools"]) == 2


def test_companions_come_before_weaker_matches() -> None:
    """Six close matches on another server cannot push out the time server's pair."""
    pairs = [
        (0, tool("convert_time", "Convert time between timezones", time="Time to convert")),
        (0, tool("get_current_time", "Get current time in a specific timezone")),
    ] + [
        (1, tool(f"convert_{kind}_time", f"Convert tracked time into {kind} invoices"))
        for kind in ("billable", "overtime", "idle", "travel", "meeting", "leave")
    ]
    chosen = [
        s.tool.name for s in select("convert the time from Paris to Tokyo", pairs) if s.selected
    ]
    assert "convert_time" in chosen and "get_current_time" in chosen and len(chosen) <= 6
