"""Find every rule file in a repository and read it into the common model."""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..scan import read_regular
from ..tokens import Tokenizer
from .catalog import (
    DISK_FOLDERS,
    FRONTMATTER_KINDS,
    IMPORT_KINDS,
    NESTED_NAMES,
    ROOT_FILES,
    ZED_ORDER,
    Convention,
    classify,
)
from .frontmatter import Frontmatter, as_globs, read_frontmatter
from .globs import glob_matches, is_universal
from .model import Activation, Reference, RuleFile
from .parse import split_sections
from .references import find_mentions, resolve
from .repo import RepoFiles

MAX_IMPORT_DEPTH = 5  # Claude Code follows at most five hops of `@imports`
WINDSURF_TRIGGERS = {
    "always_on": "always",
    "glob": "glob",
    "model_decision": "request",
    "manual": "manual",
}


def discover(
    root: Path,
    files: list[str],
    tokenizer: Tokenizer | None = None,
    texts: Mapping[str, str] | None = None,
) -> list[RuleFile]:
    """All rule files under `root`, sorted by path.

    `files` are the repository's non-ignored files (repo-relative, posix). Known rule
    locations are also looked up on disk, so a gitignored `CLAUDE.local.md` or `.cursor/`
    folder is still found. Files reached through `@imports` are included, marked `imported_by`.
    `texts` maps paths to unsaved editor buffers, which win over the disk.
    """
    root = Path(root)
    tokenizer = tokenizer or Tokenizer()
    known = RepoFiles(root, files)
    texts = texts or {}
    rules: dict[str, RuleFile] = {}
    for path in sorted(_candidate_paths(root, files)):
        convention = classify(path)
        if convention is not None and (path in texts or safe_path(root, path) is not None):
            rules[path] = read_rule(root, path, convention, tokenizer, known, texts.get(path))
    _follow_imports(root, rules, tokenizer, known, texts)
    _mark_shadowing(rules)
    _add_zed(rules)
    return [rules[path] for path in sorted(rules)]


def applies_to(rule: RuleFile, path: str) -> bool:
    """Whether `rule` is active when the assistant works on `path` (repo-relative, posix).

    True for an always-on rule whose scope contains `path` (and, for AGENTS.md, when no
    nearer AGENTS.md wins), or a glob rule with a glob matching `path`. Rules that load on
    request or by hand apply to no path by themselves.
    """
    if not _inside(path, rule.scope) or any(_inside(path, nearer) for nearer in rule.shadowed_by):
        return False
    if rule.activation == "always":
        return True
    if rule.activation == "glob":
        relative = path[len(rule.scope) + 1 :] if rule.scope else path
        return any(glob_matches(pattern, relative) for pattern in rule.globs)
    return False


def _inside(path: str, directory: str) -> bool:
    return not directory or path == directory or path.startswith(directory + "/")


MAX_LOCAL_LOOKUPS = 3000
# Cheap tests that every rule path passes; classify() runs only on what passes them.
_MARKERS = (
    ".claude/",
    ".cursor/",
    ".github/instructions/",
    ".windsurf/",
    ".clinerules",
    ".continue/",
    ".roo",
    ".roorules",
)


_MARKER = re.compile("|".join(map(re.escape, _MARKERS)))  # one search, not one per marker


def _maybe_rule(path: str) -> bool:
    return (
        path in ROOT_FILES
        or path.rpartition("/")[2] in NESTED_NAMES
        or _MARKER.search(path) is not None
    )


def _is_file(path: str) -> bool:
    """`os.path.isfile`, a third as costly where, as for nearly every probe of a pack, there
    is no such file: `os.access` answers that without raising and catching an exception. (A
    name the OS refuses is no file, as for `repo.probe_path`.)"""
    try:
        return os.access(path, os.F_OK) and os.path.isfile(path)
    except ValueError:
        return False


