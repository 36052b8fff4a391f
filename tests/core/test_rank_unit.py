"""rank: which files a task's evidence points at, on a small index built from disk."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ctxtrim.errors import CtxtrimError
from ctxtrim.index import FileIndex
from ctxtrim.rank import (
    FEATURES,
    MAX_DEFINERS,
    MAX_PATH_HITS,
    MAX_SCOPE_FILES,
    MODULES_NAMED_FULLY,
    PRIOR,
    WEIGHTS,
    parse_weights,
    prior,
    rank,
    says_generated,
)
from ctxtrim.task import TITLE_BONUS, Task, code_lines, extract, literals

from ..support.index import build
from ..support.repos import write

FILES = {
    "shop/cart.py": "class Cart:\n    def total(self):\n        return sum(self.prices)\n",
    "shop/payment.py": "def charge(card, amount):\n    raise ValueError('card declined by issuer')\n",
    "shop/shipping.py": "def ship(order):\n    return order.address\n",
    "shop/tax.py": "RATE = 0.2\n\ndef tax(amount):\n    return amount * RATE\n",
    "tests/test_cart.py": "from shop.cart import Cart\n\ndef test_total():\n    assert Cart().total() == 0\n",
    "CHANGES.md": "# Changes\n\n- cart total fixed\n",
}


@pytest.fixture
def index(tmp_path: Path) -> FileIndex:
    return build(write(tmp_path / "repo", FILES), tmp_path / "cache")


def _top(index: FileIndex, text: str, focus: tuple[str, ...] = ()) -> list[str]:
    task = Task(text, focus)
    return [c.path for c in rank(index, task, extract(task.text))]


def test_a_path_in_the_task_ranks_that_file_first_and_marks_it_named(index: FileIndex) -> None:
    task = Task("see shop/shipping.py, it loses orders")
    (first, *_) = rank(index, task, extract(task.text))
    assert first.path == "shop/shipping.py"
    assert first.named
    assert "named in the task as `shop/shipping.py`" in first.reasons


def test_a_symbol_the_task_names_ranks_its_definer_above_its_users(index: FileIndex) -> None:
    ranked = _top(index, "Cart.total returns the wrong sum")
    assert ranked[0] == "shop/cart.py"
    assert ranked.index("shop/cart.py") < ranked.index("tests/test_cart.py")


def test_a_traceback_frame_points_at_its_file_and_line(index: FileIndex) -> None:
    text = 'Traceback (most recent call last):\n  File "shop/payment.py", line 2, in charge\nValueError: boom'
    task = Task(text)
    first = rank(index, task, extract(text))[0]
    assert first.path == "shop/payment.py"
    assert 2 in first.lines


@pytest.mark.parametrize(
    "frame",
    [
        # An installed copy: the reporter's path ends with the repository's.
        'File "/usr/lib/python3.11/site-packages/shop/payment.py", line 2, in charge',
        "thread 'main' panicked at 'boom', /home/me/.cargo/registry/src/x-1/shop-0.4.1/"
        "shop/payment.py:2:13",
    ],
)
def test_a_frame_in_an_installed_copy_points_at_the_repository_file(
    index: FileIndex, frame: str
) -> None:
    task = Task(f"it crashes:\n{frame}\nValueError: boom")
    first = rank(index, task, extract(task.text))[0]
    assert first.path == "shop/payment.py" and first.named
    assert 2 in first.lines


GO_SERVER = {
    "go.mod": "module google.golang.org/grpc\n\ngo 1.21\n",
    "server.go": "package grpc\n\nfunc (s *Server) Serve() {\n\tpanic(s)\n}\n",
    "internal/transport/server.go": "package transport\n\nfunc serve() {}\n",
    "README.md": "# grpc\n\nServe it.\n",
}
GO_TRACE = "panic: boom\n\ngoroutine 1 [running]:\ngrpc.(*Server).Serve()\n\t{}\n"


@pytest.mark.parametrize(
    ("frame", "path", "line"),
    [
        ("/home/me/go/pkg/mod/google.golang.org/grpc@v1.50.0/server.go:4 +0x1c", "server.go", 4),
        (
            "/root/go/pkg/mod/google.golang.org/grpc@v0.0.0-20240101-abc123/internal/transport/"
            "server.go:3 +0x2d",
            "internal/transport/server.go",
            3,
        ),
    ],
)
def test_a_go_module_cache_frame_points_at_the_repository_file(
    tmp_path: Path, frame: str, path: str, line: int
) -> None:
    # Past the repository's own module's `@version/` is its path, a root file's too.
    index = build(write(tmp_path / "repo", GO_SERVER), tmp_path / "c")
    task = Task(GO_TRACE.format(frame))
    first = rank(index, task, extract(task.text))[0]
    assert first.path == path and first.named
    assert line in first.lines


def test_a_dependency_s_module_cache_frame_names_no_root_file(tmp_path: Path) -> None:
    index = build(write(tmp_path / "repo", GO_SERVER), tmp_path / "c")
    task = Task(GO_TRACE.format("/go/pkg/mod/golang.org/x/net@v0.10.0/server.go:4 +0x1c"))
    ranked = rank(index, task, extract(task.text))
    assert not any(c.lines or "in a traceback" in " ".join(c.reasons) for c in ranked)


def test_a_foreign_path_matches_no_file_by_its_name_alone(tmp_path: Path) -> None:
    index = build(write(tmp_path / "repo", {**FILES, "payment.py": "x = 1\n"}), tmp_path / "c")
    task = Task('File "/usr/lib/python3.11/payment.py", line 1, in <module>')
    assert all(not c.named for c in rank(index, task, extract(task.text)))


def test_a_quoted_message_finds_the_file_that_holds_it(index: FileIndex) -> None:
    first = rank(
        index,
        Task('users see "card declined by issuer"'),
        extract('users see "card declined by issuer"'),
    )[0]
    assert first.path == "shop/payment.py"
    assert first.features.get("literal", 0) >= 1


def test_the_focus_file_comes_first_with_its_line(index: FileIndex) -> None:
    task = Task("make it faster", ("shop/tax.py:3",))
    first = rank(index, task, extract(task.text))[0]
    assert (first.path, first.focus, first.lines) == ("shop/tax.py", True, {3})


def test_the_score_is_the_weighted_evidence_times_the_file_kind(index: FileIndex) -> None:
    task = Task("Cart.total returns the wrong sum")
    ranked = rank(index, task, extract(task.text))
    assert {c.path for c in ranked} >= {"shop/cart.py", "tests/test_cart.py"}
    for c in ranked:
        weighted = sum(WEIGHTS[k] * v for k, v in c.features.items())
        assert c.score == pytest.approx(weighted * prior(c.path)[0], rel=1e-9), c.path
    test = next(c for c in ranked if c.path == "tests/test_cart.py")
    assert "test file (weight 0.3)" in test.reasons


def test_ranking_is_deterministic(index: FileIndex) -> None:
    assert _top(index, "cart total tax") == _top(index, "cart total tax")


@pytest.mark.parametrize(
    ("path", "weight", "why"),
    [
        ("shop/cart.py", 1.0, None),
        ("tests/test_cart.py", 0.3, "test file"),
        ("src/cart_test.go", 0.3, "test file"),
        ("src/builder/tests.rs", 0.3, "test file"),
        ("src/addDays/test.ts", 0.3, "test file"),
        ("test.mjs", 0.3, "test file"),
        ("src/cmd/test.rs", 1.0, None),
        ("internal/test/run.go", 0.3, "test file"),
        ("pkg/action/test.go", 1.0, None),
        ("src/latest.js", 1.0, None),
        ("testing/python/collect.py", 0.3, "test file"),
        ("sphinx/testing/util.py", 1.0, None),
        ("support/rollup.config.js", 0.5, "CI/tooling file"),
        ("vite.config.mts", 0.5, "CI/tooling file"),
        ("packages/vite/src/node/config.ts", 1.0, None),
        ("CHANGES.md", 0.2, "changelog/notice file"),
        ("pkg/history.py", 1.0, None),
        ("vendor/lib/x.go", 0.15, "vendored, versioned or translation file"),
        ("docs/guide.md", 0.45, "documentation"),
        ("config/settings.yaml", 0.5, "data/config file"),
        ("examples/demo.py", 0.6, "example/docs directory"),
        (".github/workflows/release.py", 0.5, "CI/tooling file"),
        ("Makefile", 0.5, "CI/tooling file"),
        ("build/rules.mk", 0.5, "CI/tooling file"),
        ("flake.nix", 0.5, "CI/tooling file"),
        ("web/.gitignore", 0.5, "CI/tooling file"),
        ("Dockerfile", 0.5, "CI/tooling file"),
        ("go.sum", 0.5, "CI/tooling file"),
        ("cmd/makefile.go", 1.0, None),
        (".github/workflows/ci.yml", 0.5, "data/config file"),
        ("__performance_tests__/add-data.js", 0.3, "test file"),
        ("src/__test__/parse.js", 0.3, "test file"),
        ("src/__tests_helpers/parse.js", 1.0, None),
        ("go.mod", 1.0, None),
    ],
)
def test_prior_weighs_the_kind_of_file(path: str, weight: float, why: str | None) -> None:
    assert prior(path) == (weight, why)


def test_parse_weights_reads_one_non_negative_weight_per_feature() -> None:
    text = '{"weights": {' + ", ".join(f'"{k}": 1' for k in FEATURES) + "}}"
    assert parse_weights(text) == {k: 1.0 for k in FEATURES}


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"weights": {"lexical": 1}}',
        '{"weights": {' + ", ".join(f'"{k}": -1' for k in FEATURES) + "}}",
        '{"weights": {' + ", ".join(f'"{k}": true' for k in FEATURES) + "}}",
    ],
)
def test_parse_weights_refuses_a_bad_file_with_one_line(text: str) -> None:
    message = f"rank_weights.json: needs a non-negative weight for each of {', '.join(FEATURES)}"
    with pytest.raises(CtxtrimError) as err:
        parse_weights(text)
    assert str(err.value) == message


def test_the_first_line_of_a_task_weighs_its_words_more() -> None:
    body = "When a user logs in, the cookie is dropped. The cookie holds the session."
    query = extract("Login redirect loses the session\n\n" + body).query
    # Each word twice in all; "session" once in the title.
    assert query["session"] == pytest.approx(query["cookie"] + TITLE_BONUS)
    long_title = "Login redirect loses the session " + "and more words " * 20
    query = extract(long_title + "\n\n" + body).query
    assert query["session"] == pytest.approx(query["cookie"])  # a paragraph, not a title


REPORT = """Dataset.merge drops attrs

