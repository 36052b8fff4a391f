"""Pack quality mechanisms on small fixtures: what the task names is what gets shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxtrim import Task, Workspace, render
from ctxtrim import rank as rank_module
from ctxtrim.errors import CtxtrimError
from ctxtrim.lang.treesitter import parse_outline
from ctxtrim.rank import parse_weights, prior
from ctxtrim.task import extract
from ctxtrim.views import BODY_KIND, body_units, split_lines

from ..support.packs import assert_truthful
from ..support.repos import write


def _method(name: str, words: str) -> str:
    body = "\n".join(f"        total += len({w!r})  # {words}" for w in words.split())
    return f"    def {name}(self, other):\n        total = 0\n{body}\n        return total\n\n"


@pytest.fixture
def meta_repo(tmp_path: Path) -> Path:
    """A large class whose other members match the task's words better than the one it names."""
    members = "".join(
        _method(f"check_{i}", "subclass instance check registry abstract base " * 3)
        for i in range(30)
    )
    cls = (
        "class Meta(type):\n"
        '    """Registry metaclass."""\n\n' + members + _method("__subclasscheck__", "delegate")
    )
    return write(tmp_path / "repo", {"pkg/meta.py": cls, "pkg/__init__.py": "VERSION = 1\n"})


def test_a_method_named_as_class_dot_member_is_shown_verbatim(meta_repo: Path) -> None:
    task = Task(
        "`Meta.__subclasscheck__` gives the wrong answer for a subclass of an abstract base "
        "class registered in the registry: the instance check disagrees."
    )
    pack = Workspace.open(meta_repo).pack(task, 700, "json")
    item = next(i for i in pack.items if i.path == "pkg/meta.py")
    assert item.mode == "slice"
    assert "    def __subclasscheck__(self, other):" in item.text
    assert_truthful(meta_repo, json.loads(render(pack, "json")))


def test_dunders_and_qualified_names_are_evidence() -> None:
    signals = extract("Calling Meta.__subclasscheck__ fails; so does Session.request.")
    assert ("Meta", "__subclasscheck__") in signals.qualified
    assert ("Session", "request") in signals.qualified
    assert "__subclasscheck__" in signals.symbols
    assert "Meta" in signals.symbols


CHECKER = '''"""Checks."""

import re


class ImportChecker:
    """Reports imports."""

    name = "imports"
    msgs = {
        "W0611": ("Unused import %s", "unused-import", "Used when an import is unused."),
        "W0404": ("Reimport %r (imported line %s)", "reimported", "Used when reimported."),
    }

{methods}

LIMIT = 10
'''


def test_class_level_statements_are_slice_units(tmp_path: Path) -> None:
    methods = "".join(_method(f"visit_{i}", "node import module name alias") for i in range(40))
    root = write(tmp_path / "repo", {"checkers/imports.py": CHECKER.replace("{methods}", methods)})
    task = Task('The message "Unused import %s" should name the module; fix the checker.')
    pack = Workspace.open(root).pack(task, 600, "json")
    item = next(i for i in pack.items if i.path == "checkers/imports.py")
    assert item.mode == "slice"
    assert '        "W0611": ("Unused import %s", "unused-import", ' in item.text
    assert "class ImportChecker:" in item.text  # where the table lives
    assert "    def visit_7(self, other):" not in item.text
    assert_truthful(root, json.loads(render(pack, "json")))


def test_body_units_are_the_statements_between_definitions() -> None:
    source = CHECKER.replace("{methods}", _method("visit", "a") + _method("leave", "b"))
    lines = split_lines(source)
    outline, _ = parse_outline(source, "python")
    units = body_units(outline.symbols, lines, after=3)
    got = [(u.name, u.kind, u.start, u.end, ranges) for u, ranges in units]
    cls = next(s for s in outline.symbols if s.name == "ImportChecker")
    header = (cls.start, cls.start + 1)  # the class line and its one-line docstring
    assert got == [
        ("<module>", BODY_KIND, len(lines), len(lines), [(len(lines), len(lines))]),
        ("ImportChecker", BODY_KIND, 9, 13, [(9, 14), header]),  # with the blank line after
    ]
    assert lines[8] == '    name = "imports"' and lines[12] == "    }" and lines[13] == ""


