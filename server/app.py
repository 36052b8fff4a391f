"""The language server object: pygls plumbing made robust, plus the server's own state."""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter, lsp_method
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage

from ctxtrim import __version__
from ctxtrim.errors import CtxtrimError

from .errors import failed
from .folder import Folder
from .uris import uri_to_path
from .watch import Poller

log = logging.getLogger(__name__)

DEFAULT_INDEX_TIMEOUT = 60.0  # seconds a request waits for a folder's first indexing
PROGRESS_EVERY = 0.2  # seconds between $/progress reports


def converter() -> Any:
    """pygls' converter, except that custom requests get their params as plain JSON values
    (pygls turns them into namedtuples, which mangle keys and hide types we must check)."""
    conv = default_converter()
    conv.register_structure_hook(JsonRPCRequestMessage, lambda obj, cls: cls(**obj))
    conv.register_structure_hook(JsonRPCNotification, lambda obj, cls: cls(**obj))
    return conv


class _Answered:
    """Stands in for a message that was already answered with an error while parsing it."""

    jsonrpc = "answered"


class CtxtrimProtocol(LanguageServerProtocol):
    """LanguageServerProtocol that answers malformed requests instead of dropping them.

    pygls logs a request whose params do not match the LSP schema and sends nothing back,
    which leaves the client waiting forever; here the client gets InvalidParams.
    """

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "id" in data and "method" in data:
                detail = exc.__cause__ or exc
                error = JsonRpcInvalidParams(
                    message=f"invalid params for {data.get('method')}: {detail}"
                )
                self._send_response(data["id"], error=error.to_response_error())
                return _Answered()
            raise

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Answered):
            return
        super().handle_message(message)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        # A change to a document that was never opened cannot be applied; pygls would raise.
        if params.text_document.uri not in self.workspace.text_documents:
            log.warning("didChange for a document that is not open: %s", params.text_document.uri)
            return None
        return (yield from super().lsp_text_document__did_change(params))


