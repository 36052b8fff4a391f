"""The `ctxtrim rules` and `ctxtrim check` subcommands (registered by the core CLI)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cache import cache_directory
from ..tokens import Tokenizer
from .checks import always_on_by_tool, run_checks
from .diagnostics import Diagnostic
from .discover import discover
from .globs import glob_matches
from .model import TOOLS, RuleFile
from .repo import RepoFiles
from .select import Scored, Selection
from .settings import CheckSettings, load_settings
from .workspace import existing, find_root, list_files, path_and_task

EXIT_OK, EXIT_ERRORS = 0, 1


def register(subparsers: Any) -> None:
    """Add `rules` and `check` to the CLI's subparsers; each sets `func(args) -> exit code`."""
    rules = subparsers.add_parser(
        "rules",
        help="which rule files each assistant loads, their tokens, and what a task would keep",
        description="List the AI rule files each tool loads and their token cost; with a TASK, "
        "show which sections ctxtrim would keep for it.",
    )
    rules.add_argument("path", nargs="?", help="repository (default: .)")
    rules.add_argument("task", nargs="?", help="a task, to see which sections would be kept")
    rules.add_argument(
        "--focus",
        action="append",
        default=[],
        metavar="FILE",
        help="a file the task is about (repeatable)",
    )
    rules.add_argument(
        "--budget", type=int, default=2000, help="token budget for rule sections (default 2000)"
    )
    rules.add_argument("--format", default="text", choices=("text", "json"))
    rules.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="with a TASK, also list the sections left out and why",
    )
    rules.set_defaults(func=cmd_rules)

    check = subparsers.add_parser(
        "check",
        help="lint AI rule files: size, vendor limits, dead paths and globs, duplicates",
        description="Lint the AI rule files of the repositories containing PATHS. Given rule "
        "files, lint those and run the repository-wide reference and glob checks.",
    )
    check.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="repository or rule files (default: .)",
    )
    check.add_argument("--format", default="text", choices=("text", "json"))
    check.set_defaults(func=cmd_check)


# ------------------------------------------------------------------ check


@dataclass
class _Target:
    """One repository to check, and which of its rule files to lint in full (None: all)."""

    root: Path
    whole: bool = False
    dirs: list[str] = field(default_factory=list)
    files: set[str] = field(default_factory=set)


def cmd_check(args: argparse.Namespace) -> int:
    """Lint rule files; exit 1 if any error was found."""
    results = [_check_root(target) for target in _targets(args.paths or ["."])]
    diagnostics = [d for _, _, found in results for d in found]
    errors = sum(d.severity == "error" for d in diagnostics)
    if args.format == "json":
        print(json.dumps(_check_json(results), indent=2))
    else:
        _print_check(results)
    return EXIT_ERRORS if errors else EXIT_OK


def _targets(raw_paths: list[str]) -> list[_Target]:
    targets: dict[Path, _Target] = {}
    for raw in raw_paths:
        path = existing(raw)
        root = find_root(path)
        target = targets.setdefault(root, _Target(root))
        relative = path.relative_to(root).as_posix() if path != root else ""
        if path.is_dir():
            if relative:
                target.dirs.append(relative)
            else:
                target.whole = True
        else:
            target.files.add(relative)
    return list(targets.values())


def _check_root(target: _Target) -> tuple[Path, list[RuleFile], list[Diagnostic]]:
    settings = load_settings(target.root)
    files = list_files(target.root)
    rules = discover(target.root, files, Tokenizer(settings.encoding, cache_directory(None)))
    rules = [r for r in rules if not any(glob_matches(p, r.path) for p in settings.exclude)]
    chosen: set[str] | None = None
    if not target.whole:
        chosen = {
            r.path
            for r in rules
            if r.path in target.files or any(r.path.startswith(d + "/") for d in target.dirs)
        }
    found = run_checks(rules, RepoFiles(target.root, files), settings, chosen)
    return (
        target.root,
        rules,
        sorted([*found, *_mcp_findings(target, files, settings)], key=Diagnostic.sort_key),
    )


