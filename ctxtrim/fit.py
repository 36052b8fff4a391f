"""Choose, for each ranked file, how much of it to show, so the pack is worth most in budget.

Each candidate file offers a ladder of views: listed < outline < summary < slice(k) < full,
where slice(k) shows its k most relevant definitions verbatim. A view is worth the file's
score (sharpened, so depth goes to the files that matter) times the share of the file's
relevance it covers. A greedy pass buys the upgrade with the best value per token until
the budget is spent. Costs are estimated from per-line token counts; the renderer then
counts the real pack and trims if the estimate was short.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import cast

from .bm25 import idf
from .cache import OUTLINE_KIND
from .changelog import change_log_for, head_end
from .fit_values import load_values
from .index import FileIndex
from .outline import FIELD_KIND, Outline, Symbol
from .pack import Item
from .rank import PRIOR, Candidate
from .redact import Redacted, Span, redact, secret_spans, verbatim_ranges
from .task import Signals
from .terms import TASK_WORDS, split_identifier, stem, utf8_terms
from .timing import Timings
from .tokens import Tokenizer
from .views import (
    BODY_KIND,
    ELISION,
    OWNER_KINDS,
    View,
    body_units,
    bridged,
    clamped,
    contexts,
    depth_of,
    elided,
    full,
    head_range,
    merge,
    outline_view,
    signature,
    split_lines,
    summary,
)

# How many ranked files are weighed for a budget: a bigger budget can show more of them,
# and preparing a file (outline, token counts) is the main cost of a pack.
TOKENS_PER_CANDIDATE = 500
MIN_CANDIDATES, MAX_CANDIDATES = 24, 64
NAMES_KEPT = 65_536  # (name, class) pairs whose words are remembered
HELP_MIN_FILES = 2  # a pack never waits for its helper: even two files may be split
MAX_SLICE_SYMBOLS = 8
# With a budget of DEEP_BUDGET or more, a slice may go DEEP_SYMBOLS definitions past those,
# for as long as it costs at most DEEP_COST of the whole file: in a large module whose change
# lies past its best 8 definitions (the 9th-30th of a 2,600-line autodoc/__init__.py), the
# whole is out of reach, and the next definitions are the cheaper way in. Not at smaller
# budgets: there a deeper slice of the best file crowds out the next files.
DEEP_SYMBOLS = 24
DEEP_COST = 0.5
DEEP_BUDGET = 12_000
SHARPEN = 3.0  # file value ~ score ** SHARPEN: the budget goes deeper into the best files
SYM_SHARPEN = 2.0  # definition weight ~ score ** this
SYM_FLOOR = 0.15  # definitions below this share of the file's best count as no evidence
SLICE_BASE = 0.1  # worth of a slice's context alone
# A slice never holds all a file might need: code outside definitions, a definition that
# scored low. Only the whole file is worth the whole file; at 0.8 the last step to it was
# worth so much that small, weakly related files were bought whole before the definition
# the task names in a large one.
SLICE_MAX = 0.9
RERANK = 1.0  # weight of the best definition's score
# The task's words in a definition, scored as BM25 over the file's definitions: term
# saturation, length normalisation, and the term count taken as a definition's typical.
LEAF_K1 = 1.2
LEAF_B = 0.6
LEAF_TYPICAL_TERMS = 150
# A word of the task that most of a file's definitions hold (`rolling` in rolling.py, `diff`
# in diff.py) tells them apart less than one few hold: each term's weight is scaled by its
# rarity among the file's definitions (BM25's idf over them) to this power.
IN_FILE_RARITY = 0.5
# A word of the task in a definition's name, suffixes folded: the name says what the code is
# for ("inherited-members should support ..." and `inherited_members_option`; "Literal
# annotation values" and `_parse_annotation`), where body words only say what it touches.
# Weighed as the word's weight times its rarity among the file's qualified names.
NAME_WORD = 1.0
MIN_NAME_WORD = 3  # shorter name parts (`to`, `id`, `fn`) say little
# Python's protocol methods, by the words a task uses for the behaviour they implement: an
# issue says "text representation" or "when iterating", seldom `__repr__` or `__iter__`.
PROTOCOL_WORDS: dict[str, tuple[str, ...]] = {
    "__repr__": ("repr", "representation", "representations"),
    "__iter__": ("iterate", "iterating", "iteration", "iterator", "iterates", "iterated"),
    "__len__": ("length",),
    "__contains__": ("contains", "membership"),
    "__eq__": ("equality", "equal", "equals"),
    "__hash__": ("hash", "hashable", "hashing", "unhashable"),
    "__getitem__": ("indexing", "subscript"),
    "__call__": ("callable",),
    "__bool__": ("truthiness", "truthy", "falsy"),
    "__deepcopy__": ("deepcopy",),
    "__reduce__": ("pickle", "pickling", "pickled", "unpickling", "picklable", "unpicklable"),
    "__getstate__": ("pickle", "pickling", "pickled", "picklable", "unpicklable"),
    "__setstate__": ("pickle", "unpickling", "unpickled", "unpicklable"),
    "__lt__": ("sorting", "sort", "comparison", "ordering"),
}
ELISION_TOKENS = 4  # what a `⋮` line for a gap costs: the mark is 3 tokens, its break 1
# What the rest of a file's preamble (past the head a slice always shows: imports, module
# settings) counts for, against the file's best definition: a change to a definition often
# brings an import, and one gold file in ten has a change there.
PREAMBLE = 0.5
UNMATCHED = 1.0  # how much the file's unmatched lines discount its slices (0: not at all)
# Containers shown whole, as one slice unit, up to a size: in C and C++ a class or struct is
# mostly declarations (fields, `using`, member prototypes) whose lines are what a change
# touches, and split into its member functions it would never show them; a small Rust
# `impl Trait for Type` block is one idea, its header and closing brace (where the next
# impl goes) part of it. Elsewhere a class holds method bodies, and its members are the units.
WHOLE_TYPES: dict[str, tuple[frozenset[str], int]] = {
    "c": (OWNER_KINDS, 100),
    "cpp": (OWNER_KINDS, 100),
    "rust": (frozenset({"impl", "trait"}), 30),
    # A small JS/TS table (`const block = {...}` of 30 rules) or TypeScript interface likewise:
    # its entries and fields are one idea, and the next one goes before its closing brace.
    "javascript": (frozenset({"constant"}), 30),
    "typescript": (frozenset({"constant", "interface"}), 30),
    "tsx": (frozenset({"constant", "interface"}), 30),
}
# Functions and macros longer than this many lines of code (a 700-line builder of command-line
# flags, a `match` or `switch` of 300 lines of cases, a `macro_rules!` of 40 rules) are offered
# in pieces of PIECE_LINES, each with the definition's header: whole, one would cost a slice
# most of a small budget, while the change is in one place of it. Not JavaScript/TypeScript
# (their larger budgets lost a method whose edits spread over its pieces) nor Python.
LONG_DEFINITIONS: dict[str, int] = {lang: 120 for lang in ("rust", "go", "java", "c", "cpp")}
# A struct of many documented fields too (Go's `type Server struct` of 250 lines): whole, its
# first slice cost as much as a small file, so a file ranked high was only listed.
LONG_KINDS = frozenset({"function", "method", "macro", "struct"})
PIECE_LINES = 60
# A piece starts at the blank line that opens the paragraph of code its cut falls in, if one
# is this few lines before the cut: a fix inserted between two paragraphs (a new step after a
# loop) touches the blank line and the comment that opens the next one, which a cut at a
# fixed line split from each other.
PIECE_SLACK = 15
# The cache kind of a file's prepared facts (secret spans, per-line token counts, definition
# terms, the outline view's tokens), version 10 of their layout (statement units among the
# leaves; whole C/C++ types and small Rust impls; the outline's tokens; JS/TS table entries
# and small tables whole; long definitions in pieces; a blank line's break joined to the
# line before it; long structs in pieces; pieces cut at paragraphs): bump it when that
# layout changes, or what the outline view shows.
PREPARED_FACTS = "p10"
# Secrets, line tokens, leaf terms, tokens of the outline view.
Facts = tuple[list[Span], list[int], list[dict[str, int]], int]
LISTED = View("listed", "", ())
COVERAGE = {"listed": 0.01, "outline": 0.03, "summary": 0.06}
# What a definition's relevance adds for each kind of evidence (beside the task's words).
NAMED = 6.0  # its name is a symbol of the task (times the symbol's weight)
IN_NAMED_CLASS = 1.0  # it is a member of a class the task names
NAMED_CLASS_CONSTRUCTOR = 3.0  # ... and builds it: where a class checks what it is given
CONSTRUCTORS = frozenset({"__init__", "__new__", "__post_init__", "constructor", "new"})
QUALIFIED = 30.0  # the task names it as `Class.member`: the likeliest place of all
POINTED_AT = 12.0  # a traceback frame or a focus line falls inside it
CALLEE = 0.3  # a named definition in the same file calls it (times the caller's score)
MIN_CALLEE_NAME = 4  # shorter names (`get`, `run`) are too common to follow
LITERAL = 10.0  # per exact string from the task found in its text (a message, a flag)
LITERAL_WORD = 2.0  # the same for a lone quoted word: `"version"` is in many places
# A definition inside a test module of a source file (Rust's `#[cfg(test)] mod tests`) repeats
# the words of the code it tests but is rarely what a task changes: weighed as `rank` weighs a
# test file against source.
TEST_MODULE = PRIOR["test"]
TEST_MODULE_NAMES = frozenset({"test", "tests"})
TEST_ATTRIBUTE = "#[cfg(test)]"
# The view values tests/bench/train_fit.py learned (fit_values.json), where they validated: the
# values above are the hand-set defaults it starts from, and stay for any the file leaves out.
VIEW_VALUES = load_values(
    {
        "sharpen": SHARPEN,
        "sym_sharpen": SYM_SHARPEN,
        "sym_floor": SYM_FLOOR,
        "slice_base": SLICE_BASE,
        "slice_max": SLICE_MAX,
        "unmatched": UNMATCHED,
        "preamble": PREAMBLE,
        **COVERAGE,
    }
)
SHARPEN, SYM_SHARPEN, SYM_FLOOR = (VIEW_VALUES[k] for k in ("sharpen", "sym_sharpen", "sym_floor"))
SLICE_BASE, SLICE_MAX = VIEW_VALUES["slice_base"], VIEW_VALUES["slice_max"]
UNMATCHED, PREAMBLE = VIEW_VALUES["unmatched"], VIEW_VALUES["preamble"]
COVERAGE = {view: VIEW_VALUES[view] for view in COVERAGE}
# From DEEP_BUDGET up to WHOLE_BEST_MIN_BUDGET (the 16k packs), a slice of every matched
# definition is worth the whole file, less only the unmatched lines' discount: on dev's gold
# files a slice the values call half the file holds every edit 60-70 % of the time, so the
# last step to the whole was worth too much, and the budget went on small files bought whole
# instead of the next definitions of a large one (bench README, session 14). From
# WHOLE_BEST_MIN_BUDGET on (32k), only for a file too large for the likeliest file's rule to
# show whole (over WHOLE_BEST_SHARE of the budget): there small files whole win the edits in
# definitions that matched nothing. Not at 8k, where more files shown beats deeper ones.
SLICE_MAX_DEEP = 1.0
# At a large budget, the likeliest file is shown whole first when it takes at most
# WHOLE_BEST_SHARE of it: its slices hold the definitions that match the task best, but in a
# large file the change is often in one that matches little (a module-level regex, a branch
# of a long component), and otherwise the greedy spends the rest on many small, weakly
# related files (a 12k-token `html.ts` ranked first stayed a 940-token slice at 32k).
# Only from WHOLE_BEST_MIN_BUDGET tokens of code on (a 32k pack's): at 16k, a file that
# large took the room of the next file's slice (bench README, session 13).
WHOLE_BEST_SHARE = 0.5
WHOLE_BEST_MIN_BUDGET = 24_000
# Each of the GLIMPSE_FILES likeliest files starts from its first slice (its best definitions)
# when that costs at most GLIMPSE_SHARE of the budget: file values go as score ** SHARPEN, so
# deeper slices of the first two files outbid a cheap first look at the sixth, which then stays
# a listed path (xarray-6721 at 16k: `common.py`, 6th, a 296-token slice away from its edit).
# More files (7, 8) or dearer looks (5 %) took the room a late whole file needed (bench README,
# session 15).
GLIMPSE_FILES = 6
GLIMPSE_SHARE = 0.03
# What the head of the changelog nearest the likeliest file is worth, as a share of that file
# shown whole: a fix in a project that keeps a changelog adds an entry at its top.
CHANGE_LOG_SHARE = 0.05


@dataclass
class Option:
    view: View | None  # None for a slice, written only if chosen (see `FileChoice.view`)
    value: float
    cost: int
    spans: tuple[tuple[int, int], ...] = ()  # a slice's shown lines

    @property
    def is_full(self) -> bool:
        """Whether this option shows the whole file."""
        return self.view is not None and self.view.mode == "full"


@dataclass
class FileChoice:
    cand: Candidate
    language: str | None
    options: list[Option] = field(default_factory=list)
    current: int = -1  # index into options; -1 = not in the pack
    redacted: Redacted | None = None
    lines: list[str] = field(default_factory=list)  # the file's (redacted) lines
    prefix: list[int] = field(default_factory=list)  # their running line costs (Prepared's)

    @property
    def chosen(self) -> Option | None:
        return self.options[self.current] if self.current >= 0 else None

    def view(self, opt: Option) -> View:
        return opt.view if opt.view is not None else elided("slice", self.lines, opt.spans)


@dataclass
class LeafNames:
    """Where a prepared file's leaves are, by the names a task's evidence gives."""

    by_name: dict[str, list[int]]  # a definition's name, lowercased
    by_parent: dict[str, list[int]]  # its class's name, lowercased
    by_pair: dict[tuple[str | None, str], list[int]]  # (class, name) as written
    by_trait: dict[str, list[int]]  # lowercased, of a Rust `impl Trait for Type` shown whole
    callees: dict[str, list[int]]  # lowercased, of definitions named long enough to follow

    @classmethod
    def of(
        cls,
        leaves: list[Symbol],
        names: list[str | None],
        parents: list[str | None],
        traits: dict[int, str],
        member_traits: dict[int, str],
    ) -> LeafNames:
        found = cls({}, {}, {}, {}, {})
        for j, trait in traits.items():
            found.by_trait.setdefault(trait, []).append(j)
        for j, trait in member_traits.items():
            found.by_pair.setdefault((trait, leaves[j].name), []).append(j)
        for j, (sym, name, parent) in enumerate(zip(leaves, names, parents)):
            if name is not None:
                found.by_name.setdefault(name, []).append(j)
                if len(sym.name) >= MIN_CALLEE_NAME:
                    found.callees.setdefault(name, []).append(j)
            if parent is not None:
                found.by_parent.setdefault(parent, []).append(j)
            found.by_pair.setdefault((sym.parent, sym.name), []).append(j)
        return found


@dataclass
class Prepared:
    """What fitting needs of one file's content, computed once per content hash."""

    digest: str
    language: str | None
    redacted: Redacted
    lines: list[str]
    prefix: list[int]  # prefix[i] = tokens of lines 1..i
    outline: Outline
    leaves: list[Symbol]
    leaf_terms: list[dict[str, int]]
    contexts: list[list[tuple[int, int]]]  # per leaf: its lines and its enclosing headers
    head: list[tuple[int, int]]  # the file's head (imports, module docstring), if any
    fixed_views: list[tuple[View, float, int]]  # task-independent views: (view, coverage, tokens)
    # Task-independent parts of scoring each leaf, computed once here rather than per pack:
    # its BM25 length norm, its name and its class's name lowercased (None for a run of
    # statements and for no class), and every term any leaf holds.
    leaf_norms: list[float] = field(default_factory=list)
    leaf_names: list[str | None] = field(default_factory=list)
    leaf_parents: list[str | None] = field(default_factory=list)
    terms: frozenset[str] = frozenset()
    # Whether the elision mark is anywhere in the text: a line may then start with it, which
    # a view's text counts as a gap, so slices there are costed from their written text.
    elision_lines: bool = False
    in_tests: frozenset[int] = frozenset()  # the leaves inside a test module
    traits: dict[int, str] = field(default_factory=dict)  # an impl leaf's trait, lowercased
    # A method's trait, as written, where it implements one (`impl Visitor for X { fn visit_str`)
    member_traits: dict[int, str] = field(default_factory=dict)
    # The leaf holding the rest of the file's preamble, past its head and before its first
    # definition (imports, module settings), if any: -1 when there is none.
    preamble: int = -1
    _bodies: list[str] | None = None  # each leaf's text, made when first asked for
    _holders: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _names: LeafNames | None = None
    _name_words: tuple[list[frozenset[str]], dict[str, float]] | None = None

    @property
    def bodies(self) -> list[str]:
        if self._bodies is None:
            self._bodies = _bodies(self.lines, self.leaves)
        return self._bodies

    def names(self) -> LeafNames:
        """The leaves by name, made when first asked for."""
        if self._names is None:
            self._names = LeafNames.of(
                self.leaves, self.leaf_names, self.leaf_parents, self.traits, self.member_traits
            )
        return self._names

    def name_words(self) -> tuple[list[frozenset[str]], dict[str, float]]:
        """Each leaf's name words (suffixes folded, with a protocol method's words), and each
        word's rarity among the leaves' qualified names (a class's words count for each of
        its members: `rolling` in every `DataArrayRolling` method is common); made when
        first asked for."""
        if self._name_words is None:
            named = [_name_words(leaf) for leaf in self.leaves]
            held: dict[str, int] = {}
            for own, owner in named:
                for w in own | owner:
                    held[w] = held.get(w, 0) + 1
            n = len(named)
            words = [own for own, _ in named]
            self._name_words = (words, {w: math.log(1 + n / k) for w, k in held.items()})
        return self._name_words

    def holders(self, term: str) -> tuple[int, ...]:
        """Leaf index and count, one after the other, of each leaf holding `term`; kept (flat,
        a quarter of the memory of pairs): the next task asks again for the commonest words
        of the code."""
        got = self._holders.get(term)
        if got is None:
            got = self._holders[term] = tuple(
                x
                for j, terms in enumerate(self.leaf_terms)
                if (n := terms.get(term))
                for x in (j, n)
            )
        return got


