"""Pick the rule sections a task needs, ranked and fitted under a token budget.

A rule file comes into play when it applies to a file in play — a file the pack shows, a
focus file, or one the task names (by path, module or symbol): nested AGENTS.md/CLAUDE.md
for files in their folder, glob rules (`globs`, `paths`, `applyTo`) for matching files.
Always-on rules are always in play; on-request rules when their description matches the
task; manual rules when the task names them or plainly concerns them (every word of the
rule's name is in the task).

Within the rules in play, each section needs real evidence to be kept:
- the task's words, each weighted by how rare it is across all of the repository's rule
  sections (a word most sections use is no evidence), a word in the section's heading
  counting twice;
- or a mention of a file in play, or of a folder holding one (a file the pack left out is
  not evidence);
- or `<!-- ctxtrim:keep -->`, or being a rule file's short opening overview.
Then relevance is relative: with a strong match in hand, a faint one is noise. A section
worth keeping that is larger than the budget left is trimmed to its blocks that match.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Collection
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from ..bm25 import Corpus
from ..task import extract
from ..terms import TASK_WORDS, compounds, words
from ..tokens import Tokenizer
from .discover import applies_to
from .globs import glob_matches
from .model import TRIM_GAP, RuleFile, RuleSection
from .references import find_mentions

MIN_SCORE = 0.1  # below this a section is noise for the task, even if budget remains
RELATIVE_FLOOR = 0.25  # of the best section's score
# Lexical evidence is counted in units of the rarest word's weight (a word in one section):
# one rare word, two middling ones, or a middling one in the heading pass; a common one not.
MIN_EVIDENCE = 0.75
HEADING_WEIGHT = 2.0  # a task word in the section's heading counts this many times
ACTIVE_PRIOR = 0.5  # a scoped rule for a file the task is about (focus, or named by the task)
TOPIC_PRIOR = 0.4  # at most, for sections of a rule file whose title is about the task
SHOWN_PRIOR = 0.1  # a scoped rule for a file only shown: broad globs (`**/*.cs`) match many
MAX_SECTION_SHARE = 0.3  # of the budget: a larger section is trimmed to its matching parts
MENTION_CREDIT = 0.6  # the section names a file in play
NAME_PART_WEIGHT = 0.5  # a task word that is only part of a name the task gives (see `halves`)
OVERVIEW_CREDIT = 0.15
TRIM_FOCUS = 0.5  # a trimmed section keeps blocks matching at least this share of its best
MIN_TRIM_TOKENS = 48  # less room than this left: trimming would keep a heading and no rule
_OVERVIEW_TOKENS = 120  # a short first section of a rule file: what the project is
# A section its author marks as binding ("Non-negotiables", "Backward compatibility
# (CRITICAL)", "What you do NOT do") applies to every task its file is in play for, whatever
# words the task uses. Short ones only: a long section is a topic, not a rule.
CONSTRAINT_CREDIT = 0.6
MAX_CONSTRAINT_TOKENS = 400
_EMPHASIS = re.compile(r"\b(?:CRITICAL|IMPORTANT|MUST|NEVER|NOT|ALWAYS|REQUIRED|MANDATORY)\b")
_CONSTRAINT = re.compile(
    r"(?i)^(?:\d+[.)]?\s*)?(?:(?:hard|golden|ground|house|general|core|key|additional)\s+)?"
    r"(?:rules|constraints|guardrails|invariants|non-negotiables?)\W*$"
    r"|\bmandatory\b|\bdo(?:n't| not)\b"
)
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
    evidence: bool = False  # something beyond the rule being in play speaks for it


@dataclass(slots=True)
class Selection:
    """Sections kept and sections left out, each sorted by score, path, line."""

    kept: list[Scored]
    dropped: list[Scored]
    budget: int
    tokens: int  # what the kept sections cost, headers included
    paths: list[str] = field(default_factory=list)  # the files in play the selection used


@dataclass(slots=True)
class _Words:
    """The task's words and how much each weighs across the repository's rule sections."""

    query: frozenset[str]
    corpus: Corpus
    documents: dict[tuple[str, int], Counter[str]]  # (file, start) -> section terms
    headings: dict[tuple[str, int], frozenset[str]]
    titles: Corpus  # the headings alone: how rare a word is among what sections are about
    # (file, start) -> the task's words the section holds only as parts of its names: no
    # match; and those it holds only as parts of the task's names: half a match
    partial: dict[tuple[str, int], frozenset[str]]
    halved: dict[tuple[str, int], frozenset[str]]

    def matched(self, key: tuple[str, int]) -> frozenset[str]:
        """The task's words section `key` really shares with it."""
        return (self.query & self.documents[key].keys()) - self.partial[key]

    def evidence(
        self,
        terms: AbstractSet[str],
        heading: AbstractSet[str] = frozenset(),
        halved: AbstractSet[str] = frozenset(),
    ) -> float:
        """Weight of `terms` (task words found), in units of the rarest word's weight. A
        word in the heading weighs by its rarity among headings: "test" may fill every
        section's text and still name only the few sections that are about tests. A word
        in `halved` weighs NAME_PART_WEIGHT of that."""
        rarest = self.corpus.rarest() or 1.0
        total = 0.0
        for t in terms:
            weight = self.corpus.idf(t) / rarest
            if t in heading:
                weight = HEADING_WEIGHT * max(
                    weight, self.titles.idf(t) / (self.titles.rarest() or 1.0)
                )
            total += weight * (NAME_PART_WEIGHT if t in halved else 1.0)
        return total


