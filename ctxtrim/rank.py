"""Score files against a task. Every score carries the reasons that made it."""

from __future__ import annotations

import bisect
import functools
import heapq
import json
import math
import posixpath
import re
import weakref
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from operator import attrgetter

from .errors import CtxtrimError
from .index import FileIndex
from .lang.detect import SOURCE_EXTENSIONS, TREE_SITTER_LANGUAGES, detect_language
from .locales import named_codes, path_code
from .task import Signals, Task
from .terms import IDENT, text_terms

# Not `testing`: that name is a framework's own test utilities (pytest's, numpy's), source code.
TEST_PATH = re.compile(
    r"(^|/)(tests?|spec|__tests__|__mocks__|__snapshots__|snapshots|testdata|e2e)(/|$)"
    r"|(^|/)test_[^/]*$|_(test|spec)\.\w+$|\.(test|spec)\.\w+$|(^|/)conftest\.py$"
    # `tests.rs` (Rust's `mod tests`), `tests.py`; `test.ts` beside `index.ts` and a
    # package's `test.js` are JavaScript's conventions. A `test.rs` or `test.go` may be the
    # code of a `test` command.
    r"|(^|/)tests\.\w+$|(^|/)test\.[cm]?[jt]sx?$"
    # A top-level `testing/` holds a project's tests (pytest's); inside a package it is
    # source: the framework's own test utilities (`sphinx/testing/`, `numpy/testing/`).
    r"|^testing/"
)
CHANGELOG = re.compile(
    r"(changes|changelog|history|news|authors|contributors|license|licence|copying|notice|release[-_]?notes)([.-].*)?$|.*\.old$"
)
DOC_EXT = (".md", ".mdx", ".rst", ".txt", ".adoc", ".html")
DATA_EXT = (
    ".json",
    ".yaml",
    ".yml",
    ".csv",
    ".tsv",
    ".xml",
    ".svg",
    ".ini",
    ".cfg",
    ".toml",
    ".lock",
)
VENDORED = re.compile(
    r"(^|/)(vendor|vendored|third[_-]?party|external|extern|_vendor|bower_components)(/|$)"
    r"|[-.]\d+\.\d+(\.\d+)?(\.min)?\.(js|css)$|\.(po|pot)$"
)
# Per-language files: catalogs are data, but code there (a locale's formatting or grammar
# rules, as in date libraries) is what a task about that language changes.
LOCALE_PATH = re.compile(r"(^|/)(locale|locales|i18n|l10n|translations)/")
EXAMPLE_PATH = re.compile(
    r"(^|/)_?(examples?|samples?|demos?|benchmarks?|benches|docs?|doc_src)(/|$)"
)
# A generated file's own header says so, in its first lines.
GENERATED_HEAD = re.compile(r"DO NOT EDIT|@generated\b|[Aa]uto-?generated|generated from files in")
GENERATED_HEAD_CHARS = 600
# Continuous-integration and repository tooling: scripts about the project, not the code.
TOOLING_PATH = re.compile(r"(^|/)(\.github|\.circleci|\.gitlab|ci|\.ci|\.devcontainer)/")


IDENT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")

# A mild weight for the kind of file, multiplying its score: source code is 1. Tests repeat
# the words of the code they test (Go's `x_test.go` beside `x.go`, a Java test tree mirroring
# the main one) but are rarely what a task changes.
LOCALE_NAMED = 1.0  # path evidence shared by the files of a locale the task names
PRIOR = {
    "changelog": 0.2,
    "vendored": 0.15,
    "locale_code": 0.6,
    "test": 0.4,
    "documentation": 0.45,
    "data": 0.5,
    "example": 0.6,
    "tooling": 0.5,
    "generated": 0.15,
}
LEXICAL_FLOOR = 0.01  # of the best BM25 score
LEXICAL_REASON = 0.35  # a lexical match this close to the best is worth saying
MAX_SYMBOL_WEIGHT = 3.0  # a name's weight in the task counts up to this
MAX_DEFINERS = 12  # a name defined in more files than this says nothing about any of them
MAX_NAME_PART = 2.0  # task words inside a file name count up to this (relative to the best)
RARE_NAME_DF = 25  # names in more files than this are not followed to their users
MAX_LITERALS = 3  # exact strings from the task found in a file count up to this many
CALLER_REASON = 0.05  # a gain worth saying


