"""Where a change is recorded: the changelog a fix adds its entry to, and the head of it.

In a project that keeps a changelog, a fix adds a line to its newest section (`## Unreleased`,
`2.17.0 (not yet released)`) in the same commit. The changelog that matters is the one
nearest the code: a repository of several packages keeps one per package.
"""

from __future__ import annotations

import posixpath
import re
import threading
import weakref

from .index import FileIndex
from .lang.detect import TREE_SITTER_LANGUAGES, detect_language

# A changelog's name (`CHANGELOG.md`, `CHANGES.rst`, `History.md`, `NEWS`), or a version's
# notes in a folder of release notes (`release-notes/VERSION-2.x`): where its folder's
# changes go. Listed in the order one is preferred when a folder holds several.
LOG_NAMES = ("changelog", "changes", "history", "news", "release-notes", "release_notes")
_LOG_NAME = re.compile(r"(changelog|changes|history|news|release[-_]?notes)([._-].*)?$")
_NOTES_DIR = re.compile(r"release[-_]?notes$")
_NOTES_FILE = re.compile(r"version([._-].*)?$")
# A line that opens a version's section: `## [1.2.0]`, `# v0.4.1 (2024-01-02)`, `4.19.0 / ...`.
_VERSION_LINE = re.compile(r"\s{0,3}(?:#{1,6}\s*)?\[?v?\d+\.\d+")
# The head shown: the sections before the second version's (the unreleased one and the
# newest release, whose form an entry follows), at most this many lines.
HEAD_LINES = 40

# The first letters of a changelog's name, or of a version's notes: a cheap test that leaves
# out nearly every path before the patterns run.
_FIRST_LETTERS = frozenset({"chan", "hist", "news", "rele", "vers"})

_memo: weakref.WeakKeyDictionary[FileIndex, tuple[int, dict[str, str]]] = (
    weakref.WeakKeyDictionary()
)
_memo_lock = threading.Lock()


def change_log_for(index: FileIndex, path: str) -> str | None:
    """The changelog nearest `path`: in its folder or the closest folder above it."""
    by_dir = _logs_by_dir(index)
    folder = posixpath.dirname(path)
    while True:
        found = by_dir.get(folder)
        if found is not None:
            return found
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def head_end(lines: list[str]) -> int:
    """The last line of a changelog's head: the lines before its second version heading,
    at most `HEAD_LINES`, without the blank lines that end them."""
    end = min(len(lines), HEAD_LINES)
    versions = 0
    for i, line in enumerate(lines[:end]):
        if _VERSION_LINE.match(line):
            versions += 1
            if versions == 2:
                end = i
                break
    while end > 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _logs_by_dir(index: FileIndex) -> dict[str, str]:
    """Each folder's changelog (the folder a release-notes folder is in, for its notes),
    found again when the number of files changes: an edit to a file (the language server's
    every keystroke) leaves it as it was, and a path no longer indexed is skipped by fit."""
    with _memo_lock:
        got = _memo.get(index)
        if got is not None and got[0] == index.file_count:
            return got[1]
    found: dict[str, tuple[int, str]] = {}
    for path in index.paths():
        if path.rpartition("/")[2][:4].lower() not in _FIRST_LETTERS:
            continue
        owner, rank = _owner(path)
        if owner is not None and (owner not in found or (rank, path) < found[owner]):
            found[owner] = (rank, path)
    by_dir = {folder: path for folder, (_, path) in found.items()}
    with _memo_lock:
        _memo[index] = (index.file_count, by_dir)
    return by_dir


def _owner(path: str) -> tuple[str | None, int]:
    """The folder whose changes `path` records, if it is a changelog, and its preference."""
    folder, name = posixpath.split(path.lower())
    match = _LOG_NAME.match(name)
    if match and detect_language(name) not in TREE_SITTER_LANGUAGES:
        return posixpath.dirname(path), _preference(match.group(1))
    notes = posixpath.basename(folder)
    if _NOTES_DIR.match(notes) and _NOTES_FILE.match(name):
        return posixpath.dirname(posixpath.dirname(path)), len(LOG_NAMES)
    return None, 0


def _preference(word: str) -> int:
    word = word.replace("_", "-")
    return LOG_NAMES.index(word) if word in LOG_NAMES else len(LOG_NAMES)