<details><summary>Output of xr.show_versions()</summary>

INSTALLED VERSIONS
commit: None
python: 3.8.6 | packaged by conda-forge
python-bits: 64
OS: Linux

machine: x86_64
numpy: 1.19.4
</details>
"""


def test_an_environment_report_adds_no_words_to_the_query() -> None:
    query = extract(REPORT).query
    assert "merge" in query and "attrs" in query
    assert not {"python", "numpy", "machine", "commit", "bits", "linux"} & set(query)


def test_the_heading_that_names_a_report_goes_with_it() -> None:
    signals = extract(REPORT)
    assert "show_versions" not in signals.symbols
    assert not {"output", "installed", "versions"} & set(signals.query)
    # A report interrupted by a line that is not `name: version` is still one report.
    text = "Merge bug\n\n#### Output of `xr.show_versions()`\n```\ncommit: None\npython: 3.8\n"
    text += "[Clang 10.0.0 ]\nOS: Linux\nmachine: x86_64\n```\n"
    assert "show_versions" not in extract(text).symbols
    assert "clang" not in extract(text).query


def test_a_sentence_above_a_report_is_the_task_s_text() -> None:
    text = "Calling `Dataset.merge()` drops attrs\ncommit: None\npython: 3.8\nOS: Linux\nnumpy: 1\n"
    signals = extract(text)
    assert "merge" in signals.symbols and "drops" in signals.query


def test_html_comments_are_the_template_s_words_unless_they_are_code() -> None:
    text = "Broken header\n<!-- Please include a minimal example of the issue -->\n"
    text += "When `<!--` is followed by `==` the comment becomes a heading.\n"
    text += "```markdown\n<!-- hidden\n==\n-->\n```\n"
    query = extract(text).query
    assert not {"please", "include", "minimal", "example"} & set(query)
    assert {"hidden", "heading"} <= set(query)


def test_a_hyphenated_option_is_one_name_not_three() -> None:
    signals = extract("Setting `min-similarity-lines` to `0`; see `--import-mode`")
    assert {"min_similarity_lines", "import_mode"} <= set(signals.symbols)
    assert not {"min", "similarity", "lines", "import", "mode"} & set(signals.symbols)
    assert {"similarity", "lines"} <= set(signals.query)
    assert signals.literals[:2] == ["--import-mode", "min-similarity-lines"]


def test_a_member_call_is_a_name_even_when_it_is_a_common_word() -> None:
    assert "where" in extract("`xr.where(cond, x, y)` drops attrs").symbols
    assert "where" not in extract("the place where (as said) it breaks").symbols


def test_a_name_in_the_title_weighs_more_than_the_same_name_below_it() -> None:
    body = "\n\nCalling `merge_core` from `Dataset.merge` breaks."
    titled = extract("merge_core drops attrs" + body).symbols
    below = extract("Attributes are dropped\n\nmerge_core" + body).symbols
    assert titled["merge_core"] == pytest.approx(below["merge_core"] + TITLE_BONUS)
    assert titled["merge"] == pytest.approx(below["merge"])
    # A first line too long to be a title is the task's first paragraph.
    long_title = "merge_core drops attrs" + " and more words" * 20
    assert extract(long_title + body).symbols["merge_core"] == pytest.approx(below["merge_core"])


def test_a_common_word_written_as_a_call_joins_the_query() -> None:
    # As a query word it meets the definition's name (`def where`) in fit; in prose it is
    # still a stopword.
    assert "where" in extract("`xr.where(cond, x, y)` drops attrs").query
    assert "where" not in extract("the place where it breaks").query


FORM = """Include directive drops replaced text

