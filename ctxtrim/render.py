"""Turn a Pack into text: markdown (default), xml, json or plain. Deterministic output."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import CtxtrimError
from .pack import SCHEMA, Item, Pack

FORMATS = ("markdown", "xml", "json", "plain")

_FENCE_LANG = {
    "python": "python",
    "javascript": "javascript",
    "typescript": "typescript",
    "tsx": "tsx",
    "go": "go",
    "rust": "rust",
    "java": "java",
    "c": "c",
    "cpp": "cpp",
    "csharp": "csharp",
    "ruby": "ruby",
    "php": "php",
    "markdown": "markdown",
    "shell": "bash",
    "yaml": "yaml",
    "toml": "toml",
    "json": "json",
    "html": "html",
    "css": "css",
    "sql": "sql",
}


def tokens_label(n: int) -> str:
    """The pack's token count as its header states it (the only place it appears)."""
    return f"{n:,}"


def header(pack: Pack) -> str:
    share = ""
    if pack.repo_tokens_estimate:
        shown = sum(i.tokens for i in pack.items if i.kind == "file")
        share = f" ({100 * shown / pack.repo_tokens_estimate:.1f}% of the repository's ~{pack.repo_tokens_estimate:,} tokens)"
    rules = sum(1 for i in pack.items if i.kind == "rule")
    parts = [
        f"ctxtrim pack · {tokens_label(pack.tokens)} of {pack.budget:,} tokens ({pack.encoding})",
        f"{pack.files_shown} of {pack.files_total:,} files shown{share}",
    ]
    if rules:
        parts.append(f"{rules} rule sections")
    if pack.redactions:
        parts.append(f"{sum(pack.redactions.values())} secrets redacted")
    return " · ".join(parts)


def task_text(pack: Pack) -> str:
    """The task as shown in the pack: whole if asked for, else its first line, shortened.
    The caller usually holds the task already; echoing a long issue would eat the budget."""
    text = pack.task.strip()
    if pack.with_task or not text:
        return text
    first = text.split("\n", 1)[0].strip()
    short = first if len(first) <= 160 else first[:157].rstrip() + "…"
    return short + (" …" if short != text else "")


def _item_title(item: Item) -> str:
    if item.kind == "rule":
        # The section's text starts with its own heading: the title only says where it is from.
        where = f"{item.lines[0][0]}-{item.lines[-1][1]}" if item.lines else ""
        return f"Rule from {item.path}" + (f", lines {where}" if where else "")
    ranges = ", ".join(f"{s}-{e}" if s != e else str(s) for s, e in item.lines)
    detail = (
        item.mode
        if item.mode in ("full", "listed") or not ranges
        else f"{item.mode}, lines {ranges}"
    )
    return f"{item.path} ({detail})"


_TICKS = re.compile(r"`{3,}")


def _fence(text: str) -> str:
    """A backtick fence longer than any run of backticks inside `text`."""
    longest = max((len(m) for m in _TICKS.findall(text)), default=2)
    return "`" * (longest + 1)


def _md_file(item: Item) -> str:
    fence = _fence(item.text)
    lang = _FENCE_LANG.get(item.language or "", "")
    return f"## {_item_title(item)}\n\n{fence}{lang}\n{item.text}\n{fence}"


def _md_rule(item: Item) -> str:
    return f"## {_item_title(item)}\n\n{item.text.strip()}"


def markdown(pack: Pack) -> str:
    out = [f"<!-- {header(pack)} -->"]
    if pack.task.strip():
        out.append(f"# Task\n\n{task_text(pack)}")
    rules = [i for i in pack.items if i.kind == "rule"]
    files = [i for i in pack.items if i.kind == "file" and i.mode != "listed"]
    listed = [i for i in pack.items if i.kind == "file" and i.mode == "listed"]
    if rules:
        out.append("# Rules")
        out.extend(_md_rule(item) for item in rules)
    also = "# Also relevant (not shown)\n\n" + "\n".join(f"- {i.path}" for i in listed)
    if listed and pack.order == "last":
        out.append(also)
    if files:
        out.append("# Files")
        out.extend(_md_file(item) for item in files)
    if listed and pack.order != "last":
        out.append(also)
    if pack.explain:
        out.append(explain_text(pack))
    return "\n\n".join(out) + "\n"


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _xml_escape(text).replace('"', "&quot;")