def _candidate_paths(root: Path, files: list[str]) -> set[str]:
    candidates = {path for path in files if _maybe_rule(path) and classify(path) is not None}
    on_disk = [*ROOT_FILES, *NESTED_NAMES]
    # A gitignored CLAUDE.local.md may sit in any directory. Looking costs a stat per
    # directory, so a very large tree is only searched next to its other rule files.
    # (Paths are repository-relative and normalised: rpartition is dirname, only faster.)
    directories = {path.rpartition("/")[0] for path in files} | {""}
    if len(directories) > MAX_LOCAL_LOOKUPS:
        directories = {path.rpartition("/")[0] for path in candidates} | {""}
    on_disk.extend(f"{d}/CLAUDE.local.md" if d else "CLAUDE.local.md" for d in directories)
    top = os.path.join(str(root), "")
    candidates.update(path for path in on_disk if _is_file(top + path))
    for folder in DISK_FOLDERS:
        base = root / folder
        if not base.is_dir() or safe_dir(root, folder) is None:
            continue  # absent, or a link out of the repository (`.cursor/rules -> /`)
        # An explicit stack (os.walk recurses per level: a 1,000-deep folder overflowed it).
        # Links to directories are not followed; links to files are vetted by `safe_path`.
        stack = [folder]
        while stack:
            directory = stack.pop()
            try:
                with os.scandir(root / directory) as entries:
                    listed = list(entries)
            except OSError:
                continue
            for entry in listed:
                relative = f"{directory}/{entry.name}"
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(relative)
                        continue
                except OSError:
                    continue
                if classify(relative) is not None:
                    candidates.add(relative)
    return candidates


# A rule file larger than this is not read (nobody writes 4 MB of rules; a hostile or generated
# file that big would only cost time).
MAX_RULE_BYTES = 4 * 1024 * 1024


def safe_path(root: Path, path: str) -> Path | None:
    """`root/path` if it is a regular file whose real location is inside `root`, else None.

    Rule files are found by name, not through the scan, so the scan's guarantees are checked
    here: a `CLAUDE.md` (or an `@import`, or a file in `.cursor/rules/`) that is a symbolic link
    out of the repository, or that sits below a linked directory, is never read; neither are
    FIFOs, sockets and devices (reading them blocks or never ends) nor files over MAX_RULE_BYTES.
    """
    try:
        base = os.path.realpath(root)
        real = os.path.realpath(os.path.join(root, path))
        if os.path.commonpath([base, real]) != base:
            return None
        info = os.stat(real)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RULE_BYTES:
        return None
    return Path(real)


def safe_dir(root: Path, path: str) -> Path | None:
    """`root/path` if it is a directory whose real location is inside `root`, else None."""
    try:
        base = os.path.realpath(root)
        real = os.path.realpath(os.path.join(root, path))
        if os.path.commonpath([base, real]) != base or not os.path.isdir(real):
            return None
    except (OSError, ValueError):
        return None
    return Path(real)


def read_text(path: Path) -> str:
    """A rule file's text, with CRLF read as LF (line numbers are unchanged).

    Read through the scanner's safe reader: non-blocking and checked again once open, since
    the file may have been replaced by a FIFO since :func:`safe_path` looked. A file that
    cannot be read, or is no longer a regular file, reads as empty.
    """
    data = read_regular(str(path), MAX_RULE_BYTES)
    if isinstance(data, str):
        return ""
    return data[:MAX_RULE_BYTES].decode("utf-8", errors="replace").replace("\r\n", "\n")


def read_rule(
    root: Path,
    path: str,
    convention: Convention,
    tokenizer: Tokenizer,
    known: RepoFiles,
    text: str | None = None,
) -> RuleFile:
    """Read one rule file (or take its unsaved `text`): frontmatter, activation, sections, imports."""
    real = safe_path(root, path)
    if text is None:
        text = read_text(real) if real is not None else ""
    else:
        text = text.replace("\r\n", "\n")
    front = read_frontmatter(text) if convention.kind in FRONTMATTER_KINDS else Frontmatter()
    activation, globs, description, problem = _activation(convention.kind, path, front.data)
    error, error_line = front.error, front.error_line
    if error is None and problem is not None:
        error, error_line = problem, _key_line(text, problem)
    rule = RuleFile(
        path=path,
        tools=convention.tools,
        scope=convention.scope,
        activation=activation,
        globs=globs,
        description=description,
        frontmatter=front.data,
        frontmatter_error=error,
        sections=split_sections(path, text, front.body_start, tokenizer),
        chars=len(text),
        tokens=tokenizer.count(text),
        kind=convention.kind,
        text=text,
        frontmatter_line=error_line,
        body_start=front.body_start,
    )
    if convention.kind in IMPORT_KINDS or convention.kind == "import":
        rule.imports = _imports(rule, known)
    link = root / path
    if real is not None and link.is_symlink():
        base = Path(os.path.realpath(root))
        if real.is_relative_to(base):
            rule.symlink_of = real.relative_to(base).as_posix()
    return rule


def _key_line(text: str, problem: str) -> int:
    key = problem.split("`")[1] if "`" in problem else ""
    for number, line in enumerate(text.split("\n"), 1):
        if key and line.startswith(key + ":"):
            return number
    return 1


