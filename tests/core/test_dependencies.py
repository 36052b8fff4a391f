"""Dependency control: every dependency is bounded below its next major version, the tested
versions are pinned in constraints.txt, and CI installs with them exactly as the README says."""

from __future__ import annotations

import re
import sys

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ..support import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = ROOT


def requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        found += [Requirement(r) for r in extra if not r.startswith("ctxtrim")]
    return found


def pins() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            out[canonicalize_name(name)] = version
    return out


def test_every_dependency_has_an_upper_bound() -> None:
    unbounded = [
        str(r)
        for r in requirements()
        if not any(s.operator in ("<", "<=", "==") for s in r.specifier)
    ]
    assert unbounded == []


def test_the_pinned_versions_satisfy_the_declared_ranges() -> None:
    pinned = pins()
    for req in requirements():
        if req.marker is not None and not req.marker.evaluate():
            continue  # e.g. tomli, only below Python 3.11
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pinned[name], prereleases=True), (req, pinned[name])


def test_ci_runs_the_readme_test_command_with_the_constraints() -> None:
    readme = (REPO / "README.md").read_text()
    command = re.search(r"^python3 -m venv \.venv-ci .*$", readme, re.M)
    assert command is not None
    assert "-c constraints.txt" in command.group(0)
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert command.group(0) in ci