class Preparer:
    """An LRU of prepared files, so a warm workspace re-reads and re-tokenizes nothing."""

    def __init__(self, index: FileIndex, tok: Tokenizer, size: int = 600) -> None:
        self.index = index
        self.tok = tok
        self.size = size
        self._memo: OrderedDict[str, Prepared] = OrderedDict()
        self.timings: Timings | None = None  # the running pack's, to charge preparing to
        # Another process that prepares files into the persistent cache when asked (the
        # language server's cache warmer): given the paths a pack needs, in the order it
        # should take them. None when there is none.
        self.helper: Callable[[list[str]], object] | None = None

    def get_all(self, paths: list[str]) -> list[Prepared | None]:
        """`get` of each path. With a helper, the files not in memory are shared with it:
        this process takes them from the front, the helper from the back, and each finds
        what the other finished in the cache; they meet in the middle, so neither waits."""
        if self.helper is not None:
            todo = [
                p for p in paths if self._key(p) not in self._memo and not self.index.has_overlay(p)
            ]
            if len(todo) >= HELP_MIN_FILES:
                self.helper(todo[::-1])
        return [self.get(p) for p in paths]

    def _key(self, path: str) -> str | None:
        doc = self.index.doc(path)
        return None if doc is None else f"{path}\0{doc.digest}"

    def get(self, path: str) -> Prepared | None:
        doc = self.index.doc(path)
        if doc is None:
            return None
        key = f"{path}\0{doc.digest}"
        got = self._memo.get(key)
        if got is not None:
            self._memo.move_to_end(key)
            return got
        started = time.perf_counter()
        text = self.index.text(path)
        if text is None:
            return None
        got = self._prepare(path, doc.digest, doc.analysis.lang, text)
        if self.timings is not None:
            self.timings.add("prepare", time.perf_counter() - started, 1, got.prefix[-1])
        self._memo[key] = got
        if len(self._memo) > self.size:
            self._memo.popitem(last=False)
        return got

    def warm(self, path: str) -> bool:
        """Compute and store the persistent facts of `path` (outline, secrets, line token
        counts, definition terms) unless they are stored already; True if it did the work.
        Nothing is kept in memory: this is for filling the cache ahead of the packs."""
        doc = self.index.doc(path)
        if doc is None or self.index.has_overlay(path):
            return False
        digest = doc.digest
        cache = self.index.cache
        if not digest or cache.has_facts(digest, (OUTLINE_KIND, self._facts_key)):
            return False
        text = self.index.text(path, keep=False)
        if text is None:
            return False
        self._prepare(path, digest, doc.analysis.lang, text)
        self.index.forget_outline(path)
        return True

    @property
    def _facts_key(self) -> str:
        # The facts depend on the tokenizer; the prefix versions their layout.
        return f"{PREPARED_FACTS}:{self.tok.name}"

    def _prepare(self, path: str, digest: str, language: str | None, text: str) -> Prepared:
        # Secrets, per-line token counts, definition terms and the outline's tokens are facts
        # of the content: kept in the persistent cache, so a warm run does not recompute them.
        cached = not self.index.has_overlay(path) and bool(digest)
        key = self._facts_key
        facts = self.index.cache.get_facts(digest, key) if cached else None
        spans: list[Span] | None = None
        counts: list[int] | None = None
        leaf_terms: list[dict[str, int]] | None = None
        outline_tokens = 0
        if _valid_facts(facts):
            spans, counts, leaf_terms, outline_tokens = cast(Facts, facts)
        if spans is None:  # found once: redacting and the stored facts both need them
            spans = secret_spans(text)
        red = redact(text, spans)
        lines = split_lines(red.text)
        outline = self.index.outline(path, text)
        symbols = outline.symbols
        depths = depth_of(symbols)  # once, for the units, the summary and the outline view
        whole_kinds, whole_lines = WHOLE_TYPES.get(outline.language, (frozenset(), 0))
        leaves = [
            s
            for s in _leaves(symbols, whole_kinds, whole_lines)
            if not (s.kind == "heading" and s.end - s.start > 400)
        ]
        leaf_contexts = contexts(symbols, lines, leaves)
        long_lines = LONG_DEFINITIONS.get(outline.language)
        if long_lines is not None:
            leaves, leaf_contexts = _split_long(leaves, leaf_contexts, lines, long_lines)
        head = head_range(outline, lines)
        whole = [(s.start, s.end) for s in leaves if s.kind in whole_kinds]
        units = [
            (unit, ranges)
            for unit, ranges in body_units(symbols, lines, head[1] if head else 0, depths)
            if not any(a <= unit.start and unit.end <= b for a, b in whole)
        ]
        leaves += [u for u, _ in units]
        bodies: list[str] | None = None
        ov = outline_view(outline, depths) if symbols else None
        if (
            counts is None
            or leaf_terms is None
            or len(counts) != len(lines)
            or len(leaf_terms) != len(leaves)
        ):
            counts = line_costs(self.tok, lines)
            bodies = _bodies(lines, leaves)
            # The index's way of finding terms (bytes, C-speed splitting): the same terms as
            # `text_terms`, a quarter faster, and an empty cache prepares ~15 files a pack.
            leaf_terms = [utf8_terms(b.encode("utf-8", "surrogatepass")) for b in bodies]
            outline_tokens = self.tok.count(ov.text) if ov is not None else 0
            if cached:
                facts = (spans, counts, leaf_terms, outline_tokens)
                self.index.cache.put_facts(digest, key, facts)
        prefix = list(itertools.accumulate(counts, initial=0))
        fixed: list[tuple[View, float, int]] = []
        if ov is not None:
            fixed.append((ov, COVERAGE["outline"], outline_tokens))
            sv = summary(outline, lines, depths=depths)
            fixed.append((sv, COVERAGE["summary"], _shown_tokens(sv, prefix)))
        return Prepared(
            digest,
            language,
            red,
            lines,
            prefix,
            outline,
            leaves,
            leaf_terms,
            leaf_contexts + [ranges for _, ranges in units],
            [head] if head else [],
            fixed,
            [_leaf_norm(t) for t in leaf_terms],
            [None if s.kind == BODY_KIND else s.name.lower() for s in leaves],
            [s.parent.lower() if s.parent else None for s in leaves],
            frozenset().union(*leaf_terms),
            ELISION in red.text,
            _in_tests(symbols, lines, leaves),
            _impl_traits(leaves),
            _member_traits(leaves),
            _bodies=bodies,
            preamble=_preamble(leaves, len(units), head, symbols),
        )


