"""What exists in the repository, and what is expected not to (gitignored, generated)."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import pathspec

from ..scan import GIT_INFO_EXCLUDE, GITIGNORE

# Folders that builds and package managers create: mentioning them is never a dead path.
GENERATED_DIRS = frozenset(
    """node_modules dist build out target .venv venv env coverage htmlcov __pycache__ .next .nuxt
    .cache .tox .nox .git vendor .pytest_cache .mypy_cache .ruff_cache site .turbo .svelte-kit
    .gradle bin obj tmp temp logs .terraform .serverless .expo .parcel-cache storybook-static
    """.split()
)


def probe_path(path: Path, test: Callable[[Path], bool]) -> bool:
    """`test(path)`, False when the path cannot even be asked about: a name over 255 bytes or a
    path over PATH_MAX (ENAMETOOLONG), a NUL byte (ValueError), permissions. Paths written in
    rule files are arbitrary text; pathlib raises for these instead of answering False."""
    try:
        return test(path)
    except (OSError, ValueError):
        return False


class RepoFiles:
    """The repository's files and directories, answering 'does this path exist?'."""

    def __init__(self, root: Path, files: Iterable[str]) -> None:
        self.root = root
        self.files = set(files)
        self._dirs: set[str] | None = None  # built on first use: large repositories pay once
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._ignore: pathspec.PathSpec | None = None

    @property
    def dirs(self) -> set[str]:
        if self._dirs is None:
            dirs = {""}
            for path in sorted(self.files):
                self._by_name[posixpath.basename(path)].append(path)
                parent = posixpath.dirname(path)
                while parent not in dirs:
                    dirs.add(parent)
                    self._by_name[posixpath.basename(parent)].append(parent)
                    parent = posixpath.dirname(parent)
            self._dirs = dirs
        return self._dirs

    @property
    def by_name(self) -> dict[str, list[str]]:
        _ = self.dirs
        return self._by_name

    def is_file(self, path: str) -> bool:
        return path in self.files or probe_path(self.root / path, Path.is_file)

    def exists(self, path: str) -> bool:
        return path in self.files or path in self.dirs or probe_path(self.root / path, Path.exists)

    def named(self, name: str) -> list[str]:
        """Files and folders anywhere in the repository whose last segment is `name`."""
        return self.by_name.get(name, [])

    def expected_missing(self, path: str) -> bool:
        """Gitignored or generated: a path the repository is not supposed to contain."""
        if (
            any(segment in GENERATED_DIRS for segment in path.split("/")[:-1])
            or path in GENERATED_DIRS
        ):
            return True
        spec = self._gitignore()
        return spec.match_file(path) or spec.match_file(path + "/")

    def _gitignore(self) -> pathspec.PathSpec:
        if self._ignore is None:
            lines: list[str] = []
            for name in (GITIGNORE, GIT_INFO_EXCLUDE):
                try:
                    lines += (
                        (self.root / name)
                        .read_text(encoding="utf-8", errors="replace")
                        .splitlines()
                    )
                except OSError:
                    pass
            self._ignore = pathspec.GitIgnoreSpec.from_lines(lines)
        return self._ignore
