"""LSP wiring: which notification or request does what. The work itself lives elsewhere."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import unquote

from lsprotocol import types

from ctxtrim.scan import IGNORE_FILES

from . import packs, rules
from .app import CtxtrimServer
from .errors import invalid
from .uris import uri_to_path

log = logging.getLogger(__name__)

PACK_METHOD = "ctxtrim/pack"
STATUS_METHOD = "ctxtrim/status"
PACK_COMMAND = "ctxtrim.pack"

_ALL_FILES = types.FileOperationRegistrationOptions(
    filters=[
        types.FileOperationFilter(pattern=types.FileOperationPattern(glob="**/*"), scheme="file")
    ]
)


def register(server: CtxtrimServer) -> None:
    """Attach every handler to `server`."""

    # ------------------------------------------------------------------ lifecycle
    @server.feature(types.INITIALIZE)
    def initialize(ls: CtxtrimServer, params: types.InitializeParams) -> None:
        ls.loop = asyncio.get_running_loop()
        ls.open_folders(params)  # returns at once; indexing runs on each folder's worker

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CtxtrimServer, params: types.InitializedParams) -> None:
        ls.start_watching()
        await ls.start_progress()

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: CtxtrimServer, params: Any) -> None:
        ls.close()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls: CtxtrimServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        for removed in params.event.removed or []:
            ls.remove_folder(removed.uri)
        for added in params.event.added or []:
            path = uri_to_path(added.uri)
            if path is not None and all(f.root != path.resolve() for f in ls.folders):
                folder = ls.add_folder(path, added.uri)
                folder.ready.add_done_callback(
                    lambda _f, folder=folder: (
                        ls.loop and ls.loop.call_soon_threadsafe(ls._indexed, folder)
                    )
                )

    # ------------------------------------------------------------------ buffers
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CtxtrimServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        _set_buffer(ls, doc.uri, doc.text)
        rules.on_change(ls, doc.uri, immediate=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CtxtrimServer, params: types.DidChangeTextDocumentParams) -> None:
        # pygls has applied the (full or incremental) changes to its copy; index the result.
        text = buffer_text(ls, params.text_document.uri)
        if text is not None:
            _set_buffer(ls, params.text_document.uri, text)
            rules.on_change(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: CtxtrimServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        text = params.text if params.text is not None else buffer_text(ls, uri)
        if text is not None:
            _set_buffer(ls, uri, text)
        else:
            _sync(ls, [uri])
        rules.on_change(ls, uri, immediate=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CtxtrimServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        where = ls.locate(uri)
        if where is not None:
            folder, rel = where
            folder.close_buffer(rel)
        rules.on_close(ls, uri)

    # ------------------------------------------------------------------ files on disk
    @server.feature(types.WORKSPACE_DID_CREATE_FILES, _ALL_FILES)
    def did_create(ls: CtxtrimServer, params: types.CreateFilesParams) -> None:
        _sync(ls, [f.uri for f in params.files])

    @server.feature(types.WORKSPACE_DID_DELETE_FILES, _ALL_FILES)
    def did_delete(ls: CtxtrimServer, params: types.DeleteFilesParams) -> None:
        _sync(ls, [f.uri for f in params.files])

    @server.feature(types.WORKSPACE_DID_RENAME_FILES, _ALL_FILES)
    def did_rename(ls: CtxtrimServer, params: types.RenameFilesParams) -> None:
        _sync(ls, [uri for f in params.files for uri in (f.old_uri, f.new_uri)])

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: CtxtrimServer, params: types.DidChangeWatchedFilesParams) -> None:
        _sync(ls, [change.uri for change in params.changes])

    # ------------------------------------------------------------------ packs
    @server.feature(PACK_METHOD)
    async def pack_request(ls: CtxtrimServer, params: Any) -> dict[str, Any]:
        return await packs.pack(ls, params)

    @server.command(PACK_COMMAND)
    async def pack_command(ls: CtxtrimServer, *args: Any) -> dict[str, Any]:
        if len(args) > 1:
            raise invalid(
                f"{PACK_COMMAND} takes one argument, the pack parameters object (got {len(args)})"
            )
        return await packs.pack(ls, args[0] if args else None)

    @server.feature(STATUS_METHOD)
    def status(ls: CtxtrimServer, params: Any) -> dict[str, Any]:
        out = []
        for folder in ls.folders:
            ws = folder.workspace()
            entry: dict[str, Any] = {
                "root": str(folder.root),
                "state": folder.state,
                "warming": folder.warming,
            }
            if ws is not None:
                entry["files"] = ws.index.file_count
                entry["seconds"] = round(folder.elapsed or 0.0, 3)
            elif folder.state == "failed":
                entry["error"] = str(folder.ready.exception())
            out.append(entry)
        return {"folders": out, "watching": "poll" if ls.poller else "client"}

    rules.register(server)


def buffer_text(ls: CtxtrimServer, uri: str) -> str | None:
    """The text of an open document as pygls holds it; None if the document is not open."""
    doc = ls.workspace.text_documents.get(unquote(uri))
    return doc.source if doc is not None else None


def _set_buffer(ls: CtxtrimServer, uri: str, text: str) -> None:
    where = ls.locate(uri)
    if where is not None:
        folder, rel = where
        folder.set_text(rel, text)


def _sync(ls: CtxtrimServer, uris: list[str]) -> None:
    """Files changed on disk: update the index for those paths only."""
    touched = {}
    for uri in uris:
        where = ls.locate(uri)
        if where is None:
            continue
        folder, rel = where
        if rel.rpartition("/")[2] in IGNORE_FILES:
            folder.forget_ignore_rules()
        folder.sync(rel)
        touched[folder.root] = folder
    for folder in touched.values():
        rules.on_files_changed(ls, folder)