def _impl_traits(leaves: list[Symbol]) -> dict[int, str]:
    """The trait of each leaf that is a whole `impl Trait for Type` (named for its type), by
    the leaf's index, lowercased: `impl<'a> de::Deserialize<'a> for Value` -> `deserialize`."""
    return {j: s.trait.lower() for j, s in enumerate(leaves) if s.kind == "impl" and s.trait}


def _member_traits(leaves: list[Symbol]) -> dict[int, str]:
    """The trait each method leaf implements, as written, by the leaf's index: a task's
    `Visitor::visit_str` names the `visit_str` of every `impl Visitor for ...` (whose
    methods are named for the type)."""
    return {
        j: s.trait for j, s in enumerate(leaves) if s.kind in ("method", "function") and s.trait
    }


def _in_tests(symbols: list[Symbol], lines: list[str], leaves: list[Symbol]) -> frozenset[int]:
    """The leaves inside a module of tests: one named for them, or compiled only for them."""
    spans = [
        (s.start, s.end)
        for s in symbols
        if s.kind == "module"
        and (s.name in TEST_MODULE_NAMES or lines[s.start - 1].strip() == TEST_ATTRIBUTE)
    ]
    if not spans:
        return frozenset()
    return frozenset(
        j for j, leaf in enumerate(leaves) if any(a <= leaf.start <= b for a, b in spans)
    )