def _mcp_findings(target: _Target, files: list[str], settings: CheckSettings) -> list[Diagnostic]:
    """The MCP config diagnostics (ctxtrim/toolcost/findings.py) of the files checked."""
    from ..toolcost.findings import check_mcp

    listed = set(files)
    found = check_mcp(target.root, settings, listed.__contains__)
    if target.whole:
        return found
    return [
        d
        for d in found
        if d.path in target.files or any(d.path.startswith(f"{x}/") for x in target.dirs)
    ]


def _display(root: Path, path: str) -> str:
    try:
        return Path(os.path.relpath(root / path)).as_posix()
    except ValueError:  # another drive on Windows
        return (root / path).as_posix()


def _print_check(results: list[tuple[Path, list[RuleFile], list[Diagnostic]]]) -> None:
    for root, rules, found in results:
        for d in found:
            print(
                f"{_display(root, d.path)}:{d.line}:{d.col}: {d.severity}: {d.code} {d.name}: {d.message} (hint: {d.hint})"
            )
        errors = sum(d.severity == "error" for d in found)
        warnings = len(found) - errors
        if not rules:
            print(f"ctxtrim check: no rule files in {root}")
            continue
        totals = ", ".join(
            f"{TOOLS[tool]} {sum(r.tokens for r in files):,}"
            for tool, files in always_on_by_tool(rules).items()
        )
        print(
            f"ctxtrim check: {_plural(errors, 'error')}, {_plural(warnings, 'warning')} in "
            f"{_plural(len(rules), 'rule file')}"
            + (f" · always-on tokens: {totals}" if totals else "")
        )


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _check_json(results: list[tuple[Path, list[RuleFile], list[Diagnostic]]]) -> dict[str, Any]:
    diagnostics = [d for _, _, found in results for d in found]
    errors = sum(d.severity == "error" for d in diagnostics)
    return {
        "schema": "ctxtrim.check/1",
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "results": [
            {
                "root": str(root),
                "rule_files": [_file_json(rule) for rule in rules],
                "always_on_tokens": {
                    tool: sum(r.tokens for r in files)
                    for tool, files in always_on_by_tool(rules).items()
                },
                "diagnostics": [d.as_dict() for d in found],
            }
            for root, rules, found in results
        ],
    }


def _file_json(rule: RuleFile) -> dict[str, Any]:
    return {
        "path": rule.path,
        "tools": list(rule.tools),
        "activation": rule.activation,
        "scope": rule.scope,
        "globs": list(rule.globs),
        "description": rule.description,
        "tokens": rule.tokens,
        "chars": rule.chars,
        "sections": len(rule.sections),
        "imported_by": rule.imported_by,
    }


# ------------------------------------------------------------------ rules


def cmd_rules(args: argparse.Namespace) -> int:
    """Show each tool's rule files and tokens; with a task, what would be kept."""
    raw_path, task = path_and_task(args.path, args.task)
    root = find_root(existing(raw_path or "."))
    selection = None
    if task:
        # The same files in play as a pack for the task: what it would show, the focus
        # files and the files the task names. Imported here: the core imports this package.
        from ..task import Task
        from ..workspace import Workspace

        workspace = Workspace.open(root)
        tokenizer = workspace.tokenizer
        rules = workspace.rules()
        focus = tuple(_relative(root, f) for f in args.focus)
        selection = workspace.rule_selection(Task(task, focus), args.budget)
    else:
        tokenizer = Tokenizer(load_settings(root).encoding, cache_directory(None))
        rules = discover(root, list_files(root), tokenizer)
    if args.format == "json":
        report = _rules_json(root, tokenizer, rules, task, selection, args.verbose)
        print(json.dumps(report, indent=2))
    else:
        _print_rules(root, tokenizer, rules, task, selection, args.verbose)
    return EXIT_OK


def _relative(root: Path, raw: str) -> str:
    path = Path(raw.split(":", 1)[0])
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def activation_label(rule: RuleFile) -> str:
    """`always`, `in web/`, `glob src/**`, `on request`, `manual`, for listings."""
    if rule.activation == "always":
        return f"in {rule.scope}/" if rule.scope else "always"
    if rule.activation == "glob":
        return "glob " + ", ".join(rule.globs)
    return "on request" if rule.activation == "request" else "manual"


