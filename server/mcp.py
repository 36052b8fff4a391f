"""`ctxtrim mcp`: the MCP server (official `mcp` SDK, stdio) that AI coding agents call.

Three read-only tools, kept small because every definition is sent with every request:
`pack` (a ranked, budgeted context pack), `expand` (the verbatim code a pack cut) and `rules`
(the rule sections that apply). One warm Workspace serves every call: it is the language
server's `Folder` (opened in the background, with its worker queue and cache warmer), and
before each call the language server's `Poller` runs one round, so files changed on disk
since the last call are re-indexed, one by one, before the call is answered.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field
from pygls.exceptions import JsonRpcException

from ctxtrim import __version__
from ctxtrim.config import DEFAULT_BUDGET
from ctxtrim.errors import CtxtrimError
from ctxtrim.expand import DEFAULT_EXPAND_BUDGET, expand
from ctxtrim.pack import Item
from ctxtrim.render import item_block, render
from ctxtrim.scan import directory
from ctxtrim.task import Task
from ctxtrim.workspace import Workspace

from .folder import Folder
from .logs import configure
from .params import MAX_TASK_CHARS, FocusRef, parse_pack_params
from .watch import Poller

log = logging.getLogger(__name__)
T = TypeVar("T")

RULES_BUDGET = 4000  # tokens of rule sections the `rules` tool returns at most
MAX_PATHS = 64
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
# What the model reads about each tool (sent with every request: every word counts).
PACK_DOC = (
    "The repository's code and rules most relevant to a task, ranked and trimmed to a token "
    "budget: whole files, or the relevant definitions verbatim with the rest cut (⋮). "
    "Call it first, with the task's full text."
)
EXPAND_DOC = (
    "The verbatim code of a definition or line range (or the whole file) that a pack cut, "
    "summarised or only listed."
)
RULES_DOC = (
    "The sections of the repository's AI rule files (AGENTS.md, CLAUDE.md, .cursor/rules, ...) "
    "that apply to a task and the files about to be edited, with why."
)
INSTRUCTIONS = (
    "ctxtrim knows this repository: call `pack` with the task first, then `expand` "
    "for code the pack cut (⋮) or only listed."
)


class Session:
    """The repository the server serves: one Folder kept warm, and the poller that keeps its
    index in step with the disk."""

    def __init__(self, root: Path, warm: bool = True) -> None:
        self.folder = Folder(root, root.as_uri(), warm=warm)
        self.poller = Poller(lambda: [self.folder])
        # The first round only records the directories' state; take it as soon as the index
        # is built, so files created after that are found by the round before the first call.
        self.folder.submit(self.poller.poll, self.folder)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(folder, *args)` on the folder's worker, after the changes on disk are applied."""
        try:
            await asyncio.wrap_future(self.folder.ready)
        except CtxtrimError as exc:
            raise ToolError(f"the repository could not be indexed: {exc}") from None
        await asyncio.wrap_future(self.folder.submit(self.poller.poll, self.folder))
        try:
            return await asyncio.wrap_future(self.folder.submit(fn, self.folder, *args))
        except CtxtrimError as exc:
            raise ToolError(str(exc)) from None

    def close(self) -> None:
        self.folder.close()


def build(root: Path, warm: bool = True) -> tuple[MCPServer, Session]:
    """The MCP server for `root` with its three tools, and the session it serves."""
    session = Session(root, warm)
    server: MCPServer = MCPServer(
        name="ctxtrim", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )

    @server.tool(
        title="Context pack for a task",
        description=PACK_DOC,
        annotations=READ_ONLY,
    )
    async def pack(
        task: Annotated[str, Field(description="what you are about to do, e.g. the issue text")],
        budget: Annotated[int, Field(description="max tokens")] = DEFAULT_BUDGET,
        focus: Annotated[tuple[str, ...], Field(description='"path" or "path:line"')] = (),
        include: Annotated[tuple[str, ...], Field(description="only these globs")] = (),
        exclude: Annotated[tuple[str, ...], Field(description="leave out these globs")] = (),
    ) -> CallToolResult:
        raw = {"task": task, "budget": budget, "format": "markdown", "focus": list(focus)}
        raw |= {"include": list(include), "exclude": list(exclude)}
        try:
            req = parse_pack_params(raw)
        except JsonRpcException as exc:
            raise ToolError(exc.message) from None
        points = [_focus_point(session.folder, n, ref) for n, ref in enumerate(req.focus)]
        return await session.run(
            _pack, req.task, req.budget, tuple(points), req.include, req.exclude
        )

    @server.tool(
        name="expand",
        title="Expand code from a pack",
        description=EXPAND_DOC,
        annotations=READ_ONLY,
    )
    async def expand_tool(
        path: Annotated[str, Field(description="file path, relative to the repository")],
        symbol: Annotated[str, Field(description="a definition: name or Class.method")] = "",
        lines: Annotated[str, Field(description='a line range, e.g. "40-88"')] = "",
        budget: Annotated[int, Field(description="max tokens")] = DEFAULT_EXPAND_BUDGET,
    ) -> CallToolResult:
        return await session.run(_expand, path, symbol, lines, budget)

    @server.tool(
        title="Rules for a task",
        description=RULES_DOC,
        annotations=READ_ONLY,
    )
    async def rules(
        task: Annotated[str, Field(description="what you are about to do")] = "",
        paths: Annotated[tuple[str, ...], Field(description="files you will edit")] = (),
    ) -> CallToolResult:
        if len(task) > MAX_TASK_CHARS:
            raise ToolError(
                f"'task' is too long ({len(task):,} characters; at most {MAX_TASK_CHARS:,})"
            )
        if len(paths) > MAX_PATHS:
            raise ToolError(f"'paths' has {len(paths)} entries; at most {MAX_PATHS}")
        rels = [_relative(session.folder, f"paths[{n}]", p) for n, p in enumerate(paths)]
        return await session.run(_rules, task, tuple(rels))

    return server, session


