"""The scan's per-directory listings: a later scan reuses what did not change and always
agrees with a scan from nothing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ctxtrim import scan as scan_module
from ctxtrim.config import Config
from ctxtrim.listings import RACY_NS
from ctxtrim.scan import ScanResult, scan

PAST_NS = time.time_ns() - 10 * RACY_NS  # far enough back for a listing to be trusted


def settle(root: Path, when: int = PAST_NS) -> None:
    """Give every directory and file an mtime in the past, as an unchanged tree has."""
    for dirpath, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(dirpath, name), ns=(when, when))
        os.utime(dirpath, ns=(when, when))


def make_tree(root: Path) -> Path:
    files = {
        ".gitignore": "*.log\nbuild/\n",
        "app/main.py": "def main():\n    return 1\n",
        "app/util.py": "X = 1\n",
        "app/deep/inner/mod.py": "Y = 2\n",
        "app/deep/inner/notes.txt": "notes\n",
        "app/debug.log": "noise\n",
        "build/out.py": "generated\n",
        "docs/readme.md": "# docs\n",
        ".env": "TOKEN=abc\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    settle(root)
    return root


def outcome(result: ScanResult) -> tuple[list, list]:
    return (
        [(f.path, f.size, f.mtime_ns) for f in result.files],
        [(e.path, e.rule, e.is_dir) for e in result.excluded],
    )


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the scan had to build its ignore rules (to decide a directory anew)."""
    built: list[int] = []
    original = scan_module.IgnoreRules.__init__

    def counting(self: object, *args: object) -> None:
        built.append(1)
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(scan_module.IgnoreRules, "__init__", counting)
    return built


def test_an_unchanged_tree_is_scanned_from_its_listings(tmp_path: Path, counted: list[int]) -> None:
    root = make_tree(tmp_path / "repo")
    lists = tmp_path / "lists"
    first = scan(root, Config(), listings_dir=lists)
    assert len(counted) == 1 and len(list(lists.iterdir())) == 1
    second = scan(root, Config(), listings_dir=lists)
    assert len(counted) == 1  # no directory was decided anew
    assert outcome(second) == outcome(first) == outcome(scan(root, Config()))
    assert [f.path for f in second.files] == [
        ".gitignore",
        "app/deep/inner/mod.py",
        "app/deep/inner/notes.txt",
        "app/main.py",
        "app/util.py",
        "docs/readme.md",
    ]


def test_edited_added_and_removed_files_are_seen(tmp_path: Path, counted: list[int]) -> None:
    root = make_tree(tmp_path / "repo")
    lists = tmp_path / "lists"
    scan(root, Config(), listings_dir=lists)
    # An edit in place: the directory's mtime does not move, the file's size and mtime do.
    (root / "app/util.py").write_text("X = 1000\n")
    os.utime(root / "app", ns=(PAST_NS, PAST_NS))
    # A new file and a removed one: their directories' mtimes move.
    (root / "docs/new.md").write_text("new\n")
    (root / "app/deep/inner/notes.txt").unlink()
    settle(root / "docs", PAST_NS + RACY_NS)
    settle(root / "app/deep/inner", PAST_NS + RACY_NS)
    os.utime(root / "app/util.py", ns=(PAST_NS + 7, PAST_NS + 7))
    again = scan(root, Config(), listings_dir=lists)
    assert outcome(again) == outcome(scan(root, Config()))
    paths = {f.path: f for f in again.files}
    assert paths["app/util.py"].size == 9 and paths["app/util.py"].mtime_ns == PAST_NS + 7
    assert "docs/new.md" in paths and "app/deep/inner/notes.txt" not in paths


