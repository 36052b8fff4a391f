"""fit_values.json: fit's learned view values over its hand-set defaults, and the script that
learns them (tests/bench/train_fit.py) on a small synthetic git history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ctxtrim.fit as fit_module
from ctxtrim.errors import CtxtrimError
from ctxtrim.fit_values import VALUES_FILE, load_values, parse_values

from ..support import ROOT, load_script
from ..support.repos import git, init_repo, write

DEFAULTS = {"sharpen": 3.0, "slice_max": 0.9, "listed": 0.01}
BAD_FILE = (
    'fit_values.json: needs "values", a non-negative number for any of sharpen, slice_max, listed'
)

train_fit = load_script("ctxtrim_train_fit", ROOT / "tests" / "bench" / "train_fit.py")


def test_the_file_sets_some_values_and_the_rest_keep_their_defaults() -> None:
    got = parse_values('{"values": {"sharpen": 2, "listed": 0.0}}', DEFAULTS)
    assert got == {"sharpen": 2.0, "slice_max": 0.9, "listed": 0.0}
    assert isinstance(got["sharpen"], float)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '{"sharpen": 2.0}',  # not under "values"
        '{"values": {"sharpen": -1}}',
        '{"values": {"sharpen": true}}',
        '{"values": {"sharpen": "2"}}',
        '{"values": {"sharpness": 2.0}}',  # a value fit does not have
    ],
)
def test_a_bad_values_file_is_a_one_line_error(text: str) -> None:
    with pytest.raises(CtxtrimError) as err:
        parse_values(text, DEFAULTS)
    assert str(err.value) == BAD_FILE


def test_a_missing_values_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CtxtrimError) as err:
        load_values(DEFAULTS, tmp_path)
    assert str(err.value) == f"{VALUES_FILE}: cannot be read at {tmp_path / VALUES_FILE}"


def test_fit_uses_the_shipped_values_over_its_defaults() -> None:
    shipped = json.loads((Path(fit_module.__file__).parent / VALUES_FILE).read_text())
    assert set(shipped["values"]) <= set(fit_module.VIEW_VALUES)
    for key, value in shipped["values"].items():
        assert fit_module.VIEW_VALUES[key] == value
    assert fit_module.SHARPEN == fit_module.VIEW_VALUES["sharpen"]
    assert fit_module.SLICE_MAX == fit_module.VIEW_VALUES["slice_max"]
    assert fit_module.COVERAGE["summary"] == fit_module.VIEW_VALUES["summary"]
    # The training script starts from fit's hand-set defaults: the values the file leaves out.
    for key, value in train_fit.HAND_SET.items():
        if key not in shipped["values"]:
            assert fit_module.VIEW_VALUES[key] == value


def big_module(target: str) -> str:
    """A Python module of ~40k tokens (never whole in a 32k pack) with one named function."""
    parts = [
        f"def helper_{i}(alpha, beta):\n"
        f'    """Combine alpha and beta, step {i}, with a long comment about nothing."""\n'
        f"    total = alpha * {i} + beta - {i * 7} + sum(range({i}))\n"
        f"    return [total, alpha, beta, {i}, 'padding text {i} lorem ipsum dolor sit']\n"
        for i in range(600)
    ]
    parts.insert(300, f"def parse_widget_header(raw):\n    fields = raw.split(';')\n{target}")
    return "\n\n".join(parts)


def test_the_objective_counts_packs_that_show_every_changed_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    init_repo(repo)
    write(repo, {"src/widgets.py": big_module("    return fields[:-1]\n")})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Initial widgets")
    write(repo, {"src/widgets.py": big_module("    return fields\n")})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "parse_widget_header drops the last field of a header")

    found = train_fit.repo_tasks(repo, 4)
    assert [c.message for c in found] == ["parse_widget_header drops the last field of a header"]
    (commit,) = found
    line = big_module("").split("\n").index("    fields = raw.split(';')") + 2
    assert commit.targets == {"src/widgets.py": {line}}

    state = train_fit.task_state("me+widgets", repo, commit)
    assert state.real == {8000: True, 16000: True, 32000: True}  # the real packs slice it
    # Replayed from the recorded state with the same values, the packs are the same.
    assert train_fit.score([state], train_fit.HAND_SET) == {8000: 1, 16000: 1, 32000: 1}
    # Slices worth nothing: the file is only outlined (whole it never fits), the line unseen.
    worthless = train_fit.HAND_SET | {"slice_base": 0.0, "slice_max": 0.0}
    monkeypatch.setattr(fit_module, "SLICE_MAX_DEEP", 0.0)  # what 16k packs use instead
    assert train_fit.score([state], worthless) == {8000: 0, 16000: 0, 32000: 0}
    assert fit_module.SLICE_MAX == fit_module.VIEW_VALUES["slice_max"]  # scoring restores them
    # Every pair is won already: the search keeps the hand-set values (ties never move).
    assert train_fit.search([state], log=False) == train_fit.HAND_SET