def test_small_weak_files_do_not_crowd_out_the_named_definition(tmp_path: Path) -> None:
    big = "".join(_method(f"handle_{i}", "request response header body") for i in range(120))
    files = {
        "web/server.py": "class Server:\n" + big + _method("parse_cookie", "cookie jar"),
        **{
            f"web/templates/page_{i}.html": f"<p>request response header {i}</p>\n" * 12
            for i in range(12)
        },
    }
    root = write(tmp_path / "repo", files)
    task = Task("Server.parse_cookie drops the request's second cookie from the response header")
    pack = Workspace.open(root).pack(task, 900, "json")
    item = next(i for i in pack.items if i.path == "web/server.py")
    assert "    def parse_cookie(self, other):" in item.text


@pytest.mark.parametrize(
    ("path", "weight"),
    [
        ("pkg/history.py", 1.0),  # a source module, whatever its name
        ("src/license.ts", 1.0),
        ("CHANGES.rst", 0.2),
        ("HISTORY.md", 0.2),
        ("LICENSE", 0.2),
        ("sphinx/testing/fixtures.py", 1.0),  # a framework's own test utilities are source
        ("tests/test_app.py", 0.3),
        ("pkg/test/helpers.py", 0.3),
    ],
)
def test_priors_tell_source_from_changelogs_and_tests(path: str, weight: float) -> None:
    assert prior(path)[0] == weight


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    files = {f"pkg/mod_{i}.py": f"def func_{i}(x):\n    return x + {i}\n" for i in range(8)}
    files[".pre-commit-config.yaml"] = "repos:\n  - repo: local\n"
    files["pkg/core.py"] = "def core(value):\n    return value\n"
    return write(tmp_path / "repo", files)


def test_an_absolute_focus_path_is_the_focus_file(small_repo: Path) -> None:
    ws = Workspace.open(small_repo)
    pack = ws.pack(Task("tidy up", focus=(str(ws.root / "pkg/mod_3.py") + ":2",)), 2000, "json")
    first = pack.items[0]
    assert first.path == "pkg/mod_3.py"
    assert first.reasons[0] == "focus file (line 2)"


def test_a_dotfile_named_in_the_task_is_found(small_repo: Path) -> None:
    pack = Workspace.open(small_repo).pack(
        Task("The hook in .pre-commit-config.yaml runs twice"), 2000, "json"
    )
    item = next(i for i in pack.items if i.path == ".pre-commit-config.yaml")
    assert "named in the task as `.pre-commit-config.yaml`" in item.reasons


def test_order_last_puts_the_most_relevant_file_at_the_end(small_repo: Path) -> None:
    ws = Workspace.open(small_repo)
    task = Task("core(value) returns the wrong value; see func_3 in pkg/core.py")
    first = [i.path for i in ws.pack(task, 2000, "json").items]
    last = [i.path for i in ws.pack(task, 2000, "json", order="last").items]
    assert first[0] == "pkg/core.py"
    assert last == first[::-1]
    markdown = render(ws.pack(task, 2000, "markdown", order="last"), "markdown")
    assert markdown.rindex("pkg/core.py") > markdown.rindex("pkg/mod_3.py")


def test_an_unknown_order_is_refused(small_repo: Path) -> None:
    with pytest.raises(CtxtrimError, match=r"^unknown order 'middle' \(choose from first, last\)$"):
        Workspace.open(small_repo).pack(Task("x"), 2000, "json", order="middle")  # type: ignore[arg-type]