def select_sections(
    rules: list[RuleFile],
    task: str,
    paths: list[str],
    budget: int,
    tokenizer: Tokenizer,
    focus: Collection[str] = (),
    files: Collection[str] | Reach = (),
) -> Selection:
    """Rank every section of `rules` for `task` and the files in play; keep the best that fit.

    `paths` are the files in play (repo-relative, posix): those the pack shows, the focus
    files and those the task names; `focus` those of them the task is about (the focus
    files and those it names), whose rules weigh more. `files` are all the repository's
    files: a scoped rule that applies to most of them says little about any one task (a
    caller that selects again over the same files passes their `Reach`). A kept section
    costs its text plus a header line, counted with `tokenizer`.
    """
    reach = files if isinstance(files, Reach) else Reach(files)
    lexicon = _lexicon(rules, task)
    in_play = list(dict.fromkeys(paths))
    candidates: list[Scored] = []
    dropped: list[Scored] = []
    for rule in rules:
        prior, reasons, excluded = _rule_activation(rule, task, lexicon, in_play, set(focus))
        if prior and rule.activation in ("always", "glob") and reach:
            prior *= 1 - reach(rule)
        for section in rule.sections:
            scored = Scored(section, prior, list(reasons))
            (dropped if excluded else candidates).append(scored)
    _score_sections(candidates, rules, lexicon, in_play, set(focus))
    candidates.sort(key=_order)
    kept, tokens = _fit(candidates, dropped, budget, tokenizer, lexicon)
    kept.sort(key=_order)
    dropped.sort(key=_order)
    return Selection(kept=kept, dropped=dropped, budget=budget, tokens=tokens, paths=in_play)


def header_text(section: RuleSection) -> str:
    """The line a renderer puts above a rule section; counted into its cost."""
    return f"### {section.file} — {section.title}\n"


def _order(scored: Scored) -> tuple[float, str, int]:
    return (-scored.score, scored.section.file, scored.section.start)


def _key(section: RuleSection) -> tuple[str, int]:
    return (section.file, section.start)


def _lexicon(rules: list[RuleFile], task: str) -> _Words:
    """Every section's terms (its heading and intermediate headings counted extra) and
    their rarity across all the repository's rule sections."""
    documents: dict[tuple[str, int], Counter[str]] = {}
    headings: dict[tuple[str, int], frozenset[str]] = {}
    partial: dict[tuple[str, int], frozenset[str]] = {}
    halved: dict[tuple[str, int], frozenset[str]] = {}
    spoken = _Spoken.of(_prose(task))
    for rule in rules:
        titles = sum(1 for s in rule.sections if len(s.heading_path) == 1)
        for section in rule.sections:
            # A file's single top heading is its title ("Project X"), shared by every
            # section below it: no evidence for any one of them.
            path = section.heading_path
            own = path[1:] if titles == 1 and len(path) > 1 else path
            heading = words(" ".join(own))
            terms = Counter(words(section.text))
            terms.update(heading * int(HEADING_WEIGHT - 1))
            key = _key(section)
            documents[key] = terms
            headings[key] = frozenset(heading)
            partial[key], halved[key] = spoken.halves(section.text + "\n" + " ".join(own), terms)
    corpus = Corpus(list(documents.values()))
    about = Corpus([dict.fromkeys(h, 1) for h in headings.values()])
    return _Words(spoken.query, corpus, documents, headings, about, partial, halved)


