"""The language server shows `ctxtrim check`'s MCP config diagnostics on the config files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import make_repo
from tests.test_server import open_doc, start, stop, wait_until

TOKEN = "ghp_" + "16C7e42F292c6912E7710c838347Ae178B4a"  # split: not a secret in this file


@pytest.mark.asyncio
async def test_mcp_config_diagnostics_follow_the_buffer(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    config = repo / ".mcp.json"
    leaked = {"mcpServers": {"github": {"command": "npx", "env": {"GITHUB_TOKEN": TOKEN}}}}
    config.write_text(json.dumps(leaked, indent=2))
    client: LanguageClient = await start(repo, tmp_path / "cache")
    try:
        uri = open_doc(client, config)

        def found() -> list[types.Diagnostic]:
            return list(client.diagnostics.get(uri, []))

        await wait_until(lambda: any(d.code == "CTX602" for d in found()))
        secret = next(d for d in found() if d.code == "CTX602")
        assert secret.severity == types.DiagnosticSeverity.Error
        assert secret.range.start.line == 5  # the line holding the token (0-based)
        assert secret.message.startswith(
            "a credential (github-token) is written into this MCP config"
        )
        assert TOKEN not in secret.message

        # Replace the token with a reference, unsaved: the error goes as the user types.
        fixed = json.dumps(
            {
                "mcpServers": {
                    "github": {"command": "npx", "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}}
                }
            }
        )
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
            )
        )
        await wait_until(lambda: uri in client.diagnostics and not found())
        assert config.read_text() == json.dumps(leaked, indent=2)  # the file is never rewritten
    finally:
        await stop(client)