def _xml_item(item: Item) -> str:
    if item.kind == "rule":
        return (
            f'<rule path="{_attr(item.path)}" section="{_attr(item.section or "")}">\n'
            f"{_xml_escape(item.text.strip())}\n</rule>"
        )
    if item.mode == "listed":
        return f'<file path="{_attr(item.path)}" mode="listed"/>'
    ranges = " ".join(f"{s}-{e}" for s, e in item.lines)
    return (
        f'<file path="{_attr(item.path)}" mode="{item.mode}" lines="{ranges}">\n'
        f"{_xml_escape(item.text)}\n</file>"
    )


def _plain_item(item: Item) -> str:
    if item.mode == "listed":
        return f"=== {item.path} (listed)"
    return f"=== {_item_title(item)}\n{item.text}"


def item_block(item: Item, fmt: str) -> str:
    """One item as it appears in a rendering (markdown, xml or plain), with its separator."""
    if fmt == "xml":
        return _xml_item(item) + "\n"
    if fmt == "plain":
        return _plain_item(item) + "\n\n"
    if item.kind == "rule":
        return _md_rule(item) + "\n\n"
    return (_md_file(item) if item.mode != "listed" else f"- {item.path}") + "\n\n"


def xml(pack: Pack) -> str:
    out = [f"<!-- {_xml_escape(header(pack))} -->", "<context>"]
    if pack.task.strip():
        out.append(f"<task>\n{_xml_escape(task_text(pack))}\n</task>")
    out.extend(_xml_item(item) for item in pack.items)
    out.append("</context>")
    if pack.explain:
        out.append(f"<!--\n{_xml_escape(explain_text(pack))}\n-->")
    return "\n".join(out) + "\n"


def plain(pack: Pack) -> str:
    out = [header(pack)]
    if pack.task.strip():
        out.append(f"TASK\n{task_text(pack)}")
    out.extend(_plain_item(item) for item in pack.items)
    if pack.explain:
        out.append(explain_text(pack))
    return "\n\n".join(out) + "\n"


def as_dict(pack: Pack) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for item in pack.items:
        d: dict[str, Any] = {
            "kind": item.kind,
            "path": item.path,
            "mode": item.mode,
            "tokens": item.tokens,
            "score": item.score,
            "reasons": item.reasons,
        }
        if item.kind == "rule":
            d["section"] = item.section
        else:
            d["lines"] = [[s, e] for s, e in item.lines]
            d["language"] = item.language
        if item.redactions:
            d["redactions"] = item.redactions
        d["text"] = item.text
        items.append(d)
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "root": pack.root,
        "task": pack.task,
        "budget": pack.budget,
        "encoding": pack.encoding,
        "tokens": pack.tokens,
        "items": items,
        "omitted": {"files": pack.omitted_files, "tokens": pack.omitted_tokens},
        "redactions": dict(sorted(pack.redactions.items())),
    }
    if pack.explain:
        out["explain"] = {
            "best_omitted": [
                {"path": o.path, "score": o.score, "reasons": o.reasons, "why": o.why}
                for o in pack.best_omitted
            ],
            "dropped_rules": [
                {"path": o.path, "score": o.score, "reasons": o.reasons, "why": o.why}
                for o in pack.dropped_rules
            ],
        }
    return out


def explain_text(pack: Pack) -> str:
    lines = ["# Why", ""]
    for item in pack.items:
        what = f"{item.path} › {item.section}" if item.kind == "rule" else item.path
        lines.append(
            f"- in: {what} [{item.mode}, {item.tokens} tokens, score {item.score:.2f}]: {'; '.join(item.reasons) or 'ranked'}"
        )
    for o in pack.best_omitted:
        lines.append(
            f"- out: {o.path} [score {o.score:.2f}] {o.why}: {'; '.join(o.reasons) or 'ranked'}"
        )
    for o in pack.dropped_rules:
        lines.append(f"- rule dropped: {o.path} {o.why}")
    return "\n".join(lines)


def render(pack: Pack, fmt: str = "markdown") -> str:
    """The pack as text in `fmt` (markdown, xml, json, plain)."""
    if fmt == "markdown":
        return markdown(pack)
    if fmt == "xml":
        return xml(pack)
    if fmt == "plain":
        return plain(pack)
    if fmt == "json":
        return json.dumps(as_dict(pack), ensure_ascii=False, indent=1) + "\n"
    raise CtxtrimError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")


def measured_format(fmt: str) -> str:
    """The rendering whose tokens the budget caps: JSON is a transport, so its budget is the
    markdown a model would be shown."""
    return "markdown" if fmt == "json" else fmt