class CtxtrimServer(LanguageServer):
    """`ctxtrim serve`: context packs for the open workspace, following the editor's buffers."""

    def __init__(self) -> None:
        super().__init__(
            "ctxtrim",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=CtxtrimProtocol,
            converter_factory=converter,
        )
        self.folders: list[Folder] = []
        # Work that needs no folder queue (rule diagnostics, hovers); never pygls' reader pool.
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ctxtrim-pool")
        self.index_timeout = DEFAULT_INDEX_TIMEOUT
        self.poll_interval = 2.0
        self.warm_cache = True
        self.poller: Poller | None = None
        # Called once a folder is indexed; features register themselves (rules diagnostics).
        self.indexed_hooks: list[Callable[[CtxtrimServer, Folder], None]] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self._tokens = itertools.count(1)
        self._progress_tokens: dict[Path, str] = {}
        self._closed = False

    # ------------------------------------------------------------------ folders
    def open_folders(self, params: types.InitializeParams) -> None:
        """Start indexing every workspace folder (or the root) in the background."""
        options = (
            params.initialization_options if isinstance(params.initialization_options, dict) else {}
        )
        timeout = options.get("indexTimeout")
        if (
            isinstance(timeout, (int, float))
            and not isinstance(timeout, bool)
            and 0 < timeout <= 3600
        ):
            self.index_timeout = float(timeout)
        interval = options.get("pollInterval")
        if (
            isinstance(interval, (int, float))
            and not isinstance(interval, bool)
            and 0.05 <= interval <= 600
        ):
            self.poll_interval = float(interval)
        if options.get("warmCache") is False:
            self.warm_cache = False
        uris = [f.uri for f in params.workspace_folders or []]
        if not uris and params.root_uri:
            uris = [params.root_uri]
        elif not uris and params.root_path:
            uris = [Path(params.root_path).as_uri()]
        for uri in uris:
            path = uri_to_path(uri)
            if path is None:
                log.warning("ignoring workspace folder %s: not a file: URI", uri)
                continue
            self.add_folder(path, uri)

    def add_folder(self, path: Path, uri: str) -> Folder:
        folder = Folder(path, uri, self._progress_sink(path), self.warm_cache)
        self.folders.append(folder)
        return folder

    def remove_folder(self, uri: str) -> None:
        path = uri_to_path(uri)
        for folder in list(self.folders):
            if folder.uri == uri or (path is not None and folder.root == path.resolve()):
                self.folders.remove(folder)
                folder.close()

    def folder_of(self, path: Path) -> Folder | None:
        """The innermost folder containing `path`."""
        best = None
        for folder in self.folders:
            if folder.contains(path) and (
                best is None or len(str(folder.root)) > len(str(best.root))
            ):
                best = folder
        return best

    def locate(self, uri: str) -> tuple[Folder, str] | None:
        """(folder, relative path) for a document URI, or None if it is in no folder."""
        path = uri_to_path(uri)
        if path is None:
            return None
        folder = self.folder_of(path)
        if folder is None:
            return None
        try:
            return folder, folder.relative(path)
        except CtxtrimError:
            return None

    async def ready(self, folder: Folder) -> Any:
        """The folder's Workspace, waiting (bounded) for its first indexing to finish."""
        if not folder.ready.done():
            try:
                await asyncio.wait_for(
                    asyncio.shield(asyncio.wrap_future(folder.ready)), self.index_timeout
                )
            except asyncio.TimeoutError:
                raise failed(
                    f"ctxtrim is still indexing {folder.root} (waited {self.index_timeout:g} s); try again shortly"
                ) from None
        exc = folder.ready.exception()
        if exc is not None:
            raise failed(f"ctxtrim could not open {folder.root}: {exc}")
        return folder.ready.result()

    # ------------------------------------------------------------------ progress
    def _progress_sink(self, root: Path) -> Any:
        """A Workspace.open progress callback that is safe to call from the worker thread."""
        last = [0.0]

        def report(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] < PROGRESS_EVERY or self.loop is None:
                return
            last[0] = now
            self.loop.call_soon_threadsafe(self._report_progress, root, stage, done, total)

        return report

    def _report_progress(self, root: Path, stage: str, done: int, total: int) -> None:
        token = self._progress_tokens.get(root)
        if token is None:
            return
        message = f"{stage} {done:,}/{total:,} files" if total else f"{stage} {done:,} files"
        pct = int(100 * done / total) if total else None
        self.work_done_progress.report(
            token, types.WorkDoneProgressReport(message=message, percentage=pct)
        )

    async def start_progress(self) -> None:
        """Show indexing progress for each folder (window/workDoneProgress/create, $/progress)."""
        window = self.client_capabilities.window
        supported = bool(window and window.work_done_progress)
        for folder in self.folders:
            token = f"ctxtrim/index/{next(self._tokens)}"
            # Even a folder indexed by now gets its begin and end: whether a small folder
            # beat this handshake is a race, and the end says how many files and how long.
            if supported:
                try:
                    await asyncio.wait_for(self.work_done_progress.create_async(token), 5)
                except Exception:  # noqa: BLE001 - a client that refuses still gets a pack
                    log.info("client did not create progress token %s", token)
                else:
                    self._progress_tokens[folder.root] = token
                    self.work_done_progress.begin(
                        token,
                        types.WorkDoneProgressBegin(
                            title="ctxtrim: indexing", message=folder.name, percentage=0
                        ),
                    )
            folder.ready.add_done_callback(functools.partial(self.when_indexed, folder))

    def when_indexed(self, folder: Folder, _done: object = None) -> None:
        """A folder's indexing ended (on its worker thread): report it on the event loop."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._indexed, folder)

    def _indexed(self, folder: Folder) -> None:
        exc = folder.ready.exception()
        ws = folder.workspace()
        if exc is not None or ws is None:
            message = f"could not index {folder.root}: {exc}"
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Error, message=f"ctxtrim: {message}")
            )
        else:
            message = f"{ws.index.file_count:,} files indexed in {folder.elapsed or 0:.1f} s"
        self.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Info, message=f"ctxtrim: {folder.root}: {message}"
            )
        )
        token = self._progress_tokens.pop(folder.root, None)
        if token is not None:
            self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))
        if exc is None:
            for hook in self.indexed_hooks:
                hook(self, folder)

    # ------------------------------------------------------------------ watching
    def start_watching(self) -> None:
        """Ask the client to watch files for us; if it cannot, poll."""
        ws_caps = self.client_capabilities.workspace
        watched = ws_caps.did_change_watched_files if ws_caps else None
        if watched is not None and watched.dynamic_registration:
            registration = types.Registration(
                id="ctxtrim-watch",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern="**/*")]
                ),
            )
            self.client_register_capability(types.RegistrationParams(registrations=[registration]))
            return
        self.poller = Poller(lambda: list(self.folders), self.poll_interval)
        self.poller.start()

    # ------------------------------------------------------------------ shutdown
    def close(self) -> None:
        """Stop the watcher and the executors (shutdown, exit, or the connection closing)."""
        if self._closed:
            return
        self._closed = True
        if self.poller is not None:
            self.poller.stop()
        for folder in self.folders:
            folder.close()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        self.close()
        # pygls would wait for its reader thread, which may sit in a blocking stdin read.
        if self._thread_pool is not None:
            self._thread_pool.shutdown(wait=False, cancel_futures=True)
            self._thread_pool = None
        super().shutdown()
