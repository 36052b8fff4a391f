"""`ctxtrim/pack`: resolve the request against a folder, run the core's pack on the folder's
worker, and return the JSON contract (or rendered text)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctxtrim.errors import CtxtrimError
from ctxtrim.render import as_dict, render
from ctxtrim.task import Task

from .errors import failed, invalid
from .folder import Folder
from .params import FocusRef, PackParams, parse_pack_params
from .uris import uri_to_path

if TYPE_CHECKING:
    from .app import CtxtrimServer


async def pack(server: CtxtrimServer, raw: Any) -> dict[str, Any]:
    """Answer one pack request. Errors are JSON-RPC errors whose message names the bad input."""
    req = parse_pack_params(raw)
    folder = _folder_for(server, req)
    await server.ready(folder)
    explicit = [_resolve(folder, ref) for ref in req.focus if not _is_default(req, ref)]
    default = None
    if req.document is not None and req.focus and _is_default(req, req.focus[0]):
        try:
            default = _resolve(folder, req.focus[0])
        except Exception:  # noqa: BLE001 - the active document may be outside; then no focus
            default = None
    job = folder.submit(_run, folder, req, tuple(explicit), default)
    try:
        return await asyncio.wrap_future(job)
    except CtxtrimError as exc:
        raise invalid(str(exc)) from None


def _is_default(req: PackParams, ref: FocusRef) -> bool:
    return (
        req.document is not None and ref.is_uri and ref.path == req.document and len(req.focus) == 1
    )


def _folder_for(server: CtxtrimServer, req: PackParams) -> Folder:
    if not server.folders:
        raise failed(
            "no workspace folder is open: start the client with a root directory or workspace folder"
        )
    if req.root is not None:
        path = uri_to_path(req.root) if req.root.startswith("file:") else Path(req.root)
        if path is None or not path.is_absolute():
            raise invalid(f"'root' must be a file: URI or an absolute path, not {req.root!r}")
        for folder in server.folders:
            if folder.root == path.resolve():
                return folder
        raise invalid(f"'root' {req.root} is not one of the workspace folders")
    for ref in req.focus:
        path = uri_to_path(ref.path) if ref.is_uri else Path(ref.path)
        if path is not None and path.is_absolute():
            found = server.folder_of(path)
            if found is not None:
                return found
    return server.folders[0]


def _resolve(folder: Folder, ref: FocusRef) -> tuple[str, int | None]:
    """A focus entry as the core's "rel[:line]"; InvalidParams for anything outside the folder."""
    if ref.is_uri:
        path = uri_to_path(ref.path)
        if path is None:
            raise invalid(f"focus {ref.path!r} is not a file: URI")
    else:
        path = Path(ref.path)
    try:
        rel = folder.relative(path)
    except (CtxtrimError, OSError, ValueError) as exc:
        raise invalid(f"focus: {exc}") from None
    if rel in ("", "."):
        raise invalid(f"focus {ref.path}: is the workspace folder itself, not a file")
    return rel, ref.line


def _run(
    folder: Folder,
    req: PackParams,
    explicit: tuple[tuple[str, int | None], ...],
    default: tuple[str, int | None] | None,
) -> dict[str, Any]:
    """On the folder's worker: every earlier edit has been applied."""
    ws = folder.filtered(req.include, req.exclude)
    points = list(explicit)
    if default is not None and default[0] in ws.index:  # else: an excluded or new file
        points.insert(0, default)
    focus = tuple(f"{rel}:{line}" if line else rel for rel, line in points)
    # Rule sections come from unsaved buffers too: the workspace's overlays hold them.
    result = ws.pack(Task(req.task, focus=focus), req.budget, req.fmt, req.explain)
    if req.fmt == "json":
        return as_dict(result)
    return {
        "format": req.fmt,
        "text": render(result, req.fmt),
        "tokens": result.tokens,
        "budget": result.budget,
        "root": result.root,
    }