def _preamble(
    leaves: list[Symbol], units: int, head: tuple[int, int] | None, symbols: list[Symbol]
) -> int:
    """The index among `leaves` (whose last `units` are statement units) of the unit that
    holds the rest of the file's preamble: module statements past the head and before the
    first definition. -1 if there is none."""
    if head is None or not symbols:
        return -1
    first = min(s.start for s in symbols)
    for j in range(len(leaves) - units, len(leaves)):
        unit = leaves[j]
        if unit.parent is None and head[1] < unit.start and unit.end < first:
            return j
    return -1


def line_costs(tok: Tokenizer, lines: list[str]) -> list[int]:
    """The tokens each line adds to a view's text. Counted one by one, each with its break,
    lines run 2-3 % above their text's count, and a pack that many tokens short of its budget
    leaves out what would have fit: a blank line after a line of text costs nothing, as its
    break joins the one before it in one token ("\\n\\n"). That brings the estimate to within
    half a percent on samples of seven languages (the pack is counted exactly afterwards).
    A line with text keeps its exact count: `_shown_counts` hands it on as exact."""
    counts = tok.count_lines(lines)
    for i in range(1, len(lines)):
        if not lines[i] and lines[i - 1]:
            counts[i] = 0
    return counts


def _split_long(
    leaves: list[Symbol], leaf_contexts: list[list[tuple[int, int]]], lines: list[str], longest: int
) -> tuple[list[Symbol], list[list[tuple[int, int]]]]:
    """`leaves` (with their `contexts`) where each function or macro whose code runs over
    `longest` lines, and that holds no other leaf, is cut into pieces of `PIECE_LINES`, each
    shown with the definition's header (and what encloses it) and named as it is, so the
    task's naming it still counts for every piece."""
    out: list[Symbol] = []
    out_contexts: list[list[tuple[int, int]]] = []
    for j, (leaf, ctx) in enumerate(zip(leaves, leaf_contexts)):
        nxt = leaves[j + 1] if j + 1 < len(leaves) else None
        # The header only of a long one: this runs over every definition of every file.
        long = leaf.kind in LONG_KINDS and leaf.end - leaf.start >= longest
        header = signature(leaf, lines) if long else (leaf.start, leaf.start)
        if (
            not long
            or leaf.end - header[0] < longest
            or (nxt is not None and nxt.start <= leaf.end)
        ):
            out.append(leaf)
            out_contexts.append(ctx)
            continue
        own_end = ctx[0][1]  # the leaf's last line, or the blank line after it
        cuts = [leaf.start]
        at = header[0] + PIECE_LINES
        while at <= leaf.end:
            cuts.append(_paragraph_start(lines, at, cuts[-1] + 1))
            at = cuts[-1] + PIECE_LINES
        for a, b in zip(cuts, [c - 1 for c in cuts[1:]] + [leaf.end]):
            out.append(replace(leaf, start=a, end=b, signature_end=min(leaf.signature_end, b)))
            out_contexts.append([(a, own_end if b == leaf.end else b), header, *ctx[1:]])
    return out, out_contexts