def parse_weights(text: str) -> dict[str, float]:
    """What each kind of evidence adds to a file's score, per unit of that evidence (lexical
    relevance is 0..1, the best match 1), from the weights file's text."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    weights = data.get("weights") if isinstance(data, dict) else None
    if (
        not isinstance(weights, dict)
        or set(weights) != set(FEATURES)
        or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
            for v in weights.values()
        )
    ):
        raise CtxtrimError(
            f"{WEIGHTS_FILE}: needs a non-negative weight for each of {', '.join(FEATURES)}"
        )
    return {k: float(weights[k]) for k in FEATURES}


# The kinds of evidence, in the order of the weights file: the task's words (BM25), its path
# written in the task, a dotted module name resolving to it, a traceback frame in it, a name
# the task uses defined in it, the focus file, task words in its file name, using a rare name
# a top file defines, exact strings from the task in its text.
FEATURES = (
    "lexical",
    "path",
    "module",
    "frame",
    "symbol",
    "focus",
    "name_part",
    "caller",
    "literal",
)
WEIGHTS_FILE = "rank_weights.json"
# Package data, read once; tests/bench/train_rank.py learns them.
WEIGHTS = parse_weights(resources.files("ctxtrim").joinpath(WEIGHTS_FILE).read_text("utf-8"))


@dataclass(slots=True)
class Candidate:
    """A file and how relevant it is, with the evidence."""

    path: str
    score: float
    reasons: list[str] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)  # lines the task points at (frames, focus)
    symbols: dict[str, float] = field(default_factory=dict)  # task symbols this file defines
    focus: bool = False
    named: bool = (
        False  # the task names it: its path, its module, a frame in it, a symbol it defines
    )
    features: dict[str, float] = field(default_factory=dict)  # evidence by kind, unweighted

    def add(self, kind: str, amount: float) -> None:
        self.features[kind] = self.features.get(kind, 0.0) + amount
        self.score += WEIGHTS[kind] * amount


@functools.lru_cache(maxsize=65536)
def prior(path: str) -> tuple[float, str | None]:
    """A mild weight for the kind of file: source code first, then tests, docs and data."""
    lower = path.lower()
    name = lower.rsplit("/", 1)[-1]
    # `history.py`, `license.py`: a module in a programming language is source, whatever its name.
    if CHANGELOG.match(name) and detect_language(name) not in TREE_SITTER_LANGUAGES:
        return PRIOR["changelog"], "changelog/notice file"
    if VENDORED.search(lower):
        return PRIOR["vendored"], "vendored, versioned or translation file"
    if LOCALE_PATH.search(lower):
        if posixpath.splitext(lower)[1] in SOURCE_EXTENSIONS:
            return PRIOR["locale_code"], "locale-specific code"
        return PRIOR["vendored"], "vendored, versioned or translation file"
    if TEST_PATH.search(lower):
        return PRIOR["test"], "test file"
    if lower.endswith(DOC_EXT):
        return PRIOR["documentation"], "documentation"
    if lower.endswith(DATA_EXT):
        return PRIOR["data"], "data/config file"
    if EXAMPLE_PATH.search(lower):
        return PRIOR["example"], "example/docs directory"
    if TOOLING_PATH.search(lower):
        return PRIOR["tooling"], "CI/tooling file"
    return 1.0, None


def _match_paths(index: FileIndex, mention: str, installed: bool = False) -> list[str]:
    """Paths of `mention`: the file itself, or those ending with it. With `installed` (a path
    as a task wrote it, a traceback's), also the one it ends with (see below)."""
    mention = mention.replace("\\", "/")
    while mention.startswith(("./", "/")):  # not lstrip: a dotfile keeps its dot
        mention = mention[2:] if mention.startswith("./") else mention[1:]
    if not mention:
        return []
    if mention in index:
        return [mention]
    # Only files with the mention's file name can end with it: ask those, not every path.
    suffix = "/" + mention
    same_name = _by_name(index).get(mention.rsplit("/", 1)[-1], ())
    found = [p for p in same_name if p.endswith(suffix)]
    if found or not installed or "/" not in mention:
        return found
    # A path on the reporter's machine ends with the repository's path: an installed copy
    # (`.../site-packages/pkg/mod.py`, `~/.cargo/registry/src/.../clap-4.0.23/src/arg.rs`, a Go
    # module cache). The longest such path is the file; one with no directory is too weak.
    inside = [p for p in same_name if "/" in p and mention.endswith("/" + p)]
    longest = max((len(p) for p in inside), default=0)
    return [p for p in inside if len(p) == longest]


_BY_NAME: weakref.WeakKeyDictionary[FileIndex, tuple[int, dict[str, list[str]]]] = (
    weakref.WeakKeyDictionary()
)


def _by_name(index: FileIndex) -> dict[str, list[str]]:
    """File name -> the paths with that name, in indexing order; memoised per index until it
    changes (a task names a dozen paths, each once matched against every path before)."""
    got = _BY_NAME.get(index)
    if got is None or got[0] != index.version:
        names: dict[str, list[str]] = {}
        for path in index.paths():
            names.setdefault(path.rsplit("/", 1)[-1], []).append(path)
        got = _BY_NAME[index] = (index.version, names)
    return got[1]


def _module_paths(index: FileIndex, dotted: str) -> list[str]:
    """Files a dotted name may refer to: `pkg.mod.func` -> pkg/mod.py, pkg/mod/__init__.py."""
    parts = dotted.split(".")
    found: list[str] = []
    for cut in range(len(parts), 1, -1):
        base = "/".join(parts[:cut])
        for candidate in (base + ".py", base + "/__init__.py"):
            found.extend(_match_paths(index, candidate))
        if found:
            break
    return found


def rank(index: FileIndex, task: Task, signals: Signals) -> list[Candidate]:
    """All files with any evidence, best first (ties by path for determinism)."""
    cands: dict[str, Candidate] = {}

    def cand(path: str) -> Candidate:
        c = cands.get(path)
        if c is None:
            c = cands[path] = Candidate(path, 0.0)
        return c

    boosts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    # Lexical relevance, normalised so the best match scores 1.
    lexical = index.bm25(signals.query)
    top = max(lexical.values(), default=0.0)
    weight = WEIGHTS["lexical"]
    floor = LEXICAL_FLOOR * top
    path_of = index.path_of
    for doc_id, s in lexical.items() if top > 0 else ():
        # A faint lexical match alone never reaches a pack; other evidence adds it back.
        if s >= floor:
            # Each document comes once, before any other evidence: made here directly (the
            # hot loop of ranking: thousands of faint matches per task).
            share = s / top
            path = path_of(doc_id)
            c = cands[path] = Candidate(path, weight * share, features={"lexical": share})
            if share >= LEXICAL_REASON:
                c.reasons.append(f"matches the task's words ({share:.2f})")

    # Exact mentions: paths, modules, frames.
    for mention in signals.paths:
        hits = _match_paths(index, mention, installed=True)
        for path in hits[:10]:
            boosts[path]["path"] += 1 / math.sqrt(len(hits))
            cand(path).named = True
            cand(path).reasons.append(f"named in the task as `{mention}`")
    for dotted in signals.modules:
        hits = _module_paths(index, dotted)
        for path in hits[:5]:
            boosts[path]["module"] += 1 / math.sqrt(len(hits))
            cand(path).named = True
            cand(path).reasons.append(f"module `{dotted}` named in the task")
    for path, line, func in signals.frames:
        hits = _match_paths(index, path, installed=True)
        for hit in hits[:3]:
            boosts[hit]["frame"] += 1 / len(hits)
            c = cand(hit)
            c.named = True
            c.lines.add(line)
            c.reasons.append(f"in a traceback: line {line}" + (f" in `{func}`" if func else ""))

    named_locale = _named_locales(index, task.text, boosts, cand)

    # Symbols the task names: the files that define them.
    for name, weight in signals.symbols.items():
        defining = index.defined_in(name)
        if not defining or len(defining) > MAX_DEFINERS:
            continue
        share = min(weight, MAX_SYMBOL_WEIGHT) / math.sqrt(len(defining))
        for doc_id in defining:
            path = index.path_of(doc_id)
            boosts[path]["symbol"] += share
            c = cand(path)
            c.named = True
            c.symbols[name] = max(c.symbols.get(name, 0.0), weight)
    for c in cands.values():
        if c.symbols:
            names = ", ".join(
                f"`{n}`" for n in sorted(c.symbols, key=lambda n: (-c.symbols[n], n))[:4]
            )
            c.reasons.append(f"defines {names}")

    # Focus files (the file under the cursor) are always relevant.
    for path, focus_line in task.focus_points():
        hits = _match_paths(index, path)
        for hit in hits[:1]:
            boosts[hit]["focus"] += 1
            c = cand(hit)
            c.focus = True
            c.reasons.insert(0, "focus file" + (f" (line {focus_line})" if focus_line else ""))
            if focus_line:
                c.lines.add(focus_line)

    for path, kinds in boosts.items():
        c = cand(path)
        for kind, amount in kinds.items():
            c.add(kind, amount)

    _name_parts(index, signals, cand)
    _propagate(index, cands)
    _literals(index, signals, cands)

    generated = _generated(index, cands)
    for c in cands.values():
        weight, why = prior(c.path)
        if weight == 1.0 and c.path in generated:
            weight, why = PRIOR["generated"], "generated file"
        if weight != 1.0 and not c.focus and c.path not in named_locale:
            c.score *= weight
            c.reasons.append(f"{why} (weight {weight})")
    # By path, then by score (a stable sort): best first, ties by path, with no key tuples.
    ranked = sorted(cands.values(), key=attrgetter("path"))
    ranked.sort(key=attrgetter("score"), reverse=True)
    return ranked


def _generated(index: FileIndex, cands: dict[str, Candidate], depth: int = 150) -> set[str]:
    """The best files whose first lines say they are generated (a bundle built from `src/`,
    Go's `// Code generated ... DO NOT EDIT.`): a fix goes to their source, not to them."""
    known = _GENERATED.get(index)
    if known is None:
        known = _GENERATED[index] = {}
    out = set()
    for c in _best(cands, depth):
        doc = index.doc(c.path)
        digest = doc.digest if doc is not None else ""
        got = known.get(c.path)
        if got is None or got[0] != digest:
            # Remembered per content: a warm pack would otherwise open 150 files.
            head = index.head(c.path, GENERATED_HEAD_CHARS)
            got = known[c.path] = (digest, GENERATED_HEAD.search(head) is not None)
        if got[1]:
            out.add(c.path)
    return out


_GENERATED: weakref.WeakKeyDictionary[FileIndex, dict[str, tuple[str, bool]]] = (
    weakref.WeakKeyDictionary()
)


def _named_locales(
    index: FileIndex,
    text: str,
    boosts: dict[str, dict[str, float]],
    cand: Callable[[str], Candidate],
) -> set[str]:
    """The locale files of each human language the task names (see `locales`): evidence
    like a path named in part, and no locale prior (the task is about that locale)."""
    codes = named_codes(text)
    if not codes:
        return set()
    hits: dict[str, list[str]] = defaultdict(list)
    for path in index.paths():
        where = LOCALE_PATH.search(path.lower())
        if where is None:
            continue
        code = path_code(path, where.end())
        if code in codes:
            hits[code].append(path)
    named: set[str] = set()
    for code, paths in hits.items():
        for path in paths:
            boosts[path]["path"] += LOCALE_NAMED / math.sqrt(len(paths))
            c = cand(path)
            c.named = True
            c.reasons.append(f"a file of the {codes[code]} locale, which the task names")
            named.add(path)
    return named


def _best(cands: dict[str, Candidate], n: int) -> list[Candidate]:
    """The `n` best candidates, best first (ties by path). Found by score alone first (a
    heap of floats), then only the few at or above the n-th best score are sorted."""
    if n <= 0 or not cands:
        return []
    floor = heapq.nlargest(n, [c.score for c in cands.values()])[-1]
    best = [c for c in cands.values() if c.score >= floor]
    best.sort(key=_order)
    return best[:n]


def _order(c: Candidate) -> tuple[float, str]:
    """Best first, ties by path (for determinism)."""
    return (-c.score, c.path)


def _propagate(index: FileIndex, cands: dict[str, Candidate], seeds: int = 8) -> None:
    """One step along the def/ref graph: the strongest files lend score to the files that
    define the rare names they use (callees) and to the files that use the names they define."""
    ranked = _best(cands, seeds)
    if not ranked or ranked[0].score <= 0:
        return
    gains: dict[str, tuple[float, str]] = {}
    for seed in ranked:
        doc = index.doc(seed.path)
        if doc is None:
            continue
        # Callers: files whose terms include a name this seed defines (rare names only).
        for name in doc.analysis.defs[:200]:
            if len(name) < 4:
                continue
            users = index.doc_freq(name.lower())
            if users > RARE_NAME_DF or users < 2:
                continue
            gain = seed.score / math.sqrt(users)
            for path in index.files_with(name.lower()):
                if path != seed.path and gain > gains.get(path, (0.0, ""))[0]:
                    gains[path] = (gain, f"uses `{name}` from {seed.path}")
    for path, (gain, why) in gains.items():
        c = cands.get(path)
        if c is None:
            c = cands[path] = Candidate(path, 0.0)
        c.add("caller", gain)
        if WEIGHTS["caller"] * gain >= CALLER_REASON:
            c.reasons.append(why)


def _name_parts(index: FileIndex, signals: Signals, cand: Callable[[str], Candidate]) -> None:
    """A task word inside a file's name: "man" in `manpage.py`, "autodoc" in `autodoc_mock.py`.
    Identifier splitting cannot see these compounds; a substring test on the name can."""
    keys = sorted(
        ((w * index.idf(t), t) for t, w in signals.query.items() if len(t) >= 3 and t.isalpha()),
        reverse=True,
    )[:15]
    if not keys:
        return
    top = keys[0][0] or 1.0
    stems, joined, starts = _stems(index)
    gains: dict[int, float] = defaultdict(float)
    hits: dict[int, list[str]] = defaultdict(list)
    for weight, term in keys:
        # One scan of all names joined by newlines finds every name holding the term.
        at = joined.find(term)
        while at >= 0:
            k = bisect.bisect_right(starts, at) - 1
            if term != stems[k][1]:
                gains[k] += weight / top
                hits[k].append(term)
            at = joined.find(term, starts[k] + len(stems[k][1]) + 1)
    for k, gain in gains.items():
        c = cand(stems[k][0])
        c.add("name_part", min(gain, MAX_NAME_PART))
        c.reasons.append(f"its name contains {', '.join(f'“{h}”' for h in hits[k][:3])}")


_Names = tuple[list[tuple[str, str]], str, list[int]]
_STEMS: weakref.WeakKeyDictionary[FileIndex, tuple[int, _Names]] = weakref.WeakKeyDictionary()


def _stems(index: FileIndex) -> _Names:
    """(path, lower-case file name stem) of every file with a stem worth matching, the
    stems joined by newlines, and where each starts; memoised per index until it changes."""
    got = _STEMS.get(index)
    if got is None or got[0] != index.version:
        pairs = [(p, p.rsplit("/", 1)[-1].split(".", 1)[0].lower()) for p in index.paths()]
        stems = [(p, s) for p, s in pairs if len(s) >= 4 and "\n" not in s]
        starts, pos = [], 0
        for _, stem in stems:
            starts.append(pos)
            pos += len(stem) + 1
        got = _STEMS[index] = (index.version, (stems, "\n".join(s for _, s in stems), starts))
    return got[1]


def _literals(
    index: FileIndex, signals: Signals, cands: dict[str, Candidate], depth: int = 150
) -> None:
    """Exact strings from the task (flags, messages, quoted text) found in the best files."""
    if not signals.literals:
        return
    ranked = _best(cands, depth)
    holders = [_literal_holders(index, lit) for lit in signals.literals]
    for c in ranked:
        # Only the literals the file's indexed words allow are searched; a file that can
        # hold none is not read at all (reading and searching was a third of a pack).
        wanted = c.path if index.text_indexed(c.path) else None
        maybe = [
            lit
            for lit, paths in zip(signals.literals, holders)
            if paths is None or wanted is None or wanted in paths
        ]
        if not maybe:
            continue
        text = index.text(c.path)
        if not text:
            continue
        found = [lit for lit in maybe if lit in text]
        if found:
            c.add("literal", min(len(found), MAX_LITERALS))
            c.reasons.append("contains " + ", ".join(f"`{lit}`" for lit in found[:3]))


def _literal_holders(index: FileIndex, literal: str) -> set[str] | None:
    """The files whose text can hold `literal`, or None if any can. An identifier inside the
    literal with a non-identifier character on both sides is a whole identifier wherever the
    literal occurs, so a file holding the literal has that identifier's terms; the rarest of
    them bounds the files. (A name-only file has no text terms: see `text_indexed`.)"""
    terms: set[str] = set()
    for m in IDENT.finditer(literal):
        start, end = m.span()
        if start == 0 or end == len(literal):
            continue
        if literal[start - 1] in IDENT_CHARS or literal[end] in IDENT_CHARS:
            continue
        terms.update(text_terms(m.group()))
    if not terms:
        return None
    rarest = min(sorted(terms), key=index.doc_freq)
    return set(index.files_with(rarest))