def test_the_helper_a_named_method_calls_is_shown_with_it(tmp_path: Path) -> None:
    helpers = "".join(
        f"def convert_{i}(data):\n    return [data] * {i}  # array values\n\n\n" for i in range(40)
    )
    source = (
        helpers
        + "def as_compatible_data(data):\n    data = getattr(data, 'values', data)\n"
        + "    return data\n\n\n"
        + "class Variable:\n"
        + _method("reduce", "array values dims axis")
        + "    def __setitem__(self, key, value):\n"
        + "        value = as_compatible_data(value)\n"
        + "        self._data[key] = value\n"
    )
    root = write(tmp_path / "repo", {"core/variable.py": source})
    task = Task("Variable.__setitem__ coerces an object with a values property to its array values")
    pack = Workspace.open(root).pack(task, 500, "json")
    item = next(i for i in pack.items if i.path == "core/variable.py")
    assert "    def __setitem__(self, key, value):" in item.text
    assert "def as_compatible_data(data):" in item.text
    assert "def convert_7(data):" not in item.text


def test_a_link_to_a_file_on_a_code_host_names_the_file_and_line() -> None:
    signals = extract(
        "Sphinx lacks UDLs <https://github.com/sphinx-doc/sphinx/blob/3.x/sphinx/domains/cpp.py#L4770>"
        " and https://gitlab.com/group/proj/-/blob/main/src/app.py, see there."
    )
    assert signals.paths[:2] == ["sphinx/domains/cpp.py", "src/app.py"]
    assert signals.frames == [("sphinx/domains/cpp.py", 4770, None)]


def test_the_shipped_rank_weights_cover_every_kind_of_evidence() -> None:
    shipped = (Path(rank_module.__file__).parent / rank_module.WEIGHTS_FILE).read_text()
    assert parse_weights(shipped) == rank_module.WEIGHTS
    assert set(rank_module.WEIGHTS) == set(rank_module.FEATURES)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"weights": {"lexical": 1.0}}',
        '{"weights": ' + json.dumps({k: 1.0 for k in rank_module.FEATURES} | {"path": -1}) + "}",
    ],
)
def test_a_bad_weights_file_is_a_clear_error(text: str) -> None:
    with pytest.raises(CtxtrimError) as err:
        parse_weights(text)
    assert str(err.value) == (
        "rank_weights.json: needs a non-negative weight for each of lexical, path, module, "
        "frame, symbol, focus, name_part, caller, literal"
    )


def test_a_file_score_is_its_weighted_evidence(small_repo: Path) -> None:
    ws = Workspace.open(small_repo)
    task = Task("core(value) returns the wrong value in pkg/core.py")
    cands = rank_module.rank(ws.index, task, extract(task.text))
    core = next(c for c in cands if c.path == "pkg/core.py")
    assert core.features["path"] == 1.0 and core.features["symbol"] > 0
    weighted = sum(rank_module.WEIGHTS[k] * v for k, v in core.features.items())
    assert core.score == pytest.approx(weighted)


def test_a_command_line_in_backticks_lends_no_symbols_but_its_code_names() -> None:
    signals = extract(
        "After `cargo add clap` and `mdbook serve --open`, `impl Deserialize for Saturating<T>` "
        "fails in `fixes[fixes.length - 1]`; `Bytes` alone is a name, and so is "
        "`get_value_with_prefix` in `get_value(x)`."
    )
    # Plain lower-case words of a span of several words: a program and its arguments, a
    # keyword, a local name.
    for word in ("cargo", "add", "clap", "mdbook", "serve", "open", "impl", "fixes"):
        assert word not in signals.symbols
    assert {"cargo", "clap", "serve", "fixes"} <= signals.query.keys()  # still words
    # Names written as code, and a lone word in backticks, still count.
    for name in ("Deserialize", "Saturating", "Bytes", "get_value_with_prefix", "get_value"):
        assert name in signals.symbols