@dataclass(frozen=True, slots=True)
class _Spoken:
    """The task's words, and how it spells them: on their own, or as parts of names."""

    words: frozenset[str]
    alone: frozenset[str]
    names: frozenset[frozenset[str]]  # the parts of each compound name (`ClientSession`)
    query: frozenset[str]  # the words that can be evidence: not "fix", "add"

    @classmethod
    def of(cls, text: str) -> _Spoken:
        alone, names = compounds(text)
        every = frozenset(words(text))
        return cls(every, frozenset(alone), frozenset(names), every - TASK_WORDS)

    def halves(self, text: str, terms: Collection[str]) -> tuple[frozenset[str], frozenset[str]]:
        """The query words `text` (whose words are `terms`) shares with the task only by
        parts of names: (those it holds only as parts of its own names, which do not match:
        "timeouts" meets `keepalive_timeout` in name only; those the task holds only as parts
        of its names, which half match: `WebhookSecretModal` is partly about modals). A name
        the other side spells out whole matches: "keepalive timeout", `keepalive_timeout`."""
        shared = self.query.intersection(terms)
        if not shared:
            return frozenset(), frozenset()
        alone, names = compounds(text)
        own = frozenset(terms)
        in_text = {
            w for w in shared if w in alone or any(w in n and n <= self.words for n in names)
        }
        in_task = {
            w for w in in_text if w in self.alone or any(w in n and n <= own for n in self.names)
        }
        return frozenset(shared - in_text), frozenset(in_text - in_task)


def _prose(task: str) -> str:
    """The task with each path it names cut to the file's name: the path itself brings the
    file into play; its folders (`src`, `packages`) are no evidence for a section."""
    for path in extract(task).paths:
        task = task.replace(path, " " + posixpath.splitext(posixpath.basename(path))[0] + " ")
    return task


def _rule_activation(
    rule: RuleFile, task: str, lexicon: _Words, paths: list[str], focus: set[str]
) -> tuple[float, list[str], bool]:
    """(prior, reasons, excluded) for every section of `rule`."""
    paths = sorted(paths, key=lambda path: path not in focus)  # stable: the task's files first
    if rule.scope and not any(_inside(path, rule.scope) for path in paths):
        return 0.0, [f"applies to {rule.scope}/ only, and no file in play is there"], True
    if rule.activation == "always":
        if not rule.scope:
            return 0.0, [], False
        inside = next((path for path in paths if applies_to(rule, path)), None)
        if inside is None:
            return 0.0, ["a nearer rule file wins for the files in play"], True
        prior = ACTIVE_PRIOR if inside in focus else SHOWN_PRIOR
        return prior, [f"nested rule for {rule.scope}/ covers {inside}"], False
    if rule.activation == "glob":
        for path in paths:
            pattern = _matching_glob(rule, path)
            if pattern is not None:
                prior = ACTIVE_PRIOR if path in focus else SHOWN_PRIOR
                return prior, [f"glob `{pattern}` matches {path}"], False
        return 0.0, ["glob matches no file in play"], True
    if rule.activation == "request":
        # A description is the rule's title: its words weigh as a heading's do.
        shared = set(words(rule.description or "")) & lexicon.query
        if lexicon.evidence(shared, heading=shared) < MIN_EVIDENCE:
            return 0.0, ["description does not match the task"], True
        return ACTIVE_PRIOR, [f"description matches the task ({', '.join(sorted(shared))})"], False
    name = _rule_name(rule.path)
    if re.search(rf"(?<![\w-])@?{re.escape(name)}(?![\w-])", task, re.IGNORECASE):
        return ACTIVE_PRIOR, [f"manual rule named in the task ({name})"], False
    name_words = set(words(name.replace("-", " ").replace(".", " ")))
    if name_words and name_words <= lexicon.query:
        return ACTIVE_PRIOR, [f"the task concerns the manual rule {name}"], False
    return 0.0, ["manual rule not named in the task"], True