def _activation(
    kind: str, path: str, data: dict[str, Any]
) -> tuple[Activation, tuple[str, ...], str | None, str | None]:
    """(activation, globs, description, frontmatter problem) for one file."""
    description = data.get("description")
    description = str(description).strip() if description not in (None, "") else None
    if kind == "cursor-mdc":
        always = data.get("alwaysApply")
        if always not in (None, True, False):
            return "always", (), description, "`alwaysApply` must be true or false"
        globs = as_globs(data.get("globs"))
        if always:
            return "always", globs, description, None
        if globs:
            return "glob", globs, description, None
        return ("request" if description else "manual"), (), description, None
    if kind == "windsurf-rule":
        trigger = data.get("trigger", "always_on")
        if trigger not in WINDSURF_TRIGGERS:
            allowed = ", ".join(WINDSURF_TRIGGERS)
            return "always", (), description, f"`trigger` must be one of {allowed}, got `{trigger}`"
        return WINDSURF_TRIGGERS[trigger], as_globs(data.get("globs")), description, None  # type: ignore[return-value]
    if kind == "copilot-instructions":
        globs = as_globs(data.get("applyTo"))
        if not globs:
            return "manual", (), description, None
        if all(is_universal(pattern) for pattern in globs):
            return "always", globs, description, None  # `applyTo: "**"` is Copilot's "always"
        return "glob", globs, description, None
    if kind in ("claude-rule", "cline-rule"):
        globs = as_globs(data.get("paths"))
        return ("glob" if globs else "always"), globs, description, None
    if kind == "continue-rule":
        always = data.get("alwaysApply")
        if always not in (None, True, False):
            return "always", (), description, "`alwaysApply` must be true or false"
        globs = as_globs(data.get("globs"))
        if always or (always is None and not globs):
            return "always", globs, description, None
        if globs:
            return "glob", globs, description, None
        return ("request" if description else "manual"), (), description, None
    if kind == "roo-rule" and ("/rules-" in path or path.startswith((".roo/rules-", ".roorules-"))):
        mode = path.split("rules-", 1)[1].split("/", 1)[0]
        return "request", (), description or f"Roo Code rules for the '{mode}' mode", None
    return "always", (), description, None


def _imports(rule: RuleFile, known: RepoFiles) -> tuple[Reference, ...]:
    base = posixpath.dirname(rule.path)
    found: list[Reference] = []
    for mention in find_mentions(rule.text, rule.body_start, imports=True):
        if mention.kind != "import":
            continue
        target = resolve(base, mention.target)
        if target is None:
            continue
        if mention.anchored and not known.exists(resolve(base, mention.target.split("/")[0]) or ""):
            continue  # `@types/node` in prose: not a path in this repository
        resolved = target if known.is_file(target) else None
        found.append(Reference(mention.target, mention.line, mention.col, resolved))
    return tuple(found)


def _follow_imports(
    root: Path,
    rules: dict[str, RuleFile],
    tokenizer: Tokenizer,
    known: RepoFiles,
    texts: Mapping[str, str],
) -> None:
    """Add the files that `@imports` pull in, up to MAX_IMPORT_DEPTH hops; cycles end it."""
    frontier = [(rule, 0) for rule in rules.values() if rule.imports]
    seen = set(rules)
    while frontier:
        importer, depth = frontier.pop(0)
        if depth >= MAX_IMPORT_DEPTH:
            continue
        for reference in importer.imports:
            target = reference.resolved
            if target is None:
                continue
            if target in rules:
                existing = rules[target]
                existing.tools = tuple(dict.fromkeys((*existing.tools, *importer.tools)))
                continue
            if target in seen:
                continue
            seen.add(target)
            if target not in texts and safe_path(root, target) is None:
                continue  # a link out of the repository, a FIFO, a huge file: never read
            convention = Convention("import", importer.tools, importer.scope)
            imported = read_rule(root, target, convention, tokenizer, known, texts.get(target))
            imported.activation = importer.activation
            imported.globs = importer.globs
            imported.imported_by = importer.path
            rules[target] = imported
            frontier.append((imported, depth + 1))


def _mark_shadowing(rules: dict[str, RuleFile]) -> None:
    """Record, on each AGENTS.md, the deeper folders whose own AGENTS.md is nearer."""
    agents = [rule for rule in rules.values() if rule.kind == "agents-md"]
    for rule in agents:
        rule.shadowed_by = tuple(
            sorted(
                other.scope
                for other in agents
                if other is not rule
                and _inside(other.scope, rule.scope)
                and other.scope != rule.scope
            )
        )


def _add_zed(rules: dict[str, RuleFile]) -> None:
    for path in ZED_ORDER:
        rule = rules.get(path)
        if rule is not None:
            if "zed" not in rule.tools:
                rule.tools = (*rule.tools, "zed")
            return
