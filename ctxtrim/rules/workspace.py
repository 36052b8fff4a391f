"""Find the repository a path belongs to, and list its files, for the `rules` and `check` commands."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..errors import CtxtrimError
from .repo import GENERATED_DIRS, probe_path


def path_and_task(path: str | None, task: str | None) -> tuple[str | None, str | None]:
    """`ctxtrim rules "fix the login"`: a lone argument that names nothing on disk is the task,
    not the repository."""
    if path is not None and task is None and not probe_path(Path(path), Path.exists):
        return None, path
    return path, task


def find_root(path: Path) -> Path:
    """A directory is its own root, as for `ctxtrim pack`; a file belongs to the nearest
    directory above it holding `.git` (else its folder)."""
    if probe_path(path, Path.is_dir):
        return path
    start = path.parent
    for directory in (start, *start.parents):
        if probe_path(directory / ".git", Path.exists):
            return directory
    return start


def existing(raw: str) -> Path:
    """`raw` as an absolute path, or a CtxtrimError naming it."""
    path = Path(raw)
    if not probe_path(path, Path.exists):
        raise CtxtrimError(f"no such file or directory: {_short(raw)}")
    return path.resolve()


def _short(raw: str) -> str:
    """`raw` for an error message: one line, at most 200 characters."""
    raw = raw.replace("\n", " ")
    return raw if len(raw) <= 200 else raw[:197] + "..."


def list_files(root: Path) -> list[str]:
    """The repository's files (tracked and untracked, not ignored), repo-relative and posix.

    Asks git, as pre-commit and CI see the same list; outside a git repository, walks the
    tree skipping VCS and generated folders.
    """
    try:
        out = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            check=True,
            timeout=120,  # a FIFO named .gitignore can block git; fall back to the walk
        ).stdout
        if (root / ".git").exists():
            names = [name for name in out.decode("utf-8", errors="replace").split("\0") if name]
            return sorted({name for name in names if probe_path(root / name, Path.is_file)})
    except (OSError, subprocess.SubprocessError):
        pass
    return _walk(root)


def _walk(root: Path) -> list[str]:
    """Every non-directory below `root`, without following links to directories.

    An explicit stack, not `os.walk`: `os.walk` recurses once per level and a tree 1,000
    directories deep (legal, and near PATH_MAX) raised RecursionError.
    """
    files: list[str] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(os.path.join(root, rel_dir)) as entries:
                listed = list(entries)
        except OSError:
            continue  # unreadable, or deleted since it was listed
        for entry in listed:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name not in GENERATED_DIRS and entry.name != ".git":
                    stack.append(rel)
            else:
                files.append(rel)
    return sorted(files)
