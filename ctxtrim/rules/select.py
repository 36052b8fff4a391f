"""Pick the rule sections a task needs, ranked and fitted under a token budget.

Always-on rules compete by relevance to the task and to the files in the pack; glob rules
join when a selected file matches them; on-request rules when their description matches the
task; manual rules only when the task names them. `<!-- ctxtrim:keep -->` sections of a rule
in play are never pruned for relevance.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from ..tokens import Tokenizer
from .discover import applies_to
from .globs import glob_matches
from .lexical import bm25, words
from .model import RuleFile, RuleSection

MIN_SCORE = 0.1  # below this a section is noise for the task, even if budget remains
RELATIVE_FLOOR = 0.2  # of the best section's score
_OVERVIEW_TOKENS = 120  # a short first section of an always-on file: what the project is
_LANGUAGES = {
    "py": "python",
    "pyi": "python",
    "ts": "typescript",
    "tsx": "typescript",
    "js": "javascript",
    "jsx": "javascript",
    "mjs": "javascript",
    "go": "golang",
    "rs": "rust",
    "java": "java",
    "kt": "kotlin",
    "rb": "ruby",
    "php": "php",
    "cs": "csharp",
    "swift": "swift",
    "css": "css",
    "scss": "scss",
    "html": "html",
    "sql": "sql",
    "sh": "shell",
    "vue": "vue",
    "svelte": "svelte",
    "md": "markdown",
    "scala": "scala",
    "dart": "dart",
}


@dataclass(slots=True)
class Scored:
    """A section with its score and the reasons for it (or for dropping it)."""

    section: RuleSection
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Selection:
    """Sections kept for the pack and sections left out, each sorted by score, path, line."""

    kept: list[Scored]
    dropped: list[Scored]
    budget: int
    tokens: int  # what the kept sections cost, headers included


def select_sections(
    rules: list[RuleFile], task: str, paths: list[str], budget: int, tokenizer: Tokenizer
) -> Selection:
    """Rank every section of `rules` for `task` and the pack's `paths`; keep the best that fit.

    `paths` are the files selected into the pack plus focus files (repo-relative, posix).
    A kept section costs its text plus a header line, counted with `tokenizer`.
    """
    task_words = set(words(task))
    candidates: list[Scored] = []
    dropped: list[Scored] = []
    for rule in rules:
        boost, reasons, excluded = _rule_activation(rule, task, task_words, paths)
        for section in rule.sections:
            scored = Scored(section, boost, list(reasons))
            (dropped if excluded else candidates).append(scored)
    _score_sections(candidates, rules, task_words, paths)
    candidates.sort(key=_order)
    kept, tokens = _fit(candidates, dropped, budget, tokenizer)
    kept.sort(key=_order)
    dropped.sort(key=_order)
    return Selection(kept=kept, dropped=dropped, budget=budget, tokens=tokens)


def header_text(section: RuleSection) -> str:
    """The line a renderer puts above a rule section; counted into its cost."""
    return f"### {section.file} — {section.title}\n"


def _order(scored: Scored) -> tuple[float, str, int]:
    return (-scored.score, scored.section.file, scored.section.start)


def _rule_activation(
    rule: RuleFile, task: str, task_words: set[str], paths: list[str]
) -> tuple[float, list[str], bool]:
    """(boost, reasons, excluded) for every section of `rule`."""
    if rule.scope and not any(_inside(path, rule.scope) for path in paths):
        return 0.0, [f"applies to {rule.scope}/ only, and no selected file is there"], True
    if rule.activation == "always":
        if not rule.scope:
            return 0.0, [], False
        inside = next((path for path in paths if applies_to(rule, path)), None)
        if inside is None:
            return 0.0, ["a nearer rule file wins for the selected files"], True
        return 0.2, [f"nested rule for {rule.scope}/ covers {inside}"], False
    if rule.activation == "glob":
        for path in paths:
            pattern = _matching_glob(rule, path)
            if pattern is not None:
                return 0.3, [f"glob `{pattern}` matches {path}"], False
        return 0.0, ["glob matches no selected file"], True
    if rule.activation == "request":
        shared = sorted(task_words & set(words(rule.description or "")))
        if not shared:
            return 0.0, ["description does not match the task"], True
        return 0.3, [f"description matches the task ({', '.join(shared)})"], False
    name = _rule_name(rule.path)
    if re.search(rf"(?<![\w-])@?{re.escape(name)}(?![\w-])", task, re.IGNORECASE):
        return 0.3, [f"manual rule named in the task ({name})"], False
    return 0.0, ["manual rule not named in the task"], True


def _inside(path: str, directory: str) -> bool:
    return path.startswith(directory + "/")


def _matching_glob(rule: RuleFile, path: str) -> str | None:
    if not applies_to(rule, path):
        return None
    relative = path[len(rule.scope) + 1 :] if rule.scope else path
    return next((g for g in rule.globs if glob_matches(g, relative)), None)


def _rule_name(path: str) -> str:
    name = posixpath.basename(path)
    for suffix in (".instructions.md", ".mdc", ".md", ".txt"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _score_sections(
    candidates: list[Scored], rules: list[RuleFile], task_words: set[str], paths: list[str]
) -> None:
    # The section's own heading counts twice; its parents' (the project's H1) do not count.
    documents = [words(_document(scored.section)) for scored in candidates]
    lexical = bm25(sorted(task_words), documents)
    top = max(lexical, default=0.0) or 1.0
    first_sections = {
        (rule.path, rule.sections[0].start) for rule in rules if rule.always_on and rule.sections
    }
    for scored, raw in zip(candidates, lexical, strict=True):
        section = scored.section
        if raw:
            scored.score += raw / top
            matched = sorted(task_words & set(words(_document(section))))
            scored.reasons.append(f"matches the task ({', '.join(matched[:5])})")
        credit, reasons = _path_credit(section.text, paths)
        scored.score += credit
        scored.reasons.extend(reasons)
        if (section.file, section.start) in first_sections and _is_overview(section):
            scored.score += 0.15
            scored.reasons.append("short project overview")
        if section.keep:
            scored.score += 1.0
            scored.reasons.insert(0, "marked ctxtrim:keep")
        scored.score = round(scored.score, 4)


def _is_overview(section: RuleSection) -> bool:
    """Short, with a body: a one-paragraph "what this project is", not a bare title."""
    body = section.text.split("\n")[1 if section.heading_path else 0 :]
    return section.tokens <= _OVERVIEW_TOKENS and any(line.strip() for line in body)


def _document(section: RuleSection) -> str:
    heading = section.heading_path[-1] if section.heading_path else ""
    return f"{heading} {heading} {section.text}"


def _path_credit(text: str, paths: list[str]) -> tuple[float, list[str]]:
    """Credit for naming a selected file, one of its folders, its extension or language."""
    lowered = text.lower()
    text_words = set(words(text))
    credit, reasons = 0.0, []
    for path in sorted(set(paths)):
        if path in text:
            return 0.6, [f"mentions {path}"]
    folders = sorted(
        {d for path in paths for d in _parents(path)}, key=lambda d: (-d.count("/"), d)
    )
    for folder in folders:
        if re.search(rf"(?<![\w./-])(?:\./)?{re.escape(folder)}(?:/|`)", text):
            credit += 0.1 * min(folder.count("/") + 1, 3)  # `src/` says less than `src/app/auth/`
            reasons.append(f"mentions {folder}/")
            break
    extensions = sorted({posixpath.splitext(path)[1].lstrip(".").lower() for path in paths} - {""})
    for extension in extensions:
        if re.search(rf"(?<![\w/]){re.escape('.' + extension)}\b", lowered):
            credit += 0.15
            reasons.append(f"mentions .{extension}")
            break
    for extension in extensions:
        language = _LANGUAGES.get(extension)
        if language and language in text_words:
            credit += 0.15
            reasons.append(f"mentions {language}")
            break
    return credit, reasons


def _parents(path: str) -> list[str]:
    parents, parent = [], posixpath.dirname(path)
    while parent:
        parents.append(parent)
        parent = posixpath.dirname(parent)
    return parents


def _fit(
    candidates: list[Scored], dropped: list[Scored], budget: int, tokenizer: Tokenizer
) -> tuple[list[Scored], int]:
    kept: list[Scored] = []
    seen_text: dict[str, RuleSection] = {}
    used = 0
    # Relevance is relative: with a strong match in hand, a faint one is noise, even if the
    # budget could hold it.
    floor = max(MIN_SCORE, RELATIVE_FLOOR * max((c.score for c in candidates), default=0.0))
    for scored in candidates:
        section = scored.section
        if scored.score < floor and not section.keep:
            scored.reasons.append("not relevant to the task")
            dropped.append(scored)
            continue
        normalized = " ".join(section.text.split()).lower()
        if normalized in seen_text:
            twin = seen_text[normalized]
            scored.reasons.append(f"same text as {twin.file}:{twin.start}")
            dropped.append(scored)
            continue
        cost = tokenizer.count(section.text) + tokenizer.count(header_text(section))
        if used + cost > budget:
            scored.reasons.append(f"over budget ({cost} tokens, {budget - used} left)")
            dropped.append(scored)
            continue
        used += cost
        seen_text[normalized] = section
        kept.append(scored)
    return kept, used