def test_a_file_that_grows_too_large_is_excluded(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo")
    lists = tmp_path / "lists"
    config = Config().with_(max_file_bytes=100)
    scan(root, config, listings_dir=lists)
    (root / "app/main.py").write_text("x = 1\n" * 50)
    os.utime(root / "app", ns=(PAST_NS, PAST_NS))
    again = scan(root, config, listings_dir=lists)
    assert outcome(again) == outcome(scan(root, config))
    assert ("app/main.py", "huge (300 bytes > max_file_bytes 100)", False) in outcome(again)[1]


def test_an_ignore_file_edited_in_place_is_applied(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo")
    lists = tmp_path / "lists"
    scan(root, Config(), listings_dir=lists)
    (root / ".gitignore").write_text("*.log\nbuild/\n*.txt\n")
    os.utime(root, ns=(PAST_NS, PAST_NS))  # the root's listing did not change
    again = scan(root, Config(), listings_dir=lists)
    assert outcome(again) == outcome(scan(root, Config()))
    assert "app/deep/inner/notes.txt" not in {f.path for f in again.files}


def test_a_new_nested_ignore_file_applies_below_it(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo")
    lists = tmp_path / "lists"
    scan(root, Config(), listings_dir=lists)
    (root / "app/.gitignore").write_text("mod.py\n")
    os.utime(root / "app", ns=(PAST_NS + RACY_NS, PAST_NS + RACY_NS))
    # app/deep/inner is unchanged, but the rules above it changed.
    again = scan(root, Config(), listings_dir=lists)
    assert outcome(again) == outcome(scan(root, Config()))
    assert "app/deep/inner/mod.py" not in {f.path for f in again.files}


def test_recently_changed_directories_are_listed_again(tmp_path: Path, counted: list[int]) -> None:
    root = make_tree(tmp_path / "repo")
    now = time.time_ns()
    os.utime(root / "docs", ns=(now, now))  # within the mtime tick of the scan: racy
    lists = tmp_path / "lists"
    scan(root, Config(), listings_dir=lists)
    (root / "docs/late.md").write_text("written in the same tick\n")
    os.utime(root / "docs", ns=(now, now))
    again = scan(root, Config(), listings_dir=lists)
    assert len(counted) == 2  # docs/ was decided anew, not trusted
    assert "docs/late.md" in {f.path for f in again.files}


def test_a_damaged_listings_file_is_ignored(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo")
    lists = tmp_path / "lists"
    scan(root, Config(), listings_dir=lists)
    (stored,) = lists.iterdir()
    stored.write_bytes(stored.read_bytes()[:100] + b"garbage")
    assert outcome(scan(root, Config(), listings_dir=lists)) == outcome(scan(root, Config()))


def test_other_settings_keep_their_own_listings(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo")
    lists = tmp_path / "lists"
    wide = Config().with_(use_gitignore=False)
    scan(root, Config(), listings_dir=lists)
    got = scan(root, wide, listings_dir=lists)
    assert outcome(got) == outcome(scan(root, wide))
    assert "app/debug.log" in {f.path for f in got.files}
    assert len(list(lists.iterdir())) == 2


def test_a_walk_from_listings_hands_over_files_in_path_order(
    tmp_path: Path, counted: list[int]
) -> None:
    # A cold build (no snapshot) may follow a scan that reuses every listing: the files it
    # is handed must come in the same order as from a walk that lists every directory.
    root = tmp_path / "repo"
    for i in range(30):
        for rel in (f"pkg{i % 3}/sub{i % 5}/m{i}.py", f"pkg{i % 3}/m{i}.py", f"pkg{i % 3}.py"):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text("x = 1\n")
    settle(root)
    lists = tmp_path / "listings"
    fresh = scan(root, Config(), listings_dir=lists)
    counted.clear()
    handed: list[str] = []
    again = scan(
        root, Config(), listings_dir=lists, found=lambda fs: handed.extend(f.path for f in fs)
    )
    assert counted == []  # every directory came from its listing
    assert handed == [f.path for f in again.files] == [f.path for f in fresh.files]
    assert handed == sorted(handed) and "pkg0/sub0/m0.py" in handed