class Reach:
    """The share of the repository's files each scoped rule applies to: `**/*.cs` in a C#
    repository is as good as always on; `db/migrations/**` says where the task works.

    Each rule's share is computed once: it checks every file, ~0.6 s a pack for a repository
    with many rule files. Valid while `files` are the repository's: a workspace keeps one per
    index version."""

    __slots__ = ("files", "_shares")

    def __init__(self, files: Collection[str]) -> None:
        self.files = files
        # Keyed by what `applies_to` reads of a rule, not by the rule object.
        self._shares: dict[tuple[str, str, tuple[str, ...], tuple[str, ...]], float] = {}

    def __bool__(self) -> bool:
        return bool(self.files)

    def __call__(self, rule: RuleFile) -> float:
        key = (rule.scope, rule.activation, rule.globs, rule.shadowed_by)
        got = self._shares.get(key)
        if got is None:
            files = self.files
            got = self._shares[key] = sum(1 for p in files if applies_to(rule, p)) / len(files)
        return got


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
    candidates: list[Scored],
    rules: list[RuleFile],
    lexicon: _Words,
    paths: list[str],
    focus: AbstractSet[str],
) -> None:
    keys = [_key(scored.section) for scored in candidates]
    query = dict.fromkeys(sorted(lexicon.query), 1.0)
    lexical = Corpus([lexicon.documents[key] for key in keys]).scores(
        query, ignore=[lexicon.partial[key] for key in keys]
    )
    top = max(lexical, default=0.0) or 1.0
    first_sections = {_key(rule.sections[0]) for rule in rules if rule.sections}
    topics = {rule.path: _topic(rule, lexicon) for rule in rules}
    folders = _Folders(_folders(paths), _folders([p for p in paths if p in focus]), lexicon.query)
    for scored, key, raw in zip(candidates, keys, lexical, strict=True):
        section = scored.section
        matched = lexicon.matched(key)
        strength = lexicon.evidence(matched, lexicon.headings[key], lexicon.halved[key])
        if strength >= MIN_EVIDENCE:
            scored.evidence = True
            scored.score += raw / top + 0.25 * min(strength, 2.0)
            scored.reasons.append(f"matches the task ({', '.join(_by_weight(matched, lexicon))})")
            topic, words_in_title = topics[section.file]
            if topic:
                scored.score += topic
                scored.reasons.append(f"its file is about {', '.join(words_in_title)}")
        else:
            named = lexicon.partial[key] | (matched & lexicon.halved[key])
            if matched - named:
                common = ", ".join(sorted(matched - named)[:5])
                scored.reasons.append(f"only common words match ({common})")
            if named:
                scored.reasons.append(
                    f"shares only parts of names ({', '.join(sorted(named)[:5])})"
                )
        credit, reasons = _path_credit(section, paths, folders)
        if credit:
            scored.evidence = True
            scored.score += credit
            scored.reasons.extend(reasons)
        if key in first_sections and _is_overview(section):
            scored.evidence = True
            scored.score += OVERVIEW_CREDIT
            scored.reasons.append("short overview of its rule file")
        if _is_constraint(section):
            scored.evidence = True
            scored.score += CONSTRAINT_CREDIT
            scored.reasons.append("a rule its file marks as binding")
        if section.keep:
            scored.evidence = True
            scored.score += 1.0
            scored.reasons.insert(0, "marked ctxtrim:keep")
        if scored.evidence:
            extra, why = _language_credit(section.text, paths)
            scored.score += extra
            scored.reasons.extend(why)
        scored.score = round(scored.score, 4)


def _topic(rule: RuleFile, lexicon: _Words) -> tuple[float, list[str]]:
    """How much the rule file as a whole is about the task: its title (a single top
    heading), description and name, as a prior for its sections that match by themselves."""
    titles = [s.heading_path[0] for s in rule.sections if len(s.heading_path) == 1]
    about = " ".join(
        [*(titles if len(titles) == 1 else []), rule.description or "", _rule_name(rule.path)]
    )
    shared = set(words(about)) & lexicon.query
    strength = lexicon.evidence(shared, heading=shared)
    if strength < MIN_EVIDENCE:
        return 0.0, []
    return TOPIC_PRIOR * min(strength, 2.0) / 2.0, _by_weight(shared, lexicon)


