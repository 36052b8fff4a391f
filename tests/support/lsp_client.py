"""The client side of the language server tests: start `ctxtrim serve`, open documents, wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar, cast

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import register_lsp_features

from .lsp import plain_converter, server_command, server_env

T = TypeVar("T")
TIMEOUT = 30.0  # no single wait may hang CI


async def bounded(aw: Awaitable[T], timeout: float = TIMEOUT) -> T:
    return await asyncio.wait_for(aw, timeout)


def capabilities(progress: bool = True, watch: bool = True) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=progress),
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=watch
            ),
            file_operations=types.FileOperationClientCapabilities(
                did_create=True, did_delete=True, did_rename=True
            ),
        ),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(),
        ),
    )


def new_client() -> LanguageClient:
    client = LanguageClient(converter_factory=plain_converter)
    register_lsp_features(client)
    client.registrations = []  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)  # type: ignore[untyped-decorator]
    def register_capability(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    return client


async def start(
    root: Path, cache: Path, options: dict[str, Any] | None = None, **caps: bool
) -> LanguageClient:
    config = ClientServerConfig(
        server_command=server_command(), client_factory=new_client, server_env=server_env(cache)
    )
    client = cast(LanguageClient, await bounded(config.start()))
    await bounded(
        client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities(**caps),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
                initialization_options=options or {},
            )
        )
    )
    return client


async def stop(client: LanguageClient) -> None:
    try:
        await bounded(client.shutdown_session(), 15)
    finally:
        await client.stop()


def open_doc(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(
                uri=uri,
                language_id="python",
                version=version,
                text=path.read_text() if text is None else text,
            )
        )
    )
    return uri


async def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)
