"""The lint checks behind `ctxtrim check`: size, vendor limits, references, globs, duplicates,
frontmatter and secrets. Each check yields Diagnostics; `run_checks` filters and sorts them."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..secrets import find_secrets
from ..terms import words
from .diagnostics import Diagnostic, Severity, Suppressions, code_of
from .globs import is_universal, matching
from .model import TOOLS, RuleFile
from .references import find_mentions, resolve
from .repo import RepoFiles
from .settings import CheckSettings

WINDSURF_FILE_LIMIT = 12_000  # characters per rule file in .windsurf/rules
WINDSURF_LEGACY_LIMIT = 6_000  # characters in .windsurfrules (and global rules)
CODEX_CHAIN_LIMIT = 32 * 1024  # bytes of the AGENTS.md chain Codex reads (project_doc_max_bytes)
CLAUDE_SIZE_WARNING = 40_000  # characters; Claude Code's own "large CLAUDE.md" warning
COPILOT_REVIEW_LIMIT = 4_000  # characters of copilot-instructions.md that code review reads
CURSOR_LINE_ADVICE = 500
BROAD_GLOB_MIN_FILES = 20  # below this, "matches 90 % of files" says little
DUPLICATE_MIN_WORDS = 12
NEAR_DUPLICATE_MIN_WORDS = 30


@dataclass(slots=True)
class CheckContext:
    """What every check may consult."""

    rules: list[RuleFile]
    repo: RepoFiles
    settings: CheckSettings
    targets: set[str]  # rule files to lint in full; repo-wide checks look at all rules


def run_checks(
    rules: list[RuleFile], repo: RepoFiles, settings: CheckSettings, targets: set[str] | None = None
) -> list[Diagnostic]:
    """All diagnostics, suppressions applied, sorted by path, line, column and code.

    `targets` limits the per-file checks to some rule files (those a commit changed); the
    checks that break when other files change (dead paths, @imports, globs) always run on all.
    """
    context = CheckContext(
        rules, repo, settings, set(targets) if targets is not None else {r.path for r in rules}
    )
    found: list[Diagnostic] = []
    for check in REPO_WIDE:
        found.extend(check(context))
    for check in PER_FILE:
        found.extend(d for d in check(context) if d.path in context.targets)
    disabled = {code_of(word) for word in settings.disable} - {None}
    suppressions = {rule.path: Suppressions(rule) for rule in rules}
    kept = {
        d
        for d in found
        if d.code not in disabled
        and not (d.path in suppressions and suppressions[d.path].silences(d))
    }
    return sorted(kept, key=Diagnostic.sort_key)


# ------------------------------------------------------------------ references


def check_dead_paths(context: CheckContext) -> Iterator[Diagnostic]:
    """Backticked and linked paths that do not exist relative to the file or the root."""
    repo = context.repo
    for rule in context.rules:
        base = posixpath.dirname(rule.path)
        for mention in find_mentions(rule.text, rule.body_start):
            target = mention.target
            candidates = {c for c in (resolve(base, target), resolve("", target)) if c is not None}
            if not candidates or any(repo.exists(c) for c in candidates):
                continue
            if mention.anchored and not any(
                _first_dir_exists(repo, base, target, c) for c in candidates
            ):
                continue  # `origin/main`: not a path in this repository at all
            name = target.rstrip("/").rsplit("/", 1)[-1]
            if "/" not in target.rstrip("/") and repo.named(name):
                continue  # `settings.py` names a file somewhere in the repository
            if any(repo.expected_missing(c) for c in candidates):
                continue
            if _not_yet_a_file(rule.text, mention.line, target):
                continue
            where = f" (looked in {base}/ and the repository root)" if base else ""
            yield Diagnostic(
                rule.path,
                mention.line,
                mention.col,
                "error",
                "CTX101",
                f"`{target}` does not exist{where}",
                _path_hint(repo, name, "dead-path"),
            )


# Words that introduce a file the reader is told to make, or an example name.
_TO_BE_MADE = re.compile(
    r"\b(create|creates|creating|add|adding|new|write|generate|named|called|e\.g\.|for example|such as|like)\b",
    re.IGNORECASE,
)


def _not_yet_a_file(text: str, line: int, target: str) -> bool:
    """A name that is not meant to exist: `.result.json` (a suffix, not a file), or a file the
    rule tells the reader to create ("Create `new_checker.py` in tests/")."""
    if target.startswith(".") and "/" not in target and target.count(".") >= 2:
        return True
    lines = text.split("\n")
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    before = here[: here.find(target)] if target in here else here
    return bool(_TO_BE_MADE.search(before))


def _first_dir_exists(repo: RepoFiles, base: str, target: str, candidate: str) -> bool:
    first = target.lstrip("./").split("/", 1)[0]
    return any(repo.exists(d) for d in (posixpath.join(base, first), first) if d)


def _path_hint(repo: RepoFiles, name: str, code: str) -> str:
    similar = [p for p in repo.named(name) if p][:3]
    if similar:
        return f"did you mean `{similar[0]}`? Update or remove the reference"
    return (
        "update the path or remove the reference; if the file is generated, gitignore it, "
        f"or silence this with `<!-- ctxtrim: disable={code} -->` on the line above"
    )


def check_dead_imports(context: CheckContext) -> Iterator[Diagnostic]:
    """`@path` imports whose file is missing: the assistant silently loads nothing."""
    for rule in context.rules:
        base = posixpath.dirname(rule.path)
        for reference in rule.imports:
            if reference.resolved is not None:
                continue
            target = resolve(base, reference.target) or reference.target
            if context.repo.expected_missing(target):
                continue
            name = reference.target.rsplit("/", 1)[-1]
            yield Diagnostic(
                rule.path,
                reference.line,
                reference.col,
                "error",
                "CTX102",
                f"`@{reference.target}` imports a file that does not exist",
                _path_hint(context.repo, name, "dead-import"),
            )


# ------------------------------------------------------------------ globs


def check_globs(context: CheckContext) -> Iterator[Diagnostic]:
    """Globs matching no file (dead) and globs matching nearly everything (broad)."""
    for rule in context.rules:
        if rule.activation != "glob" or rule.imported_by:
            continue
        files = _files_in_scope(context.repo, rule.scope)
        hits = {pattern: matching(pattern, files) for pattern in rule.globs}
        line = _frontmatter_key_line(rule, ("globs", "paths", "applyTo"))
        dead = [pattern for pattern, matched in hits.items() if not matched]
        if dead and len(dead) == len(hits):
            yield Diagnostic(
                rule.path,
                line,
                1,
                "error",
                "CTX103",
                f"no file matches {_quote(dead)}: the rule can never activate",
                "fix the glob (globs are relative to the repository root), or delete the rule",
            )
        else:
            for pattern in dead:
                yield Diagnostic(
                    rule.path,
                    line,
                    1,
                    "warning",
                    "CTX103",
                    f"no file matches `{pattern}`",
                    "fix or remove this glob; the rule's other globs still match",
                )
        for pattern, matched in hits.items():
            ratio = len(matched) / len(files) if files else 0.0
            broad_by_data = (
                len(files) >= BROAD_GLOB_MIN_FILES and ratio > context.settings.broad_glob_ratio
            )
            if is_universal(pattern) or broad_by_data:
                share = f" ({len(matched)} of {len(files)} files)" if files else ""
                yield Diagnostic(
                    rule.path,
                    line,
                    1,
                    "warning",
                    "CTX104",
                    f"`{pattern}` matches nearly every file{share}: the rule is effectively always on",
                    "narrow the glob to the files the rule is about, or make the rule always-on explicitly",
                )


def _files_in_scope(repo: RepoFiles, scope: str) -> list[str]:
    files = sorted(repo.files)
    if not scope:
        return files
    return [path[len(scope) + 1 :] for path in files if path.startswith(scope + "/")]


def _frontmatter_key_line(rule: RuleFile, keys: tuple[str, ...]) -> int:
    for number, line in enumerate(rule.text.split("\n")[: rule.body_start], 1):
        if any(line.startswith(key + ":") for key in keys):
            return number
    return 1


def _quote(patterns: list[str]) -> str:
    return ", ".join(f"`{pattern}`" for pattern in patterns)


# ------------------------------------------------------------------ frontmatter


def check_frontmatter(context: CheckContext) -> Iterator[Diagnostic]:
    """Unreadable frontmatter, and on-request rules with nothing to decide by."""
    for rule in context.rules:
        if rule.frontmatter_error:
            yield Diagnostic(
                rule.path,
                rule.frontmatter_line,
                1,
                "error",
                "CTX001",
                f"invalid frontmatter: {rule.frontmatter_error}",
                "write `key: value` lines between two `---` lines at the top of the file",
            )
        if rule.description:
            continue
        data = rule.frontmatter
        cursor_request = (
            rule.kind == "cursor-mdc" and data.get("alwaysApply") is False and not rule.globs
        )
        windsurf_request = rule.kind == "windsurf-rule" and data.get("trigger") == "model_decision"
        if cursor_request or windsurf_request:
            yield Diagnostic(
                rule.path,
                1,
                1,
                "warning",
                "CTX002",
                "the rule is applied on request but has no description, so the agent never picks it",
                "add a `description:` saying when the rule applies, or give it globs",
            )


# ------------------------------------------------------------------ size


def check_sizes(context: CheckContext) -> Iterator[Diagnostic]:
    """Tokens per always-on file, per section, and in total per tool."""
    settings = context.settings
    for rule in context.rules:
        if rule.activation == "always":
            severity = _level(rule.tokens, settings.file_tokens_warning, settings.file_tokens_error)
            if severity:
                limit = (
                    settings.file_tokens_error
                    if severity == "error"
                    else settings.file_tokens_warning
                )
                yield Diagnostic(
                    rule.path,
                    1,
                    1,
                    severity,
                    "CTX201",
                    f"always-on rule file has {rule.tokens:,} tokens (limit {limit:,})",
                    "move task-specific sections into glob-scoped or on-request rules, or trim them",
                )
        for section in rule.sections:
            if section.tokens > settings.section_tokens_warning:
                yield Diagnostic(
                    rule.path,
                    section.start,
                    1,
                    "warning",
                    "CTX203",
                    f"section '{section.title}' has {section.tokens:,} tokens "
                    f"(limit {settings.section_tokens_warning:,})",
                    "split it under sub-headings so packs can keep only the relevant part",
                )


def check_tool_totals(context: CheckContext) -> Iterator[Diagnostic]:
    """The always-on tokens each tool puts into every conversation."""
    settings = context.settings
    for tool, files in always_on_by_tool(context.rules).items():
        total = sum(rule.tokens for rule in files)
        severity = _level(total, settings.tool_tokens_warning, settings.tool_tokens_error)
        if not severity or not any(rule.path in context.targets for rule in files):
            continue
        limit = settings.tool_tokens_error if severity == "error" else settings.tool_tokens_warning
        largest = max(files, key=lambda rule: (rule.tokens, rule.path))
        parts = ", ".join(f"{rule.path} {rule.tokens:,}" for rule in files)
        yield Diagnostic(
            largest.path,
            1,
            1,
            severity,
            "CTX202",
            f"{TOOLS[tool]} loads {total:,} always-on tokens (limit {limit:,}): {parts}",
            "keep always-on rules to what every task needs; scope the rest by glob or description",
        )


def always_on_by_tool(rules: list[RuleFile]) -> dict[str, list[RuleFile]]:
    """For each tool, the files it loads into every conversation (a symlinked twin counted once)."""
    by_tool: dict[str, list[RuleFile]] = {}
    for tool in TOOLS:
        seen: set[str] = set()
        for rule in rules:
            real = rule.symlink_of or rule.path
            if tool in rule.tools and rule.always_on and real not in seen:
                seen.add(real)
                by_tool.setdefault(tool, []).append(rule)
    return by_tool


def _level(value: int, warning: int, error: int) -> Severity | None:
    if value > error:
        return "error"
    if value > warning:
        return "warning"
    return None


# ------------------------------------------------------------------ vendor limits


def check_vendor_limits(context: CheckContext) -> Iterator[Diagnostic]:
    """The hard limits and advice of Windsurf, Claude Code, Copilot and Cursor, per file."""
    for rule in context.rules:
        if rule.kind in ("windsurfrules", "windsurf-rule"):
            limit = WINDSURF_LEGACY_LIMIT if rule.kind == "windsurfrules" else WINDSURF_FILE_LIMIT
            if rule.chars > limit:
                line, col = _position(rule.text, limit)
                yield Diagnostic(
                    rule.path,
                    line,
                    col,
                    "error",
                    "CTX301",
                    f"{rule.chars:,} characters; Windsurf reads only the first {limit:,}, "
                    "and silently drops the rest from here",
                    "split the file into several rules under .windsurf/rules/ or trim it",
                )
        if rule.kind in ("claude-md", "claude-local") and rule.chars > CLAUDE_SIZE_WARNING:
            yield Diagnostic(
                rule.path,
                1,
                1,
                "warning",
                "CTX303",
                f"{rule.chars:,} characters; Claude Code warns that a CLAUDE.md over "
                f"{CLAUDE_SIZE_WARNING:,} characters hurts performance",
                "move detail into .claude/rules/ files scoped with `paths:`, or into @imported docs",
            )
        if rule.kind == "copilot" and rule.chars > COPILOT_REVIEW_LIMIT:
            line, col = _position(rule.text, COPILOT_REVIEW_LIMIT)
            yield Diagnostic(
                rule.path,
                line,
                col,
                "warning",
                "CTX304",
                f"{rule.chars:,} characters; Copilot code review reads only the first "
                f"{COPILOT_REVIEW_LIMIT:,}, up to here",
                "put review-relevant rules first, or move the rest into .github/instructions/",
            )
        lines = rule.text.count("\n") + (0 if rule.text.endswith("\n") else 1)
        if rule.kind == "cursor-mdc" and lines > CURSOR_LINE_ADVICE:
            yield Diagnostic(
                rule.path,
                CURSOR_LINE_ADVICE + 1,
                1,
                "warning",
                "CTX305",
                f"{lines} lines; Cursor advises keeping a rule under {CURSOR_LINE_ADVICE} lines",
                "split it into focused rules, each with its own globs or description",
            )


def check_codex_chain(context: CheckContext) -> Iterator[Diagnostic]:
    """Codex concatenates AGENTS.md from the root down to the working directory and stops
    reading at 32 KiB, silently; report where each chain is cut."""
    agents = sorted((r for r in context.rules if r.kind == "agents-md"), key=lambda r: r.path)
    reported: set[tuple[str, int]] = set()
    for leaf in agents:
        chain = [
            r
            for r in agents
            if not r.scope or leaf.scope == r.scope or leaf.scope.startswith(r.scope + "/")
        ]
        chain.sort(key=lambda r: r.scope.count("/") + bool(r.scope))
        used = 0
        for rule in chain:
            size = len(rule.text.encode("utf-8"))
            if used + size > CODEX_CHAIN_LIMIT:
                cut = CODEX_CHAIN_LIMIT - used
                prefix = rule.text.encode("utf-8")[: max(cut, 0)].decode("utf-8", errors="ignore")
                line, col = _position(rule.text, len(prefix))
                total = sum(len(r.text.encode("utf-8")) for r in chain)
                if (rule.path, line) not in reported:
                    reported.add((rule.path, line))
                    names = " + ".join(r.path for r in chain)
                    yield Diagnostic(
                        rule.path,
                        line,
                        col,
                        "error",
                        "CTX302",
                        f"Codex reads at most 32 KiB of AGENTS.md ({names} is {total:,} bytes); "
                        "it silently ignores everything from here",
                        "shorten the AGENTS.md chain, or move detail into docs the agent can open",
                    )
                break
            used += size


def _position(text: str, offset: int) -> tuple[int, int]:
    head = text[:offset]
    line = head.count("\n") + 1
    return line, offset - (head.rfind("\n") + 1) + 1


# ------------------------------------------------------------------ duplicates


def check_duplicates(context: CheckContext) -> Iterator[Diagnostic]:
    """Sections repeated, word for word or nearly, across rule files (or in one)."""
    threshold = context.settings.duplicate_similarity
    entries = []
    for rule in context.rules:
        for section in rule.sections:
            tokens = words(re.sub(r"<!--.*?-->", " ", section.text, flags=re.DOTALL))
            if len(tokens) >= DUPLICATE_MIN_WORDS:
                entries.append((rule, section, " ".join(tokens), _shingles(tokens)))
    seen_exact: dict[str, tuple[RuleFile, int]] = {}
    for index, (rule, section, normalized, shingles) in enumerate(entries):
        twin = seen_exact.get(normalized)
        similar = None
        if twin is None and len(shingles) + 2 >= NEAR_DUPLICATE_MIN_WORDS:
            similar = next(
                (
                    (other, other_section.start)
                    for other, other_section, _, other_shingles in entries[:index]
                    if _jaccard(shingles, other_shingles) >= threshold
                ),
                None,
            )
        match = twin or similar
        seen_exact.setdefault(normalized, (rule, section.start))
        if match is None or _same_file(rule, match[0]):
            continue
        other, line = match
        how = "repeats" if twin else "nearly repeats"
        yield Diagnostic(
            rule.path,
            section.start,
            1,
            "warning",
            "CTX401",
            f"section '{section.title}' {how} {other.path}:{line}",
            "keep one copy; reference it (e.g. `@AGENTS.md` in CLAUDE.md) instead of duplicating it",
        )


def _same_file(a: RuleFile, b: RuleFile) -> bool:
    return (a.symlink_of or a.path) == (b.symlink_of or b.path) and a.path != b.path


def _shingles(tokens: list[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(tokens[i : i + 3]) for i in range(max(len(tokens) - 2, 1)))


def _jaccard(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# ------------------------------------------------------------------ secrets


def check_secrets(context: CheckContext) -> Iterator[Diagnostic]:
    """Credentials pasted into rule files: every assistant (and every pack) would send them."""
    for rule in context.rules:
        for finding in find_secrets(rule.text):
            line, col = _position(rule.text, finding.start)
            kind = finding.kind
            yield Diagnostic(
                rule.path,
                line,
                col,
                "error",
                "CTX501",
                f"possible secret ({kind}) in a rule file that assistants send to a model",
                "remove it, rotate the credential, and refer to an environment variable instead",
            )


REPO_WIDE = (check_dead_paths, check_dead_imports, check_globs)
PER_FILE = (
    check_frontmatter,
    check_sizes,
    check_tool_totals,
    check_vendor_limits,
    check_codex_chain,
    check_duplicates,
    check_secrets,
)