def _print_rules(
    root: Path,
    tokenizer: Tokenizer,
    rules: list[RuleFile],
    task: str | None,
    selection: Selection | None,
    verbose: bool,
) -> None:
    print(f"Rule files in {root} (tokens: {tokenizer.name})")
    always = always_on_by_tool(rules)
    missing = []
    for tool, name in TOOLS.items():
        loaded = [r for r in rules if tool in r.tools]
        if not loaded:
            missing.append(name)
            continue
        total = sum(r.tokens for r in always.get(tool, []))
        print(f"\n{name}: {total:,} tokens always on")
        width = max(len(_rule_name(r)) for r in loaded)
        for rule in loaded:
            print(f"  {_rule_name(rule):<{width}}  {activation_label(rule):<24} {rule.tokens:>7,}")
    if missing:
        print(f"\nNo rule files for: {', '.join(missing)}")
    if selection is None:
        return
    total_sections = len(selection.kept) + len(selection.dropped)
    print(
        f'\nFor "{task}" (files in play: {_files_label(selection.paths)}; '
        f"budget {selection.budget:,}): keeping {len(selection.kept)} of {total_sections} "
        f"sections, {selection.tokens:,} tokens"
    )
    groups = [("keep", selection.kept)] + ([("drop", selection.dropped)] if verbose else [])
    for verdict, group in groups:
        for scored in group:
            section = scored.section
            where = f"{section.file}:{section.start}-{section.end}"
            reasons = "; ".join(scored.reasons) or "-"
            print(
                f"  {verdict}  {where}  {section.title}  ({section.tokens:,} tokens, "
                f"score {scored.score:.2f}): {reasons}"
            )
    if selection.dropped and not verbose:
        print(f"  ({len(selection.dropped)} sections left out; --verbose lists them and why)")


FILES_SHOWN = 8  # files in play named in the text report; the JSON has them all


def _files_label(paths: list[str]) -> str:
    if not paths:
        return "none"
    more = len(paths) - FILES_SHOWN
    return ", ".join(paths[:FILES_SHOWN]) + (f" and {more} more" if more > 0 else "")


def _rule_name(rule: RuleFile) -> str:
    return f"{rule.path} (imported by {rule.imported_by})" if rule.imported_by else rule.path


def _rules_json(
    root: Path,
    tokenizer: Tokenizer,
    rules: list[RuleFile],
    task: str | None,
    selection: Selection | None,
    verbose: bool,
) -> dict[str, Any]:
    always = always_on_by_tool(rules)
    tools = [
        {
            "id": tool,
            "name": name,
            "always_on_tokens": sum(r.tokens for r in always.get(tool, [])),
            "files": [_file_json(r) for r in rules if tool in r.tools],
        }
        for tool, name in TOOLS.items()
    ]
    result: dict[str, Any] = {
        "schema": "ctxtrim.rules/1",
        "root": str(root),
        "encoding": tokenizer.name,
        "tools": tools,
    }
    if selection is not None:
        result["selection"] = {
            "task": task,
            "paths": selection.paths,
            "budget": selection.budget,
            "tokens": selection.tokens,
            "kept": [_scored_json(s) for s in selection.kept],
            "dropped_count": len(selection.dropped),
        }
        if verbose:
            result["selection"]["dropped"] = [_scored_json(s) for s in selection.dropped]
    return result


def _scored_json(scored: Scored) -> dict[str, Any]:
    section = scored.section
    out: dict[str, Any] = {
        "path": section.file,
        "section": " > ".join(section.heading_path),
        "lines": [section.start, section.end],
        "tokens": section.tokens,
        "score": scored.score,
        "reasons": scored.reasons,
    }
    if section.parts:  # trimmed: only these line ranges of the section are kept
        out["kept_lines"] = [list(part) for part in section.parts]
    return out


def main(argv: list[str] | None = None) -> int:
    """Run `rules` or `check` without the core CLI (`python -m ctxtrim.rules check`)."""
    from ..errors import CtxtrimError

    parser = argparse.ArgumentParser(prog="ctxtrim")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except CtxtrimError as exc:
        sys.stderr.write(f"ctxtrim: {exc}\n")
        return 2
