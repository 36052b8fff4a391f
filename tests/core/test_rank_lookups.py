"""The lookups that keep ranking fast (files by name, the files a literal can be in) must find
exactly what a scan of every path and every file's text would, also after the index changes."""

from __future__ import annotations

from pathlib import Path

from ctxtrim.rank import _literal_holders, _match_paths, rank
from ctxtrim.task import Task, extract
from ctxtrim.workspace import Workspace


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_mentioned_path_matches_every_file_ending_with_it(tmp_path: Path) -> None:
    root = _repo(
        tmp_path / "r",
        {
            "x/app/models.py": "x = 1\n",
            "y/app/models.py": "y = 2\n",
            "models.py": "z = 3\n",
            "x/app/xmodels.py": "w = 4\n",
        },
    )
    ws = Workspace.open(root)
    assert _match_paths(ws.index, "models.py") == ["models.py"]  # an exact path wins
    assert sorted(_match_paths(ws.index, "app/models.py")) == ["x/app/models.py", "y/app/models.py"]
    assert _match_paths(ws.index, "./y/app/models.py") == ["y/app/models.py"]
    assert _match_paths(ws.index, "p/models.py") == []  # a suffix of whole names only
    assert _match_paths(ws.index, "other/models.py") == []
    assert _match_paths(ws.index, "app/") == []

    (root / "z" / "app").mkdir(parents=True)
    (root / "z" / "app" / "models.py").write_text("v = 5\n", encoding="utf-8")
    ws.update_file("z/app/models.py")
    assert sorted(_match_paths(ws.index, "app/models.py")) == [
        "x/app/models.py",
        "y/app/models.py",
        "z/app/models.py",
    ]
    ws.remove_file("y/app/models.py")
    assert sorted(_match_paths(ws.index, "app/models.py")) == ["x/app/models.py", "z/app/models.py"]


def test_a_literal_is_bounded_only_by_the_identifiers_it_encloses(tmp_path: Path) -> None:
    root = _repo(
        tmp_path / "r",
        {
            "a.py": 'raise ValueError("cannot resolve keyword into field")\n',
            "b.py": "keywordless = 1\n",
        },
    )
    ws = Workspace.open(root)
    # "resolve", "keyword", "into" are enclosed; "cannot" and "field" may continue outside it.
    assert _literal_holders(ws.index, "cannot resolve keyword into field") == {"a.py"}
    # A single word may be part of a longer identifier in a file: no bound.
    assert _literal_holders(ws.index, "keyword") is None
    assert _literal_holders(ws.index, "--no-input") is None  # only "input" at the edge
    assert _literal_holders(ws.index, "no such zzzunknownword here") == set()


def test_literals_found_in_code_and_in_name_only_files(tmp_path: Path) -> None:
    message = "cannot resolve keyword into field"
    root = _repo(
        tmp_path / "r",
        {
            "query.py": f'def names():\n    raise ValueError("{message}")\n',
            "locale/fr/django.po": f'msgid "{message}"\nmsgstr "impossible"\n',
            "other.py": "def names():\n    return 'resolve keyword'\n",
        },
    )
    ws = Workspace.open(root)
    task = f'names() fails with "{message}" (django translations)'
    cands = {c.path: c for c in rank(ws.index, Task(task), extract(task))}
    contains = f"contains `{message}`"
    assert contains in cands["query.py"].reasons
    # A translation catalogue is indexed by its name only, yet its text is still searched.
    assert contains in cands["locale/fr/django.po"].reasons
    assert contains not in cands["other.py"].reasons

    (root / "other.py").write_text(f"MESSAGE = '{message}'\n", encoding="utf-8")
    ws.update_file("other.py")
    cands = {c.path: c for c in rank(ws.index, Task(task), extract(task))}
    assert contains in cands["other.py"].reasons
