"""The `ctxtrim-rules` pre-commit hook, for real: pre-commit installs this checkout into its
own environment (from a local clone) and runs it in a throwaway repository.

Slow the first time in a session (pre-commit builds a virtualenv and pip-installs ctxtrim);
PRE_COMMIT_HOME is shared by the session so that happens once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..support import ROOT

# What the hook's installation needs; uncommitted edits to these are snapshotted into the clone.
PACKAGE_PATHS = ("ctxtrim", "server", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _pre_commit() -> str:
    local = Path(sys.executable).with_name("pre-commit")
    found = str(local) if local.exists() else shutil.which("pre-commit")
    # A test dependency (`pip install -e '.[test]'`): missing means a broken setup, not a skip.
    assert found, "pre-commit is not installed: pip install -e '.[test]'"
    return found


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A clone of this checkout's HEAD, plus its uncommitted package edits, committed."""
    # The hook is installed from this checkout by git: the tests run from one (CI clones it).
    assert (ROOT / ".git").exists(), "run the tests from a git checkout of ctxtrim"
    clone = tmp_path_factory.mktemp("hook") / "ctxtrim"
    _git(ROOT.parent, "clone", "--quiet", str(ROOT), str(clone))
    # Staged or not, and new files: everything that differs from HEAD.
    edited = _git(ROOT, "diff", "-z", "--name-only", "HEAD", "--", *PACKAGE_PATHS)
    new = _git(ROOT, "ls-files", "-z", "--others", "--exclude-standard", "--", *PACKAGE_PATHS)
    for name in sorted(set(filter(None, (edited + "\0" + new).split("\0")))):
        source, target = ROOT / name, clone / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.exists():
            target.unlink()
    _git(clone, "add", "-A")
    if _git(clone, "status", "--porcelain"):
        _git(clone, "commit", "--quiet", "-m", "test snapshot of the working tree")
    return clone, _git(clone, "rev-parse", "HEAD")


def _run(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [_pre_commit(), "run", "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_hook_fails_on_a_dead_path_then_passes(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    repo, rev = hook_repo
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "app.py").write_text("def main() -> None: ...\n")
    (project / "CLAUDE.md").write_text("# Demo\n\nThe entry point is `src/main.py`.\n")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo.as_posix()}\n    rev: {rev}\n    hooks:\n      - id: ctxtrim-rules\n"
    )
    _git(project, "init", "--quiet")
    _git(project, "add", "-A")

    failed = _run(project, pre_commit_home)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "CLAUDE.md:3:21: error: CTX101 dead-path: `src/main.py` does not exist" in output

    (project / "CLAUDE.md").write_text("# Demo\n\nThe entry point is `src/app.py`.\n")
    _git(project, "add", "-A")
    passed = _run(project, pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