def _by_weight(matched: AbstractSet[str], lexicon: _Words) -> list[str]:
    """The matched words, rarest first, at most five."""
    return sorted(matched, key=lambda t: (-lexicon.corpus.idf(t), t))[:5]


def _is_constraint(section: RuleSection) -> bool:
    """A short section whose own heading says it binds: emphasis in capitals (CRITICAL,
    NEVER, do NOT) or a heading that names rules or constraints."""
    if not section.heading_path or section.tokens > MAX_CONSTRAINT_TOKENS:
        return False
    heading = section.heading_path[-1]
    return bool(_EMPHASIS.search(heading) or _CONSTRAINT.search(heading))


def _is_overview(section: RuleSection) -> bool:
    """Short, with a body: a one-paragraph "what this project is", not a bare title."""
    body = section.text.split("\n")[1 if section.heading_path else 0 :]
    return section.tokens <= _OVERVIEW_TOKENS and any(line.strip() for line in body)


@dataclass(frozen=True, slots=True)
class _Folders:
    """The folders holding files in play, and what makes naming one evidence."""

    shown: dict[str, str]  # folder -> the least deep file in play there
    focus: dict[str, str]  # the same for the files the task is about
    query: frozenset[str]  # the task's words

    def held(self, folder: str) -> str | None:
        """The file in play that makes naming `folder` evidence, if any: one the task is
        about, or one only shown when the task names the folder's words too (a pack shows
        something for any task; `pylint/checkers/` says nothing about fixing the docs)."""
        if folder in self.focus:
            return self.focus[folder]
        if folder in self.shown and self.query & set(words(folder)):
            return self.shown[folder]
        return None


def _folders(paths: list[str]) -> dict[str, str]:
    """Each folder holding a file in play -> the least deep such file."""
    folders: dict[str, str] = {}
    for path in paths:
        parent = posixpath.dirname(path)
        while parent:
            held = folders.get(parent)
            if held is None or held.count("/") > path.count("/"):
                folders[parent] = path
            parent = posixpath.dirname(parent)
    return folders


def _path_credit(
    section: RuleSection, paths: list[str], folders: _Folders
) -> tuple[float, list[str]]:
    """Credit for naming a file in play, or a folder holding one (see `_Folders.held`). A
    path to any other file (one the pack left out) says nothing about this task."""
    base = posixpath.dirname(section.file)
    in_play = set(paths)
    best: tuple[float, str] | None = None
    for mention in find_mentions(section.text):
        target = mention.target.removeprefix("./").rstrip("/")
        for candidate in dict.fromkeys((target, posixpath.normpath(posixpath.join(base, target)))):
            if candidate in in_play:
                return MENTION_CREDIT, [f"mentions {candidate}"]
            held = folders.held(candidate)
            if held is not None:
                # The share of the file's path the folder names: `src/` says less about
                # src/app/auth/login.py than `src/app/auth/` does.
                depth = candidate.count("/") + 1
                credit = MENTION_CREDIT * depth / (held.count("/") + 1)
                if best is None or credit > best[0]:
                    best = (credit, f"mentions {candidate}/, which holds {held}")
    return (best[0], [best[1]]) if best else (0.0, [])


def _language_credit(text: str, paths: list[str]) -> tuple[float, list[str]]:
    """A little credit for naming the extension or language of a file in play."""
    lowered = text.lower()
    text_words = set(words(text))
    credit, reasons = 0.0, []
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


