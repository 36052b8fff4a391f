"""Rule files in the editor: `ctxtrim check` diagnostics as the user types, a token count on
each section heading (code lens), and a hover saying which tools load the file and how much
those tools load in total.

Everything is computed on the folder's worker, after the edits queued before it, from the
buffers' current text, and cached until the next change.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from ctxtrim.errors import CtxtrimError
from ctxtrim.rules import TOOLS, RuleFile, discover
from ctxtrim.rules.catalog import classify
from ctxtrim.rules.checks import always_on_by_tool, run_checks
from ctxtrim.rules.diagnostics import Diagnostic
from ctxtrim.rules.globs import glob_matches
from ctxtrim.rules.repo import RepoFiles
from ctxtrim.rules.settings import CheckSettings, load_settings
from ctxtrim.tokens import Tokenizer
from ctxtrim.toolcost.discover import PROJECT_FILES, is_project_config, read_text
from ctxtrim.toolcost.findings import check_mcp

from .folder import Folder

if TYPE_CHECKING:
    from .app import CtxtrimServer

log = logging.getLogger(__name__)
DEBOUNCE = 0.3  # seconds of quiet typing before a rule file is checked again


# ------------------------------------------------------------------ the rules of one folder
@dataclass
class RulesView:
    """The folder's rule files and their diagnostics, as of one point in the edit queue."""

    rules: dict[str, RuleFile] = field(default_factory=dict)
    diagnostics: dict[str, list[Diagnostic]] = field(default_factory=dict)
    by_tool: dict[str, list[RuleFile]] = field(default_factory=dict)
    error: str | None = None  # e.g. a bad [rules] setting
    texts: dict[str, str] = field(default_factory=dict)  # MCP configs checked, by path


def compute(folder: Folder) -> RulesView:
    """Discover and check the folder's rule files (worker thread)."""
    ws = folder.ready.result()
    files = sorted(ws.index.paths())
    view = RulesView()
    try:
        settings = load_settings(folder.root)
    except CtxtrimError as exc:
        settings, view.error = CheckSettings(), str(exc)
    # Open buffers win over the disk, so diagnostics follow the user's typing.
    rules = discover(folder.root, files, Tokenizer(settings.encoding), dict(folder.buffers))
    rules = [r for r in rules if not any(glob_matches(p, r.path) for p in settings.exclude)]
    found = run_checks(rules, RepoFiles(folder.root, files), settings)
    view.rules = {r.path: r for r in rules}
    view.by_tool = always_on_by_tool(rules)
    for rule in rules:
        view.diagnostics[rule.path] = []
    for d in found:
        view.diagnostics.setdefault(d.path, []).append(d)
    _add_mcp(view, folder, settings)
    return view


def _add_mcp(view: RulesView, folder: Folder, settings: CheckSettings) -> None:
    """The MCP configs' diagnostics, as `ctxtrim check` reports them (open buffers win)."""
    buffers = {rel: text for rel, text in folder.buffers.items() if is_mcp_config(rel)}
    for rel, *_ in PROJECT_FILES:
        text = buffers.get(rel, read_text(folder.root, rel))
        if text is not None:
            view.texts[rel] = text
            view.diagnostics.setdefault(rel, [])
    for d in check_mcp(folder.root, settings, overrides=buffers):
        view.diagnostics.setdefault(d.path, []).append(d)


class RuleState:
    """Per-server bookkeeping: cached views, debounce timers, what was published."""

    def __init__(self) -> None:
        self.views: dict[Path, asyncio.Future[RulesView]] = {}
        self.timers: dict[Path, asyncio.TimerHandle] = {}
        self.published: dict[str, int] = {}  # uri -> number of diagnostics last sent


def _state(ls: CtxtrimServer) -> RuleState:
    state = getattr(ls, "_rule_state", None)
    if state is None:
        state = ls._rule_state = RuleState()  # type: ignore[attr-defined]
    return state


def is_rule_path(rel: str) -> bool:
    return classify(rel) is not None or is_mcp_config(rel)


def is_mcp_config(rel: str) -> bool:
    return is_project_config(rel)


async def view_of(ls: CtxtrimServer, folder: Folder) -> RulesView:
    """The current RulesView, computed on the folder's worker if a change made it stale."""
    state = _state(ls)
    got = state.views.get(folder.root)
    if got is None or (got.done() and (got.cancelled() or got.exception() is not None)):
        await ls.ready(folder)
        got = asyncio.wrap_future(folder.submit(compute, folder))
        state.views[folder.root] = got
    return await asyncio.shield(got)


def on_change(ls: CtxtrimServer, uri: str, immediate: bool = False) -> None:
    """A buffer changed: if it is a rule file, re-check the folder's rules (debounced)."""
    where = ls.locate(uri)
    if where is None:
        return
    folder, rel = where
    state = _state(ls)
    view = state.views.get(folder.root)
    known = view is not None and view.done() and not view.cancelled() and view.exception() is None
    if not is_rule_path(rel) and not (known and rel in view.result().rules):
        return
    state.views.pop(folder.root, None)  # stale from now on
    timer = state.timers.pop(folder.root, None)
    if timer is not None:
        timer.cancel()
    loop = asyncio.get_running_loop()
    delay = 0.0 if immediate else DEBOUNCE
    state.timers[folder.root] = loop.call_later(
        delay, lambda: asyncio.ensure_future(publish(ls, folder))
    )


