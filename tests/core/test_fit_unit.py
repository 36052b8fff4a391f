"""fit: the views bought for ranked files within a token budget, called directly."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from ctxtrim.config import Config
from ctxtrim.fit import (
    DEEP_BUDGET,
    ELISION_TOKENS,
    GLIMPSE_FILES,
    GLIMPSE_SHARE,
    LISTED,
    MAX_SLICE_SYMBOLS,
    PREPARED_FACTS,
    SHARPEN,
    SLICE_BASE,
    SLICE_MAX,
    SLICE_MAX_DEEP,
    WHOLE_BEST_MIN_BUDGET,
    WHOLE_BEST_SHARE,
    FileChoice,
    Option,
    _glimpse,
    _whole_best,
    build_choice,
    fit,
    greedy,
    line_costs,
    slice_max,
    symbol_scores,
)
from ctxtrim.pack import Item
from ctxtrim.rank import Candidate, rank
from ctxtrim.render import render
from ctxtrim.task import Task, extract
from ctxtrim.tokens import Tokenizer
from ctxtrim.views import ELISION, View, split_lines
from ctxtrim.workspace import Workspace

from ..support.repos import write
from ..support.tokens import encoded_texts

OVERHEAD = 10  # tokens each item costs beside its text


def _filler(n: int) -> str:
    return "".join(
        f"    def step_{i}(self, value):\n        total = value * {i} + self.offset\n"
        f"        return self.normalise(total, {i})\n\n"
        for i in range(n)
    )


def _repo(root: Path) -> Path:
    files = {
        "engine/core.py": "class Engine:\n    offset = 1\n\n"
        + _filler(60)
        + "    def __subclasscheck__(self, other):\n        return other is Engine\n\n"
        + _filler(60),
        "engine/util.py": "def normalise(x, n):\n    return x / max(n, 1)\n",
        "engine/config.py": 'API_TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"\nLEVEL = 3\n',
    }
    return write(root, files)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.open(_repo(tmp_path / "repo"), Config(cache_dir=str(tmp_path / "cache")))


def _fit(ws: Workspace, text: str, budget: int) -> list[Item]:
    signals = extract(text)
    candidates = rank(ws.index, Task(text), signals)
    return fit(candidates, ws.index, signals, budget, lambda _path: OVERHEAD, ws.preparer)


@pytest.mark.parametrize("budget", [60, 200, 800, 3000, 20000])
def test_the_items_and_their_overhead_stay_within_the_budget(ws: Workspace, budget: int) -> None:
    items = _fit(ws, "Engine.__subclasscheck__ is wrong for subclasses of Engine", budget)
    assert sum(i.tokens for i in items) <= budget
    # An item's cost is estimated from its lines' token counts (the pack then measures its
    # rendering exactly and trims what overflows): close to the real count of its text.
    for item in items:
        real = ws.tokenizer.count(item.text) + OVERHEAD
        assert abs(item.tokens - real) <= max(3, 0.05 * real), (item.path, item.tokens, real)


def test_a_file_whose_blank_lines_fit_the_budget_is_shown_whole(tmp_path: Path) -> None:
    # Counted one by one, each with its break, lines overrun their text's count: there a
    # blank line's break joins the one before it in one token. A file that fits by its real
    # count, but not by the lines' own counts, is shown whole.
    body = "".join(f"def step_{i}(value):\n    return value * {i}\n\n" for i in range(120))
    text = "def accumulate_values(value):\n    return step_1(value)\n\n" + body
    root = write(tmp_path / "repo", {"calc/sums.py": text, "calc/other.py": "X = 1\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    by_lines = sum(ws.tokenizer.count_lines(split_lines(text))) + OVERHEAD
    real = ws.tokenizer.count(text.rstrip("\n")) + OVERHEAD
    assert by_lines - real > 100
    budget = real + (by_lines - real) // 4
    (item, *_) = _fit(ws, "accumulate_values total is wrong", budget)
    assert (item.path, item.mode) == ("calc/sums.py", "full")
    assert abs(item.tokens - real) <= 3


def test_a_slice_of_a_named_function_shows_the_rest_of_the_preamble(tmp_path: Path) -> None:
    # A slice always shows a file's first 25 lines; the imports and settings past them and
    # before the first definition are where a change to a definition often adds a line.
    imports = "".join(f"import mod_{i}\n" for i in range(30))
    helpers = "".join(f"def helper_{i}(x):\n    return x * {i}\n\n\n" for i in range(150))
    text = imports + "MODE = 1\n\n\ndef compute_total(value):\n    return value\n\n\n" + helpers
    root = write(tmp_path / "repo", {"calc/sums.py": text, "calc/other.py": "X = 1\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    (item, *_) = _fit(ws, "compute_total returns the wrong value", 600)
    assert (item.path, item.mode) == ("calc/sums.py", "slice")
    assert "def compute_total(value):\n    return value" in item.text
    assert "import mod_29\nMODE = 1\n" in item.text
    assert "helper_7" not in item.text


def test_a_named_class_member_is_shown_verbatim_when_its_file_does_not_fit(ws: Workspace) -> None:
    core = ws.index.text("engine/core.py") or ""
    assert ws.tokenizer.count(core) > 2000
    (item, *_) = _fit(ws, "Engine.__subclasscheck__ is wrong for subclasses of Engine", 800)
    assert (item.path, item.mode) == ("engine/core.py", "slice")
    assert "    def __subclasscheck__(self, other):\n        return other is Engine" in item.text
    assert "class Engine:" in item.text  # where the method lives


def test_every_claimed_range_is_in_the_text_verbatim(ws: Workspace) -> None:
    for budget in (200, 800, 5000):
        for item in _fit(ws, "Engine.__subclasscheck__ normalise offset", budget):
            lines = (ws.index.text(item.path) or "").split("\n")
            for s, e in item.lines:
                block = "\n".join(lines[s - 1 : e])
                assert f"\n{block}\n" in f"\n{item.text}\n", (item.path, s, e)


def test_a_secret_is_redacted_and_its_line_not_claimed(ws: Workspace) -> None:
    (item,) = [
        i
        for i in _fit(ws, "API_TOKEN in engine/config.py LEVEL", 2000)
        if i.path == "engine/config.py"
    ]
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in item.text
    assert item.redactions == 1
    assert item.mode == "slice"  # a redacted file is no longer shown whole
    assert all(not (s <= 1 <= e) for s, e in item.lines)


def test_the_best_file_comes_first_and_scores_one(ws: Workspace) -> None:
    items = _fit(ws, "Engine.__subclasscheck__ is wrong", 5000)
    assert items[0].path == "engine/core.py"
    assert items[0].score == 1.0
    assert all(0 <= i.score <= 1 for i in items)


def test_no_evidence_buys_nothing(ws: Workspace) -> None:
    assert _fit(ws, "zzqx", 5000) == []


def _header_filler(n: int) -> str:
    return "".join(
        f"inline int step_{i}(int value) {{\n  return value * {i} + {i};\n}}\n\n" for i in range(n)
    )


def test_a_small_cpp_type_is_one_slice_unit_with_its_fields(tmp_path: Path) -> None:
    # A C++ header named .h: the fields and `using` lines of the struct are what a change
    # touches, so the struct is shown whole, not only the member function that matched.
    header = (
        "#pragma once\n#include <cstddef>\n\nnamespace lib {\n\n"
        + _header_filler(80)
        + "template <typename OutputIt> class truncating_iterator_base {\n"
        " protected:\n  OutputIt out_;\n  unsigned limit_;\n  unsigned n_;\n\n"
        " public:\n  using difference_type = void;\n\n"
        "  unsigned size() const { return n_; }\n};\n\n"
        + _header_filler(80)
        + "}  // namespace lib\n"
    )
    root = write(tmp_path / "repo", {"include/lib/format.h": header, "src/main.cc": "int x;\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    (item, *_) = _fit(ws, "truncating_iterator_base size() is stale", 600)
    assert (item.path, item.mode) == ("include/lib/format.h", "slice")
    assert "  unsigned n_;\n\n public:\n  using difference_type = void;" in item.text


def _rust_steps(n: int) -> str:
    """`n` small Rust functions no task names: a file long enough to need slicing."""
    return "".join(
        f"pub fn step_{i}(value: u32) -> u32 {{\n    value * {i} + {i}\n}}\n\n" for i in range(n)
    )


def test_a_small_rust_impl_is_shown_whole_with_the_line_after_it(tmp_path: Path) -> None:
    # `impl From<Config> for Settings` is one idea: its header, its method and its closing
    # brace, and the blank line after it, where a fix adds the next impl.
    filler = _rust_steps(120)
    impl = (
        "impl From<Config> for Settings {\n    fn from(config: Config) -> Self {\n"
        "        Settings { retries: config.retries }\n    }\n}\n\n"
    )
    source = "use std::fmt;\n\n" + filler + impl + filler
    root = write(tmp_path / "repo", {"src/settings.rs": source, "src/main.rs": "fn main() {}\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    (item, *_) = _fit(ws, "Settings from Config drops the retries", 600)
    assert (item.path, item.mode) == ("src/settings.rs", "slice")
    assert impl.rstrip("\n") + "\n" in item.text + "\n"
    start = source[: source.index("impl From")].count("\n") + 1
    assert any(s <= start and start + 5 <= e for s, e in item.lines)  # through the blank line


def test_a_small_js_table_is_one_slice_unit_and_a_large_one_its_entries(tmp_path: Path) -> None:
    # `const block = {...}` of a few rules is shown whole when one of them matches; in a
    # table of a hundred rules only the matching entry is shown, under the `const` line.
    filler = "".join(
        f"\nexport function format{i}(value) {{\n  return String(value).padStart({i});\n}}\n"
        for i in range(100)
    )
    small = "const block = {\n  newline: /^\\n+/,\n  fences: /^ {0,3}(`{3,}|~{3,})/,\n};\n"
    rows = "".join(f"  other{i}: /^token{i}/,\n" for i in range(100))
    large = "const inline = {\n" + rows + "  strikethrough: /^~~(?=\\S)/,\n" + rows + "};\n"
    root = write(
        tmp_path / "repo",
        {"src/block.js": filler + small, "src/inline.js": filler + large, "x.js": "f()\n"},
    )
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    (item, *_) = _fit(ws, "fences with tildes are not closed in src/block.js", 600)
    assert (item.path, item.mode) == ("src/block.js", "slice")
    assert small.rstrip("\n") in item.text
    (item, *_) = _fit(ws, "strikethrough in src/inline.js needs two tildes", 600)
    assert (item.path, item.mode) == ("src/inline.js", "slice")
    assert "\nconst inline = {\n" in item.text
    assert "\n  strikethrough: /^~~(?=\\S)/,\n" in item.text
    assert "other99" not in item.text and "other0:" not in item.text


def _slice_tokens(ws: Workspace, item: Item) -> int:
    """What a slice's text costs by the per-line counts: the lines it shows, and
    `ELISION_TOKENS` for each line of its text that starts with the elision mark."""
    lines = split_lines(ws.index.text(item.path) or "")
    costs = line_costs(ws.tokenizer, lines)
    shown = sum(sum(costs[s - 1 : e]) for s, e in item.lines)
    return shown + ELISION_TOKENS * (
        item.text.count("\n" + ELISION) + item.text.startswith(ELISION)
    )


@pytest.mark.parametrize("marked", [False, True])
def test_a_slice_costs_its_lines_and_its_gap_marks(tmp_path: Path, marked: bool) -> None:
    # A slice's cost is reckoned from its line ranges without writing its text; a file with
    # a line that looks like a gap mark is reckoned from the text, where that line counts too.
    mark = f"{ELISION} not a gap" if marked else f"- {ELISION} not a gap"
    source = "class Engine:\n    offset = 1\n\n" + _filler(120)
    source += f'    def __subclasscheck__(self, other):\n        note = """\n{mark}\n"""\n'
    source += "        return other is Engine\n"
    root = write(tmp_path / "repo", {"engine/core.py": source, "engine/util.py": "x = 1\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    for budget in (400, 900):
        (item, *_) = _fit(ws, "Engine.__subclasscheck__ step_59 step_119 is wrong", budget)
        assert item.mode == "slice"
        assert item.tokens == _slice_tokens(ws, item) + OVERHEAD
        assert f"\n{mark}\n" in item.text


def _choice(*options: tuple[float, int]) -> FileChoice:
    return FileChoice(Candidate("a.py", 1.0), None, [Option(LISTED, v, c) for v, c in options])


def test_greedy_buys_the_best_value_per_token_that_still_fits() -> None:
    # a: 10 per token up to 2 tokens, then 1 per token; b: 5 per token, but dear.
    a = _choice((20.0, 2), (30.0, 12))
    b = _choice((50.0, 10))
    assert greedy([a, b], 13) == 12
    assert (a.current, b.current) == (0, 0)  # a's upgrade to 12 no longer fits
    a, b = _choice((20.0, 2), (30.0, 12)), _choice((50.0, 10))
    assert greedy([a, b], 30) == 22
    assert (a.current, b.current) == (1, 0)


def test_greedy_gives_a_tie_to_the_first_file_and_buys_nothing_worthless() -> None:
    a, b = _choice((10.0, 5)), _choice((10.0, 5))
    assert greedy([a, b], 7) == 5
    assert (a.current, b.current) == (0, -1)
    c = _choice((0.0, 1))
    assert greedy([c], 100) == 0 and c.current == -1


def _best_and_small(whole: int) -> list[FileChoice]:
    """The likeliest file (a cheap slice of its best definition, or all of it for `whole`
    tokens) and forty small files, each worth less per token than the slice but more than
    the step from the slice to the whole file."""
    best = FileChoice(
        Candidate("big.ts", 1.0),
        "typescript",
        [Option(None, 0.4, 100), Option(View("full", "", ((1, 900),)), 1.0, whole)],
    )
    return [best] + [
        FileChoice(Candidate(f"s{i}.ts", 0.5), "typescript", [Option(LISTED, 0.2, 600)])
        for i in range(40)
    ]


def test_the_likeliest_file_is_whole_at_a_large_budget_it_takes_at_most_a_share_of() -> None:
    budget = WHOLE_BEST_MIN_BUDGET
    whole = int(budget * WHOLE_BEST_SHARE)
    choices = _best_and_small(whole)
    _whole_best(choices, budget)
    assert greedy(choices, budget) <= budget
    assert choices[0].current == 1  # whole, then small files in the rest
    assert sum(ch.current == 0 for ch in choices[1:]) == (budget - whole) // 600
    # Without it the greedy buys the slice and then small files until nothing else fits.
    choices = _best_and_small(whole)
    greedy(choices, budget)
    assert choices[0].current == 0
    # A file dearer than the share, or a smaller budget, is left to the greedy.
    for cost, room in ((whole + 1, budget), (1000, budget - 1)):
        choices = _best_and_small(cost)
        _whole_best(choices, room)
        assert choices[0].current == -1


def _likeliest_and_peers(budget: int) -> list[FileChoice]:
    """The likeliest file, whose deep slice outbids every other file's first slice and leaves
    room only for paths, then GLIMPSE_FILES peers, each with a first slice of GLIMPSE_SHARE of
    `budget` (the third's a token dearer), the last of them past the likeliest GLIMPSE_FILES."""
    look = int(GLIMPSE_SHARE * budget)
    top = FileChoice(
        Candidate("big.py", 3.0),
        "python",
        [
            Option(None, 10.0, 300),
            Option(None, 100.0, budget - 200),
            Option(View("full", "", ((1, 9000),)), 101.0, 4 * budget),
        ],
    )
    peers = [
        FileChoice(
            Candidate(f"p{i}.py", 1.0),
            "python",
            [
                Option(LISTED, 0.0001, 30),
                Option(None, 0.05, look + (i == 2)),
                Option(View("full", "", ((1, 90),)), 0.06, 2000),
            ],
        )
        for i in range(GLIMPSE_FILES)
    ]
    return [top, *peers]


def test_each_of_the_likeliest_files_starts_from_a_cheap_first_slice() -> None:
    budget = 16_000
    # Without it the likeliest file's deep slice takes the room and the peers stay paths.
    choices = _likeliest_and_peers(budget)
    assert greedy(choices, budget) <= budget
    assert choices[0].current == 1
    assert all(ch.current <= 0 for ch in choices[1:])
    choices = _likeliest_and_peers(budget)
    _glimpse(choices, budget)
    # The likeliest GLIMPSE_FILES, but not a first slice dearer than the share nor the file
    # after them.
    looked = [i for i in range(1, GLIMPSE_FILES) if i != 3]
    assert [ch.current for ch in choices] == [0] + [
        1 if i in looked else -1 for i in range(1, GLIMPSE_FILES + 1)
    ]
    assert greedy(choices, budget) <= budget
    assert all(choices[i].current >= 1 for i in looked)
    # A file already chosen (the likeliest shown whole) keeps its choice.
    choices = _likeliest_and_peers(budget)
    choices[0].current = 2
    _glimpse(choices, budget)
    assert choices[0].current == 2 and choices[1].current == 1


def test_a_file_prepared_from_cached_facts_is_the_file_prepared_from_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repo(tmp_path / "repo")
    config = Config(cache_dir=str(tmp_path / "cache"))
    fresh = Workspace.open(root, config).preparer.get("engine/core.py")
    assert fresh is not None
    (outline_view, _, outline_tokens), *_ = fresh.fixed_views
    assert outline_view.mode == "outline"
    assert outline_tokens == Tokenizer().count(outline_view.text) > 0
    # The second workspace finds every fact in the cache: secrets, line and outline tokens.
    monkeypatch.setattr("ctxtrim.fit.secret_spans", lambda text: pytest.fail("recomputed"))
    monkeypatch.setattr("ctxtrim.fit.utf8_terms", lambda data: pytest.fail("recomputed"))
    cached = Workspace.open(root, config).preparer.get("engine/core.py")
    assert cached is not None
    assert (cached.fixed_views, cached.prefix, cached.leaves, cached.contexts) == (
        fresh.fixed_views,
        fresh.prefix,
        fresh.leaves,
        fresh.contexts,
    )


def test_facts_stored_in_an_older_layout_are_made_again(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    config = Config(cache_dir=str(tmp_path / "cache"))
    ws = Workspace.open(root, config)
    doc = ws.index.doc("engine/core.py")
    assert doc is not None
    key = f"{PREPARED_FACTS}:{ws.tokenizer.name}"
    ws.index.cache.put_facts(doc.digest, key, ([], [1, 2], [{"engine": 1}]))  # 3 parts
    prepared = ws.preparer.get("engine/core.py")
    assert prepared is not None
    (outline_view, _, outline_tokens), *_ = prepared.fixed_views
    assert outline_tokens == ws.tokenizer.count(outline_view.text) > 0
    assert prepared.prefix[1:] == list(
        itertools.accumulate(line_costs(ws.tokenizer, prepared.lines))
    )
    assert len(prepared.leaf_terms) == len(prepared.leaves) > 1


def test_a_rust_test_module_ranks_below_the_code_it_tests(tmp_path: Path) -> None:
    # The tests of `#[cfg(test)] mod tests` repeat the task's words more often than the code
    # they test; the code is what a fix changes, so a small slice shows it first.
    filler = _rust_steps(80)
    code = (
        "pub fn read_header(line: &str) -> Option<Header> {\n"
        "    let (name, value) = line.split_once(':')?;\n"
        "    Some(Header { name: name.trim().into(), value: value.trim().into() })\n}\n\n"
    )
    tests = (
        "#[cfg(test)]\nmod tests {\n    use super::*;\n"
        + "".join(
            f"\n    #[test]\n    fn empty_header_line_{i}() {{\n"
            f'        let empty_line = " {" " * i}";\n'
            '        assert!(read_header(empty_line).is_none(), "an empty header line");\n    }\n'
            for i in range(3)
        )
        + "}\n"
    )
    source = "use std::fmt;\n\n" + code + filler + tests
    root = write(tmp_path / "repo", {"src/header.rs": source, "src/main.rs": "fn main() {}\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    (item, *_) = _fit(ws, "An empty header line is read as a header", 100)
    assert (item.path, item.mode) == ("src/header.rs", "slice")
    assert code.rstrip("\n") in item.text
    assert "fn empty_header_line_" not in item.text


def test_a_small_rust_impl_is_named_by_its_trait_too(tmp_path: Path) -> None:
    # `impl ToValue for dyn fmt::Debug` is the impl a task about `ToValue` impls changes,
    # though the functions around it hold more of the task's words.
    captures = "".join(
        f"pub fn capture_{i}(value: &Value) -> Option<Value> {{\n"
        "    // a captured value keeps its downcasting\n"
        "    value.downcast_ref::<Value>().map(|value| value.capture())\n}\n\n"
        for i in range(4)
    )
    filler = _rust_steps(80)
    impl = (
        "impl ToValue for dyn fmt::Debug {\n    fn to_value(&self) -> Value {\n"
        "        Value::from_dyn_debug(self)\n    }\n}\n"
    )
    source = "use std::fmt;\n\n" + captures + filler + impl + "\n" + filler
    root = write(tmp_path / "repo", {"src/value.rs": source, "src/main.rs": "fn main() {}\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    task = "Remove the `ToValue` impls for trait objects: a captured value loses its downcasting"
    (item, *_) = _fit(ws, task, 80)
    assert (item.path, item.mode) == ("src/value.rs", "slice")
    assert impl in item.text
    assert "fn capture_" not in item.text


def test_a_method_qualified_by_its_trait_is_the_one_in_that_traits_impl(tmp_path: Path) -> None:
    # Rust methods are named for the impl's type (`ValueVisitor.visit_str`); a task's
    # `Visitor::visit_str` names the one in `impl Visitor for ...`, not another type's
    # `visit_str` that holds more of the task's words.
    def methods(body: str) -> str:
        return "".join(body.format(n=n) for n in (8, 16, 32, 64, 128, 5, 6, 7, 9, 10))

    visitor = (
        "impl<'de> Visitor<'de> for ValueVisitor {\n    type Value = Value;\n\n"
        "    fn visit_str<E>(self, text: &str) -> Result<Value, E> {\n"
        "        Ok(Value::from(text))\n    }\n"
        + methods(
            "\n    fn visit_u{n}<E>(self, n: u{n}) -> Result<Value, E> {{\n"
            "        Ok(Value::from(n))\n    }}\n"
        )
        + "}\n"
    )
    writer = (
        "impl Writer for Pretty {\n    fn visit_str(&mut self, text: &str) {\n"
        "        // the str it visits is written, never dropped\n"
        "        self.write_str(text);\n    }\n"
        + methods(
            "\n    fn write_u{n}(&mut self, n: u{n}) {{\n"
            "        self.write_str(&n.to_string());\n    }}\n"
        )
        + "}\n"
    )
    filler = _rust_steps(80)
    source = "use std::fmt;\n\n" + writer + "\n" + filler + visitor + "\n" + filler
    root = write(tmp_path / "repo", {"src/de.rs": source, "src/main.rs": "fn main() {}\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    (item, *_) = _fit(ws, "`Visitor::visit_str` drops the str it visits", 80)
    assert (item.path, item.mode) == ("src/de.rs", "slice")
    assert "impl<'de> Visitor<'de> for ValueVisitor {" in item.text
    assert "        Ok(Value::from(text))\n" in item.text
    assert "impl Writer for Pretty" not in item.text


def _fit_one(tmp_path: Path, first: str, second: str, task: str, budget: int) -> Item:
    """The first item fit makes for `task` of a module holding `first` and `second`, apart,
    among small functions (methods, if `second` is one)."""
    pad = " " * (len(second) - len(second.lstrip(" ")))
    helpers = "".join(f"{pad}def helper_{i}(x):\n{pad}    return x * {i}\n\n\n" for i in range(30))
    # Past the first lines, which every slice shows.
    lead = "".join(f"def lead_{i}(x):\n    return x - {i}\n\n\n" for i in range(10))
    source = lead + first + helpers + second + helpers.replace("helper_", "other_")
    root = write(tmp_path / "repo", {"pkg/mod.py": source, "pkg/other.py": "X = 1\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    (item, *_) = _fit(ws, task, budget)
    assert (item.path, item.mode) == ("pkg/mod.py", "slice")
    return item


def test_a_definition_named_by_the_tasks_words_is_shown_before_one_using_them(
    tmp_path: Path,
) -> None:
    # "inherited-members" names the option's parser, `inherited_members_option`; the longer
    # function holds the same words more often in its body, but only uses them.
    using = (
        "def document_members(obj, options):\n"
        "    members = options.get('members')\n"
        "    inherited = options.get('inherited')\n"
        "    for member in members:\n"
        "        if inherited and member in inherited:\n"
        "            continue\n"
        "        obj.document(member, inherited, members)\n"
        "    return members\n\n\n"
    )
    named = (
        "def inherited_members_option(arg):\n"
        "    if arg in (None, True):\n        return 'object'\n    return arg\n\n\n"
    )
    task = "inherited-members should support more than one class: a list of members' classes"
    item = _fit_one(tmp_path, using, named, task, 70)  # room for one of the two
    assert "def inherited_members_option(arg):" in item.text
    assert "def document_members" not in item.text


def test_a_word_every_definition_holds_counts_less_than_a_rare_one(tmp_path: Path) -> None:
    # Every definition of the module handles a `window`; only one the `center` the task is
    # about. The one that says `window` most is not the one to show.
    common = (
        "def build(window):\n"
        + "".join(f"    window.grow(window.size, {i})\n" for i in range(4))
        + "    return window\n\n\n"
        + "".join(f"def step_{i}(window):\n    return window.size + {i}\n\n\n" for i in range(60))
    )
    rare = "def adjust(frame):\n    return frame.window.offset(frame.center)\n\n\n"
    task = "The window is wrong\n\nThe window is not moved by its center: " + ", ".join(
        ["window"] * 8
    )
    item = _fit_one(tmp_path, common, rare, task, 70)
    assert "def adjust(frame):" in item.text
    assert "def build(window):" not in item.text


def test_a_protocol_method_is_named_by_the_behaviour_it_implements(tmp_path: Path) -> None:
    # "when iterating" is `__iter__`; `mean` holds more of the task's words.
    mean = (
        "class Rolling:\n"
        "    def mean(self):\n"
        "        return self.obj.mean(window=self.window, center=self.center)\n\n"
    )
    iterate = (
        "    def __iter__(self):\n"
        "        for start in range(len(self.obj)):\n"
        "            yield self.obj[start : start + self.window]\n\n\n"
    )
    task = "The windows are not centered when iterating over a Rolling object (center=True)"
    item = _fit_one(tmp_path, mean, iterate, task, 60)
    assert "    def __iter__(self):\n        for start in range(len(self.obj)):" in item.text
    assert "def mean" not in item.text


def test_a_word_saying_what_to_do_names_no_definition(tmp_path: Path) -> None:
    # "Add a workaround ..." asks for an addition: `add_entries` is not what it is about,
    # though its name holds the task's first word.
    verb = "def add_entries(table, rows):\n    table.extend(rows)\n    return table\n\n\n"
    subject = (
        "def preload_code(bundle):\n"
        "    if bundle.target == 'webcontainer':\n        return bundle.legacy\n"
        "    return bundle.code\n\n\n"
    )
    task = "Add a workaround for the webcontainer target\n\nadd, add, add it to the preload"
    item = _fit_one(tmp_path, verb, subject, task, 50)
    assert "def preload_code(bundle):" in item.text
    assert "def add_entries" not in item.text


def test_a_caller_of_a_member_the_task_qualifies_is_in_the_slice(tmp_path: Path) -> None:
    # The task names `KeyPair.Load`, defined in crypto.go; in ca.go the fix goes where it is
    # called, though other functions there hold more of the task's words (`load` too).
    wordy = "".join(
        f"func (ca *CA) rootChain{i}() error {{\n"
        "\t// the root chain read from disk: its error handled\n"
        f"\treturn ca.loadFromDisk({i})\n}}\n\n"
        for i in range(4)
    )
    steps = "".join(
        f"func (ca *CA) step{i}(n int) int {{\n\treturn n * {i} + ca.n\n}}\n\n" for i in range(40)
    )
    caller = (
        "func (ca *CA) Provision() error {\n\tcerts, k, e := ca.Signer.Load()\n"
        "\tca.cert = certs[0]\n\tca.k = k\n\treturn e\n}\n"
    )
    files = {
        "pki/crypto.go": "package pki\n\ntype KeyPair struct{ Path string }\n\n"
        "func (kp KeyPair) Load() ([]string, string, error) { return nil, kp.Path, nil }\n",
        "pki/ca.go": "package pki\n\ntype CA struct{ Signer KeyPair }\n\n" + wordy + steps + caller,
    }
    ws = Workspace.open(write(tmp_path / "repo", files), Config(cache_dir=str(tmp_path / "c")))
    task = "`KeyPair.Load` returns a chain now: handle its error when it is read from disk"
    items = {item.path: item for item in _fit(ws, task, 260)}
    assert items["pki/ca.go"].mode == "slice"
    assert caller.rstrip() in items["pki/ca.go"].text


def test_a_gap_mark_costs_what_the_tokenizer_counts_for_it(ws: Workspace) -> None:
    # A slice's gaps are costed without writing its text: a mark counted short lets a slice
    # of many gaps overrun its room, and the pack then drops the file.
    count = ws.tokenizer.count
    assert count(f"x\n{ELISION}\ny") - count("x\ny") == ELISION_TOKENS


def test_a_pack_of_files_prepared_elsewhere_counts_their_shown_lines_without_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The language server's warmer prepares files in another process: their line counts come
    # from the cache, and counting the rendered pack looks the shown lines up.
    root = _repo(tmp_path / "repo")
    config = Config(cache_dir=str(tmp_path / "cache"))
    task = Task("Engine.__subclasscheck__ is wrong for subclasses of Engine")
    Workspace.open(root, config).pack(task, 20000)  # fills the cache
    ws = Workspace.open(root, config)
    encoded = encoded_texts(ws.tokenizer, monkeypatch)
    pack = ws.pack(Task(task.text + " again"), 20000)  # a new task: no count of it is stored
    shown = set()  # the lines the pack claims to show verbatim
    for item in pack.items:
        lines = (root / item.path).read_text().split("\n")
        shown |= {lines[i] + "\n" for a, b in item.lines for i in range(a - 1, b) if lines[i]}
    assert shown and not shown & set(encoded)
    assert pack.tokens == len(ws.tokenizer._enc.encode_ordinary(render(pack, "markdown")))


def test_a_slice_of_every_matched_definition_is_worth_the_whole_file_at_16k(
    tmp_path: Path,
) -> None:
    # A module of six functions that all hold the task's words alike, with no line outside
    # them. From DEEP_BUDGET up to a 32k-class budget a slice of k of them is worth k/6 of the
    # way from SLICE_BASE to the whole file; at 8k and 32k, to SLICE_MAX of it. At 32k a file
    # too large to be shown whole as the likeliest file is valued as at 16k.
    large = int(WHOLE_BEST_SHARE * WHOLE_BEST_MIN_BUDGET) + 1
    assert slice_max(WHOLE_BEST_MIN_BUDGET, large) == SLICE_MAX_DEEP == 1.0
    assert slice_max(DEEP_BUDGET - 1, large) == SLICE_MAX
    source = "".join(
        f"def total_{i}(value):\n    return normalise_total(value, {i})\n" for i in range(6)
    )
    root = write(tmp_path / "repo", {"engine/totals.py": source, "engine/util.py": "x = 1\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    signals = extract("normalise_total returns the wrong total value")
    cand = Candidate("engine/totals.py", 1.5)
    prep = ws.preparer.get(cand.path)
    assert prep is not None
    scored = symbol_scores(prep, cand, signals, ws.index)
    base = cand.score**SHARPEN
    for budget, share in (
        (DEEP_BUDGET // 2, SLICE_MAX),
        (DEEP_BUDGET, 1.0),
        (WHOLE_BEST_MIN_BUDGET - 1, 1.0),
        (WHOLE_BEST_MIN_BUDGET, SLICE_MAX),
    ):
        assert slice_max(budget, prep.prefix[-1] + OVERHEAD) == share
        choice = build_choice(cand, prep, scored, OVERHEAD, budget)
        slices = [o for o in choice.options if o.view is None]
        assert len(slices) >= 5
        for opt in slices:  # each function is two lines: a slice of k of them shows 1..2k
            ((first, last),) = opt.spans
            shown = last // 2
            assert opt.value == pytest.approx(
                base * (SLICE_BASE + (share - SLICE_BASE) * shown / 6)
            )


def test_a_slice_goes_past_the_usual_depth_at_a_large_budget(tmp_path: Path) -> None:
    # The task names twelve of a module's 600 functions: more than MAX_SLICE_SYMBOLS, but
    # together a small part of a module too large to show whole. From DEEP_BUDGET on, a
    # slice may show every one of them; below it, a slice takes the usual number.
    source = "".join(
        f"def step_{i}(value):\n    total = value * {i} + OFFSET\n"
        f"    return normalise(total, {i})\n\n\n"
        for i in range(600)
    )
    root = write(tmp_path / "repo", {"engine/steps.py": source, "engine/util.py": "x = 1\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    named = [f"step_{i}" for i in range(0, 600, 50)]
    assert len(named) > MAX_SLICE_SYMBOLS
    task = " ".join(named) + " return the wrong total"
    for budget, shown in ((DEEP_BUDGET, len(named)), (DEEP_BUDGET // 2, MAX_SLICE_SYMBOLS)):
        items = _fit(ws, task, budget)
        (steps,) = (item for item in items if item.path == "engine/steps.py")
        assert steps.mode == "slice"
        assert sum(f"def {name}(value):" in steps.text for name in named) == shown
