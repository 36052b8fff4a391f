"""The one core API every front door calls: open a repository, then ask it for packs."""

from __future__ import annotations

import gc
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

from .cache import Cache
from .config import DEFAULT_BUDGET, Config
from .errors import CtxtrimError
from .fit import Preparer, fit
from .index import FileIndex
from .pack import ORDERS, Item, Omitted, Order, Pack
from .progress import Progress
from .rank import Candidate, prior, rank
from .render import FORMATS, item_block, measured_format, render, tokens_label
from .rules import Reach, RuleFile, Selection, discover, pack_sections, select_sections
from .scan import IgnoreRules, ScanResult, directory, scan
from .task import Signals, Task, extract
from .timing import PhaseStats, Timings
from .tokens import Tokenizer

_T = TypeVar("_T")

LISTINGS_DIR = "listings"  # in the cache directory: each directory's scan verdicts
BEST_OMITTED = 10  # files --explain lists as left out
MIN_BUDGET = 64
# A shown file brings rules into play when its score is at least this share of the best
# shown file's (files the task names and focus files left aside): in a small repository a
# pack shows nearly everything, and a file shown only because room was left says nothing.
IN_PLAY_SHARE = 0.3
MAX_BUDGET = 2_000_000
OVERHEADS_KEPT = 16384  # (format, path) -> tokens an item costs beyond its text


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
        # What is derived from the whole index (rules, their reach, total bytes), by name:
        # (the index version it was made for, the value).
        self._derived: dict[str, tuple[int, object]] = {}
        self._ignore: tuple[IgnoreRules, set[str]] | None = None
        self._overheads: dict[tuple[str, str], int] = {}
        self.phase_stats = PhaseStats()  # every pack's phase times, for the front doors
        self.open_seconds = 0.0  # what `open` took: scan, index, tokenizer
        # Index updates since the last pack: its refresh phase reports them.
        self._refreshed_seconds, self._refreshed_files = 0.0, 0

    @classmethod
    def open(
        cls, root: Path | str, config: Config | None = None, progress: Progress | None = None
    ) -> Workspace:
        """Scan and index `root` (reusing the persistent cache). Raises CtxtrimError on bad input."""
        started = time.perf_counter()
        root = directory(root)
        config = config or Config.load(root)
        # Opening allocates one long-lived object after another (a 100k-file index holds
        # millions): the cyclic collector would walk them all again and again, for nothing.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return cls._open(root, config, progress, started)
        finally:
            if collecting:
                gc.enable()

    @classmethod
    def _open(
        cls, root: Path, config: Config, progress: Progress | None, started: float
    ) -> Workspace:
        cache = Cache.open(config.cache_dir)
        listings = cache.path.parent / LISTINGS_DIR if cache.path is not None else None
        index = FileIndex(root, config, cache)
        # Fails fast on an unknown encoding; builds it only when something must be encoded.
        tok = Tokenizer(config.encoding, cache.directory, cache if cache.enabled else None)
        with index.streaming() as found:  # a cold build analyses files as the scan finds them
            scanned = scan(root, config, progress, listings, found)
            index.build(
                scanned,
                progress,
                idle=tok.load,  # a cold start needs the encoding: build it while workers run
                save_apart=True,  # a pack follows: the snapshot is written meanwhile
            )
        ws = cls(root, config, scanned, index, tok)
        ws.open_seconds = time.perf_counter() - started
        return ws

    # ------------------------------------------------------------------ edits
    def update_file(self, rel: str, text: str | None = None) -> bool:
        """Re-index one file: from `text` (an unsaved buffer) or from disk if None. A path the
        scan would exclude (ignored, a secret file, too large) is kept out; returns whether
        the file is in the index now."""
        rel = self.relative(rel)
        with self.lock:
            started = time.perf_counter()
            try:
                size = len(text.encode("utf-8", "surrogatepass")) if text is not None else None
                if not self.admits(rel, size):
                    self.index.remove(rel)
                    return False
                self.index.update(rel, text)
                return rel in self.index
            finally:
                self._count_refresh(started)

    def remove_file(self, rel: str) -> None:
        rel = self.relative(rel)
        with self.lock:
            started = time.perf_counter()
            self.index.remove(rel)
            self._count_refresh(started)

    def _count_refresh(self, started: float) -> None:
        """Charge an index update to the next pack's refresh phase."""
        self._refreshed_seconds += time.perf_counter() - started
        self._refreshed_files += 1

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
        self,
        stop: Callable[[], bool] | None = None,
        progress: Progress | None = None,
        asked: Callable[[], str | None] | None = None,
    ) -> tuple[int, int]:
        """Fill the persistent cache with what packs need of each file (outline, secrets,
        line token counts), likeliest files first, so that later packs prepare nothing.
        `stop` is asked between files; so is `asked`, for a file someone waits for (a pack
        in the process that started this one), which goes before the rest. Returns (files
        prepared now, files in the index)."""
        if not self.index.cache.enabled:
            return 0, 0
        with self.lock:
            paths = sorted(self.index.paths(), key=self._warm_order)
        done = n = 0
        while not (stop is not None and stop()):
            path = asked() if asked is not None else None
            if path is None:
                if n == len(paths):
                    break
                path = paths[n]
                n += 1
                if progress:
                    progress("warm", n, len(paths))
            with self.lock:
                done += self.preparer.warm(path)
        return done, len(paths)

    def _warm_order(self, path: str) -> tuple[float, int, str]:
        # Likeliest in a pack first: the kind of file, then its indexed length, since a
        # long file matches more tasks' words (and costs a pack the most to prepare).
        doc = self.index.doc(path)
        return (-prior(path)[0], -(doc.length if doc else 0), path)

    # ------------------------------------------------------------------ packs
    def pack(
        self,
        task: Task,
        budget: int = DEFAULT_BUDGET,
        fmt: str = "markdown",
        explain: bool = False,
        with_task: bool = False,
        order: Order = "first",
    ) -> Pack:
        """The best pack for `task` whose rendering in `fmt` fits `budget` tokens. With the
        `fail_on_secret` setting, a pack that would need a redaction is refused instead."""
        if fmt not in FORMATS:
            raise CtxtrimError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
        if order not in ORDERS:
            raise CtxtrimError(f"unknown order '{order}' (choose from {', '.join(ORDERS)})")
        if not MIN_BUDGET <= budget <= MAX_BUDGET:
            raise CtxtrimError(
                f"budget {budget} is out of range ({MIN_BUDGET} to {MAX_BUDGET:,} tokens)"
            )
        with self.lock, self.index.cache.batch():  # the facts of prepared files, written once
            pack = self._pack(task, budget, fmt, explain, with_task, order)
        if self.config.fail_on_secret and pack.redactions:
            raise CtxtrimError(
                f"{sum(pack.redactions.values())} secret(s) found in files selected for the pack; "
                "refusing to pack (fail_on_secret)"
            )
        return pack

    def _pack(
        self, task: Task, budget: int, fmt: str, explain: bool, with_task: bool, order: Order
    ) -> Pack:
        tok = self.tokenizer
        timings = Timings()
        timings.add("refresh", self._refreshed_seconds, self._refreshed_files)
        self._refreshed_seconds, self._refreshed_files = 0.0, 0
        with timings.phase("refresh"):
            total_bytes = self._total_bytes()
        with timings.phase("rank") as phase:
            signals = extract(task.text)
            candidates = self._candidates(task, signals)
            phase.files = len(candidates)
        pack = Pack(
            root=str(self.root),
            task=task.text,
            budget=budget,
            encoding=tok.name,
            files_total=self.index.file_count,
            repo_tokens_estimate=total_bytes // 4,
            format=fmt,
            explain=explain,
            with_task=with_task,
            order=order,
        )
        pack.timings = timings
        self.preparer.timings = timings  # prepare is timed inside fit, and apart from it
        try:
            with timings.phase("fit") as phase:
                items, rule_items, dropped = self._fit(pack, task, candidates, signals)
                phase.files = len(items)
                phase.tokens = sum(i.tokens for i in items)
        finally:
            self.preparer.timings = None
        # Models attend least to the middle of a long context: "last" puts the best files
        # at the end, next to where the question usually follows.
        pack.items = rule_items + (items[::-1] if order == "last" else items)
        pack.dropped_rules = dropped
        with timings.phase("render") as phase:
            measured = measured_format(fmt)
            self._enforce(pack, measured, lambda: self._account(pack, candidates, explain))
            phase.files, phase.tokens = len(pack.items), pack.tokens
        self.phase_stats.record(timings)
        tok.save()
        return pack

    def _fit(
        self, pack: Pack, task: Task, candidates: list[Candidate], signals: Signals
    ) -> tuple[list[Item], list[Item], list[Omitted]]:
        """(file items, rule items, rules left out) for `pack`'s budget."""
        budget = pack.budget
        measured = measured_format(pack.format)
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
        # apply to the files actually shown; then give the code what the rules left unused,
        # unless that would hide a file the rules were chosen for.
        reserve = int(budget * self.config.rules_share) if self.rules() else 0
        items = fit_code(budget - fixed - reserve)
        rule_items, dropped = self._rules(task, *self._in_play(task, items, candidates), reserve)
        pack.items = list(rule_items)
        rule_cost = self._count(pack, measured) - fixed
        if reserve - rule_cost > 0.05 * budget:
            refit = fit_code(budget - fixed - rule_cost)
            if _shown(refit) >= _shown(items):
                items = refit
        return items, rule_items, dropped

    def rule_selection(self, task: Task, budget: int) -> Selection:
        """The rule sections `task` needs, within `budget` tokens: what `ctxtrim rules` and
        the MCP `rules` tool ask for. The rules see the same files in play as a pack for the
        task at the default budget: the files it shows, the focus files and the files the
        task names."""
        with self.lock:
            paths, about = self._rule_evidence(task)
            return select_sections(
                self.rules(), task.text, paths, budget, self.tokenizer, about, self.reach()
            )

    def rule_items(self, task: Task, budget: int) -> tuple[list[Item], list[Omitted]]:
        """`rule_selection` as pack items (redacted, lines claimed verbatim only where they
        are), for a front door that shows the sections themselves."""
        with self.lock:
            return self._rules(task, *self._rule_evidence(task), budget)

    def _rule_evidence(self, task: Task) -> tuple[list[str], list[str]]:
        """The files in play for `task` and those it is about (see `_in_play`), from the
        code a pack for it would show."""
        signals = extract(task.text)
        candidates = self._candidates(task, signals)
        room = int(DEFAULT_BUDGET * (1 - self.config.rules_share))
        per_item = self._item_overhead(measured_format("markdown"))
        items = fit(candidates, self.index, signals, room, per_item, self.preparer)
        return self._in_play(task, items, candidates)

    def _candidates(self, task: Task, signals: Signals) -> list[Candidate]:
        """Ranked code files for `task` (rule files are packed as rule sections instead)."""
        focus = []
        for path, line in task.focus_points():
            rel = self.relative(path)
            if rel not in self.index:
                raise CtxtrimError(f"focus file {path}: not in the workspace (missing or excluded)")
            focus.append(f"{rel}:{line}" if line else rel)
        # Rank matches focus paths against the index: give it them relative to the root.
        task = Task(task.text, tuple(focus))
        candidates = (
            rank(self.index, task, signals)
            if (task.text.strip() or task.focus)
            else self._central()
        )
        rule_paths = {r.path for r in self.rules()}
        return [c for c in candidates if c.path not in rule_paths]

    def _in_play(
        self, task: Task, items: list[Item], candidates: list[Candidate]
    ) -> tuple[list[str], list[str]]:
        """The files rules are chosen for: the focus files, those the task names, and those
        shown that matter to it (a fair share of the best score among the rest); and the
        first two kinds alone, the files the task is about. A file the pack only lists,
        or leaves out, is not one of them."""
        focus = [self.relative(path) for path, _ in task.focus_points()]
        named = [c.path for c in candidates if c.named]
        paths = _shown(items)
        shown = sorted((c for c in candidates if c.path in paths), key=lambda c: (-c.score, c.path))
        plain = [c.score for c in shown if not (c.named or c.focus)]
        floor = IN_PLAY_SHARE * max(plain, default=0.0)
        relevant = [c.path for c in shown if c.score >= floor]
        about = list(dict.fromkeys([*focus, *named]))
        return list(dict.fromkeys([*about, *relevant])), about

    def _central(self) -> list[Candidate]:
        """With no task: the files most referenced by others, source before tests and docs."""
        out = []
        index = self.index
        for _, doc in index.live_docs():
            weight, _ = prior(doc.path)
            # How often the names this file defines appear across the repository.
            refs = 0
            for name in doc.analysis.defs[:50]:
                refs += min(index.doc_freq(name.lower()), 50)
            score = weight * refs / (10 + refs)
            if doc.path.lower().startswith("readme"):
                score = 1.0
            out.append(Candidate(doc.path, score, ["central: its definitions are used widely"]))
        return sorted(out, key=lambda c: (-c.score, c.path))

    def _rules(
        self, task: Task, paths: list[str], about: list[str], budget: int
    ) -> tuple[list[Item], list[Omitted]]:
        kept, dropped = pack_sections(
            self.rules(), task.text, paths, budget, self.tokenizer, about, self.reach()
        )
        top = max([i.score for i in kept] + [o.score for o in dropped] + [1e-9])
        for item in kept:
            item.score = round(max(item.score, 0.0) / top, 4)
        return kept, dropped

    def rules(self) -> list[RuleFile]:
        """The repository's AI rule files (open buffers win over the disk), rediscovered
        only after an edit."""

        def found() -> list[RuleFile]:
            files = list(self.index.paths())
            return discover(self.root, files, self.tokenizer, self.index.overlays())

        return self._of_version("rules", found)

    def reach(self) -> Reach:
        """The share of the indexed files each scoped rule applies to, kept until an edit."""
        return self._of_version("reach", lambda: Reach(list(self.index.paths())))

    def _total_bytes(self) -> int:
        """Bytes of every indexed file, recomputed only after the index changed."""
        return self._of_version("bytes", self.index.total_bytes)

    def _of_version(self, name: str, make: Callable[[], _T]) -> _T:
        """`make()`'s value, kept under `name` until the index changes."""
        with self.lock:
            version, value = self._derived.get(name, (-1, None))
            if version != self.index.version:
                value = make()
                self._derived[name] = (self.index.version, value)
            return cast(_T, value)

    def _count(self, pack: Pack, fmt: str) -> int:
        return self.tokenizer.count(render(pack, fmt))

    def _item_overhead(self, fmt: str) -> Callable[[str], int]:
        """Tokens a file item costs beyond its text (title, fences, separators), by path. The
        line ranges in a slice's title vary, hence the margin."""
        probe = Item("file", "", "slice", "x", 1.0, lines=[(1, 1)], language="python")
        known = self._overheads  # a path's overhead is asked for by every pack it is weighed in
        if len(known) > OVERHEADS_KEPT:
            known.clear()

        def overhead(path: str) -> int:
            got = known.get((fmt, path))
            if got is None:
                probe.path = path
                got = known[fmt, path] = self.tokenizer.count(item_block(probe, fmt)) + 12
            return got

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
        pack.omitted_files = max(self.index.file_count - len(shown), 0)
        shown_bytes = sum(doc.entry.size for doc in map(self.index.doc, shown) if doc)
        omitted_bytes = self._total_bytes() - shown_bytes
        pack.omitted_tokens = omitted_bytes // 4
        pack.redactions = {}
        for item in pack.items:
            if item.redactions:
                pack.redactions["secret"] = pack.redactions.get("secret", 0) + item.redactions
        if explain:  # the best ten left out (of up to every file in the repository)
            left_out = (c for c in candidates if c.path not in shown)
            pack.best_omitted = [
                Omitted(c.path, round(c.score, 4), c.reasons[:4], "did not fit the budget")
                for c in itertools.islice(left_out, BEST_OMITTED)
            ]


def _shown(items: list[Item]) -> set[str]:
    """The code files `items` show in part or whole (not those only listed or outlined)."""
    return {i.path for i in items if i.kind == "file" and i.mode in ("full", "slice")}