### Describe the bug

The `source-read` event's changes are lost for included files.

### Screenshots

_No response_

### OS

Linux

### Python version

3.7, 3.8, 3.9

### Sphinx version

`>=5.0.2`

### Sphinx extensions

['sphinx.ext.todo', 'sphinx.ext.extlinks']

### Additional context

See the include directive.
"""


def test_an_issue_form_s_version_fields_add_no_evidence() -> None:
    signals = extract(FORM)
    assert not {"python", "extensions", "extlinks", "todo", "screenshots"} & set(signals.query)
    assert not [m for m in signals.modules if "todo" in m]
    assert not [lit for lit in signals.literals if "todo" in lit]
    # The task's own sections, and a field beside them of another subject, stay.
    assert {"replaced", "directive", "source", "read", "linux", "context"} <= set(signals.query)


def test_one_version_field_may_be_the_task_s_subject() -> None:
    text = FORM.replace("### Sphinx version\n\n`>=5.0.2`\n\n", "")
    query = extract(text).query
    assert {"python", "extlinks", "todo"} <= set(query)
    assert "screenshots" not in query  # a field left unanswered goes all the same
    # A heading inside a code block is the code's comment, not a field.
    fenced = "Bug\n```python\n# Python version\n3.10\n# Sphinx version\n5.0\n```\n"
    assert "python" in extract(fenced).query


def test_latin_abbreviations_are_not_paths() -> None:
    signals = extract("Options (e.g. `--foo`), i.e. flags, live in cli.py")
    assert signals.paths == ["cli.py"] and signals.modules == ["cli.py"]


def test_fewer_than_four_version_lines_are_the_task_s_own_text() -> None:
    text = "Upgrading to numpy: 1.19.4 breaks merge\npython: 3.8\nOS: Linux\n"
    assert {"numpy", "python", "linux"} <= set(extract(text).query)


def test_a_table_of_repeated_names_is_data_not_a_report() -> None:
    rows = "\n".join(f"ID0001     {n}.99200   38.51040" for n in range(6))
    assert "id0001" in extract("CDS table parsing\n" + rows).query


def test_a_generated_bundle_ranks_below_the_source_it_is_built_from(tmp_path: Path) -> None:
    rules = (
        "export const inline = {\n  em: /^\\*emphasis\\*/,\n  strong: /^\\*\\*strong\\*\\*/,\n};\n"
    )
    bundle = (
        "/**\n * DO NOT EDIT THIS FILE\n * The code in this file is generated from files in ./src/\n"
        " */\n" + rules.replace("export ", "") + "// emphasis asterisks emphasis asterisks\n"
    )
    files = {"src/rules.js": rules, "lib/marked.js": bundle}
    index = build(write(tmp_path / "repo", files), tmp_path / "c")
    task = Task("Intra-word emphasis can match the wrong asterisks")
    ranked = rank(index, task, extract(task.text))
    assert [c.path for c in ranked][:2] == ["src/rules.js", "lib/marked.js"]
    assert "generated file (weight 0.15)" in ranked[1].reasons
    assert "generated file (weight 0.15)" not in ranked[0].reasons
    # An edit that drops the header (an open buffer) is seen: generated-ness is per content.
    index.update("lib/marked.js", bundle.split(" */\n", 1)[1])
    again = rank(index, task, extract(task.text))
    assert not any("generated file" in r for c in again for r in c.reasons)


@pytest.mark.parametrize(
    ("head", "generated"),
    [
        ("// Code generated by protoc-gen-go. DO NOT EDIT.\n", True),
        ("// @generated\n", True),
        ("# This file is automatically generated by tox\n", True),
        ("/* This file was auto-generated */\n", True),
        ("/// Shell with auto-generated completion script available.\n", False),
        ("# the generator's own code: it writes files marked generated\n", False),
    ],
)
def test_generated_markers_are_a_generator_s_not_a_mention(head: str, generated: bool) -> None:
    assert says_generated(head) is generated


def test_head_reads_the_start_of_a_file_or_its_open_buffer(tmp_path: Path) -> None:
    index = build(write(tmp_path / "repo", {"a.py": "# DO NOT EDIT\nx = 1\n"}), tmp_path / "c")
    assert index.head("a.py", 7) == "# DO NO"
    assert index.head("missing.py", 7) == ""
    index.update("a.py", "y = 2\n")
    assert index.head("a.py", 100) == "y = 2\n"


def test_a_package_name_loaded_by_the_task_s_code_is_not_a_literal() -> None:
    text = 'const yaml = require("js-yaml")\nimport md from "markdown-it"\nerror: "bad indentation here"'
    assert literals(text) == ["bad indentation here"]


def test_members_of_javascript_built_ins_are_not_the_project_s_symbols() -> None:
    signals = extract("JSON.parse(text) throws, yaml.safeLoad does not")
    assert "parse" not in signals.symbols and "JSON" not in signals.symbols
    assert signals.modules == ["yaml.safeLoad"]
    assert "safeLoad" in signals.symbols


def test_a_project_s_member_of_a_built_in_s_name_is_the_project_s() -> None:
    # fastjson's Java class `JSON`: only `JSON.parse` and `JSON.stringify` are the runtime's.
    signals = extract("Need a new overload: `JSON.parseObject(String, Type, Context)`")
    assert ("JSON", "parseObject") in signals.qualified
    assert "JSON" in signals.symbols and "parseObject" in signals.symbols
    assert "JSON.parseObjec" not in signals.paths  # a 10-character extension cut short


def test_code_names_end_where_prose_in_another_script_starts() -> None:
    signals = extract("使用JSON.parseObject方法时 core/JSON.java中的 value_of报错")
    assert ("JSON", "parseObject") in signals.qualified
    assert "core/JSON.java" in signals.paths
    assert "value_of" in signals.symbols


def test_a_file_name_that_many_files_share_names_none_of_them(tmp_path: Path) -> None:
    files = {f"src/f{i}/index.js": f"export const f{i} = {i}\n" for i in range(MAX_PATH_HITS + 1)}
    files |= {f"lib/g{i}/main.js": f"export const g{i} = {i}\n" for i in range(3)}
    index = build(write(tmp_path / "repo", files), tmp_path / "c")
    task = Task("index.js and main.js both crash on start")
    named = {c.path for c in rank(index, task, extract(task.text)) if c.named}
    assert named == {f"lib/g{i}/main.js" for i in range(3)}


def test_a_configuration_file_named_bare_is_the_reporter_s_not_evidence(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": "[tool.lint]\nignore-paths = []\n",
        "docs/conf.py": "extensions = []\n",
        "lint/expand.py": "def expand_modules(ignore_paths):\n    return ignore_paths\n",
    }
    index = build(write(tmp_path / "repo", files), tmp_path / "c")
    task = Task("--recursive ignores ignore-paths from my settings in pyproject.toml")
    named = {c.path for c in rank(index, task, extract(task.text)) if c.named}
    assert named == set()
    # With its folder, the name is the repository's own file.
    task = Task("the release settings in docs/conf.py are wrong")
    named = {c.path for c in rank(index, task, extract(task.text)) if c.named}
    assert named == {"docs/conf.py"}


@pytest.mark.parametrize(
    ("title", "scopes"),
    [
        ("net/http: keep the Host header on redirects", ["net/http"]),
        ("xds, balancer: close the watcher", ["xds", "balancer"]),
        ("fix(mangen): escape dashes", ["mangen"]),
        ("Keep the Host header: it is lost on redirects", []),
        ("keep the header\n\nnet/http: not a title", []),
    ],
)
def test_a_title_s_scope_prefix_names_packages(title: str, scopes: list[str]) -> None:
    assert extract(title).scopes == scopes


def test_the_package_a_title_s_scope_names_ranks_its_files(tmp_path: Path) -> None:
    header = "func Header(h string) string { return h }\n"
    files = {
        "net/http/client.go": "package http\n\n" + header,
        "net/http/server.go": "package http\n\nfunc Serve() {}\n",
        "net/url/url.go": "package url\n\n" + header + header,
        "other/http/x.go": "package http\n",
    }
    for i in range(MAX_SCOPE_FILES + 1):
        files[f"cmd/tool{i}.go"] = "package cmd\n"
    index = build(write(tmp_path / "repo", files), tmp_path / "c")
    ranked = rank(index, Task("net/http: header lost"), extract("net/http: header lost"))
    assert [c.path for c in ranked[:2]] == ["net/http/client.go", "net/http/server.go"]
    assert "in the package `net/http` the title names" in ranked[0].reasons
    # A scope matching more files than MAX_SCOPE_FILES names none of them.
    ranked = rank(index, Task("cmd: header lost"), extract("cmd: header lost"))
    assert not any("the title names" in r for c in ranked for r in c.reasons)


def test_a_scope_naming_the_go_module_names_its_root_package(tmp_path: Path) -> None:
    files = {
        "go.mod": "module github.com/go-chi/chi/v5\n\ngo 1.20\n",
        "mux.go": "package chi\n\nfunc (mx *Mux) Handle() {}\n",
        "tree.go": "package chi\n\nfunc route() {}\n",
        "mux_test.go": "package chi\n\nfunc TestHandle() {} // handle routes\n",
        "middleware/logger.go": "package middleware\n\nfunc Logger() {} // handle routes\n",
    }
    index = build(write(tmp_path / "repo", files), tmp_path / "c")
    reason = "in the package `chi` the title names"
    for title in ("chi: handle routes", "chi/v5: handle routes"):
        ranked = rank(index, Task(title), extract(title))
        scoped = sorted(c.path for c in ranked if reason in c.reasons)
        assert scoped == (["mux.go", "tree.go"] if title.startswith("chi:") else [])
    # Another module's name is no package here.
    files["go.mod"] = "module github.com/go-chi/router\n"
    index = build(write(tmp_path / "repo2", files), tmp_path / "c2")
    ranked = rank(index, Task("chi: handle routes"), extract("chi: handle routes"))
    assert not any(reason in c.reasons for c in ranked)


# A module named for the scope, never its docs; a crate named for it, with its whole tree.
COBRA = {
    "completions.go": "package cobra\n\nfunc complete() {}\n",
    "command.go": "package cobra\n\nfunc flags() {} // map flags\n",
    "site/completions/bash.md": "# Bash completions\n\nmap flags\n",
}
CLAP = {
    "clap_complete/src/env/shells.rs": "fn quote_fish() {} // fish env quoting\n",
    "clap_complete/src/engine/complete.rs": "fn run() {}\n",
    "clap_builder/src/fish.rs": "fn fish() {} // fish quoting env\n",
}


@pytest.mark.parametrize(
    ("files", "text", "scoped"),
    [
        (COBRA, "fix(completions): complete map flags twice", ["completions.go"]),
        (
            CLAP,
            "fix(complete): quote fish env",
            ["clap_complete/src/env/shells.rs", "clap_complete/src/engine/complete.rs"],
        ),
    ],
)
def test_a_scope_names_modules_and_crates_named_for_it(
    tmp_path: Path, files: dict[str, str], text: str, scoped: list[str]
) -> None:
    index = build(write(tmp_path / "repo", files), tmp_path / "c")
    ranked = rank(index, Task(text), extract(text))
    reason = f"in the package `{extract(text).scopes[0]}` the title names"
    # Best first, each once (a module named for the scope inside its crate counts once).
    assert [c.path for c in ranked if reason in c.reasons] == scoped
    assert ranked[0].path == scoped[0]
    assert all(c.reasons.count(reason) <= 1 for c in ranked)


# `Parse` is defined in more files than MAX_DEFINERS: the bare name points at none of them.
GO_PARSERS = {
    f"codec/format{i}/parse.go": f"package format{i}\n\nfunc Parse(s string) error {{ return nil }}\n"
    for i in range(MAX_DEFINERS + 1)
} | {
    "rest/httpx/requests.go": "package httpx\n\nfunc Parse(r string) error { return nil }\n",
    "rest/httpx/util.go": "package httpx\n\nfunc flush() {}\n",
    # A module's root package by its package clause; a major version's directory by its parent.
    "server.go": "// Copyright 2024\n\npackage grpc\n\nfunc Parse(t string) error { return nil }\n",
    "store/v2/parse.go": "package store\n\nfunc Parse(k string) error { return nil }\n",
    "internal/httpx_test.go": "package httpx\n\nfunc Parse(t string) error { return nil }\n",
}


@pytest.mark.parametrize(
    ("text", "definer"),
    [
        ("httpx.Parse drops the form values", "rest/httpx/requests.go"),
        ("grpc.Parse drops the form values", "server.go"),
        ("store.Parse drops the form values", "store/v2/parse.go"),
    ],
)
def test_a_go_package_qualified_name_points_at_that_package_s_definer(
    tmp_path: Path, text: str, definer: str
) -> None:
    index = build(write(tmp_path / "repo", GO_PARSERS), tmp_path / "c")
    ranked = rank(index, Task(text), extract(text))
    defining = [c.path for c in ranked if "defines `Parse`" in c.reasons]
    assert defining == [definer]  # not the other packages' `Parse`, nor a test's
    assert ranked[0].path == definer


def test_a_package_without_the_name_leaves_the_bare_name_s_evidence(tmp_path: Path) -> None:
    files = GO_PARSERS | {"pool/pool.go": "package pool\n\nfunc Get() {}\n"}
    index = build(write(tmp_path / "repo", files), tmp_path / "c")
    text = "pool.Parse drops the form values"
    # No file of `pool` defines `Parse`: as before, a name of more than MAX_DEFINERS definers.
    assert not any("defines `Parse`" in c.reasons for c in rank(index, Task(text), extract(text)))


def test_a_flag_is_not_found_as_the_start_of_a_longer_one(tmp_path: Path) -> None:
    files = {
        "lint/expand.py": "def expand(args):\n    return args.get('--ignore')\n",
        "lint/similar.py": "def similar(args):\n    return args.get('--ignore-comments')\n",
        "lint/version.py": "SUBVERSION = 'subversion'\n",
    }
    index = build(write(tmp_path / "repo", files), tmp_path / "c")
    text = "`--ignore` is not respected; the report says 'version'"
    found = {c.path: c.features.get("literal", 0) for c in rank(index, Task(text), extract(text))}
    assert found["lint/expand.py"] == 1
    assert not found.get("lint/similar.py") and not found.get("lint/version.py")


def test_file_names_hosts_and_the_standard_library_name_no_project_symbols() -> None:
    signals = extract(
        "Build `index.rst` (see docs.python.org): conf.py adds os.path.abspath to sys.path\n"
        "with `sys.path.insert`;\n"
        "and prints to sys.stdout, but `ascii.rst` tables and Table.read and xr.where( lose\n"
        "attrs"
    )
    standard = {"path", "abspath", "stdout", "insert"}
    assert not {"rst", "org", "python", "index"} & set(signals.symbols)
    assert not standard & set(signals.symbols)
    assert {"Table", "read", "where"} <= set(signals.symbols)
    # Still modules: a project may have one of that name (astropy's `ascii.rst` writer).
    assert {"ascii.rst", "os.path.abspath"} <= set(signals.modules)


def test_a_python_file_defining_a_built_in_name_is_not_named_by_it(tmp_path: Path) -> None:
    files = {
        "pkg/path.py": "class path(str):\n    def bytes(self):\n        return b''\n",
        "pkg/codec.py": "def encode_bytes(data):\n    return data\n",
        "web/bytes.js": "function bytes(n) { return n }\n",
    }
    index = build(write(tmp_path / "repo", files), tmp_path / "c")
    text = "`bytes` and `str` are both accepted by encode_bytes"
    ranked = {c.path: c for c in rank(index, Task(text), extract(text))}
    assert "bytes" not in ranked["pkg/path.py"].symbols
    assert ranked["web/bytes.js"].symbols.get("bytes")  # another language's own function
    assert ranked["pkg/codec.py"].named


def test_modules_named_in_a_long_list_each_count_less(tmp_path: Path) -> None:
    names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    files = {f"ext/{n}.py": f"def run_{n}():\n    pass\n" for n in names}
    index = build(write(tmp_path / "repo", files), tmp_path / "c")

    def module_evidence(text: str) -> float:
        ranked = rank(index, Task(text), extract(text))
        return next(c.features["module"] for c in ranked if c.path == "ext/alpha.py")

    assert module_evidence("ext.alpha fails to load") == 1
    listed = "extensions = [" + ", ".join(f"'ext.{n}'" for n in names) + "]"
    assert module_evidence(listed) == pytest.approx(math.sqrt(MODULES_NAMED_FULLY / 6))


def test_names_the_task_example_defines_are_the_reporters_not_the_projects() -> None:
    text = (
        "Cross-references in property annotations do not resolve.\n\n"
        "```py\nclass Square:\n    width: int\n\n    def __init__(self, side):\n"
        "        self.side_length = side\n\n    @property\n    def end_point(self) -> Point:\n"
        "        return Point(self.width)\n```\n"
    )
    symbols = extract(text).symbols
    for own in ("Square", "width", "side_length", "end_point"):
        assert own not in symbols
    # A name it only uses is still the project's; one the prose also names as code stays.
    assert "Point" in symbols
    kept = extract(text.replace("do not resolve", "do not resolve in `end_point`")).symbols
    assert "end_point" in kept


def test_a_pasted_option_assignment_still_names_the_option() -> None:
    symbols = extract(
        'Set this in conf.py:\n\n```py\nautodoc_typehints = "description"\n```\n'
    ).symbols
    assert "autodoc_typehints" in symbols


def test_the_example_defining_a_name_demotes_the_project_file_defining_it(
    tmp_path: Path,
) -> None:
    files = {
        "writers/latex.py": "class Table:\n    def width(self):\n        return 1\n",
        "domains/python.py": "def resolve_property_type(annotation):\n    return None\n",
    }
    index = build(write(tmp_path / "repo", files), tmp_path / "cache")
    text = (
        "The property type annotation is not resolved by the python domain.\n\n"
        "```py\nclass Box:\n    def width(self) -> int:\n        return 1\n```\n"
    )
    assert _top(index, text)[0] == "domains/python.py"


def test_code_lines_are_the_long_lines_of_code_blocks_that_may_be_quoted() -> None:
    text = (
        "It breaks:\n\n```py\n>>> table.add_column(data, name='flux')\n"
        "        if isinstance(data, np.ndarray) and len(data.dtype) > 1:\n"
        "x = 1\n"
        '  File "table.py", line 12, in add_column\n'
        "    data = data.view(NdarrayMixin, copy=False)\n"
        "# a comment with several words in it\n```\n"
    )
    assert code_lines(text) == ["if isinstance(data, np.ndarray) and len(data.dtype) > 1:"]


def test_a_quoted_line_of_source_names_its_file_but_not_a_test_repeating_it(
    tmp_path: Path,
) -> None:
    line = "if isinstance(data, np.ndarray) and len(data.dtype) > 1:"
    files = {
        "pkg/mixin.py": "class NdarrayMixin:\n    pass\n",
        "pkg/table.py": f"def add(data):\n    {line}\n        return data\n",
        "pkg/column.py": "def add_column(data):\n    return data\n",
        "tests/test_table.py": f"def test_add(data):\n    {line}\n        assert data\n",
    }
    index = build(write(tmp_path / "repo", files), tmp_path / "cache")
    text = f"Structured arrays become an `NdarrayMixin` here:\n\n```\n{line}\n```\n"
    ranked = {c.path: c for c in rank(index, Task(text), extract(text))}
    assert "holds code the task quotes" in ranked["pkg/table.py"].reasons
    assert ranked["pkg/table.py"].features["literal"] == 1.0
    assert "literal" not in ranked["tests/test_table.py"].features
    assert "literal" not in ranked["pkg/mixin.py"].features


def test_a_package_named_test_inside_the_source_is_source_not_a_test_suite(
    tmp_path: Path,
) -> None:
    client = "class Client:\n    def force_login(self, user, backend=None):\n        pass\n"
    files = {
        "fw/__init__.py": "",
        "fw/test/__init__.py": "",
        "fw/test/client.py": client,  # the framework's test client: its source
        "fw/test/test_client.py": client,  # a test module, wherever it is
        "test/__init__.py": "",  # a suite at the root: not inside a package
        "test/client.py": client,
    }
    index = build(write(tmp_path / "repo", files), tmp_path / "cache")
    task = "force_login of the Client ignores the backend argument"
    got = {c.path: c for c in rank(index, Task(task), extract(task))}
    assert not any("test file" in r for r in got["fw/test/client.py"].reasons)
    for path in ("fw/test/test_client.py", "test/client.py"):
        assert "test file (weight 0.3)" in got[path].reasons
        assert got[path].score < got["fw/test/client.py"].score


def test_a_rule_of_underscores_in_pasted_output_is_not_a_name() -> None:
    text = "Failure in setup\n\n```\n" + "_" * 40 + " test_total " + "_" * 40 + "\n```\n"
    text += "and `__subclasscheck__` is never called"
    symbols = extract(text).symbols
    assert "__subclasscheck__" in symbols
    assert not [s for s in symbols if not s.strip("_")]


FOREIGN_REASON = f"in another language than the project's code (weight {PRIOR['foreign']})"
# A Python project with a theme: its Python code, a bundled script and a style sheet template
# that share the task's words.
THEMED = {
    "pkg/__init__.py": "",
    "pkg/layout.py": "def position(box):\n    return box.width, box.height\n",
    "pkg/render.py": "def render(page):\n    return page\n",
    "pkg/util.py": "def clamp(x):\n    return x\n",
    "pkg/themes/static/jquery.js": "function position(el) { return el.width + el.height; }\n",
    "pkg/themes/static/basic.css_t": ".box { width: 10px; height: 10px; position: absolute; }\n",
}


def test_code_in_another_language_than_the_project_s_is_weighed_down(tmp_path: Path) -> None:
    index = build(write(tmp_path / "repo", THEMED), tmp_path / "c")
    task = Task("The width and height of a box position are swapped")
    ranked = {c.path: c for c in rank(index, task, extract(task.text))}
    for path in ("pkg/themes/static/jquery.js", "pkg/themes/static/basic.css_t"):
        assert FOREIGN_REASON in ranked[path].reasons
        assert ranked[path].weight == PRIOR["foreign"]
    assert ranked["pkg/layout.py"].weight == 1.0
    assert not any("another language" in r for r in ranked["pkg/layout.py"].reasons)


@pytest.mark.parametrize(
    "task",
    [
        "The jQuery position helper swaps the width and height of a box",
        "In jquery.js the width and height of a box position are swapped",
    ],
)
def test_a_task_that_names_the_language_or_its_file_keeps_it_whole(
    tmp_path: Path, task: str
) -> None:
    index = build(write(tmp_path / "repo", THEMED), tmp_path / "c")
    ranked = {c.path: c for c in rank(index, Task(task), extract(task))}
    assert ranked["pkg/themes/static/jquery.js"].weight == 1.0
    assert ranked["pkg/themes/static/basic.css_t"].weight == PRIOR["foreign"]


def test_a_project_of_no_one_language_has_no_foreign_files(tmp_path: Path) -> None:
    files = {**THEMED, "web/a.js": "var a;\n", "web/b.js": "var b;\n", "web/c.ts": "let c;\n"}
    index = build(write(tmp_path / "repo", files), tmp_path / "c")
    task = Task("The width and height of a box position are swapped")
    assert all(c.weight == 1.0 for c in rank(index, task, extract(task.text)))