def _paragraph_start(lines: list[str], at: int, lowest: int) -> int:
    """Line `at`, or the blank line at most PIECE_SLACK lines before it (not before `lowest`)
    nearest to it."""
    for ln in range(at, max(lowest, at - PIECE_SLACK) - 1, -1):
        if not lines[ln - 1].strip():
            return ln
    return at


def _leaf_norm(terms: dict[str, int]) -> float:
    """BM25's length normalisation of a definition holding `terms`."""
    length = sum(terms.values()) or 1
    return LEAF_K1 * (1 - LEAF_B + LEAF_B * length / LEAF_TYPICAL_TERMS)


def _bodies(lines: list[str], leaves: list[Symbol]) -> list[str]:
    return ["\n".join(lines[s.start - 1 : s.end]) for s in leaves]


def _valid_facts(facts: object) -> bool:
    return (
        isinstance(facts, tuple)
        and len(facts) == 4
        and all(isinstance(part, list) for part in facts[:3])
        and isinstance(facts[3], int)
    )


def _spans_tokens(spans: tuple[tuple[int, int], ...], prefix: list[int], n: int) -> int:
    """`_shown_tokens` of the view of `spans` in a file of `n` lines that has no line like
    an elision mark, without writing the view: its lines, and each gap's mark."""
    tokens = 0
    prev = 0
    for s, e in spans:
        tokens += prefix[e] - prefix[s - 1]
        if s > prev + 1:
            tokens += ELISION_TOKENS
        prev = e
    return tokens + ELISION_TOKENS if spans and prev < n else tokens


def _shown_tokens(view: View, prefix: list[int]) -> int:
    """Tokens of a view made of verbatim ranges, from the file's line-token prefix sums."""
    shown = sum(prefix[e] - prefix[s - 1] for s, e in view.lines)
    elisions = view.text.count("\n" + ELISION) + view.text.startswith(ELISION)
    return shown + ELISION_TOKENS * elisions


@dataclass
class QueryWeights:
    """The task's terms weighted by their idf, in the query's order, computed once per fit
    (not once per file)."""

    weighted: list[tuple[str, float]]  # (term, weight * idf)
    stems: dict[str, float] = field(default_factory=dict)  # suffixes folded: the best weight

    @classmethod
    def of(cls, signals: Signals, index: FileIndex) -> QueryWeights:
        weighted = [(t, w * index.idf(t)) for t, w in signals.query.items()]
        stems: dict[str, float] = {}
        for t, w in weighted:
            folded = stem(t)
            stems[folded] = max(stems.get(folded, 0.0), w)
        return cls(weighted, stems)

    def within(self, terms: AbstractSet[str]) -> list[tuple[str, float]]:
        """The weighted query terms among `terms`, in the query's order (so a definition's
        sum adds up in the same order, to the same float, as a walk over the whole query)."""
        return [(t, w) for t, w in self.weighted if t in terms]