def on_files_changed(ls: CtxtrimServer, folder: Folder) -> None:
    """Files appeared or vanished on disk: references may have died or come back."""
    state = _state(ls)
    state.views.pop(folder.root, None)
    if folder.root in state.timers or not state.published:
        return  # a check is already due, or no rule file has had diagnostics to update
    loop = asyncio.get_running_loop()
    state.timers[folder.root] = loop.call_later(
        DEBOUNCE, lambda: asyncio.ensure_future(publish(ls, folder))
    )


def on_close(ls: CtxtrimServer, uri: str) -> None:
    """A rule file's buffer closed: it reverts to the disk text, so check again."""
    on_change(ls, uri, immediate=True)


def on_indexed(ls: CtxtrimServer, folder: Folder) -> None:
    """First indexing done: publish the folder's rule diagnostics once."""
    asyncio.ensure_future(publish(ls, folder))


async def publish(ls: CtxtrimServer, folder: Folder) -> None:
    """Send textDocument/publishDiagnostics for every rule file of the folder whose
    diagnostics changed (an empty list clears a file)."""
    state = _state(ls)
    state.timers.pop(folder.root, None)
    try:
        view = await view_of(ls, folder)
    except Exception as exc:  # noqa: BLE001 - diagnostics are best effort; requests report errors
        log.info("rule check of %s skipped: %s", folder.root, exc)
        return
    for rel, found in sorted(view.diagnostics.items()):
        uri = (folder.root / rel).as_uri()
        if not found and not state.published.get(uri):
            continue
        state.published[uri] = len(found)
        rule = view.rules.get(rel)
        lines = (rule.text if rule else view.texts.get(rel, "")).split("\n")
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=[_lsp_diagnostic(d, lines) for d in found]
            )
        )


def _lsp_diagnostic(d: Diagnostic, lines: list[str]) -> types.Diagnostic:
    line = max(d.line - 1, 0)
    start = max(d.col - 1, 0)
    end = len(lines[line]) if line < len(lines) else start
    return types.Diagnostic(
        range=types.Range(types.Position(line, start), types.Position(line, max(end, start))),
        message=f"{d.message}\n{d.hint}" if d.hint else d.message,
        severity=types.DiagnosticSeverity.Error
        if d.severity == "error"
        else types.DiagnosticSeverity.Warning,
        code=d.code,
        source="ctxtrim",
    )


# ------------------------------------------------------------------ code lens and hover
async def _rule_at(ls: CtxtrimServer, uri: str) -> tuple[RulesView, RuleFile] | None:
    where = ls.locate(uri)
    if where is None:
        return None
    folder, rel = where
    if not is_rule_path(rel):
        view = _state(ls).views.get(folder.root)
        if (
            view is None
            or not view.done()
            or view.cancelled()
            or view.exception()
            or rel not in view.result().rules
        ):
            return None
    view = await view_of(ls, folder)
    rule = view.rules.get(rel)
    return (view, rule) if rule is not None else None


def _activation(rule: RuleFile) -> str:
    if rule.activation == "always":
        return "always on" if not rule.scope else f"always on under {rule.scope}/"
    if rule.activation == "glob":
        return "when files match " + ", ".join(rule.globs)
    return "on request" if rule.activation == "request" else "when mentioned by hand"


async def code_lenses(ls: CtxtrimServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    found = await _rule_at(ls, params.text_document.uri)
    if found is None:
        return []
    _, rule = found
    lenses = [
        types.CodeLens(
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            command=types.Command(
                title=f"{rule.tokens:,} tokens · {_activation(rule)}", command=""
            ),
        )
    ]
    for section in rule.sections:
        if not section.heading_path:
            continue
        line = section.start - 1
        lenses.append(
            types.CodeLens(
                range=types.Range(types.Position(line, 0), types.Position(line, 0)),
                command=types.Command(title=f"{section.tokens:,} tokens", command=""),
            )
        )
    return lenses


async def hover(ls: CtxtrimServer, params: types.HoverParams) -> types.Hover | None:
    found = await _rule_at(ls, params.text_document.uri)
    if found is None:
        return None
    view, rule = found
    line = params.position.line + 1
    out = [f"**{rule.path}** · {rule.tokens:,} tokens · {_activation(rule)}"]
    if rule.imported_by:
        out.append(f"imported by `{rule.imported_by}`")
    tools = [TOOLS.get(t, t) for t in rule.tools]
    out.append("Loaded by: " + (", ".join(tools) if tools else "no known tool"))
    totals = []
    for tool in rule.tools:
        files = view.by_tool.get(tool, [])
        if files:
            parts = ", ".join(f"{f.path} {f.tokens:,}" for f in files)
            total = sum(f.tokens for f in files)
            totals.append(
                f"- {TOOLS.get(tool, tool)}: {total:,} always-on tokens in every conversation ({parts})"
            )
    if totals:
        out.append("In total:\n" + "\n".join(totals))
    section = next((s for s in rule.sections if s.start <= line <= s.end and s.heading_path), None)
    if section is not None:
        out.append(
            f"Section *{section.title}*: {section.tokens:,} tokens (lines {section.start}-{section.end})"
        )
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n".join(out))
    )


def register(server: CtxtrimServer) -> None:
    """Attach the rule-file features (diagnostics are pushed from the buffer handlers)."""
    server.indexed_hooks.append(on_indexed)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    async def code_lens(ls: CtxtrimServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        return await code_lenses(ls, params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: CtxtrimServer, params: types.HoverParams) -> types.Hover | None:
        return await hover(ls, params)
