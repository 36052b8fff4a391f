"""families: the language family of a file, a repository's own, and those a task names."""

from __future__ import annotations

import pytest

from ctxtrim.families import MAIN_SHARE, family_of, main_family, own_families


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("src/app.ts", "js"),
        ("src/app.jsx", "js"),
        ("lib/util.js", "js"),
        ("include/fmt/core.h", "c"),
        ("src/os.cc", "c"),
        ("theme/basic.css_t", "css"),
        ("templates/conf.py_t", "python"),
        ("gen/main.go.tmpl", "go"),
        ("scripts/release.sh", "shell"),
        ("build.gradle.kts", "java"),
        ("README.md", None),
        ("setup.cfg", None),
        ("layout.html", None),
        ("Makefile_t", None),
    ],
)
def test_family_of_a_path(path: str, family: str | None) -> None:
    assert family_of(path) == family


def test_the_main_family_needs_a_clear_majority() -> None:
    python = [f"pkg/m{i}.py" for i in range(6)]
    assert main_family([*python, "a.js", "b.ts", "c.css", "README.md"]) == "python"
    # Style sheets and docs are nobody's code: they count for no family's share.
    assert main_family([*python, *(f"s{i}.css" for i in range(20))]) == "python"
    web = [f"w{i}.js" for i in range(round(len(python) / MAIN_SHARE) - len(python) + 1)]
    assert main_family([*python, *web]) is None
    assert main_family(["README.md", "docs/x.rst"]) is None


def test_own_families_are_the_main_one_its_companions_and_the_named() -> None:
    assert own_families("js", "a crash in the parser", []) == {None, "js", "css"}
    assert own_families("python", "the search.js script fails under Node", []) == {
        None,
        "python",
        "js",
    }
    # A docutils node or a timestamp `ts` names no JavaScript.
    assert own_families("python", "the pending_xref node keeps its ts", []) == {None, "python"}
    assert own_families("python", "a crash", ["src/_path.h"]) == {None, "python", "c"}
    # "go" is an English word: only "golang" names Go.
    assert own_families("python", "go to the settings page", []) == {None, "python"}