# ---------------------------------------------------------------------- argument checks
def _relative(folder: Folder, what: str, path: str) -> str:
    if not path or "\x00" in path:
        raise ToolError(f"'{what}' must be a non-empty path")
    try:
        return folder.relative(path)
    except (CtxtrimError, OSError, ValueError):
        raise ToolError(f"'{what}' {path}: outside the repository") from None


def _focus_point(folder: Folder, n: int, ref: FocusRef) -> str:
    if ref.is_uri:
        raise ToolError(f"'focus[{n}]' must be a path relative to the repository, not a URI")
    rel = _relative(folder, f"focus[{n}]", ref.path)
    if rel in ("", "."):
        raise ToolError(f"'focus[{n}]' {ref.path}: is the repository itself, not a file")
    return f"{rel}:{ref.line}" if ref.line else rel


# ---------------------------------------------------------------------- on the worker
def _pack(
    folder: Folder,
    task: str,
    budget: int,
    focus: tuple[str, ...],
    include: tuple[str, ...],
    exclude: tuple[str, ...],
) -> CallToolResult:
    ws = folder.filtered(include, exclude)
    got = ws.pack(Task(task, focus=focus), budget, "markdown")
    if got.timings is not None:  # where the time went, as the language server logs it
        log.info("pack %r: %s", task.split("\n", 1)[0][:60], got.timings.describe())
    meta = {
        "tokens": got.tokens,
        "budget": got.budget,
        "items": [_item_meta(i) for i in got.items],
    }
    return _result(render(got, "markdown"), meta)


def _expand(folder: Folder, path: str, symbol: str, lines: str, budget: int) -> CallToolResult:
    ws = _workspace(folder)
    got = expand(ws, path, symbol, lines, budget)
    meta = {
        "path": got.path,
        "lines": [list(r) for r in got.lines],
        "tokens": got.tokens,
        "truncated": got.truncated,
    }
    return _result(got.text, meta)


def _rules(folder: Folder, task: str, paths: tuple[str, ...]) -> CallToolResult:
    ws = _workspace(folder)
    found = ws.rules()
    if not found:
        return _result("This repository has no AI rule files.", {"sections": []})
    # The files the agent works on are the task's focus; the rules also see the files a pack
    # for the task would show and those it names. A path outside the workspace is no focus.
    focus = tuple(p for p in paths if _indexed(ws, p))
    kept, _ = ws.rule_items(Task(task, focus=focus), RULES_BUDGET)
    if not kept:
        return _result("No rule section applies to this task and these files.", {"sections": []})
    blocks = [_rule_block(item) for item in kept]
    return _result("\n\n".join(blocks) + "\n", {"sections": [_item_meta(i) for i in kept]})


def _indexed(ws: Workspace, path: str) -> bool:
    try:
        return ws.relative(path) in ws.index
    except CtxtrimError:  # outside the workspace
        return False


def _workspace(folder: Folder) -> Workspace:
    return folder.ready.result()


def _rule_block(item: Item) -> str:
    """A rule section as packs show it, with why it applies under its title."""
    title, _, body = item_block(item, "markdown").strip().partition("\n\n")
    return f"{title}\nWhy: {'; '.join(item.reasons) or 'applies'}\n\n{body}"


def _item_meta(item: Item) -> dict[str, Any]:
    meta: dict[str, Any] = {"path": item.path, "mode": item.mode}
    if item.section:
        meta["section"] = item.section
    meta["lines"] = [[s, e] for s, e in item.lines]
    meta["score"] = item.score
    return meta


def _result(text: str, meta: dict[str, Any]) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=meta)


# ---------------------------------------------------------------------- entry point
def main(args: argparse.Namespace) -> int:
    """Serve over stdio until the client closes stdin; exit 0 then."""
    configure("ctxtrim-mcp")
    root = directory(args.path)
    # Large repositories are indexed in a process pool; forking a process that runs threads
    # can leave a child stuck on a lock held at the fork, so children start fresh.
    multiprocessing.set_start_method("spawn", force=True)
    server, session = build(root, warm=not getattr(args, "no_warm", False))
    code = 0
    try:
        server.run("stdio")
    except KeyboardInterrupt:
        code = 130
    finally:
        session.close()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    logging.shutdown()
    # A pack still running on the worker thread must not hold the exit.
    os._exit(code)