def symbol_scores(
    prep: Prepared,
    cand: Candidate,
    signals: Signals,
    index: FileIndex,
    weights: QueryWeights | None = None,
) -> list[tuple[Symbol, float]]:
    """Relevance of each definition: the task's words in its body, its name, lines pointed at,
    exact strings from the task."""
    weights = weights or QueryWeights.of(signals, index)
    leaves = prep.leaves
    # The task's words, term by term in the query's order, over the definitions holding
    # them: each definition's sum adds up in the same order as a walk over its own terms.
    lexical = [0.0] * len(leaves)
    norms = prep.leaf_norms
    count = len(leaves)
    for term, weight in weights.within(prep.terms):
        held = prep.holders(term)
        weight *= idf(count, len(held) // 2) ** IN_FILE_RARITY
        flat = iter(held)
        for j, n in zip(flat, flat):
            lexical[j] += weight * n * (LEAF_K1 + 1) / (n + norms[j])
    stems = weights.stems
    words, rarity = prep.name_words()
    for j, ws in enumerate(words):
        for w in ws:
            if w in stems:
                lexical[j] += NAME_WORD * stems[w] * rarity[w]
    scored = list(zip(leaves, lexical))
    # The other evidence concerns few definitions: those named as the task's symbols name
    # them (or their class), those it qualifies, those a line points into, and those with
    # one of its literals (only literals the file's text holds: a body is a piece of it).
    lower_symbols = {s.lower(): w for s, w in signals.symbols.items()}
    qualified = signals.qualified
    pointed = cand.lines
    literals = [lit for lit in signals.literals if lit in prep.redacted.text]
    names = prep.names()
    flagged: set[int] = set()
    owners = {owner.lower() for owner, _ in qualified if owner}
    for symbol in lower_symbols:
        flagged.update(names.by_name.get(symbol, ()))
        flagged.update(names.by_parent.get(symbol, ()))
        flagged.update(names.by_trait.get(symbol, ()))
    for pair in qualified:
        flagged.update(names.by_pair.get(pair, ()))
    if pointed:
        flagged.update(
            j for j, sym in enumerate(leaves) if any(sym.start <= ln <= sym.end for ln in pointed)
        )
    if literals:
        flagged.update(
            j for j, body in enumerate(prep.bodies) if any(lit in body for lit in literals)
        )
    named: list[int] = []  # definitions the task names
    for j in sorted(flagged):
        sym, s = scored[j]
        name, parent = prep.leaf_names[j], prep.leaf_parents[j]
        name_w = lower_symbols.get(name) if name is not None else None
        trait = prep.traits.get(j)
        if trait is not None and trait not in owners:
            # An impl is named by its trait as much as by its type; not by a trait the task
            # names as the owner of a member (`Buf::get_int`): that member is the subject.
            name_w = max(name_w or 0.0, lower_symbols.get(trait, 0.0)) or None
        if name_w:
            s += NAMED * name_w
        if parent is not None and lower_symbols.get(parent):
            s += IN_NAMED_CLASS
            if sym.name in CONSTRUCTORS:
                s += NAMED_CLASS_CONSTRUCTOR
        in_trait = (prep.member_traits.get(j), sym.name)  # `Visitor::visit_str`
        is_qualified = (sym.parent, sym.name) in qualified or in_trait in qualified
        if is_qualified:
            s += QUALIFIED
        if pointed and any(sym.start <= ln <= sym.end for ln in pointed):
            s += POINTED_AT
        if literals:
            body = prep.bodies[j]
            s += sum(
                LITERAL_WORD if lit.isidentifier() else LITERAL for lit in literals if lit in body
            )
        if name_w or is_qualified:
            named.append(j)
        scored[j] = (sym, s)
    for member, weight in _called_members(prep, qualified, lower_symbols, index).items():
        # `KeyPair.Load` named, defined elsewhere, called here (`ca.Root.Load()`): the change
        # is often in the caller, where what the member returns is handled.
        call = "." + member + "("
        for j, body in enumerate(prep.bodies):
            if call in body:
                sym, s = scored[j]
                scored[j] = (sym, s + NAMED * weight)
    for j in prep.in_tests:
        scored[j] = (scored[j][0], scored[j][1] * TEST_MODULE)
    return _callees(prep, scored, named)


def _called_members(
    prep: Prepared,
    qualified: AbstractSet[tuple[str, str]],
    symbols: dict[str, float],
    index: FileIndex,
) -> dict[str, float]:
    """The members the task qualifies by a type the project defines (`KeyPair.Load`, not
    `self.assertEqual`) that this file does not define, with their weight as the task's
    symbols: a file that calls one uses what it does."""
    names = prep.names()
    out: dict[str, float] = {}
    for owner, member in qualified:
        if len(member) < MIN_CALLEE_NAME or names.by_name.get(member.lower()):
            continue  # defined here (by that type or another): calls may be to it
        if not index.defined_in(owner):
            continue
        out[member] = max(out.get(member, 0.0), symbols.get(member.lower(), 1.0))
    return out


def _name_words(leaf: Symbol) -> tuple[frozenset[str], frozenset[str]]:
    """The words of a definition's name, suffixes folded, with the words for the behaviour a
    protocol method implements (none for a run of statements), and those of its class's."""
    return _words_of_names(None if leaf.kind == BODY_KIND else leaf.name, leaf.parent)


@functools.lru_cache(maxsize=NAMES_KEPT)
def _words_of_names(name: str | None, parent: str | None) -> tuple[frozenset[str], frozenset[str]]:
    # Remembered: names repeat (`__init__`, `get`, a class's name for each of its members).
    own = split_identifier(name) + list(PROTOCOL_WORDS.get(name, ())) if name else []
    owner = split_identifier(parent) if parent else []
    return _folded(own), _folded(owner)


def _folded(parts: list[str]) -> frozenset[str]:
    """Name parts as a task's words are matched to them: suffixes folded, none of the words a
    task uses to say what to do (`add`, `fix`, `update`: `addDeps` is no match for "add a
    workaround")."""
    folded = (stem(p) for p in parts if len(p) >= MIN_NAME_WORD and p not in TASK_WORDS)
    return frozenset(p for p in folded if p not in TASK_WORDS)


def _callees(
    prep: Prepared, scored: list[tuple[Symbol, float]], named: list[int]
) -> list[tuple[Symbol, float]]:
    """The helpers a named definition calls in the same file share in its evidence: the fix
    for `Variable.__setitem__` is often in the function it hands its value to."""
    if not named:
        return scored
    by_name = prep.names().callees
    gains: dict[int, float] = {}
    for i in named:
        for term in prep.leaf_terms[i]:
            for j in by_name.get(term, ()):
                if j != i:
                    gains[j] = max(gains.get(j, 0.0), CALLEE * scored[i][1])
    return [(sym, v + gains.get(j, 0.0)) for j, (sym, v) in enumerate(scored)]


def _leaves(
    symbols: list[Symbol], whole_kinds: AbstractSet[str] = frozenset(), whole_lines: int = 0
) -> list[Symbol]:
    """Definitions worth expanding on their own: drop containers (a class, an impl block)
    whose members are listed separately; a constant (`const defaults = {...}`) stays, since
    its lines outside its members hold data no member shows (unless they are data members
    too: fields, and its other lines are body units), and so does a container of one
    of `whole_kinds` up to `whole_lines` lines long, in place of its members. Symbols come
    sorted by start, enclosing ones first, so a symbol has members exactly when the next one
    starts inside it."""
    out: list[Symbol] = []
    inside = 0  # the last line of a type kept whole: its members are not leaves
    for i, sym in enumerate(symbols):
        if sym.end <= inside:
            continue
        nxt = symbols[i + 1] if i + 1 < len(symbols) else None
        has_members = nxt is not None and sym.start <= nxt.start and nxt.end <= sym.end
        if has_members and sym.kind in whole_kinds and sym.end - sym.start < whole_lines:
            inside = sym.end
        elif has_members and (
            sym.kind not in ("function", "method", "constant")
            or (nxt is not None and nxt.kind == FIELD_KIND)
        ):
            continue  # a larger table is its entries, and its other lines are body units
        out.append(sym)
    return out


def _rerank(
    prepared: list[tuple[Candidate, Prepared]], scored: dict[str, list[tuple[Symbol, float]]]
) -> None:
    """Symbol-level evidence re-ranks files: a file with one definition that matches the task
    closely is a likelier place for the change than one with diffuse matches."""
    # Only definitions: a module's loose statements (a setup script's metadata) would let
    # files with no code worth reading outrank the ones that define what the task is about.
    best = {
        path: max((v for sym, v in syms if sym.kind != BODY_KIND), default=0.0)
        for path, syms in scored.items()
    }
    top = max(best.values(), default=0.0)
    if top <= 0:
        return
    for cand, _ in prepared:
        # The file's kind weighs this evidence as it weighed the rest: a changelog heading
        # or a test that matches closely must not undo the prior that ranked it down.
        weight = 1.0 if cand.focus else cand.weight
        gain = RERANK * weight * best[cand.path] / top
        cand.score += gain
        if gain > 0 and gain >= RERANK * 0.6:
            sym = max((x for x in scored[cand.path] if x[0].kind != BODY_KIND), key=lambda x: x[1])[
                0
            ]
            cand.reasons.append(f"`{sym.qualname}` matches the task closely")


def build_choice(
    cand: Candidate,
    prep: Prepared,
    scored: list[tuple[Symbol, float]],
    overhead: int,
    budget: int,
) -> FileChoice:
    """A file's options at `budget`: its slices take up to `slice_depth` of its definitions,
    and a slice of them all is worth `slice_max` of the whole file."""
    depth = slice_depth(budget)
    top_share = slice_max(budget, prep.prefix[-1] + overhead)
    lines = prep.lines
    choice = FileChoice(
        cand, prep.language, redacted=prep.redacted, lines=lines, prefix=prep.prefix
    )
    base = max(cand.score, 0.0) ** SHARPEN
    choice.options.append(Option(LISTED, base * COVERAGE["listed"], overhead))
    for view, coverage, tokens in prep.fixed_views:
        choice.options.append(Option(view, base * coverage, tokens + overhead))
    if prep.leaves:
        # The chance that the change lands in a definition grows faster than its score.
        # Faint matches (a common word in a long body) are noise: in a module with hundreds
        # of definitions they would add up to most of the total and make any slice look
        # worthless next to a small file shown whole.
        best = max((v for _, v in scored), default=0.0)
        floor = SYM_FLOOR * best
        if prep.preamble >= 0:  # a change to the definitions often brings an import
            sym, v = scored[prep.preamble]
            scored = list(scored)
            scored[prep.preamble] = (sym, max(v, PREAMBLE * best))
        weights = [(j, v**SYM_SHARPEN) for j, (_, v) in enumerate(scored) if v > floor]
        total = sum(w for _, w in weights)
        # Code no definition's words matched may still hold the change: the larger its share
        # of the file, the less even a slice of every matching definition is worth.
        leaves = prep.leaves
        matched = sum(leaves[j].end - leaves[j].start + 1 for j, _ in weights)
        unmatched = max(len(lines) - matched, 0) / max(len(lines), 1)
        total *= 1.0 + UNMATCHED * unmatched
        # The heaviest first, then the first in the file (then the first leaf: ties keep
        # their order); only the ones a slice can take.
        ranked = [
            (j, -neg)
            for neg, _, j in heapq.nsmallest(depth, [(-w, leaves[j].start, j) for j, w in weights])
        ]
        n = len(lines)
        whole = prep.prefix[-1]
        # Each slice adds a definition to the last: its merged ranges grow by that one's.
        shown = merge(clamped(n, prep.head + [(ln, ln) for ln in cand.lines]))
        covered = 0.0
        prefix = prep.prefix
        for k, (j, w) in enumerate(ranked):
            shown = merge(shown + clamped(n, prep.contexts[j]))
            covered += w
            share = SLICE_BASE + (top_share - SLICE_BASE) * covered / total
            # Most slices are never chosen: their cost comes from the lines they show and
            # their gaps, and their text is written only for the one in the pack.
            spans = bridged(shown)
            if prep.elision_lines:  # a line that looks like a gap counts as one, as text
                tokens = _shown_tokens(elided("slice", lines, spans), prefix)
            else:
                tokens = _spans_tokens(spans, prefix, n)
            if k >= MAX_SLICE_SYMBOLS and tokens > DEEP_COST * whole:
                break
            choice.options.append(Option(None, base * share, tokens + overhead, spans))
    fv = full(lines, prep.redacted.text)  # a copy of the text: made per pack, not kept
    choice.options.append(Option(fv, base, prep.prefix[-1] + overhead))
    choice.options = _monotone(choice.options)
    return choice


def slice_depth(budget: int) -> int:
    """How many definitions a slice may take at `budget` (see DEEP_SYMBOLS)."""
    return MAX_SLICE_SYMBOLS + (DEEP_SYMBOLS if budget >= DEEP_BUDGET else 0)


def slice_max(budget: int, whole: int) -> float:
    """What a slice of every matched definition of a file costing `whole` tokens is worth at
    `budget`, as a share of the whole file (see SLICE_MAX_DEEP)."""
    if budget < DEEP_BUDGET:
        return SLICE_MAX
    if budget < WHOLE_BEST_MIN_BUDGET or whole > WHOLE_BEST_SHARE * budget:
        return SLICE_MAX_DEEP
    return SLICE_MAX


def _monotone(options: list[Option]) -> list[Option]:
    """The options by cost, without any dearer one that is worth no more than a cheaper."""
    options = sorted(options, key=lambda o: (o.cost, -o.value))
    ladder: list[Option] = []
    for opt in options:
        if not ladder or opt.value > ladder[-1].value:
            ladder.append(opt)
    return ladder


def _with_change_log(
    choices: list[FileChoice],
    candidates: list[Candidate],
    index: FileIndex,
    preparer: Preparer,
    overhead: Callable[[str], int],
) -> list[FileChoice]:
    """`choices` with the head of the changelog nearest the likeliest file offered, worth a
    share of that file: in a project that keeps one, a fix adds its entry there."""
    if not choices:
        return choices
    top = choices[0]
    path = change_log_for(index, top.cand.path)
    if path is None or path == top.cand.path:
        return choices
    log = next((c for c in choices if c.cand.path == path), None)
    if log is None:
        prep = preparer.get(path)
        if prep is None:
            return choices
        ranked = next((c for c in candidates if c.path == path), None)
        cand = replace(ranked, reasons=list(ranked.reasons)) if ranked else Candidate(path, 0.0)
        log = FileChoice(
            cand, prep.language, redacted=prep.redacted, lines=prep.lines, prefix=prep.prefix
        )
        choices = [*choices, log]
    value = max(top.cand.score, 0.0) ** SHARPEN * CHANGE_LOG_SHARE
    spans = ((1, head_end(log.lines)),)
    cost = _shown_tokens(elided("slice", log.lines, spans), log.prefix) + overhead(path)
    for opt in log.options:
        if opt.is_full:
            opt.value += value
    log.options = _monotone([*log.options, Option(None, value, cost, spans)])
    log.cand.reasons.insert(0, f"the changelog nearest `{top.cand.path}`: where a fix is recorded")
    return choices


def _whole_best(choices: list[FileChoice], budget: int) -> None:
    """Choose the likeliest file whole when it costs at most WHOLE_BEST_SHARE of a large
    budget (see WHOLE_BEST_SHARE)."""
    if budget < WHOLE_BEST_MIN_BUDGET or not choices:
        return
    best = choices[0]
    for oi, opt in enumerate(best.options):
        if opt.is_full and opt.value > 0:
            if opt.cost <= WHOLE_BEST_SHARE * budget:
                best.current = oi
            return


def _glimpse(choices: list[FileChoice], budget: int) -> None:
    """Start each of the GLIMPSE_FILES likeliest files not yet chosen from its first slice
    when that costs at most GLIMPSE_SHARE of `budget` (see GLIMPSE_FILES)."""
    for ch in choices[:GLIMPSE_FILES]:
        if ch.current >= 0:
            continue
        first = next((oi for oi, opt in enumerate(ch.options) if opt.view is None), None)
        if first is not None and ch.options[first].cost <= GLIMPSE_SHARE * budget:
            ch.current = first


def greedy(choices: list[FileChoice], budget: int) -> int:
    """Spend `budget` on the upgrades with the best value per token. Returns the cost used.

    Each round buys the upgrade of best ratio that still fits (ties: the first file, then
    its cheapest option). A file's upgrades change only when it is upgraded, and one that
    no longer fits never fits again (the spent budget only grows), so they wait in a heap,
    and an entry is dropped when it is stale or too dear. Options already chosen count
    as spent."""
    used = sum(ch.chosen.cost for ch in choices if ch.chosen)
    heap: list[tuple[float, int, int, int]] = []  # (-ratio, file, option, file's current)
    for ci, ch in enumerate(choices):
        _push_upgrades(heap, ci, ch)
    while heap:
        neg, ci, oi, current = heapq.heappop(heap)
        ch = choices[ci]
        if current != ch.current:
            continue
        opt = ch.options[oi]
        extra = opt.cost - (ch.chosen.cost if ch.chosen else 0)
        if used + extra > budget:
            continue
        if -neg <= 0:
            return used
        used += extra
        ch.current = oi
        _push_upgrades(heap, ci, ch)
    return used


def _push_upgrades(heap: list[tuple[float, int, int, int]], ci: int, ch: FileChoice) -> None:
    cur = ch.chosen
    cur_v = cur.value if cur else 0.0
    cur_c = cur.cost if cur else 0
    for oi in range(ch.current + 1, len(ch.options)):
        opt = ch.options[oi]
        ratio = (opt.value - cur_v) / max(opt.cost - cur_c, 1)
        heapq.heappush(heap, (-ratio, ci, oi, ch.current))


def fit(
    candidates: list[Candidate],
    index: FileIndex,
    signals: Signals,
    budget: int,
    overhead: Callable[[str], int],
    preparer: Preparer,
) -> list[Item]:
    """Items for the files that made it, best first."""
    size = min(MAX_CANDIDATES, max(MIN_CANDIDATES, budget // TOKENS_PER_CANDIDATE))
    pool = [c for c in candidates if c.score > 0][:size]
    if pool:
        floor = pool[0].score * 0.02
        pool = [c for c in pool if c.score >= floor or c.focus]
    # Copies: re-ranking changes scores and reasons, and fit may run twice on one ranking.
    pool = [replace(c, reasons=list(c.reasons)) for c in pool]
    got = preparer.get_all([c.path for c in pool])
    prepared = [(c, p) for c, p in zip(pool, got, strict=True) if p is not None]
    weights = QueryWeights.of(signals, index)
    scored = {c.path: symbol_scores(p, c, signals, index, weights) for c, p in prepared}
    _rerank(prepared, scored)
    prepared.sort(key=lambda cp: (-cp[0].score, cp[0].path))
    choices = [build_choice(c, p, scored[c.path], overhead(c.path), budget) for c, p in prepared]
    choices = _with_change_log(choices, candidates, index, preparer, overhead)
    _whole_best(choices, budget)
    _glimpse(choices, budget)
    greedy(choices, budget)
    items: list[Item] = []
    top = max((c.cand.score for c in choices), default=1.0) or 1.0
    for ch in choices:
        opt = ch.chosen
        if opt is None:
            continue
        item = to_item(ch, opt, top)
        items.append(item)
        preparer.tok.remember_lines(_shown_counts(ch, item.lines))
    return items


def to_item(ch: FileChoice, opt: Option, top: float) -> Item:
    view = ch.view(opt)
    red = ch.redacted
    lines = list(view.lines)
    mode = view.mode
    if red is not None and red.lines:
        lines = verbatim_ranges(lines, red.lines)
        if mode == "full":
            mode = "slice"  # a redacted file is no longer shown whole
    return Item(
        kind="file",
        path=ch.cand.path,
        mode=mode,
        text=view.text,
        score=round(ch.cand.score / top, 4),
        reasons=_dedupe(ch.cand.reasons),
        lines=lines,
        tokens=opt.cost,
        language=ch.language,
        redactions=sum(red.counts.values()) if red else 0,
    )


def _shown_counts(ch: FileChoice, ranges: list[tuple[int, int]]) -> Iterator[tuple[str, int]]:
    """(line, its count with its break) of each line with text that `ranges` show: the
    exact counts `line_costs` kept (its estimate differs only for blank lines), which
    counting the rendered pack can look up instead of encoding the lines again."""
    lines, prefix = ch.lines, ch.prefix
    for a, b in ranges:
        for i in range(a - 1, b):
            if lines[i]:
                yield lines[i], prefix[i + 1] - prefix[i]


def _dedupe(reasons: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for r in reasons:
        if r not in seen:
            seen.add(r)
            out.append(r)
    return out[:8]
