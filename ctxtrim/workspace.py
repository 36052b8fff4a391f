"""The one core API every front door calls: open a repository, then ask it for packs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from . import __version__
from .cache import Cache
from .config import Config
from .errors import CtxtrimError
from .fit import Preparer, fit
from .index import ANALYSIS_VERSION, FileIndex
from .pack import ORDERS, Item, Omitted, Pack
from .rank import Candidate, prior, rank
from .render import FORMATS, item_block, measured_format, render, tokens_label
from .rules import RuleFile, discover, pack_sections
from .scan import IgnoreRules, ScanResult, directory, scan
from .task import Task, extract
from .tokens import Tokenizer, check_available

Progress = Callable[[str, int, int], None]  # (stage, done, total)

MIN_BUDGET = 64
MAX_BUDGET = 2_000_000


class Workspace:
    """A scanned and indexed repository. Thread-safe: the language server shares one."""

    def __init__(
        self, root: Path, config: Config, scanned: ScanResult, index: FileIndex, tok: Tokenizer
    ) -> None:
        self.root = root
        self.config = config
        self.scanned = scanned
        self.index = index
        self.tokenizer = tok
        self.lock = threading.RLock()
        self.preparer = Preparer(index, tok)
        self._rule_cache: tuple[int, list[RuleFile]] | None = None  # (index.changes, rules)
        self._ignore: tuple[IgnoreRules, set[str]] | None = None
        self._bytes = (-1, 0)  # (index.changes, total bytes)

    @classmethod
    def open(
        cls, root: Path | str, config: Config | None = None, progress: Progress | None = None
    ) -> Workspace:
        """Scan and index `root` (reusing the persistent cache). Raises CtxtrimError on bad input."""
        root = directory(root)
        config = config or Config.load(root)
        check_available(config.encoding)  # fail fast; the slow load overlaps the indexing
        scanned = scan(root, config, (lambda n: progress("scan", n, 0)) if progress else None)
        cache = Cache.open(config.cache_dir, f"{__version__}+a{ANALYSIS_VERSION}")
        index = FileIndex(root, config, cache)
        loaded: list[Tokenizer] = []
        index.build(
            scanned,
            (lambda d, t: progress("index", d, t)) if progress else None,
            idle=lambda: loaded.append(Tokenizer(config.encoding)),
        )
        return cls(root, config, scanned, index, loaded[0])

    # ------------------------------------------------------------------ edits
    def update_file(self, rel: str, text: str | None = None) -> bool:
        """Re-index one file: from `text` (an unsaved buffer) or from disk if None. A path the
        scan would exclude (ignored, a secret file, too large) is kept out; returns whether
        the file is in the index now."""
        rel = self.relative(rel)
        with self.lock:
            size = len(text.encode("utf-8", "surrogatepass")) if text is not None else None
            if not self.admits(rel, size):
                self.index.remove(rel)
                return False
            self.index.update(rel, text)
            return rel in self.index.by_path

    def remove_file(self, rel: str) -> None:
        rel = self.relative(rel)
        with self.lock:
            self.index.remove(rel)

    def admits(self, rel: str, size: int | None = None, is_dir: bool = False) -> bool:
        """Whether the scan would keep `rel` (or, with `is_dir`, descend into it): ignore
        files, excludes, include patterns, secret files, size."""
        if not rel or rel == "." or rel.startswith("../"):
            return is_dir and not rel
        with self.lock:
            if self._ignore is None:
                self._ignore = (IgnoreRules(self.root, self.config), set())
            rules, loaded = self._ignore
            parts = rel.split("/")
            for depth in range(len(parts)):
                directory = "/".join(parts[:depth])
                if directory not in loaded:
                    rules.load_dir(directory)
                    loaded.add(directory)
                if depth and rules.check(directory, is_dir=True)[0]:
                    return False
            if is_dir:
                return not rules.check(rel, is_dir=True)[0]
            if rules.check(rel)[0] or not rules.wanted(rel):
                return False
            return size is None or size <= self.config.max_file_bytes

    def forget_ignore_rules(self) -> None:
        """An ignore file changed: read them again on the next `admits`."""
        with self.lock:
            self._ignore = None

    def relative(self, path: str | Path) -> str:
        """`path` relative to the root with '/' separators; refuses paths outside the root."""
        p = Path(path)
        full = (p if p.is_absolute() else self.root / p).resolve()
        try:
            rel = full.relative_to(self.root)
        except ValueError:
            raise CtxtrimError(f"{path}: outside the workspace {self.root}") from None
        return rel.as_posix()

    def warm(
        self, stop: Callable[[], bool] | None = None, progress: Progress | None = None
    ) -> tuple[int, int]:
        """Fill the persistent cache with what packs need of each file (outline, secrets,
        line token counts), likeliest files first, so that later packs prepare nothing.
        `stop` is asked between files. Returns (files prepared now, files in the index)."""
        if not self.index.cache.enabled:
            return 0, 0
        with self.lock:
            paths = sorted(self.index.by_path, key=lambda p: (-prior(p)[0], p))
        done = 0
        for n, path in enumerate(paths):
            if stop is not None and stop():
                break
            with self.lock:
                done += self.preparer.warm(path)
            if progress:
                progress("warm", n + 1, len(paths))
        return done, len(paths)

    # ------------------------------------------------------------------ packs
    def pack(
        self,
        task: Task,
        budget: int = 8000,
        fmt: str = "markdown",
        explain: bool = False,
        with_task: bool = False,
        order: str = "first",
    ) -> Pack:
        """The best pack for `task` whose rendering in `fmt` fits `budget` tokens."""
        if fmt not in FORMATS:
            raise CtxtrimError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
        if order not in ORDERS:
            raise CtxtrimError(f"unknown order '{order}' (choose from {', '.join(ORDERS)})")
        if not MIN_BUDGET <= budget <= MAX_BUDGET:
            raise CtxtrimError(
                f"budget {budget} is out of range ({MIN_BUDGET} to {MAX_BUDGET:,} tokens)"
            )
        with self.lock:
            return self._pack(task, budget, fmt, explain, with_task, order)

    def _pack(
        self, task: Task, budget: int, fmt: str, explain: bool, with_task: bool, order: str
    ) -> Pack:
        tok = self.tokenizer
        signals = extract(task.text)
        focus = []
        for path, line in task.focus_points():
            rel = self.relative(path)
            if rel not in self.index.by_path:
                raise CtxtrimError(f"focus file {path}: not in the workspace (missing or excluded)")
            focus.append(f"{rel}:{line}" if line else rel)
        # Rank matches focus paths against the index: give it them relative to the root.
        task = Task(task.text, tuple(focus))
        candidates = (
            rank(self.index, task, signals)
            if (task.text.strip() or task.focus)
            else self._central()
        )
        # Rule files are packed as rule sections, with their own share of the budget.
        rule_paths = {r.path for r in self.rules()}
        candidates = [c for c in candidates if c.path not in rule_paths]
        pack = Pack(
            root=str(self.root),
            task=task.text,
            budget=budget,
            encoding=tok.name,
            files_total=self.index.alive,
            repo_tokens_estimate=self._total_bytes() // 4,
            format=fmt,
            explain=explain,
            with_task=with_task,
            order=order,
        )
        measured = measured_format(fmt)
        fixed = self._count(pack, measured)  # header and task, with no items
        per_item = self._item_overhead(measured)

        def fit_code(room: int) -> list[Item]:
            return fit(
                candidates,
                self.index,
                signals,
                max(int(room * 0.97), 0),
                per_item,
                self.preparer,
            )

        # Code first, within the budget less the rules' share; then the rule sections that
        # apply to the files actually shown; then give the code what the rules left unused.
        reserve = int(budget * self.config.rules_share) if self.rules() else 0
        items = fit_code(budget - fixed - reserve)
        shown = [i.path for i in items if i.mode in ("full", "slice")]
        rule_items, dropped = self._rules(task, shown, reserve)
        pack.items = list(rule_items)
        rule_cost = self._count(pack, measured) - fixed
        if reserve - rule_cost > 0.05 * budget:
            items = fit_code(budget - fixed - rule_cost)
        # Models attend least to the middle of a long context: "last" puts the best files
        # at the end, next to where the question usually follows.
        pack.items = rule_items + (items[::-1] if order == "last" else items)
        pack.dropped_rules = dropped
        self._enforce(pack, measured, lambda: self._account(pack, candidates, explain))
        return pack

    def _central(self) -> list[Candidate]:
        """With no task: the files most referenced by others, source before tests and docs."""
        out = []
        index = self.index
        for _, doc in index.live_docs():
            weight, _ = prior(doc.path)
            # How often the names this file defines appear across the repository.
            refs = 0
            for name in doc.analysis.defs[:50]:
                tid = index.term_id(name.lower())
                if tid is not None:
                    refs += min(index.df[tid], 50)
            score = weight * refs / (10 + refs)
            if doc.path.lower().startswith("readme"):
                score = 1.0
            out.append(Candidate(doc.path, score, ["central: its definitions are used widely"]))
        return sorted(out, key=lambda c: (-c.score, c.path))

    def _rules(self, task: Task, shown: list[str], budget: int) -> tuple[list[Item], list[Omitted]]:
        paths = shown + [self.relative(p) for p, _ in task.focus_points()]
        kept, dropped = pack_sections(self.rules(), task.text, paths, budget, self.tokenizer)
        top = max([i.score for i in kept] + [o.score for o in dropped] + [1e-9])
        for item in kept:
            item.score = round(max(item.score, 0.0) / top, 4)
        return kept, dropped

    def rules(self) -> list[RuleFile]:
        """The repository's AI rule files (open buffers win over the disk), rediscovered
        only after an edit."""
        with self.lock:
            if self._rule_cache is None or self._rule_cache[0] != self.index.changes:
                files = list(self.index.by_path)
                found = discover(self.root, files, self.tokenizer, dict(self.index.overlays))
                self._rule_cache = (self.index.changes, found)
            return self._rule_cache[1]

    def _total_bytes(self) -> int:
        """Bytes of every indexed file, recomputed only after the index changed."""
        if self._bytes[0] != self.index.changes:
            docs = self.index.docs
            self._bytes = (
                self.index.changes,
                sum(docs[i].entry.size for i in self.index.by_path.values()),
            )
        return self._bytes[1]

    def _count(self, pack: Pack, fmt: str) -> int:
        return self.tokenizer.count(render(pack, fmt))

    def _item_overhead(self, fmt: str) -> Callable[[str], int]:
        """Tokens a file item costs beyond its text (title, fences, separators), by path. The
        line ranges in a slice's title vary, hence the margin."""
        probe = Item("file", "", "slice", "x", 1.0, lines=[(1, 1)], language="python")

        def overhead(path: str) -> int:
            probe.path = path
            return self.tokenizer.count(item_block(probe, fmt)) + 12

        return overhead

    def _enforce(self, pack: Pack, fmt: str, account: Callable[[], None]) -> None:
        """Count the real rendering; drop the least relevant files until it fits. The header
        states the count, so settle it until the number is stable. `account` fills in what
        the rendering says of the items (omissions, redactions), after every change to them."""
        account()
        # A close first guess for the header's number saves a render of the whole pack.
        pack.tokens = (
            self._count(pack, fmt)
            if not pack.items
            else pack.tokens or sum(i.tokens for i in pack.items)
        )
        while True:
            self._settle(pack, self._count(pack, fmt), fmt)
            if pack.tokens <= pack.budget:
                return
            if not pack.items:
                raise CtxtrimError(
                    f"budget {pack.budget} is too small: the pack's header and task alone take "
                    f"{pack.tokens} tokens"
                )
            files = [i for i in pack.items if i.kind == "file"]
            victim = min(files or pack.items, key=lambda i: (i.score, i.path))
            pack.items.remove(victim)
            account()

    def _settle(self, pack: Pack, count: int, fmt: str) -> None:
        """Make the header's number equal `count`, the tokens of the pack rendered with the
        number it states now. Only that number differs between the two renderings, and
        digits are tokenized apart from their neighbours, so the new rendering's count is
        the old one plus the difference between the two numbers' tokens: no second render
        of a large pack. (A space in front keeps encodings that attach it to digits exact.)"""
        tokens = self.tokenizer.count
        for _ in range(4):
            if count == pack.tokens:
                return
            shift = tokens(" " + tokens_label(count)) - tokens(" " + tokens_label(pack.tokens))
            pack.tokens, count = count, count + shift
        while count != pack.tokens:  # never seen; rendering settles it too, only slower
            pack.tokens, count = count, self._count(pack, fmt)

    def _account(self, pack: Pack, candidates: list[Candidate], explain: bool) -> None:
        shown = {i.path for i in pack.items if i.kind == "file"}
        pack.omitted_files = max(self.index.alive - len(shown), 0)
        docs = self.index.docs
        shown_bytes = sum(
            docs[self.index.by_path[p]].entry.size for p in shown if p in self.index.by_path
        )
        omitted_bytes = self._total_bytes() - shown_bytes
        pack.omitted_tokens = omitted_bytes // 4
        pack.redactions = {}
        for item in pack.items:
            if item.redactions:
                pack.redactions["secret"] = pack.redactions.get("secret", 0) + item.redactions
        if explain:
            pack.best_omitted = [
                Omitted(c.path, round(c.score, 4), c.reasons[:4], "did not fit the budget")
                for c in candidates
                if c.path not in shown
            ][:10]