def _fit(
    candidates: list[Scored],
    dropped: list[Scored],
    budget: int,
    tokenizer: Tokenizer,
    lexicon: _Words,
) -> tuple[list[Scored], int]:
    kept: list[Scored] = []
    seen_text: dict[str, RuleSection] = {}
    used = 0
    evidenced = [c.score for c in candidates if c.evidence]
    floor = max(MIN_SCORE, RELATIVE_FLOOR * max(evidenced, default=0.0))
    for scored in candidates:
        section = scored.section
        if not section.keep and (not scored.evidence or scored.score < floor):
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
        left = budget - used
        room = min(left, max(int(MAX_SECTION_SHARE * budget), MIN_TRIM_TOKENS))
        trimmed = _trim(section, room, tokenizer, lexicon) if cost > room else None
        if trimmed is not None:
            scored.reasons.append(f"trimmed to the parts that match ({trimmed.tokens} of {cost})")
            scored.section = trimmed
            cost = tokenizer.count(trimmed.text) + tokenizer.count(header_text(trimmed))
        elif cost > left:
            scored.reasons.append(f"over budget ({cost} tokens, {left} left)")
            dropped.append(scored)
            continue
        used += cost
        seen_text[normalized] = section
        kept.append(scored)
    return kept, used


def _trim(
    section: RuleSection, room: int, tokenizer: Tokenizer, lexicon: _Words
) -> RuleSection | None:
    """`section` cut to its heading and the blocks (paragraphs, list items, code blocks)
    richest in the task's words that fit `room` tokens with their header; None if no block
    matches or nothing useful fits."""
    if room < MIN_TRIM_TOKENS:
        return None
    lines = section.text.split("\n")
    head = 1 if section.heading_path else 0
    blocks = _blocks(lines, head)
    query = lexicon.query - lexicon.partial[_key(section)]
    weights = [lexicon.evidence(query & set(words("\n".join(lines[a:b])))) for a, b in blocks]
    least = TRIM_FOCUS * max(weights, default=0.0)
    order = sorted(
        (i for i, w in enumerate(weights) if w > 0 and w >= least),
        key=lambda i: (-weights[i], blocks[i][0]),
    )
    if not order:
        return None
    chosen: list[int] = []
    best: RuleSection | None = None
    for index in order:
        attempt = _trimmed(section, lines, head, sorted([*chosen, index]), blocks, tokenizer)
        if tokenizer.count(attempt.text) + tokenizer.count(header_text(attempt)) <= room:
            chosen.append(index)
            best = attempt
    return best


_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s")


def _blocks(lines: list[str], first: int) -> list[tuple[int, int]]:
    """Line ranges [a, b) of the body's blocks from line `first`: a fenced code block, a
    table, a list item with its continuation lines, or a paragraph."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    fence = ""
    for index in range(first, len(lines)):
        stripped = lines[index].strip()
        if fence:
            if stripped.startswith(fence) and start is not None:
                blocks.append((start, index + 1))
                start, fence = None, ""
            continue
        starts_block = (
            not stripped
            or stripped.startswith(("```", "~~~"))
            or _LIST_ITEM.match(lines[index]) is not None
            or (
                start is not None
                and stripped.startswith("|") != lines[start].lstrip().startswith("|")
            )
        )
        if starts_block and start is not None:
            blocks.append((start, index))
            start = None
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        if stripped and start is None:
            start = index
    if start is not None:
        blocks.append((start, len(lines)))
    return blocks


def _trimmed(
    section: RuleSection,
    lines: list[str],
    head: int,
    chosen: list[int],
    blocks: list[tuple[int, int]],
    tokenizer: Tokenizer,
) -> RuleSection:
    """The section showing its heading and the `chosen` blocks; each run of left-out lines
    (other than blank ones) becomes one TRIM_GAP line."""
    spans = ([(0, head)] if head else []) + [blocks[i] for i in chosen]
    out: list[str] = []
    parts: list[tuple[int, int]] = []  # file lines, 1-based inclusive
    previous = 0  # end of the last span shown, as a text line index
    for a, b in spans:
        if any(line.strip() for line in lines[previous:a]):
            out.append(TRIM_GAP)
        else:
            a = previous  # only blank lines between: show them, the text stays verbatim
        if parts and section.start + a == parts[-1][1] + 1:
            parts[-1] = (parts[-1][0], section.start + b - 1)
        else:
            parts.append((section.start + a, section.start + b - 1))
        out.extend(lines[a:b])
        previous = b
    if any(line.strip() for line in lines[previous:]):
        out.append(TRIM_GAP)
    text = "\n".join(out)
    return RuleSection(
        file=section.file,
        heading_path=section.heading_path,
        start=section.start,
        end=section.end,
        text=text,
        tokens=tokenizer.count(text),
        keep=section.keep,
        parts=tuple(parts),
    )
