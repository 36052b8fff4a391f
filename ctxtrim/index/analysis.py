"""What one file yields: its language, line count, the names it defines and its terms.

The analysis is cheap enough to run on every file of a large repository; tree-sitter
outlines and exact token counts are computed later, only for the files a pack may show.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass

from .. import lang
from ..scan import TreeReader
from ..terms import path_terms, text_terms, utf8_terms

# Names a file defines, found by a language-agnostic pattern; tree-sitter refines this for
# the few files a pack shows. Cheap enough to run on every file of a large repository.
# Where the regex engine has them (3.11+), the indentation, the modifiers and the spaces
# after them are matched possessively: giving any back can never make a match (what follows
# each is a letter), and on a line that is no definition the engine would otherwise try
# again once per space of indentation, a third of the search's time.
_ONCE = "+" if sys.version_info >= (3, 11) else ""
# Searched as a run from each newline of "\n" + text, not from `^` in multiline mode: a
# literal first character lets the regex engine skip to the next line at C speed instead of
# trying `^` at every character.
_DEF_AFTER_NEWLINE = re.compile(
    rf"\n[ \t]*{_ONCE}(?=[a-z])(?:(?:export|default|pub(?:\([^)]*\))?|async|static|public|"
    r"private|protected|abstract|final|inline|extern|unsafe|override|open|internal|sealed|"
    rf"partial|data)\s+{_ONCE})*{_ONCE}"
    r"(?:def|class|function\*?|func|fn|struct|interface|enum|trait|type|module|impl|object|"
    r"record|union|namespace|protocol|macro_rules!)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)"
)
# `name = function(...)`, `const name = (...) =>`, and `name: function` in JS-like code,
# matched on one line: only the lines that `_FN_LINE` finds (C speed) are tried, because
# trying it at every line start cost more than all the rest of the analysis.
_ASSIGNED_FN = re.compile(
    r"[ \t]*(?:export\s+)?(?:const|let|var)?\s*([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?"
    r"(?:function\b|\([^)\n]*\)\s*=>)"
)
_FN_LINE = re.compile(r"^.*(?:function|=>).*$", re.M)
# Files indexed by their path alone: translation catalogs repeat the source's strings once per
# language (a fifth of django's text, and every UI word's document frequency multiplied by
# the number of locales), and vector images are coordinates. Their names still match.
NAME_ONLY = re.compile(r"\.(po|pot|xlf|xliff|svg)$", re.I)
# Bump when what `analyze` yields changes: cached analyses and snapshots of older versions
# are then ignored. Also bumped when the outliner's definitions change (4: constants, JS
# object-literal methods; 5: C++ headers named .h parsed as C++, C/C++ declaration macros
# hidden; 6: C/C++ function-like macros; 7: dunders such as `__all__` are terms; 8: JS/TS
# module-level table entries and interface fields; 9: Rust items inside item-level macro
# invocations; 10: a Rust `impl` for `dyn Trait` named for the trait; 11: the trait of a
# Rust `impl` and its methods recorded; 12: content hashes are SHA-256), since cached
# outlines and prepared facts share this version.
ANALYSIS_VERSION = 12
PATH_WEIGHT = 3  # a path term counts as this many occurrences in the text
DIGEST_HEX = 32  # hex digits of a content hash

# The terms of an analysis once an index has taken them (shared: never mutated).
NO_TERMS: dict[str, int] = {}


@dataclass(slots=True)
class Analysis:
    """What is known of one file's content; independent of its path except for `lang`.

    `terms` is filled by `analyze` and emptied once the file is in an index (the index keeps
    the postings, not a dict per file)."""

    lang: str | None
    lines: int
    defs: tuple[str, ...]
    terms: dict[str, int]
    problem: str | None = None  # why the file has no text (binary, not UTF-8, ...)

    def __reduce__(self) -> tuple[type[Analysis], tuple[object, ...]]:
        # A cold build's workers send the parent one per file: pickled by its fields, as a
        # call, it costs a third of a slotted dataclass's default (state set field by field
        # in Python), on both sides.
        return Analysis, (self.lang, self.lines, self.defs, self.terms, self.problem)


class SharedDefs:
    """Equal definition lists, and equal names, as one object each. Copies of a file
    (vendored code, a monorepo's packages) and common names are most of a large tree's
    definitions (django copied 15 times: 547k names, 28k distinct): shared, they take less
    memory, and pickle and marshal write each once and refer back to it."""

    __slots__ = ("_names", "_lists")

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._lists: dict[tuple[str, ...], tuple[str, ...]] = {}

    def __call__(self, defs: tuple[str, ...]) -> tuple[str, ...]:
        got = self._lists.get(defs)
        if got is None:
            names = self._names
            got = self._lists[defs] = tuple([names.setdefault(n, n) for n in defs])
        return got


def digest(data: bytes) -> str:
    """The content hash that keys every cached fact about a file (its first 128 bits).

    SHA-256, not BLAKE2b: CPython's BLAKE2b is its portable C code, OpenSSL's SHA-256 uses
    the SHA instructions of recent x86-64 and ARM CPUs where they exist: a cold build
    hashes every file of the tree, and there SHA-256 takes half the time."""
    return hashlib.sha256(data, usedforsecurity=False).hexdigest()[:DIGEST_HEX]


# Languages with no `name = function ...` / `name = (...) =>` definitions: skipping the
# search there saves a tenth of a cold start (Python docstrings say "function" a lot).
_NO_ASSIGNED_FN = frozenset(("python", "go", "rust", "java", "c", "cpp", "ruby")) | lang.PROSE


def find_defs(text: str, language: str | None = None) -> tuple[str, ...]:
    """Names `text` defines, by the language-agnostic patterns, sorted."""
    defs = set(_DEF_AFTER_NEWLINE.findall("\n" + text))
    if language not in _NO_ASSIGNED_FN and ("function" in text or "=>" in text):
        match = _ASSIGNED_FN.match
        for line in _FN_LINE.findall(text):
            m = match(line)
            if m:
                defs.add(m.group(1))
    return tuple(sorted(defs))


def analyze(path: str, text: str, utf8: bytes | None = None) -> Analysis:
    """The cheap analysis of one file's text; `utf8`, the text's UTF-8 bytes if at hand, finds
    the same terms faster."""
    language = lang.detect_language(path)
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if NAME_ONLY.search(path):
        return Analysis(language, lines, (), {})
    terms = utf8_terms(utf8) if utf8 is not None else text_terms(text)
    return Analysis(language, lines, find_defs(text, language), terms)


def doc_terms(path: str, analysis: Analysis, take: bool = False) -> dict[str, int]:
    """The indexed term counts of a file: its text terms plus its path terms, weighted.
    With `take`, the analysis's own terms dict becomes them (and the analysis is left with
    none): a cold build's workers index every file once and keep no terms, so they need
    no copy.

    Path terms count as strong evidence: a file named for the thing is about the thing."""
    if take and analysis.terms is not NO_TERMS:  # the shared empty dict is never written
        counts, analysis.terms = analysis.terms, NO_TERMS
    else:
        counts = dict(analysis.terms)
    for term, n in path_terms(path).items():
        counts[term] = counts.get(term, 0) + PATH_WEIGHT * n
    return counts


def analyze_file(reader: TreeReader, rel: str, max_bytes: int) -> tuple[str, Analysis]:
    """(digest, analysis) of a file on disk; a file with no text gets digest ''."""
    got = reader.text(rel, max_bytes)
    if got.text is None:
        return "", Analysis(None, 0, (), {}, got.problem)
    return digest(got.data), analyze(rel, got.text, got.utf8)
