"""changelog: the changelog a fix records its change in, and the head of it a pack shows."""

from __future__ import annotations

from pathlib import Path

from ctxtrim.changelog import HEAD_LINES, change_log_for, head_end
from ctxtrim.config import Config
from ctxtrim.task import Task
from ctxtrim.workspace import Workspace

from ..support.repos import write

LOG = (
    "# Changelog\n"  # 1
    "\n"
    "## Unreleased\n"  # 3
    "\n"
    "- Fix the parser on empty input (#12)\n"  # 5
    "\n"
    "## 1.4.0 (2024-03-01)\n"  # 7
    "\n"
    "- Add `--quiet` (#10)\n"  # 9
    "\n"
    "## 1.3.0 (2024-01-10)\n" + "".join(f"- Older change {i}\n" for i in range(200))  # 11
)
CODE = "".join(f"fn helper_{i}(x: u32) -> u32 {{\n    x * {i}\n}}\n\n" for i in range(80))


def _repo(tmp_path: Path) -> Path:
    return write(
        tmp_path / "repo",
        {
            "CHANGELOG.md": LOG,
            "crates/parse/CHANGES.md": LOG,
            "crates/parse/src/lexer.rs": "fn parse_empty_input() -> u32 {\n    0\n}\n\n" + CODE,
            "crates/cli/src/main.rs": "fn main() {}\n",
            "tools/release-notes/VERSION-2.x": LOG,
            "tools/gen/src/lib.rs": "fn gen() {}\n",
            "docs/history.rs": "fn history() {}\n",
        },
    )


def test_the_changelog_of_a_file_is_the_nearest_one_above_it(tmp_path: Path) -> None:
    ws = Workspace.open(_repo(tmp_path), Config(cache_dir=str(tmp_path / "cache")))
    assert change_log_for(ws.index, "crates/parse/src/lexer.rs") == "crates/parse/CHANGES.md"
    assert change_log_for(ws.index, "crates/cli/src/main.rs") == "CHANGELOG.md"
    # A folder of release notes holds the changes of the folder it is in.
    assert change_log_for(ws.index, "tools/gen/src/lib.rs") == "tools/release-notes/VERSION-2.x"
    # Code named like a changelog is code.
    assert change_log_for(ws.index, "docs/history.rs") == "CHANGELOG.md"


def test_a_repository_without_a_changelog_has_none(tmp_path: Path) -> None:
    root = write(tmp_path / "repo", {"src/lib.rs": "fn f() {}\n", "README.md": "# x\n"})
    ws = Workspace.open(root, Config(cache_dir=str(tmp_path / "cache")))
    assert change_log_for(ws.index, "src/lib.rs") is None


def test_the_head_of_a_changelog_ends_before_its_second_version() -> None:
    lines = LOG.split("\n")
    assert head_end(lines) == 9  # the unreleased section and the newest release, blank cut
    underlined = ["unreleased", "==========", "", "  * fix", "", "4.16.4 / 2018-12-10"]
    underlined += ["===================", "", "  * older", "", "4.16.3 / 2018-03-12"]
    assert head_end(underlined) == 9
    plain = [f"- entry {i}" for i in range(100)]
    assert head_end(plain) == HEAD_LINES


def test_a_pack_shows_the_head_of_the_changelog_nearest_the_code(tmp_path: Path) -> None:
    ws = Workspace.open(_repo(tmp_path), Config(cache_dir=str(tmp_path / "cache")))
    pack = ws.pack(Task("parse_empty_input in the lexer crashes on empty input"), 2000, "json")
    log = next(i for i in pack.items if i.path == "crates/parse/CHANGES.md")
    assert (log.mode, log.lines) == ("slice", [(1, 9)])
    assert log.text.startswith(LOG.split("## 1.3.0")[0].rstrip("\n") + "\n")
    assert "Older change" not in log.text
    assert all(i.path != "CHANGELOG.md" for i in pack.items)
    assert log.reasons[0].startswith("the changelog nearest `crates/parse/src/lexer.rs`")
